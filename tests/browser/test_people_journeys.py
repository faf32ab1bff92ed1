"""A PHB lead adds a person to the caseload and changes their details, in a real browser."""

import datetime

import pytest
from playwright.sync_api import expect

from phb.models import BudgetHolder, Role
from phb.validators import PHONE_MESSAGE, POSTCODE_MESSAGE
from tests.browser.conftest import Staff
from tests.factories import BudgetHolderFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True),
]


def test_a_phb_lead_adds_a_person_then_changes_their_details(browser, icb, password):
    lead = Staff(Role.PHB_LEAD, icb)
    page = browser.page
    browser.sign_in_with_code(lead.user, lead.secret, password)

    browser.click("Add a person")
    expect(browser.heading).to_have_text("Add a person")
    browser.fill("First name", "Ada")
    browser.fill("Last name", "Lovelace")
    browser.fill("NHS number", "943 476 5919")
    browser.fill_date("Date of birth", datetime.date(1985, 12, 10))
    browser.fill("Address line 1", "1 Analytical Row")
    browser.fill("Address line 2", "Marylebone")
    browser.fill("Town or city", "London")
    browser.fill("Postcode", "zz9 9zz")
    browser.fill("Email address", "ada@example.org")
    browser.fill("Phone number", "0113 496 0001")
    browser.choose("Email")
    browser.fill("Accessibility needs", "Large print")
    browser.choose("Section 117 aftercare (right to have)")
    browser.submit("Save details")

    expect(browser.heading).to_have_text("Ada Lovelace")
    browser.expect_success("Ada Lovelace's details have been saved")
    for key, value in {
        "NHS number": "943 476 5919",
        "Date of birth": "10 December 1985",
        "Address": "1 Analytical RowMaryleboneLondonZZ9 9ZZ",
        "Email": "ada@example.org",
        "Phone": "0113 496 0001",
        "Preferred way to be contacted": "Email",
        "Accessibility needs": "Large print",
        "Why they can have a personal health budget": "Section 117 aftercare (right to have)",
        "ICB": icb.name,
    }.items():
        expect(browser.summary_value(key)).to_have_text(value)
    ada = BudgetHolder.objects.get()
    assert (ada.organisation, ada.nhs_number) == (icb, "9434765919")

    browser.click("Change Ada's details")
    expect(browser.heading).to_have_text("Change Ada Lovelace's details")
    expect(page.get_by_label("Last name", exact=True)).to_have_value("Lovelace")
    expect(page.get_by_role("radio", name="Email", exact=True)).to_be_checked()
    browser.fill("Last name", "")
    browser.fill("Town or city", "Oxford")
    browser.submit("Save details")
    browser.expect_problem("Enter a last name", page.get_by_label("Last name", exact=True))
    expect(page.get_by_label("Town or city", exact=True)).to_have_value("Oxford")
    ada.refresh_from_db()
    assert (ada.family_name, ada.town) == ("Lovelace", "London")

    browser.fill("Last name", "King")
    # Her number is a landline: it cannot take a text message.
    browser.choose("Text message")
    browser.submit("Save details")
    browser.expect_problem(
        "Text messages can only go to a mobile: enter their mobile phone number, or choose "
        "another way to contact them",
        page.get_by_label("Phone number", exact=True),
    )
    browser.choose("Phone call")
    browser.choose("Large print (16 point or larger)")
    browser.fill_date("Date of birth", datetime.date(1985, 12, 11))
    browser.submit("Save details")
    expect(browser.heading).to_have_text("Ada King")
    browser.expect_success("Ada King's details have been saved")
    expect(browser.summary_value("Address")).to_have_text("1 Analytical RowMaryleboneOxfordZZ9 9ZZ")
    expect(browser.summary_value("Preferred way to be contacted")).to_have_text("Phone call")
    expect(browser.summary_value("Date of birth")).to_have_text("11 December 1985")
    expect(browser.summary_value("Format for letters and documents")).to_have_text(
        "Large print (16 point or larger)"
    )
    ada.refresh_from_db()
    assert (ada.family_name, ada.town, ada.preferred_contact) == ("King", "Oxford", "phone")
    assert ada.information_format == "large_print"


def test_contact_details_are_checked_and_a_person_another_icb_holds_is_not_named(
    browser, icb, other_icb, password
):
    """Bad postcodes and phone numbers are refused in words; an NHS number another ICB has
    registered cannot be added, and the page does not say which ICB."""
    BudgetHolderFactory(organisation=other_icb, nhs_number="9434765870")
    lead = Staff(Role.PHB_LEAD, icb)
    page = browser.page
    browser.sign_in_with_code(lead.user, lead.secret, password)

    browser.click("Add a person")
    browser.fill("First name", "Grace")
    browser.fill("Last name", "Hopper")
    browser.fill("NHS number", "943 476 5870")
    browser.fill_date("Date of birth", datetime.date(1956, 12, 9))
    browser.fill("Address line 1", "2 Compiler Lane")
    browser.fill("Town or city", "Leeds")
    browser.fill("Postcode", "LS1")
    browser.fill("Phone number", "12345")
    browser.choose("Letter")
    browser.choose("Section 117 aftercare (right to have)")
    browser.submit("Save details")
    browser.expect_problem(POSTCODE_MESSAGE, page.get_by_label("Postcode", exact=True))
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(PHONE_MESSAGE)
    assert not BudgetHolder.objects.filter(organisation=icb).exists()

    browser.fill("Postcode", "ls1 4ap")
    browser.fill("Phone number", "+44 113 496 0001")
    browser.submit("Save details")
    main = page.get_by_role("main")
    expect(main).to_contain_text("This person cannot be added here")
    expect(main).not_to_contain_text(other_icb.name)
    assert not BudgetHolder.objects.filter(organisation=icb).exists()

    browser.fill("NHS number", "943 476 5862")
    browser.submit("Save details")
    expect(browser.heading).to_have_text("Grace Hopper")
    expect(browser.summary_value("Address")).to_have_text("2 Compiler LaneLeedsLS1 4AP")
    expect(browser.summary_value("Phone")).to_have_text("0113 496 0001")
