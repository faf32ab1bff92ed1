"""Sign-ins for people, in a real browser with axe on every page: a PHB lead gives a person
their own sign-in, adds someone who acts for them and then records that they stop; PA
employer support gives a PA a sign-in. Each form meets a refusal first, as people do."""

import datetime

import pytest
from django.core import mail
from playwright.sync_api import expect

from phb.models import BudgetHolder, Representative, Role
from tests.browser.conftest import Browser, Staff
from tests.employers.factories import EmployerFactory, PersonalAssistantFactory
from tests.factories import BudgetHolderFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True),
]


def test_a_lead_gives_a_person_a_sign_in_and_adds_and_ends_a_representative(
    browser: Browser, icb, password
):
    page = browser.page
    lead = Staff(Role.PHB_LEAD, icb)
    person = BudgetHolderFactory(
        organisation=icb, given_name="Robin", family_name="Sign", email="", user=None
    )
    browser.sign_in_with_code(lead.user, lead.secret, password)
    browser.goto(f"/people/{person.pk}/")
    expect(page.get_by_role("main")).to_contain_text("Robin has no sign-in of their own.")
    browser.click("Give Robin a sign-in")
    browser.submit("Give them a sign-in")
    browser.expect_problem("Enter their email address", page.get_by_label("Email address"))
    browser.fill("Email address", lead.user.email)
    browser.submit("Give them a sign-in")
    browser.expect_problem(
        f"{lead.user.email} is a member of staff's sign-in: use the person's own email address",
        page.get_by_label("Email address"),
    )
    browser.fill("Email address", "robin.sign@example.org")
    browser.submit("Give them a sign-in")
    browser.expect_success("Robin Sign can now sign in with robin.sign@example.org")
    expect(page.get_by_role("main")).to_contain_text("Robin signs in with robin.sign@example.org")
    assert BudgetHolder.objects.get(pk=person.pk).user.email == "robin.sign@example.org"
    assert any("robin.sign@example.org" in message.to for message in mail.outbox)

    browser.click("Add someone who acts for Robin")
    browser.submit("Add them")
    browser.expect_problem("Enter their full name", page.get_by_label("Full name"))
    browser.fill("Full name", "Sam Sign")
    browser.fill("Email address", "sam.sign@example.org")
    browser.choose("Nominee (chosen by the budget holder)")
    browser.fill("How they know the person", "Brother")
    browser.fill_date("Date they agreed to act", datetime.date(2026, 11, 1))
    # An address started is finished before it is saved: letters are posted to it.
    browser.fill("Address line 1", "1 High Street")
    browser.submit("Add them")
    browser.expect_problem("Enter the town or city", page.get_by_label("Town or city"))
    browser.fill("Town or city", "Leeds")
    browser.fill("Postcode", "ls1 4ap")
    browser.submit("Add them")
    browser.expect_success("Sam Sign now acts for Robin")
    main = page.get_by_role("main")
    expect(main).to_contain_text("Nominee (chosen by the budget holder); Brother")
    expect(main).to_contain_text("1 High Street")

    # Where their letters are posted changes; an address taken away leaves none.
    browser.click("Change address for Sam Sign")
    expect(browser.heading).to_have_text("Postal address for Sam Sign")
    browser.fill("Postcode", "nonsense")
    browser.submit("Save the address")
    browser.expect_problem("Enter a full UK postcode, like LS1 4AP", page.get_by_label("Postcode"))
    browser.fill("Postcode", "LS2 7UE")
    browser.submit("Save the address")
    browser.expect_success("Letters to Sam Sign will be posted to the address you gave")
    expect(main).to_contain_text("LS2 7UE")
    browser.click("Change address for Sam Sign")
    for label in ("Address line 1", "Town or city", "Postcode"):
        browser.fill(label, "")
    browser.submit("Save the address")
    browser.expect_success("No postal address is recorded for Sam Sign")
    expect(main).to_contain_text("No postal address recorded")

    browser.click("End Sam Sign acting for them")
    expect(browser.heading).to_have_text("Sam Sign stops acting for Robin Sign")
    browser.fill_date("Date they stop acting", datetime.date(2026, 10, 1))
    browser.submit("Record that they stop")
    browser.expect_problem(
        "The date they stop must be on or after the day they agreed to act, 1 November 2026",
        page.get_by_role("group", name="Date they stop acting").get_by_label("Day"),
    )
    browser.fill_date("Date they stop acting", datetime.date.today())
    browser.submit("Record that they stop")
    browser.expect_success("Sam Sign stops acting for Robin")
    expect(main).to_contain_text("Nobody acts for Robin.")
    assert Representative.objects.get(budget_holder=person).ended_on == datetime.date.today()


def test_pa_employer_support_gives_a_pa_a_sign_in(browser: Browser, icb, password):
    page = browser.page
    support = Staff(Role.PA_EMPLOYER_SUPPORT, icb)
    employer = EmployerFactory(
        budget_holder=BudgetHolderFactory(organisation=icb), created_by=support.user
    )
    pa = PersonalAssistantFactory(employer=employer, full_name="Kit Worker", email="")
    browser.sign_in_with_code(support.user, support.secret, password)
    browser.goto(f"/employers/pa/{pa.pk}/")
    browser.click("Give Kit Worker a sign-in")
    browser.fill("Email address", "not an address")
    browser.submit("Give them a sign-in")
    browser.expect_problem(
        "Enter an email address in the correct format, like name@example.com",
        page.get_by_label("Email address"),
    )
    browser.fill("Email address", "kit.worker@example.org")
    browser.submit("Give them a sign-in")
    browser.expect_success("Kit Worker can now sign in with kit.worker@example.org")
    expect(page.get_by_role("main")).to_contain_text(
        "Kit Worker signs in with kit.worker@example.org"
    )
