"""A budget's whole life in one journey, in a real browser, with axe on every page (issue 7):
a PHB lead scores Ada through the RAS questionnaire, sets up a budget from it and proposes it; a
clinician checks it and another PHB lead agrees it; her care and support plan is submitted and
approved; finance sets the payment schedule, starts the budget and records a payment run; the
lead reduces it (the letter previewed, then issued) and increases it once a clinician has
checked the increase; and when its period is over it is ended.

The budget runs from 1 December 2026 to 31 March 2027, after today (23 November 2026, the real
date: nothing is backdated), so that the reduction's 28 days' notice fits and the period can be
over by the end: the last step moves `timezone.localdate` on to 1 April 2027, in the browser's
server as in the test.
"""

import datetime
from decimal import Decimal as D

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from budgets.models import Budget, BudgetLetter, BudgetStatus, NationalRateSet, PaymentRun
from careplans.models import ApprovalPolicy, PlanStatus, PlanVersion
from phb.models import Role
from tests.browser.conftest import Browser, Staff
from tests.budgets.factories import (
    FY_2026_START,
    NATIONAL_2026_27,
    RAS_DOMAINS,
    WORKED_CHOICES,
    LocalRateSetFactory,
    questionnaire,
)
from tests.careplans.test_plan_services import complete_draft
from tests.factories import BudgetHolderFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True),
]


DECEMBER = datetime.date(2026, 12, 1)
JANUARY = datetime.date(2027, 1, 1)
FEBRUARY = datetime.date(2027, 2, 1)
MARCH = datetime.date(2027, 3, 1)
MARCH_END = datetime.date(2027, 3, 31)
APRIL = datetime.date(2027, 4, 1)
PERIOD = "1 Dec 2026 to 31 Mar 2027"
JUSTIFICATION = "A PA each morning to help Ada wash, dress and eat breakfast."
REDUCTION = "Your needs in the mornings have gone down since your review."
INCREASE = "A carer is needed for two more hours each evening because of falls."


@pytest.fixture
def tab(chromium, live_server):
    """Opens more tabs, each in its own browser context (several people signed in at once)."""
    opened = []

    def open_tab() -> Browser:
        context = chromium.new_context(viewport={"width": 1280, "height": 900})
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


def main(browser: Browser):
    return browser.page.get_by_role("main")


def status(browser: Browser):
    return browser.page.locator("main .nhsuk-tag").first


def card(browser: Browser, title: str):
    page = browser.page
    return page.locator(".nhsuk-card").filter(has=page.get_by_role("heading", name=title))


