"""A budget's whole life in a real browser, with axe on every page: set up (an overlap refused,
a backdated start confirmed), changed as a draft, proposed, not supported by the clinician, sent
back, changed, proposed again, supported, refused to the lead who prepared it and agreed by
another, ended when its period is over; another draft withdrawn; next year's budget prepared
from this year's; the ICB's budget policy; and the pages at a phone's width.

Today is the real date for the set-up (the database's clock is not moved); later steps move
`timezone.localdate` on, in the browser's server as in the test.
"""

import datetime
from decimal import Decimal as D

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from budgets.models import Budget, BudgetPolicy, BudgetStatus, HoldingMethod
from phb.models import Role
from tests.browser.conftest import Browser, Staff
from tests.budgets.factories import (
    FY_2027_START,
    JUSTIFICATION,
    LocalRateSetFactory,
    agreed_budget,
    chc_package,
    draft_budget,
    pa_costing,
    questionnaire,
    ras_assessment,
)
from tests.factories import BudgetHolderFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True),
]

NOVEMBER = datetime.date(2026, 11, 1)
NOVEMBER_END = datetime.date(2026, 11, 30)
DECEMBER = datetime.date(2026, 12, 1)
MARCH_END = datetime.date(2027, 3, 31)


@pytest.fixture
def team(icb):
    LocalRateSetFactory(organisation=icb)
    return {
        "lead": Staff(Role.PHB_LEAD, icb),
        "other_lead": Staff(Role.PHB_LEAD, icb),
        "clinician": Staff(Role.CLINICIAN, icb),
        "admin": Staff(Role.ICB_ADMIN, icb),
    }


@pytest.fixture
def tab(chromium, live_server):
    """Opens more tabs, each in its own browser context (several people signed in at once)."""
    opened = []

    def open_tab(width: int = 1280) -> Browser:
        context = chromium.new_context(viewport={"width": width, "height": 900})
        context.set_default_timeout(10_000)
        browser = Browser(context.new_page(), live_server.url)
        opened.append((context, browser))
        return browser

    yield open_tab
    unchecked = []
    for context, browser in opened:
        context.close()
        unchecked += browser.unchecked + ([browser._pending] if browser._pending else [])
    assert not unchecked, f"pages loaded without an axe check: {unchecked}"


def today_is(monkeypatch, day: datetime.date) -> None:
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)


def where_it_stands(browser: Browser):
    return browser.page.get_by_role("main")


def status(browser: Browser):
    return browser.page.locator("main .nhsuk-tag").first


def queue(browser: Browser):
    return browser.page.locator(".nhsuk-card").filter(
        has=browser.page.get_by_role("heading", name="Budgets waiting for you")
    )


def day_box(browser: Browser, legend: str):
    return browser.page.get_by_role("group", name=legend, exact=True).get_by_label("Day")


