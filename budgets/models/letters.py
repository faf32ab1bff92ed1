"""Letters that explain a decision to the person. Once issued a letter is fixed."""

from django.db import models

from budgets.models.budget import AppendOnly, Budget, BudgetChange
from phb.models import Representative, User, UUIDModel


class LetterKind(models.TextChoices):
    REDUCTION = "reduction", "Your budget is going down"
    INCREASE = "increase", "Your budget is going up"


class LetterRecipient(models.TextChoices):
    PERSON = "person", "The person"
    REPRESENTATIVE = "representative", "Their representative or nominee"


class BudgetLetter(UUIDModel, AppendOnly):
    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="letters")
    change = models.ForeignKey(
        BudgetChange, on_delete=models.PROTECT, null=True, blank=True, related_name="letters"
    )
    kind = models.CharField(max_length=12, choices=LetterKind.choices)
    recipient = models.CharField(
        max_length=16, choices=LetterRecipient.choices, default=LetterRecipient.PERSON
    )
    representative = models.ForeignKey(
        Representative, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    addressed_to = models.CharField(max_length=200, blank=True)
    subject = models.CharField(max_length=200)
    body_html = models.TextField(help_text="The letter as issued, kept exactly as sent.")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(AppendOnly.Meta):
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(recipient__in=LetterRecipient.values),
                name="letter_recipient_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(recipient=LetterRecipient.PERSON, representative__isnull=True)
                | models.Q(recipient=LetterRecipient.REPRESENTATIVE, representative__isnull=False),
                name="letter_to_a_representative_names_them",
            ),
        ]
