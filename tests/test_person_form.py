"""Bad input gets a clear message and changes nothing."""

import pytest
from django.urls import reverse

from phb.models import BudgetHolder

pytestmark = pytest.mark.django_db


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


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("nhs_number", "943 476 5918", "Enter a real NHS number, like 943 476 5919"),
        ("nhs_number", "12345", "NHS number must be 10 digits, like 943 476 5919"),
        ("nhs_number", "٩٤٣٤٧٦٥٩١٩", "NHS number must be 10 digits, like 943 476 5919"),
        ("date_of_birth_day", "31", None),
        ("date_of_birth_year", "2999", "Date of birth must be in the past"),
        ("given_name", "", "Enter a first name"),
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


def test_a_duplicate_nhs_number_is_refused(client, phb_lead, holder):
    client.force_login(phb_lead)
    response = client.post(reverse("person_create"), valid_data(nhs_number=holder.nhs_number))
    assert "already on a caseload" in response.content.decode()
    assert BudgetHolder.objects.count() == 1


def test_clinicians_cannot_add_people(client, clinician):
    client.force_login(clinician)
    assert client.post(reverse("person_create"), valid_data()).status_code == 404
    assert BudgetHolder.objects.count() == 0
