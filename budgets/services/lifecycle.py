"""A budget's life: set up and changed as a draft, proposed, checked by a clinician above its
indicative amount, agreed by someone who did not prepare it, started, and ended when its period
is over; or sent back to draft, or withdrawn, with a reason, before it is agreed."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from budgets import calculations as calc
from budgets.models import (
    Budget,
    BudgetEdit,
    BudgetStatus,
    BudgetStatusChange,
    CalculationBasis,
    ChcPackage,
    ClinicalCheck,
    FundingStream,
    HoldingMethod,
    HoldingPortion,
    PaCosting,
    RasAssessment,
)
from budgets.models.budget import LIVE_STATUSES
from budgets.money import check_money
from budgets.services.base import Conflict, _lock, _save, _status_change
from budgets.services.plan_approval import check_plan_approved
from budgets.services.policy import agreement_refusal, budget_policy_for
from phb.permissions import Permission, require
from phb.services import only_fields

OVERLAP_CONSTRAINT = "budget_periods_do_not_overlap"


def _day(value: datetime.date) -> str:
    return f"{value:%-d %B %Y}"


def _basis_of(calculation) -> tuple[str, Decimal, dict]:
    if isinstance(calculation, RasAssessment):
        return CalculationBasis.RAS, calculation.annual_amount, {"ras_assessment": calculation}
    if isinstance(calculation, ChcPackage):
        return CalculationBasis.CHC_CAP, calculation.annual_cost, {"chc_package": calculation}
    if isinstance(calculation, PaCosting):
        return CalculationBasis.PA_COSTING, calculation.total_annual, {"pa_costing": calculation}
    raise ValidationError({"calculation": "Choose how the budget was worked out"})


def indicative_amount(calculation, annual: Decimal, start, end) -> Decimal:
    """The calculation's yearly amount for `start` to `end`: pro rata by days, but a PA
    costing's Employment Allowance is set against the National Insurance of those days."""
    if isinstance(calculation, PaCosting):
        return calculation.for_period(start, end).amount
    return calc.amount_for_period(annual, start, end)


def _check_period(budget_holder, start, end, *, exclude=None) -> None:
    """One financial year, and no other budget of the person's being prepared or held then."""
    if end < start:
        raise ValidationError({"period_end": "The end date must be on or after the start date"})
    _, fy_end = calc.financial_year(start)
    if end > fy_end:
        raise ValidationError(
            {
                "period_end": f"A budget must fall within one financial year: this one ends "
                f"after {_day(fy_end)}"
            }
        )
    overlapping = (
        Budget.objects.held_or_prepared()
        .filter(budget_holder=budget_holder, period_start__lte=end, period_end__gte=start)
        .exclude(pk=exclude)
        .order_by("period_start")
        .first()
    )
    if overlapping:
        then = (
            "Change the dates"
            if overlapping.is_live
            else "Change the dates, or withdraw that budget first"
        )
        raise ValidationError(
            {
                "period_start": "This period overlaps the "
                f"{overlapping.get_status_display().lower()} budget from "
                f"{_day(overlapping.period_start)} to {_day(overlapping.period_end)}. {then}"
            }
        )


# Far enough ahead for next financial year's budget from any day of this one.
FURTHEST_AHEAD_MONTHS = 18


def _year_worked_out_for(calculation) -> datetime.date:
    """The first day of the financial year whose figures a calculation used: its
    questionnaire's year for a resource allocation, else the year of the day it applies from
    (the national and local rates in force then)."""
    if isinstance(calculation, RasAssessment):
        return datetime.date(calculation.questionnaire.financial_year, 4, 1)
    return calc.financial_year(calculation.effective_date)[0]


def _check_calculation_year(calculation, start: datetime.date) -> None:
    """A budget is worked out with the figures of the financial year it is for: a calculation
    made with another year's price per point, wages or rates would give the wrong amount."""
    worked_out_for = _year_worked_out_for(calculation)
    if worked_out_for != calc.financial_year(start)[0]:
        year = calc.financial_year_label(start)
        raise ValidationError(
            {
                "calculation": "This calculation was worked out with the figures for "
                f"{calc.financial_year_label(worked_out_for)}, but the budget starts on "
                f"{_day(start)}, in {year}. Choose a calculation for {year}, or work one out"
            }
        )


