"""Each ICB records how people reach its personal health budget team; every page and letter
that tells someone to contact the team gives those details, and never makes any up."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.template import Context, Template
from django.test import override_settings
from django.urls import reverse
from django.utils.html import escape

from phb.models import Organisation, Role
from phb.services import update_icb_contact_details
from tests.factories import UserFactory, add_totp
from tests.html import links

pytestmark = pytest.mark.django_db

GOOD = {
    "phone": "+44 (0)113 496 0000",
    "email": "phb.team@north.example.nhs.uk",
    "address_line_1": "Example House, 1 Example Way",
    "address_line_2": "",
    "town": "Northtown",
    "postcode": "zz91na",
    "opening_hours": "Monday to Friday, 9am to 5pm",
}


def url(icb=None) -> str:
    """The page is always about the ICB the user acts for: there is no other ICB's to open."""
    return reverse("icb_contact_details")


def send(client, data) -> object:
    """Post the page as a browser does: with the hidden time it was drawn (`seen`)."""
    page = client.get(url())
    seen = re.search(r'name="seen" value="([^"]*)"', page.content.decode())
    return client.post(url(), data | ({"seen": seen.group(1)} if seen else {}))


def errors(response) -> dict:
    return {name: list(messages) for name, messages in response.context["form"].errors.items()}


# The page


def test_an_icb_administrator_saves_their_icbs_contact_details(client, icb_admin, icb):
    client.force_login(icb_admin)
    response = send(client, GOOD)
    assert response.status_code == 302
    assert response["Location"] == url(icb)
    icb.refresh_from_db()
    assert (icb.phone, icb.email, icb.postcode) == (
        "0113 496 0000",
        "phb.team@north.example.nhs.uk",
        "ZZ9 1NA",
    )
    assert icb.opening_hours == "Monday to Friday, 9am to 5pm"
    page = client.get(url(icb)).content.decode()
    assert "contact details have been saved" in page
    assert '<a href="tel:+441134960000">0113 496 0000</a>' in page


