"""The only writers of budget data. Each function checks permission, validates,
writes in one transaction, and leaves the audit to the database triggers.

Errors a person can fix are `django.core.exceptions.ValidationError` with plain
messages (keyed by form field where there is one); a clash with someone else's
action is `Conflict`, whose message says what happened.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import capfirst

from budgets import calculations as calc
from budgets.models import (
    Budget,
    BudgetChange,
    BudgetLetter,
    BudgetStatus,
    BudgetStatusChange,
    CalculationBasis,
    ChcPackage,
    ChcPackageLine,
    ChcProviderType,
    ClinicalCheck,
    FundingStream,
    HoldingMethod,
    HoldingPortion,
    LetterKind,
    LocalRateSet,
    NationalRateSet,
    PaCosting,
    PaCostingLine,
    PaymentInstalment,
    PaymentSchedule,
    RasAnswerOption,
    RasAssessment,
    RasAssessmentAnswer,
    RasDomain,
    RasQuestionnaire,
)
from budgets.models.fields import MoneyField
from budgets.models.ras import QuestionnaireStatus
from budgets.models.rates import LOCAL_NUMBER_FIELDS, NATIONAL_NUMBER_FIELDS
from budgets.money import check_money, check_within_limit
from phb.permissions import Permission, require
from phb.services import only_fields


class Conflict(Exception):
    """Someone else changed this first; the message says what happened."""


def _status_change(budget, *, to_status: str, by, reason: str = "") -> None:
    BudgetStatusChange.objects.create(
        budget=budget, from_status=budget.status, to_status=to_status, by=by, reason=reason
    )
    budget.status = to_status


# ---------------------------------------------------------------------------------------------
# Rates
# ---------------------------------------------------------------------------------------------


def national_rates_on(day: datetime.date) -> NationalRateSet:
    rates = NationalRateSet.objects.in_force_on(day)
    if rates is None:
        raise ValidationError(
            {"effective_date": f"There are no national rates in force on {day:%-d %B %Y}"}
        )
    return rates


def local_rates_on(organisation, day: datetime.date) -> LocalRateSet:
    rates = LocalRateSet.objects.filter(organisation=organisation).in_force_on(day)
    if rates is None:
        raise ValidationError(
            {"effective_date": f"Your ICB has no local rates in force on {day:%-d %B %Y}"}
        )
    return rates


NATIONAL_RATE_FIELDS = ("name", "effective_from", *NATIONAL_NUMBER_FIELDS)
LOCAL_RATE_FIELDS = ("effective_from", *LOCAL_NUMBER_FIELDS)


def _save_rate_set(*, queryset, rate_set, new, figures):
    if rate_set is not None:
        rate_set = queryset.select_for_update().get(pk=rate_set.pk)
        if rate_set.in_use:
            raise ValidationError(
                "These rates have been used in a calculation, so they cannot be changed. "
                "Add a new set with a later date instead."
            )
    else:
        rate_set = new
    for field, value in figures.items():
        model_field = rate_set._meta.get_field(field)
        if isinstance(model_field, MoneyField):
            value = check_money(value, what=capfirst(model_field.verbose_name), field=field)
        setattr(rate_set, field, value)
    effective_from = figures.get("effective_from", rate_set.effective_from)
    if queryset.filter(effective_from=effective_from).exclude(pk=rate_set.pk).exists():
        raise ValidationError(
            {"effective_from": "There is already a set of rates in force from this date"}
        )
    rate_set.full_clean()
    rate_set.save()
    return rate_set


@transaction.atomic
def save_national_rates(*, actor, rate_set: NationalRateSet | None = None, **figures):
    """Add a new national rate set, or correct one that no calculation has used yet. Only
    the service administrator may: every ICB's PA costings use these figures."""
    require(actor, Permission.EDIT_NATIONAL_RATES)
    return _save_rate_set(
        queryset=NationalRateSet.objects.all(),
        rate_set=rate_set,
        new=NationalRateSet(),
        figures=only_fields(figures, NATIONAL_RATE_FIELDS, what="National rates"),
    )


