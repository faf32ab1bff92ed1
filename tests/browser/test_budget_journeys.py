"""Journeys through the budget-setting pages in a real browser, with axe on every page.

Browser tests are transactional: the flush after each one empties every table, including the
2026/27 national rates that migration 0003 loads, so each test makes what it needs.
"""

import datetime
import json
import re
from decimal import Decimal as D

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from budgets import calculations as calc
from budgets import services
from budgets.models import (
    Budget,
    BudgetLetter,
    BudgetPolicy,
    FundingStreamKind,
    HoldingMethod,
    LocalRateSet,
    PaCosting,
    PaymentSchedule,
    RasQuestionnaire,
)
from budgets.models.budget import BudgetStatus
from phb.models import Role
from tests.browser.conftest import Browser
from tests.budgets.factories import (
    FY_2026_END,
    FY_2026_START,
    FY_2027_END,
    FY_2027_START,
    LocalRateSetFactory,
    agreed_budget,
    change_amount,
    chc_package,
    proposed_budget,
    reload,
    schedule,
    staff,
)
from tests.factories import RepresentativeFactory, UserFactory, add_totp, totp_code

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True),
]


JUSTIFICATION = "Two carers are needed at night because of the risk of aspiration."
REASON = "Your needs at night have gone down since your review, so you need fewer carers."


# ---------------------------------------------------------------------------------------------
# Fixtures and helpers
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def local_rates(icb):
    return LocalRateSetFactory(organisation=icb)


class Staff:
    """A member of staff whose authenticator secret the test knows."""

    def __init__(self, role, organisation):
        self.user = UserFactory(role=role, organisation=organisation)
        self.secret = add_totp(self.user)


@pytest.fixture
def lead(icb):
    return Staff(Role.PHB_LEAD, icb)


@pytest.fixture
def signed_in_clinician(icb):
    return Staff(Role.CLINICIAN, icb)


@pytest.fixture
def finance(icb):
    return Staff(Role.FINANCE_OFFICER, icb)


@pytest.fixture
def admin(icb):
    return Staff(Role.ICB_ADMIN, icb)


@pytest.fixture
def another_browser(chromium, live_server):
    """Opens more tabs, each in its own browser (so two people can be signed in at once)."""
    opened = []

    def open_tab() -> Browser:
        context = chromium.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(10_000)
        tab = Browser(context.new_page(), live_server.url)
        opened.append((context, tab))
        return tab

    yield open_tab
    never_checked = []
    for context, tab in opened:
        context.close()
        never_checked += tab.unchecked + ([tab._pending] if tab._pending else [])
    assert not never_checked, "pages loaded without an axe check: " + json.dumps(never_checked)


def sign_in_staff(tab: Browser, staff: Staff, password: str) -> None:
    tab.sign_in(staff.user.email, password)
    tab.enter_security_code(totp_code(staff.secret))
    expect(tab.page.get_by_role("heading", level=1)).to_have_text("Caseload")


def field(tab: Browser, name: str):
    return tab.page.locator(f"[name='{name}']")


def fill_date(tab: Browser, name: str, day: datetime.date) -> None:
    field(tab, f"{name}_day").fill(str(day.day))
    field(tab, f"{name}_month").fill(str(day.month))
    field(tab, f"{name}_year").fill(str(day.year))


def heading(tab: Browser):
    return tab.page.get_by_role("heading", level=1)


def status_tag(tab: Browser):
    return tab.page.locator("main .nhsuk-tag").first


def open_budget_from_caseload(tab: Browser, holder, period: str) -> None:
    """Caseload -> the person's record -> budget calculations -> the budget."""
    tab.click(f"{holder.family_name}, {holder.given_name}")
    expect(heading(tab)).to_have_text(holder.full_name)
    tab.click("Budget calculations and all budgets")
    expect(heading(tab)).to_have_text("Budget calculations")
    tab.click(period)
    expect(heading(tab)).to_have_text(f"Budget {period}")


