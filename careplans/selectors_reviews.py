"""Reads for the review, reconsideration and stopping pages, scoped to the user's ICB."""

import datetime

from django.db.models import Exists, OuterRef
from django.utils import timezone

from careplans.models import (
    BudgetStop,
    CarePlan,
    PlanStatus,
    PlanVersion,
    ReconsiderationOutcome,
    ReconsiderationRequest,
    RepaymentRequest,
    Review,
    ReviewStatus,
)


def of_plans_in_use(reviews, today: datetime.date):
    """Only the reviews of plans still in use: a version is active, and the budget paying for
    it has not stopped by `today` (the daily task ends such a plan, and cancels its review, just
    after midnight)."""
    in_use = PlanVersion.objects.filter(
        plan_id=OuterRef("plan_id"), status=PlanStatus.ACTIVE
    ).exclude(budget__stop__effective_on__lte=today)
    return reviews.filter(Exists(in_use))


def reviews_due(organisation, *, before: datetime.date | None = None):
    """The ICB's reviews due (only those due before `before`) of plans in use, soonest first,
    with the person."""
    due = of_plans_in_use(
        Review.objects.filter(
            status=ReviewStatus.DUE, plan__budget_holder__organisation=organisation
        ),
        timezone.localdate(),
    )
    if before is not None:
        due = due.filter(due_on__lt=before)
    return due.select_related("plan__budget_holder").order_by("due_on", "id")


def review_for(user, pk) -> Review | None:
    return (
        Review.objects.visible_to(user)
        .select_related("plan__budget_holder__organisation")
        .filter(pk=pk)
        .first()
    )


def holder_id_of_review(pk):
    return Review.objects.filter(pk=pk).values_list("plan__budget_holder_id", flat=True).first()


def plan_of(holder) -> CarePlan | None:
    return CarePlan.objects.filter(budget_holder=holder).first()


def open_requests(organisation):
    """Requests for reconsideration not yet decided, the longest waiting first."""
    return (
        ReconsiderationRequest.objects.filter(
            decided_at__isnull=True, budget_holder__organisation=organisation
        )
        .select_related("budget_holder")
        .order_by("received_on", "id")
    )


# What `reconsideration.describe` reads of each kind of decision, and whose it is.
DECISION_NAMES = (
    "budget_holder",
    "plan_decision__version",
    "budget_change",
    "repayment",
    "budget_stop",
)


def changes_to_make(organisation):
    """Decisions changed on reconsideration that are not yet recorded as put into effect, the
    longest waiting first (a partial index holds just these)."""
    return (
        ReconsiderationRequest.objects.filter(
            outcome=ReconsiderationOutcome.CHANGED,
            change_made_on__isnull=True,
            budget_holder__organisation=organisation,
        )
        .select_related(*DECISION_NAMES)
        .order_by("decided_at", "id")
    )


def request_for(user, pk) -> ReconsiderationRequest | None:
    return (
        ReconsiderationRequest.objects.visible_to(user)
        .select_related("budget_holder")
        .filter(pk=pk)
        .first()
    )


def holder_id_of_request(pk):
    return (
        ReconsiderationRequest.objects.filter(pk=pk)
        .values_list("budget_holder_id", flat=True)
        .first()
    )


def repayment_for(user, pk) -> RepaymentRequest | None:
    return (
        RepaymentRequest.objects.visible_to(user)
        .select_related("budget__budget_holder")
        .filter(pk=pk)
        .first()
    )


def holder_id_of_repayment(pk):
    return (
        RepaymentRequest.objects.filter(pk=pk)
        .values_list("budget__budget_holder_id", flat=True)
        .first()
    )


def is_stopped(budget) -> bool:
    return BudgetStop.objects.filter(budget=budget).exists()
