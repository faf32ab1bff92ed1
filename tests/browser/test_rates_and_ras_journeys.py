"""Keeping the figures budgets are worked out from, in a real browser: the service
administrator's national figures, an ICB's local rates and its RAS questionnaire."""

import datetime
from decimal import Decimal as D

import pytest
from playwright.sync_api import expect

from budgets.models import LocalRateSet, NationalRateSet, RasQuestionnaire
from employers.models import TaxYearRateSet
from phb.models import Role
from tests.browser.conftest import Browser, Staff
from tests.budgets.factories import (
    FY_2026_START,
    FY_2027_START,
    NATIONAL_2027_28,
    RAS_DOMAINS,
    LocalRateSetFactory,
    questionnaire,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True),
]


# The national figures by the labels a person reads on the form.
NATIONAL_LABELS = {
    "nlw_21_plus": "National Living Wage, 21 and over (per hour)",
    "nmw_18_20": "National Minimum Wage, 18 to 20 (per hour)",
    "nmw_16_17_apprentice": "National Minimum Wage, 16 to 17 and apprentices (per hour)",
    "ni_secondary_threshold_annual": "Secondary threshold (per year)",
    "ni_secondary_threshold_weekly": "Secondary threshold (per week)",
    "ni_secondary_threshold_monthly": "Secondary threshold (per month)",
    "upper_secondary_threshold_annual": (
        "Upper secondary threshold, under 21s and apprentices under 25 (per year)"
    ),
    "upper_secondary_threshold_weekly": (
        "Upper secondary threshold, under 21s and apprentices under 25 (per week)"
    ),
    "upper_secondary_threshold_monthly": (
        "Upper secondary threshold, under 21s and apprentices under 25 (per month)"
    ),
    "lower_earnings_limit_annual": "Lower earnings limit (per year)",
    "primary_threshold_annual": "Primary threshold (per year)",
    "upper_earnings_limit_annual": "Upper earnings limit (per year)",
    "employment_allowance_annual": "Employment Allowance (per employer per year)",
    "pension_trigger_annual": "Pension auto-enrolment earnings trigger (per year)",
    "pension_qualifying_lower_annual": "Qualifying earnings band, lower (per year)",
    "pension_qualifying_upper_annual": "Qualifying earnings band, upper (per year)",
    "ssp_weekly": "Statutory Sick Pay (per week)",
    "employer_ni_rate": "Employer National Insurance rate (%)",
    "pension_employer_min_rate": "Minimum employer pension contribution (%)",
    "ssp_earnings_rate": "Statutory Sick Pay cap as a share of average weekly earnings (%)",
    "holiday_weeks": "Holiday entitlement (weeks)",
    "holiday_accrual_rate": "Holiday accrual for irregular hours (%)",
}
# Rates are typed as percentages (15, not 0.15).
PERCENTAGES = {
    "employer_ni_rate",
    "pension_employer_min_rate",
    "ssp_earnings_rate",
    "holiday_accrual_rate",
}


def typed(name: str, value) -> str:
    return f"{(value * 100).normalize():f}" if name in PERCENTAGES else str(value)


def field(browser: Browser, label: str):
    return browser.page.get_by_label(label, exact=True)


def day_of(browser: Browser, legend: str):
    return browser.page.get_by_role("group", name=legend, exact=True).get_by_label("Day")


def test_the_service_administrator_adds_next_years_national_figures_and_corrects_them(
    browser, national_rates, password
):
    service_admin = Staff(Role.SERVICE_ADMIN, None)
    page = browser.page
    national = page.get_by_role("table", name="National figures by date")
    browser.sign_in_with_code(service_admin.user, service_admin.secret, password)

    browser.click_in_header("Rates")
    expect(browser.heading).to_have_text("Rates")
    browser.click("Add national figures")
    expect(browser.heading).to_have_text("National employment figures")
    # It starts from the latest figures, so only what changes needs typing.
    expect(field(browser, NATIONAL_LABELS["nlw_21_plus"])).to_have_value("12.71")
    browser.fill("Name", NATIONAL_2027_28["name"])
    browser.fill_date("In force from", FY_2027_START)
    for name, label in NATIONAL_LABELS.items():
        browser.fill(label, typed(name, NATIONAL_2027_28[name]))
    browser.fill(NATIONAL_LABELS["nlw_21_plus"], "1340")  # a slip: pence for pounds
    browser.submit("Save rates")
    browser.expect_problem(
        "National Living Wage, 21 and over (per hour) must be between £5 and £50",
        field(browser, NATIONAL_LABELS["nlw_21_plus"]),
    )
    assert list(NationalRateSet.objects.all()) == [national_rates]

    browser.fill(NATIONAL_LABELS["nlw_21_plus"], "13.40")
    browser.submit("Save rates")
    expect(browser.heading).to_have_text("Rates")
    browser.expect_success("The rates have been saved")
    row = national.locator("tbody tr").filter(has_text="2027/28")
    expect(row).to_contain_text("1 April 2027")
    expect(row).to_contain_text("£13.40 an hour")
    saved = NationalRateSet.objects.get(effective_from=FY_2027_START)
    assert {name: getattr(saved, name) for name in NATIONAL_2027_28} == NATIONAL_2027_28

    # No calculation has used them yet, so they can still be corrected.
    browser.click("Change 2027/28")
    expect(browser.heading).to_have_text("National employment figures")
    expect(field(browser, "Name")).to_have_value("2027/28")
    browser.fill(NATIONAL_LABELS["employer_ni_rate"], "150")  # a slip: more than the whole
    browser.submit("Save rates")
    browser.expect_problem(None, field(browser, NATIONAL_LABELS["employer_ni_rate"]))
    saved.refresh_from_db()
    assert saved.employer_ni_rate == D("0.15")

    browser.fill(NATIONAL_LABELS["employer_ni_rate"], "15")
    browser.fill(NATIONAL_LABELS["nlw_21_plus"], "13.45")
    browser.submit("Save rates")
    browser.expect_success("The rates have been saved")
    expect(national.locator("tbody tr").filter(has_text="2027/28")).to_contain_text(
        "£13.45 an hour"
    )
    saved.refresh_from_db()
    assert saved.nlw_21_plus == D("13.45")


