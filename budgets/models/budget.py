"""The budget: a period, an agreed amount, how it was reached, who funds it and how it is held.

Status changes go through `budgets.services` and are recorded as immutable
`BudgetStatusChange` rows. The database enforces the allowed transitions (an
FSM trigger), that a person's budgets in preparation or live never overlap (an
exclusion constraint), that an amount above the indicative amount or cap is only
agreed with a written justification and a supporting check by a different
user who is a clinician (a trigger), that whoever prepared or proposed a budget
does not agree it unless their ICB's policy allows it (a trigger), and that a
budget starting before it was set up says why (a check), so no page or script
can skip them.
"""

import datetime

import pgtrigger
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import RangeBoundary, RangeOperators
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from budgets.models.calculations import ChcPackage, PaCosting
from budgets.models.fields import MoneyField, non_negative
from budgets.models.ras import RasAssessment
from phb.audit import audited
from phb.models import (
    FREE_TEXT_LENGTH,
    BudgetHolder,
    DateRange,
    Organisation,
    Timestamped,
    User,
    UUIDModel,
    text_length_limit,
)


class BudgetStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PROPOSED = "proposed", "Proposed"
    AGREED = "agreed", "Agreed"
    ACTIVE = "active", "Active"
    ENDED = "ended", "Ended"
    WITHDRAWN = "withdrawn", "Withdrawn"
    # Until November 2026 a reduction was a status, which stranded a budget reduced before it
    # started. A change of amount is now a `BudgetChange` and the status stays; the value is
    # kept only so that old status history still reads. No budget may have it.
    REDUCED = "reduced", "Reduced"


# Statuses a budget may have now (see REDUCED).
CURRENT_STATUSES = [status for status in BudgetStatus if status != BudgetStatus.REDUCED]

# The only moves a budget's status may make; enforced by a database trigger.
TRANSITIONS = [
    (BudgetStatus.DRAFT, BudgetStatus.PROPOSED),
    (BudgetStatus.PROPOSED, BudgetStatus.DRAFT),
    (BudgetStatus.PROPOSED, BudgetStatus.AGREED),
    (BudgetStatus.AGREED, BudgetStatus.ACTIVE),
    (BudgetStatus.AGREED, BudgetStatus.ENDED),
    (BudgetStatus.ACTIVE, BudgetStatus.ENDED),
    (BudgetStatus.DRAFT, BudgetStatus.WITHDRAWN),
    (BudgetStatus.PROPOSED, BudgetStatus.WITHDRAWN),
]
# Budgets that hold money for their period.
LIVE_STATUSES = [BudgetStatus.AGREED, BudgetStatus.ACTIVE]
# Budgets being prepared.
IN_PREPARATION = [BudgetStatus.DRAFT, BudgetStatus.PROPOSED]
# Two of these never overlap for one person: a budget is not set up over another one being
# prepared or held (a withdrawn or ended budget no longer counts).
HELD_OR_PREPARED = [*IN_PREPARATION, *LIVE_STATUSES]
# Budgets that wait on someone's work whatever their dates: being prepared, or agreed and not
# started. (A live budget whose period is over waits too; it is found by its end date.)
WAITING_STATUSES = [*IN_PREPARATION, BudgetStatus.AGREED]


class CalculationBasis(models.TextChoices):
    RAS = "ras", "Indicative budget from the resource allocation system"
    CHC_CAP = "chc_cap", "Capped at the cost of the conventional CHC package"
    PA_COSTING = "pa_costing", "Costed package of personal assistants"


