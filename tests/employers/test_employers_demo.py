"""The demo employer: Alex Morgan employs two PAs, one aged 19 when they started and one with
their own sign-in, and his insurance runs out within 60 days. Seeding twice changes nothing."""

import datetime

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from employers import selectors
from employers.models import Competence, CompetenceStatus, Delegation, Employer, PersonalAssistant
from employers.selectors import EXPIRING

pytestmark = pytest.mark.django_db


@override_settings(PHB_DEMO_MODE=True)
def test_the_demo_employer(capsys):
    call_command("seed_demo")
    assert "dana.brooks@example.org" in capsys.readouterr().out
    call_command("seed_demo", quiet=True)
    employer = Employer.objects.get()
    assert employer.budget_holder.full_name == "Alex Morgan"
    riley, dana = PersonalAssistant.objects.order_by("-full_name")
    assert (riley.starts_on - riley.date_of_birth).days // 365 == 19
    assert dana.user.email == "dana.brooks@example.org" and riley.user is None
    today = timezone.localdate()
    items = selectors.expiring_in_icb(employer.budget_holder.organisation, today)
    assert [item.what for item in items] == ["Employer's liability insurance"]
    assert items[0].on <= today + datetime.timedelta(days=60)
    insurance = next(
        duty
        for duty in selectors.checklist(selectors.employer_of(employer.budget_holder), today)
        if duty.section == "insurance"
    )
    assert insurance.state == EXPIRING


@override_settings(PHB_DEMO_MODE=True)
def test_the_demo_delegation_has_a_pa_signed_off_and_one_being_assessed():
    """Alex's PEG feeding, delegated by the North clinician through the services: Dana signed
    off with a review inside the task's interval, Riley started; seeding again adds nothing."""
    call_command("seed_demo", quiet=True)
    call_command("seed_demo", quiet=True)
    delegation = Delegation.objects.get()
    assert (delegation.task.name, delegation.budget_holder.full_name) == (
        "PEG feeding",
        "Alex Morgan",
    )
    today = timezone.localdate()
    current = Competence.objects.current(today).get()
    assert current.assistant.user.email == "dana.brooks@example.org"
    assert today < current.review_on <= today + datetime.timedelta(days=366)
    learning = Competence.objects.exclude(pk=current.pk).get()
    assert learning.status == CompetenceStatus.IN_PROGRESS
    assert learning.practitioner_agreed_at is not None and learning.pa_agreed_at is None