@transaction.atomic
def save_local_rates(*, actor, rate_set: LocalRateSet | None = None, **figures):
    """Add a new set of local rates for the ICB the actor acts for, or correct an unused one."""
    organisation = actor.acting_organisation
    require(actor, Permission.EDIT_LOCAL_RATES, rate_set or organisation)
    return _save_rate_set(
        queryset=LocalRateSet.objects.filter(organisation=organisation),
        rate_set=rate_set,
        new=LocalRateSet(organisation=organisation),
        figures=only_fields(figures, LOCAL_RATE_FIELDS, what="Local rates"),
    )


# ---------------------------------------------------------------------------------------------
# Resource allocation system
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def create_questionnaire(
    *, actor, financial_year: int, price_per_point: Decimal, based_on=None
) -> RasQuestionnaire:
    """A new draft version for the year, copying the domains and answers of `based_on`."""
    organisation = actor.acting_organisation
    require(actor, Permission.MANAGE_RAS, organisation)
    price_per_point = _price_per_point(price_per_point)
    latest = (
        RasQuestionnaire.objects.select_for_update()
        .filter(organisation=organisation, financial_year=financial_year)
        .order_by("-version")
        .first()
    )
    questionnaire = RasQuestionnaire(
        organisation=organisation,
        financial_year=financial_year,
        version=(latest.version + 1) if latest else 1,
        price_per_point=price_per_point,
        based_on=based_on,
    )
    questionnaire.full_clean()
    questionnaire.save()
    if based_on is not None:
        if based_on.organisation_id != organisation.pk:
            raise PermissionDenied
        for domain in based_on.domains.prefetch_related("options"):
            copy = RasDomain.objects.create(
                questionnaire=questionnaire,
                name=domain.name,
                question=domain.question,
                order=domain.order,
            )
            RasAnswerOption.objects.bulk_create(
                RasAnswerOption(domain=copy, text=o.text, points=o.points, order=o.order)
                for o in domain.options.all()
            )
    return questionnaire


def _editable_questionnaire(actor, questionnaire) -> RasQuestionnaire:
    require(actor, Permission.MANAGE_RAS, questionnaire)
    locked = RasQuestionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    if not locked.editable:
        raise ValidationError(
            "This version is in use, so it cannot be changed. Make a new version instead."
        )
    return locked


def _price_per_point(value) -> Decimal:
    return check_money(
        value, what="The price per point", field="price_per_point", minimum=Decimal("0.01")
    )


@transaction.atomic
def set_price_per_point(*, actor, questionnaire, price_per_point: Decimal) -> RasQuestionnaire:
    questionnaire = _editable_questionnaire(actor, questionnaire)
    questionnaire.price_per_point = _price_per_point(price_per_point)
    questionnaire.full_clean()
    questionnaire.save()
    return questionnaire


@transaction.atomic
def add_domain(*, actor, questionnaire, name: str, question: str, options) -> RasDomain:
    """Add a domain with its answers, given as (text, points) pairs."""
    questionnaire = _editable_questionnaire(actor, questionnaire)
    options = [(text.strip(), int(points)) for text, points in options if text.strip()]
    if len(options) < 2:
        raise ValidationError({"options": "Give at least 2 answers, each with its points"})
    if any(points < 0 for _, points in options):
        raise ValidationError({"options": "Points cannot be negative"})
    if any(points > calc.MAX_POINTS for _, points in options):
        raise ValidationError({"options": f"Points must be {calc.MAX_POINTS:,} or fewer"})
    if any(len(text) > RasAnswerOption._meta.get_field("text").max_length for text, _ in options):
        raise ValidationError({"options": "Each answer must be 300 characters or fewer"})
    if questionnaire.domains.filter(name__iexact=name.strip()).exists():
        raise ValidationError({"name": f"There is already a domain called {name.strip()}"})
    domain = RasDomain.objects.create(
        questionnaire=questionnaire,
        name=name.strip(),
        question=question.strip(),
        order=questionnaire.domains.count(),
    )
    RasAnswerOption.objects.bulk_create(
        RasAnswerOption(domain=domain, text=text, points=points, order=index)
        for index, (text, points) in enumerate(options)
    )
    return domain


@transaction.atomic
def remove_domain(*, actor, domain) -> None:
    _editable_questionnaire(actor, domain.questionnaire)
    domain.delete()