# SQL for the trigger: a live budget above its indicative amount needs a written justification
# and a supporting clinical check, for at least this amount, by someone who held the clinician
# role in the person's ICB on the day of the check and who is not the person who agreed it. The
# check is of the budget as it was checked: one made before the draft was last changed (its
# period, calculation, amount or justification, say) does not count (`Budget.latest_check`).
# Checked when a budget becomes live and whenever a live budget's amount goes up; a reduction
# keeps the check it was agreed with.
ABOVE_CAP_SQL = """
IF NEW.status IN ('agreed', 'active')
   AND NEW.agreed_amount > NEW.indicative_amount
   AND (TG_OP = 'INSERT'
        OR OLD.status NOT IN ('agreed', 'active')
        OR NEW.agreed_amount > OLD.agreed_amount) THEN
    IF coalesce(btrim(NEW.clinical_justification), '') = '' THEN
        RAISE EXCEPTION 'A budget above its indicative amount needs a clinical justification'
            USING ERRCODE = 'check_violation';
    END IF;
    IF NOT EXISTS (
        SELECT 1 FROM budgets_clinicalcheck c
        JOIN phb_budgetholder h ON h.id = NEW.budget_holder_id
        JOIN phb_roleassignment r
          ON r.user_id = c.clinician_id AND r.role = 'clinician'
         AND r.organisation_id = h.organisation_id
         AND r.starts_on <= (c.at AT TIME ZONE 'Europe/London')::date
         AND (r.ends_on IS NULL OR r.ends_on >= (c.at AT TIME ZONE 'Europe/London')::date)
        WHERE c.id = NEW.clinical_check_id AND c.budget_id = NEW.id AND c.supported
          AND c.amount >= NEW.agreed_amount
          AND c.clinician_id IS DISTINCT FROM NEW.agreed_by_id
          AND NOT EXISTS (SELECT 1 FROM budgets_budgetedit e
                          WHERE e.budget_id = NEW.id AND e.at > c.at)
    ) THEN
        RAISE EXCEPTION
            'Above its indicative amount, a budget needs a supporting check by another clinician'
            USING ERRCODE = 'check_violation';
    END IF;
END IF;
RETURN NEW;
"""

# SQL for the trigger: separation of duties. Whoever set a budget up, changed it as a draft or
# proposed it does not also agree it, unless their ICB's budget policy allows it below an
# amount it chose.
SEPARATION_SQL = """
IF NEW.status = 'agreed' AND OLD.status IS DISTINCT FROM 'agreed' AND (
        NEW.agreed_by_id = NEW.created_by_id
        OR EXISTS (SELECT 1 FROM budgets_budgetstatuschange s
                   WHERE s.budget_id = NEW.id AND s.to_status = 'proposed'
                     AND s.by_id = NEW.agreed_by_id)
        OR EXISTS (SELECT 1 FROM budgets_budgetedit e
                   WHERE e.budget_id = NEW.id AND e.by_id = NEW.agreed_by_id))
   AND NOT EXISTS (
        SELECT 1 FROM budgets_budgetpolicy p
        JOIN phb_budgetholder h ON h.organisation_id = p.organisation_id
        WHERE h.id = NEW.budget_holder_id AND p.preparer_may_agree
          AND NEW.agreed_amount < p.preparer_may_agree_below) THEN
    RAISE EXCEPTION 'Whoever prepared or proposed a budget cannot also agree it'
        USING ERRCODE = 'check_violation';
END IF;
RETURN NEW;
"""


class BudgetQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(budget_holder__in=BudgetHolder.objects.visible_to(user))

    def live(self):
        return self.filter(status__in=LIVE_STATUSES)

    def held_or_prepared(self):
        return self.filter(status__in=HELD_OR_PREPARED)


