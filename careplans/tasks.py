import datetime

from celery import shared_task
from django.db import DatabaseError
from django.utils import timezone

from careplans.services import reminders


@shared_task(autoretry_for=(DatabaseError,), retry_backoff=30, max_retries=5)
def send_review_reminders(on: str | None = None) -> int:
    """The daily scan (beat, 7am London time): reminders of reviews due soon, due today and
    overdue. `on` (an ISO date) scans another day; safe to run any number of times."""
    today = datetime.date.fromisoformat(on) if on else timezone.localdate()
    return reminders.scan_due_reviews(today=today)
