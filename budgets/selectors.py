"""Reads of budgets, scoped to the user."""

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    TextField,
    When,
)
from django.db.models.functions import Cast, JSONObject
from django.utils import timezone

from budgets.in_force import amount_in_force, not_overtaken
from budgets.models import (
    Budget,
    BudgetChange,
    BudgetEdit,
    BudgetLetter,
    BudgetStatusChange,
    ChcPackage,
    ClinicalCheck,
    HoldingMethod,
    HoldingPortion,
    LocalRateSet,
    NationalRateSet,
    PaCosting,
    PaymentInstalment,
    PaymentRun,
    ProposedIncrease,
    RasAssessment,
    RasAssessmentAnswer,
)
from budgets.models.budget import IN_PREPARATION, LIVE_STATUSES, BudgetStatus
from budgets.models.ras import QuestionnaireStatus, RasQuestionnaire
from budgets.services.policy import agreement_refusal, budget_policy_for
from phb.models import BudgetHolder, Role


def _budget_with(*history):
    """A budget with its calculation, money and letters, plus the `history` prefetches given.

    Only its person, ICB and the two members of staff who made and agreed it are joined:
    joined too, the one-to-one rows made a twelve-table query that took PostgreSQL 6-8 ms to
    plan and half a millisecond to run. Each is fetched by primary key instead (none when the
    budget has no such row), with the row it names (a rate set, a clinician) joined to it, so
    that each costs one query, not two (each query costs the ORM about half a millisecond)."""
    return Budget.objects.select_related(
        "budget_holder__organisation", "agreed_by", "created_by"
    ).prefetch_related(
        Prefetch("ras_assessment", queryset=RasAssessment.objects.select_related("questionnaire")),
        "chc_package",
        Prefetch("pa_costing", queryset=PaCosting.objects.select_related("national_rates")),
        Prefetch("clinical_check", queryset=ClinicalCheck.objects.select_related("clinician")),
        "prepared_from",
        "funding_streams",
        Prefetch(
            "portions",
            queryset=HoldingPortion.objects.select_related("schedule").prefetch_related(
                Prefetch(
                    "schedule__instalments", queryset=PaymentInstalment.objects.order_by("number")
                )
            ),
        ),
        Prefetch(
            "ras_assessment__answers",
            queryset=RasAssessmentAnswer.objects.select_related("domain", "option").order_by(
                "domain__order"
            ),
        ),
        "chc_package__lines",
        "pa_costing__lines",
        Prefetch("clinical_checks", queryset=ClinicalCheck.objects.select_related("clinician")),
        Prefetch("changes", queryset=BudgetChange.objects.order_by("at")),
        "letters",
        *history,
    )


def budget_detail_queryset():
    """A budget with everything its pages show, in a fixed number of queries: for staff, its
    history of status changes, edits and proposed increases too."""
    return _budget_with(
        Prefetch("status_changes", queryset=BudgetStatusChange.objects.select_related("by")),
        Prefetch("edits", queryset=BudgetEdit.objects.select_related("by")),
        Prefetch(
            "proposed_increases",
            queryset=ProposedIncrease.objects.select_related("by").prefetch_related(
                Prefetch("checks", queryset=ClinicalCheck.objects.select_related("clinician"))
            ),
        ),
    )


def budget_for(user, pk) -> Budget | None:
    """The budget with what its pages show, if its person is visible to the user."""
    return budget_detail_queryset().visible_to(user).filter(pk=pk).first()


def holder_id_of_budget(pk):
    """Whose budget an address names, to log a refused attempt against their record."""
    return Budget.objects.filter(pk=pk).values_list("budget_holder_id", flat=True).first()


def calculations_for(holder) -> dict:
    """The person's calculations, newest first, with what their explanations need."""
    return {
        "ras": list(
            RasAssessment.objects.filter(budget_holder=holder)
            .select_related("questionnaire")
            .prefetch_related(
                Prefetch(
                    "answers",
                    queryset=RasAssessmentAnswer.objects.select_related(
                        "domain", "option"
                    ).order_by("domain__order"),
                )
            )[:5]
        ),
        "chc": list(ChcPackage.objects.filter(budget_holder=holder).prefetch_related("lines")[:5]),
        "pa": list(
            PaCosting.objects.filter(budget_holder=holder)
            .select_related("national_rates")
            .prefetch_related("lines")[:5]
        ),
    }


