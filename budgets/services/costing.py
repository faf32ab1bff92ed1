"""The CHC cost cap and the cost of employing personal assistants."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from budgets import calculations as calc
from budgets.models import (
    ChcPackage,
    ChcPackageLine,
    ChcProviderType,
    PaCosting,
    PaCostingLine,
)
from budgets.models.calculations import HOURS
from budgets.money import check_money, check_within_limit
from budgets.services.rates import local_rates_on, national_rates_on
from phb.permissions import Permission, require

_LOCAL_RATE_FOR = {
    ChcProviderType.AGENCY_DAY: "agency_day_hourly",
    ChcProviderType.AGENCY_NIGHT: "agency_night_hourly",
    ChcProviderType.AGENCY_WAKING_NIGHT: "agency_waking_night_hourly",
    ChcProviderType.NURSING: "nursing_hourly",
}


class LineRefused(ValidationError):
    """A refusal about one of the lines given (a PA, or a service in the package): `line` is
    its place among them, from 0, and the message is keyed by the box it is about, so a page
    shows it beside that line's box rather than as a problem with the whole form."""

    def __init__(self, message: str, *, line: int, field: str):
        super().__init__({field: message})
        self.line = line


def _check_date(effective_date: datetime.date) -> None:
    """A calculation is for a budget being set up: dated up to a year from today (the rates in
    force then are the latest known; a date far beyond would be priced on them silently)."""
    latest = calc.add_months(timezone.localdate(), 12)
    if effective_date > latest:
        raise ValidationError(
            {
                "effective_date": "The date of the calculation must be no more than a year from "
                f"today, {latest:%-d %B %Y} at the latest"
            }
        )


@transaction.atomic
def cost_chc_package(*, actor, budget_holder, effective_date: datetime.date, lines) -> ChcPackage:
    """Cost the conventional package. Each line is a dict of service, provider_type,
    units_per_week and unit_cost; a missing unit cost takes the ICB's local rate."""
    require(actor, Permission.CALCULATE, budget_holder)
    _check_date(effective_date)
    rates = local_rates_on(budget_holder.organisation, effective_date)
    inputs = []
    for index, line in enumerate(lines):
        unit_cost = line.get("unit_cost")
        if unit_cost is not None:
            try:
                unit_cost = check_money(unit_cost, what=f"The unit cost of {line['service']}")
            except ValidationError as error:
                raise LineRefused(error.messages[0], line=index, field="unit_cost") from error
        if unit_cost is None:
            rate_field = _LOCAL_RATE_FOR.get(line["provider_type"])
            if rate_field is None:
                raise LineRefused(
                    f"Enter a unit cost for {line['service']}", line=index, field="unit_cost"
                )
            unit_cost = getattr(rates, rate_field)
        inputs.append((line, calc.ChcLineInput(line["service"], line["units_per_week"], unit_cost)))
    try:
        result = calc.cost_chc_package([i for _, i in inputs])
    except calc.LineError as error:
        raise LineRefused(str(error), line=error.index, field=error.field) from error
    except ValueError as error:
        raise ValidationError(str(error)) from error
    for index, ((line, _), costed) in enumerate(zip(inputs, result.lines, strict=True)):
        # Hours are at most a week's, sleeping nights one a day; visits or items are as many
        # as the package has.
        if line["provider_type"] in HOURS and costed.units_per_week > calc.HOURS_IN_A_WEEK:
            raise LineRefused(
                f"{costed.service} cannot be {costed.units_per_week.normalize():f} hours a "
                "week. There are only 168 hours in a week",
                line=index,
                field="units_per_week",
            )
        if (
            line["provider_type"] == ChcProviderType.AGENCY_NIGHT
            and costed.units_per_week > calc.NIGHTS_IN_A_WEEK
        ):
            raise LineRefused(
                f"{costed.service} cannot be {costed.units_per_week.normalize():f} nights a "
                "week. There are only 7 nights in a week",
                line=index,
                field="units_per_week",
            )
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
    label, hours_per_week, hourly_rate, irregular_hours, pension and days_per_week (or None:
    holiday cover is no more than 28 days a year), and what is known of the PA's age:
    date_of_birth, or age (on the effective date), and apprentice. Their minimum
    wage band and pension duties are worked out from it on the effective date. On-costs left
    as None take the ICB's local defaults."""
    require(actor, Permission.CALCULATE, budget_holder)
    checked = []
    for index, pa in enumerate(pas):
        try:
            rate = check_money(pa["hourly_rate"], what=f"{pa['label']}'s hourly rate")
        except ValidationError as error:
            raise LineRefused(error.messages[0], line=index, field="hourly_rate") from error
        checked.append(pa | {"hourly_rate": rate})
    pas = checked
    if insurance_annual is not None:
        insurance_annual = check_money(
            insurance_annual, what="Employer's liability insurance", field="insurance_annual"
        )
    if payroll_fee_annual is not None:
        payroll_fee_annual = check_money(
            payroll_fee_annual, what="The payroll fee", field="payroll_fee_annual"
        )
    _check_date(effective_date)
    national = national_rates_on(effective_date)
    local = local_rates_on(budget_holder.organisation, effective_date)
    costing_input = calc.PaCostingInput(
        pas=tuple(
            calc.PaInput(
                label=pa["label"],
                hours_per_week=pa["hours_per_week"],
                hourly_rate=pa["hourly_rate"],
                irregular_hours=pa.get("irregular_hours", False),
                pension=calc.PensionStatus(pa.get("pension", calc.PensionStatus.AUTO)),
                date_of_birth=pa.get("date_of_birth"),
                age=pa.get("age"),
                apprentice=pa.get("apprentice", False),
                days_per_week=pa.get("days_per_week"),
            )
            for pa in pas
        ),
        on=effective_date,
        pay_frequency=calc.PayFrequency(pay_frequency),
        claims_employment_allowance=claims_employment_allowance,
        insurance_annual=_default(insurance_annual, local.employer_liability_insurance_annual),
        payroll_fee_annual=_default(payroll_fee_annual, local.payroll_fee_annual),
        contingency_rate=_default(contingency_rate, local.contingency_rate),
    )
    try:
        result = calc.cost_pas(costing_input, national.as_figures())
    except calc.LineError as error:
        raise LineRefused(str(error), line=error.index, field=error.field) from error
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
            date_of_birth=pa.date_of_birth,
            stated_age=pa.age if pa.date_of_birth is None else None,
            apprentice=pa.apprentice,
            age_source=line.age.source,
            age_on_effective_date=line.age.age,
            state_pension_date=line.age.state_pension_date,
            state_pension_uncertain=line.age.state_pension_uncertain,
            pension_category=line.pension_category,
            ni_category=line.ni_category,
            age_band=line.age.band,
            irregular_hours=pa.irregular_hours,
            days_per_week=pa.days_per_week,
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