def click_in_header(tab: Browser, name: str) -> None:
    with tab.page.expect_navigation():
        tab.page.get_by_role("banner").get_by_role("link", name=name, exact=True).click()
    tab.check_accessibility()


def follow(tab: Browser, link) -> None:
    """Follow a link found some other way than by its exact name, and check the next page."""
    with tab.page.expect_navigation():
        link.click()
    tab.check_accessibility()


# ---------------------------------------------------------------------------------------------
# 1. A PHB lead costs PAs and sets up a budget
# ---------------------------------------------------------------------------------------------


def test_a_phb_lead_costs_pas_and_sets_up_a_budget_that_they_agree(
    browser, lead, icb, holder, national_rates, local_rates, password
):
    # Their ICB lets whoever prepared a budget agree it below £30,000.00 (by default another
    # PHB lead agrees it: test_lifecycle_journeys.py).
    BudgetPolicy.objects.create(
        organisation=icb, preparer_may_agree=True, preparer_may_agree_below=D("30000.00")
    )
    page = browser.page
    sign_in_staff(browser, lead, password)

    browser.click(f"{holder.family_name}, {holder.given_name}")
    browser.click("Budget calculations and all budgets")
    expect(heading(browser)).to_have_text("Budget calculations")
    expect(page.get_by_text("Not worked out yet.")).to_have_count(3)
    browser.screenshot("budget-compare-empty")

    # The link's name is "Work it out" and a visually hidden ": PA costing".
    pa_card = page.locator(".nhsuk-card").filter(has=page.get_by_role("heading", name="PA costing"))
    follow(browser, pa_card.get_by_role("link", name=re.compile(r"^Work it out\b")))
    expect(heading(browser)).to_have_text("Cost employing personal assistants")
    fill_date(browser, "effective_date", FY_2026_START)
    field(browser, "lines-0-label").fill("PA 1")
    field(browser, "lines-0-hours_per_week").fill("30")
    field(browser, "lines-0-hourly_rate").fill("13.50")
    browser.screenshot("budget-pa-form")
    browser.submit("Work out the cost")

    # The worked example of tests/budgets: 30 hours at £13.50 costs £25,370.98 a year.
    expect(heading(browser)).to_have_text("Budget calculations")
    expect(page.get_by_text("The cost of employing PAs has been worked out")).to_be_visible()
    expect(pa_card).to_contain_text("£25,370.98 a year")
    expect(page.get_by_text("Not worked out yet.")).to_have_count(2)
    browser.screenshot("budget-compare")

    browser.click("Set up a budget", role="button")  # a link drawn as a button
    expect(heading(browser)).to_have_text("Set up a budget")
    page.get_by_label("PA costing for 2026/27: £25,370.98 a year", exact=True).check()
    fill_date(browser, "period_start", FY_2026_START)
    fill_date(browser, "period_end", FY_2026_END)
    field(browser, "agreed_amount").fill("25370.98")
    field(browser, "streams-0-kind").select_option(FundingStreamKind.NHS_CHC)
    field(browser, "streams-0-share_percent").fill("100")
    field(browser, "held-direct_payment").fill("25370.98")
    browser.tick("The start date has passed: this budget is backdated")
    browser.fill("Why the budget is backdated", "The PAs started work on 1 April 2026.")
    browser.screenshot("budget-set-up")
    browser.submit("Save as a draft")

    expect(heading(browser)).to_have_text("Budget 1 Apr 2026 to 31 Mar 2027")
    expect(page.get_by_text("The budget has been set up as a draft")).to_be_visible()
    expect(status_tag(browser)).to_have_text("Draft")
    expect(page.get_by_text("Above the indicative amount")).to_have_count(0)
    browser.screenshot("budget-draft")

    browser.submit("Propose for agreement")
    expect(page.get_by_text("The budget has been proposed for agreement")).to_be_visible()
    expect(status_tag(browser)).to_have_text("Proposed")

    browser.submit("Agree this budget")
    expect(page.get_by_text("The budget has been agreed")).to_be_visible()
    expect(status_tag(browser)).to_have_text("Agreed")
    expect(browser.summary_value("Agreed by")).to_contain_text(f"{lead.user.full_name} on ")
    browser.screenshot("budget-agreed")

    budget = Budget.objects.get()
    assert budget.status == BudgetStatus.AGREED
    assert budget.agreed_amount == budget.indicative_amount == D("25370.98")
    assert budget.agreed_by == lead.user
    assert [(p.method, p.amount) for p in budget.portions.all()] == [
        (HoldingMethod.DIRECT_PAYMENT, D("25370.98"))
    ]
    assert [(s.kind, s.share_percent) for s in budget.funding_streams.all()] == [
        (FundingStreamKind.NHS_CHC, D("100"))
    ]


