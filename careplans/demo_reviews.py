"""Demo reviews: a review due for everyone whose plan is in use (none yet without plans), and
one coming due within the week, so that the outbox shows its reminders."""

import datetime

from django.utils import timezone

from careplans.models import CarePlan, PlanStatus, ProgressRating, Review, ReviewStatus
from careplans.services.reminders import scan_due_reviews
from careplans.services.reviews import (
    Findings,
    bring_forward,
    record_review,
    schedule_first_review,
)
from phb import services as core_services
from phb.models import Role, User


def seed_reviews() -> None:
    """Idempotent: a plan with a review already due or done is left as it is."""
    for plan in CarePlan.objects.all():
        schedule_first_review(plan=plan)
    seed_reminders()


def seed_reminders() -> None:
    """Alex Morgan asked for reminders; his next review is made due a week from today (unless
    it is already due by then: an overdue one is recorded as done today, with the next due in
    a week) and today's reminders are recorded, as the 7am scan would have. Idempotent:
    reminders already recorded are not recorded again."""
    today = timezone.localdate()
    review = (
        Review.objects.filter(status=ReviewStatus.DUE, plan__budget_holder__nhs_number="9990004110")
        .select_related("plan__budget_holder__organisation")
        .first()
    )
    if review is not None:
        holder = review.plan.budget_holder
        coordinator = (
            User.objects.filter(
                is_demo=True,
                role_assignments__organisation=holder.organisation,
                role_assignments__role=Role.CARE_COORDINATOR,
            )
            .order_by("email")
            .first()
        )
        coordinator.chosen_organisation_id = holder.organisation_id
        if not holder.review_reminders:
            core_services.update_budget_holder(
                actor=coordinator, budget_holder=holder, review_reminders=True
            )
        in_a_week = today + datetime.timedelta(days=7)
        if review.due_on < today:
            # Overdue (the demo's dates have passed): reviewed today, the next due in a week.
            goals = review.plan.versions.get(status=PlanStatus.ACTIVE).goals.all()
            record_review(
                actor=coordinator,
                review=review,
                reviewer=coordinator,
                findings=Findings(
                    completed_on=today,
                    plan_still_right=True,
                    money_used_well=True,
                    amount_enough=True,
                    conditions_kept=True,
                    notes="Going well; a short review next week after his falls.",
                    next_due_on=in_a_week,
                ),
                progress={str(goal.pk): (ProgressRating.GOOD, "") for goal in goals},
            )
        elif review.due_on > in_a_week:
            bring_forward(
                actor=coordinator,
                plan=review.plan,
                due_on=in_a_week,
                reason="His health has changed: he has had two falls this month.",
            )
    scan_due_reviews(today=today)