def budgets_for(holder):
    return budget_detail_queryset().filter(budget_holder=holder)


def holder_budgets_for(holder):
    """The person's budgets as their own page and its PDF show them: what staff's pages read,
    less the history only staff see (who changed the status, edited the draft or proposed an
    increase), three queries the holder's page made for nothing."""
    return _budget_with().filter(budget_holder=holder)


def _current_budgets(holder_ref):
    # A live budget (agreed, active) before one being set up, then the latest. One that ended
    # or was withdrawn (never agreed) is nobody's budget now.
    return (
        Budget.objects.filter(budget_holder=holder_ref)
        .exclude(status__in=(BudgetStatus.ENDED, BudgetStatus.WITHDRAWN))
        .annotate(live_first=Case(When(status__in=LIVE_STATUSES, then=0), default=1))
        .order_by("live_first", "-period_start", "-created_at")
    )


def current_budget(holder):
    """The budget a person holds now, or the latest one being set up: one light query with
    what the record shows of it (status, amount, period), not the whole budget history
    (issue 12). For everything else about a budget use budget_detail_queryset.

    `amount_in_force` is the amount today (a change of amount writes `agreed_amount` long
    before its day), and `change_to_come` the next change that will happen, as
    {"new_amount", "effective_from"} (None if there is none), in the same query."""
    return (
        _current_budgets(holder)
        .annotate(amount_in_force=amount_in_force(), change_to_come=_change_to_come())
        .only(
            "pk",
            "budget_holder_id",
            "status",
            "agreed_amount",
            "period_start",
            "period_end",
            "agreed_period_end",
        )
        .first()
    )


def _change_to_come():
    """The first change of amount, in the order they were issued, whose day is still to come
    and that the budget's stop does not overtake (`budgets.in_force`), as JSON: the new amount
    as text, so that it reads back as the exact Decimal it is."""
    to_come = (
        BudgetChange.objects.filter(budget=OuterRef("pk"), effective_from__gt=timezone.localdate())
        .filter(not_overtaken())
        .order_by("at")
        .values(
            summary=JSONObject(
                new_amount=Cast("new_amount", TextField()), effective_from="effective_from"
            )
        )
    )
    return Subquery(to_come[:1])


def published_questionnaire(organisation, financial_year: int):
    return (
        RasQuestionnaire.objects.filter(
            organisation=organisation,
            financial_year=financial_year,
            status=QuestionnaireStatus.PUBLISHED,
        )
        .prefetch_related("domains__options")
        .first()
    )


def annotate_current_budget(people):
    """Caseload annotation: the status and amount of each person's current budget, or else of
    the last one that ended, as `current_budget` {"status", "amount"} (None when they have had
    none).

    One subquery for both: two took the planner and the ORM twice the work on every row of
    every caseload page (issue 12). The amount travels as text, so that it is read back as the
    exact Decimal it is, never as a JSON number (a float)."""
    # After the current budgets, the last that ended: a person whose budget ended (or was
    # stopped) has had one, and the caseload says so, not "No budget yet".
    current = (
        Budget.objects.filter(budget_holder=OuterRef("pk"))
        .exclude(status=BudgetStatus.WITHDRAWN)
        .annotate(
            rank=Case(
                When(status__in=LIVE_STATUSES, then=0),
                When(status=BudgetStatus.ENDED, then=2),
                default=1,
            )
        )
        .order_by("rank", "-period_start", "-created_at")
        # The amount in force today: a change of amount writes agreed_amount long before
        # its day (budgets.in_force), in this one query.
        .values(summary=JSONObject(status="status", amount=Cast(amount_in_force(), TextField())))
    )
    return people.annotate(current_budget=Subquery(current[:1]))


def letter_for(user, pk) -> BudgetLetter | None:
    """A letter about a person the user may see, or None."""
    return (
        BudgetLetter.objects.select_related("budget__budget_holder__organisation")
        .filter(budget__in=Budget.objects.visible_to(user), pk=pk)
        .first()
    )


def holder_id_of_letter(pk):
    return (
        BudgetLetter.objects.filter(pk=pk)
        .values_list("budget__budget_holder_id", flat=True)
        .first()
    )


def national_rate_sets():
    return NationalRateSet.objects.order_by("-effective_from")


