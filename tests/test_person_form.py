"""Bad input gets a clear message and changes nothing."""

from html import unescape

import pytest
from django.contrib.messages import get_messages
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from phb.models import AccessOutcome, BudgetHolder, RecordAccess

pytestmark = pytest.mark.django_db


def flashed(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def valid_data(**overrides):
    data = {
        "given_name": "Ada",
        "family_name": "Lovelace",
        "nhs_number": "943 476 5919",
        "date_of_birth_day": "10",
        "date_of_birth_month": "12",
        "date_of_birth_year": "1985",
        "address_line_1": "1 Analytical Row",
        "town": "London",
        "postcode": "zz9 9zz",
        "preferred_contact": "letter",
        "eligibility": "chc",
    }
    return data | overrides


def test_adding_a_person_saves_them_normalised_in_the_users_icb(client, phb_lead):
    client.force_login(phb_lead)
    response = client.post(reverse("person_create"), valid_data())
    person = BudgetHolder.objects.get()
    assert response["Location"] == reverse("person_detail", args=[person.pk])
    assert person.nhs_number == "9434765919"
    assert person.postcode == "ZZ9 9ZZ"
    assert person.organisation == phb_lead.acting_organisation
    assert person.gp_practice == ""
    page = client.get(reverse("person_detail", args=[person.pk])).content.decode()
    assert "GP practice" in page


def test_a_persons_gp_practice_is_recorded_and_shown(client, phb_lead):
    """The PRSB care plan standard's demographics include the GP practice."""
    client.force_login(phb_lead)
    client.post(reverse("person_create"), valid_data(gp_practice="  Riverside Medical Centre "))
    person = BudgetHolder.objects.get()
    assert person.gp_practice == "Riverside Medical Centre"
    page = client.get(reverse("person_detail", args=[person.pk])).content.decode()
    assert "Riverside Medical Centre" in page
    response = client.post(reverse("person_create"), valid_data(gp_practice="x" * 201))
    assert "GP practice must be 200 characters or fewer" in response.content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("nhs_number", "943 476 5918", "Enter a real NHS number, like 943 476 5919"),
        ("nhs_number", "12345", "NHS number must be 10 digits, like 943 476 5919"),
        ("nhs_number", "٩٤٣٤٧٦٥٩١٩", "NHS number must be 10 digits, like 943 476 5919"),
        ("date_of_birth_day", "31", None),
        ("date_of_birth_year", "2999", "Date of birth must be in the past"),
        ("given_name", "", "Enter a first name"),
        # Zero-width spaces, a word joiner and a byte order mark: a name no one can read.
        ("given_name", "\u200b \u2060\ufeff", "Enter a first name"),
        # A right-to-left override would show the name backwards in every list.
        ("family_name", "Love\u202elace", "Last name must not contain hidden characters"),
    ],
)
def test_bad_input_shows_an_error_summary_and_saves_nothing(
    client, phb_lead, field, value, message
):
    client.force_login(phb_lead)
    data = valid_data(**{field: value})
    if field == "date_of_birth_day":
        data["date_of_birth_month"] = "2"  # 31 February
    response = client.post(reverse("person_create"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "nhsuk-error-summary" in page
    assert "There is a problem" in page
    if message:
        assert message in page
    assert BudgetHolder.objects.count() == 0


def test_a_person_already_on_your_caseload_is_named(client, phb_lead, holder):
    client.force_login(phb_lead)
    response = client.post(reverse("person_create"), valid_data(nhs_number=holder.nhs_number))
    assert f"{holder.full_name} already has this NHS number on your caseload" in unescape(
        response.content.decode()
    )
    assert BudgetHolder.objects.count() == 1


def test_a_person_another_icb_holds_is_refused_without_saying_which_and_logged(
    client, phb_lead, other_icb_holder, caplog, settings
):
    settings.PHB_SERVICE_DESK_EMAIL = "service.desk@example.nhs.uk"
    # A name no generated one shares: the lead's own generated name is on the page.
    other_icb_holder.family_name = "Quennell-Oyelaran"
    other_icb_holder.save()
    client.force_login(phb_lead)
    with caplog.at_level("WARNING", logger="phb.security"):
        response = client.post(
            reverse("person_create"), valid_data(nhs_number=other_icb_holder.formatted_nhs_number)
        )
    page = unescape(response.content.decode())
    assert response.status_code == 200
    assert (
        "You cannot add this person here: someone with this NHS number is already registered "
        "by another personal health budget team"
    ) in page
    assert "contact that ICB's personal health budget team to move their record" in page
    assert "service.desk@example.nhs.uk" in page
    # Nothing about who they are or which ICB holds them.
    assert other_icb_holder.organisation.name not in page
    assert other_icb_holder.organisation.ods_code not in page
    assert other_icb_holder.family_name not in page
    assert BudgetHolder.objects.count() == 1
    # Logged: the security log, and a refused entry in that person's access log.
    assert "Refused adding NHS number already registered elsewhere" in caplog.text
    access = RecordAccess.objects.get(budget_holder_id=other_icb_holder.pk)
    assert (access.user, access.outcome, access.what) == (
        phb_lead,
        AccessOutcome.REFUSED,
        "add a person (NHS number already registered)",
    )


def test_changing_a_number_to_one_another_icb_holds_is_refused_and_logged(
    client, phb_lead, holder, other_icb_holder
):
    client.force_login(phb_lead)
    data = edit_data(holder) | {"nhs_number": other_icb_holder.nhs_number}
    response = client.post(reverse("person_edit", args=[holder.pk]), data)
    assert "already registered by another personal health budget team" in response.content.decode()
    holder.refresh_from_db()
    assert holder.nhs_number != other_icb_holder.nhs_number
    assert RecordAccess.objects.filter(
        budget_holder_id=other_icb_holder.pk, outcome=AccessOutcome.REFUSED
    ).exists()


def edit_data(holder) -> dict:
    return valid_data(
        given_name=holder.given_name,
        family_name=holder.family_name,
        nhs_number=holder.nhs_number,
        date_of_birth_day=str(holder.date_of_birth.day),
        date_of_birth_month=str(holder.date_of_birth.month),
        date_of_birth_year=str(holder.date_of_birth.year),
        address_line_1=holder.address_line_1,
        address_line_2=holder.address_line_2,
        town=holder.town,
        postcode=holder.postcode,
        email=holder.email,
        phone=holder.phone,
        preferred_contact=holder.preferred_contact,
        accessibility_needs=holder.accessibility_needs,
        eligibility=holder.eligibility,
    ) | _seen(holder)


def _seen(holder) -> dict:
    """When they were last changed, as the edit page shows it."""
    saved = BudgetHolder.objects.filter(pk=holder.pk).values_list("updated_at", flat=True)
    return {"seen": saved[0].isoformat()} if saved else {}


def update_events(holder) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM phb_budgetholderevent WHERE pgh_obj_id = %s "
            "AND pgh_label = 'update'",
            [holder.pk],
        )
        return cursor.fetchone()[0]


def test_saving_an_unchanged_form_writes_no_history(client, phb_lead, holder):
    client.force_login(phb_lead)
    url = reverse("person_edit", args=[holder.pk])
    # As it was, or typed differently but the same once tidied.
    for data in (
        edit_data(holder),
        edit_data(holder) | {"postcode": holder.postcode.lower().replace(" ", "")},
        edit_data(holder) | {"given_name": f"  {holder.given_name} "},
    ):
        response = client.post(url, data)
        assert response.status_code == 302
        assert "details have not changed" in flashed(response)
    assert update_events(holder) == 0
    response = client.post(url, edit_data(holder) | {"town": "Leeds"})
    assert "details have been saved" in flashed(response)
    assert update_events(holder) == 1


def test_saving_unchanged_icb_contact_details_writes_no_history(icb_admin, icb):
    from phb.services import update_icb_contact_details

    details = {"phone": "0113 496 0000", "email": "team@example.nhs.uk"}
    update_icb_contact_details(actor=icb_admin, organisation=icb, **details)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM phb_organisationevent WHERE pgh_obj_id = %s", [icb.pk])
        before = cursor.fetchone()[0]
        update_icb_contact_details(
            actor=icb_admin, organisation=icb, phone="01134960000", email="team@example.nhs.uk"
        )
        cursor.execute("SELECT count(*) FROM phb_organisationevent WHERE pgh_obj_id = %s", [icb.pk])
        assert cursor.fetchone()[0] == before


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("postcode", "LS1", "Enter a full UK postcode, like LS1 4AP"),
        ("postcode", "12345", "Enter a full UK postcode, like LS1 4AP"),
        ("postcode", "x" * 11, "Enter a full UK postcode, like LS1 4AP"),
        ("phone", "12345", "Enter a UK phone number, like 0113 496 0000"),
        ("phone", "+1 212 555 0100", "Enter a UK phone number, like 0113 496 0000"),
        ("phone", "0" * 31, "Enter a UK phone number, like 0113 496 0000"),
        (
            "email",
            "not an email",
            "Enter an email address in the correct format, like name@example.com",
        ),
        ("email", "a@" + "b" * 260 + ".com", "Email address must be 254 characters or fewer"),
        ("given_name", "x" * 101, "First name must be 100 characters or fewer"),
        ("address_line_1", "x" * 201, "Address line 1 must be 200 characters or fewer"),
        (
            "accessibility_needs",
            "x" * 1001,
            "Accessibility needs must be 1,000 characters or fewer",
        ),
    ],
)
def test_contact_details_are_checked(client, phb_lead, field, value, message):
    client.force_login(phb_lead)
    response = client.post(reverse("person_create"), valid_data(**{field: value}))
    assert message in unescape(response.content.decode())
    assert BudgetHolder.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "typed", "stored"),
    [
        ("phone", "01134960001", "0113 496 0001"),
        ("phone", "+44 (0)113 496 0002", "0113 496 0002"),
        ("postcode", " ls1 4ap ", "LS1 4AP"),
        ("email", " ada@example.org ", "ada@example.org"),
    ],
)
def test_contact_details_are_stored_in_one_readable_form(client, phb_lead, field, typed, stored):
    client.force_login(phb_lead)
    assert client.post(reverse("person_create"), valid_data(**{field: typed})).status_code == 302
    assert getattr(BudgetHolder.objects.get(), field) == stored


