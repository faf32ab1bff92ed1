"""Mistakes on the budget pages, in a real browser: each is explained in an error summary that
takes the person to the field, nothing is saved, and putting it right saves it.

The journeys in test_budget_journeys.py go through the same pages without mistakes.
"""

import datetime
from decimal import Decimal as D

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from budgets import calculations as calc
from budgets import services
from budgets.models import Budget, BudgetLetter, HoldingMethod, PaymentSchedule
from budgets.models.budget import BudgetStatus
from phb.models import Role
from tests.browser.conftest import Browser, Staff
from tests.budgets.factories import (
    FY_2026_START,
    FY_2027_END,
    FY_2027_START,
    JUSTIFICATION,
    LocalRateSetFactory,
    agreed_budget,
    chc_package,
    proposed_budget,
    reload,
    schedule,
)
from tests.factories import BudgetHolderFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def lead(icb):
    LocalRateSetFactory(organisation=icb)
    return Staff(Role.PHB_LEAD, icb)


def day_box(browser: Browser, legend: str):
    return browser.page.get_by_role("group", name=legend, exact=True).get_by_label("Day")


def open_from_caseload(browser: Browser, holder, *links: str) -> None:
    browser.click(f"{holder.family_name}, {holder.given_name}")
    for link in links:
        browser.click(link)


def test_a_phb_lead_puts_right_a_budget_period_and_a_reduction_that_were_refused(
    browser, lead, icb, password
):
    page = browser.page
    # Grace's CHC package is costed; Mary's budget for next year is active.
    grace = BudgetHolderFactory(organisation=icb, given_name="Grace", family_name="Hopper")
    chc_package(lead.user, grace)
    mary = BudgetHolderFactory(organisation=icb, given_name="Mary", family_name="Somerville")
    active = agreed_budget(
        lead.user,
        mary,
        chc_package(lead.user, mary, effective_date=FY_2027_START),
        amount=D("12000.00"),
        start=FY_2027_START,
        end=FY_2027_END,
        portions=[(HoldingMethod.DIRECT_PAYMENT, D("12000.00"), "")],
    )
    schedule(lead.user, active.portions.get())
    services.activate_budget(actor=lead.user, budget=reload(active))
    browser.sign_in_with_code(lead.user, lead.secret, password)

    open_from_caseload(browser, grace, "Budget calculations and all budgets")
    browser.click("Set up a budget", role="button")  # a link drawn as a button
    expect(browser.heading).to_have_text("Set up a budget")
    browser.choose("CHC cost cap for 2026/27: £117,793.00 a year")
    browser.fill_date("Start date", FY_2026_START)
    browser.fill_date("End date", FY_2027_START)  # a day into the next financial year
    browser.fill("Budget amount for the period", "117793.00")
    streams = page.get_by_role("group", name="Funding stream 1", exact=True)
    expect(streams.get_by_label("Funding stream", exact=True)).to_have_value("nhs_chc")
    expect(streams.get_by_label("Share (%)", exact=True)).to_have_value("100")
    browser.fill("Direct payment amount", "117793.00")
    browser.tick("The start date has passed: this budget is backdated")
    browser.fill("Why the budget is backdated", "The care started on 1 April 2026.")
    browser.submit("Save as a draft")
    browser.expect_problem(
        "A budget must fall within one financial year: this one ends after 31 March 2027",
        day_box(browser, "End date"),
    )
    assert not Budget.objects.filter(budget_holder=grace).exists()

    browser.fill_date("End date", datetime.date(2027, 3, 31))
    browser.submit("Save as a draft")
    expect(browser.heading).to_have_text("Budget 1 Apr 2026 to 31 Mar 2027")
    browser.expect_success("The budget has been set up as a draft")
    assert Budget.objects.get(budget_holder=grace).status == BudgetStatus.DRAFT

    browser.goto("/caseload/")
    open_from_caseload(
        browser,
        mary,
        "Budget calculations and all budgets",
        "1 Apr 2027 to 31 Mar 2028",
        "Increase or reduce this budget",
    )
    expect(browser.heading).to_have_text("Change the amount")
    browser.fill("New budget amount for the period", "12000.00")  # what it is already
    browser.fill_date("Date the change starts", datetime.date(2027, 10, 1))
    browser.fill("Why the budget is changing", "Your needs at night have gone down.")
    browser.submit("Preview the letter")
    browser.expect_problem(
        "The new amount is the same as the budget now, £12,000.00",
        page.get_by_label("New budget amount for the period", exact=True),
    )
    expect(page.get_by_label("Why the budget is changing", exact=True)).to_have_value(
        "Your needs at night have gone down."
    )
    assert reload(active).agreed_amount == D("12000.00")
    assert not BudgetLetter.objects.exists()

    browser.fill("New budget amount for the period", "10000.00")
    browser.submit("Preview the letter")
    expect(browser.heading).to_have_text("Check the letter before you issue it")
    browser.submit("Issue the letter and make the change")
    expect(page.get_by_role("main")).to_contain_text("going down from £12,000.00 to £10,000.00")
    assert reload(active).status == BudgetStatus.ACTIVE