@audited(exclude=["organisation"])
class Budget(UUIDModel, Timestamped):
    budget_holder = models.ForeignKey(
        BudgetHolder, on_delete=models.PROTECT, related_name="budgets"
    )
    # The person's ICB, written by the database from the person on every insert and update
    # (and when a person's ICB changes), never by the application: an ICB's work queues read
    # its budgets through an index that starts with it (ADR 0030), where a join through the
    # people read every person of the ICB, or every budget of the country.
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        blank=True,
        db_index=False,  # budget_by_icb_and_status starts with it
    )
    period_start = models.DateField()
    period_end = models.DateField()
    # Written only by `budgets.services.stopping.stop_budget`: the last day of the period the
    # amount was agreed for, when the budget was stopped before it (its period_end is then the
    # day before the stop). The amount stays the one agreed for that whole period, so every
    # page that shows it says which period that was, and that the budget stopped early.
    agreed_period_end = models.DateField(
        "The last day of the period as agreed, before the budget was stopped",
        null=True,
        blank=True,
        editable=False,
    )
    status = models.CharField(
        max_length=10, choices=BudgetStatus.choices, default=BudgetStatus.DRAFT
    )
    basis = models.CharField(
        "How the indicative amount was reached", max_length=12, choices=CalculationBasis.choices
    )
    ras_assessment = models.ForeignKey(
        RasAssessment, on_delete=models.PROTECT, null=True, blank=True, related_name="budgets"
    )
    chc_package = models.ForeignKey(
        ChcPackage, on_delete=models.PROTECT, null=True, blank=True, related_name="budgets"
    )
    pa_costing = models.ForeignKey(
        PaCosting, on_delete=models.PROTECT, null=True, blank=True, related_name="budgets"
    )
    indicative_amount = MoneyField(help_text="The calculation's yearly amount, for this period.")
    agreed_amount = MoneyField()
    clinical_justification = models.TextField(blank=True, max_length=FREE_TEXT_LENGTH)
    clinical_check = models.OneToOneField(
        "ClinicalCheck", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    agreed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    agreed_at = models.DateTimeField(null=True, blank=True)
    backdating_reason = models.TextField(
        "Why the budget starts before it was set up",
        blank=True,
        max_length=FREE_TEXT_LENGTH,
        help_text="Needed when the start date had already passed when the budget was set up.",
    )
    prepared_from = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The previous year's budget this one was prepared from.",
    )
    # Written only by `budgets.services.record_plan_approval` (ADR 0024): the care and
    # support plan that agrees this budget was approved, when, and which plan it was.
    plan_approved_at = models.DateTimeField(
        "When the care and support plan was approved", null=True, blank=True
    )
    plan_reference = models.CharField(
        "Which care and support plan was approved", max_length=200, blank=True
    )
    # Bumped on every change, so a page acting on a stale copy is told what happened.
    version = models.PositiveIntegerField(default=1)

    objects = BudgetQuerySet.as_manager()

    class Meta:
        ordering = ["-period_start", "-created_at"]
        # The "waiting for you" panel (budgets.selectors.budgets_waiting_for) reads the ICB's
        # budgets in the statuses that wait on someone, oldest first, and its live budgets whose
        # period is over (issue 12, ADR 0030): without these it read every person of the ICB or
        # every budget in the country on each caseload view.
        indexes = [
            models.Index(
                fields=["organisation", "status", "updated_at"],
                name="budget_by_icb_and_status",
            ),
            models.Index(
                fields=["organisation", "period_end"],
                condition=Q(status__in=[str(status) for status in LIVE_STATUSES]),
                name="budget_live_by_icb_and_end",
            ),
        ]
        constraints = [
            text_length_limit("clinical_justification", FREE_TEXT_LENGTH, "budget"),
            text_length_limit("backdating_reason", FREE_TEXT_LENGTH, "budget"),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="budget_period_ordered"
            ),
            models.CheckConstraint(
                condition=Q(agreed_period_end__isnull=True)
                | Q(agreed_period_end__gt=F("period_end")),
                name="budget_stopped_before_its_agreed_end",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[str(status) for status in CURRENT_STATUSES]),
                name="budget_status_valid",
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        basis=CalculationBasis.RAS,
                        ras_assessment__isnull=False,
                        chc_package__isnull=True,
                        pa_costing__isnull=True,
                    )
                    | Q(
                        basis=CalculationBasis.CHC_CAP,
                        chc_package__isnull=False,
                        ras_assessment__isnull=True,
                        pa_costing__isnull=True,
                    )
                    | Q(
                        basis=CalculationBasis.PA_COSTING,
                        pa_costing__isnull=False,
                        ras_assessment__isnull=True,
                        chc_package__isnull=True,
                    )
                ),
                name="budget_basis_matches_calculation",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=LIVE_STATUSES)
                | Q(agreed_by__isnull=False, agreed_at__isnull=False),
                name="budget_agreed_has_who_and_when",
            ),
            # The budget is agreed as part of the care and support plan: no payment starts
            # before the plan is approved (ADR 0024).
            models.CheckConstraint(
                condition=~Q(status=BudgetStatus.ACTIVE)
                | Q(plan_approved_at__isnull=False) & ~Q(plan_reference=""),
                name="budget_active_has_an_approved_plan",
            ),
            *non_negative("indicative_amount", "agreed_amount", prefix="budget"),
            ExclusionConstraint(
                name="budget_periods_do_not_overlap",
                expressions=[
                    ("budget_holder", RangeOperators.EQUAL),
                    (
                        DateRange("period_start", "period_end", RangeBoundary()),
                        RangeOperators.OVERLAPS,
                    ),
                ],
                condition=Q(status__in=HELD_OR_PREPARED),
            ),
            # Backdating happens, but never by accident: a budget whose start date had passed
            # when it was set up says why. (The day it was set up is in the service's time
            # zone, Europe/London, which Django writes into the constraint.)
            models.CheckConstraint(
                condition=Q(period_start__gte=TruncDate("created_at")) | ~Q(backdating_reason=""),
                name="budget_backdated_says_why",
            ),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="budget_organisation_is_the_persons",
                operation=pgtrigger.Insert | pgtrigger.Update,
                when=pgtrigger.Before,
                func="""
                    SELECT organisation_id INTO NEW.organisation_id
                        FROM phb_budgetholder WHERE id = NEW.budget_holder_id;
                    RETURN NEW;
                """,
            ),
            pgtrigger.FSM(
                name="budget_status_transitions", field="status", transitions=TRANSITIONS
            ),
            pgtrigger.Trigger(
                name="budget_above_cap_needs_clinical_check",
                operation=pgtrigger.Insert | pgtrigger.Update,
                when=pgtrigger.Before,
                func=ABOVE_CAP_SQL,
            ),
            # Named to run after the above-cap trigger (PostgreSQL runs them in name order).
            pgtrigger.Trigger(
                name="budget_agreed_by_someone_who_did_not_prepare_it",
                operation=pgtrigger.Update,
                when=pgtrigger.Before,
                func=SEPARATION_SQL,
            ),
        ]

    def __str__(self) -> str:
        return f"Budget for {self.budget_holder} {self.period_start} to {self.period_end}"

    @property
    def calculation(self):
        return self.ras_assessment or self.chc_package or self.pa_costing

    @property
    def above_indicative(self) -> bool:
        return self.agreed_amount > self.indicative_amount

    def supporting_check(self):
        """The latest clinical check of the budget as it stands (`latest_check`), if it
        supports it, else None.

        Reads `clinical_checks.all()`, so a prefetch serves it without a query.
        """
        latest = self.latest_check()
        return latest if latest is not None and latest.supported else None

    @property
    def needs_clinical_check(self) -> bool:
        """Still being set up, above its indicative amount, and no clinician supports it yet."""
        return (
            self.status in (BudgetStatus.DRAFT, BudgetStatus.PROPOSED)
            and self.above_indicative
            and self.supporting_check() is None
        )

    @property
    def stopped_from(self):
        """The day a budget stopped early takes effect (None: it was not stopped)."""
        if self.agreed_period_end is None:
            return None
        return self.period_end + datetime.timedelta(days=1)

    @property
    def full_period_end(self):
        """The last day of the period its amount was agreed for."""
        return self.agreed_period_end or self.period_end

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES

    @property
    def in_preparation(self) -> bool:
        return self.status in IN_PREPARATION

    def _last_edited_at(self):
        return max((edit.at for edit in self.edits.all()), default=None)

    def _check_counts(self, check, last_edited_at) -> bool:
        """A check counts only for the budget as it was checked: the same amount, and no change
        to the draft since (a change may move its period, calculation or cap, or rewrite its
        justification, which the clinician never saw). The database's trigger agrees."""
        return check.amount == self.agreed_amount and (
            last_edited_at is None or check.at >= last_edited_at
        )

    def latest_check(self):
        """The latest clinical check of the budget as it stands, whatever it found, or None.

        Reads `clinical_checks.all()` and `edits.all()`, so prefetches serve it."""
        edited = self._last_edited_at()
        checks = [c for c in self.clinical_checks.all() if self._check_counts(c, edited)]
        return max(checks, key=lambda check: check.at, default=None)

    def earlier_check(self):
        """The latest clinical check made before the budget was changed, when none of the budget
        as it stands counts (None otherwise): a clinician must check it again."""
        if self.latest_check() is not None:
            return None
        checks = [c for c in self.clinical_checks.all() if c.proposed_increase_id is None]
        return max(checks, key=lambda check: check.at, default=None)

    @property
    def check_did_not_support(self) -> bool:
        """Being set up, and the latest check of its current amount did not support it."""
        check = self.latest_check() if self.in_preparation and self.above_indicative else None
        return check is not None and not check.supported

    @property
    def unchanged_since_not_supported(self) -> bool:
        """The latest check of its current amount did not support it, and the budget has been
        neither changed (a draft edited) nor proposed since. A clinician checks it again once it
        has, not before: another check of the same budget would overturn the first clinician's
        answer unseen. Sending it back to draft is not a change. Reads the prefetches."""
        if not self.check_did_not_support:
            return False
        checked_at = self.latest_check().at
        proposed = [c.at for c in self.status_changes.all() if c.to_status == BudgetStatus.PROPOSED]
        since = proposed + [e.at for e in self.edits.all()]
        return all(at <= checked_at for at in since)

    def last_status_change(self, to_status=None):
        """The latest status change (to `to_status`, if given), read from the prefetch."""
        changes = [
            c for c in self.status_changes.all() if to_status is None or c.to_status == to_status
        ]
        return max(changes, key=lambda change: change.at, default=None)

    def preparer_ids(self) -> set:
        """Everyone who set this budget up, changed it as a draft or proposed it."""
        return (
            {self.created_by_id}
            | {c.by_id for c in self.status_changes.all() if c.to_status == BudgetStatus.PROPOSED}
            | {edit.by_id for edit in self.edits.all()}
        )


