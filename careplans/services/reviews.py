"""Reviews: when each falls due, bringing one forward, and recording what it found.

The first review is due within 3 months of the first payment, or of the plan's approval if
that is later (the ICB may choose sooner); each later one at most 12 months after the last, or
sooner for a person at high risk, as the ICB's approval policy sets (DOMAIN.md §6). A plan
has one review due at a time (the database holds it to that); completing a review makes the
next one due. No review is due on or after the day the budget paying for the plan stops: one
due before then still happens, and is cancelled if it is not done by the time the stop takes
effect (`careplans.services.stopping.end_stopped_plans`).
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from budgets.calculations import add_months
from budgets.models import HoldingMethod, PaymentSchedule
from careplans.models import (
    BudgetStop,
    CarePlan,
    GoalProgress,
    PlanDecision,
    PlanStatus,
    ProgressRating,
    Review,
    ReviewKind,
    ReviewStatus,
    RiskLevel,
    StopReason,
)
from careplans.services.decisions import APPROVING, policy_for
from careplans.services.plans import new_version
from phb.models import Role, RoleAssignment, User
from phb.permissions import Permission, require


def interval_months(policy, risk_level: str) -> int:
    """How many months may pass between reviews for a person at this level of risk."""
    if risk_level == RiskLevel.HIGH:
        return policy.high_risk_review_months
    return policy.review_interval_months


# Ways of holding the money that are paid out, so have a first payment of their own.
PAID_OUT = (HoldingMethod.DIRECT_PAYMENT, HoldingMethod.THIRD_PARTY)


def first_review_due(policy, first_payment: datetime.date) -> datetime.date:
    return add_months(first_payment, policy.first_review_months)


def next_review_due(policy, last_review: datetime.date, risk_level: str) -> datetime.date:
    return add_months(last_review, interval_months(policy, risk_level))


def first_payment_date(holder) -> datetime.date | None:
    """The first payment of the person's budget: the earliest first instalment of any of their
    budgets (a budget held by the ICB alone is not paid out, so its start counts). None while
    money to be paid out (a direct payment, or to a third party) has no payment schedule."""
    return first_payment(holder)[0]


def first_payment(holder) -> tuple[datetime.date | None, str]:
    """`first_payment_date`, and what that day is in words: "the date of the first payment",
    or for a budget held by the ICB alone "the day the budget started"."""
    paid = PaymentSchedule.objects.filter(portion__budget__budget_holder=holder).aggregate(
        first=Min("first_payment_date")
    )["first"]
    if paid is not None:
        return paid, "the date of the first payment"
    held_by_the_icb = holder.budgets.filter(
        agreed_at__isnull=False, portions__method=HoldingMethod.NOTIONAL
    ).exclude(portions__method__in=PAID_OUT)
    return held_by_the_icb.aggregate(first=Min("period_start"))["first"], (
        "the day the budget started"
    )


def approved_on(plan) -> datetime.date | None:
    """The day the person's plan was first approved (None if it has not been)."""
    first = PlanDecision.objects.filter(version__plan=plan, outcome__in=APPROVING).aggregate(
        first=Min("decided_at")
    )["first"]
    return timezone.localtime(first).date() if first is not None else None


def first_review_counts_from(plan) -> tuple[datetime.date | None, str]:
    """The day the first review is counted from, and what that day is: the first payment, or
    the plan's approval if that was later (a review is never due before there was a plan to
    review). None until the first payment is known."""
    first = first_payment_date(plan.budget_holder)
    if first is None:
        return None, "the first payment"
    approved = approved_on(plan)
    if approved is not None and approved > first:
        return approved, "the plan's approval"
    return first, "the first payment"


NO_PLAN_TO_REVIEW = "This person has no plan in use, so there is no review to bring forward"


def due_review(plan) -> Review | None:
    return plan.reviews.filter(status=ReviewStatus.DUE).first()


# The plan's version in use, or coming into use: `schedule_first_review` runs as a version's
# status changes to active, before that change is saved.
IN_USE = (PlanStatus.ACTIVE, PlanStatus.APPROVED, PlanStatus.APPROVED_WITH_CHANGES)


def stop_of_plan(plan) -> BudgetStop | None:
    """The stop of the budget that pays for the plan in use, if that budget is stopping or has
    stopped: no review is due from the day it stops."""
    version = plan.versions.filter(status__in=IN_USE).order_by("-number").first()
    if version is None or version.budget_id is None:
        return None
    return BudgetStop.objects.filter(budget_id=version.budget_id).first()


