"""Competence review reminders, each sent once: 28 and 7 days before a signed-off PA's review
date and on the day, to the practitioner who delegated the task and to the employer's side
(the budget holder, and each representative, with a sign-in). The pattern of
careplans/services/reminders.py (ADR 0031): each reminder is claimed by inserting a
`CompetenceReminder` under its unique constraint, in the transaction that records the
message; a claim already made inserts nothing and records nothing, so a duplicate run sends
nothing twice. A claim is a window, not a day: a missed scan is caught up by the next."""

import datetime
import uuid

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from employers.models import Competence, CompetenceReminder, CompetenceStatus
from phb.models import Representative
from phb.notifications import services as notifications
from phb.notifications.claims import claim, days_before

DAYS = (28, 7)


# What a claim is unique on.
CLAIM_KEY = ("competence_id", "review_on", "step", "recipient_user_id")


def step_for(review_on: datetime.date, today: datetime.date) -> int | None:
    """28 or 7 (days before), 0 (on the day), or None (not yet, or past)."""
    return days_before(review_on, today, DAYS)


def _recipients(competence) -> list:
    holder = competence.delegation.budget_holder
    people = [competence.delegation.practitioner]
    if holder.user is not None:
        people.append(holder.user)
    people += [r.user for r in Representative.objects.current().filter(budget_holder=holder)]
    unique = []
    for user in people:
        if user.is_active and user not in unique:
            unique.append(user)
    return unique


def due_words(review_on: datetime.date, today: datetime.date) -> str:
    """When the review is due, in days really left (a reminder's step is only which one it
    is: the 28-day one, sent late, may go out with 13 days left)."""
    left = (review_on - today).days
    if left == 0:
        return f"today, {review_on:%-d %B %Y}"
    if left == 1:
        return f"tomorrow, {review_on:%-d %B %Y}"
    return f"in {left} days, by {review_on:%-d %B %Y}"


def _words(competence, today: datetime.date) -> tuple[str, str]:
    pa, task = competence.assistant.full_name, competence.delegation.task.name
    holder = competence.delegation.budget_holder
    when = due_words(competence.review_on, today)
    link = settings.PHB_SITE_URL.rstrip("/") + reverse("employers:competence", args=[competence.pk])
    return (
        f"Competence review due: {pa}, {task}",
        f"The review of {pa}'s sign-off for {task} for {holder.full_name} is due {when}. "
        f"After that date {pa} must not do the task until they are reassessed and signed off "
        f"again.\n\n{link}",
    )


@transaction.atomic
def scan_competence_reviews(*, today: datetime.date) -> int:
    """Record (and queue) every review reminder due on `today` not already recorded."""
    due = list(
        Competence.objects.filter(
            status=CompetenceStatus.SIGNED_OFF,
            review_on__gte=today,
            review_on__lte=today + datetime.timedelta(days=max(DAYS)),
        )
        .select_related(
            "assistant",
            "delegation__task",
            "delegation__practitioner",
            "delegation__budget_holder__user",
        )
        .order_by("review_on", "pk")
    )
    claimed = set(CompetenceReminder.objects.filter(competence__in=due).values_list(*CLAIM_KEY))
    pending = []
    for competence in due:
        step = step_for(competence.review_on, today)
        if step is None:
            continue
        holder = competence.delegation.budget_holder
        subject, body = _words(competence, today)
        for user in _recipients(competence):
            key = (competence.pk, competence.review_on, step, user.pk)
            if key in claimed:
                continue
            message = notifications.new_message(
                organisation_id=holder.organisation_id,
                budget_holder_id=holder.pk,
                recipient_user_id=user.pk,
                recipient_name=user.full_name,
                recipient_role="Practitioner"
                if user == competence.delegation.practitioner
                else "Employer",
                channel="email",
                to_address=user.email,
                subject=subject,
                body=body,
            )
            message.pk = uuid.uuid4()
            pending.append((key, message))
    if not pending:
        return 0
    # Claim first: only the messages whose claims this transaction made are recorded.
    made = set(
        claim(CompetenceReminder, CLAIM_KEY, [(*key, message.pk) for key, message in pending])
    )
    messages = [message for _, message in pending if message.pk in made]
    notifications.record_messages(messages=messages)
    return len(messages)
