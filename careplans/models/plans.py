"""The personalised care and support plan, structured on the PRSB *Personalised care and
support plan* standard, with the personal health budget's items on top (ADR 0023).

A person has one `CarePlan`; what it says lives in numbered `PlanVersion`s. A version is
written (draft), submitted, decided once (approved, approved with changes, declined or
deferred) and, when approved, becomes the active plan until a later version replaces it.
A decided version never changes: the database refuses edits to it and to everything in it.
Changing a plan means a new version based on the last one.
"""

from decimal import ROUND_HALF_UP, Decimal

import pgtrigger
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone

from budgets.models import Budget, HoldingPortion
from budgets.models.budget import AppendOnly
from budgets.models.fields import MoneyField
from phb.audit import audited
from phb.models import BudgetHolder, Representative, Timestamped, User, UUIDModel


def text_limits(prefix: str, **limits: int) -> list[models.CheckConstraint]:
    """The database's copy of each free-text field's length limit."""
    return [
        models.CheckConstraint(
            condition=LessThanOrEqual(Length(field), limit),
            name=f"{prefix}_{field}_at_most_{limit}",
        )
        for field, limit in limits.items()
    ]


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted for a decision"
    APPROVED = "approved", "Approved"
    APPROVED_WITH_CHANGES = "approved_with_changes", "Approved with changes"
    DECLINED = "declined", "Declined"
    DEFERRED = "deferred", "Deferred for more information"
    ACTIVE = "active", "In use"
    SUPERSEDED = "superseded", "Replaced by a later version"
    ENDED = "ended", "Ended"
    WITHDRAWN = "withdrawn", "Withdrawn"


# The only moves a version's status may make; a database trigger enforces them. A deferred or
# declined version is finished: the plan goes on in a new version based on it.
PLAN_TRANSITIONS = [
    (PlanStatus.DRAFT, PlanStatus.SUBMITTED),
    (PlanStatus.SUBMITTED, PlanStatus.DRAFT),  # taken back before anyone decided
    (PlanStatus.DRAFT, PlanStatus.WITHDRAWN),
    (PlanStatus.SUBMITTED, PlanStatus.WITHDRAWN),
    (PlanStatus.SUBMITTED, PlanStatus.APPROVED),
    (PlanStatus.SUBMITTED, PlanStatus.APPROVED_WITH_CHANGES),
    (PlanStatus.SUBMITTED, PlanStatus.DECLINED),
    (PlanStatus.SUBMITTED, PlanStatus.DEFERRED),
    (PlanStatus.APPROVED, PlanStatus.ACTIVE),
    (PlanStatus.APPROVED_WITH_CHANGES, PlanStatus.ACTIVE),
    (PlanStatus.ACTIVE, PlanStatus.SUPERSEDED),
    (PlanStatus.ACTIVE, PlanStatus.ENDED),
]
# Versions whose content may still change.
EDITABLE_STATUSES = [PlanStatus.DRAFT]
# Versions being worked on: a plan has at most one at a time.
IN_PROGRESS_STATUSES = [PlanStatus.DRAFT, PlanStatus.SUBMITTED]
DECIDED_STATUSES = [
    PlanStatus.APPROVED,
    PlanStatus.APPROVED_WITH_CHANGES,
    PlanStatus.DECLINED,
    PlanStatus.DEFERRED,
]


class CarePlanQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(budget_holder__in=BudgetHolder.objects.visible_to(user))


@audited
class CarePlan(UUIDModel, Timestamped):
    """A person's personalised care and support plan, in all its versions."""

    budget_holder = models.OneToOneField(
        BudgetHolder, on_delete=models.PROTECT, related_name="care_plan"
    )
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    objects = CarePlanQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Care and support plan for {self.budget_holder}"


class PlanVersionQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(plan__budget_holder__in=BudgetHolder.objects.visible_to(user))