@pytest.mark.parametrize(
    ("field", "value", "constraint"),
    [
        ("postcode", "ABC 1234", "budget_holder_postcode_format"),
        ("phone", "12345", "budget_holder_phone_format"),
        ("email", "no at sign", "budget_holder_email_format"),
        ("accessibility_needs", "x" * 1001, "budget_holder_accessibility_needs_at_most_1000"),
    ],
)
def test_the_database_refuses_details_the_forms_would(holder, field, value, constraint):
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        BudgetHolder.objects.filter(pk=holder.pk).update(**{field: value})


def test_clinicians_cannot_add_people(client, clinician):
    client.force_login(clinician)
    assert client.post(reverse("person_create"), valid_data()).status_code == 404
    assert BudgetHolder.objects.count() == 0


def test_a_change_from_a_page_opened_before_anothers_is_refused(client, phb_lead, holder):
    """Two tabs open the person's details. The first saves a new phone number; the second,
    drawn before it, changes the email address: saving it would put the old phone number
    back, so it is refused, and nothing changes. Opened again, it saves."""
    client.force_login(phb_lead)
    url = reverse("person_edit", args=[holder.pk])
    second_tab = edit_data(holder)
    first = client.post(url, edit_data(holder) | {"phone": "0113 496 0999"})
    assert "details have been saved" in flashed(first)
    response = client.post(url, second_tab | {"email": "new.address@example.org"})
    assert response.status_code == 200
    html = unescape(response.content.decode())
    assert "There is a problem" in html
    assert f"Someone changed {holder.full_name}'s details after you opened this page." in html
    holder.refresh_from_db()
    assert (holder.phone, holder.email) == ("0113 496 0999", "")
    for garbage in ("", "yesterday", "2026-11-23T10:00:00"):
        response = client.post(url, edit_data(holder) | {"seen": garbage, "town": "Leeds"})
        assert "This page is out of date" in unescape(response.content.decode())
    again = client.post(url, edit_data(holder) | {"email": "new.address@example.org"})
    assert "details have been saved" in flashed(again)
    holder.refresh_from_db()
    assert (holder.phone, holder.email) == ("0113 496 0999", "new.address@example.org")