def local_rate_sets(user):
    """The local rates of the ICB the user acts for."""
    return LocalRateSet.objects.filter(organisation_id=user.acting_organisation_id).order_by(
        "-effective_from"
    )


def rate_tables(user) -> dict:
    """Rate sets with whether each has been used (a used set is never edited)."""
    return {
        "national": national_rate_sets().annotate(uses=Count("pa_costings")),
        "local": local_rate_sets(user).annotate(
            uses=Count("pa_costings", distinct=True) + Count("chc_packages", distinct=True)
        ),
    }


def questionnaires(user):
    return (
        RasQuestionnaire.objects.filter(organisation_id=user.acting_organisation_id)
        .annotate(assessment_count=Count("assessments"))
        .prefetch_related("domains__options")
        .order_by("-financial_year", "-version")
    )


def budget_policy(user):
    """The budget policy of the ICB the user acts for, or None (the defaults)."""
    return budget_policy_for(user.acting_organisation_id)


WAITING_LIMIT = 20

# What a budget in a work queue is waiting for, in the words the queue uses.
WAITING_FOR_CHECK = "waiting for a clinical check"
NOT_SUPPORTED = "the clinician did not support it: waiting for the PHB lead"
WAITING_TO_BE_AGREED = "waiting to be agreed"
WAITING_FOR_ANOTHER_LEAD = "waiting to be agreed by another PHB lead"
SENT_BACK = "sent back to draft: waiting for changes"
NOT_SUPPORTED_DRAFT = "the clinician did not support it: waiting for changes to the draft"
WAITING_FOR_SCHEDULE = "agreed: waiting for a payment schedule"
WAITING_TO_START = "agreed: waiting to be started"
WAITING_FOR_PLAN = "agreed: waiting for the care and support plan to be approved"
WAITING_TO_END = "its period is over: waiting to be ended"


def _prepared_by(user, budgets) -> set:
    """The ids of those of `budgets` that `user` set up, changed as a draft or proposed (the
    separation of duties, as Budget.preparer_ids), in one query for a queue's page of them
    rather than every budget's history."""
    ids = [budget.pk for budget in budgets]
    if not ids:
        return set()
    proposed = BudgetStatusChange.objects.filter(
        budget__in=ids, to_status=BudgetStatus.PROPOSED, by=user
    ).values_list("budget_id", flat=True)
    edited = BudgetEdit.objects.filter(budget__in=ids, by=user).values_list("budget_id", flat=True)
    created = {budget.pk for budget in budgets if budget.created_by_id == user.pk}
    return created | set(proposed.union(edited))


# The fields of a budget the work queues read: to show it (its person and period) and to say
# what it waits for.
WAITING_FIELDS = (
    "pk",
    "budget_holder",
    "period_start",
    "period_end",
    "agreed_period_end",
    "status",
    "agreed_amount",
    "indicative_amount",
    "created_by",
    "plan_approved_at",
    "updated_at",
)


