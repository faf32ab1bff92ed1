"""Next year's budget, prepared from this year's and worked out again with the new year's rates.

The calculation is made again for the day the new financial year starts:

- a resource allocation with the new year's questionnaire in use, each answer carried over by
  its domain and answer text (refused, saying what, when the questionnaire or an answer is not
  there);
- a CHC package with the local rates in force then: lines priced at the ICB's local rate take
  the new local rate, lines with a price of their own keep it;
- a PA costing with the national and local figures in force then: a PA paid the ICB's local
  rate takes the new one, and no PA is costed below the new minimum wage for their age.

The draft keeps this year's funding shares and ways of holding the money (scaled to the new
amount), and this year's relation to its indicative amount (see `calculations.in_proportion`).

National figures and local rates for the new year are often not in the service when a team
prepares next year's budgets. Then the latest ones are used, as for any calculation (the
service administrator, not the team, adds national figures, so refusing would stop every team
preparing next year's budgets), and the draft's explanation and the page of what changed say
which were used and that it should be worked out again once the new year's are in
(`presenters.rates_from_an_earlier_year`, ADR 0045). A resource allocation is refused instead:
its questionnaire is the ICB's own, and the team can put next year's in use.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from budgets import calculations as calc
from budgets.models import Budget, BudgetStatus, ChcPackage, PaCosting, RasAssessment
from budgets.models.ras import QuestionnaireStatus, RasQuestionnaire
from budgets.services.base import _lock
from budgets.services.costing import _LOCAL_RATE_FOR, cost_chc_package, cost_pas
from budgets.services.lifecycle import _basis_of, _day, create_budget, indicative_amount
from budgets.services.ras import complete_ras_assessment
from budgets.services.rates import local_rates_on, national_rates_on
from phb.permissions import Permission, require

MINIMUM_WAGE_FIELD = {
    calc.AgeBand.ADULT: "nlw_21_plus",
    calc.AgeBand.YOUNG_ADULT: "nmw_18_20",
    calc.AgeBand.UNDER_18_OR_APPRENTICE: "nmw_16_17_apprentice",
}


def next_financial_year(budget) -> tuple[datetime.date, datetime.date]:
    """The financial year after the one the budget falls in."""
    _, year_end = calc.financial_year(budget.period_start)
    return calc.financial_year(year_end + datetime.timedelta(days=1))


def _same(text: str) -> str:
    return " ".join(text.split()).casefold()


def _recalculate_ras(actor, assessment: RasAssessment, start: datetime.date) -> RasAssessment:
    holder = assessment.budget_holder
    label = calc.financial_year_label(start)
    questionnaire = (
        RasQuestionnaire.objects.filter(
            organisation_id=holder.organisation_id,
            financial_year=start.year,
            status=QuestionnaireStatus.PUBLISHED,
        )
        .prefetch_related("domains__options")
        .first()
    )
    if questionnaire is None:
        raise ValidationError(
            f"There is no resource allocation questionnaire in use for {label}. Put one in use "
            f"for {label} first, then prepare next year's budget"
        )
    domains = {_same(domain.name): domain for domain in questionnaire.domains.all()}
    answers, problems, asked = {}, [], set()
    for answer in assessment.answers.select_related("domain", "option"):
        asked.add(_same(answer.domain.name))
        domain = domains.get(_same(answer.domain.name))
        if domain is None:
            problems.append(f"{answer.domain.name} is not in the {label} questionnaire")
            continue
        option = next(
            (o for o in domain.options.all() if _same(o.text) == _same(answer.option.text)),
            None,
        )
        if option is None:
            problems.append(
                f"the answer ‘{answer.option.text}’ to {answer.domain.name} is no longer in "
                f"the {label} questionnaire"
            )
            continue
        answers[str(domain.pk)] = str(option.pk)
    new = [domain.name for key, domain in domains.items() if key not in asked]
    if new:
        problems.append(
            f"the {label} questionnaire also asks about {', '.join(new)}, which this year's did not"
        )
    if problems:
        raise ValidationError(
            f"This year's answers cannot be carried over to {label}: {'; '.join(problems)}. "
            f"Complete a new resource allocation for {label} instead"
        )
    return complete_ras_assessment(
        actor=actor,
        budget_holder=holder,
        questionnaire=questionnaire,
        effective_date=start,
        answers=answers,
    )


def _recalculate_chc(actor, package: ChcPackage, start: datetime.date) -> ChcPackage:
    old_rates = package.local_rates
    lines = []
    for line in package.lines.all():
        rate_field = _LOCAL_RATE_FOR.get(line.provider_type)
        at_local_rate = rate_field is not None and line.unit_cost == getattr(old_rates, rate_field)
        lines.append(
            {
                "service": line.service,
                "provider_type": line.provider_type,
                "units_per_week": line.units_per_week,
                "unit_cost": None if at_local_rate else line.unit_cost,
            }
        )
    return cost_chc_package(
        actor=actor, budget_holder=package.budget_holder, effective_date=start, lines=lines
    )


def _recalculate_pa(actor, costing: PaCosting, start: datetime.date) -> PaCosting:
    """The PAs costed again on `start`: each keeps what is known of their age (a date of
    birth, or an age given then, a whole year older for each year since), so that their wage
    band and pension duties are worked out as they will be then. A PA paid the ICB's local
    rate takes the new one; a rate below their band's new minimum is raised to it."""
    holder = costing.budget_holder
    old_local = costing.local_rates
    national = national_rates_on(start)
    local = local_rates_on(holder.organisation, start)
    years_since = calc.age_on(costing.effective_date, start)
    pas = []
    for line in costing.lines.all():
        known = {
            "date_of_birth": line.date_of_birth,
            "age": None if line.stated_age is None else line.stated_age + years_since,
            "apprentice": line.apprentice,
        }
        try:
            band = calc.pa_age(label=line.label, on=start, **known).band
        except ValueError as error:
            raise ValidationError(str(error)) from error
        rate = local.pa_hourly if line.hourly_rate == old_local.pa_hourly else line.hourly_rate
        pas.append(
            {
                "label": line.label,
                "hours_per_week": line.hours_per_week,
                "hourly_rate": max(rate, getattr(national, MINIMUM_WAGE_FIELD[band])),
                "irregular_hours": line.irregular_hours,
                "days_per_week": line.days_per_week,
                "pension": line.pension,
                **known,
            }
        )

    def own_or_default(value, old_default):
        return None if value == old_default else value

    return cost_pas(
        actor=actor,
        budget_holder=holder,
        effective_date=start,
        pas=pas,
        pay_frequency=costing.pay_frequency,
        claims_employment_allowance=costing.claims_employment_allowance,
        insurance_annual=own_or_default(
            costing.insurance_annual, old_local.employer_liability_insurance_annual
        ),
        payroll_fee_annual=own_or_default(costing.payroll_fee_annual, old_local.payroll_fee_annual),
        contingency_rate=own_or_default(costing.contingency_rate, old_local.contingency_rate),
    )