def _check_pa_ages(calculation, start: datetime.date) -> None:
    """A PA costing prices a budget only if every PA's age decides on the budget's start what it
    decided on the costing's date: their minimum wage, the employer's National Insurance and
    pension duty. A PA who has turned 21 by then is owed the National Living Wage, which the
    costing does not include."""
    if not isinstance(calculation, PaCosting) or calculation.effective_date == start:
        return
    figures = calculation.national_rates.as_figures()
    frequency = calc.PayFrequency(calculation.pay_frequency)
    for line in calculation.lines.all():
        pa = calc.PaInput(
            label=line.label,
            hours_per_week=line.hours_per_week,
            hourly_rate=line.hourly_rate,
            irregular_hours=line.irregular_hours,
            pension=calc.PensionStatus(line.pension),
            date_of_birth=line.date_of_birth,
            apprentice=line.apprentice,
        )
        change = calc.age_change_between(pa, frequency, figures, calculation.effective_date, start)
        if change is None:
            continue
        when, kind = change
        does = f"{line.label} {calc.AGE_CHANGE_WORDS[kind]} on {_day(when)}"
        if start > calculation.effective_date:
            why = f"{does}, before this budget starts"
        else:
            why = (
                f"{does}, after this budget starts on {_day(start)} and before the PA "
                f"costing's date, {_day(calculation.effective_date)}"
            )
        raise ValidationError(
            {"calculation": f"{why}: work out the PA costing again from {_day(start)}"}
        )


def _check_dates(start, end, *, backdating_reason: str) -> str:
    """A budget is set up for a period that has not ended; one that starts in the past says
    why (backdating happens, but never by accident). Returns the reason to record."""
    today = timezone.localdate()
    if end < today:
        raise ValidationError(
            {
                "period_end": f"This period ended on {_day(end)}. A budget whose period has "
                "already ended cannot be set up"
            }
        )
    latest = calc.add_months(today, FURTHEST_AHEAD_MONTHS)
    if start > latest:
        raise ValidationError(
            {
                "period_start": f"A budget is set up no more than {FURTHEST_AHEAD_MONTHS} months "
                f"ahead: the start must be on or before {_day(latest)}"
            }
        )
    if start >= today:
        return ""
    if not backdating_reason.strip():
        raise ValidationError(
            {
                "backdating_reason": f"The start date, {_day(start)}, has already passed. If "
                "the budget really starts then, confirm it is backdated and say why"
            }
        )
    return backdating_reason.strip()


def _check_still_on_time(budget, *, doing: str, then: str) -> None:
    """Before proposing or agreeing: the period has not ended, and a start date that has
    passed since the budget was set up is explained."""
    today = timezone.localdate()
    if budget.period_end < today:
        raise ValidationError(
            f"You cannot {doing} this budget: its period ended on {_day(budget.period_end)}. "
            "Withdraw it, and set up a budget for a period that has not ended"
        )
    if budget.period_start < today and not budget.backdating_reason:
        raise ValidationError(
            f"This budget was due to start on {_day(budget.period_start)}, which has passed. "
            f"{then} to change the start date, or to say why it is backdated"
        )


def _check_shares(funding_streams) -> None:
    if not funding_streams:
        raise ValidationError({"funding_streams": "Add at least one funding stream"})
    for _, share in funding_streams:
        if not isinstance(share, Decimal | int) or not Decimal(share).is_finite():
            raise ValidationError({"funding_streams": "Each share must be a percentage"})
    kinds = [kind for kind, _ in funding_streams]
    if len(kinds) != len(set(kinds)):
        raise ValidationError({"funding_streams": "Each funding stream can only be listed once"})
    if any(share <= 0 for _, share in funding_streams):
        raise ValidationError(
            {"funding_streams": "Each funding stream's share must be more than 0%"}
        )
    total = sum((share for _, share in funding_streams), Decimal(0))
    if total != 100:
        raise ValidationError(
            {
                "funding_streams": "Funding stream shares must add up to 100%. "
                f"They add up to {total}%"
            }
        )


