"""Reminders of a PA's training coming to its expiry, each sent once (the pattern of
careplans/services/reminders.py, ADR 0031).

Every day the scan finds the training records of working PAs that expire within 28 days and
have not been renewed. A record's current reminder is the smallest of 28, 7 and 0 (the day
itself) days that is at least the days left. For each it claims (record, expiry, days, recipient)
by inserting a `TrainingReminder` under its unique constraint, in the same transaction that
records the message: a claim already made inserts nothing and records no message, so however
often the scan runs each reminder is sent once; a scan missed is caught up by the next one.

Who is told: the budget holder, as they prefer to be contacted (not by phone or letter), each
representative acting for them now (by email), and the PA (by email, if they gave one).
"""

import datetime
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from employers.models import (
    PersonalAssistantStatus,
    TrainingReminder,
    TrainingReminderRecipient,
)
from employers.models.training import TrainingRecord
from phb.models import MessageChannel, Representative
from phb.notifications import services as notifications
from phb.notifications.claims import LostRace, claim, days_before

DAYS_BEFORE = (28, 7)
CLAIM_KEY = ("record_id", "expires_on", "days_before", "recipient", "recipient_user_id")


def days_before_for(expires_on: datetime.date, today: datetime.date) -> int | None:
    """28 or 7 (days before the expiry), 0 (on the day), or None (not yet, or past)."""
    return days_before(expires_on, today, DAYS_BEFORE)


@dataclass(frozen=True)
class Reminder:
    record: TrainingRecord
    days_before: int
    recipient: str
    message: object  # an unsaved phb Message, its id chosen here

    @property
    def key(self) -> tuple:
        return (
            self.record.pk,
            self.record.expires_on,
            self.days_before,
            self.recipient,
            self.message.recipient_user_id,
        )


def expiring_records(today: datetime.date):
    """Records of working PAs expiring from today to 28 days on, not renewed by a later
    record of the same training."""
    renewed = TrainingRecord.objects.filter(
        assistant=OuterRef("assistant"), module=OuterRef("module")
    ).filter(Q(expires_on__isnull=True) | Q(expires_on__gt=OuterRef("expires_on")))
    return (
        TrainingRecord.objects.filter(
            expires_on__gte=today, expires_on__lte=today + datetime.timedelta(days=max(DAYS_BEFORE))
        )
        .exclude(assistant__status=PersonalAssistantStatus.LEFT)
        .exclude(Exists(renewed))
        .select_related("module", "assistant__employer__budget_holder__organisation")
        .defer("evidence")
        .order_by("expires_on", "pk")
    )


def send_training_reminders(*, today: datetime.date) -> int:
    """Record (and queue) every training reminder due on `today` not already recorded.
    Returns how many messages were recorded."""
    for _ in range(5):
        try:
            return _remind(today)
        except LostRace:
            continue
    raise LostRace("Training reminders: claimed by others five times running")


@transaction.atomic
def _remind(today: datetime.date) -> int:
    records = list(expiring_records(today))
    holders = {record.assistant.employer.budget_holder_id for record in records}
    representatives: dict = {}
    for representative in (
        Representative.objects.current(today)
        .filter(budget_holder_id__in=holders, user__is_active=True)
        .select_related("user")
        .order_by("user__email")
    ):
        representatives.setdefault(representative.budget_holder_id, []).append(representative.user)
    claimed = set(TrainingReminder.objects.filter(record__in=records).values_list(*CLAIM_KEY))
    reminders = []
    for record in records:
        days = days_before_for(record.expires_on, today)
        if days is not None:
            reminders += _reminders_of(record, days, representatives, claimed, today=today)
    if not reminders:
        return 0
    notifications.record_messages(messages=[r.message for r in reminders])
    claims = [(*r.key, r.message.pk) for r in reminders]
    if len(claim(TrainingReminder, CLAIM_KEY, claims)) != len(reminders):
        raise LostRace
    return len(reminders)


def _reminders_of(record, days, representatives, claimed, *, today) -> list[Reminder]:
    assistant = record.assistant
    holder = assistant.employer.budget_holder
    reminders = []

    def add(recipient, *, name, role, channel, address, user=None, to_pa=False):
        key = (record.pk, record.expires_on, days, recipient, user.pk if user else None)
        if key in claimed or not address:
            return
        subject, body = _words(record, days, today=today, to_pa=to_pa, name=name)
        message = notifications.message_about(
            holder,
            name=name,
            role=role,
            channel=channel,
            address=address,
            subject=subject,
            body=body,
            user=user,
        )
        message.pk = uuid.uuid4()
        reminders.append(Reminder(record, days, recipient, message))

    reachable = notifications.person_channel(holder)
    if reachable is not None:
        add(
            TrainingReminderRecipient.HOLDER,
            name=holder.full_name,
            role=notifications.PERSON_ROLE,
            channel=reachable[0],
            address=reachable[1],
        )
    for user in representatives.get(holder.pk, []):
        add(
            TrainingReminderRecipient.REPRESENTATIVE,
            name=user.full_name,
            role="Representative",
            channel=MessageChannel.EMAIL,
            address=user.email,
            user=user,
        )
    if assistant.email:
        add(
            TrainingReminderRecipient.PA,
            name=assistant.full_name,
            role="Personal assistant",
            channel=MessageChannel.EMAIL,
            address=assistant.email,
            user=assistant.user,
            to_pa=True,
        )
    return reminders


def expiry_words(expires_on: datetime.date, today: datetime.date) -> str:
    """When the record expires, in days really left (the reminder's step is only which one it
    is: the 28-day one, sent late, may go out with 13 days left)."""
    left = (expires_on - today).days
    if left == 0:
        return f"expires today, {expires_on:%-d %B %Y}"
    if left == 1:
        return f"expires tomorrow, {expires_on:%-d %B %Y}"
    return f"expires on {expires_on:%-d %B %Y}, in {left} days"


def _words(record, days, *, today, to_pa: bool, name: str) -> tuple[str, str]:
    assistant = record.assistant
    module = record.module.name
    when = expiry_words(record.expires_on, today)
    site = settings.PHB_SITE_URL.rstrip("/")
    if to_pa:
        link = site + reverse("employers:my_training")
        return (
            f"Your {module} training {'expires today' if days == 0 else 'expires soon'}",
            f"Dear {name},\n\nYour {module} training {when}. Talk to your employer about "
            f"doing it again.\n\nSee your training: {link}",
        )
    link = site + reverse("employers:pa_training", args=[assistant.pk])
    return (
        f"{assistant.full_name}'s {module} training "
        f"{'expires today' if days == 0 else 'expires soon'}",
        f"Dear {name},\n\n{assistant.full_name}'s {module} training {when}. Arrange for them "
        f"to do it again, then record it.\n\nSee their training: {link}",
    )
