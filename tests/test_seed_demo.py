import pytest
from allauth.account.models import EmailAddress
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
    # Every demo sign-in address is verified, as if its password had been set from the
    # emailed link, so a demo holder can turn on two-step sign-in.
    alex = User.objects.get(email="alex.morgan@example.org")
    assert list(alex.emailaddress_set.values_list("email", "verified", "primary")) == [
        ("alex.morgan@example.org", True, True)
    ]
    assert not EmailAddress.objects.filter(user__is_demo=True, verified=False).exists()


@override_settings(PHB_DEMO_MODE=False, DEBUG=False)
def test_seed_demo_refuses_outside_demo_mode():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("seed_demo", quiet=True)


@override_settings(PHB_DEMO_MODE=True)
def test_the_demos_review_reminders_name_alex_morgan_to_each_of_them(
    national_rates, tax_year_figures
):
    """What the README promises `make run` shows: a reminder of Alex Morgan's review for his
    care coordinator, the PHB lead and him (a lead with other reviews due gets them in one
    email, ADR 0039)."""
    from phb.models import Message

    call_command("seed_demo", quiet=True)
    alex = BudgetHolder.objects.get(nhs_number="9990004110")
    messages = Message.objects.filter(organisation=alex.organisation)
    roles = {
        m.recipient_role
        for m in messages
        if alex.full_name in m.body or m.budget_holder_id == alex.pk
    }
    assert {"Care coordinator", "PHB lead", "The person"} <= roles
