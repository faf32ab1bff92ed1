import datetime

from celery import shared_task
from django.db import DatabaseError
from django.utils import timezone

from careplans.services import reminders, stopping


@shared_task(autoretry_for=(DatabaseError,), retry_backoff=30, max_retries=5)
def send_review_reminders(on: str | None = None) -> int:
    """The daily scan (beat, 7am London time): reminders of reviews due soon, due today and
    overdue. `on` (an ISO date) scans another day; safe to run any number of times."""
    today = datetime.date.fromisoformat(on) if on else timezone.localdate()
    return reminders.scan_due_reviews(today=today)


@shared_task(autoretry_for=(DatabaseError,), retry_backoff=30, max_retries=5)
def end_stopped_plans(on: str | None = None) -> int:
    """The daily task (beat, 00:05 London time): plans in use whose budget's stop took effect
    today or before are ended. `on` (an ISO date) runs it for another day; safe to repeat."""
    today = datetime.date.fromisoformat(on) if on else timezone.localdate()
    return stopping.end_stopped_plans(today=today)
