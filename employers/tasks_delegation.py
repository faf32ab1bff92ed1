import datetime

from celery import shared_task
from django.db import DatabaseError
from django.utils import timezone

from employers.services import delegation_reminders


@shared_task(autoretry_for=(DatabaseError,), retry_backoff=30, max_retries=5)
def send_competence_review_reminders(on: str | None = None) -> int:
    """The daily scan (beat, 7:10am London time): PA competence reviews due in 28 and 7 days
    and on the day. `on` (an ISO date) scans another day; safe to run any number of times."""
    today = datetime.date.fromisoformat(on) if on else timezone.localdate()
    return delegation_reminders.scan_competence_reviews(today=today)