def stop_words(stop) -> str:
    """The reason for a stop as a clause: "the person no longer consents"."""
    label = StopReason(stop.reason).label
    return label[0].lower() + label[1:]


def cancel_reviews(reviews, *, why: str) -> int:
    """Cancel those of `reviews` still due, saying why in each one's notes (a cancelled review
    has no findings). The database's audit trigger records who and when."""
    return reviews.filter(status=ReviewStatus.DUE).update(
        status=ReviewStatus.CANCELLED, notes=why, updated_at=timezone.now()
    )


def after_the_stop(stop, due_on: datetime.date, what: str) -> str:
    """Why no review is made due by `due_on`: it falls on or after the day the budget stops."""
    return (
        f"Not needed: {what} would be due by {due_on:%-d %B %Y}, on or after "
        f"{stop.effective_on:%-d %B %Y}, the day the personal health budget stops "
        f"({stop_words(stop)})."
    )


@transaction.atomic
def schedule_first_review(*, plan) -> Review | None:
    """Make the first review due, counting from the person's first payment, once their plan
    has been approved and a budget agreed. Called when a plan comes into use and when a payment
    schedule is set: a first review not yet done (nor brought forward) follows the first
    payment date; any other review is left as it is."""
    plan = CarePlan.objects.select_for_update().get(pk=plan.pk)
    first, _ = first_review_counts_from(plan)
    if first is None or approved_on(plan) is None:
        return None
    # A review looks at the plan in use: none is due for a plan no longer in use (its budget
    # stopped), nor from the day the budget paying for it stops.
    if not plan.versions.filter(status__in=IN_USE).exists():
        return None
    stop = stop_of_plan(plan)
    reviews = list(plan.reviews.exclude(status=ReviewStatus.CANCELLED))
    due_on = first_review_due(policy_for(plan.budget_holder.organisation), first)
    if stop is not None and due_on >= stop.effective_on:
        # A first review still due, that by the rules falls on or after the stop, is not
        # needed; one cancelled or done stays as it is.
        cancel_reviews(
            plan.reviews.filter(kind=ReviewKind.FIRST),
            why=after_the_stop(stop, due_on, "the first review"),
        )
        return None
    if not reviews:
        return Review.objects.create(plan=plan, kind=ReviewKind.FIRST, due_on=due_on)
    if len(reviews) == 1 and reviews[0].kind == ReviewKind.FIRST and reviews[0].due_on != due_on:
        review = reviews[0]
        if review.status == ReviewStatus.DUE:
            review.due_on = due_on
            review.save(update_fields=["due_on", "updated_at"])
        return review
    # A review brought forward before the first was done is the first review: it is due by
    # the earlier of its own date and the first-review date (the approval letter promises a
    # first review within the ICB's months of the first payment, or of the approval if later).
    if (
        len(reviews) == 1
        and reviews[0].kind == ReviewKind.BROUGHT_FORWARD
        and reviews[0].status == ReviewStatus.DUE
        and due_on < reviews[0].due_on
    ):
        review = reviews[0]
        review.due_on = due_on
        review.save(update_fields=["due_on", "updated_at"])
        return review
    return None


def _months(count: int) -> str:
    return f"{count} month{'' if count == 1 else 's'}"


def review_by_the_rules(plan, policy, today: datetime.date) -> tuple[datetime.date, str]:
    """When the rules would make the next review due, with none due now, and why in words:
    12 months (or the person's risk level's months) after the last review; the first review
    so many months after the first payment; or, before the first payment is known, no later
    than that many months from today (the first payment is not before today)."""
    last = plan.reviews.filter(status=ReviewStatus.COMPLETED).order_by("-completed_on").first()
    if last is not None:
        months = interval_months(policy, last.risk_level)
        return (
            next_review_due(policy, last.completed_on, last.risk_level),
            f"the next review is due at most {_months(months)} after the last one, on "
            f"{last.completed_on:%-d %B %Y}",
        )
    months = policy.first_review_months
    first, what = first_review_counts_from(plan)
    if first is not None:
        return (
            first_review_due(policy, first),
            f"the first review is due within {_months(months)} of {what}, on {first:%-d %B %Y}",
        )
    return (
        add_months(today, months),
        f"the first review is due within {_months(months)} of the first payment",
    )


