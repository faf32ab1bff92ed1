"""Letters that explain a decision to the person. Once issued a letter is fixed."""

from django.db import models

from budgets.models.budget import AppendOnly, Budget
from phb.models import User, UUIDModel


class LetterKind(models.TextChoices):
    REDUCTION = "reduction", "Your budget is going down"


class BudgetLetter(UUIDModel, AppendOnly):
    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="letters")
    kind = models.CharField(max_length=12, choices=LetterKind.choices)
    subject = models.CharField(max_length=200)
    body_html = models.TextField(help_text="The letter as issued, kept exactly as sent.")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(AppendOnly.Meta):
        ordering = ["-created_at"]
