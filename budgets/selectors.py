"""Reads of budgets, scoped to the user."""

from django.db.models import Case, Count, F, OuterRef, Prefetch, Q, Subquery, When

from budgets.models import (
    Budget,
    BudgetChange,
    BudgetLetter,
    ChcPackage,
    ClinicalCheck,
    HoldingMethod,
    HoldingPortion,
    LocalRateSet,
    NationalRateSet,
    PaCosting,
    PaymentInstalment,
    RasAssessment,
    RasAssessmentAnswer,
)
from budgets.models.budget import LIVE_STATUSES, BudgetStatus
from budgets.models.ras import QuestionnaireStatus, RasQuestionnaire
from phb.models import Role


def budget_detail_queryset():
    """A budget with everything its pages show, in a fixed number of queries."""
    return Budget.objects.select_related(
        "budget_holder__organisation",
        "ras_assessment__questionnaire",
        "chc_package",
        "pa_costing__national_rates",
        "clinical_check__clinician",
        "agreed_by",
        "created_by",
    ).prefetch_related(
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
        "status_changes__by",
        "clinical_checks__clinician",
        Prefetch("changes", queryset=BudgetChange.objects.order_by("at")),
        "letters",
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


def current_budget(holder):
    """The budget a person holds now, or the latest one being set up."""
    budgets = list(budgets_for(holder).exclude(status=BudgetStatus.ENDED))
    live = [b for b in budgets if b.is_live]
    return (live or budgets or [None])[0]


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
    """Caseload annotation: the status and amount of each person's current budget."""
    # A live budget (agreed, active or reduced) before one being set up, then the latest.
    current = (
        Budget.objects.filter(budget_holder=OuterRef("pk"))
        .exclude(status=BudgetStatus.ENDED)
        .annotate(live_first=Case(When(status__in=LIVE_STATUSES, then=0), default=1))
        .order_by("live_first", "-period_start", "-created_at")
    )
    return people.annotate(
        budget_status=Subquery(current.values("status")[:1]),
        budget_amount=Subquery(current.values("agreed_amount")[:1]),
    )


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


WAITING_LIMIT = 20


def budgets_waiting_for(user) -> list[tuple[Budget, str]]:
    """Budgets in the user's ICB that wait on someone with one of their roles, oldest first."""
    budgets = (
        Budget.objects.filter(budget_holder__organisation_id=user.acting_organisation_id)
        .select_related("budget_holder")
        .order_by("updated_at")
    )
    waiting = []
    if user.has_role(Role.CLINICIAN):
        # As Budget.supporting_check: the latest check of the current amount must support it.
        latest_check = ClinicalCheck.objects.filter(
            budget=OuterRef("pk"), amount=OuterRef("agreed_amount")
        ).order_by("-at")
        found = (
            budgets.filter(
                status__in=[BudgetStatus.DRAFT, BudgetStatus.PROPOSED],
                agreed_amount__gt=F("indicative_amount"),
            )
            .annotate(supported=Subquery(latest_check.values("supported")[:1]))
            .filter(Q(supported__isnull=True) | Q(supported=False))
        )
        waiting += [(b, "needs your clinical check") for b in found[:WAITING_LIMIT]]
    if user.has_role(Role.PHB_LEAD):
        found = budgets.filter(status=BudgetStatus.PROPOSED)
        waiting += [(b, "proposed, waiting to be agreed") for b in found[:WAITING_LIMIT]]
    if user.has_role(Role.FINANCE_OFFICER):
        found = budgets.filter(
            status=BudgetStatus.AGREED,
            portions__method__in=[HoldingMethod.DIRECT_PAYMENT, HoldingMethod.THIRD_PARTY],
            portions__schedule__isnull=True,
        ).distinct()
        waiting += [(b, "agreed, needs a payment schedule") for b in found[:WAITING_LIMIT]]
    return waiting