# The trigger that keeps a decided version as it was decided: its own fields (but for the
# status moving on, and the lock counter) and every row in it.
FROZEN_VERSION_SQL = """
IF OLD.status NOT IN ('draft') AND (
    NEW.what_matters IS DISTINCT FROM OLD.what_matters
    OR NEW.strengths IS DISTINCT FROM OLD.strengths
    OR NEW.communication_needs IS DISTINCT FROM OLD.communication_needs
    OR NEW.health_needs IS DISTINCT FROM OLD.health_needs
    OR NEW.outcomes_evidence IS DISTINCT FROM OLD.outcomes_evidence
    OR NEW.crisis_plan IS DISTINCT FROM OLD.crisis_plan
    OR NEW.relapse_plan IS DISTINCT FROM OLD.relapse_plan
    OR NEW.pa_absence_plan IS DISTINCT FROM OLD.pa_absence_plan
    OR NEW.over_budget_justification IS DISTINCT FROM OLD.over_budget_justification
    OR NEW.budget_id IS DISTINCT FROM OLD.budget_id
    OR NEW.representative_id IS DISTINCT FROM OLD.representative_id
    OR NEW.representative_agreed_on IS DISTINCT FROM OLD.representative_agreed_on
    OR NEW.person_agreed_on IS DISTINCT FROM OLD.person_agreed_on
) THEN
    RAISE EXCEPTION 'A plan version that has been submitted cannot be changed: make a new version'
        USING ERRCODE = 'check_violation';
END IF;
RETURN NEW;
"""

# For the rows inside a version (goals, items, contacts, risks): only a draft's may change.
FROZEN_CHILD_SQL = """
IF EXISTS (
    SELECT 1 FROM careplans_planversion v
    WHERE v.id = COALESCE(NEW.{column}, OLD.{column}) AND v.status <> 'draft'
) THEN
    RAISE EXCEPTION 'A plan version that has been submitted cannot be changed: make a new version'
        USING ERRCODE = 'check_violation';
END IF;
IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
RETURN NEW;
"""


def frozen_with_version(column: str = "version_id") -> pgtrigger.Trigger:
    return pgtrigger.Trigger(
        name="only_a_draft_changes",
        operation=pgtrigger.Insert | pgtrigger.Update | pgtrigger.Delete,
        when=pgtrigger.Before,
        func=FROZEN_CHILD_SQL.format(column=column),
    )


