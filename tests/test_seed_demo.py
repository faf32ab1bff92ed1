import pytest
from django.core.management import call_command
from django.test import override_settings

from phb.models import BudgetHolder, Organisation, Representative, User

pytestmark = pytest.mark.django_db


@override_settings(PHB_DEMO_MODE=True)
def test_seed_demo_is_idempotent():
    call_command("seed_demo", quiet=True)
    counts = (
        Organisation.objects.count(),
        User.objects.count(),
        BudgetHolder.objects.count(),
        Representative.objects.count(),
    )
    call_command("seed_demo", quiet=True)
    assert counts == (
        Organisation.objects.count(),
        User.objects.count(),
        BudgetHolder.objects.count(),
        Representative.objects.count(),
    )
    assert counts[0] == 2
    assert User.objects.filter(role_assignments__role="phb_lead").count() == 2
    shared = User.objects.get(email="finance.officer@shared.example.nhs.uk")
    assert [o.ods_code for o in shared.organisations] == ["QZA", "QZB"]
    assert User.objects.get(email="service.admin@example.nhs.uk").is_service_admin


@override_settings(PHB_DEMO_MODE=False, DEBUG=False)
def test_seed_demo_refuses_outside_demo_mode():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("seed_demo", quiet=True)