@transaction.atomic
def publish_questionnaire(*, actor, questionnaire) -> RasQuestionnaire:
    """Put a version in use for its year; the version it replaces is retired."""
    questionnaire = _editable_questionnaire(actor, questionnaire)
    if not questionnaire.domains.exists():
        raise ValidationError("Add at least one domain before putting this version in use")
    RasQuestionnaire.objects.filter(
        organisation=questionnaire.organisation,
        financial_year=questionnaire.financial_year,
        status=QuestionnaireStatus.PUBLISHED,
    ).update(status=QuestionnaireStatus.RETIRED)
    questionnaire.status = QuestionnaireStatus.PUBLISHED
    questionnaire.save()
    return questionnaire


@transaction.atomic
def complete_ras_assessment(
    *, actor, budget_holder, questionnaire, effective_date: datetime.date, answers: dict
) -> RasAssessment:
    """Score the person's answers ({domain id: option id}) at the version's price per point."""
    require(actor, Permission.CALCULATE, budget_holder)
    if questionnaire.organisation_id != budget_holder.organisation_id:
        raise PermissionDenied
    if questionnaire.status != QuestionnaireStatus.PUBLISHED:
        raise ValidationError("This questionnaire version is not in use")
    start, _ = calc.financial_year(effective_date)
    if start.year != questionnaire.financial_year:
        raise ValidationError(
            {"effective_date": f"Use a date in {questionnaire.financial_year_label}"}
        )
    domains = list(questionnaire.domains.prefetch_related("options"))
    chosen = []
    missing = []
    for domain in domains:
        option = next(
            (o for o in domain.options.all() if str(o.pk) == str(answers.get(str(domain.pk)))), None
        )
        if option is None:
            missing.append(domain.name)
        else:
            chosen.append((domain, option))
    if missing:
        raise ValidationError(f"Answer every question. Missing: {', '.join(missing)}")
    result = calc.score_ras(
        [calc.RasAnswerInput(domain=d.name, answer=o.text, points=o.points) for d, o in chosen],
        questionnaire.price_per_point,
    )
    check_within_limit(result.annual_amount, what="The resource allocation")
    assessment = RasAssessment.objects.create(
        budget_holder=budget_holder,
        questionnaire=questionnaire,
        effective_date=effective_date,
        completed_by=actor,
        total_points=result.total_points,
        price_per_point=result.price_per_point,
        annual_amount=result.annual_amount,
    )
    RasAssessmentAnswer.objects.bulk_create(
        RasAssessmentAnswer(
            assessment=assessment,
            domain=domain,
            option=option,
            points=line.points,
            amount=line.amount,
        )
        for (domain, option), line in zip(chosen, result.lines, strict=True)
    )
    return assessment


# ---------------------------------------------------------------------------------------------
# CHC cost cap and PA costing
# ---------------------------------------------------------------------------------------------

_LOCAL_RATE_FOR = {
    ChcProviderType.AGENCY_DAY: "agency_day_hourly",
    ChcProviderType.AGENCY_NIGHT: "agency_night_hourly",
    ChcProviderType.AGENCY_WAKING_NIGHT: "agency_waking_night_hourly",
    ChcProviderType.NURSING: "nursing_hourly",
}


@transaction.atomic
def cost_chc_package(*, actor, budget_holder, effective_date: datetime.date, lines) -> ChcPackage:
    """Cost the conventional package. Each line is a dict of service, provider_type,
    units_per_week and unit_cost; a missing unit cost takes the ICB's local rate."""
    require(actor, Permission.CALCULATE, budget_holder)
    rates = local_rates_on(budget_holder.organisation, effective_date)
    inputs = []
    for line in lines:
        unit_cost = line.get("unit_cost")
        if unit_cost is not None:
            unit_cost = check_money(unit_cost, what=f"The unit cost of {line['service']}")
        if unit_cost is None:
            rate_field = _LOCAL_RATE_FOR.get(line["provider_type"])
            if rate_field is None:
                raise ValidationError(f"Enter a unit cost for {line['service']}")
            unit_cost = getattr(rates, rate_field)
        inputs.append((line, calc.ChcLineInput(line["service"], line["units_per_week"], unit_cost)))
    try:
        result = calc.cost_chc_package([i for _, i in inputs])
    except ValueError as error:
        raise ValidationError(str(error)) from error
    check_within_limit(result.annual_total, what="The package")
    package = ChcPackage.objects.create(
        budget_holder=budget_holder,
        effective_date=effective_date,
        local_rates=rates,
        created_by=actor,
        weekly_cost=result.weekly_total,
        annual_cost=result.annual_total,
    )
    ChcPackageLine.objects.bulk_create(
        ChcPackageLine(
            package=package,
            service=costed.service,
            provider_type=line["provider_type"],
            units_per_week=costed.units_per_week,
            unit_cost=costed.unit_cost,
            weekly_cost=costed.weekly_cost,
            order=index,
        )
        for index, ((line, _), costed) in enumerate(zip(inputs, result.lines, strict=True))
    )
    return package


