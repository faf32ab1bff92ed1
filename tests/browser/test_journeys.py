"""People's journeys through the service in a real browser, with axe on every page."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from phb.models import BudgetHolder, Role
from tests.factories import BudgetHolderFactory, UserFactory, add_totp, totp_code

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True),
]


def test_a_phb_lead_signs_in_with_a_code_and_finds_a_person_on_their_caseload(
    browser, icb, other_icb, password
):
    lead = UserFactory(role=Role.PHB_LEAD, organisation=icb)
    secret = add_totp(lead)
    BudgetHolderFactory(organisation=icb, given_name="Ada", family_name="Lovelace")
    BudgetHolderFactory(organisation=icb, given_name="Grace", family_name="Hopper")
    BudgetHolderFactory(organisation=icb, given_name="Mary", family_name="Somerville")
    BudgetHolderFactory(organisation=other_icb, given_name="Alan", family_name="Lovelace")
    page = browser.page

    browser.sign_in(lead.email, password)
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your security code")
    expect(page.get_by_text("Enter the 6-digit code from your authenticator app")).to_be_visible()
    browser.screenshot("security-code")
    browser.enter_security_code(totp_code(secret))

    expect(page.get_by_role("heading", level=1)).to_have_text("Caseload")
    expect(page.get_by_role("main").get_by_text(icb.name, exact=True)).to_be_visible()
    people = page.get_by_role("table").locator("tbody").get_by_role("link")
    expect(people).to_have_text(["Hopper, Grace", "Lovelace, Ada", "Somerville, Mary"])
    browser.screenshot("caseload")

    # A phone's stacked table hides its headings, and their sort links then take no focus
    # (WCAG 2.4.7): the same sorts are in the form, at every width.
    size = page.viewport_size
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_role("button", name="Search").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('thead') === null")
    page.set_viewport_size(size)
    browser.select("Sort by", "Name, Z to A")
    browser.submit("Search")
    expect(people).to_have_text(["Somerville, Mary", "Lovelace, Ada", "Hopper, Grace"])

    browser.fill("Search by name or NHS number", "Lovelace")
    browser.submit("Search")
    expect(page.get_by_text("1 person found for ‘Lovelace’")).to_be_visible()
    expect(people).to_have_text(["Lovelace, Ada"])

    browser.click("Lovelace, Ada")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ada Lovelace")
    expect(page.get_by_role("heading", name="Personal details")).to_be_visible()


def test_staff_without_a_second_factor_must_set_up_an_authenticator_app_first(
    browser, icb, password
):
    coordinator = UserFactory(role=Role.CARE_COORDINATOR, organisation=icb)
    page = browser.page

    browser.sign_in(coordinator.email, password)
    # allauth asks for the password again before any change to how someone signs in.
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it is you")
    browser.fill("Password", password)
    browser.submit("Continue")
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your authenticator app")
    qr_code = page.get_by_role("img", name=re.compile("QR code"))
    expect(qr_code).to_be_visible()
    secret = page.locator("#authenticator_secret").inner_text()
    browser.screenshot("set-up-authenticator")

    # Staff pages stay closed until it is set up.
    browser.goto("/caseload/")
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/$"))

    browser.fill("Security code", "000000" if totp_code(secret) != "000000" else "111111")
    browser.submit("Turn on your authenticator app")
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    expect(page).to_have_title(re.compile("^Error: "))

    # The page shows a new secret each time; use the one now on the page.
    secret = page.locator("#authenticator_secret").inner_text()
    browser.fill("Security code", totp_code(secret))
    browser.submit("Turn on your authenticator app")
    browser.goto("/caseload/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Caseload")


def test_a_wrong_security_code_is_refused(browser, icb, password):
    lead = UserFactory(role=Role.PHB_LEAD, organisation=icb)
    secret = add_totp(lead)
    wrong = f"{(int(totp_code(secret)) + 1) % 1_000_000:06d}"
    page = browser.page

    browser.sign_in(lead.email, password)
    browser.enter_security_code(wrong)

    expect(page).to_have_title(re.compile("^Error: "))
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text("The security code is not right")
    expect(page.locator(".nhsuk-form-group--error #id_code")).to_be_visible()
    expect(page.locator("#id_code-error")).to_contain_text("The security code is not right")
    browser.screenshot("wrong-code")

    # Until a right code is entered the caseload stays closed: it asks for the code again.
    browser.goto("/caseload/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your security code")
    expect(page.get_by_role("heading", name="Caseload")).to_have_count(0)


def test_a_budget_holder_sees_only_their_own_budget(browser, holder, other_holder, password):
    page = browser.page

    browser.sign_in(holder.user.email, password)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your personal health budget")
    expect(page.get_by_text(holder.formatted_nhs_number)).to_be_visible()

    response = browser.goto(f"/your-budget/{other_holder.pk}/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.get_by_text(other_holder.full_name)).to_have_count(0)
    expect(page.get_by_text(other_holder.formatted_nhs_number)).to_have_count(0)

    browser.goto("/accounts/logout/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign out")
    browser.submit("Sign out")
    browser.goto("/your-budget/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")


def test_someone_who_has_forgotten_their_password_asks_for_a_reset_link(browser, holder):
    page = browser.page
    browser.goto("/accounts/login/")
    browser.click("Forgotten your password?")
    expect(page.get_by_role("heading", level=1)).to_have_text("Reset your password")

    browser.submit("Send the reset link")
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("There is a problem")
    expect(page.locator(".nhsuk-form-group--error #id_email")).to_be_visible()

    browser.fill("Email address", holder.user.email)
    browser.submit("Send the reset link")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    assert [message.to for message in mail.outbox] == [[holder.user.email]]


def test_nobody_can_create_their_own_account(browser):
    browser.goto("/accounts/signup/")
    expect(browser.page.get_by_role("heading", level=1)).to_have_text(
        "You cannot create an account here"
    )
    browser.click("sign in")
    expect(browser.page.get_by_role("heading", level=1)).to_have_text("Sign in")


def test_an_invalid_nhs_number_is_explained_and_nothing_is_saved(browser, icb, password):
    lead = UserFactory(role=Role.PHB_LEAD, organisation=icb)
    secret = add_totp(lead)
    page = browser.page
    browser.sign_in(lead.email, password)
    browser.enter_security_code(totp_code(secret))

    browser.click("Add a person")
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a person")
    browser.fill("First name", "Ada")
    browser.fill("Last name", "Lovelace")
    browser.fill("NHS number", "943 476 5918")
    browser.fill("Day", "10")
    browser.fill("Month", "12")
    browser.fill("Year", "1985")
    browser.fill("Address line 1", "1 Analytical Row")
    browser.fill("Town or city", "London")
    browser.fill("Postcode", "ZZ9 9ZZ")
    page.get_by_label("Letter", exact=True).check()
    page.get_by_label("NHS Continuing Healthcare (right to have)").check()
    browser.submit("Save details")

    expect(page).to_have_title(re.compile("^Error: "))
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("There is a problem")
    nhs_number = page.get_by_label("NHS number", exact=True)
    expect(nhs_number).to_have_value("943 476 5918")
    browser.screenshot("add-a-person-error")

    summary.get_by_role("link", name="Enter a real NHS number").click()
    expect(nhs_number).to_be_focused()
    assert not BudgetHolder.objects.exists()
