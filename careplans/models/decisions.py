"""Who decides a plan, where and how: the ICB's approval policy, panel sessions with their
members, agenda and declared conflicts, and the decisions themselves.

A decision is an immutable row with who and when. A plan version has at most one decision
(a unique constraint): two deciders acting at once give one decision, and the other is told.
"""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils import timezone

from budgets.models.budget import AppendOnly
from budgets.models.fields import MoneyField
from careplans.models.plans import (
    PlanVersion,
    SupportItem,
    cost_words,
    split_costs,
    text_limits,
)
from phb.audit import audited
from phb.models import Organisation, Timestamped, User, UUIDModel


@audited
class ApprovalPolicy(UUIDModel, Timestamped):
    """An ICB's own rules for deciding plans and reviewing them. No national rule sets a
    quorum or an approval limit, so each ICB chooses (DOMAIN.md §5-6)."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.PROTECT, related_name="approval_policy"
    )
    lead_sign_off_limit = MoneyField(
        "A PHB lead may approve a plan costing up to (a year)",
        default=Decimal("0.00"),
        help_text="Plans costing more go to a panel. £0.00 sends every plan to a panel.",
    )
    panel_quorum = models.PositiveSmallIntegerField(
        "Members needed for a panel to decide", default=3
    )
    first_review_months = models.PositiveSmallIntegerField(
        "First review, months after the first payment", default=3
    )
    review_interval_months = models.PositiveSmallIntegerField(
        "Then a review at least every (months)", default=12
    )
    high_risk_review_months = models.PositiveSmallIntegerField(
        "For people at high risk, a review every (months)", default=6
    )
    review_reminder_days = models.CharField(
        "Remind staff this many days before a review is due",
        max_length=50,
        default="28,7",
        help_text="Days, separated by commas",
    )

    class Meta:
        verbose_name_plural = "approval policies"
        constraints = [
            models.CheckConstraint(
                condition=Q(lead_sign_off_limit__gte=0), name="approval_limit_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(panel_quorum__gte=1, panel_quorum__lte=20), name="panel_quorum_1_20"
            ),
            models.CheckConstraint(
                condition=Q(first_review_months__gte=1, first_review_months__lte=3),
                name="first_review_within_3_months",
            ),
            models.CheckConstraint(
                condition=Q(review_interval_months__gte=1, review_interval_months__lte=12),
                name="review_at_most_every_12_months",
            ),
            models.CheckConstraint(
                condition=Q(review_reminder_days__regex=r"^[0-9]{1,3}(,[0-9]{1,3}){0,4}$"),
                name="review_reminder_days_listed",
            ),
            models.CheckConstraint(
                condition=Q(high_risk_review_months__gte=1)
                & Q(high_risk_review_months__lte=models.F("review_interval_months")),
                name="high_risk_review_not_less_often",
            ),
        ]


class PanelSessionStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    CLOSED = "closed", "Closed"


class PanelSessionQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not (user.is_authenticated and user.is_staff_member):
            return self.none()
        return self.filter(organisation_id=user.acting_organisation_id)


@audited
class PanelSession(UUIDModel, Timestamped):
    """A meeting of the approval panel: when, where, who, and the plans on its agenda."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="panel_sessions"
    )
    date = models.DateField()
    starts_at = models.TimeField("Start time")
    place = models.CharField("Room or place", max_length=200, blank=True)
    call_link = models.URLField("Video call link", max_length=500, blank=True)
    chair = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    members = models.ManyToManyField(User, through="PanelMembership", related_name="panel_sessions")
    quorum = models.PositiveSmallIntegerField(
        help_text="Members needed to decide, from the ICB's policy when the session was set up"
    )
    status = models.CharField(
        max_length=12, choices=PanelSessionStatus.choices, default=PanelSessionStatus.PLANNED
    )
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    objects = PanelSessionQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-starts_at"]
        indexes = [models.Index(fields=["organisation", "date"], name="panel_session_by_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=PanelSessionStatus.values),
                name="panel_session_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(place="") | ~Q(call_link=""), name="panel_session_has_a_place"
            ),
            models.CheckConstraint(condition=Q(quorum__gte=1), name="panel_session_quorum_gte_1"),
        ]

    def __str__(self) -> str:
        return f"Panel on {self.date:%-d %B %Y}"


@audited
class PanelMembership(UUIDModel):
    """A member of a panel session, and whether they came (only those present decide)."""

    session = models.ForeignKey(PanelSession, on_delete=models.CASCADE, related_name="memberships")
    member = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    present = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "member"], name="panel_member_once")
        ]


@audited
class AgendaItem(UUIDModel):
    """A plan version on a session's agenda, in order."""

    session = models.ForeignKey(PanelSession, on_delete=models.CASCADE, related_name="agenda")
    version = models.ForeignKey(PlanVersion, on_delete=models.PROTECT, related_name="agenda_items")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["session", "version"], name="agenda_plan_once"),
            models.UniqueConstraint(
                fields=["session", "position"],
                name="agenda_position_once",
                deferrable=models.Deferrable.DEFERRED,
            ),
        ]


