"""Demo reviews: a review due for everyone whose plan is in use (none yet without plans)."""

from careplans.models import CarePlan
from careplans.services.reviews import schedule_first_review


def seed_reviews() -> None:
    """Idempotent: a plan with a review already due or done is left as it is."""
    for plan in CarePlan.objects.all():
        schedule_first_review(plan=plan)