def test_a_second_pa_is_added_and_their_age_decides_their_wage_and_pension(
    browser, lead, holder, national_rates, local_rates, password
):
    page = browser.page
    sign_in_staff(browser, lead, password)
    browser.click(f"{holder.family_name}, {holder.given_name}")
    browser.click("Budget calculations and all budgets")
    pa_card = page.locator(".nhsuk-card").filter(has=page.get_by_role("heading", name="PA costing"))
    follow(browser, pa_card.get_by_role("link", name=re.compile(r"^Work it out\b")))
    expect(page.get_by_role("group", name=re.compile("^Personal assistant"))).to_have_count(1)
    fill_date(browser, "effective_date", FY_2026_START)
    field(browser, "lines-0-label").fill("Day PA")
    field(browser, "lines-0-hours_per_week").fill("30")
    field(browser, "lines-0-hourly_rate").fill("13.50")
    browser.submit("Add another personal assistant")
    # What was typed stays; the new PA has a row of its own, and nothing is saved yet.
    expect(field(browser, "lines-0-label")).to_have_value("Day PA")
    expect(page.get_by_role("group", name=re.compile("^Personal assistant"))).to_have_count(2)
    assert not PaCosting.objects.exists()
    field(browser, "lines-1-label").fill("Weekend PA")
    field(browser, "lines-1-hours_per_week").fill("8")
    field(browser, "lines-1-hourly_rate").fill("11.00")
    # Born 1 January 2007: 19 on 1 April 2026, on the 18 to 20 minimum wage and too young to
    # be enrolled in a pension.
    fill_date(browser, "lines-1-date_of_birth", datetime.date(2007, 1, 1))
    browser.submit("Work out the cost")

    expect(heading(browser)).to_have_text("Budget calculations")
    expect(page.get_by_text("The cost of employing PAs has been worked out")).to_be_visible()
    day_pa, weekend_pa = PaCosting.objects.get().lines.order_by("order")
    assert (day_pa.age_source, day_pa.age_band) == ("assumed", "21_plus")
    assert (weekend_pa.age_on_effective_date, weekend_pa.age_band) == (19, "18_20")
    assert weekend_pa.pension_enrolled is False


# ---------------------------------------------------------------------------------------------
# 2. Above the cap needs a clinician
# ---------------------------------------------------------------------------------------------


