import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from phb.models import Organisation, User

pytestmark = pytest.mark.django_db(transaction=True)


def test_add_icb_and_staff_user_emails_a_password_link():
    call_command("add_icb", "qe1", "NHS Example Integrated Care Board")
    call_command("add_staff_user", "ash@example.nhs.uk", "Ash Admin", "icb_admin", "QE1")
    user = User.objects.get(email="ash@example.nhs.uk")
    assert user.acting_organisation == Organisation.objects.get(ods_code="QE1")
    assert user.roles == {"icb_admin"}
    assert not user.has_usable_password()
    assert len(mail.outbox) == 1
    assert "http://127.0.0.1:8000/accounts/password/reset/key/" in mail.outbox[0].body


def test_a_service_administrator_is_added_without_an_icb():
    call_command("add_staff_user", "sam@example.nhs.uk", "Sam Service", "service_admin")
    user = User.objects.get(email="sam@example.nhs.uk")
    assert user.is_service_admin
    assert user.acting_organisation is None
    assert not user.is_staff_member


def test_an_icb_role_needs_an_icb():
    with pytest.raises(CommandError, match="Choose the ICB they work for"):
        call_command("add_staff_user", "ash@example.nhs.uk", "Ash Admin", "icb_admin")
    assert not User.objects.exists()


def test_an_unknown_organisation_is_refused_and_nothing_saved():
    with pytest.raises(CommandError, match="There is no ICB with the ODS code ZZZ"):
        call_command("add_staff_user", "ash@example.nhs.uk", "Ash Admin", "icb_admin", "ZZZ")
    assert not User.objects.exists()


def test_an_invalid_ods_code_is_refused():
    with pytest.raises(CommandError, match="ODS code"):
        call_command("add_icb", "not-a-code", "Somewhere")
    assert not Organisation.objects.exists()