def test_the_change_is_audited_with_who_made_it(client, icb_admin, icb):
    client.force_login(icb_admin)
    send(client, GOOD)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT e.phone, c.metadata->>'user'
            FROM phb_organisationevent e JOIN pghistory_context c ON c.id = e.pgh_context_id
            WHERE e.pgh_obj_id = %s AND e.pgh_label = 'update'
            """,
            [icb.pk],
        )
        assert cursor.fetchall() == [("0113 496 0000", str(icb_admin.pk))]


def test_everything_may_be_left_empty(client, icb_admin, icb):
    client.force_login(icb_admin)
    send(client, GOOD)
    response = send(client, dict.fromkeys(GOOD, ""))
    assert response.status_code == 302
    icb.refresh_from_db()
    assert not icb.has_contact_details


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("phone", "12345", "Enter a UK phone number, like 0113 496 0000"),
        ("phone", "+33 1 23 45 67 89", "Enter a UK phone number, like 0113 496 0000"),
        ("phone", "0113 496 000", "Enter a UK phone number, like 0113 496 0000"),
        ("phone", "0" * 31, "Enter a UK phone number, like 0113 496 0000"),
        (
            "email",
            "phb.team",
            "Enter an email address in the correct format, like name@example.nhs.uk",
        ),
        ("email", "a" * 250 + "@example.nhs.uk", "Email address must be 254 characters or fewer"),
        ("postcode", "ZZ9", "Enter a full UK postcode, like LS1 4AP"),
        ("postcode", "NOT A POSTCODE", "Enter a full UK postcode, like LS1 4AP"),
        ("address_line_1", "x" * 201, "Address line 1 must be 200 characters or fewer"),
        ("town", "x" * 101, "Town or city must be 100 characters or fewer"),
        ("opening_hours", "x" * 201, "Opening hours must be 200 characters or fewer"),
    ],
)
def test_bad_input_is_refused_with_a_plain_message(client, icb_admin, icb, field, value, message):
    client.force_login(icb_admin)
    response = send(client, GOOD | {field: value})
    assert response.status_code == 200
    assert errors(response) == {field: [message]}
    page = response.content.decode()
    assert "There is a problem" in page
    assert (f"#id_{field}", message) in links(page)
    assert "<title>Error: " in page
    icb.refresh_from_db()
    assert not icb.has_contact_details


def test_a_partial_address_says_what_is_missing(client, icb_admin, icb):
    client.force_login(icb_admin)
    response = send(client, dict.fromkeys(GOOD, "") | {"address_line_2": "Flat 2"})
    assert errors(response) == {
        "address_line_1": ["Enter address line 1, typically the building and street"],
        "town": ["Enter the town or city"],
        "postcode": ["Enter the postcode"],
    }


def test_a_refused_postcode_in_a_partial_address_gets_one_message(client, icb_admin, icb):
    client.force_login(icb_admin)
    response = send(client, dict.fromkeys(GOOD, "") | {"postcode": "ZZ9"})
    assert errors(response) == {
        "address_line_1": ["Enter address line 1, typically the building and street"],
        "town": ["Enter the town or city"],
        "postcode": ["Enter a full UK postcode, like LS1 4AP"],
    }


def test_the_page_shows_the_saved_details_not_the_refused_ones(client, icb_admin, icb):
    client.force_login(icb_admin)
    send(client, GOOD)
    response = send(client, GOOD | {"phone": "0117 496 0000", "postcode": "ZZ9"})
    preview = response.content.decode().split("What people see now")[1]
    assert "0113 496 0000" in preview
    assert "0117 496 0000" not in preview


def test_the_page_says_when_nothing_is_recorded(client, icb_admin, icb):
    client.force_login(icb_admin)
    page = client.get(url(icb)).content.decode()
    assert "has no contact details in this service yet" in page


@pytest.mark.parametrize(
    "who", ["phb_lead", "care_coordinator", "clinician", "finance_officer", "panel_member"]
)
def test_other_staff_of_the_icb_get_404(client, request, icb, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(url(icb)).status_code == 404
    assert send(client, GOOD).status_code == 404


def test_an_administrator_of_another_icb_changes_only_their_own(client, icb, other_icb):
    admin = UserFactory(role=Role.ICB_ADMIN, organisation=other_icb)
    add_totp(admin)
    client.force_login(admin)
    assert send(client, GOOD).status_code == 302
    icb.refresh_from_db()
    other_icb.refresh_from_db()
    assert not icb.has_contact_details
    assert other_icb.has_contact_details


@pytest.mark.parametrize("who", ["holder", "representative"])
def test_budget_holders_and_representatives_get_404(client, request, icb, who):
    user = request.getfixturevalue(who)
    client.force_login(user.user if who == "holder" else user)
    assert client.get(url(icb)).status_code == 404


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(client, icb):
    response = client.get(url(icb))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_header_link_takes_an_icb_administrator_to_their_own_icb(client, icb_admin, icb):
    client.force_login(icb_admin)
    page = client.get(reverse("caseload")).content.decode()
    assert f'href="{url()}"' in page
    assert icb.name in client.get(url()).content.decode()


def test_other_staff_have_no_header_link(client, phb_lead):
    client.force_login(phb_lead)
    page = client.get(reverse("caseload")).content.decode()
    assert url() not in page


# The service and the database


def test_the_service_refuses_a_field_that_is_not_contact_details(icb_admin, icb):
    with pytest.raises(TypeError, match="name"):
        update_icb_contact_details(actor=icb_admin, organisation=icb, name="Renamed ICB")
    with pytest.raises(TypeError, match="ods_code"):
        update_icb_contact_details(actor=icb_admin, organisation=icb, ods_code="QQQ")


@pytest.mark.parametrize("who", ["phb_lead", "other_icb_admin"])
def test_the_service_refuses_anyone_but_that_icbs_administrator(request, icb, other_icb, who):
    actor = (
        UserFactory(role=Role.ICB_ADMIN, organisation=other_icb)
        if who == "other_icb_admin"
        else request.getfixturevalue(who)
    )
    with pytest.raises(PermissionDenied):
        update_icb_contact_details(actor=actor, organisation=icb, phone="0113 496 0000")


def test_the_service_checks_what_it_saves(icb_admin, icb):
    with pytest.raises(ValidationError) as error:
        update_icb_contact_details(actor=icb_admin, organisation=icb, phone="999")
    assert error.value.message_dict == {"phone": ["Enter a UK phone number, like 0113 496 0000"]}


def test_the_service_refuses_half_an_address(icb_admin, icb):
    with pytest.raises(ValidationError) as error:
        update_icb_contact_details(actor=icb_admin, organisation=icb, town="Northtown")
    assert error.value.message_dict == {
        "address_line_1": ["Enter address line 1, typically the building and street"],
        "postcode": ["Enter the postcode"],
    }


def test_the_service_stores_numbers_and_postcodes_one_way(icb_admin, icb):
    icb = update_icb_contact_details(
        actor=icb_admin,
        organisation=icb,
        phone="01174960000",
        address_line_1="1 Example Way",
        town="Southtown",
        postcode=" zz9  2sa ",
    )
    assert (icb.phone, icb.postcode) == ("0117 496 0000", "ZZ9 2SA")


@pytest.mark.parametrize(
    "changes",
    [
        {"phone": "not a number"},
        {"email": "nobody"},
        {"postcode": "zz9 1na"},
        {"address_line_1": "1 Example Way"},  # no town or postcode
        {"town": "Northtown", "postcode": "ZZ9 1NA"},  # no first line
    ],
)
def test_the_database_refuses_what_the_service_would(icb, changes):
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.filter(pk=icb.pk).update(**changes)


# The contact block, on pages and in letters


def render_contact(organisation) -> str:
    template = Template("{% load service_tags %}{% icb_contact organisation %}")
    return template.render(Context({"organisation": organisation}))


def test_the_block_gives_everything_recorded(icb):
    for field, value in GOOD.items():
        setattr(icb, field, value)
    icb.phone = "0113 496 0000"
    icb.postcode = "ZZ9 1NA"
    html = render_contact(icb)
    assert f"Contact your personal health budget team at {escape(icb.name)}." in html
    keys = [
        " ".join(key.split())
        for key in re.findall(r'<dt class="nhsuk-summary-list__key"\s*>([^<]*)</dt>', html)
    ]
    assert keys == ["Phone", "Opening hours", "Email", "Address"]
    assert ("tel:+441134960000", "0113 496 0000") in links(html)
    assert "mailto:phb.team@north.example.nhs.uk" in dict(links(html))
    assert "Example House, 1 Example Way<br>Northtown<br>ZZ9 1NA" in html


def test_the_block_gives_only_what_is_recorded(icb):
    icb.email = "phb.team@north.example.nhs.uk"
    html = render_contact(icb)
    assert "mailto:" in html
    assert "tel:" not in html
    assert "Address" not in html


def test_the_block_with_nothing_recorded_invents_nothing(icb):
    html = render_contact(icb)
    assert html.strip() == (
        f"<p>Contact your personal health budget team at {escape(icb.name)}.</p>"
    )


def test_the_block_escapes_what_an_administrator_typed(icb):
    icb.opening_hours = "<script>alert(1)</script>"
    icb.address_line_1 = "1 <b>Example</b> Way"
    icb.town = "Northtown"
    icb.postcode = "ZZ9 1NA"
    html = render_contact(icb)
    assert "<script>" not in html
    assert "<b>" not in html
    assert "1 &lt;b&gt;Example&lt;/b&gt; Way" in html


@pytest.fixture
def north(icb):
    Organisation.objects.filter(pk=icb.pk).update(
        phone="0113 496 0000",
        email="phb.team@north.example.nhs.uk",
        address_line_1="Example House, 1 Example Way",
        town="Northtown",
        postcode="ZZ9 1NA",
        opening_hours="Monday to Friday, 9am to 5pm",
    )
    icb.refresh_from_db()
    return icb


def test_the_holders_page_gives_their_teams_details(client, holder, north):
    client.force_login(holder.user)
    html = client.get(reverse("holder_home")).content.decode()
    assert "If you have a question or something here is wrong" in html
    assert f"Contact your personal health budget team at {escape(north.name)}." in html
    assert '<a href="tel:+441134960000">0113 496 0000</a>' in html
    assert "Monday to Friday, 9am to 5pm" in html
    assert 'href="#contact-your-team"' in html  # from the budget section


def test_a_representative_sees_the_team_of_the_person_they_act_for(client, representative, north):
    client.force_login(representative)
    html = client.get(reverse("holder_home")).content.decode()
    assert "0113 496 0000" in html


def test_the_holders_page_invents_nothing_when_nothing_is_recorded(client, holder):
    client.force_login(holder.user)
    html = client.get(reverse("holder_home")).content.decode()
    assert (
        f"Contact your personal health budget team at {escape(holder.organisation.name)}." in html
    )
    assert "tel:" not in html


def test_someone_with_no_record_is_pointed_to_the_contact_page(client):
    client.force_login(UserFactory(role=None, organisation=None))
    html = client.get(reverse("holder_home")).content.decode()
    assert f'<a href="{reverse("contact")}">Contact your personal health budget team</a>' in html


@override_settings(PHB_DEMO_MODE=True)
def test_demo_icbs_have_fictional_contact_details():
    call_command("seed_demo", quiet=True)
    call_command("seed_demo", quiet=True)
    north, south = Organisation.objects.order_by("ods_code")
    assert north.phone == "0113 496 0000"  # an Ofcom drama number
    assert south.phone == "0117 496 0000"
    assert north.email.endswith("@north.example.nhs.uk")
    assert south.email.endswith("@south.example.nhs.uk")
    for icb in (north, south):
        icb.full_clean()
        assert icb.opening_hours.startswith("Monday to Friday")


def test_a_save_from_an_older_tab_is_refused_not_written_over_a_newer_one(client, icb_admin, icb):
    client.force_login(icb_admin)
    html = client.get(url()).content.decode()
    stale = re.search(r'name="seen" value="([^"]*)"', html).group(1)
    assert send(client, GOOD).status_code == 302  # another tab saves first
    response = client.post(url(), GOOD | {"phone": "0117 496 0000", "seen": stale}, follow=True)
    assert "Someone changed" in response.content.decode()
    assert "Nothing was changed." in response.content.decode()
    icb.refresh_from_db()
    assert icb.phone == "0113 496 0000"
    for garbled in ("", "yesterday", "2026-11-23"):
        response = client.post(url(), GOOD | {"phone": "0117 496 0000", "seen": garbled})
        assert response.status_code == 200
        icb.refresh_from_db()
        assert icb.phone == "0113 496 0000"