def test_a_budget_above_its_cap_waits_for_a_clinicians_check_before_it_is_agreed(
    browser, another_browser, lead, signed_in_clinician, holder, local_rates, password
):
    # The worked CHC package costs £117,793.00 a year; the budget is £2,207.00 above it.
    package = chc_package(lead.user, holder)
    coordinator = staff(Role.CARE_COORDINATOR, holder.organisation)
    budget = proposed_budget(
        coordinator, holder, package, amount=D("120000.00"), justification=JUSTIFICATION
    )
    page = browser.page
    period = "1 Apr 2026 to 31 Mar 2027"

    sign_in_staff(browser, lead, password)
    open_budget_from_caseload(browser, holder, period)
    expect(status_tag(browser)).to_have_text("Proposed")
    warning = page.locator(".nhsuk-card--warning")
    expect(
        warning.get_by_role("heading", level=3, name="Important: Above the indicative amount")
    ).to_be_visible()
    expect(warning).to_contain_text("A clinician must check and support it")
    browser.screenshot("budget-above-cap")

    # It is not offered until a clinician supports it, and the page says why.
    expect(page.get_by_role("button", name="Agree this budget")).to_have_count(0)
    expect(page.get_by_role("main")).to_contain_text(
        "It cannot be agreed yet: a clinician must check and support this amount first."
    )
    assert reload(budget).status == BudgetStatus.PROPOSED

    clinician = another_browser()
    sign_in_staff(clinician, signed_in_clinician, password)
    waiting = clinician.page.locator(".nhsuk-card").filter(
        has=clinician.page.get_by_role("heading", name="Budgets waiting for you")
    )
    expect(waiting).to_contain_text(f"{holder.full_name}, {period}: waiting for a clinical check")
    clinician.screenshot("caseload-waiting-clinician")
    clinician.click(f"{holder.full_name}, {period}")
    expect(clinician.page.get_by_role("button", name="Agree this budget")).to_have_count(0)
    clinician.click("Record your clinical check", role="button")
    expect(heading(clinician)).to_have_text("Clinical check")
    expect(clinician.page.get_by_role("main")).to_contain_text(JUSTIFICATION)
    clinician.page.get_by_label("Yes, I support it", exact=True).check()
    clinician.fill("What you checked and why", "Seen at home: two carers are needed at night.")
    clinician.screenshot("budget-clinical-check")
    clinician.submit("Record the check")
    expect(clinician.page.get_by_text("Your clinical check has been recorded")).to_be_visible()
    expect(clinician.page.get_by_text("supported £120,000.00")).to_be_visible()

    # It no longer waits for the clinician.
    clinician.goto("/caseload/")
    expect(clinician.page.get_by_role("heading", name="Budgets waiting for you")).to_have_count(0)

    # The lead's page is now out of date: reload it, then agree.
    browser.goto(page.url.removeprefix(browser.base_url))
    expect(page.locator(".nhsuk-card--warning")).to_have_count(0)
    browser.submit("Agree this budget")
    expect(page.get_by_text("The budget has been agreed")).to_be_visible()
    expect(status_tag(browser)).to_have_text("Agreed")
    assert reload(budget).status == BudgetStatus.AGREED


# ---------------------------------------------------------------------------------------------
# 3. Finance sets the payment schedule and starts the budget
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def paid_budget(lead, holder, local_rates):
    """Agreed for 2026/27 at £12,000.00: £2,400.00 notional, £9,600.00 by direct payment."""
    return agreed_budget(
        lead.user,
        holder,
        chc_package(lead.user, holder),
        amount=D("12000.00"),
        portions=[
            (HoldingMethod.NOTIONAL, D("2400.00"), ""),
            (HoldingMethod.DIRECT_PAYMENT, D("9600.00"), ""),
        ],
    )