# Messages go to a person "as they prefer to be contacted": by email they need an email
# address, by text message a mobile number. A landline cannot take a text.
@pytest.mark.parametrize(
    ("contact", "field", "message"),
    [
        (
            {"preferred_contact": "email", "email": ""},
            "email",
            "Enter their email address, or choose another way to contact them",
        ),
        (
            {"preferred_contact": "text", "phone": ""},
            "phone",
            "Enter their mobile phone number, or choose another way to contact them",
        ),
        (
            {"preferred_contact": "text", "phone": "020 7946 0000"},
            "phone",
            "Text messages can only go to a mobile: enter their mobile phone number, or choose "
            "another way to contact them",
        ),
        # Reminders asked for too: the one thing missing is said once, at its box.
        (
            {"preferred_contact": "email", "email": "", "review_reminders": "on"},
            "email",
            "Enter their email address, or choose another way to contact them",
        ),
        # Not a phone number at all: only that is said.
        (
            {"preferred_contact": "text", "phone": "12345"},
            "phone",
            "Enter a UK phone number, like 0113 496 0000",
        ),
    ],
)
def test_a_way_to_contact_them_needs_its_address(client, phb_lead, contact, field, message):
    from phb.forms import BudgetHolderForm

    form = BudgetHolderForm(valid_data(**contact))
    assert not form.is_valid()
    assert form.errors.as_data().keys() == {field}
    assert form.errors[field] == [message]
    client.force_login(phb_lead)
    response = client.post(reverse("person_create"), valid_data(**contact))
    assert message in unescape(response.content.decode())
    assert BudgetHolder.objects.count() == 0