class AppendOnly(models.Model):
    """An immutable record: the database rejects UPDATE and DELETE."""

    class Meta:
        abstract = True
        triggers = [
            pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete)
        ]


class BudgetStatusChange(UUIDModel, AppendOnly):
    """One move of a budget's status, with who made it, when and why."""

    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(max_length=10, choices=BudgetStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=BudgetStatus.choices)
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(blank=True, max_length=FREE_TEXT_LENGTH)

    class Meta(AppendOnly.Meta):
        ordering = ["at"]
        constraints = [text_length_limit("reason", FREE_TEXT_LENGTH, "budget_status_change")]
        # A budget's latest move, read from the index alone: the "sent back to draft" queue
        # on the caseload asks it of each of an ICB's drafts (453 in the largest ICB of the
        # national dataset: 2.5 ms with the budget_id index and a sort each, 1.9 ms with this).
        indexes = [
            models.Index(
                fields=["budget", "-at"], include=["from_status"], name="status_change_latest"
            ),
            # The budgets ever sent back from proposed to draft, few among an ICB's drafts:
            # the queue asks for the latest move only of those (budgets.selectors).
            models.Index(
                fields=["budget"],
                condition=models.Q(from_status="proposed", to_status="draft"),
                name="status_change_sent_back",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.budget}: {self.from_status or 'new'} to {self.to_status}"


class BudgetEdit(UUIDModel, AppendOnly):
    """A change to a draft budget: who made it, when, and what changed."""

    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="edits")
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    summary = models.TextField()

    class Meta(AppendOnly.Meta):
        ordering = ["at"]

    def __str__(self) -> str:
        return f"{self.budget} changed by {self.by}"


