"""A budget from draft to agreed and active, with the clinical check above the cap."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from budgets import calculations as calc
from budgets.models import (
    Budget,
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
from budgets.money import check_money
from budgets.services.base import Conflict, _lock, _save, _status_change
from phb.permissions import Permission, require


def _basis_of(calculation) -> tuple[str, Decimal, dict]:
    if isinstance(calculation, RasAssessment):
        return CalculationBasis.RAS, calculation.annual_amount, {"ras_assessment": calculation}
    if isinstance(calculation, ChcPackage):
        return CalculationBasis.CHC_CAP, calculation.annual_cost, {"chc_package": calculation}
    if isinstance(calculation, PaCosting):
        return CalculationBasis.PA_COSTING, calculation.total_annual, {"pa_costing": calculation}
    raise ValidationError({"calculation": "Choose how the budget was worked out"})


def _check_period(budget_holder, start, end, *, exclude=None) -> None:
    if end < start:
        raise ValidationError({"period_end": "The end date must be on or after the start date"})
    _, fy_end = calc.financial_year(start)
    if end > fy_end:
        raise ValidationError(
            {
                "period_end": f"A budget must fall within one financial year: this one ends "
                f"after {fy_end:%-d %B %Y}"
            }
        )
    overlapping = (
        Budget.objects.live()
        .filter(budget_holder=budget_holder, period_start__lte=end, period_end__gte=start)
        .exclude(pk=exclude)
        .first()
    )
    if overlapping:
        raise ValidationError(
            {
                "period_start": "This period overlaps the "
                f"{overlapping.get_status_display().lower()} budget from "
                f"{overlapping.period_start:%-d %B %Y} to {overlapping.period_end:%-d %B %Y}"
            }
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
) -> Budget:
    """A draft budget. `funding_streams` are (kind, share %) pairs; `portions` are
    (method, amount, held_by) triples that add up to the amount."""
    require(actor, Permission.PREPARE_BUDGET, budget_holder)
    if calculation.budget_holder_id != budget_holder.pk:
        raise PermissionDenied
    agreed_amount = check_money(
        agreed_amount, what="The budget amount", field="agreed_amount", minimum=None
    )
    if agreed_amount < 0:
        raise ValidationError({"agreed_amount": "The amount cannot be negative"})
    _check_period(budget_holder, period_start, period_end)
    basis, annual, link = _basis_of(calculation)
    indicative = calc.amount_for_period(annual, period_start, period_end)
    if agreed_amount > indicative and not clinical_justification.strip():
        raise ValidationError(
            {
                "clinical_justification": "The amount is more than the indicative "
                f"£{indicative:,.2f}. Write the clinical justification for it"
            }
        )
    _check_shares(funding_streams)
    _check_portions(portions, agreed_amount)
    budget = Budget.objects.create(
        budget_holder=budget_holder,
        period_start=period_start,
        period_end=period_end,
        basis=basis,
        indicative_amount=indicative,
        agreed_amount=agreed_amount,
        clinical_justification=clinical_justification.strip(),
        created_by=actor,
        **link,
    )
    FundingStream.objects.bulk_create(
        FundingStream(budget=budget, kind=kind, share_percent=share)
        for kind, share in funding_streams
    )
    HoldingPortion.objects.bulk_create(
        HoldingPortion(budget=budget, method=method, amount=amount, held_by=held_by.strip())
        for method, amount, held_by in portions
    )
    BudgetStatusChange.objects.create(
        budget=budget, from_status="", to_status=BudgetStatus.DRAFT, by=actor, reason="Set up"
    )
    return budget


@transaction.atomic
def propose_budget(*, actor, budget, version: int | None = None) -> Budget:
    require(actor, Permission.PREPARE_BUDGET, budget.budget_holder)
    budget = _lock(budget, version=version, expected=(BudgetStatus.DRAFT,), doing="propose")
    _status_change(budget, to_status=BudgetStatus.PROPOSED, by=actor)
    return _save(budget)


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
    if not notes.strip():
        raise ValidationError({"notes": "Write what you checked and why"})
    return ClinicalCheck.objects.create(
        budget=budget,
        clinician=actor,
        amount=budget.agreed_amount,
        supported=supported,
        notes=notes.strip(),
    )


@transaction.atomic
def agree_budget(*, actor, budget, version: int | None = None) -> Budget:
    """Agree a proposed budget. Above its indicative amount, this needs a supporting
    clinical check of this amount by a clinician other than the person agreeing."""
    require(actor, Permission.AGREE_BUDGET, budget.budget_holder)
    budget = _lock(budget, version=version, expected=(BudgetStatus.PROPOSED,), doing="agree")
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
        raise Conflict(
            "This budget overlaps another agreed budget for the same person. Nothing was changed."
        ) from error


@transaction.atomic
def activate_budget(*, actor, budget, version: int | None = None) -> Budget:
    require(actor, Permission.SET_PAYMENTS, budget.budget_holder)
    budget = _lock(budget, version=version, expected=(BudgetStatus.AGREED,), doing="start")
    unscheduled = [p for p in budget.portions.all() if p.is_paid_out and not hasattr(p, "schedule")]
    if unscheduled:
        raise ValidationError("Set up the payment schedule before the budget starts")
    _status_change(budget, to_status=BudgetStatus.ACTIVE, by=actor)
    return _save(budget)
