"""Letters about plans and the decisions that change or end a budget. Stored as issued."""

from django.db import models

from budgets.models.budget import AppendOnly
from careplans.models.plans import PlanVersion
from phb.models import BudgetHolder, User, UUIDModel


class PlanLetterKind(models.TextChoices):
    DECISION = "decision", "Decision about your plan"
    RECONSIDERATION = "reconsideration", "Reconsideration outcome"
    STOP = "stop", "Your personal health budget is stopping"
    REPAYMENT = "repayment", "Asking for money back"
    REVIEW = "review", "Your review"


class PlanLetterQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(budget_holder__in=BudgetHolder.objects.visible_to(user))


class PlanLetter(UUIDModel, AppendOnly):
    """A letter to the person (or their representative), exactly as issued."""

    budget_holder = models.ForeignKey(
        BudgetHolder, on_delete=models.PROTECT, related_name="plan_letters"
    )
    version = models.ForeignKey(
        PlanVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="letters"
    )
    kind = models.CharField(max_length=16, choices=PlanLetterKind.choices)
    addressed_to = models.CharField(max_length=200)
    subject = models.CharField(max_length=200)
    body_html = models.TextField(help_text="The letter as issued, kept exactly as sent.")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PlanLetterQuerySet.as_manager()

    class Meta(AppendOnly.Meta):
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["budget_holder", "-created_at"], name="plan_letter_by_person")
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=PlanLetterKind.values), name="plan_letter_kind_valid"
            )
        ]

    def __str__(self) -> str:
        return self.subject