class ConflictOfInterest(UUIDModel, AppendOnly):
    """A panel member's declared conflict (for example, they are the person's care
    coordinator): they take no part in deciding that plan."""

    session = models.ForeignKey(PanelSession, on_delete=models.PROTECT, related_name="conflicts")
    member = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(PlanVersion, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(max_length=1000)
    at = models.DateTimeField(default=timezone.now)

    class Meta(AppendOnly.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["session", "member", "version"], name="conflict_declared_once"
            ),
            *text_limits("conflict", reason=1000),
        ]


class DecisionOutcome(models.TextChoices):
    APPROVED = "approved", "Approved"
    APPROVED_WITH_CHANGES = "approved_with_changes", "Approved with changes"
    DECLINED = "declined", "Declined"
    DEFERRED = "deferred", "Deferred for more information"


class PlanDecision(UUIDModel, AppendOnly):
    """The decision on a plan version, made once: by a PHB lead under the ICB's limit, or by
    a panel session with a quorum. Declines, deferrals and changes carry reasons written for
    the person."""

    version = models.OneToOneField(PlanVersion, on_delete=models.PROTECT, related_name="decision")
    session = models.ForeignKey(
        PanelSession, on_delete=models.PROTECT, null=True, blank=True, related_name="decisions"
    )
    outcome = models.CharField(max_length=24, choices=DecisionOutcome.choices)
    reasons = models.TextField("Reasons, written for the person", blank=True, max_length=5000)
    approved_annual_amount = MoneyField(
        help_text="The yearly cost of what was approved (the approved items, as changed)"
    )
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta(AppendOnly.Meta):
        ordering = ["-decided_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=DecisionOutcome.values), name="plan_decision_outcome_valid"
            ),
            models.CheckConstraint(
                condition=Q(outcome=DecisionOutcome.APPROVED) | ~Q(reasons=""),
                name="plan_decision_reasons_unless_approved",
            ),
            models.CheckConstraint(
                condition=Q(approved_annual_amount__gte=0), name="plan_decision_amount_gte_0"
            ),
            *text_limits("plan_decision", reasons=5000),
        ]

    def approved_costs(self) -> list[tuple[SupportItem, Decimal]]:
        """Each approved item with the cost approved for it (as changed, if it was)."""
        prefetched = "items" in getattr(self, "_prefetched_objects_cache", {})
        choices = self.items.all() if prefetched else self.items.select_related("item")
        return [
            (choice.item, choice.approved_cost)
            for choice in choices
            if choice.outcome in (DecisionOutcome.APPROVED, DecisionOutcome.APPROVED_WITH_CHANGES)
        ]

    @property
    def approved_words(self) -> str:
        """What was approved, as a person reads it: "£8,945.28 a year and £649.99 once"."""
        return cost_words(*split_costs(self.approved_costs()))


class ItemDecision(UUIDModel, AppendOnly):
    """What was decided about one support item within a plan decision."""

    decision = models.ForeignKey(PlanDecision, on_delete=models.PROTECT, related_name="items")
    item = models.ForeignKey(SupportItem, on_delete=models.PROTECT, related_name="decisions")
    outcome = models.CharField(max_length=24, choices=DecisionOutcome.choices)
    approved_annual_cost = MoneyField(
        null=True, blank=True, help_text="For an item approved with changes: the new yearly cost"
    )
    reasons = models.TextField("Reasons, written for the person", blank=True, max_length=5000)

    class Meta(AppendOnly.Meta):
        constraints = [
            models.UniqueConstraint(fields=["decision", "item"], name="item_decided_once"),
            models.CheckConstraint(
                condition=Q(outcome__in=DecisionOutcome.values), name="item_decision_outcome_valid"
            ),
            models.CheckConstraint(
                condition=Q(outcome=DecisionOutcome.APPROVED) | ~Q(reasons=""),
                name="item_decision_reasons_unless_approved",
            ),
            models.CheckConstraint(
                condition=~Q(outcome=DecisionOutcome.APPROVED_WITH_CHANGES)
                | Q(approved_annual_cost__isnull=False, approved_annual_cost__gte=0),
                name="item_decision_changed_cost_given",
            ),
            *text_limits("item_decision", reasons=5000),
        ]

    @property
    def approved_cost_text(self) -> str:
        """The changed cost, as a person reads it ("£540.00 a year", "£400.00 once")."""
        return self.item.cost_text_of(self.approved_annual_cost)

    @property
    def approved_cost(self) -> Decimal | None:
        """The cost approved for the item: as it was, or as changed; None if not approved."""
        if self.outcome == DecisionOutcome.APPROVED:
            return self.item.annual_cost
        if self.outcome == DecisionOutcome.APPROVED_WITH_CHANGES:
            return self.approved_annual_cost
        return None
