"""Competence review reminders, each sent once (issue 11; the pattern of ADR 0031)."""

from django.db import models
from django.utils import timezone

from budgets.models.budget import AppendOnly
from employers.models.training import Competence
from phb.models import Message, User, UUIDModel


class CompetenceReminder(UUIDModel, AppendOnly):
    """The claim on one reminder: this competence, for this review date, at this step (28 or
    7 days before, 0 on the day), to this person. Inserted under its unique constraint in the
    transaction that records the message, so each is recorded (and sent) once however often
    the daily scan runs."""

    competence = models.ForeignKey(Competence, on_delete=models.PROTECT, related_name="reminders")
    review_on = models.DateField()
    step = models.PositiveSmallIntegerField()
    recipient_user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    message = models.OneToOneField(
        Message, on_delete=models.PROTECT, related_name="competence_reminder"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta(AppendOnly.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["competence", "review_on", "step", "recipient_user"],
                name="competence_reminder_once",
            ),
        ]
