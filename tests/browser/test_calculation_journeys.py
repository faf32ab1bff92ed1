"""A PHB lead works out an indicative amount by the CHC cost cap and by resource allocation."""

from decimal import Decimal as D

import pytest
from playwright.sync_api import expect

from budgets.models import ChcPackage, RasAssessment
from phb.models import Role
from tests.browser.conftest import Browser, Staff
from tests.budgets.factories import (
    FY_2026_START,
    RAS_DOMAINS,
    WORKED_CHOICES,
    LocalRateSetFactory,
    questionnaire,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def lead(icb):
    return Staff(Role.PHB_LEAD, icb)


def open_calculations(browser: Browser, holder) -> None:
    """Caseload -> the person's record -> their budget calculations."""
    browser.click(f"{holder.family_name}, {holder.given_name}")
    browser.click("Budget calculations and all budgets")
    expect(browser.heading).to_have_text("Budget calculations")


def calculation_card(browser: Browser, title: str):
    page = browser.page
    return page.locator(".nhsuk-card").filter(has=page.get_by_role("heading", name=title))


def test_a_phb_lead_costs_a_chc_package_service_by_service(browser, lead, holder, icb, password):
    LocalRateSetFactory(organisation=icb)
    page = browser.page
    browser.sign_in_with_code(lead.user, lead.secret, password)
    open_calculations(browser, holder)
    browser.click("Work it out for CHC cost cap")
    expect(browser.heading).to_have_text("Cost the CHC package")

    def service(number: int):
        return page.get_by_role("group", name=f"Service {number}", exact=True)

    browser.fill_date("Date the calculation applies from", FY_2026_START)
    browser.fill("Service", "Agency day care", within=service(1))
    browser.select("Type", "Agency care, day (hours)", within=service(1))
    browser.submit("Work out the cost")
    browser.expect_problem(
        "Enter how much Agency day care a week",
        service(1).get_by_label("Hours, nights or units a week", exact=True),
    )
    assert not ChcPackage.objects.exists()

    # The worked package of tests/budgets: £2,265.25 a week, £117,793.00 a year.
    for number, (name, kind, units, cost) in enumerate(
        [
            ("Agency day care", "Agency care, day (hours)", "42", ""),
            ("Sleeping nights", "Agency care, sleeping night (nights)", "7", ""),
            ("District nursing", "Nursing (hours)", "3.5", ""),
            ("Equipment hire", "Equipment", "1", "35.75"),
        ],
        start=1,
    ):
        if number > 1:  # services are added one at a time, keeping what was typed
            browser.submit("Add another service")
            expect(service(number)).to_be_visible()
        browser.fill("Service", name, within=service(number))
        browser.select("Type", kind, within=service(number))
        browser.fill("Hours, nights or units a week", units, within=service(number))
        browser.fill("Cost of each", cost, within=service(number))
    browser.submit("Work out the cost")

    expect(browser.heading).to_have_text("Budget calculations")
    browser.expect_success("The CHC package has been costed")
    expect(calculation_card(browser, "CHC cost cap")).to_contain_text("£117,793.00 a year")
    package = ChcPackage.objects.get()
    assert [line.service for line in package.lines.order_by("order")] == [
        "Agency day care",
        "Sleeping nights",
        "District nursing",
        "Equipment hire",
    ]


def test_a_phb_lead_scores_a_person_through_every_ras_question(browser, lead, holder, password):
    questionnaire(lead.user)  # 2026/27 at £148.37 a point, in use
    page = browser.page
    browser.sign_in_with_code(lead.user, lead.secret, password)
    open_calculations(browser, holder)
    browser.click("Work it out for Resource allocation (RAS)")
    expect(browser.heading).to_have_text("Resource allocation")

    # The page comes whole from the server: a question missing now will not appear later.
    expect(page.get_by_role("radio")).to_have_count(32, timeout=1_000)
    browser.fill_date("Date the calculation applies from", FY_2026_START)
    # The worked example: 12 + 8 + 6 + 10 + 4 + 0 + 9 + 7 = 56 points.
    answers = list(zip(RAS_DOMAINS, WORKED_CHOICES, strict=True))

    def answer(name, question, points, choice):
        browser.choose(
            f"{name}: level {choice} ({points[choice]} points)",
            within=page.get_by_role("group", name=f"{name}: {question}", exact=True),
        )

    # Every question but the last: the error summary goes to the question left out.
    for (name, question, points), choice in answers[:-1]:
        answer(name, question, points, choice)
    browser.submit("Work out the amount")
    last_name, last_question, last_points = RAS_DOMAINS[-1]
    browser.expect_problem(
        "Select an answer for daily life",
        page.get_by_role("group", name=f"{last_name}: {last_question}", exact=True)
        .get_by_role("radio")
        .first,
    )
    assert not RasAssessment.objects.exists()
    # The answers given stay chosen.
    first_name = RAS_DOMAINS[0][0]
    expect(
        page.get_by_role("radio", name=f"{first_name}: level 3 (12 points)", exact=True)
    ).to_be_checked()
    answer(last_name, last_question, last_points, WORKED_CHOICES[-1])
    browser.submit("Work out the amount")

    expect(browser.heading).to_have_text("Budget calculations")
    browser.expect_success("The resource allocation has been worked out")
    # 56 points x £148.37 = £8,308.72.
    expect(calculation_card(browser, "Resource allocation (RAS)")).to_contain_text(
        "£8,308.72 a year"
    )
    assessment = RasAssessment.objects.get()
    assert (assessment.total_points, assessment.annual_amount) == (56, D("8308.72"))