def test_finance_sets_a_schedule_from_a_past_date_recording_the_past_payments_then_starts_it(
    browser, finance, holder, paid_budget, password
):
    """The budget started on 1 April 2026, before today: the schedule is refused until each
    payment due before today is recorded as paid, with the date and reference."""
    page = browser.page
    period = "1 Apr 2026 to 31 Mar 2027"
    today = timezone.localdate()
    dates = calc.instalment_dates(FY_2026_START, FY_2026_END, "monthly")
    past = [(number, day) for number, day in enumerate(dates, start=1) if day < today]
    sign_in_staff(browser, finance, password)
    expect(page.get_by_role("main")).to_contain_text(
        f"{holder.full_name}, {period}: agreed: waiting for a payment schedule"
    )
    browser.click(f"{holder.full_name}, {period}")
    expect(heading(browser)).to_have_text(f"Budget {period}")
    expect(status_tag(browser)).to_have_text("Agreed")

    browser.click("Set up the payment schedule for the direct payment")
    expect(heading(browser)).to_have_text("Payment schedule")
    expect(page.get_by_role("main")).to_contain_text("£9,600.00")
    browser.choose("Every month")
    browser.fill_date("First payment date", FY_2026_START)
    browser.screenshot("budget-payment-schedule")
    browser.submit("Continue")

    # The payments before today are asked for, each with its due date.
    expect(heading(browser)).to_have_text("Payment schedule")
    expect(page.get_by_role("main")).to_contain_text("The first payment date is in the past")
    group = page.get_by_role("group", name="Date the payment due on 1 April 2026 was paid")
    expect(group.get_by_label("Day", exact=True)).to_have_value("1")
    browser.submit("Save the schedule")  # nothing confirmed, no references
    browser.expect_problem(
        "Confirm that the first payment date is in the past, or go back and choose a date "
        "from today",
        page.get_by_role(
            "checkbox", name="I confirm the first payment date, 1 April 2026, is in the past"
        ),
    )
    assert not PaymentSchedule.objects.exists()

    browser.tick("I confirm the first payment date, 1 April 2026, is in the past")
    browser.fill("Why the first payment date is in the past", "The budget was agreed late.")
    for number, day in past:
        browser.fill(f"Payment reference for the payment due on {day:%-d %B %Y}", f"BACS-{number}")
    browser.screenshot("budget-payment-schedule-past")
    browser.submit("Save the schedule")

    browser.expect_success("The payment schedule has been set")
    expect(page.get_by_role("heading", name="Payment dates: direct payment")).to_be_visible()
    rows = page.get_by_role("table", name="Payment dates and amounts").locator("tbody tr")
    expect(rows).to_have_count(12)
    expect(rows.first).to_contain_text("1 April 2026")
    expect(rows.first).to_contain_text("£800.00")
    expect(rows.first).to_contain_text("Paid on 1 April 2026, reference BACS-1")
    expect(rows.last).to_contain_text("1 March 2027")
    expect(rows.last).to_contain_text("Not paid yet")
    browser.screenshot("budget-scheduled")

    browser.submit("Start this budget")
    expect(page.get_by_text("The budget is now active")).to_be_visible()
    expect(status_tag(browser)).to_have_text("Active")
    assert reload(paid_budget).status == BudgetStatus.ACTIVE
    made = PaymentSchedule.objects.get()
    assert made.backdated_reason == "The budget was agreed late."
    assert [(i.paid_on, i.payment_reference) for i in made.instalments.exclude(paid_on=None)] == [
        (day, f"BACS-{number}") for number, day in past
    ]


# ---------------------------------------------------------------------------------------------
# 4. The budget holder sees "Your budget"
# ---------------------------------------------------------------------------------------------