@transaction.atomic
def cost_pas(
    *,
    actor,
    budget_holder,
    effective_date: datetime.date,
    pas,
    pay_frequency: str,
    claims_employment_allowance: bool,
    insurance_annual: Decimal | None = None,
    payroll_fee_annual: Decimal | None = None,
    contingency_rate: Decimal | None = None,
) -> PaCosting:
    """Cost employing PAs with the national figures in force on the date. `pas` are dicts of
    label, hours_per_week, hourly_rate, age_band, irregular_hours and pension; on-costs left
    as None take the ICB's local defaults."""
    require(actor, Permission.CALCULATE, budget_holder)
    pas = [
        pa | {"hourly_rate": check_money(pa["hourly_rate"], what=f"{pa['label']}'s hourly rate")}
        for pa in pas
    ]
    if insurance_annual is not None:
        insurance_annual = check_money(
            insurance_annual, what="Employer's liability insurance", field="insurance_annual"
        )
    if payroll_fee_annual is not None:
        payroll_fee_annual = check_money(
            payroll_fee_annual, what="The payroll fee", field="payroll_fee_annual"
        )
    national = national_rates_on(effective_date)
    local = local_rates_on(budget_holder.organisation, effective_date)
    costing_input = calc.PaCostingInput(
        pas=tuple(
            calc.PaInput(
                label=pa["label"],
                hours_per_week=pa["hours_per_week"],
                hourly_rate=pa["hourly_rate"],
                age_band=calc.AgeBand(pa.get("age_band", calc.AgeBand.ADULT)),
                irregular_hours=pa.get("irregular_hours", False),
                pension=calc.PensionStatus(pa.get("pension", calc.PensionStatus.AUTO)),
            )
            for pa in pas
        ),
        pay_frequency=calc.PayFrequency(pay_frequency),
        claims_employment_allowance=claims_employment_allowance,
        insurance_annual=_default(insurance_annual, local.employer_liability_insurance_annual),
        payroll_fee_annual=_default(payroll_fee_annual, local.payroll_fee_annual),
        contingency_rate=_default(contingency_rate, local.contingency_rate),
    )
    try:
        result = calc.cost_pas(costing_input, national.as_figures())
    except ValueError as error:
        raise ValidationError(str(error)) from error
    check_within_limit(result.total_annual, result.subtotal_annual, what="Employing the PAs")
    costing = PaCosting.objects.create(
        budget_holder=budget_holder,
        effective_date=effective_date,
        national_rates=national,
        local_rates=local,
        created_by=actor,
        pay_frequency=costing_input.pay_frequency,
        claims_employment_allowance=claims_employment_allowance,
        insurance_annual=result.insurance_annual,
        payroll_fee_annual=result.payroll_fee_annual,
        contingency_rate=costing_input.contingency_rate,
        wages_annual=result.wages_annual,
        holiday_annual=result.holiday_annual,
        employer_ni_annual=result.employer_ni_annual,
        employment_allowance_annual=result.employment_allowance_annual,
        pension_annual=result.pension_annual,
        subtotal_annual=result.subtotal_annual,
        contingency_annual=result.contingency_annual,
        total_annual=result.total_annual,
        total_weekly=result.total_weekly,
    )
    PaCostingLine.objects.bulk_create(
        PaCostingLine(
            costing=costing,
            label=line.label,
            hours_per_week=line.hours_per_week,
            hourly_rate=line.hourly_rate,
            age_band=pa.age_band,
            irregular_hours=pa.irregular_hours,
            pension=pa.pension,
            gross_weekly=line.gross_weekly,
            holiday_weekly=line.holiday_weekly,
            holiday_method=line.holiday_method,
            employer_ni_weekly=line.employer_ni_weekly,
            pension_weekly=line.pension_weekly,
            pension_enrolled=line.pension_enrolled,
            total_weekly=line.total_weekly,
            total_annual=line.total_annual,
            order=index,
        )
        for index, (pa, line) in enumerate(zip(costing_input.pas, result.lines, strict=True))
    )
    return costing