def test_an_icb_administrator_changes_local_rates_but_not_the_national_figures(
    browser, icb, national_rates, password
):
    admin = Staff(Role.ICB_ADMIN, icb)
    rates = LocalRateSetFactory(organisation=icb)
    page = browser.page
    browser.sign_in_with_code(admin.user, admin.secret, password)

    browser.click_in_header("Rates")
    expect(browser.heading).to_have_text("Rates")
    expect(page.get_by_role("table", name="National figures by date")).to_contain_text("2026/27")
    expect(page.get_by_role("link", name="Add national figures")).to_have_count(0)
    expect(page.get_by_role("link", name="Change 2026/27")).to_have_count(0)
    expect(page.get_by_text("The service administrator keeps them up to date")).to_be_visible()

    # A second set from the same date is refused: the one there can still be changed.
    browser.click("Add local rates")
    expect(browser.heading).to_have_text("Local rates")
    expect(field(browser, "Personal assistant (per hour)")).to_have_value("13.50")
    browser.fill_date("In force from", FY_2026_START)
    browser.submit("Save rates")
    browser.expect_problem(
        "There are already rates in force from 1 April 2026: change those, or choose another date",
        day_of(browser, "In force from"),
    )
    assert list(LocalRateSet.objects.all()) == [rates]

    browser.click_in_header("Rates")
    browser.click("Change rates from 1 April 2026")
    expect(browser.heading).to_have_text("Local rates")
    browser.fill("Contingency (%)", "60")  # more than half the PA costs
    browser.submit("Save rates")
    browser.expect_problem("Contingency must be 50% or less", field(browser, "Contingency (%)"))
    rates.refresh_from_db()
    assert rates.contingency_rate == D("0.05")

    for label, value in {
        "Personal assistant (per hour)": "14.00",
        "Agency care, day (per hour)": "29.00",
        "Agency care, sleeping night (per night)": "125.00",
        "Agency care, waking night (per hour)": "31.00",
        "Nursing (per hour)": "56.00",
        "Employer's liability insurance (per employer per year)": "160.00",
        "Payroll service (per employer per year)": "250.00",
        "Contingency (%)": "4",
    }.items():
        browser.fill(label, value)
    browser.submit("Save rates")
    browser.expect_success("The rates have been saved")
    local = page.get_by_role("table", name="Local rates by date")
    expect(local.locator("tbody tr")).to_have_count(1)
    expect(local).to_contain_text("£14.00")
    expect(local).to_contain_text("£56.00")
    rates.refresh_from_db()
    assert (rates.pa_hourly, rates.contingency_rate, rates.effective_from) == (
        D("14.00"),
        D("0.04"),
        FY_2026_START,
    )