def test_a_budget_from_set_up_to_its_end_and_next_years_budget(
    browser, tab, team, icb, password, monkeypatch
):
    page = browser.page
    lead, other_lead, clinician = team["lead"], team["other_lead"], team["clinician"]
    ada = BudgetHolderFactory(organisation=icb, given_name="Ada", family_name="Lovelace")
    package = chc_package(lead.user, ada)
    # Ada's budget from 1 December 2026 is already agreed; the one being set up covers the
    # month before it. The CHC cap is £117,793.00 a year: for the 30 days of November,
    # £117,793.00 x 30 / 365 = £9,681.616... = £9,681.62.
    december = agreed_budget(
        lead.user, ada, package, start=DECEMBER, end=MARCH_END, amount=D("38000.00")
    )
    period = "1 Nov 2026 to 30 Nov 2026"

    # Set up: a start that has passed must be confirmed; an overlap is refused, naming it.
    browser.sign_in_with_code(lead.user, lead.secret, password)
    browser.click("Lovelace, Ada")
    browser.click("Budget calculations and all budgets")
    browser.click("Set up a budget", role="button")
    expect(browser.heading).to_have_text("Set up a budget")
    browser.choose("CHC cost cap for 2026/27: £117,793.00 a year")
    browser.fill_date("Start date", NOVEMBER)
    browser.fill_date("End date", MARCH_END)
    browser.fill("Budget amount for the period", "10000.00")
    browser.fill("Clinical justification", JUSTIFICATION)
    browser.fill("Notional budget amount", "10000.00")
    browser.submit("Save as a draft")
    browser.expect_problem(
        "The start date, 1 November 2026, has passed. If the budget really starts then, tick "
        "the box to confirm it is backdated",
        page.get_by_role("checkbox", name="The start date has passed: this budget is backdated"),
    )
    browser.tick("The start date has passed: this budget is backdated")
    browser.fill("Why the budget is backdated", "Ada came home from hospital on 1 November.")
    browser.submit("Save as a draft")
    browser.expect_problem(
        "This period overlaps the agreed budget from 1 December 2026 to 31 March 2027. "
        "Change the dates",
        day_box(browser, "Start date"),
    )
    assert Budget.objects.filter(budget_holder=ada).count() == 1
    browser.fill_date("End date", NOVEMBER_END)
    browser.submit("Save as a draft")
    expect(browser.heading).to_have_text(f"Budget {period}")
    browser.expect_success("The budget has been set up as a draft")
    main = where_it_stands(browser)
    expect(status(browser)).to_have_text("Draft")
    expect(main).to_contain_text("This budget is a draft. It has not been proposed for agreement")
    expect(main).to_contain_text(
        "It is backdated: it starts on 1 November 2026, before it was set up on "
        f"{timezone.localdate():%-d %B %Y}, because: Ada came home from hospital on 1 November."
    )
    expect(main).to_contain_text("The amount proposed is £10,000.00, which is £318.38 more")
    expect(main).not_to_contain_text("The amount agreed")

    # Change the draft: a mistake, then the change.
    browser.click("Change the draft")
    expect(browser.heading).to_have_text("Change the draft budget")
    browser.fill("Notional budget amount", "9000.00")
    browser.submit("Save the changes")
    expect(page).to_have_title("Error: Change the draft budget – Personal health budgets – NHS")
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "The ways of holding the money add up to £9,000.00, but the budget is £10,000.00. "
        "They must be the same"
    )
    browser.fill("Budget amount for the period", "9950.00")
    browser.fill("Notional budget amount", "9950.00")
    browser.submit("Save the changes")
    browser.expect_success("The draft has been changed")
    expect(main).to_contain_text("Amount £10,000.00 became £9,950.00.")

    browser.submit("Propose for agreement")
    expect(status(browser)).to_have_text("Proposed")
    expect(main).to_contain_text("No clinician has checked this amount yet.")
    expect(page.get_by_role("button", name="Agree this budget")).to_have_count(0)

    # The clinician does not support it.
    doctor = tab()
    doctor.sign_in_with_code(clinician.user, clinician.secret, password)
    expect(queue(doctor)).to_contain_text(f"Ada Lovelace, {period}: waiting for a clinical check")
    doctor.click(f"Ada Lovelace, {period}")
    doctor.click("Record your clinical check", role="button")
    doctor.choose("No, I do not support it")
    doctor.fill("What you checked and why", "Night care is already covered by the family.")
    doctor.submit("Record the check")
    doctor.expect_success("Your clinical check has been recorded")
    expect(where_it_stands(doctor)).to_contain_text(
        "did not support it: Night care is already covered by the family."
    )
    expect(where_it_stands(doctor)).not_to_contain_text("A clinician checked and supported this")

    # Another PHB lead sends it back to draft.
    reviewer = tab()
    reviewer.sign_in_with_code(other_lead.user, other_lead.secret, password)
    expect(queue(reviewer)).to_contain_text(
        f"Ada Lovelace, {period}: the clinician did not support it: waiting for the PHB lead"
    )
    reviewer.click(f"Ada Lovelace, {period}")
    expect(where_it_stands(reviewer)).to_contain_text(
        "It cannot be agreed: the clinician did not support this amount."
    )
    expect(reviewer.page.get_by_role("button", name="Agree this budget")).to_have_count(0)
    reviewer.click("Send it back to draft")
    expect(reviewer.heading).to_have_text("Send the budget back to draft")
    reviewer.submit("Send it back to draft")
    reviewer.expect_problem(
        "Enter why the budget is going back to draft",
        reviewer.page.get_by_label("Why the budget is going back to draft", exact=True),
    )
    reviewer.fill(
        "Why the budget is going back to draft", "Lower it to the night care the family cannot do."
    )
    reviewer.submit("Send it back to draft")
    reviewer.expect_success("The budget has gone back to draft")
    expect(status(reviewer)).to_have_text("Draft")

    # The lead who prepared it changes it and proposes it again; the clinician supports it.
    browser.goto("/caseload/")
    expect(queue(browser)).to_contain_text(
        f"Ada Lovelace, {period}: sent back to draft: waiting for changes"
    )
    browser.click(f"Ada Lovelace, {period}")
    expect(main).to_contain_text(
        f"{other_lead.user.full_name} on {timezone.localdate():%-d %B %Y} sent this budget back "
        "to draft: Lower it to the night care the family cannot do."
    )
    browser.click("Change the draft")
    browser.fill("Budget amount for the period", "9800.00")
    browser.fill("Notional budget amount", "9800.00")
    browser.submit("Save the changes")
    browser.submit("Propose for agreement")
    expect(status(browser)).to_have_text("Proposed")

    doctor.goto("/caseload/")
    doctor.click(f"Ada Lovelace, {period}")
    doctor.click("Record your clinical check", role="button")
    doctor.choose("Yes, I support it")
    doctor.fill("What you checked and why", "Two carers at night for the family's nights off.")
    doctor.submit("Record the check")
    expect(where_it_stands(doctor)).to_contain_text("A clinician checked and supported this")

    # Not for the lead who prepared it to agree; the other lead agrees it.
    browser.goto(page.url.removeprefix(browser.base_url))
    expect(main).to_contain_text(
        "You prepared or proposed this budget, so another PHB lead must agree it."
    )
    expect(page.get_by_role("button", name="Agree this budget")).to_have_count(0)
    reviewer.goto("/caseload/")
    expect(queue(reviewer)).to_contain_text(f"Ada Lovelace, {period}: waiting to be agreed")
    reviewer.click(f"Ada Lovelace, {period}")
    reviewer.submit("Agree this budget")
    reviewer.expect_success("The budget has been agreed")
    expect(status(reviewer)).to_have_text("Agreed")
    expect(where_it_stands(reviewer)).to_contain_text(
        f"{other_lead.user.full_name} agreed this budget on"
    )
    expect(where_it_stands(reviewer)).to_contain_text(
        "The amount agreed is £9,800.00, which is £118.38 more"
    )
    november = Budget.objects.get(budget_holder=ada, period_start=NOVEMBER)
    assert (november.status, november.agreed_by) == (BudgetStatus.AGREED, other_lead.user)

    # December comes: November's budget has had its period, and ends.
    today_is(monkeypatch, DECEMBER)
    reviewer.goto(reviewer.page.url.removeprefix(reviewer.base_url))
    expect(where_it_stands(reviewer)).to_contain_text(
        "Its period ended on 30 November 2026, so it is waiting to be ended."
    )
    reviewer.submit("End this budget")
    reviewer.expect_success("The budget has ended")
    expect(status(reviewer)).to_have_text("Ended")
    expect(where_it_stands(reviewer)).to_contain_text(
        "It has ended. Replaced by the agreed budget from 1 December 2026 to 31 March 2027."
    )

    # Next year's budget from this year's, with 2027/28's local rates.
    LocalRateSetFactory(
        organisation=icb,
        effective_from=FY_2027_START,
        agency_day_hourly=D("29.40"),
        agency_night_hourly=D("125.00"),
        nursing_hourly=D("57.00"),
    )
    browser.goto(f"/budgets/{december.pk}/")
    browser.submit("Prepare next year's budget")
    expect(browser.heading).to_have_text("What changed from last year's budget")
    browser.expect_success("Next year's budget has been prepared as a draft")
    lines = page.get_by_role("table", name="The calculation line by line, this year and next")
    row = lines.locator("tr").filter(has_text="Agency day care")
    expect(row).to_contain_text("£1,197.00 a week (42 hours a week at £28.50 an hour)")
    expect(row).to_contain_text("£1,234.80 a week (42 hours a week at £29.40 an hour)")
    expect(lines.locator("tr").last).to_contain_text("£117,793.00")
    expect(lines.locator("tr").last).to_contain_text("£121,942.60")
    browser.click("Go to the new draft budget")
    expect(status(browser)).to_have_text("Draft")
    expect(browser.heading).to_have_text("Budget 1 Apr 2027 to 31 Mar 2028")


