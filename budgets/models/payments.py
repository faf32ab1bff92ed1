"""Payment schedules for direct payment and third party portions."""

from django.db import models
from django.db.models import Q

from budgets.models.budget import HoldingPortion
from budgets.models.fields import MoneyField
from phb.audit import audited
from phb.models import Timestamped, User, UUIDModel


class InstalmentFrequencyChoice(models.TextChoices):
    FOUR_WEEKLY = "four_weekly", "Every 4 weeks"
    MONTHLY = "monthly", "Every month"


@audited
class PaymentSchedule(UUIDModel, Timestamped):
    portion = models.OneToOneField(
        HoldingPortion, on_delete=models.CASCADE, related_name="schedule"
    )
    frequency = models.CharField(max_length=12, choices=InstalmentFrequencyChoice.choices)
    first_payment_date = models.DateField(
        help_text="The first review is due within 3 months of this date."
    )
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(frequency__in=InstalmentFrequencyChoice.values),
                name="schedule_frequency_valid",
            )
        ]


@audited
class PaymentInstalment(UUIDModel):
    schedule = models.ForeignKey(
        PaymentSchedule, on_delete=models.CASCADE, related_name="instalments"
    )
    number = models.PositiveSmallIntegerField()
    due_date = models.DateField()
    amount = MoneyField()

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "number"], name="instalment_number_unique"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="instalment_amount_gte_0"),
        ]