def budgets_waiting_for(user) -> list[tuple[Budget, str]]:
    """Budgets in the user's ICB that wait on someone with one of their roles, oldest first,
    each with what it is waiting for. One query per kind of work the user's roles do (and two
    for the separation of duties when a PHB lead has proposed budgets to agree), however many
    budgets wait."""
    # As Budget.latest_check: a check of the current amount, made after the draft's last change.
    latest_check = (
        ClinicalCheck.objects.filter(budget=OuterRef("pk"), amount=OuterRef("agreed_amount"))
        .exclude(
            Exists(
                BudgetEdit.objects.filter(budget_id=OuterRef("budget_id"), at__gt=OuterRef("at"))
            )
        )
        .order_by("-at")
    )
    budgets = (
        Budget.objects.filter(organisation_id=user.acting_organisation_id)
        # What the queue shows and decides by: a budget has some forty columns, and the ORM's
        # work grows with each one it selects (issue 12).
        .only(*WAITING_FIELDS)
        # Fetched after the page of budgets: joined, the planner reads every person in the
        # country to find a largest ICB's few hundred waiting budgets (ADR 0030).
        .prefetch_related(
            Prefetch(
                "budget_holder",
                queryset=BudgetHolder.objects.only("pk", "given_name", "family_name"),
            )
        )
        .annotate(check_supported=Subquery(latest_check.values("supported")[:1]))
        .order_by("updated_at")
    )
    above = Q(agreed_amount__gt=F("indicative_amount"))
    in_preparation = Q(status__in=IN_PREPARATION)
    # As Budget.unchanged_since_not_supported: a budget whose check did not support it is
    # checked again once it has been edited or proposed again, not before.
    changed_since_check = Exists(
        BudgetStatusChange.objects.filter(
            budget=OuterRef("pk"), to_status=BudgetStatus.PROPOSED, at__gt=OuterRef("checked_at")
        )
    ) | Exists(BudgetEdit.objects.filter(budget=OuterRef("pk"), at__gt=OuterRef("checked_at")))
    checked_at = Subquery(latest_check.values("at")[:1])
    waiting = []
    if user.has_role(Role.CLINICIAN):
        # As Budget.supporting_check: only a check of the budget as it stands counts.
        found = budgets.annotate(checked_at=checked_at).filter(
            in_preparation
            & above
            & (Q(check_supported__isnull=True) | (Q(check_supported=False) & changed_since_check))
        )
        waiting += [(b, WAITING_FOR_CHECK) for b in found[:WAITING_LIMIT]]
        waiting += increases_waiting_for(user)
    if user.has_role(Role.PHB_LEAD, Role.CARE_COORDINATOR):
        # Drafts waiting to be changed: sent back, or a clinician did not support the amount.
        last_from = BudgetStatusChange.objects.filter(budget=OuterRef("pk")).order_by("-at")
        # Only a draft ever sent back can have been sent back last: asking that first (one
        # lookup in a small index) spares the latest-move subquery for every other draft
        # (453 in the largest ICB of the national dataset).
        ever_sent_back = BudgetStatusChange.objects.filter(
            from_status=BudgetStatus.PROPOSED, to_status=BudgetStatus.DRAFT
        ).values("budget_id")
        found = budgets.annotate(last_from=Subquery(last_from.values("from_status")[:1])).filter(
            (Q(pk__in=ever_sent_back) & Q(last_from=BudgetStatus.PROPOSED))
            | (above & Q(check_supported=False)),
            status=BudgetStatus.DRAFT,
        )
        waiting += [
            (b, SENT_BACK if b.last_from == BudgetStatus.PROPOSED else NOT_SUPPORTED_DRAFT)
            for b in found[:WAITING_LIMIT]
        ]
    if user.has_role(Role.PHB_LEAD):
        today = timezone.localdate()
        unsupported = (
            Q(status=BudgetStatus.PROPOSED)
            & above
            & Q(check_supported=False)
            & ~changed_since_check
        )
        ready = Q(status=BudgetStatus.PROPOSED) & (~above | Q(check_supported=True))
        over = Q(status__in=LIVE_STATUSES, period_end__lt=today)
        found = list(
            budgets.annotate(checked_at=checked_at).filter(unsupported | ready | over)[
                :WAITING_LIMIT
            ]
        )
        prepared = _prepared_by(user, found)
        policy = budget_policy(user) if found else None
        for budget in found:
            if budget.is_live:
                why = WAITING_TO_END
            elif budget.check_supported is False and budget.above_indicative:
                why = NOT_SUPPORTED
            elif agreement_refusal(budget, user, policy, prepared=budget.pk in prepared):
                why = WAITING_FOR_ANOTHER_LEAD
            else:
                why = WAITING_TO_BE_AGREED
            waiting.append((budget, why))
    if user.has_role(Role.FINANCE_OFFICER):
        paid_out = [HoldingMethod.DIRECT_PAYMENT, HoldingMethod.THIRD_PARTY]
        found = (
            budgets.filter(status=BudgetStatus.AGREED)
            .annotate(
                unscheduled=Count(
                    "portions",
                    filter=Q(portions__method__in=paid_out, portions__schedule__isnull=True),
                )
            )
            # Stopped before its payments were set, it cannot be given a schedule or start:
            # nothing waits on finance (it is ended once its stop has come).
            .exclude(agreed_period_end__isnull=False, unscheduled__gt=0)
        )
        waiting += [
            (
                b,
                WAITING_FOR_SCHEDULE
                if b.unscheduled
                else WAITING_FOR_PLAN
                if b.plan_approved_at is None
                else WAITING_TO_START,
            )
            for b in found[:WAITING_LIMIT]
        ]
    return waiting


# --- Payments ---------------------------------------------------------------------------------

PAYMENTS_DUE_PAGE_SIZE = 50