def _default(value, fallback):
    return fallback if value is None else value


# ---------------------------------------------------------------------------------------------
# The budget
# ---------------------------------------------------------------------------------------------


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


def _lock(budget, *, version: int | None, expected: tuple[str, ...], doing: str) -> Budget:
    """The budget, locked for this transaction, or a Conflict saying what happened since."""
    locked = Budget.objects.select_for_update().get(pk=budget.pk)
    if locked.status == BudgetStatus.DRAFT and locked.status not in expected:
        raise Conflict(f"You cannot {doing} this budget: it is still a draft.")
    if locked.status not in expected:
        last = locked.status_changes.select_related("by").order_by("-at").first()
        who = (
            f" by {last.by.full_name} on {timezone.localtime(last.at):%-d %B %Y at %H:%M}"
            if last
            else ""
        )
        raise Conflict(
            f"You cannot {doing} this budget: it was already "
            f"{locked.get_status_display().lower()}{who}."
        )
    if version is not None and locked.version != version:
        raise Conflict(
            f"You cannot {doing} this budget: someone changed it while you were looking at it. "
            "Check the latest version and try again."
        )
    return locked


def _save(budget) -> Budget:
    budget.version += 1
    budget.save()
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


# ---------------------------------------------------------------------------------------------
# Payments
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def set_payment_schedule(
    *,
    actor,
    portion: HoldingPortion,
    frequency: str,
    first_payment_date: datetime.date,
    amounts: list[Decimal] | None = None,
) -> PaymentSchedule:
    """Instalments from the first payment date to the end of the period, summing exactly to
    the portion. Without `amounts` they are equal, the odd pennies going to the first ones."""
    budget = portion.budget
    require(actor, Permission.SET_PAYMENTS, budget.budget_holder)
    budget = _lock(budget, version=None, expected=(BudgetStatus.AGREED,), doing="set payments for")
    if not portion.is_paid_out:
        raise ValidationError("A notional budget is not paid out, so it has no payment schedule")
    if first_payment_date < budget.period_start or first_payment_date > budget.period_end:
        raise ValidationError(
            {"first_payment_date": "The first payment must be within the budget's period"}
        )
    dates = calc.instalment_dates(
        first_payment_date, budget.period_end, calc.InstalmentFrequency(frequency)
    )
    if amounts is not None:
        amounts = [
            check_money(amount, what=f"Instalment {number}", minimum=None)
            for number, amount in enumerate(amounts, start=1)
        ]
    if amounts is None:
        amounts = calc.split_evenly(portion.amount, len(dates))
    elif len(amounts) != len(dates):
        raise ValidationError(f"Enter {len(dates)} instalment amounts")
    elif any(amount < 0 for amount in amounts):
        raise ValidationError("Instalment amounts cannot be negative")
    elif sum(amounts, Decimal(0)) != portion.amount:
        raise ValidationError(
            f"The instalments add up to £{sum(amounts, Decimal(0)):,.2f}, but the "
            f"{portion.short_method.lower()} is £{portion.amount:,.2f}"
        )
    PaymentSchedule.objects.filter(portion=portion).delete()
    schedule = PaymentSchedule.objects.create(
        portion=portion,
        frequency=frequency,
        first_payment_date=first_payment_date,
        created_by=actor,
    )
    PaymentInstalment.objects.bulk_create(
        PaymentInstalment(schedule=schedule, number=number, due_date=due, amount=amount)
        for number, (due, amount) in enumerate(zip(dates, amounts, strict=True), start=1)
    )
    _save(budget)
    return schedule


# ---------------------------------------------------------------------------------------------
# Reductions
# ---------------------------------------------------------------------------------------------