class ClinicalCheck(UUIDModel, AppendOnly):
    """A clinician's check of an above-cap amount and its justification: the amount a budget is
    being set up with, or a proposed increase of a live budget (`proposed_increase`)."""

    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="clinical_checks")
    proposed_increase = models.ForeignKey(
        "budgets.ProposedIncrease",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="checks",
    )
    clinician = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    amount = MoneyField(help_text="The amount the clinician checked.")
    supported = models.BooleanField()
    notes = models.TextField(max_length=FREE_TEXT_LENGTH)
    at = models.DateTimeField(default=timezone.now)

    class Meta(AppendOnly.Meta):
        ordering = ["-at"]
        constraints = [text_length_limit("notes", FREE_TEXT_LENGTH, "clinical_check")]

    def __str__(self) -> str:
        return f"Clinical check of {self.budget} by {self.clinician}"


class FundingStreamKind(models.TextChoices):
    NHS_CHC = "nhs_chc", "NHS Continuing Healthcare"
    S117 = "s117", "Section 117 aftercare"
    CHILDRENS_CONTINUING_CARE = "children_cc", "Children's continuing care"
    WHEELCHAIR = "wheelchair", "Wheelchair services"
    LA_SOCIAL_CARE = "la_social_care", "Local authority social care"
    EDUCATION = "education", "Education"
    OTHER_NHS = "other_nhs", "Other NHS funding"