def test_a_clinician_who_does_not_say_whether_they_support_the_amount_is_asked_to(
    browser, lead, icb, holder, password
):
    clinician = Staff(Role.CLINICIAN, icb)
    budget = proposed_budget(
        lead.user,
        holder,
        chc_package(lead.user, holder),
        amount=D("120000.00"),
        justification=JUSTIFICATION,
    )
    page = browser.page
    browser.sign_in_with_code(clinician.user, clinician.secret, password)
    browser.click(f"{holder.full_name}, 1 Apr 2026 to 31 Mar 2027")
    browser.click("Record your clinical check", role="button")
    expect(browser.heading).to_have_text("Clinical check")

    browser.fill("What you checked and why", "Seen at home: two carers are needed at night.")
    browser.submit("Record the check")
    browser.expect_problem(None, page.get_by_role("radio", name="Yes, I support it"))
    expect(page.get_by_label("What you checked and why", exact=True)).to_have_value(
        "Seen at home: two carers are needed at night."
    )
    assert not reload(budget).clinical_checks.exists()

    browser.choose("Yes, I support it")
    browser.submit("Record the check")
    browser.expect_success("Your clinical check has been recorded")
    assert reload(budget).clinical_checks.get().supported


def test_finance_is_told_when_the_first_payment_falls_outside_the_budgets_period(
    browser, lead, icb, holder, password
):
    finance = Staff(Role.FINANCE_OFFICER, icb)
    budget = agreed_budget(
        lead.user,
        holder,
        chc_package(lead.user, holder),
        amount=D("12000.00"),
        portions=[(HoldingMethod.DIRECT_PAYMENT, D("12000.00"), "")],
    )
    page = browser.page
    browser.sign_in_with_code(finance.user, finance.secret, password)
    browser.click(f"{holder.full_name}, 1 Apr 2026 to 31 Mar 2027")
    browser.click("Set up the payment schedule for the direct payment")
    expect(browser.heading).to_have_text("Payment schedule")

    browser.choose("Every month")
    browser.fill_date("First payment date", FY_2027_START)
    browser.submit("Continue")
    browser.expect_problem(
        "The first payment must be within the budget's period, 1 April 2026 to 31 March 2027",
        day_box(browser, "First payment date"),
    )
    assert not PaymentSchedule.objects.exists()

    # From today: one payment for each whole month left in the period, equal to the penny.
    today = timezone.localdate()
    dates = calc.instalment_dates(today, datetime.date(2027, 3, 31), "monthly")
    browser.fill_date("First payment date", today)
    browser.submit("Continue")
    browser.expect_success("The payment schedule has been set")
    rows = page.get_by_role("table", name="Payment dates and amounts").locator("tbody tr")
    expect(rows).to_have_count(len(dates))
    amounts = calc.split_evenly(D("12000.00"), len(dates))
    expect(rows.first).to_contain_text(f"£{amounts[0]:,.2f}")
    assert reload(budget).portions.get().schedule.instalments.count() == len(dates)
