"""Asking for a decision to be looked at again: the NHS (Direct Payments) Regulations 2013
give a right to ask about refusing a direct payment (reg 7), leaving a service out of the
plan (reg 8), reducing the amount (reg 13) and requiring repayment (reg 15). Someone who was
not part of the first decision reconsiders."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from budgets.models import BudgetChange
from careplans.models.decisions import PlanDecision
from careplans.models.letters import PlanLetter
from careplans.models.plans import text_limits
from phb.audit import audited
from phb.models import BudgetHolder, Timestamped, User, UUIDModel


class ReconsiderationGround(models.TextChoices):
    DIRECT_PAYMENT_REFUSED = "reg7", "A direct payment was refused (regulation 7)"
    SERVICE_LEFT_OUT = "reg8", "A service was left out of the plan (regulation 8)"
    AMOUNT_REDUCED = "reg13", "The amount was reduced (regulation 13)"
    REPAYMENT = "reg15", "Money was asked back (regulation 15)"
    STOPPED = "reg17", "The budget was stopped (regulation 17)"


class ReconsiderationOutcome(models.TextChoices):
    UPHELD = "upheld", "The decision stands"
    CHANGED = "changed", "The decision has been changed"
    # Closed without looking at the decision again: the person no longer asks.
    WITHDRAWN = "withdrawn", "The person withdrew the request"


class ReconsiderationQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(budget_holder__in=BudgetHolder.objects.visible_to(user))


@audited
class ReconsiderationRequest(UUIDModel, Timestamped):
    """A request to look at a decision again, who reconsiders it, and the outcome."""

    budget_holder = models.ForeignKey(
        BudgetHolder, on_delete=models.PROTECT, related_name="reconsiderations"
    )
    ground = models.CharField(max_length=6, choices=ReconsiderationGround.choices)
    plan_decision = models.ForeignKey(
        PlanDecision, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    budget_change = models.ForeignKey(
        BudgetChange, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    repayment = models.ForeignKey(
        "careplans.RepaymentRequest",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reconsiderations",
    )
    budget_stop = models.ForeignKey(
        "careplans.BudgetStop",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reconsiderations",
    )
    received_on = models.DateField("Date the request was received")
    persons_reasons = models.TextField(
        "Why the person asks for it to be looked at again", max_length=5000
    )
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    reconsidered_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(max_length=10, choices=ReconsiderationOutcome.choices, blank=True)
    outcome_reasons = models.TextField(
        "Reasons, written for the person", blank=True, max_length=5000
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    letter = models.OneToOneField(
        PlanLetter, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # A changed decision is put into effect by staff (a budget changed back, a plan decided
    # again), and they record that it was; a request for money back is withdrawn at once.
    change_made_on = models.DateField("Date the change was made", null=True, blank=True)
    change_made_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    change_made_note = models.TextField("What was changed", blank=True, max_length=2000)

    objects = ReconsiderationQuerySet.as_manager()

    def __str__(self) -> str:
        return (
            f"Request to look again at a decision ({self.get_ground_display().lower()}), "
            f"received {self.received_on:%-d %B %Y}"
        )

    class Meta:
        ordering = ["received_on", "created_at"]
        indexes = [
            models.Index(fields=["budget_holder", "received_on"], name="reconsideration_by_person"),
            models.Index(fields=["decided_at", "received_on"], name="reconsideration_open_by_age"),
            # The changed decisions still to put into effect, the oldest first.
            models.Index(
                fields=["decided_at"],
                condition=Q(outcome="changed", change_made_on__isnull=True),
                name="reconsideration_change_to_make",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ground__in=ReconsiderationGround.values),
                name="reconsideration_ground_valid",
            ),
            # What is being reconsidered matches the ground.
            models.CheckConstraint(
                condition=(
                    Q(ground__in=["reg7", "reg8"], plan_decision__isnull=False)
                    | Q(ground="reg13", budget_change__isnull=False)
                    | Q(ground="reg15", repayment__isnull=False)
                    | Q(ground="reg17", budget_stop__isnull=False)
                ),
                name="reconsideration_names_what_is_reconsidered",
            ),
            models.CheckConstraint(
                condition=Q(outcome="", decided_at__isnull=True)
                | (
                    Q(outcome__in=ReconsiderationOutcome.values, decided_at__isnull=False)
                    & ~Q(outcome_reasons="")
                    & Q(reconsidered_by__isnull=False)
                ),
                name="reconsideration_outcome_complete",
            ),
            models.CheckConstraint(
                condition=Q(change_made_on__isnull=True, change_made_by__isnull=True)
                | (
                    Q(outcome=ReconsiderationOutcome.CHANGED, change_made_by__isnull=False)
                    & Q(change_made_on__isnull=False)
                    & ~Q(change_made_note="")
                ),
                name="reconsideration_change_made_only_when_changed",
            ),
            *text_limits(
                "reconsideration",
                persons_reasons=5000,
                outcome_reasons=5000,
                change_made_note=2000,
            ),
        ]

    @property
    def is_open(self) -> bool:
        return self.decided_at is None

    @property
    def change_to_make(self) -> bool:
        """Decided "changed", and the change not yet recorded as made."""
        return self.outcome == ReconsiderationOutcome.CHANGED and self.change_made_on is None

    def days_waiting(self, today=None) -> int:
        end = self.decided_at.date() if self.decided_at else (today or timezone.localdate())
        return (end - self.received_on).days
