"""Payments and increases in a real browser, with axe on every page: finance records a payment
run in bulk and a single payment; a PHB lead increases a budget above its indicative amount
once a clinician has checked the increase.

Browser tests are transactional: the flush after each one empties every table, so each test
makes what it needs.
"""

import datetime
import re
from decimal import Decimal as D

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from budgets import services
from budgets.models import BudgetLetter, HoldingMethod, PaymentInstalment, PaymentRun
from phb.models import Role
from tests.browser.conftest import Browser, Staff
from tests.budgets.factories import (
    FY_2027_END,
    FY_2027_START,
    LocalRateSetFactory,
    agreed_budget,
    chc_package,
    reload,
    schedule,
)
from tests.factories import BudgetHolderFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True),
]

TODAY = timezone.localdate()
JUSTIFICATION = "A carer is needed for two more hours each evening because of falls."


@pytest.fixture
def lead(icb):
    LocalRateSetFactory(organisation=icb)
    return Staff(Role.PHB_LEAD, icb)


@pytest.fixture
def finance(icb):
    return Staff(Role.FINANCE_OFFICER, icb)


def active_2027(lead, finance, holder, amount, *, lines=None):
    """2027/28, all by direct payment in 12 monthly payments from 1 April 2027, started."""
    package = chc_package(lead, holder, effective_date=FY_2027_START, lines=lines)
    budget = agreed_budget(
        lead,
        holder,
        package,
        amount=amount,
        start=FY_2027_START,
        end=FY_2027_END,
        portions=[(HoldingMethod.DIRECT_PAYMENT, amount, "")],
    )
    schedule(finance, budget.portions.get())
    return services.activate_budget(actor=finance, budget=reload(budget))


@pytest.fixture
def another_browser(chromium, live_server):
    """Opens a second person's browser, signed in separately."""
    opened = []

    def open_tab() -> Browser:
        context = chromium.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(10_000)
        tab = Browser(context.new_page(), live_server.url)
        opened.append((context, tab))
        return tab

    yield open_tab
    unchecked = []
    for context, tab in opened:
        context.close()
        unchecked += tab.unchecked + ([tab._pending] if tab._pending else [])
    assert not unchecked, f"pages loaded without an axe check: {unchecked}"


def day_box(browser: Browser, legend: str):
    return browser.page.get_by_role("group", name=legend, exact=True).get_by_label("Day")


def test_finance_records_a_payment_run_in_bulk(browser, lead, finance, icb, password):
    ada = BudgetHolderFactory(organisation=icb, given_name="Ada", family_name="Lovelace")
    alan = BudgetHolderFactory(organisation=icb, given_name="Alan", family_name="Turing")
    active_2027(lead.user, finance.user, ada, D("9600.00"))  # £800.00 a month
    active_2027(lead.user, finance.user, alan, D("6000.00"))  # £500.00 a month
    page = browser.page
    browser.sign_in_with_code(finance.user, finance.secret, password)
    browser.click_in_header("Payments due")
    expect(browser.heading).to_have_text("Payments due")

    due_by = page.get_by_role("group", name="Show payments due up to", exact=True)
    for part, value in (("Day", "30"), ("Month", "2"), ("Year", "2027")):  # no 30 February
        due_by.get_by_label(part, exact=True).fill(value)
    browser.submit("Show payments")
    browser.expect_problem(
        "The date to show payments up to must be a real date",
        day_box(browser, "Show payments due up to"),
    )

    browser.fill_date("Show payments due up to", datetime.date(2027, 6, 1))
    browser.submit("Show payments")
    main = page.get_by_role("main")
    # April, May and June of each: 3 x £800.00 + 3 x £500.00 = £3,900.00
    expect(main).to_contain_text("6 payments, £3,900.00 in total.")
    expect(main).not_to_contain_text("due 1 July 2027")

    browser.fill("Payment reference", "RUN-2027-06")
    browser.submit("Record these payments as paid")  # nothing ticked
    browser.expect_problem(
        "Select the payments that were made",
        page.get_by_role("checkbox", name="Select all payments on this page"),
    )
    assert not PaymentRun.objects.exists()

    browser.tick("Select all payments on this page")
    boxes = page.get_by_role("group", name="Payments that were made").get_by_role("checkbox")
    expect(boxes).to_have_count(7)
    for index in range(7):
        expect(boxes.nth(index)).to_be_checked()
    browser.fill_date("Date they were paid", TODAY)
    browser.fill("Payment reference", "RUN-2027-06")
    browser.screenshot("payments-due")
    browser.submit("Record these payments as paid")

    expect(browser.heading).to_have_text("Payment run RUN-2027-06")
    browser.expect_success("6 payments of £3,900.00 in total have been recorded as paid")
    table = page.get_by_role("table", name="Payments in this run")
    expect(table.locator("tbody tr")).to_have_count(7)  # six payments and the total
    expect(table).to_contain_text("Total of 6 payments")
    expect(table).to_contain_text("£3,900.00")
    expect(browser.summary_value("Payments")).to_have_text("6")
    browser.screenshot("payment-run")
    run = PaymentRun.objects.get()
    assert (run.count, run.total, run.reference) == (6, D("3900.00"), "RUN-2027-06")
    assert PaymentInstalment.objects.filter(payment_run=run).count() == 6

    browser.click_in_header("Payments due")
    expect(page.get_by_role("main")).to_contain_text("No payments are due up to")
    expect(page.get_by_role("table", name="Recent payment runs")).to_contain_text("RUN-2027-06")


