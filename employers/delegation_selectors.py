"""Reading delegated tasks, delegations and competences, always through the user's scope: staff
see their ICB's, the employer's side their own person's, a PA only their own competences.
Anything else is None (a 404)."""

import datetime

from django.db.models import F, Prefetch, Q
from django.db.models.functions import TruncDate

from employers.models import (
    Competence,
    CompetenceStatus,
    DelegatedTask,
    Delegation,
    Employer,
    PersonalAssistant,
    PersonalAssistantStatus,
)
from phb.models import BudgetHolder

OPEN = (CompetenceStatus.IN_PROGRESS, CompetenceStatus.SIGNED_OFF, CompetenceStatus.SUSPENDED)
DUE_WITHIN = datetime.timedelta(days=28)


def tasks_of_icb(user):
    return DelegatedTask.objects.visible_to(user).prefetch_related("required_training")


def task_for(user, pk) -> DelegatedTask | None:
    return tasks_of_icb(user).filter(pk=pk).first()


def person_for(user, pk) -> BudgetHolder | None:
    return BudgetHolder.objects.in_caseload_of(user).filter(pk=pk).first()


def employer_for(user, pk) -> Employer | None:
    return Employer.objects.visible_to(user).select_related("budget_holder").filter(pk=pk).first()


def delegation_for(user, pk) -> Delegation | None:
    return (
        Delegation.objects.visible_to(user)
        .select_related("task", "budget_holder__organisation", "practitioner", "ended_by")
        .filter(pk=pk)
        .first()
    )


def competence_for(user, pk) -> Competence | None:
    return (
        Competence.objects.visible_to(user)
        .select_related(
            "delegation__task",
            "delegation__budget_holder__organisation",
            "delegation__practitioner",
            "assistant__employer",
            "signed_off_by",
            "stopped_by",
            "employer_agreed_by",
        )
        .filter(pk=pk)
        .first()
    )


def changes_of(competence):
    return competence.changes.select_related("by").order_by("at")


def _competences():
    return Competence.objects.select_related("assistant", "signed_off_by").order_by(
        "assistant__full_name", "-created_at"
    )


def delegations_of(holder):
    """The person's delegations that have not ended, each with its competences."""
    return (
        Delegation.objects.filter(budget_holder=holder, ended_on__isnull=True)
        .select_related("task", "practitioner")
        .prefetch_related(Prefetch("competences", queryset=_competences()))
        .order_by("task__name")
    )


def ended_delegations_of(holder):
    """The person's delegations that have ended, latest first (no cover comes from them)."""
    return (
        Delegation.objects.filter(budget_holder=holder, ended_on__isnull=False)
        .select_related("task")
        .order_by("-ended_on", "task__name")
    )


def is_current(competence, on: datetime.date) -> bool:
    """Signed off, not past review, and the PA still works for the person (a PA who has left
    gives no cover)."""
    return (
        competence.status == CompetenceStatus.SIGNED_OFF
        and competence.review_on is not None
        and competence.review_on >= on
        and competence.assistant.status != PersonalAssistantStatus.LEFT
    )


def cover(holder, *, on: datetime.date) -> list[dict]:
    """For every task delegated for the person: the PAs currently competent (signed off and
    not past review). No PA is a gap in cover. Three queries, whatever the numbers."""
    return [
        {
            "delegation": delegation,
            "competent": [c.assistant for c in delegation.competences.all() if is_current(c, on)],
        }
        for delegation in delegations_of(holder)
    ]


def competences_of_employer(employer):
    return (
        Competence.objects.filter(assistant__employer=employer)
        .select_related("assistant", "delegation__task", "signed_off_by")
        .order_by("assistant__full_name", "delegation__task__name", "-created_at")
    )


def own_competences(user):
    """The signed-in PA's own competences, of every employment."""
    return (
        Competence.objects.filter(assistant__in=PersonalAssistant.objects.filter(user_id=user.pk))
        .select_related("assistant__employer__budget_holder", "delegation__task", "signed_off_by")
        .order_by("delegation__task__name", "-created_at")
    )


def _queue_base(user):
    return (
        Competence.objects.filter(
            delegation__budget_holder__in=BudgetHolder.objects.in_caseload_of(user),
            status__in=OPEN,
        )
        .select_related("assistant", "delegation__task", "delegation__budget_holder")
        .order_by("review_on", "created_at")
    )


def work_queue(user, *, on: datetime.date) -> dict:
    """A clinician's work: sign-offs waiting (everything ready but the sign-off, training
    apart, which the sign-off page checks), reviews due within 28 days or overdue, and
    assessments in progress. Three queries."""
    agreed = Q(
        practitioner_agreed_at__isnull=False,
        employer_agreed_at__isnull=False,
        pa_agreed_at__isnull=False,
        training_delivered_on__isnull=False,
        assessment_passed=True,
    )
    # As sign_off_gaps: an assessment recorded since the last sign-off or suspension, dated
    # on or after its day and on or after the task training it relies on.
    fresh = (
        (
            Q(signed_off_at__isnull=True)
            | Q(
                assessment_recorded_at__gt=F("signed_off_at"),
                assessed_on__gte=TruncDate("signed_off_at"),
            )
        )
        & (
            Q(stopped_at__isnull=True)
            | Q(
                assessment_recorded_at__gt=F("stopped_at"),
                assessed_on__gte=TruncDate("stopped_at"),
            )
        )
        & Q(assessed_on__gte=F("training_delivered_on"))
    )
    waiting = list(_queue_base(user).filter(agreed & fresh))
    waiting_ids = {c.pk for c in waiting}
    due = [
        c
        for c in _queue_base(user).filter(
            status=CompetenceStatus.SIGNED_OFF, review_on__lte=on + DUE_WITHIN
        )
        if c.pk not in waiting_ids
    ]
    in_progress = [
        c
        for c in _queue_base(user).filter(
            status__in=[CompetenceStatus.IN_PROGRESS, CompetenceStatus.SUSPENDED]
        )
        if c.pk not in waiting_ids
    ]
    return {"waiting": waiting, "due": due, "in_progress": in_progress}