def test_a_budget_from_its_ras_assessment_to_its_end(browser, tab, icb, password, monkeypatch):
    NationalRateSet.objects.get_or_create(effective_from=FY_2026_START, defaults=NATIONAL_2026_27)
    LocalRateSetFactory(organisation=icb)
    ApprovalPolicy.objects.create(organisation=icb, lead_sign_off_limit=D("15000.00"))
    lead = Staff(Role.PHB_LEAD, icb)
    other_lead = Staff(Role.PHB_LEAD, icb)
    clinician = Staff(Role.CLINICIAN, icb)
    coordinator = Staff(Role.CARE_COORDINATOR, icb)
    finance = Staff(Role.FINANCE_OFFICER, icb)
    admin = Staff(Role.ICB_ADMIN, icb)
    questionnaire(admin.user)  # 2026/27 at £148.37 a point, in use
    ada = BudgetHolderFactory(organisation=icb, given_name="Ada", family_name="Lovelace")
    page = browser.page
    budget_link = f"Ada Lovelace, {PERIOD}"

    # 1. The RAS assessment: 12 + 8 + 6 + 10 + 4 + 0 + 9 + 7 = 56 points x £148.37 = £8,308.72.
    browser.sign_in_with_code(lead.user, lead.secret, password)
    browser.click("Lovelace, Ada")
    browser.click("Budget calculations and all budgets")
    browser.click("Work it out for Resource allocation (RAS)")
    expect(browser.heading).to_have_text("Resource allocation")
    browser.fill_date("Date the calculation applies from", DECEMBER)
    for (name, question, points), choice in zip(RAS_DOMAINS, WORKED_CHOICES, strict=True):
        browser.choose(
            f"{name}: level {choice} ({points[choice]} points)",
            within=page.get_by_role("group", name=f"{name}: {question}", exact=True),
        )
    browser.submit("Work out the amount")
    expect(browser.heading).to_have_text("Budget calculations")
    browser.expect_success("The resource allocation has been worked out")
    expect(card(browser, "Resource allocation (RAS)")).to_contain_text("£8,308.72 a year")

    # 2. Set up from it: for the 121 days of the period, £8,308.72 x 121 / 365 = £2,754.39...
    # = £2,754.40, the indicative amount. £2,880.00 is proposed, all by direct payment: more
    # than the indicative amount, so a clinician must check it.
    browser.click("Set up a budget", role="button")
    expect(browser.heading).to_have_text("Set up a budget")
    browser.choose("Resource allocation for 2026/27: £8,308.72 a year")
    browser.fill_date("Start date", DECEMBER)
    browser.fill_date("End date", MARCH_END)
    browser.fill("Budget amount for the period", "2880.00")
    browser.fill("Clinical justification", JUSTIFICATION)
    browser.fill("Direct payment amount", "2880.00")
    browser.submit("Save as a draft")
    expect(browser.heading).to_have_text(f"Budget {PERIOD}")
    browser.expect_success("The budget has been set up as a draft")
    expect(status(browser)).to_have_text("Draft")
    expect(main(browser)).to_contain_text("the yearly £8,308.72 becomes £2,754.40.")
    expect(main(browser)).to_contain_text("The amount proposed is £2,880.00, which is £125.60 more")

    # 3. Proposed; a clinician checks it; not for the lead who prepared it to agree.
    browser.submit("Propose for agreement")
    expect(status(browser)).to_have_text("Proposed")
    expect(main(browser)).to_contain_text("No clinician has checked this amount yet.")
    budget_path = page.url.removeprefix(browser.base_url)

    doctor = tab()
    doctor.sign_in_with_code(clinician.user, clinician.secret, password)
    doctor.click(budget_link)
    doctor.click("Record your clinical check", role="button")
    doctor.choose("Yes, I support it")
    doctor.fill("What you checked and why", "Seen at home: mornings are when she needs help.")
    doctor.submit("Record the check")
    doctor.expect_success("Your clinical check has been recorded")
    expect(main(doctor)).to_contain_text("A clinician checked and supported this")

    browser.goto(budget_path)
    expect(main(browser)).to_contain_text(
        "You prepared or proposed this budget, so another PHB lead must agree it."
    )
    expect(page.get_by_role("button", name="Agree this budget")).to_have_count(0)

    # 4. Another PHB lead agrees it.
    reviewer = tab()
    reviewer.sign_in_with_code(other_lead.user, other_lead.secret, password)
    reviewer.click(budget_link)
    reviewer.submit("Agree this budget")
    reviewer.expect_success("The budget has been agreed")
    expect(status(reviewer)).to_have_text("Agreed")
    expect(main(reviewer)).to_contain_text("The amount agreed is £2,880.00, which is £125.60 more")
    budget = Budget.objects.get(budget_holder=ada)
    assert (budget.status, budget.agreed_by) == (BudgetStatus.AGREED, other_lead.user)

    # 5. Her care and support plan (ADR 0024: the budget cannot start without it). Its sections
    # are written by the factory the plan journey uses (tests/browser/test_plan_journeys.py
    # fills the plan's own forms); here the coordinator submits it and the lead approves it
    # on the real pages. A PA 14 hours a week at £3.00 = £42.00 a week, £2,184.00 a year.
    version = complete_draft(coordinator.user, ada, budget, pa_cost=D("3.00"))
    writer = tab()
    writer.sign_in_with_code(coordinator.user, coordinator.secret, password)
    writer.goto(f"/plans/version/{version.pk}/")
    expect(main(writer)).to_contain_text("The plan costs £2,184.00 a year.")
    writer.submit("Submit for a decision")
    writer.expect_success("The plan has been submitted for a decision")

    browser.goto(f"/plans/version/{version.pk}/")
    browser.click("Decide this plan", role="button")
    browser.choose("Approve the plan as it is")
    browser.submit("Record the decision")
    browser.expect_success("The plan has been approved")
    assert PlanVersion.objects.get(pk=version.pk).status == PlanStatus.ACTIVE

    # 6. Finance sets the schedule (4 monthly payments of £2,880.00 / 4 = £720.00) and starts it.
    payer = tab()
    payer.sign_in_with_code(finance.user, finance.secret, password)
    payer.goto(budget_path)
    payer.click("Set up the payment schedule for the direct payment")
    expect(payer.heading).to_have_text("Payment schedule")
    payer.choose("Every month")
    payer.fill_date("First payment date", DECEMBER)
    payer.submit("Continue")
    payer.expect_success("The payment schedule has been set")
    rows = payer.page.get_by_role("table", name="Payment dates and amounts").locator("tbody tr")
    expect(rows).to_have_count(4)
    for row, day in zip(rows.all(), (DECEMBER, JANUARY, FEBRUARY, MARCH), strict=True):
        expect(row).to_contain_text(f"{day:%-d %B %Y}")
        expect(row).to_contain_text("£720.00")
    payer.submit("Start this budget")
    expect(payer.page.get_by_text("The budget is now active")).to_be_visible()
    expect(status(payer)).to_have_text("Active")

    # 7. A payment run: December's and January's, 2 x £720.00 = £1,440.00.
    payer.click_in_header("Payments due")
    payer.fill_date("Show payments due up to", JANUARY)
    payer.submit("Show payments")
    expect(main(payer)).to_contain_text("2 payments, £1,440.00 in total.")
    payer.tick("Select all payments on this page")
    payer.fill_date("Date they were paid", timezone.localdate())
    payer.fill("Payment reference", "RUN-2027-01")
    payer.submit("Record these payments as paid")
    expect(payer.heading).to_have_text("Payment run RUN-2027-01")
    payer.expect_success("2 payments of £1,440.00 in total have been recorded as paid")
    run = PaymentRun.objects.get()
    assert (run.count, run.total) == (2, D("1440.00"))

    # 8. Reduced to £2,400.00 from 1 February 2027: £1,440.00 is paid, so the last two
    # payments share £960.00: £480.00 each, not £720.00.
    browser.goto(budget_path)
    expect(status(browser)).to_have_text("Active")
    browser.click("Increase or reduce this budget")
    expect(browser.heading).to_have_text("Change the amount")
    browser.fill("New budget amount for the period", "2400.00")
    browser.fill_date("Date the change starts", FEBRUARY)
    browser.fill("Why the budget is changing", REDUCTION)
    browser.submit("Preview the letter")
    expect(browser.heading).to_have_text("Check the letter before you issue it")
    expect(main(browser)).to_contain_text("Nothing has changed yet.")
    expect(main(browser)).to_contain_text("going down from £2,880.00 to £2,400.00")
    changes = page.get_by_role("table", name="Direct payment payments that change")
    expect(changes.locator("tbody tr")).to_have_count(2)
    expect(changes.locator("tbody tr").first).to_contain_text("1 February 2027")
    expect(changes.locator("tbody tr").first).to_contain_text("£720.00")
    expect(changes.locator("tbody tr").first).to_contain_text("£480.00")
    assert not BudgetLetter.objects.exists()
    browser.submit("Issue the letter and make the change")
    browser.expect_success("The budget has been reduced to £2,400.00")
    expect(main(browser)).to_contain_text("The change starts on 1 February 2027")
    assert Budget.objects.get(pk=budget.pk).agreed_amount == D("2400.00")

    # 9. Increased to £3,000.00 from 1 March 2027, above the indicative £2,754.40, so a
    # clinician checks it first. £1,440.00 paid and February's £480.00 leave £1,080.00 for March.
    browser.goto(budget_path)
    browser.click("Ask for a clinical check of an increase above the indicative amount")
    expect(browser.heading).to_have_text("Ask for a clinical check of an increase")
    browser.fill("New budget amount for the period", "3000.00")
    browser.fill("Clinical justification", INCREASE)
    browser.submit("Ask for a clinical check")
    browser.expect_success("A clinician has been asked to check the increase to £3,000.00")

    doctor.goto("/caseload/")
    expect(main(doctor)).to_contain_text(
        f"{budget_link}: increase to £3,000.00 proposed, needs your clinical check"
    )
    doctor.click(budget_link)
    doctor.click("Check the proposed increase", role="button")
    expect(doctor.heading).to_have_text("Clinical check of an increase")
    doctor.choose("Yes, I support it")
    doctor.fill("What you checked and why", "Seen at home: the evening falls are real.")
    doctor.submit("Record the check")
    doctor.expect_success("Your clinical check of the increase has been recorded")

    browser.goto(budget_path)
    browser.click("Increase or reduce this budget")
    expect(main(browser)).to_contain_text("A clinician supported an increase to £3,000.00.")
    browser.fill("New budget amount for the period", "3000.00")
    browser.fill_date("Date the change starts", MARCH)
    browser.fill("Why the budget is changing", "Your review found you need more help at night.")
    browser.submit("Preview the letter")
    expect(main(browser)).to_contain_text("going up from £2,400.00 to £3,000.00")
    changes = page.get_by_role("table", name="Direct payment payments that change")
    expect(changes.locator("tbody tr")).to_have_count(1)
    expect(changes.locator("tbody tr").first).to_contain_text("1 March 2027")
    expect(changes.locator("tbody tr").first).to_contain_text("£480.00")
    expect(changes.locator("tbody tr").first).to_contain_text("£1,080.00")
    browser.submit("Issue the letter and make the change")
    expect(browser.heading).to_have_text("Your personal health budget is going up")
    assert Budget.objects.get(pk=budget.pk).agreed_amount == D("3000.00")

    # 10. April comes: the period is over, and the budget ends.
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: APRIL)
    reviewer.goto(budget_path)
    expect(status(reviewer)).to_have_text("Active")
    expect(main(reviewer)).to_contain_text(
        "Its period ended on 31 March 2027, so it is waiting to be ended."
    )
    expect(reviewer.summary_value("Amount")).to_have_text("£3,000.00")
    # What was paid and what is left, as the two changes made it: £720.00 + £720.00 + £480.00
    # + £1,080.00 = £3,000.00.
    rows = reviewer.page.get_by_role("table", name="Payment dates and amounts").locator("tbody tr")
    for row, (day, amount) in zip(
        rows.all(),
        ((DECEMBER, "£720.00"), (JANUARY, "£720.00"), (FEBRUARY, "£480.00"), (MARCH, "£1,080.00")),
        strict=True,
    ):
        expect(row).to_contain_text(f"{day:%-d %B %Y}")
        expect(row).to_contain_text(amount)
    expect(rows.first).to_contain_text("reference RUN-2027-01")
    reviewer.submit("End this budget")
    reviewer.expect_success("The budget has ended")
    expect(status(reviewer)).to_have_text("Ended")
    expect(main(reviewer)).to_contain_text("It has ended.")
    assert Budget.objects.get(pk=budget.pk).status == BudgetStatus.ENDED