@audited
class FundingStream(UUIDModel):
    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="funding_streams")
    kind = models.CharField(max_length=16, choices=FundingStreamKind.choices)
    share_percent = models.DecimalField(max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["-share_percent", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["budget", "kind"], name="funding_stream_once_per_budget"
            ),
            models.CheckConstraint(
                condition=Q(share_percent__gt=0, share_percent__lte=100),
                name="funding_share_0_to_100",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=FundingStreamKind.values), name="funding_kind_valid"
            ),
        ]


class HoldingMethod(models.TextChoices):
    NOTIONAL = "notional", "Notional budget (the ICB holds the money and arranges care)"
    THIRD_PARTY = "third_party", "Third party budget (an organisation holds the money)"
    DIRECT_PAYMENT = "direct_payment", "Direct payment (money paid to the person or their nominee)"


@audited
class HoldingPortion(UUIDModel):
    """Part of the agreed amount held one way. A mixed budget has several."""

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="portions")
    method = models.CharField(max_length=16, choices=HoldingMethod.choices)
    amount = MoneyField()
    held_by = models.CharField(
        max_length=200,
        blank=True,
        help_text="For a third party budget, the organisation that holds it.",
    )

    class Meta:
        ordering = ["method"]
        constraints = [
            models.UniqueConstraint(
                fields=["budget", "method"], name="holding_method_once_per_budget"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="holding_amount_positive"),
            models.CheckConstraint(
                condition=Q(method__in=HoldingMethod.values), name="holding_method_valid"
            ),
            models.CheckConstraint(
                condition=~Q(method=HoldingMethod.THIRD_PARTY) | ~Q(held_by=""),
                name="holding_third_party_named",
            ),
        ]

    @property
    def short_method(self) -> str:
        """'Direct payment' rather than the full explanation in the choice label."""
        return self.get_method_display().split(" (")[0]

    @property
    def is_paid_out(self) -> bool:
        return self.method in (HoldingMethod.DIRECT_PAYMENT, HoldingMethod.THIRD_PARTY)