@audited
class PlanVersion(UUIDModel, Timestamped):
    """One version of a person's plan: what matters to them, their health needs, goals and
    actions, contacts, contingency plans, and what the budget pays for."""

    plan = models.ForeignKey(CarePlan, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=24, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    based_on = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    budget = models.ForeignKey(
        Budget,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plan_versions",
        help_text="The budget that pays for this plan's support.",
    )
    # About me
    what_matters = models.TextField("What matters to me", blank=True, max_length=5000)
    strengths = models.TextField("My strengths", blank=True, max_length=5000)
    communication_needs = models.TextField(
        "How I communicate and what helps me", blank=True, max_length=5000
    )
    # Health and outcomes
    health_needs = models.TextField("My health needs", blank=True, max_length=5000)
    outcomes_evidence = models.TextField(
        "How we will know the plan is working", blank=True, max_length=5000
    )
    # Contingency and safety
    crisis_plan = models.TextField("If I am in crisis", blank=True, max_length=5000)
    relapse_plan = models.TextField("If my health gets worse", blank=True, max_length=5000)
    pa_absence_plan = models.TextField(
        "If my personal assistant cannot come", blank=True, max_length=5000
    )
    # Agreement
    representative = models.ForeignKey(
        Representative, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    representative_agreed_on = models.DateField(null=True, blank=True)
    person_agreed_on = models.DateField("Date the person agreed the plan", null=True, blank=True)
    over_budget_justification = models.TextField(
        "Why the plan costs more than the budget",
        blank=True,
        max_length=5000,
    )
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    # Everyone who changed what this version says (its sections, goals, actions, contacts,
    # risks or items), recorded by the services that change it: whoever wrote part of a plan
    # does not decide it (DOMAIN.md §5).
    written_by = models.ManyToManyField(User, related_name="+", blank=True)
    submitted_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    # Bumped on every change, so a form acting on a stale copy is refused with an explanation.
    lock_version = models.PositiveIntegerField(default=1)

    objects = PlanVersionQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_version_number_once"),
            models.UniqueConstraint(
                fields=["plan"],
                condition=Q(status__in=IN_PROGRESS_STATUSES),
                name="plan_one_version_in_progress",
            ),
            models.UniqueConstraint(
                fields=["plan"],
                condition=Q(status=PlanStatus.ACTIVE),
                name="plan_one_active_version",
            ),
            models.CheckConstraint(
                condition=Q(status__in=PlanStatus.values), name="plan_version_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status=PlanStatus.DRAFT)
                | Q(status=PlanStatus.WITHDRAWN)
                | Q(submitted_by__isnull=False, submitted_at__isnull=False),
                name="plan_version_submitted_has_who_and_when",
            ),
            *text_limits(
                "plan_version",
                what_matters=5000,
                strengths=5000,
                communication_needs=5000,
                health_needs=5000,
                outcomes_evidence=5000,
                crisis_plan=5000,
                relapse_plan=5000,
                pa_absence_plan=5000,
                over_budget_justification=5000,
            ),
        ]
        triggers = [
            pgtrigger.FSM(
                name="plan_version_status_transitions",
                field="status",
                transitions=PLAN_TRANSITIONS,
            ),
            pgtrigger.Trigger(
                name="a_submitted_version_is_fixed",
                operation=pgtrigger.Update,
                when=pgtrigger.Before,
                func=FROZEN_VERSION_SQL,
            ),
            pgtrigger.Protect(name="versions_are_kept", operation=pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return f"{self.plan}, version {self.number}"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES


class PlanStatusChange(UUIDModel, AppendOnly):
    """One move of a version's status: who, when and why."""

    version = models.ForeignKey(
        PlanVersion, on_delete=models.PROTECT, related_name="status_changes"
    )
    from_status = models.CharField(max_length=24, choices=PlanStatus.choices, blank=True)
    to_status = models.CharField(max_length=24, choices=PlanStatus.choices)
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(blank=True, max_length=5000)

    class Meta(AppendOnly.Meta):
        ordering = ["at"]
        constraints = [*text_limits("plan_status_change", reason=5000)]


class Importance(models.TextChoices):
    VERY = "very", "Very important to me"
    IMPORTANT = "important", "Important to me"
    QUITE = "quite", "Quite important to me"


@audited
class Goal(UUIDModel):
    """A goal in the person's own words, and how much it matters to them."""

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="goals")
    order = models.PositiveSmallIntegerField(default=0)
    description = models.TextField("The goal, in the person's words", max_length=1000)
    importance = models.CharField(max_length=10, choices=Importance.choices)

    class Meta:
        ordering = ["order"]
        constraints = [
            models.CheckConstraint(
                condition=Q(importance__in=Importance.values), name="goal_importance_valid"
            ),
            models.CheckConstraint(condition=~Q(description=""), name="goal_has_a_description"),
            *text_limits("goal", description=1000),
        ]
        triggers = [frozen_with_version()]

    def __str__(self) -> str:
        return self.description[:60]


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"


@audited
class GoalAction(UUIDModel):
    """What will be done towards a goal: what, who, when, where it stands, and how confident
    the person feels about it (0 not at all to 10 completely)."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="actions")
    order = models.PositiveSmallIntegerField(default=0)
    what = models.TextField("What will be done", max_length=1000)
    who = models.CharField("Who will do it", max_length=200)
    when = models.CharField("By when", max_length=100)
    status = models.CharField(
        max_length=12, choices=ActionStatus.choices, default=ActionStatus.NOT_STARTED
    )
    confidence = models.PositiveSmallIntegerField("How confident the person feels (0 to 10)")

    class Meta:
        ordering = ["order"]
        constraints = [
            models.CheckConstraint(condition=Q(confidence__lte=10), name="action_confidence_0_10"),
            models.CheckConstraint(
                condition=Q(status__in=ActionStatus.values), name="action_status_valid"
            ),
            *text_limits("goal_action", what=1000),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="only_a_draft_changes",
                operation=pgtrigger.Insert | pgtrigger.Update | pgtrigger.Delete,
                when=pgtrigger.Before,
                func=FROZEN_CHILD_SQL.replace(
                    "WHERE v.id = COALESCE(NEW.{column}, OLD.{column})",
                    "JOIN careplans_goal g ON g.version_id = v.id "
                    "WHERE g.id = COALESCE(NEW.goal_id, OLD.goal_id)",
                ),
            )
        ]


class ContactKind(models.TextChoices):
    PROFESSIONAL = "professional", "Professional"
    PERSONAL = "personal", "Personal"


@audited
class ProfessionalContact(UUIDModel):
    """Someone who works with the person. Every submitted plan names its care coordinator
    and who holds clinical responsibility (the same person may do both)."""

    version = models.ForeignKey(
        PlanVersion, on_delete=models.CASCADE, related_name="professional_contacts"
    )
    user = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Their sign-in, when they are a member of the ICB's staff",
    )
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=200, help_text="For example, GP or district nurse")
    organisation = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    is_care_coordinator = models.BooleanField("Named care coordinator", default=False)
    has_clinical_responsibility = models.BooleanField(
        "Holds clinical responsibility", default=False
    )

    class Meta:
        ordering = ["-is_care_coordinator", "-has_clinical_responsibility", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["version"],
                condition=Q(is_care_coordinator=True),
                name="plan_one_care_coordinator",
            ),
            models.UniqueConstraint(
                fields=["version"],
                condition=Q(has_clinical_responsibility=True),
                name="plan_one_clinical_responsibility",
            ),
        ]
        triggers = [frozen_with_version()]


@audited
class PersonalContact(UUIDModel):
    """Family, friends and others the person wants named in their plan."""

    version = models.ForeignKey(
        PlanVersion, on_delete=models.CASCADE, related_name="personal_contacts"
    )
    name = models.CharField(max_length=200)
    relationship = models.CharField(max_length=100)
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)

    class Meta:
        ordering = ["name"]
        triggers = [frozen_with_version()]


class SupportCategory(models.TextChoices):
    PA_SUPPORT = "pa_support", "Personal assistant support"
    AGENCY_CARE = "agency_care", "Agency care"
    NURSING = "nursing", "Nursing"
    THERAPY = "therapy", "Therapy"
    EQUIPMENT = "equipment", "Equipment"
    WELLBEING = "wellbeing", "Wellbeing activity"
    RESPITE = "respite", "Respite"
    TRANSPORT = "transport", "Transport"
    OTHER = "other", "Other"


class SupportFrequency(models.TextChoices):
    WEEKLY = "weekly", "Each week"
    MONTHLY = "monthly", "Each month"
    YEARLY = "yearly", "Each year"
    ONCE = "once", "Once"


# How many times a year each frequency comes round (a year is 52 weeks: ADR 0005).
TIMES_A_YEAR = {
    SupportFrequency.WEEKLY: 52,
    SupportFrequency.MONTHLY: 12,
    SupportFrequency.YEARLY: 1,
    SupportFrequency.ONCE: 1,
}


def split_costs(costs) -> tuple[Decimal, Decimal]:
    """(what falls every year, what is paid once) of (item, cost) pairs."""
    yearly = once = Decimal("0.00")
    for item, cost in costs:
        if item.is_once:
            once += cost
        else:
            yearly += cost
    return yearly, once


def cost_words(yearly: Decimal, once: Decimal) -> str:
    """A plan's cost as a person reads it: "£9,765.24 a year and £649.99 once", "£9,765.24 a
    year", or "£649.99 once" (a one-off item is not paid every year)."""
    if once and yearly:
        return f"£{yearly:,.2f} a year and £{once:,.2f} once"
    if once:
        return f"£{once:,.2f} once"
    return f"£{yearly:,.2f} a year"


def yearly_cost(unit_cost: Decimal, quantity: Decimal, frequency: str) -> Decimal:
    """Unit cost × quantity × times a year, to the penny (half up, as ADR 0005)."""
    total = Decimal(unit_cost) * Decimal(quantity) * TIMES_A_YEAR[SupportFrequency(frequency)]
    return total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@audited
class SupportItem(UUIDModel):
    """Something the budget pays for: what, who provides it, what it costs, the goals it
    serves and which part of the budget pays for it."""

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="support_items")
    order = models.PositiveSmallIntegerField(default=0)
    description = models.CharField("What it is", max_length=300)
    category = models.CharField(max_length=12, choices=SupportCategory.choices)
    provider = models.CharField("Who provides it", max_length=200)
    unit_cost = MoneyField("Cost each time")
    quantity = models.DecimalField("How many each time", max_digits=8, decimal_places=2)
    frequency = models.CharField("How often", max_length=8, choices=SupportFrequency.choices)
    annual_cost = MoneyField("Cost a year")
    goals = models.ManyToManyField(Goal, blank=True, related_name="support_items")
    portion = models.ForeignKey(
        HoldingPortion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="support_items",
        help_text="Which part of the budget pays for it.",
    )
    pays_family_member = models.BooleanField(
        "Pays a family member or friend who lives in the same household", default=False
    )
    family_member_justification = models.TextField(
        "Why paying them is justified", blank=True, max_length=5000
    )

    class Meta:
        ordering = ["order"]
        constraints = [
            models.CheckConstraint(
                condition=Q(category__in=SupportCategory.values), name="support_category_valid"
            ),
            models.CheckConstraint(
                condition=Q(frequency__in=SupportFrequency.values),
                name="support_frequency_valid",
            ),
            models.CheckConstraint(condition=Q(unit_cost__gte=0), name="support_unit_cost_gte_0"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="support_quantity_gt_0"),
            models.CheckConstraint(
                condition=Q(annual_cost__gte=0), name="support_annual_cost_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(pays_family_member=False) | ~Q(family_member_justification=""),
                name="support_family_member_justified",
            ),
            *text_limits("support_item", family_member_justification=5000),
        ]
        triggers = [frozen_with_version()]

    def __str__(self) -> str:
        return self.description

    @property
    def is_once(self) -> bool:
        return self.frequency == SupportFrequency.ONCE

    @property
    def when(self) -> str:
        """How often its cost falls: "once" for a one-off item, otherwise "a year"."""
        return "once" if self.is_once else "a year"

    @property
    def cost_text(self) -> str:
        """Its cost as a person reads it: a one-off item is paid once, not every year."""
        return f"£{self.annual_cost:,.2f} {self.when}"

    def cost_text_of(self, cost) -> str:
        """Another cost of this item (as a decision changed it), read the same way."""
        return f"£{cost:,.2f} {self.when}"

    @property
    def new_cost_label(self) -> str:
        """What a decider is asked for when approving it at a lower cost."""
        return f"New cost {'' if self.is_once else 'a year '}for {self.description}"

    @property
    def new_cost_missing(self) -> str:
        return f"Give the new cost {'' if self.is_once else 'a year '}for {self.description}"


@audited
class Risk(UUIDModel):
    """A significant risk, what could happen, and how it is reduced."""

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="risks")
    order = models.PositiveSmallIntegerField(default=0)
    risk = models.TextField("The risk", max_length=1000)
    consequence = models.TextField("What could happen", max_length=2000)
    mitigation = models.TextField("How it is reduced", max_length=2000)

    class Meta:
        ordering = ["order"]
        constraints = [*text_limits("risk", risk=1000, consequence=2000, mitigation=2000)]
        triggers = [frozen_with_version()]
