"""Each ICB's budget policy: settings its administrator chooses, read by the services."""

from django.db import models
from django.db.models import Q

from budgets.models.fields import MoneyField
from phb.audit import audited
from phb.models import Organisation, Timestamped, UUIDModel


@audited
class BudgetPolicy(UUIDModel, Timestamped):
    """How an ICB runs its budgets. An ICB without one follows the defaults: whoever prepared
    or proposed a budget never agrees it."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.PROTECT, related_name="budget_policy"
    )
    preparer_may_agree = models.BooleanField(
        "The person who prepared or proposed a budget may also agree it", default=False
    )
    preparer_may_agree_below = MoneyField(
        "Only for budgets below",
        null=True,
        blank=True,
        help_text="The amount for the budget's whole period.",
    )

    class Meta:
        verbose_name = "budget policy"
        verbose_name_plural = "budget policies"
        constraints = [
            models.CheckConstraint(
                condition=Q(preparer_may_agree=False, preparer_may_agree_below__isnull=True)
                | Q(
                    preparer_may_agree=True,
                    preparer_may_agree_below__isnull=False,
                    preparer_may_agree_below__gt=0,
                ),
                name="budget_policy_limit_only_when_allowed",
            )
        ]

    def __str__(self) -> str:
        return f"Budget policy of {self.organisation}"

    def preparer_may_agree_amount(self, amount) -> bool:
        return self.preparer_may_agree and amount < self.preparer_may_agree_below