def test_a_draft_is_withdrawn_with_its_reason(browser, team, icb, password):
    lead = team["lead"]
    grace = BudgetHolderFactory(organisation=icb, given_name="Grace", family_name="Hopper")
    draft_budget(lead.user, grace, chc_package(lead.user, grace))
    page = browser.page
    browser.sign_in_with_code(lead.user, lead.secret, password)
    browser.click("Hopper, Grace")
    browser.click("Budget calculations and all budgets")
    browser.click("1 Apr 2026 to 31 Mar 2027")
    browser.click("Withdraw this budget")
    expect(browser.heading).to_have_text("Withdraw the budget")
    browser.submit("Withdraw the budget")
    browser.expect_problem(
        "Enter why the budget is being withdrawn",
        page.get_by_label("Why the budget is being withdrawn", exact=True),
    )
    browser.fill("Why the budget is being withdrawn", "Set up twice by mistake.")
    browser.submit("Withdraw the budget")
    browser.expect_success("The budget has been withdrawn")
    expect(status(browser)).to_have_text("Withdrawn")
    expect(where_it_stands(browser)).to_contain_text(
        "withdrew this budget: Set up twice by mistake. It was never agreed, and nothing more "
        "can be done with it."
    )
    expect(where_it_stands(browser)).to_contain_text(
        "There is nothing for you to do on this budget."
    )
    assert Budget.objects.get(budget_holder=grace).status == BudgetStatus.WITHDRAWN