def _check_portions(portions, agreed_amount: Decimal) -> None:
    if not portions:
        raise ValidationError({"portions": "Say how the money will be held"})
    methods = [method for method, _, _ in portions]
    if len(methods) != len(set(methods)):
        raise ValidationError({"portions": "Each way of holding the money can only be listed once"})
    for method, amount, held_by in portions:
        check_money(amount, what="Each way of holding the money", field="portions")
        if amount <= 0:
            raise ValidationError(
                {"portions": "Each way of holding the money needs an amount above £0"}
            )
        if method == HoldingMethod.THIRD_PARTY and not held_by.strip():
            raise ValidationError(
                {"portions": "Name the organisation that holds the third party budget"}
            )
    total = sum((amount for _, amount, _ in portions), Decimal(0))
    if total != agreed_amount:
        raise ValidationError(
            {
                "portions": f"The ways of holding the money add up to £{total:,.2f}, but the "
                f"budget is £{agreed_amount:,.2f}. They must be the same"
            }
        )


def _check_amounts(*, agreed_amount, indicative: Decimal, clinical_justification: str) -> Decimal:
    agreed_amount = check_money(
        agreed_amount, what="The budget amount", field="agreed_amount", minimum=None
    )
    if agreed_amount < 0:
        raise ValidationError({"agreed_amount": "The amount cannot be negative"})
    if agreed_amount > indicative and not clinical_justification.strip():
        raise ValidationError(
            {
                "clinical_justification": "The amount is more than the indicative "
                f"£{indicative:,.2f}. Write the clinical justification for it"
            }
        )
    return agreed_amount


def _write_streams_and_portions(budget, funding_streams, portions) -> None:
    FundingStream.objects.bulk_create(
        FundingStream(budget=budget, kind=kind, share_percent=share)
        for kind, share in funding_streams
    )
    HoldingPortion.objects.bulk_create(
        HoldingPortion(budget=budget, method=method, amount=amount, held_by=held_by.strip())
        for method, amount, held_by in portions
    )


def _overlap_conflict(error: IntegrityError) -> Conflict:
    if OVERLAP_CONSTRAINT not in str(error):
        raise error
    return Conflict(
        "Someone has just set up or changed another budget for this person over the same "
        "dates. Nothing was saved: check the person's budgets and try again."
    )


@transaction.atomic
def create_budget(
    *,
    actor,
    budget_holder,
    period_start: datetime.date,
    period_end: datetime.date,
    calculation,
    agreed_amount: Decimal,
    clinical_justification: str = "",
    funding_streams,
    portions,
    backdating_reason: str = "",
) -> Budget:
    """A draft budget. `funding_streams` are (kind, share %) pairs; `portions` are
    (method, amount, held_by) triples that add up to the amount. A start date that has
    already passed needs `backdating_reason`."""
    require(actor, Permission.PREPARE_BUDGET, budget_holder)
    if calculation.budget_holder_id != budget_holder.pk:
        raise PermissionDenied
    _check_period(budget_holder, period_start, period_end)
    backdating_reason = _check_dates(period_start, period_end, backdating_reason=backdating_reason)
    basis, annual, link = _basis_of(calculation)
    _check_calculation_year(calculation, period_start)
    _check_pa_ages(calculation, period_start)
    indicative = indicative_amount(calculation, annual, period_start, period_end)
    agreed_amount = _check_amounts(
        agreed_amount=agreed_amount,
        indicative=indicative,
        clinical_justification=clinical_justification,
    )
    _check_shares(funding_streams)
    _check_portions(portions, agreed_amount)
    try:
        with transaction.atomic():
            budget = Budget.objects.create(
                budget_holder=budget_holder,
                period_start=period_start,
                period_end=period_end,
                basis=basis,
                indicative_amount=indicative,
                agreed_amount=agreed_amount,
                clinical_justification=clinical_justification.strip(),
                backdating_reason=backdating_reason,
                created_by=actor,
                **link,
            )
    except IntegrityError as error:
        raise _overlap_conflict(error) from error
    _write_streams_and_portions(budget, funding_streams, portions)
    BudgetStatusChange.objects.create(
        budget=budget, from_status="", to_status=BudgetStatus.DRAFT, by=actor, reason="Set up"
    )
    return budget


