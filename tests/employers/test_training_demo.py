"""The demo training: standards and core training for each PA of a demo employer, one module
expiring within 28 days, nothing without a demo employer, and the same again on a second run."""

import datetime

import pytest
from django.utils import timezone

from employers.demo_training import EXPIRING_MODULE, STANDARDS_DONE, seed_training
from employers.models.training import ModuleKind, TrainingRecord
from employers.services.training import CORE_MODULES
from tests.employers.factories import EmployerFactory, PaUserFactory, PersonalAssistantFactory
from tests.factories import BudgetHolderFactory, HolderUserFactory

pytestmark = pytest.mark.django_db


def test_nothing_is_made_without_a_demo_employer(icb):
    EmployerFactory(budget_holder=BudgetHolderFactory(organisation=icb, user=HolderUserFactory()))
    PersonalAssistantFactory(employer=EmployerFactory())
    seed_training()
    assert not TrainingRecord.objects.exists()


def test_the_demo_employers_pas_have_training_once(icb):
    holder = BudgetHolderFactory(organisation=icb, user=HolderUserFactory(is_demo=True))
    employer = EmployerFactory(budget_holder=holder)
    PersonalAssistantFactory(employer=employer, user=PaUserFactory(), full_name="Amy Able")
    PersonalAssistantFactory(employer=employer, full_name="Ben Best")
    seed_training()
    seed_training()
    records = TrainingRecord.objects.filter(assistant__full_name="Amy Able")
    assert records.filter(module__kind=ModuleKind.CARE_CERTIFICATE).count() == STANDARDS_DONE
    assert records.filter(module__kind=ModuleKind.CORE).count() == len(CORE_MODULES)
    expiring = records.get(module__name=EXPIRING_MODULE)
    today = timezone.localdate()
    assert today < expiring.expires_on <= today + datetime.timedelta(days=28)
    assert TrainingRecord.objects.count() == 2 * (STANDARDS_DONE + len(CORE_MODULES))