def _payments_due(user, due_up_to):
    # As budgets.services.payments.payable_refusal: an active budget's payments, and those of
    # a budget that ended (or was stopped) after it started that are still unpaid.
    started = Exists(
        BudgetStatusChange.objects.filter(
            budget=OuterRef("schedule__portion__budget"), to_status=BudgetStatus.ACTIVE
        )
    )
    return PaymentInstalment.objects.filter(
        Q(schedule__portion__budget__status=BudgetStatus.ACTIVE)
        | Q(started, schedule__portion__budget__status=BudgetStatus.ENDED),
        paid_on__isnull=True,
        due_date__lte=due_up_to,
        schedule__portion__budget__budget_holder__organisation_id=user.acting_organisation_id,
    )


def payments_due(user, *, due_up_to, after=None, size=None):
    """Unpaid instalments of started budgets in the ICB the user acts for (active, or ended
    since they started), due by `due_up_to`,
    by due date: one page of them after the instalment `after` (keyset pagination on the due
    date and id, so a page costs the same however deep it is), and whether more follow."""
    size = size or PAYMENTS_DUE_PAGE_SIZE
    found = _payments_due(user, due_up_to).select_related(
        "schedule__portion__budget__budget_holder"
    )
    if after is not None:
        cursor = PaymentInstalment.objects.filter(pk=after).values("due_date")[:1]
        found = found.filter(
            Q(due_date__gt=Subquery(cursor)) | Q(due_date=Subquery(cursor), pk__gt=after)
        )
    page = list(found.order_by("due_date", "pk")[: size + 1])
    return page[:size], len(page) > size


def payments_due_totals(user, *, due_up_to) -> dict:
    """How many payments are due by `due_up_to` in the user's ICB, and how much they add up to."""
    return _payments_due(user, due_up_to).aggregate(count=Count("pk"), total=Sum("amount"))


def recent_payment_runs(user, limit=10):
    return (
        PaymentRun.objects.filter(organisation_id=user.acting_organisation_id)
        .select_related("recorded_by")
        .order_by("-recorded_at")[:limit]
    )


def payment_run_for(user, pk) -> PaymentRun | None:
    """A payment run of the ICB the user acts for, or None."""
    return (
        PaymentRun.objects.filter(organisation_id=user.acting_organisation_id, pk=pk)
        .select_related("recorded_by", "organisation")
        .first()
    )


def payment_run_instalments(run):
    return run.instalments.select_related("schedule__portion__budget__budget_holder").order_by(
        "schedule__portion__budget__budget_holder__family_name",
        "schedule__portion__budget__budget_holder__given_name",
        "due_date",
    )


def instalment_of(budget, pk) -> PaymentInstalment | None:
    """An instalment of this budget (already loaded through a scoped selector), or None."""
    for portion in budget.portions.all():
        schedule = getattr(portion, "schedule", None)
        if schedule is not None:
            for instalment in schedule.instalments.all():
                if str(instalment.pk) == str(pk):
                    return instalment
    return None


def increases_waiting_for(user) -> list:
    """For a clinician: live budgets of their ICB with a proposed increase (the budget's latest,
    made since its last change of amount) that no clinician has checked yet."""
    if not user.has_role(Role.CLINICIAN):
        return []
    later_proposal = ProposedIncrease.objects.filter(
        budget=OuterRef("budget"), at__gt=OuterRef("at")
    )
    later_change = BudgetChange.objects.filter(budget=OuterRef("budget"), at__gt=OuterRef("at"))
    proposals = (
        ProposedIncrease.objects.filter(
            budget__organisation_id=user.acting_organisation_id,
            budget__status__in=LIVE_STATUSES,
            from_amount=F("budget__agreed_amount"),
            checks__isnull=True,
        )
        .exclude(by=user)
        .exclude(Exists(later_proposal))
        .exclude(Exists(later_change))
        .select_related("budget__budget_holder")
        .order_by("at")
    )
    return [
        (
            proposal.budget,
            f"increase to £{proposal.new_amount:,.2f} proposed, needs your clinical check",
        )
        for proposal in proposals[:WAITING_LIMIT]
    ]


def letter_by_id(pk) -> BudgetLetter | None:
    """A letter for the PDF worker (the request was checked)."""
    return (
        BudgetLetter.objects.select_related("budget__budget_holder__organisation")
        .filter(pk=pk)
        .first()
    )
