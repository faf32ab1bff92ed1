"""Stopping a personal health budget and asking for money back, under the NHS (Direct
Payments) Regulations 2013 (SI 2013/1617 as amended): regulation 17 for stopping, 15 for
repayment. Both need written notice with reasons, and both can be reconsidered."""

from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from budgets.models import Budget
from budgets.models.budget import AppendOnly
from budgets.models.fields import MoneyField
from careplans.models.letters import PlanLetter
from careplans.models.plans import text_limits
from phb.audit import audited
from phb.models import Timestamped, User, UUIDModel


class StopReason(models.TextChoices):
    CONSENT_WITHDRAWN = "consent_withdrawn", "The person no longer consents"
    NOT_ELIGIBLE = "not_eligible", "The person is no longer eligible"
    REPRESENTATIVE = (
        "representative",
        "The representative or nominee is unsuitable, declines, or the nomination was withdrawn",
    )
    OUTSIDE_PLAN = "outside_plan", "The money was used for things not in the plan"
    FRAUD = "fraud", "Theft or fraud is suspected"
    NEEDS_NOT_MET = "needs_not_met", "The person's needs are not being met"
    DEATH = "death", "The person has died"


class BudgetStop(UUIDModel, AppendOnly):
    """The decision to stop a budget: the legal reason, the notice and the day it stops."""

    budget = models.OneToOneField(Budget, on_delete=models.PROTECT, related_name="stop")
    reason = models.CharField(max_length=20, choices=StopReason.choices)
    explanation = models.TextField("Reasons, written for the person", max_length=5000)
    notice_given_on = models.DateField()
    effective_on = models.DateField("The budget stops on")
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)
    letter = models.OneToOneField(
        PlanLetter, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta(AppendOnly.Meta):
        constraints = [
            models.CheckConstraint(
                condition=Q(reason__in=StopReason.values), name="stop_reason_is_a_legal_reason"
            ),
            models.CheckConstraint(
                condition=~Q(explanation=""), name="stop_explained_to_the_person"
            ),
            # After a death the budget stops from the day they died, before any notice.
            models.CheckConstraint(
                condition=Q(effective_on__gte=F("notice_given_on")) | Q(reason="death"),
                name="stop_after_notice",
            ),
            *text_limits("budget_stop", explanation=5000),
        ]


class RepaymentGround(models.TextChoices):
    CIRCUMSTANCES_CHANGED = "circumstances_changed", "The person's circumstances changed"
    UNSPENT = "unspent", "A substantial amount was unspent and built up"
    OUTSIDE_PLAN = "outside_plan", "Money was used for things not in the plan"
    OFFENCE = "offence", "An offence is suspected"
    DEATH = "death", "The person has died"


class RepaymentQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(budget__in=Budget.objects.visible_to(user))


@audited
class RepaymentRequest(UUIDModel, Timestamped):
    """A notice asking for money back: the ground, how much, by when, and who must repay."""

    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="repayments")
    ground = models.CharField(max_length=24, choices=RepaymentGround.choices)
    amount = MoneyField()
    explanation = models.TextField("Reasons, written for the person", max_length=5000)
    due_by = models.DateField("Repay by")
    who_repays = models.CharField(
        "Who must repay",
        max_length=200,
        help_text="The person, their representative or nominee, or the organisation holding it",
    )
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_on = models.DateField(default=timezone.localdate)
    withdrawn_on = models.DateField(null=True, blank=True)
    letter = models.OneToOneField(
        PlanLetter, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = RepaymentQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Request for £{self.amount:,.2f} back, by {self.due_by:%-d %B %Y}"

    class Meta:
        ordering = ["-requested_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ground__in=RepaymentGround.values), name="repayment_ground_valid"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="repayment_amount_gt_0"),
            models.CheckConstraint(
                condition=Q(due_by__gte=F("requested_on")), name="repayment_due_after_request"
            ),
            models.CheckConstraint(
                condition=~Q(explanation=""), name="repayment_explained_to_the_person"
            ),
            *text_limits("repayment", explanation=5000),
        ]


class RepaymentSettlement(UUIDModel, AppendOnly):
    """Money received against a repayment request."""

    request = models.ForeignKey(
        RepaymentRequest, on_delete=models.PROTECT, related_name="settlements"
    )
    amount = MoneyField()
    received_on = models.DateField()
    reference = models.CharField(max_length=100, blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta(AppendOnly.Meta):
        ordering = ["received_on"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="settlement_amount_gt_0")
        ]
