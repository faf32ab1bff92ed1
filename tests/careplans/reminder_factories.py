"""Reviews due, for the reminder tests: one person with a plan in use (a named care
coordinator with a sign-in), and bare reviews in bulk for the scans at scale."""

import datetime

from django.utils import timezone

from careplans.models import CarePlan, PlanStatus, PlanVersion, Review, ReviewKind, ReviewStatus
from tests.careplans.review_factories import plan_in_use
from tests.factories import BudgetHolderFactory


def reviewed_person(lead, coordinator, icb, *, due_on: datetime.date, reminders=False):
    """A person whose plan is in use, with `coordinator` named as their care coordinator (with
    their sign-in) and their review due on `due_on`. With `reminders`, they asked for them by
    email."""
    holder = BudgetHolderFactory(
        organisation=icb,
        email="person@example.org",
        preferred_contact="email",
        review_reminders=reminders,
    )
    version, _, _ = plan_in_use(lead, holder, coordinator=coordinator)
    Review.objects.update_or_create(
        plan=version.plan,
        status=ReviewStatus.DUE,
        defaults={"kind": ReviewKind.FIRST, "due_on": due_on},
    )
    return holder


def bare_reviews(icb, lead, due_dates) -> list[Review]:
    """A review due on each date, each of a person with a plan in use (a bare version, with no
    budget and nobody named as their care coordinator, so only the PHB leads are reminded)."""
    reviews = []
    for due_on in due_dates:
        holder = BudgetHolderFactory(organisation=icb)
        plan = CarePlan.objects.create(budget_holder=holder, created_by=lead)
        PlanVersion.objects.create(
            plan=plan,
            number=1,
            status=PlanStatus.ACTIVE,
            created_by=lead,
            submitted_by=lead,
            submitted_at=timezone.now(),
        )
        reviews.append(Review.objects.create(plan=plan, kind=ReviewKind.FIRST, due_on=due_on))
    return reviews


def messages_claimed() -> int:
    """How many messages the review reminders' claims name: a digest is one message for
    several claims."""
    from careplans.models import ReviewReminder

    return ReviewReminder.objects.values("message").distinct().count()