DRAFT_FIELDS = (
    "period_start",
    "period_end",
    "calculation",
    "agreed_amount",
    "clinical_justification",
    "funding_streams",
    "portions",
    "backdating_reason",
)


def _money_words(value: Decimal) -> str:
    return f"£{value:,.2f}"


def _streams_words(streams) -> str:
    labels = dict(FundingStream._meta.get_field("kind").choices)
    return ", ".join(f"{labels.get(kind, kind)} {share.normalize():f}%" for kind, share in streams)


def _portions_words(portions) -> str:
    labels = dict(HoldingPortion._meta.get_field("method").choices)
    return ", ".join(
        f"{labels.get(method, method).split(' (')[0]} {_money_words(amount)}"
        + (f" held by {held_by.strip()}" if held_by.strip() else "")
        for method, amount, held_by in portions
    )


@transaction.atomic
def update_draft_budget(*, actor, budget, version: int | None, **changes) -> Budget:
    """Change a draft: its period, amount, clinical justification, calculation, funding
    streams or how the money is held. Checked as when it was set up; a change is recorded
    (who, when, what) and makes its editor one of the people who prepared it."""
    only_fields(changes, DRAFT_FIELDS, what="A draft budget")
    require(actor, Permission.PREPARE_BUDGET, budget.budget_holder)
    budget = _lock(budget, version=version, expected=(BudgetStatus.DRAFT,), doing="change")
    holder = budget.budget_holder
    calculation = changes.get("calculation", budget.calculation)
    if calculation.budget_holder_id != holder.pk:
        raise PermissionDenied
    start = changes.get("period_start", budget.period_start)
    end = changes.get("period_end", budget.period_end)
    justification = changes.get("clinical_justification", budget.clinical_justification)
    old_streams = [(s.kind, s.share_percent) for s in budget.funding_streams.all()]
    old_portions = [(p.method, p.amount, p.held_by) for p in budget.portions.all()]
    streams = changes.get("funding_streams", old_streams)
    portions = changes.get("portions", old_portions)

    _check_period(holder, start, end, exclude=budget.pk)
    backdating_reason = _check_dates(
        start, end, backdating_reason=changes.get("backdating_reason", budget.backdating_reason)
    )
    basis, annual, link = _basis_of(calculation)
    _check_calculation_year(calculation, start)
    _check_pa_ages(calculation, start)
    indicative = indicative_amount(calculation, annual, start, end)
    amount = _check_amounts(
        agreed_amount=changes.get("agreed_amount", budget.agreed_amount),
        indicative=indicative,
        clinical_justification=justification,
    )
    _check_shares(streams)
    _check_portions(portions, amount)

    said = []
    if (start, end) != (budget.period_start, budget.period_end):
        said.append(
            f"Period {_day(budget.period_start)} to {_day(budget.period_end)} became "
            f"{_day(start)} to {_day(end)}"
        )
    if calculation != budget.calculation:
        said.append(f"Worked out by {CalculationBasis(basis).label.lower()}")
    if indicative != budget.indicative_amount:
        said.append(
            f"Indicative amount {_money_words(budget.indicative_amount)} became "
            f"{_money_words(indicative)}"
        )
    if amount != budget.agreed_amount:
        said.append(f"Amount {_money_words(budget.agreed_amount)} became {_money_words(amount)}")
    if justification.strip() != budget.clinical_justification:
        said.append("Clinical justification changed")
    if backdating_reason != budget.backdating_reason:
        said.append("Reason for backdating changed")
    if sorted(streams) != sorted(old_streams):
        said.append(f"Funding streams: {_streams_words(streams)}")
    if sorted((m, a, h.strip()) for m, a, h in portions) != sorted(old_portions):
        said.append(f"How the money is held: {_portions_words(portions)}")
    if not said:
        return budget

    budget.period_start, budget.period_end = start, end
    budget.basis = basis
    budget.ras_assessment = budget.chc_package = budget.pa_costing = None
    for name, value in link.items():
        setattr(budget, name, value)
    budget.indicative_amount = indicative
    budget.agreed_amount = amount
    budget.clinical_justification = justification.strip()
    budget.backdating_reason = backdating_reason
    try:
        with transaction.atomic():
            _save(budget)
    except IntegrityError as error:
        raise _overlap_conflict(error) from error
    budget.funding_streams.all().delete()
    budget.portions.all().delete()
    _write_streams_and_portions(budget, streams, portions)
    BudgetEdit.objects.create(budget=budget, by=actor, summary=". ".join(said) + ".")
    return budget


