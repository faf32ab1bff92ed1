"""Reminders of training coming to its expiry, each sent once: the claim on one reminder is
inserted under a unique constraint in the transaction that records its message (the pattern
of careplans' ReviewReminder, ADR 0031)."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from budgets.models.budget import AppendOnly
from employers.models.training import TrainingRecord
from phb.models import Message, User, UUIDModel


class TrainingReminderRecipient(models.TextChoices):
    HOLDER = "holder", "The budget holder"
    REPRESENTATIVE = "representative", "The budget holder's representative"
    PA = "pa", "The PA"


class TrainingReminder(UUIDModel, AppendOnly):
    """The claim on one reminder: this training record, expiring on this date, this many days
    before (28, 7, or 0 on the day), to this recipient."""

    record = models.ForeignKey(TrainingRecord, on_delete=models.PROTECT, related_name="reminders")
    expires_on = models.DateField()
    days_before = models.PositiveSmallIntegerField()
    recipient = models.CharField(max_length=16, choices=TrainingReminderRecipient.choices)
    recipient_user = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    message = models.OneToOneField(
        Message, on_delete=models.PROTECT, related_name="training_reminder"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta(AppendOnly.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["record", "expires_on", "days_before", "recipient", "recipient_user"],
                nulls_distinct=False,
                name="training_reminder_once",
            ),
            models.CheckConstraint(
                condition=Q(recipient__in=TrainingReminderRecipient.values),
                name="training_reminder_recipient_valid",
            ),
        ]