def test_finance_records_one_payment_from_the_budget_page(browser, lead, finance, icb, password):
    ada = BudgetHolderFactory(organisation=icb, given_name="Ada", family_name="Lovelace")
    budget = active_2027(lead.user, finance.user, ada, D("9600.00"))
    page = browser.page
    browser.sign_in_with_code(finance.user, finance.secret, password)
    browser.click("Lovelace, Ada")
    browser.click("Budget calculations and all budgets")
    browser.click("1 Apr 2027 to 31 Mar 2028")
    browser.click("Record as paid (payment 1, due on 1 April 2027)")
    expect(browser.heading).to_have_text("Record a payment")
    expect(page.get_by_role("main")).to_contain_text(
        "Payment 1 of the direct payment: £800.00, due on 1 April 2027"
    )
    browser.submit("Record as paid")  # no reference
    browser.expect_problem(
        "Enter the payment reference", page.get_by_label("Payment reference", exact=True)
    )
    browser.fill("Payment reference", "BACS-0401")
    browser.submit("Record as paid")
    browser.expect_success("Payment 1 of £800.00, due on 1 April 2027, has been recorded as paid")
    rows = page.get_by_role("table", name="Payment dates and amounts").locator("tbody tr")
    expect(rows.first).to_contain_text(f"Paid on {TODAY:%-d %B %Y}, reference BACS-0401")
    expect(rows.nth(1)).to_contain_text("Record as paid")
    first = reload(budget).portions.get().schedule.instalments.get(number=1)
    assert (first.paid_on, first.payment_reference) == (TODAY, "BACS-0401")


def test_an_increase_above_the_indicative_amount_is_checked_by_a_clinician_then_made(
    browser, another_browser, lead, finance, icb, holder, password
):
    clinician = Staff(Role.CLINICIAN, icb)
    # A package costed at £20.00 a week: £1,040.00 a year is the cap. Agreed at £1,000.00.
    budget = active_2027(
        lead.user,
        finance.user,
        holder,
        D("1000.00"),
        lines=[
            {
                "service": "Equipment",
                "provider_type": "equipment",
                "units_per_week": D("1"),
                "unit_cost": D("20.00"),
            }
        ],
    )
    page = browser.page
    budget_link = f"{holder.full_name}, 1 Apr 2027 to 31 Mar 2028"
    browser.sign_in_with_code(lead.user, lead.secret, password)
    browser.goto(f"/budgets/{budget.pk}/")
    browser.click("Ask for a clinical check of an increase above the indicative amount")
    expect(browser.heading).to_have_text("Ask for a clinical check of an increase")
    browser.fill("New budget amount for the period", "1500.00")
    browser.submit("Ask for a clinical check")
    browser.expect_problem(
        "Enter the clinical justification",
        page.get_by_label("Clinical justification", exact=True),
    )
    browser.fill("Clinical justification", JUSTIFICATION)
    browser.submit("Ask for a clinical check")
    browser.expect_success("A clinician has been asked to check the increase to £1,500.00")
    expect(page.get_by_role("main")).to_contain_text("It is waiting for a clinician's check.")

    checker = another_browser()
    checker.sign_in_with_code(clinician.user, clinician.secret, password)
    expect(checker.page.get_by_role("main")).to_contain_text(
        f"{budget_link}: increase to £1,500.00 proposed, needs your clinical check"
    )
    checker.click(budget_link)
    checker.click("Check the proposed increase", role="button")
    expect(checker.heading).to_have_text("Clinical check of an increase")
    expect(checker.page.get_by_role("main")).to_contain_text(JUSTIFICATION)
    checker.fill("What you checked and why", "Seen at home: the evening falls are real.")
    checker.submit("Record the check")
    checker.expect_problem(None, checker.page.get_by_role("radio", name="Yes, I support it"))
    checker.choose("Yes, I support it")
    checker.submit("Record the check")
    checker.expect_success("Your clinical check of the increase has been recorded")

    browser.goto(f"/budgets/{budget.pk}/")
    expect(page.get_by_role("main")).to_contain_text(
        f"{clinician.user.full_name} supported an increase to £1,500.00"
    )
    browser.click("Increase or reduce this budget")
    expect(page.get_by_role("main")).to_contain_text(
        "A clinician supported an increase to £1,500.00."
    )
    browser.fill("New budget amount for the period", "1500.00")
    browser.fill_date("Date the change starts", datetime.date(2027, 10, 1))
    browser.fill("Why the budget is changing", "Your review found you need more help at night.")
    browser.submit("Preview the letter")
    expect(browser.heading).to_have_text("Check the letter before you issue it")
    main = page.get_by_role("main")
    expect(main).to_contain_text("going up from £1,000.00 to £1,500.00")
    expect(main).to_contain_text("A clinician checked the clinical reason for it and supported it.")
    browser.screenshot("budget-increase-preview")
    browser.submit("Issue the letter and make the change")
    letter = BudgetLetter.objects.get()
    expect(browser.heading).to_have_text("Your personal health budget is going up")
    assert letter.kind == "increase"
    budget = reload(budget)
    assert budget.agreed_amount == D("1500.00")
    assert budget.clinical_check.clinician == clinician.user
    assert re.search("going up", letter.body_html)