@transaction.atomic
def propose_budget(*, actor, budget, version: int | None = None) -> Budget:
    require(actor, Permission.PREPARE_BUDGET, budget.budget_holder)
    budget = _lock(budget, version=version, expected=(BudgetStatus.DRAFT,), doing="propose")
    _check_still_on_time(budget, doing="propose", then="Change the draft")
    _status_change(budget, to_status=BudgetStatus.PROPOSED, by=actor)
    return _save(budget)


def _reason(reason: str, *, what: str) -> str:
    if not isinstance(reason, str) or not reason.strip():
        raise ValidationError({"reason": what})
    return reason.strip()


@transaction.atomic
def return_to_draft(*, actor, budget, reason: str, version: int | None = None) -> Budget:
    """Send a proposed budget back to draft to be changed (after a clinical check that did not
    support it, say), saying why."""
    require(actor, Permission.RETURN_BUDGET_TO_DRAFT, budget.budget_holder)
    reason = _reason(reason, what="Say why the budget is going back to draft")
    budget = _lock(budget, version=version, expected=(BudgetStatus.PROPOSED,), doing="send back")
    _status_change(budget, to_status=BudgetStatus.DRAFT, by=actor, reason=reason)
    return _save(budget)


@transaction.atomic
def withdraw_budget(*, actor, budget, reason: str, version: int | None = None) -> Budget:
    """Withdraw a draft or proposed budget, saying why. It is kept, and never agreed."""
    require(actor, Permission.WITHDRAW_BUDGET, budget.budget_holder)
    reason = _reason(reason, what="Say why the budget is being withdrawn")
    budget = _lock(
        budget,
        version=version,
        expected=(BudgetStatus.DRAFT, BudgetStatus.PROPOSED),
        doing="withdraw",
    )
    _status_change(budget, to_status=BudgetStatus.WITHDRAWN, by=actor, reason=reason)
    return _save(budget)


def not_supported_yet(budget) -> str:
    """Why a budget whose check did not support it is not checked again until it changes."""
    check = budget.latest_check()
    return (
        f"{check.clinician.full_name} checked this amount on {_day(timezone.localtime(check.at))} "
        "and did not support it. It is checked again once the budget has been changed or "
        "proposed again. Nothing was changed."
    )


@transaction.atomic
def record_clinical_check(
    *, actor, budget, supported: bool, notes: str, version: int | None = None
) -> ClinicalCheck:
    """A clinician checks the amount above the indicative amount and its justification."""
    require(actor, Permission.CLINICAL_CHECK, budget.budget_holder)
    budget = _lock(
        budget,
        version=version,
        expected=(BudgetStatus.DRAFT, BudgetStatus.PROPOSED),
        doing="check",
    )
    if not budget.above_indicative:
        raise ValidationError(
            "This budget is not above its indicative amount, so it needs no check"
        )
    if budget.unchanged_since_not_supported:
        raise Conflict(not_supported_yet(budget))
    if actor.pk in budget.preparer_ids():
        raise Conflict(PREPARED_IT_YOURSELF)
    if not notes.strip():
        raise ValidationError({"notes": "Write what you checked and why"})
    check = ClinicalCheck.objects.create(
        budget=budget,
        clinician=actor,
        amount=budget.agreed_amount,
        supported=supported,
        notes=notes.strip(),
    )
    # A check is a change to the budget: a page opened before it (a second tab holding the
    # opposite answer, an agreement) is told, not allowed to overturn it unseen.
    _save(budget)
    return check


# The check is a second pair of eyes: whoever set the budget up, changed it or proposed it
# (a clinician who is also a PHB lead or care coordinator) does not check their own amount.
PREPARED_IT_YOURSELF = "You prepared this budget, so another clinician must check it"


