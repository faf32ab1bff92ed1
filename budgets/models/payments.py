"""Payment schedules for direct payment and third party portions, and the payments made.

An instalment is unpaid until finance records it as paid (the date it was paid, the payment
reference, who recorded it and when), one at a time or in a `PaymentRun`. The database keeps
the rules that matter to the person (ADR 0017): a paid instalment never changes and is never
deleted, so a schedule with paid instalments cannot be replaced; an instalment due before
today is never created unpaid; and a first payment date in the past has a reason.
"""

import pgtrigger
from django.db import models
from django.db.models import Q

from budgets.models.budget import AppendOnly, HoldingPortion
from budgets.models.fields import MoneyField
from phb.audit import audited
from phb.models import Organisation, Timestamped, User, UUIDModel, text_length_limit
from phb.today import TODAY_SQL

REFERENCE_MAX_LENGTH = 100
REASON_MAX_LENGTH = 2000


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
    backdated_reason = models.TextField(
        blank=True,
        max_length=REASON_MAX_LENGTH,
        help_text="Why the first payment date was in the past when the schedule was set.",
    )
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(frequency__in=InstalmentFrequencyChoice.values),
                name="schedule_frequency_valid",
            ),
            text_length_limit("backdated_reason", REASON_MAX_LENGTH, "payment_schedule"),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="schedule_backdated_has_a_reason",
                operation=pgtrigger.Insert,
                when=pgtrigger.Before,
                func=f"""
IF NEW.first_payment_date < {TODAY_SQL} AND btrim(NEW.backdated_reason) = '' THEN
    RAISE EXCEPTION 'A first payment date in the past needs a reason'
        USING ERRCODE = 'check_violation';
END IF;
RETURN NEW;
""",
            )
        ]


class PaymentRun(UUIDModel, AppendOnly):
    """Payments finance made together, recorded at once: who, when, the date paid, the
    reference, how many and how much. Each instalment paid in the run names it."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="payment_runs", verbose_name="ICB"
    )
    due_up_to = models.DateField(help_text="The run was chosen from payments due up to this date.")
    paid_on = models.DateField()
    reference = models.CharField(max_length=REFERENCE_MAX_LENGTH)
    total = MoneyField()
    count = models.PositiveIntegerField()
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta(AppendOnly.Meta):
        ordering = ["-recorded_at"]
        constraints = [
            models.CheckConstraint(condition=Q(total__gte=0), name="payment_run_total_gte_0"),
            models.CheckConstraint(condition=Q(count__gt=0), name="payment_run_not_empty"),
            models.CheckConstraint(condition=~Q(reference=""), name="payment_run_has_reference"),
        ]

    def __str__(self) -> str:
        return f"Payment run {self.reference} on {self.paid_on}"


@audited
class PaymentInstalment(UUIDModel):
    schedule = models.ForeignKey(
        PaymentSchedule, on_delete=models.CASCADE, related_name="instalments"
    )
    number = models.PositiveSmallIntegerField()
    due_date = models.DateField()
    amount = MoneyField()
    paid_on = models.DateField(null=True, blank=True)
    payment_reference = models.CharField(max_length=REFERENCE_MAX_LENGTH, blank=True)
    paid_recorded_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    paid_recorded_at = models.DateTimeField(null=True, blank=True)
    payment_run = models.ForeignKey(
        PaymentRun, on_delete=models.PROTECT, null=True, blank=True, related_name="instalments"
    )

    class Meta:
        ordering = ["number"]
        indexes = [models.Index(fields=["due_date", "id"], name="instalment_due_date_id")]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "number"], name="instalment_number_unique"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="instalment_amount_gte_0"),
            # Paid means all of: the date, the reference, who recorded it and when.
            models.CheckConstraint(
                condition=Q(
                    paid_on__isnull=True,
                    payment_reference="",
                    paid_recorded_by__isnull=True,
                    paid_recorded_at__isnull=True,
                    payment_run__isnull=True,
                )
                | (
                    Q(
                        paid_on__isnull=False,
                        paid_recorded_by__isnull=False,
                        paid_recorded_at__isnull=False,
                    )
                    & ~Q(payment_reference="")
                ),
                name="instalment_paid_with_date_reference_who_and_when",
            ),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="paid_instalment_never_changes",
                operation=pgtrigger.Update | pgtrigger.Delete,
                when=pgtrigger.Before,
                condition=pgtrigger.Q(old__paid_on__isnull=False),
                func="""
RAISE EXCEPTION 'A paid instalment cannot be changed or deleted'
    USING ERRCODE = 'check_violation';
""",
            ),
            pgtrigger.Trigger(
                name="instalment_in_the_past_is_paid",
                operation=pgtrigger.Insert,
                when=pgtrigger.Before,
                func=f"""
IF NEW.paid_on IS NULL AND NEW.due_date < {TODAY_SQL} THEN
    RAISE EXCEPTION 'An instalment due before today must be recorded as paid'
        USING ERRCODE = 'check_violation';
END IF;
RETURN NEW;
""",
            ),
        ]

    @property
    def is_paid(self) -> bool:
        return self.paid_on is not None
