"""Reads of care and support plans, scoped to the user, in a fixed number of queries."""

from django.db.models import Prefetch

from budgets.models import BudgetStatus
from budgets.models.budget import LIVE_STATUSES
from careplans.models import (
    AgendaItem,
    BudgetStop,
    CarePlan,
    Goal,
    GoalAction,
    ItemDecision,
    PlanLetter,
    PlanStatus,
    PlanVersion,
    Review,
    SupportItem,
)
from careplans.models.reviews import ReviewStatus
from phb.extensions import read_once
from phb.models import Representative


def version_detail_queryset():
    """A version with everything its page shows, however many rows it has."""
    return PlanVersion.objects.select_related(
        "plan__budget_holder__organisation",
        "budget",
        "representative__user",
        "created_by",
        "submitted_by",
        "decision__decided_by",
        "decision__session",
    ).prefetch_related(
        Prefetch(
            "goals",
            queryset=Goal.objects.prefetch_related("actions", "support_items"),
        ),
        Prefetch(
            "support_items",
            queryset=SupportItem.objects.select_related("portion").prefetch_related("goals"),
        ),
        "professional_contacts",
        "personal_contacts",
        "risks",
        Prefetch("decision__items", queryset=ItemDecision.objects.select_related("item")),
        "status_changes__by",
        Prefetch("agenda_items", queryset=AgendaItem.objects.select_related("session")),
        "budget__portions",
    )


def version_for(user, pk) -> PlanVersion | None:
    return version_detail_queryset().visible_to(user).filter(pk=pk).first()


def holder_id_of_version(pk):
    return (
        PlanVersion.objects.filter(pk=pk).values_list("plan__budget_holder_id", flat=True).first()
    )


def plan_of(holder) -> CarePlan | None:
    return CarePlan.objects.filter(budget_holder=holder).first()


def versions_of(plan) -> list[PlanVersion]:
    return list(plan.versions.order_by("-number")) if plan is not None else []


def versions_of_holder(holder) -> list[PlanVersion]:
    """The person's plan versions, newest first: for read_once, so that a page's sections
    share one read."""
    return versions_of(read_once(holder, plan_of))


def current_version(versions: list[PlanVersion]) -> PlanVersion | None:
    """The version to show first: the one being worked on, else the one in use, else the
    latest."""
    for statuses in (
        (PlanStatus.DRAFT, PlanStatus.SUBMITTED),
        (PlanStatus.ACTIVE,),
    ):
        found = next((v for v in versions if v.status in statuses), None)
        if found is not None:
            return found
    return versions[0] if versions else None


def in_use_version(versions: list[PlanVersion]) -> PlanVersion | None:
    return next((v for v in versions if v.status == PlanStatus.ACTIVE), None)


def letters_for(holder):
    return PlanLetter.objects.filter(budget_holder=holder).select_related("version")


def letter_for(user, pk) -> PlanLetter | None:
    return (
        PlanLetter.objects.visible_to(user)
        .select_related("budget_holder__organisation", "version")
        .filter(pk=pk)
        .first()
    )


def holder_id_of_letter(pk):
    return PlanLetter.objects.filter(pk=pk).values_list("budget_holder_id", flat=True).first()


def budgets_for_plan(holder):
    """The person's budgets a plan may name (not withdrawn ones), newest first."""
    return holder.budgets.exclude(status=BudgetStatus.WITHDRAWN).order_by("-period_start")


def plan_agreed_outside(holder):
    """The person's live budget whose care and support plan was approved outside this service
    (recorded on the budget, ADR 0024), for when no plan of theirs here was decided: its
    date and reference only."""
    return (
        holder.budgets.filter(status__in=LIVE_STATUSES, plan_approved_at__isnull=False)
        .order_by("-period_start")
        .only("pk", "budget_holder_id", "plan_approved_at", "plan_reference")
        .first()
    )


def representatives_of(holder):
    return Representative.objects.current().filter(budget_holder=holder).select_related("user")


def row_of(model, version, pk):
    """One goal, action, contact, risk or item of this version, or None."""
    rows = model.objects.all()
    rows = (
        rows.filter(goal__version=version) if model is GoalAction else rows.filter(version=version)
    )
    return rows.filter(pk=pk).first()


def version_by_id(pk) -> PlanVersion | None:
    """A version and what its PDF prints, for the PDF worker (the request was checked)."""
    return version_detail_queryset().filter(pk=pk).first()


def letter_by_id(pk) -> PlanLetter | None:
    """A letter for the PDF worker (the request was checked)."""
    return PlanLetter.objects.select_related("budget_holder__organisation").filter(pk=pk).first()


def stop_of(version):
    """The stop of the budget a version's plan pays for, if it was stopped."""
    if version.budget_id is None:
        return None
    return BudgetStop.objects.filter(budget_id=version.budget_id).first()


def due_review_of(version):
    """The review of a version's plan due now, if one is."""
    return (
        Review.objects.filter(plan_id=version.plan_id, status=ReviewStatus.DUE)
        .order_by("due_on")
        .first()
    )