@transaction.atomic
def bring_forward(*, actor, plan, due_on: datetime.date, reason: str) -> Review:
    """Bring the next review forward (health changed, the money is not enough, a concern)."""
    require(actor, Permission.MANAGE_REVIEWS, plan.budget_holder)
    plan = CarePlan.objects.select_for_update().get(pk=plan.pk)
    reason = reason.strip()
    errors = {}
    if not reason:
        errors["reason"] = "Say why the review is being brought forward"
    today = timezone.localdate()
    # A review looks at the plan in use: with none, there is nothing to review yet.
    if not plan.versions.filter(status=PlanStatus.ACTIVE).exists():
        raise ValidationError(NO_PLAN_TO_REVIEW)
    review = due_review(plan)
    # A review looks at how the money is used (DOMAIN §6), so none falls before the first
    # payment: a review recorded then would set the next a year on, and the first review the
    # regulations count from the first payment would never come.
    first, first_words = first_payment(plan.budget_holder)
    stop = stop_of_plan(plan)
    if due_on < today:
        errors["due_on"] = "The new date must be today or later"
    elif stop is not None and due_on >= stop.effective_on:
        errors["due_on"] = (
            f"The new date must be before {stop.effective_on:%-d %B %Y}, the day the budget "
            "stops: no review is needed from then"
        )
    elif first is not None and due_on < first:
        errors["due_on"] = f"The new date must be on or after {first:%-d %B %Y}, {first_words}"
    elif review is not None and due_on >= review.due_on:
        errors["due_on"] = (
            f"The review is already due by {review.due_on:%-d %B %Y}: choose an earlier date"
        )
    elif review is None:
        # Brought forward from the date the rules would set, so never later than it.
        policy = policy_for(plan.budget_holder.organisation)
        by_rules, why = review_by_the_rules(plan, policy, today)
        if by_rules < today and due_on > today:
            errors["due_on"] = (
                f"The review was due by {by_rules:%-d %B %Y}, so the new date must be today"
            )
        elif by_rules >= today and due_on > by_rules:
            errors["due_on"] = f"The new date must be on or before {by_rules:%-d %B %Y}: {why}"
    if errors:
        raise ValidationError(errors)
    if review is None:
        return Review.objects.create(
            plan=plan, kind=ReviewKind.BROUGHT_FORWARD, due_on=due_on, reason_brought_forward=reason
        )
    review.kind = ReviewKind.BROUGHT_FORWARD
    review.due_on = due_on
    review.reason_brought_forward = reason
    review.save(update_fields=["kind", "due_on", "reason_brought_forward", "updated_at"])
    return review


@dataclass(frozen=True)
class Findings:
    """What a review found."""

    completed_on: datetime.date
    plan_still_right: bool
    money_used_well: bool
    amount_enough: bool
    conditions_kept: bool
    risk_level: str = RiskLevel.STANDARD
    changes_needed: str = ""
    notes: str = ""
    next_due_on: datetime.date | None = None


# The roles whose holders review a person's care: the coordinator, the PHB lead, and a
# clinician (a CHC nurse assessor, for example). Finance officers, PA employer support,
# panel members and administrators do not carry out reviews.
REVIEWER_ROLES = (Role.CARE_COORDINATOR, Role.PHB_LEAD, Role.CLINICIAN)


def reviewers_for(organisation):
    """Who may be named as the reviewer: staff with a current reviewing role in the person's
    ICB."""
    return (
        User.objects.filter(
            role_assignments__in=RoleAssignment.objects.current().filter(
                organisation=organisation, role__in=REVIEWER_ROLES
            )
        )
        .distinct()
        .order_by("full_name", "id")
    )


