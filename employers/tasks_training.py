"""The daily job that sends training reminders (imported by employers/extensions_training.py
so the worker knows it)."""

import datetime

from celery import shared_task
from django.db import DatabaseError
from django.utils import timezone

from employers.services import training_reminders


@shared_task(autoretry_for=(DatabaseError,), retry_backoff=30, max_retries=5)
def send_training_reminders(on: str | None = None) -> int:
    """The daily scan (beat, 7:15am London time): training expiring in 28 and 7 days and on the
    day. `on` (an ISO date) scans another day; safe to run any number of times."""
    today = datetime.date.fromisoformat(on) if on else timezone.localdate()
    return training_reminders.send_training_reminders(today=today)
