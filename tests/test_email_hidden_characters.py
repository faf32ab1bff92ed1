"""An email address holding a space or a character that shows nothing (a zero-width space) is
refused: Django checks the domain with it dropped but keeps it, so the address would look the
same as someone else's and be another account."""

import datetime

import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone

from phb.forms import NHSFormMixin
from phb.models import User
from phb.staff_forms import StaffMemberForm
from tests.test_icb_contact_details import GOOD, errors, send

pytestmark = pytest.mark.django_db

NHS_EMAIL = "Enter an email address in the correct format, like name@example.nhs.uk"
EMAIL = "Enter an email address in the correct format, like name@example.com"
ZWSP = "\u200b"


def _date(prefix, day: datetime.date) -> dict:
    return {f"{prefix}_day": day.day, f"{prefix}_month": day.month, f"{prefix}_year": day.year}


def test_an_address_that_looks_like_a_colleagues_is_refused(client, icb_admin):
    client.force_login(icb_admin)
    page = {"full_name": "Casey Clinician", "roles": ["clinician"]}
    page |= _date("starts_on", timezone.localdate())
    first = client.post(reverse("staff_create"), page | {"email": "clinician@north.example.nhs.uk"})
    assert first.status_code == 302
    response = client.post(
        reverse("staff_create"), page | {"email": f"clinician@north.example{ZWSP}.nhs.uk"}
    )
    assert response.status_code == 200
    assert dict(response.context["form"].errors) == {"email": [NHS_EMAIL]}
    assert User.objects.filter(email__startswith="clinician@").count() == 1


def test_the_icb_contact_email_may_not_hold_a_zero_width_space(client, icb_admin, icb):
    client.force_login(icb_admin)
    response = send(client, GOOD | {"email": f"phb.team@north.example.nhs.uk{ZWSP}"})
    assert response.status_code == 200
    assert errors(response) == {"email": [NHS_EMAIL]}
    icb.refresh_from_db()
    assert not icb.has_contact_details


@pytest.mark.parametrize(
    "email",
    [
        f"clinician@north.example{ZWSP}.nhs.uk",
        f"clinician{ZWSP}@north.example.nhs.uk",
        "clinician@north.example\u2060.nhs.uk",  # word joiner
        "\ufeffclinician@north.example.nhs.uk",  # byte order mark
        "clinician@north.example\u00ad.nhs.uk",  # soft hyphen
        "clinician@north.\u202eexample.nhs.uk",  # turns the text round
        "clinician@north example.nhs.uk",
        "clinician@north.example.nhs.uk\u00a0x",
    ],
)
def test_every_hidden_character_is_refused_once(email):
    form = StaffMemberForm(data={"full_name": "Casey Clinician", "email": email})
    form.is_valid()
    assert form.errors["email"] == [NHS_EMAIL]


def test_a_plain_address_with_spaces_around_it_is_kept_without_them():
    form = StaffMemberForm(data={"email": "  clinician@north.example.nhs.uk "})
    form.is_valid()
    assert form.cleaned_data["email"] == "clinician@north.example.nhs.uk"


class ContactForm(NHSFormMixin, forms.Form):
    email = forms.EmailField(label="Email address", required=False)


def test_any_email_box_refuses_it_in_the_house_words():
    form = ContactForm(data={"email": f"pa@example{ZWSP}.com"})
    assert form.errors == {"email": [EMAIL]}
    assert ContactForm(data={"email": "pa@example.com"}).is_valid()