@transaction.atomic
def agree_budget(*, actor, budget, version: int | None = None, authority=None) -> Budget:
    """Agree a proposed budget. Above its indicative amount, this needs a supporting
    clinical check of this amount by a clinician other than the person agreeing.

    `authority` is (permission, object) for a budget agreed by approving its plan under
    another authority than a PHB lead's, such as a panel's (`DECIDE_AT_PANEL`, the session):
    the actor must hold that instead."""
    if authority is None:
        require(actor, Permission.AGREE_BUDGET, budget.budget_holder)
    else:
        require(actor, *authority)
    budget = _lock(budget, version=version, expected=(BudgetStatus.PROPOSED,), doing="agree")
    refusal = agreement_refusal(
        budget, actor, budget_policy_for(budget.budget_holder.organisation_id)
    )
    if refusal:
        raise ValidationError(refusal)
    _check_still_on_time(budget, doing="agree", then="Send it back to draft")
    if budget.above_indicative:
        check = budget.supporting_check()
        if check is None:
            raise ValidationError(
                f"This budget is £{budget.agreed_amount - budget.indicative_amount:,.2f} above its "
                "indicative amount. A clinician must check and support it before it can be agreed"
            )
        if check.clinician_id == actor.pk:
            raise ValidationError(
                "You checked this budget as a clinician, so someone else must agree it"
            )
        budget.clinical_check = check
    _check_period(budget.budget_holder, budget.period_start, budget.period_end, exclude=budget.pk)
    _check_shares([(s.kind, s.share_percent) for s in budget.funding_streams.all()])
    _check_portions(
        [(p.method, p.amount, p.held_by) for p in budget.portions.all()], budget.agreed_amount
    )
    _status_change(budget, to_status=BudgetStatus.AGREED, by=actor)
    budget.agreed_by = actor
    budget.agreed_at = timezone.now()
    try:
        with transaction.atomic():
            return _save(budget)
    except IntegrityError as error:
        if OVERLAP_CONSTRAINT not in str(error):
            raise
        raise Conflict(
            "This budget overlaps another budget for the same person. Nothing was changed."
        ) from error


@transaction.atomic
def activate_budget(*, actor, budget, version: int | None = None) -> Budget:
    require(actor, Permission.SET_PAYMENTS, budget.budget_holder)
    budget = _lock(budget, version=version, expected=(BudgetStatus.AGREED,), doing="start")
    check_plan_approved(budget)
    if budget.period_end < timezone.localdate():
        raise ValidationError(
            f"This budget's period ended on {_day(budget.period_end)}, so it cannot start. "
            "A PHB lead can end it"
        )
    unscheduled = [p for p in budget.portions.all() if p.is_paid_out and not hasattr(p, "schedule")]
    if unscheduled:
        raise ValidationError("Set up the payment schedule before the budget starts")
    _status_change(budget, to_status=BudgetStatus.ACTIVE, by=actor)
    return _save(budget)


@transaction.atomic
def end_budget(*, actor, budget, version: int | None = None) -> Budget:
    """End an agreed or active budget once its period is over. The reason (its period ended,
    or next year's budget replaced it) is recorded with the status change. A budget is not
    stopped part way through its period here: stopping for the reasons the law allows comes
    with care plans."""
    require(actor, Permission.END_BUDGET, budget.budget_holder)
    budget = _lock(
        budget,
        version=version,
        expected=(BudgetStatus.AGREED, BudgetStatus.ACTIVE),
        doing="end",
    )
    if budget.period_end >= timezone.localdate():
        raise ValidationError(
            f"This budget runs until {_day(budget.period_end)}. It can be ended when its period "
            f"is over, from {_day(budget.period_end + datetime.timedelta(days=1))}"
        )
    successor = (
        Budget.objects.filter(
            budget_holder=budget.budget_holder,
            status__in=LIVE_STATUSES,
            period_start__gt=budget.period_end,
        )
        .order_by("period_start")
        .first()
    )
    if successor is not None:
        reason = (
            f"Replaced by the {successor.get_status_display().lower()} budget from "
            f"{_day(successor.period_start)} to {_day(successor.period_end)}"
        )
    elif budget.stopped_from is not None:
        reason = f"Stopped from {_day(budget.stopped_from)}"
    else:
        reason = f"Its period ended on {_day(budget.period_end)}"
    _status_change(budget, to_status=BudgetStatus.ENDED, by=actor, reason=reason)
    return _save(budget)