@pytest.mark.parametrize(
    ("contact", "stored"),
    [
        ({"preferred_contact": "email", "email": "ada@example.org"}, "ada@example.org"),
        ({"preferred_contact": "text", "phone": "+44 7123 456789"}, "07123 456789"),
        # A landline is fine for calls and letters.
        ({"preferred_contact": "phone", "phone": "020 7946 0000"}, "020 7946 0000"),
    ],
)
def test_a_way_to_contact_them_with_its_address_is_saved(client, phb_lead, contact, stored):
    client.force_login(phb_lead)
    assert client.post(reverse("person_create"), valid_data(**contact)).status_code == 302
    person = BudgetHolder.objects.get()
    assert stored in (person.email, person.phone)


def test_the_service_refuses_a_way_to_contact_them_without_its_address(phb_lead, holder):
    """Services check the rule themselves: a caller may not have used the form."""
    from django.core.exceptions import ValidationError

    from phb.services import create_budget_holder, update_budget_holder

    details = {
        "given_name": "Ada",
        "family_name": "Lovelace",
        "nhs_number": "9434765919",
        "date_of_birth": holder.date_of_birth,
        "address_line_1": "1 Analytical Row",
        "town": "London",
        "postcode": "ZZ9 9ZZ",
        "eligibility": "chc",
    }
    with pytest.raises(ValidationError) as refused:
        create_budget_holder(actor=phb_lead, **details, preferred_contact="email", email="")
    assert refused.value.message_dict == {
        "email": ["Enter their email address, or choose another way to contact them"]
    }
    assert not BudgetHolder.objects.filter(nhs_number="9434765919").exists()

    holder.phone = "020 7946 0000"
    holder.save()
    with pytest.raises(ValidationError) as refused:
        update_budget_holder(actor=phb_lead, budget_holder=holder, preferred_contact="text")
    assert list(refused.value.message_dict) == ["phone"]
    holder.refresh_from_db()
    assert holder.preferred_contact == "letter"

    changed = update_budget_holder(
        actor=phb_lead, budget_holder=holder, preferred_contact="text", phone="07123456789"
    )
    assert (changed.preferred_contact, changed.phone) == ("text", "07123 456789")
