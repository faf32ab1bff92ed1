"""What reviews, reconsideration and stopping add to the core's pages (a "Review due" column
on the caseload, the demo data), and the first review falling due when a plan comes into use
or a payment schedule is set (budgets never imports careplans, so careplans listens)."""

from django.db.models import OuterRef, Subquery
from django.db.models.signals import post_save
from django.utils import timezone

from budgets.models import PaymentSchedule
from careplans.demo_reviews import seed_reviews
from careplans.models import CarePlan, PlanStatus, PlanStatusChange, Review, ReviewStatus
from careplans.services.reviews import schedule_first_review
from phb.extensions import CaseloadColumn, register_caseload_column, register_demo_seeder


def annotate_review_due(people):
    """The date each person's next review is due, as one subquery of the rows' query."""
    due = Review.objects.filter(plan__budget_holder=OuterRef("pk"), status=ReviewStatus.DUE).values(
        "due_on"
    )[:1]
    return people.annotate(review_due_on=Subquery(due))


def review_due_cell(person) -> str:
    if person.review_due_on is None:
        return "None due"
    if person.review_due_on < timezone.localdate():
        return f"Overdue: {person.review_due_on:%-d %b %Y}"
    return f"{person.review_due_on:%-d %b %Y}"


def _plan_in_use(sender, instance, created, **kwargs):
    if created and instance.to_status == PlanStatus.ACTIVE:
        schedule_first_review(plan=instance.version.plan)


def _payment_schedule_set(sender, instance, created, **kwargs):
    if not created:
        return
    plan = CarePlan.objects.filter(budget_holder_id=instance.portion.budget.budget_holder_id)
    plan = plan.first()
    if plan is not None:
        schedule_first_review(plan=plan)


def register() -> None:
    register_caseload_column(
        CaseloadColumn(
            heading="Review due", annotate=annotate_review_due, cell=review_due_cell, order=20
        )
    )
    register_demo_seeder(seed_reviews)
    post_save.connect(_plan_in_use, sender=PlanStatusChange, dispatch_uid="review_plan_in_use")
    post_save.connect(
        _payment_schedule_set, sender=PaymentSchedule, dispatch_uid="review_payment_schedule"
    )