def recalculate(actor, calculation, start: datetime.date):
    """The calculation made again for `start`, with the rates and questionnaire then."""
    if isinstance(calculation, RasAssessment):
        return _recalculate_ras(actor, calculation, start)
    if isinstance(calculation, ChcPackage):
        return _recalculate_chc(actor, calculation, start)
    return _recalculate_pa(actor, calculation, start)


@transaction.atomic
def prepare_next_year(*, actor, budget, version: int | None = None) -> Budget:
    """A draft for the next financial year, worked out again with that year's rates, with this
    year's funding shares and ways of holding the money scaled to the new amount."""
    holder = budget.budget_holder
    require(actor, Permission.PREPARE_BUDGET, holder)
    require(actor, Permission.CALCULATE, holder)
    budget = _lock(
        budget,
        version=version,
        expected=(BudgetStatus.AGREED, BudgetStatus.ACTIVE, BudgetStatus.ENDED),
        doing="prepare next year's budget from",
    )
    if budget.stopped_from is not None:
        # A stopped budget does not go on into another year (ADR 0043): if the person should
        # have a budget again, one is set up for them afresh.
        raise ValidationError(
            f"This budget was stopped from {_day(budget.stopped_from)}, so there is no next "
            "year's budget to prepare from it. If the person should have a budget again, set "
            "up a new one"
        )
    start, end = next_financial_year(budget)
    label = calc.financial_year_label(start)
    existing = (
        Budget.objects.held_or_prepared()
        .filter(budget_holder=holder, period_start__lte=end, period_end__gte=start)
        .order_by("period_start")
        .first()
    )
    if existing is not None:
        raise ValidationError(
            f"There is already a {existing.get_status_display().lower()} budget for {label}, "
            f"from {_day(existing.period_start)} to {_day(existing.period_end)}. Change that "
            "one instead"
        )
    if start < timezone.localdate():
        raise ValidationError(
            f"Next year's budget would start on {_day(start)}, which has passed. Set up a "
            "budget for the dates it is needed, saying why it is backdated"
        )
    calculation = recalculate(actor, budget.calculation, start)
    _, annual, _ = _basis_of(calculation)
    indicative = indicative_amount(calculation, annual, start, end)
    amount = calc.in_proportion(budget.agreed_amount, budget.indicative_amount, indicative)
    portions = list(budget.portions.all())
    shares = calc.share_in_proportion(amount, [p.amount for p in portions]) if amount else []
    new = create_budget(
        actor=actor,
        budget_holder=holder,
        period_start=start,
        period_end=end,
        calculation=calculation,
        agreed_amount=amount,
        clinical_justification=budget.clinical_justification if amount > indicative else "",
        funding_streams=[(s.kind, s.share_percent) for s in budget.funding_streams.all()],
        portions=[
            (p.method, share, p.held_by)
            for p, share in zip(portions, shares, strict=True)
            if share > 0
        ],
    )
    Budget.objects.filter(pk=new.pk).update(prepared_from=budget)
    new.prepared_from = budget
    return new
