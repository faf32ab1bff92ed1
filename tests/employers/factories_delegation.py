"""Training, delegated tasks, delegations and competences for delegation tests (issue 11).
Made directly: the journeys that make them through the services are tested on their own."""

import datetime

import factory
from django.utils import timezone

from employers.models import (
    Competence,
    CompetenceStatus,
    DelegatedTask,
    Delegation,
    Funding,
    ModuleKind,
    RiskLevel,
    TrainingModule,
    TrainingRecord,
)
from tests.factories import OrganisationFactory, UserFactory


class TrainingModuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingModule

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Task training {n}")
    kind = ModuleKind.TASK
    refresh_months = 12


class TrainingRecordFactory(factory.django.DjangoModelFactory):
    """Completed a month before the tests' today (23 November 2026), valid for a year."""

    class Meta:
        model = TrainingRecord

    module = factory.SubFactory(TrainingModuleFactory)
    provider = "Community nursing team"
    completed_on = datetime.date(2026, 10, 23)
    expires_on = datetime.date(2027, 10, 23)
    funding = Funding.ICB
    recorded_by = factory.SubFactory(UserFactory)


class DelegatedTaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DelegatedTask

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"PEG feeding {n}")
    description = "Feeds and flushes through a PEG tube."
    risk_level = RiskLevel.MEDIUM
    review_months = 12


class DelegationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Delegation

    task = factory.SubFactory(DelegatedTaskFactory)
    how_it_applies = "Overnight feed at 10pm."
    persons_choice = "I want my PA to do it, not a nurse."
    consent_given_on = datetime.date(2026, 11, 1)
    stability = "Stable for two years."
    complexity = "Routine."
    risk_level = RiskLevel.MEDIUM
    benefits = "No waiting for the district nurse."
    professional_body = "NMC"
    registration_number = "12A3456B"
    created_by = factory.SelfAttribute("practitioner")


def ready_competence(delegation, assistant, *, employer_user) -> Competence:
    """Everything done but the sign-off: agreed by all three, trained, assessed and passed."""
    now = timezone.now()
    return Competence.objects.create(
        delegation=delegation,
        assistant=assistant,
        status=CompetenceStatus.IN_PROGRESS,
        practitioner_agreed_at=now,
        employer_agreed_at=now,
        employer_agreed_by=employer_user,
        pa_agreed_at=now,
        training_delivered_on=datetime.date(2026, 11, 2),
        training_delivered_by="Nurse Jones",
        assessed_on=datetime.date(2026, 11, 3),
        observations="Safe and confident.",
        assessment_passed=True,
        assessment_recorded_at=now,
    )


def delegation_universe(users: dict, holder, pa) -> dict:
    """For the route matrix: a task of the holder's ICB delegated for them by its clinician,
    and the PA's competence, nothing yet agreed."""
    task = DelegatedTaskFactory(organisation=holder.organisation)
    delegation = DelegationFactory(task=task, budget_holder=holder, practitioner=users["clinician"])
    competence = Competence.objects.create(delegation=delegation, assistant=pa)
    return {
        "delegated_task": {"pk": task.pk},
        "delegation_person": {"pk": holder.pk},
        "delegation": {"pk": delegation.pk},
        "competence": {"pk": competence.pk},
    }