def test_the_budget_holder_and_their_representative_read_the_budget_as_it_now_stands(
    browser, another_browser, lead, finance, holder, representative, local_rates, password
):
    # 2027/28: £12,000.00, £2,400.00 kept by the team and £9,600.00 paid monthly from
    # 1 April 2027 (£800.00 a month), then reduced to £9,000.00 from 1 October 2027: the team's
    # part becomes £1,800.00 and the direct payment £7,200.00, so after six payments of £800.00
    # (£4,800.00) the last six are £400.00 each.
    budget = agreed_budget(
        lead.user,
        holder,
        chc_package(lead.user, holder, effective_date=FY_2027_START),
        amount=D("12000.00"),
        portions=[
            (HoldingMethod.NOTIONAL, D("2400.00"), ""),
            (HoldingMethod.DIRECT_PAYMENT, D("9600.00"), ""),
        ],
        start=FY_2027_START,
        end=FY_2027_END,
    )
    schedule(finance.user, budget.portions.get(method=HoldingMethod.DIRECT_PAYMENT))
    services.activate_budget(actor=finance.user, budget=reload(budget))
    change_amount(
        lead.user,
        reload(budget),
        new_amount=D("9000.00"),
        effective_from=datetime.date(2027, 10, 1),
        reason="Fewer visits are needed after the review.",
    )
    page = browser.page

    browser.sign_in(holder.user.email, password)
    expect(heading(browser)).to_have_text("Your personal health budget")
    main = page.get_by_role("main")
    expect(main.get_by_role("heading", name="Your budget", exact=True)).to_be_visible()
    # The reduction is issued but starts on 1 October 2027: nothing is different before then.
    expect(main).to_contain_text(
        "Your budget for 1 April 2027 to 31 March 2028 goes down from £12,000.00 to £9,000.00 "
        "from 1 October 2027. Nothing changes before then."
    )
    expect(main.locator(".nhsuk-inset-text")).to_contain_text(
        "From 1 October 2027 the budget goes down from £12,000.00 to £9,000.00, because: "
        "Fewer visits are needed after the review."
    )
    # The rows agree: the amount now, and the amount from the day of the change.
    expect(browser.summary_value("Amount")).to_have_text("£12,000.00")
    expect(browser.summary_value("Amount from 1 October 2027")).to_have_text("£9,000.00")
    kept = browser.summary_value("How the money is kept")
    expect(kept).to_contain_text(
        "Kept by the personal health budget team, who arrange your care: £2,400.00, then "
        "£1,800.00 from 1 October 2027"
    )
    expect(kept).to_contain_text(
        "(a direct payment): £9,600.00, then £7,200.00 from 1 October 2027"
    )
    expect(main).to_contain_text("The next payment is £800.00 on 1 April 2027.")
    payments = main.get_by_role(
        "table", name="Payments into the bank account (direct payment): dates and amounts"
    ).locator("tbody tr")
    expect(payments).to_have_count(12)
    for row, words in (
        (0, ("1 April 2027", "£800.00", "Next payment")),
        (6, ("1 October 2027", "£400.00", "Still to come")),
    ):
        for cell, text in zip(payments.nth(row).get_by_role("cell").all(), words, strict=True):
            expect(cell).to_contain_text(text)

    expect(main.get_by_role("heading", name="How the budget was worked out")).to_be_visible()
    for service in ("Agency day care", "Sleeping nights", "District nursing", "Equipment hire"):
        expect(main.get_by_role("rowheader", name=re.compile(service))).to_be_visible()
    expect(main).to_contain_text("£117,793.00")
    expect(main).to_contain_text("So from 1 October 2027 the budget will be £9,000.00.")
    for staff_words in ("ICB", "nominee", "Why they can have", "indicative", "Notional"):
        expect(main).not_to_contain_text(staff_words)
    browser.screenshot("your-budget")

    tab = another_browser()
    tab.sign_in(representative.email, password)
    expect(heading(tab)).to_have_text(f"{holder.given_name}'s personal health budget")
    main = tab.page.get_by_role("main")
    expect(main).to_contain_text(
        f"{holder.given_name}'s budget for 1 April 2027 to 31 March 2028 goes down from "
        "£12,000.00 to £9,000.00 from 1 October 2027."
    )
    expect(tab.summary_value("How the money is kept")).to_contain_text(
        "who arrange their care: £2,400.00, then £1,800.00 from 1 October 2027"
    )
    for yours in ("your care", "your plan", "your needs", "Your budget"):
        expect(main).not_to_contain_text(yours)


# ---------------------------------------------------------------------------------------------
# 5. A reduction is previewed, then issued: the letter goes to the representative
# ---------------------------------------------------------------------------------------------