def _allocate(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """Share `total` in proportion to `weights`, to the penny, summing exactly
    (largest remainder)."""
    pennies = int(total * 100)
    weight_sum = sum(weights, Decimal(0))
    raw = [Decimal(pennies) * w / weight_sum for w in weights]
    floors = [int(r) for r in raw]
    leftover = pennies - sum(floors)
    by_remainder = sorted(range(len(raw)), key=lambda i: raw[i] - floors[i], reverse=True)
    for i in by_remainder[:leftover]:
        floors[i] += 1
    return [Decimal(p) / 100 for p in floors]


@transaction.atomic
def reduce_budget(
    *,
    actor,
    budget,
    new_amount: Decimal,
    effective_from: datetime.date,
    notice_days: int,
    reason: str,
    version: int | None = None,
) -> BudgetLetter:
    """Reduce the budget for its period from a date, with reasons and notice, and write the
    letter that tells the person what changes, why, from when and how to ask again."""
    require(actor, Permission.REDUCE_BUDGET, budget.budget_holder)
    budget = _lock(
        budget,
        version=version,
        expected=(BudgetStatus.AGREED, BudgetStatus.ACTIVE, BudgetStatus.REDUCED),
        doing="reduce",
    )
    new_amount = check_money(new_amount, what="The new amount", field="new_amount", minimum=None)
    minimum = settings.PHB_REDUCTION_MINIMUM_NOTICE_DAYS
    today = timezone.localdate()
    errors = {}
    if not reason.strip():
        errors["reason"] = (
            "Explain why the budget is being reduced, in words the person will understand"
        )
    if notice_days < minimum:
        errors["notice_days"] = f"Give at least {minimum} days' notice"
    if effective_from < today + datetime.timedelta(days=notice_days):
        errors["effective_from"] = (
            f"With {notice_days} days' notice the change can start on "
            f"{today + datetime.timedelta(days=notice_days):%-d %B %Y} at the earliest"
        )
    if not budget.period_start <= effective_from <= budget.period_end:
        errors["effective_from"] = "The change must start within the budget's period"
    if new_amount <= 0:
        errors["new_amount"] = "The new amount must be more than £0.00"
    elif new_amount >= budget.agreed_amount:
        errors["new_amount"] = f"The new amount must be less than £{budget.agreed_amount:,.2f}"
    if errors:
        raise ValidationError(errors)

    portions = list(budget.portions.select_related("schedule"))
    new_portion_amounts = _allocate(new_amount, [p.amount for p in portions])
    emptied = [p for p, amount in zip(portions, new_portion_amounts, strict=True) if amount <= 0]
    if emptied:
        raise ValidationError(
            {
                "new_amount": f"At £{new_amount:,.2f} the {emptied[0].short_method.lower()} "
                "would be £0.00. Choose a larger amount"
            }
        )
    payment_changes = []
    for portion, new_portion_amount in zip(portions, new_portion_amounts, strict=True):
        schedule = getattr(portion, "schedule", None)
        if schedule is not None:
            instalments = list(schedule.instalments.all())
            try:
                respread = calc.respread_from(
                    [(i.due_date, i.amount) for i in instalments],
                    effective_from,
                    new_portion_amount,
                )
            except ValueError as error:
                raise ValidationError({"new_amount": str(error)}) from error
            for instalment, (_, amount) in zip(instalments, respread, strict=True):
                if instalment.amount != amount:
                    instalment.amount = amount
                    instalment.save(update_fields=["amount"])
            later = [amount for due, amount in respread if due >= effective_from]
            payment_changes.append((portion, later[0] if later else None, len(later)))
        portion.amount = new_portion_amount
        portion.save(update_fields=["amount"])

    change = BudgetChange.objects.create(
        budget=budget,
        previous_amount=budget.agreed_amount,
        new_amount=new_amount,
        effective_from=effective_from,
        notice_days=notice_days,
        reason=reason.strip(),
        by=actor,
    )
    _status_change(budget, to_status=BudgetStatus.REDUCED, by=actor, reason=reason.strip())
    budget.agreed_amount = new_amount
    _save(budget)
    holder = budget.budget_holder
    body = render_to_string(
        "budgets/letters/reduction.html",
        {
            "holder": holder,
            "budget": budget,
            "change": change,
            "payment_changes": payment_changes,
            "today": today,
            "reconsideration_days": settings.PHB_RECONSIDERATION_DAYS,
        },
    )
    return BudgetLetter.objects.create(
        budget=budget,
        kind=LetterKind.REDUCTION,
        subject="Your personal health budget is going down",
        body_html=body,
        created_by=actor,
    )
