"""The footer's pages and an ICB's contact details, in a real browser with axe on every page."""

import re

import pytest
from playwright.sync_api import expect

from phb.models import Organisation, Role
from tests.factories import UserFactory, add_totp, totp_code

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True),
]


def follow(browser, landmark: str, name: str) -> None:
    """Follow a link in the footer ("contentinfo") or the header's menu ("navigation")."""
    with browser.page.expect_navigation():
        browser.page.get_by_role(landmark).get_by_role("link", name=name, exact=True).click()
    browser.check_accessibility()


def test_a_visitor_reads_the_four_pages_linked_from_the_footer(browser, icb):
    Organisation.objects.filter(pk=icb.pk).update(
        phone="0113 496 0000", opening_hours="Monday to Friday, 9am to 5pm"
    )
    page = browser.page
    heading = page.get_by_role("heading", level=1)

    browser.goto("/accounts/login/")
    follow(browser, "contentinfo", "Accessibility statement")
    expect(heading).to_have_text("Accessibility statement for Personal health budgets")
    expect(page.get_by_role("heading", name="Enforcement procedure")).to_be_visible()
    browser.screenshot("accessibility-statement")

    follow(browser, "contentinfo", "Privacy notice")
    expect(heading).to_have_text("Privacy notice")
    expect(page.get_by_text("UK GDPR Article 9(2)(h)", exact=False)).to_be_visible()

    follow(browser, "contentinfo", "Cookies")
    expect(heading).to_have_text("Cookies")
    expect(page.get_by_role("table")).to_contain_text("sessionid")
    expect(page.get_by_role("table")).to_contain_text("csrftoken")
    browser.screenshot("cookies")

    follow(browser, "contentinfo", "Contact us")
    expect(heading).to_have_text("Contact us")
    expect(page.get_by_role("heading", name=icb.name)).to_be_visible()
    expect(page.get_by_role("link", name="0113 496 0000")).to_be_visible()
    browser.screenshot("contact-us")


def test_an_icb_administrator_records_their_teams_contact_details(browser, icb, holder, password):
    admin = UserFactory(role=Role.ICB_ADMIN, organisation=icb)
    secret = add_totp(admin)
    page = browser.page
    heading = page.get_by_role("heading", level=1)

    browser.sign_in(admin.email, password)
    browser.enter_security_code(totp_code(secret))
    follow(browser, "navigation", "Contact details")
    expect(heading).to_have_text("Contact details for your personal health budget team")
    expect(page.get_by_text("has no contact details in this service yet")).to_be_visible()

    browser.fill("Phone number", "12345")
    browser.fill("Address line 1", "Example House, 1 Example Way")
    browser.submit("Save contact details")
    expect(page).to_have_title(re.compile("^Error: "))
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Enter a UK phone number, like 0113 496 0000")
    expect(summary).to_contain_text("Enter the town or city")
    expect(summary).to_contain_text("Enter the postcode")
    browser.screenshot("icb-contact-details-errors")

    browser.fill("Phone number", "0113 496 0000")
    browser.fill("Email address", "personalhealthbudgets@north.example.nhs.uk")
    browser.fill("Town or city", "Northtown")
    browser.fill("Postcode", "zz9 1na")
    browser.fill("Opening hours", "Monday to Friday, 9am to 5pm")
    browser.submit("Save contact details")
    expect(page.locator(".nhsuk-error-summary")).to_have_count(0)
    expect(page.get_by_text("contact details have been saved")).to_be_visible()
    expect(page.get_by_label("Postcode", exact=True)).to_have_value("ZZ9 1NA")
    expect(page.get_by_role("link", name="0113 496 0000")).to_be_visible()
    browser.screenshot("icb-contact-details-saved")

    # The person sees them on their own page.
    page.context.clear_cookies()
    browser.sign_in(holder.user.email, password)
    expect(heading).to_have_text("Your personal health budget")
    expect(page.get_by_role("link", name="0113 496 0000")).to_be_visible()
    expect(page.get_by_text("Monday to Friday, 9am to 5pm")).to_be_visible()
