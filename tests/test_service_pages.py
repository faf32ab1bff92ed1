"""The pages every NHS service has: accessibility statement, privacy notice, cookies, contact.
Anyone may read them, signed in or not."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils.html import escape

from phb.models import Role
from phb.views.service_pages import cookies_in_use
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

PAGES = {
    "accessibility_statement": "Accessibility statement for Personal health budgets",
    "privacy_notice": "Privacy notice",
    "cookies": "Cookies",
    "contact": "Contact us",
}
FOOTER = {
    "Accessibility statement": "/accessibility-statement/",
    "Contact us": "/contact/",
    "Cookies": "/cookies/",
    "Privacy notice": "/privacy-notice/",
}


def assert_footer_links(html: str) -> None:
    for text, href in FOOTER.items():
        assert re.search(rf'<a [^>]*href="{re.escape(href)}"[^>]*>\s*{text}\s*</a>', html), text


def h1(response) -> str:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", response.content.decode(), re.S)
    return match.group(1).strip() if match else ""


def footer(response) -> str:
    html = response.content.decode()
    return html[html.index('<footer class="nhsuk-footer"') :]


@pytest.fixture
def north(icb):
    icb.phone = "0113 496 0000"
    icb.email = "phb.team@north.example.nhs.uk"
    icb.address_line_1 = "Example House, 1 Example Way"
    icb.town = "Northtown"
    icb.postcode = "ZZ9 1NA"
    icb.opening_hours = "Monday to Friday, 9am to 5pm"
    icb.save()
    return icb


@pytest.mark.parametrize("name", PAGES)
def test_each_page_opens_for_a_visitor_who_is_not_signed_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert h1(response) == PAGES[name]


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("who", ["holder", "representative", "phb_lead", "icb_admin"])
def test_each_page_opens_for_someone_signed_in(client, request, name, who):
    user = request.getfixturevalue(who)
    client.force_login(user.user if who == "holder" else user)
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert h1(response) == PAGES[name]


@pytest.mark.parametrize("name", PAGES)
def test_staff_can_read_them_before_setting_up_a_second_factor(client, icb, name):
    client.force_login(UserFactory(role=Role.CARE_COORDINATOR, organisation=icb))
    assert client.get(reverse(name)).status_code == 200
    # ... while staff pages still send them to set one up.
    assert client.get(reverse("caseload")).status_code == 302


@pytest.mark.parametrize("name", PAGES)
def test_they_only_answer_get_and_head(client, name):
    assert client.head(reverse(name)).status_code == 200
    assert client.post(reverse(name)).status_code == 405


@pytest.mark.parametrize("path", ["/accounts/login/", "/contact/", "/no-such-page/"])
def test_every_page_footer_links_to_the_four_pages_for_a_visitor(client, path):
    html = footer(client.get(path))
    assert_footer_links(html)


def test_every_page_footer_links_to_the_four_pages_when_signed_in(client, phb_lead):
    client.force_login(phb_lead)
    html = footer(client.get(reverse("caseload")))
    assert_footer_links(html)


# Accessibility statement


def test_accessibility_statement_says_what_was_tested_and_how(client):
    html = client.get(reverse("accessibility_statement")).content.decode()
    package = json.loads((Path(settings.BASE_DIR) / "package.json").read_text())
    assert f"axe-core {package['devDependencies']['axe-core']} in the Chromium browser" in html
    assert f"NHS.UK frontend {package['dependencies']['nhsuk-frontend']}" in html
    assert "Web Content Accessibility Guidelines version 2.2" in html
    assert "partially compliant" in html
    assert "has not yet had a manual accessibility audit" in html
    assert "This statement was prepared on 23 November 2026" in html


def test_accessibility_statement_has_the_enforcement_procedure(client):
    html = client.get(reverse("accessibility_statement")).content.decode()
    assert (
        "The Equality and Human Rights Commission (EHRC) is responsible for enforcing the Public "
        "Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018"
    ) in html
    assert "Equality Advisory and Support Service (EASS)" in html


def test_accessibility_statement_names_the_sign_out_time_limit_when_it_is_short(client, settings):
    settings.SESSION_COOKIE_AGE = 8 * 60 * 60
    html = client.get(reverse("accessibility_statement")).content.decode()
    assert "signed out about 8 hours after you sign in" in html
    assert "2.2.1 (Timing Adjustable)" in html

    settings.SESSION_COOKIE_AGE = 14 * 24 * 60 * 60  # over WCAG's 20-hour exception
    html = client.get(reverse("accessibility_statement")).content.decode()
    assert "2.2.1" not in html


def test_accessibility_statement_gives_a_signed_in_persons_team(client, holder, north):
    client.force_login(holder.user)
    html = client.get(reverse("accessibility_statement")).content.decode()
    assert "0113 496 0000" in html


def test_accessibility_statement_links_a_visitor_to_the_contact_page(client):
    html = client.get(reverse("accessibility_statement")).content.decode()
    assert f'<a href="{reverse("contact")}">Find your personal health budget team' in html


# Privacy notice


def test_privacy_notice_gives_the_lawful_bases_rights_and_the_ico(client):
    html = client.get(reverse("privacy_notice")).content.decode()
    for words in (
        "UK GDPR Article 6(1)(e)",
        "UK GDPR Article 9(2)(h)",
        "Schedule 1, Part 1, paragraph 2",
        "is the controller",
        "subject access request",
        "Information Commissioner’s Office (ICO)",
        "0303 123 1113",
        "A record of who looked at what",
        "How long it is kept",
        "If you are a personal assistant",
        "If you work for an ICB",
        "If you are a representative or nominee",
    ):
        assert words in html, words


def test_privacy_notice_names_a_signed_in_persons_controller(client, holder):
    client.force_login(holder.user)
    html = client.get(reverse("privacy_notice")).content.decode()
    assert f"For you, that is {escape(holder.organisation.name)}." in html


def test_privacy_notice_names_every_icb_a_representative_deals_with(
    client, representative, other_icb
):
    from tests.factories import BudgetHolderFactory, RepresentativeFactory

    elsewhere = BudgetHolderFactory(organisation=other_icb)
    RepresentativeFactory(user=representative, budget_holder=elsewhere)
    client.force_login(representative)
    html = client.get(reverse("privacy_notice")).content.decode()
    assert "For you, that is NHS North Test Integrated Care Board and NHS South Test" in html


# Cookies


def test_cookies_page_names_the_cookies_the_settings_name(client, settings):
    settings.SESSION_COOKIE_NAME = "__Host-phb-session"
    settings.CSRF_COOKIE_NAME = "__Host-phb-csrf"
    html = client.get(reverse("cookies")).content.decode()
    assert "__Host-phb-session" in html
    assert "__Host-phb-csrf" in html
    assert "sessionid" not in html
    assert "analytics" in html  # ... in "does not use cookies to measure how people use it"


def test_cookies_page_says_when_the_session_cookie_runs_out(client, settings):
    settings.SESSION_COOKIE_AGE = 8 * 60 * 60
    html = client.get(reverse("cookies")).content.decode()
    assert "When you sign out or close your browser, and 8 hours after you sign in" in html
    assert "After 52 weeks" in html  # Django's CSRF cookie


def test_every_cookie_the_service_sets_is_on_the_cookies_page(client, holder, icb_admin, password):
    """Sign in (a holder), then save something with a message (an ICB administrator): every
    cookie any response sets must be named on the cookies page."""
    seen = set()

    def visit(response):
        seen.update(response.cookies.keys())
        return response

    visit(client.get(reverse("account_login")))
    visit(client.post(reverse("account_login"), {"login": holder.user.email, "password": password}))
    visit(client.get(reverse("holder_home")))
    client.force_login(icb_admin)
    visit(
        client.post(
            reverse("icb_contact_details"),
            {"phone": "0113 496 0000"},
        )
    )
    visit(client.get(reverse("icb_contact_details")))
    assert {"sessionid", "csrftoken", "messages"} <= seen
    listed = {cookie["name"] for cookie in cookies_in_use()}
    assert seen <= listed, f"not on the cookies page: {seen - listed}"
    html = client.get(reverse("cookies")).content.decode()
    for name in listed:
        assert re.search(rf">\s*{name}\s*</td>", html), name


# Contact


def test_contact_page_gives_a_signed_in_holder_their_own_teams_details(
    client, holder, north, other_icb
):
    other_icb.phone = "0117 496 0000"
    other_icb.save()
    client.force_login(holder.user)
    html = client.get(reverse("contact")).content.decode()
    assert f"Contact your personal health budget team at {escape(north.name)}." in html
    assert '<a href="tel:+441134960000">0113 496 0000</a>' in html
    assert "mailto:phb.team@north.example.nhs.uk" in html
    assert "Example House, 1 Example Way<br>Northtown<br>ZZ9 1NA" in html
    assert "Monday to Friday, 9am to 5pm" in html
    assert "0117 496 0000" not in html
    assert escape(other_icb.name) not in html


def test_contact_page_gives_staff_their_own_icbs_details(client, phb_lead, north):
    client.force_login(phb_lead)
    html = client.get(reverse("contact")).content.decode()
    assert "0113 496 0000" in html


def test_contact_page_says_plainly_when_an_icb_has_recorded_nothing(client, holder):
    client.force_login(holder.user)
    html = client.get(reverse("contact")).content.decode()
    assert (
        f"Contact your personal health budget team at {escape(holder.organisation.name)}." in html
    )
    assert "has not added its phone number, email address or postal address" in html
    assert "tel:" not in html


def test_contact_page_lists_every_icb_for_a_visitor(client, north, other_icb):
    html = client.get(reverse("contact")).content.decode()
    assert f"<h3>{escape(north.name)}</h3>" in html
    assert f"<h3>{escape(other_icb.name)}</h3>" in html
    assert "0113 496 0000" in html
    assert "This ICB has not added its contact details to this service yet." in html


def test_contact_page_lists_every_icb_for_someone_the_service_cannot_place(client, north):
    client.force_login(UserFactory(role=None, organisation=None))
    html = client.get(reverse("contact")).content.decode()
    assert "cannot tell which ICB" in html
    assert "0113 496 0000" in html


def test_contact_page_with_no_icbs_says_where_to_look(client):
    html = client.get(reverse("contact")).content.decode()
    assert "Contact the personal health budget team at your integrated care board (ICB)." in html


def test_contact_page_queries_do_not_grow_with_icbs(client, django_assert_max_num_queries):
    OrganisationFactory()
    with django_assert_max_num_queries(3):
        client.get(reverse("contact"))
    for _ in range(10):
        OrganisationFactory(phone="0113 496 0001")
    with django_assert_max_num_queries(3):
        assert client.get(reverse("contact")).status_code == 200