def test_a_reduction_is_previewed_then_issued_with_a_letter_to_the_representative(
    browser, another_browser, lead, finance, holder, local_rates, password
):
    # 2027/28, so the 28 days' notice fits whatever today is in 2026/27.
    representative = RepresentativeFactory(budget_holder=holder, relationship="Daughter")
    package = chc_package(lead.user, holder, effective_date=FY_2027_START)
    budget = agreed_budget(
        lead.user,
        holder,
        package,
        amount=D("12000.00"),
        start=FY_2027_START,
        end=FY_2027_END,
        portions=[
            (HoldingMethod.NOTIONAL, D("2400.00"), ""),
            (HoldingMethod.DIRECT_PAYMENT, D("9600.00"), ""),
        ],
    )
    schedule(finance.user, budget.portions.get(method=HoldingMethod.DIRECT_PAYMENT))
    services.activate_budget(actor=finance.user, budget=reload(budget))
    page = browser.page
    notice = (datetime.date(2027, 10, 1) - timezone.localdate()).days
    rep_name = representative.user.full_name

    sign_in_staff(browser, lead, password)
    open_budget_from_caseload(browser, holder, "1 Apr 2027 to 31 Mar 2028")
    expect(status_tag(browser)).to_have_text("Active")
    browser.click("Increase or reduce this budget")
    expect(heading(browser)).to_have_text("Change the amount")
    browser.fill("New budget amount for the period", "10000.00")
    browser.fill_date("Date the change starts", datetime.date(2027, 10, 1))
    browser.fill("Why the budget is changing", REASON)
    browser.screenshot("budget-change-amount")
    browser.submit("Preview the letter")

    # The exact letter, to the representative, before anything changes.
    expect(heading(browser)).to_have_text("Check the letter before you issue it")
    main = page.get_by_role("main")
    expect(main).to_contain_text("Nothing has changed yet.")
    expect(
        page.get_by_role(
            "heading", name=f"Letter to {rep_name}, {holder.full_name}'s representative"
        )
    ).to_be_visible()
    expect(main).to_contain_text(f"Dear {rep_name},")
    expect(main).to_contain_text(f"because you are {holder.full_name}'s representative")
    expect(main).to_contain_text(f"{notice} days' notice")
    changes = page.get_by_role("table", name="Direct payment payments that change")
    expect(changes.locator("tbody tr")).to_have_count(6)
    expect(changes.locator("tbody tr").first).to_contain_text("1 October 2027")
    expect(changes.locator("tbody tr").first).to_contain_text("£800.00")
    expect(changes.locator("tbody tr").first).to_contain_text("£533.34")
    browser.screenshot("budget-change-preview")
    assert reload(budget).agreed_amount == D("12000.00")
    assert not BudgetLetter.objects.exists()

    browser.submit("Issue the letter and make the change")
    letter = BudgetLetter.objects.get()
    expect(heading(browser)).to_have_text(letter.subject)
    browser.expect_success("The budget has been reduced to £10,000.00")
    expect(main).to_contain_text("going down from £12,000.00 to £10,000.00")
    expect(main).to_contain_text("The change starts on 1 October 2027")
    expect(main).to_contain_text(REASON)
    expect(page.get_by_role("heading", name="If you do not agree")).to_be_visible()
    browser.screenshot("budget-reduction-letter")
    assert letter.addressed_to == rep_name
    assert reload(budget).status == BudgetStatus.ACTIVE

    # The representative reads it.
    rep = another_browser()
    rep.sign_in(representative.user.email, password)
    rep.goto(f"/budgets/letters/{letter.pk}/")
    expect(rep.page.get_by_role("main")).to_contain_text(f"Dear {rep_name},")


# ---------------------------------------------------------------------------------------------
# 6. An ICB administrator keeps the rates and the RAS questionnaire
# ---------------------------------------------------------------------------------------------


