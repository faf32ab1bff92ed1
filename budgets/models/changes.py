"""A proposed increase of a live budget to above its indicative amount, for a clinician to check.

A budget may go above its indicative amount only with a clinical justification and a
clinician's supporting check (ADR 0006). For a budget being set up, the clinician checks the
proposed budget. For a live budget, the PHB lead writes the increase and its justification as a
`ProposedIncrease`; a clinician checks it (a `ClinicalCheck` naming the proposal); and only then
can the increase be issued, with its letter (ADR 0018). A proposal is an immutable request: it
is current while it is the budget's latest and no change of amount has been made since.
"""

from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from budgets.models.budget import AppendOnly, Budget
from budgets.models.fields import MoneyField
from phb.models import User, UUIDModel, text_length_limit

JUSTIFICATION_MAX_LENGTH = 2000


class ProposedIncrease(UUIDModel, AppendOnly):
    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="proposed_increases")
    from_amount = MoneyField(help_text="The budget's amount when the increase was proposed.")
    new_amount = MoneyField()
    clinical_justification = models.TextField(max_length=JUSTIFICATION_MAX_LENGTH)
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta(AppendOnly.Meta):
        ordering = ["-at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(new_amount__gt=F("from_amount")), name="proposed_increase_goes_up"
            ),
            models.CheckConstraint(
                condition=~Q(clinical_justification=""), name="proposed_increase_justified"
            ),
            text_length_limit(
                "clinical_justification", JUSTIFICATION_MAX_LENGTH, "proposed_increase"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.budget}: increase to {self.new_amount} proposed"

    def latest_check(self):
        """The latest clinical check of this proposal (reads `checks.all()`, so a prefetch
        serves it without a query)."""
        return max(self.checks.all(), key=lambda check: check.at, default=None)