def test_an_icb_administrator_lets_leads_agree_small_budgets_they_prepared(
    browser, team, icb, password
):
    admin = team["admin"]
    page = browser.page
    browser.sign_in_with_code(admin.user, admin.secret, password)
    browser.click_in_header("Budget policy")
    expect(browser.heading).to_have_text("Budget policy")
    browser.choose("Yes, for budgets below an amount")
    browser.submit("Save the policy")
    browser.expect_problem(
        "Enter the amount below which the person who prepared a budget may agree it",
        page.get_by_label("Amount", exact=True),
    )
    assert not BudgetPolicy.objects.exists()
    browser.fill("Amount", "5000.00")
    browser.submit("Save the policy")
    browser.expect_success("The budget policy has been saved")
    policy = BudgetPolicy.objects.get(organisation=icb)
    assert (policy.preparer_may_agree, policy.preparer_may_agree_below) == (True, D("5000.00"))


# ---------------------------------------------------------------------------------------------
# Tables that fit their cards
# ---------------------------------------------------------------------------------------------

OVERFLOW = """() => {
  const problems = [];
  const page = document.documentElement;
  if (page.scrollWidth > window.innerWidth + 1) {
    problems.push(`the page is ${page.scrollWidth}px wide in a ${window.innerWidth}px window`);
  }
  for (const table of document.querySelectorAll("main table")) {
    const box = table.closest(".nhsuk-card, .nhsuk-details, .nhsuk-grid-column-full, main");
    // NHS.UK frontend pulls a table 2px out on each side (a negative margin), by design.
    const style = getComputedStyle(table);
    const t = table.getBoundingClientRect(), b = box.getBoundingClientRect();
    const left = t.left - parseFloat(style.marginLeft);
    const right = t.right + parseFloat(style.marginRight);
    if (right > b.right + 1 || left < b.left - 1 || table.scrollWidth > table.clientWidth + 1) {
      const name = table.caption ? table.caption.textContent.trim() : "a table";
      problems.push(`${name}: ${Math.round(t.width)}px in ${Math.round(b.width)}px`);
    }
  }
  return problems;
}"""


@pytest.mark.parametrize("width", [375, 768, 1024, 1280])
def test_the_budget_pages_fit_the_screen(tab, team, icb, national_rates, password, width):
    lead = team["lead"]
    person = BudgetHolderFactory(organisation=icb, given_name="Mary", family_name="Somerville")
    ras_assessment(lead.user, person, questionnaire(team["admin"].user))
    pa_costing(lead.user, person)
    package = chc_package(lead.user, person)
    agreed = agreed_budget(
        lead.user,
        person,
        package,
        amount=D("20000.00"),
        portions=[
            (HoldingMethod.NOTIONAL, D("8000.00"), ""),
            (HoldingMethod.THIRD_PARTY, D("12000.00"), "Northtown Independent Living Trust"),
        ],
    )
    browser = tab(width)
    browser.sign_in_with_code(lead.user, lead.secret, password)
    for path in (f"/budgets/people/{person.pk}/", f"/budgets/{agreed.pk}/"):
        browser.goto(path)
        for details in browser.page.locator("main details").all():
            details.evaluate("element => element.open = true")
        assert browser.page.evaluate(OVERFLOW) == [], f"{path} at {width}px"
    # At a phone's width the actions come before the line-by-line tables.
    if width == 375:
        browser.goto(f"/budgets/people/{person.pk}/")
        button = browser.page.get_by_role("button", name="Set up a budget").bounding_box()
        table = browser.page.locator("main table").first.bounding_box()
        assert button["y"] < table["y"]