def test_an_icb_administrator_changes_a_draft_questionnaires_price_and_adds_a_domain(
    browser, icb, password
):
    admin = Staff(Role.ICB_ADMIN, icb)
    draft = questionnaire(admin.user, domains=RAS_DOMAINS[:1], publish=False)
    page = browser.page
    browser.sign_in_with_code(admin.user, admin.secret, password)

    browser.click_in_header("RAS questionnaires")
    expect(browser.heading).to_have_text("Resource allocation questionnaires")
    browser.fill("Financial year it starts", "2027")
    browser.submit("Start a draft")
    browser.expect_problem("Enter the price per point", field(browser, "Price per point"))
    expect(field(browser, "Financial year it starts")).to_have_value("2027")
    assert list(RasQuestionnaire.objects.all()) == [draft]

    browser.click("2026/27")
    expect(browser.heading).to_have_text("Questionnaire 2026/27, version 1")
    expect(page.get_by_role("main")).to_contain_text("Price per point: £148.37 a year.")
    browser.fill("Price per point", "0")
    browser.submit("Change the price")
    browser.expect_problem(
        "Price per point must be £0.01 or more", field(browser, "Price per point")
    )
    draft.refresh_from_db()
    assert draft.price_per_point == D("148.37")

    browser.fill("Price per point", "150.00")
    browser.submit("Change the price")
    browser.expect_success("The price per point has been changed")
    expect(page.get_by_role("main")).to_contain_text("Price per point: £150.00 a year.")
    draft.refresh_from_db()
    assert draft.price_per_point == D("150.00")

    browser.fill("Domain", "Eating and drinking")
    browser.fill("Question", "How much help do you need to eat and drink?")

    def answer(number: int):
        return page.get_by_role("group", name=f"Answer {number}", exact=True)

    browser.fill("Answer", "Independent", within=answer(1))
    browser.fill("Points", "0", within=answer(1))
    browser.fill("Answer", "Needs some help", within=answer(2))
    browser.submit("Add domain")
    browser.expect_problem(
        "Enter the points for Needs some help",
        answer(2).get_by_label("Points", exact=True),
    )
    expect(field(browser, "Domain")).to_have_value("Eating and drinking")
    assert draft.domains.count() == 1

    browser.fill("Points", "3", within=answer(2))
    browser.submit("Add another answer")
    browser.fill("Answer", "Needs help", within=answer(3))
    browser.fill("Points", "8", within=answer(3))
    browser.submit("Add domain")
    browser.expect_success("Eating and drinking has been added")
    expect(
        page.get_by_role(
            "heading", name="Eating and drinking: How much help do you need to eat and drink?"
        )
    ).to_be_visible()
    expect(page.get_by_text("Needs help: 8 points")).to_be_visible()
    added = draft.domains.get(name="Eating and drinking")
    assert [(o.text, o.points) for o in added.options.order_by("points")] == [
        ("Independent", 0),
        ("Needs some help", 3),
        ("Needs help", 8),
    ]


def test_the_service_administrator_adds_next_tax_years_payroll_figures_and_corrects_them(
    browser, password
):
    """From the rates page to the tax year figures: next year's start from this year's (as
    the migrations load them), so only what changes is typed; slips are refused in words."""
    service_admin = Staff(Role.SERVICE_ADMIN, None)
    page = browser.page
    browser.sign_in_with_code(service_admin.user, service_admin.secret, password)
    browser.click_in_header("Rates")
    browser.click("tax year figures for payroll")
    expect(browser.heading).to_have_text("Tax year figures for payroll")
    expect(page.get_by_role("table", name="Tax year figures, newest first")).to_contain_text(
        "6 April 2026"
    )
    browser.click("Add tax year figures")
    expect(browser.heading).to_have_text("Add tax year figures")
    allowance = "Income Tax personal allowance (per year)"
    expect(field(browser, allowance)).to_have_value("12570.00")
    expect(field(browser, "Name")).to_have_value("2027/28")
    browser.fill_date("Tax year starts on", datetime.date(2027, 4, 5))  # a slip: the 5th
    browser.fill("Employer National Insurance rate (%)", "150")  # and more than the whole
    browser.submit("Save figures")
    browser.expect_problem(
        "A tax year starts on 6 April: enter 6 April 2027, or the year you mean",
        page.get_by_role("group", name="Tax year starts on", exact=True).get_by_label("Day"),
    )
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "Employer National Insurance rate must be 100% or less"
    )
    assert TaxYearRateSet.objects.count() == 1

    browser.fill_date("Tax year starts on", datetime.date(2027, 4, 6))
    browser.fill("Employer National Insurance rate (%)", "15")
    browser.fill(allowance, "12,570.00")
    browser.fill("Statutory Sick Pay (per week)", "125.00")
    browser.submit("Save figures")
    browser.expect_success("The tax year figures have been saved")
    row = page.get_by_role("table", name="Tax year figures, newest first").locator("tbody tr")
    expect(row.first).to_contain_text("2027/28")
    expect(row.first).to_contain_text("6 April 2027")
    saved = TaxYearRateSet.objects.get(tax_year_start=datetime.date(2027, 4, 6))
    assert (saved.ssp_weekly_rate, saved.employer_ni_rate) == (D("125.00"), D("0.15"))

    # No pay run has used them yet, so they can still be corrected.
    browser.click("Change 2027/28")
    expect(browser.heading).to_have_text("Change the 2027/28 figures")
    browser.fill("Statutory Sick Pay (per week)", "")
    browser.submit("Save figures")
    browser.expect_problem(None, field(browser, "Statutory Sick Pay (per week)"))
    browser.fill("Statutory Sick Pay (per week)", "124.50")
    browser.submit("Save figures")
    browser.expect_success("The tax year figures have been saved")
    saved.refresh_from_db()
    assert saved.ssp_weekly_rate == D("124.50")