def test_an_icb_administrator_adds_local_rates_and_puts_a_ras_questionnaire_in_use(
    browser, admin, icb, national_rates, password
):
    page = browser.page
    sign_in_staff(browser, admin, password)

    click_in_header(browser, "Rates")
    expect(heading(browser)).to_have_text("Rates")
    expect(page.get_by_text("No local rates yet.")).to_be_visible()
    expect(page.get_by_role("table", name="National figures by date")).to_contain_text("£12.71")

    browser.click("Add local rates")
    expect(heading(browser)).to_have_text("Local rates")
    fill_date(browser, "effective_from", FY_2026_START)
    for name, value in {
        "pa_hourly": "13.50",
        "agency_day_hourly": "28.50",
        "agency_night_hourly": "120.00",
        "agency_waking_night_hourly": "30.00",
        "nursing_hourly": "55.00",
        "employer_liability_insurance_annual": "150.00",
        "payroll_fee_annual": "240.00",
        "contingency_rate": "5",  # a percentage
    }.items():
        field(browser, name).fill(value)
    browser.screenshot("rates-local-form")
    browser.submit("Save rates")

    expect(heading(browser)).to_have_text("Rates")
    expect(page.get_by_text("The rates have been saved")).to_be_visible()
    local = page.get_by_role("table", name="Local rates by date")
    expect(local.locator("tbody tr")).to_have_count(1)
    expect(local).to_contain_text("1 April 2026")
    expect(local).to_contain_text("£13.50")
    rates = LocalRateSet.objects.get()
    assert (rates.organisation, rates.pa_hourly, rates.contingency_rate) == (
        icb,
        D("13.50"),
        D("0.05"),
    )
    browser.screenshot("rates")

    click_in_header(browser, "RAS questionnaires")
    expect(heading(browser)).to_have_text("Resource allocation questionnaires")
    browser.fill("Financial year it starts", "2026")
    browser.fill("Price per point", "148.37")
    browser.submit("Start a draft")

    expect(heading(browser)).to_have_text("Questionnaire 2026/27, version 1")
    expect(page.get_by_text("No domains yet.")).to_be_visible()
    browser.fill("Domain", "Personal care")
    browser.fill("Question", "How much help do you need with washing and dressing?")

    def answer(number: int):
        return page.get_by_role("group", name=f"Answer {number}", exact=True)

    browser.fill("Answer", "Independent", within=answer(1))
    browser.fill("Points", "0", within=answer(1))
    browser.fill("Answer", "Needs some help", within=answer(2))
    browser.fill("Points", "4", within=answer(2))
    browser.submit("Add another answer")
    browser.fill("Answer", "Needs help with everything", within=answer(3))
    browser.fill("Points", "12", within=answer(3))
    browser.submit("Add domain")
    expect(page.get_by_text("Personal care has been added")).to_be_visible()
    expect(
        page.get_by_role(
            "heading", name="Personal care: How much help do you need with washing and dressing?"
        )
    ).to_be_visible()
    expect(page.get_by_text("Needs help with everything: 12 points")).to_be_visible()
    browser.screenshot("ras-draft")

    browser.submit("Put this version in use")
    expect(page.get_by_text("This version is now in use")).to_be_visible()
    expect(page.locator(".nhsuk-caption-l")).to_have_text("In use")
    expect(page.get_by_role("button", name="Make a new version from this one")).to_be_visible()
    version = RasQuestionnaire.objects.get()
    assert version.status == "published"
    assert [o.points for o in version.domains.get().options.order_by("points")] == [0, 4, 12]


# ---------------------------------------------------------------------------------------------
# 7. Bad input
# ---------------------------------------------------------------------------------------------


def test_a_pa_rate_below_the_minimum_wage_is_explained_and_nothing_is_saved(
    browser, lead, holder, national_rates, local_rates, password
):
    page = browser.page
    sign_in_staff(browser, lead, password)
    browser.goto(f"/budgets/people/{holder.pk}/pa-costing/")
    expect(heading(browser)).to_have_text("Cost employing personal assistants")
    fill_date(browser, "effective_date", FY_2026_START)
    field(browser, "lines-0-label").fill("PA 1")
    field(browser, "lines-0-hours_per_week").fill("30")
    field(browser, "lines-0-hourly_rate").fill("12.00")
    browser.submit("Work out the cost")

    expect(page).to_have_title(re.compile("^Error: "))
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text(
        "PA 1's rate of £12.00 an hour is below the National Living Wage of £12.71 "
        "for someone aged 21 or over"
    )
    expect(field(browser, "lines-0-hourly_rate")).to_have_value("12.00")
    # The refusal is about PA 1's hourly rate: beside that box, and the summary goes to it.
    expect(page.locator("#id_lines-0-hourly_rate-error")).to_contain_text(
        "PA 1's rate of £12.00 an hour is below the National Living Wage of £12.71"
    )
    expect(field(browser, "lines-0-hourly_rate")).to_have_class(re.compile("nhsuk-input--error"))
    summary.get_by_role("link", name=re.compile("PA 1's rate of £12.00 an hour")).click()
    expect(field(browser, "lines-0-hourly_rate")).to_be_focused()
    browser.screenshot("budget-pa-below-minimum-wage")
    assert not PaCosting.objects.exists()