# SQL for the trigger on `BudgetChange`: an increase to above the indicative amount needs the
# justification and a supporting check of exactly the new amount, by someone who held the
# clinician role in the person's ICB on the day of the check, and who is not the person making
# the change. (The budget's own trigger also refuses its amount going up without a check.)
INCREASE_ABOVE_CAP_SQL = """
IF NEW.new_amount > NEW.previous_amount
   AND NEW.new_amount > (SELECT indicative_amount FROM budgets_budget WHERE id = NEW.budget_id) THEN
    IF coalesce(btrim(NEW.clinical_justification), '') = '' THEN
        RAISE EXCEPTION 'An increase above the indicative amount needs a clinical justification'
            USING ERRCODE = 'check_violation';
    END IF;
    IF NOT EXISTS (
        SELECT 1 FROM budgets_clinicalcheck c
        JOIN budgets_budget b ON b.id = NEW.budget_id
        JOIN phb_budgetholder h ON h.id = b.budget_holder_id
        JOIN phb_roleassignment r
          ON r.user_id = c.clinician_id AND r.role = 'clinician'
         AND r.organisation_id = h.organisation_id
         AND r.starts_on <= (c.at AT TIME ZONE 'Europe/London')::date
         AND (r.ends_on IS NULL OR r.ends_on >= (c.at AT TIME ZONE 'Europe/London')::date)
        WHERE c.id = NEW.clinical_check_id AND c.budget_id = NEW.budget_id AND c.supported
          AND c.amount = NEW.new_amount
          AND c.clinician_id IS DISTINCT FROM NEW.by_id
    ) THEN
        RAISE EXCEPTION
            'An increase above the indicative amount needs a supporting check by another clinician'
            USING ERRCODE = 'check_violation';
    END IF;
END IF;
RETURN NEW;
"""


class _DaysBetween(models.Func):
    """`later - earlier` in days: PostgreSQL subtracts dates to a whole number of days."""

    arg_joiner = " - "
    template = "(%(expressions)s)"
    output_field = models.IntegerField()


class BudgetChange(UUIDModel, AppendOnly):
    """A change of a live budget's amount, up or down: what changed, why, from when, and the
    notice the letter gave (worked out from the letter's date, never typed)."""

    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="changes")
    previous_amount = MoneyField()
    new_amount = MoneyField()
    effective_from = models.DateField()
    notified_on = models.DateField(help_text="The date of the letter that gave notice.")
    notice_days = models.PositiveSmallIntegerField(
        help_text="Days from the letter to the change: worked out from the dates."
    )
    reason = models.TextField(max_length=FREE_TEXT_LENGTH)
    clinical_justification = models.TextField(blank=True, max_length=FREE_TEXT_LENGTH)
    clinical_check = models.ForeignKey(
        ClinicalCheck, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta(AppendOnly.Meta):
        ordering = ["-at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(new_amount=F("previous_amount")), name="budget_change_changes_amount"
            ),
            models.CheckConstraint(
                condition=Q(new_amount__gte=0), name="budget_change_amount_gte_0"
            ),
            text_length_limit("reason", FREE_TEXT_LENGTH, "budget_change"),
            text_length_limit("clinical_justification", FREE_TEXT_LENGTH, "budget_change"),
            models.CheckConstraint(
                condition=Q(notice_days=_DaysBetween(F("effective_from"), F("notified_on"))),
                name="budget_change_notice_from_the_dates",
            ),
        ]
        triggers = [
            *AppendOnly.Meta.triggers,
            pgtrigger.Trigger(
                name="budget_change_increase_above_cap_needs_check",
                operation=pgtrigger.Insert,
                when=pgtrigger.Before,
                func=INCREASE_ABOVE_CAP_SQL,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.budget} {self.direction} to {self.new_amount} from {self.effective_from}"

    @property
    def is_increase(self) -> bool:
        return self.new_amount > self.previous_amount

    @property
    def direction(self) -> str:
        return "increased" if self.is_increase else "reduced"