def _check_findings(review, findings: Findings, progress: dict, version, goals, policy) -> dict:
    errors = {}
    today = timezone.localdate()
    # A review looks at the plan in use: it cannot have happened before that plan was approved.
    decision = PlanDecision.objects.filter(version=version).only("decided_at").first()
    approved_on = timezone.localtime(decision.decided_at).date() if decision is not None else None
    last = (
        Review.objects.filter(plan_id=review.plan_id, status=ReviewStatus.COMPLETED)
        .exclude(pk=review.pk)
        .order_by("-completed_on")
        .values_list("completed_on", flat=True)
        .first()
    )
    a_year_ago = add_months(today, -12)
    # Nor before the first payment (the budget's start, for one the ICB holds): the first
    # review is counted from it, and a review before it would set the next a year on. The
    # later of the two days is the one to name.
    first, first_words = first_payment(version.plan.budget_holder)
    earliest = [(approved_on, "when the plan in use was approved")] if approved_on else []
    if first is not None:
        earliest.append((first, first_words))
    earliest, why = max(earliest, key=lambda day: day[0], default=(None, ""))
    if findings.completed_on > today:
        errors["completed_on"] = "The date of the review must be today or in the past"
    elif last is not None and findings.completed_on < last:
        errors["completed_on"] = (
            f"The date of the review must be on or after the last review, on {last:%-d %B %Y}"
        )
    elif earliest is not None and earliest > a_year_ago and findings.completed_on < earliest:
        errors["completed_on"] = (
            f"The date of the review must be on or after {earliest:%-d %B %Y}, {why}"
        )
    elif findings.completed_on < a_year_ago:
        errors["completed_on"] = (
            f"The date of the review must be within the last year, on or after "
            f"{a_year_ago:%-d %B %Y}"
        )
    if findings.risk_level not in RiskLevel.values:
        errors["risk_level"] = "Choose the person's level of risk"
    if not findings.changes_needed.strip():
        # Each "No" is a finding that something must change (DOMAIN §6): say what.
        for found, message in (
            (findings.plan_still_right, "Say what needs to change in the plan"),
            (findings.amount_enough, "Say what needs to change, as the amount is not enough"),
            (findings.money_used_well, "Say what needs to change, as the money was not used well"),
            (findings.conditions_kept, "Say what needs to change, as the conditions were not kept"),
        ):
            if not found:
                errors["changes_needed"] = message
                break
    missing = [goal.description for goal in goals if str(goal.pk) not in progress]
    if missing:
        errors["__all__"] = [f"Say how the goal is going: {text}" for text in missing]
    bad = [r for r, _ in progress.values() if r not in ProgressRating.values]
    if bad:
        errors.setdefault("__all__", []).append("Choose how each goal is going")
    if not errors and findings.next_due_on is not None:
        latest = next_review_due(policy, findings.completed_on, findings.risk_level)
        if findings.next_due_on <= findings.completed_on:
            errors["next_due_on"] = "The next review must be after this one"
        elif findings.next_due_on > latest:
            errors["next_due_on"] = (
                f"The next review must be by {latest:%-d %B %Y}: at most "
                f"{interval_months(policy, findings.risk_level)} months after this one"
            )
    return errors


@transaction.atomic
def record_review(
    *,
    actor,
    review,
    reviewer,
    findings: Findings,
    progress: dict,
    start_new_version: bool = False,
) -> Review:
    """Record a due review as done, with progress on each goal of the plan in use
    (`progress` maps each goal's id to (rating, notes)), and make the next review due.
    With `start_new_version`, the plan's next version is started as a draft from this one."""
    plan = review.plan
    holder = plan.budget_holder
    require(actor, Permission.MANAGE_REVIEWS, holder)
    review = Review.objects.select_for_update().get(pk=review.pk)
    if review.status != ReviewStatus.DUE:
        raise ValidationError(
            f"This review was already {review.get_status_display().lower()}. Nothing was saved."
        )
    if not reviewers_for(holder.organisation).filter(pk=reviewer.pk).exists():
        raise ValidationError(
            {
                "reviewer": "The reviewer must be a care coordinator, PHB lead or clinician "
                f"at {holder.organisation.name}"
            }
        )
    version = plan.versions.filter(status=PlanStatus.ACTIVE).first()
    if version is None:
        raise ValidationError("This person has no plan in use to review")
    goals = list(version.goals.all())
    policy = policy_for(holder.organisation)
    errors = _check_findings(review, findings, progress, version, goals, policy)
    if errors:
        raise ValidationError(errors)
    review.status = ReviewStatus.COMPLETED
    review.reviewed_version = version
    review.completed_on = findings.completed_on
    review.completed_by = reviewer
    for name in (
        "plan_still_right",
        "money_used_well",
        "amount_enough",
        "conditions_kept",
        "risk_level",
    ):
        setattr(review, name, getattr(findings, name))
    review.changes_needed = findings.changes_needed.strip()
    review.notes = findings.notes.strip()
    review.save()
    GoalProgress.objects.bulk_create(
        GoalProgress(
            review=review,
            goal=goal,
            rating=progress[str(goal.pk)][0],
            notes=progress[str(goal.pk)][1].strip(),
        )
        for goal in goals
    )
    next_due_on = findings.next_due_on or next_review_due(
        policy, findings.completed_on, findings.risk_level
    )
    # None is due from the day the budget paying for the plan stops.
    stop = BudgetStop.objects.filter(budget_id=version.budget_id).first()
    if stop is None or next_due_on < stop.effective_on:
        Review.objects.create(plan=plan, kind=ReviewKind.SCHEDULED, due_on=next_due_on)
    if start_new_version:
        new_version(
            actor=actor,
            plan=plan,
            reason=f"Changes found at the review on {findings.completed_on:%-d %B %Y}",
        )
    return review
