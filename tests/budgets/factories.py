"""Factories and helpers for budget-setting tests.

Rate sets are plain factories (they are reference data). Everything a person or member of staff
does (questionnaires, calculations, budgets) is built through `budgets.services`, so the tests
exercise the same path as the pages.

The local rates below are the figures the worked examples in the tests use:

    PA £13.50/h · agency day £28.50/h · sleeping night £120.00 · waking night £30.00/h
    nursing £55.00/h · employer's liability insurance £150.00 a year · payroll £240.00 a year
    contingency 5%
"""

import datetime
import importlib
from decimal import Decimal as D

import factory
from django.utils import timezone

from budgets import calculations as calc
from budgets import services
from budgets.models import (
    Budget,
    FundingStreamKind,
    HoldingMethod,
    LocalRateSet,
    NationalRateSet,
    RasQuestionnaire,
)
from tests.factories import OrganisationFactory, UserFactory, add_totp

FY_2026_START = datetime.date(2026, 4, 1)
FY_2026_END = datetime.date(2027, 3, 31)
FY_2027_START = datetime.date(2027, 4, 1)
FY_2027_END = datetime.date(2028, 3, 31)


JUSTIFICATION = "Two carers are needed at night because of the risk of aspiration."
BACKDATED = "The care started on this date, before the budget could be agreed."


def staff(role: str, organisation):
    """A member of staff with a second factor, for when a test needs more than the fixtures."""
    user = UserFactory(role=role, organisation=organisation)
    add_totp(user)
    return user


class LocalRateSetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LocalRateSet

    organisation = factory.SubFactory(OrganisationFactory)
    effective_from = FY_2026_START
    pa_hourly = D("13.50")
    agency_day_hourly = D("28.50")
    agency_night_hourly = D("120.00")
    agency_waking_night_hourly = D("30.00")
    nursing_hourly = D("55.00")
    employer_liability_insurance_annual = D("150.00")
    payroll_fee_annual = D("240.00")
    contingency_rate = D("0.05")


def _migration(name: str):
    return importlib.import_module(f"budgets.migrations.{name}")


# The 2026/27 national figures as the migrations load them (budgets 0003, and 0022 for the upper
# secondary thresholds), for a transactional test whose flush removed them.
NATIONAL_2026_27 = _migration("0003_national_rates_2026_27").NATIONAL_2026_27 | _migration(
    "0022_checks_of_the_budget_as_checked_and_ni_for_young_pas"
).thresholds_from(D("50270"))


def national_rates_2026() -> NationalRateSet:
    """The 2026/27 set loaded by migration 0003."""
    return NationalRateSet.objects.get(effective_from=FY_2026_START)


# 2027/28: as 2026/27 but with a higher National Living Wage (an invented figure for tests).
NATIONAL_2027_28 = {
    "name": "2027/28",
    "effective_from": FY_2027_START,
    "nlw_21_plus": D("13.40"),
    "nmw_18_20": D("11.40"),
    "nmw_16_17_apprentice": D("8.50"),
    "employer_ni_rate": D("0.15"),
    "ni_secondary_threshold_annual": D("5000"),
    "ni_secondary_threshold_weekly": D("96"),
    "ni_secondary_threshold_monthly": D("417"),
    "upper_secondary_threshold_annual": D("50270"),
    "upper_secondary_threshold_weekly": D("967"),
    "upper_secondary_threshold_monthly": D("4189"),
    "lower_earnings_limit_annual": D("6708"),
    "primary_threshold_annual": D("12570"),
    "upper_earnings_limit_annual": D("50270"),
    "employment_allowance_annual": D("10500"),
    "pension_trigger_annual": D("10000"),
    "pension_qualifying_lower_annual": D("6240"),
    "pension_qualifying_upper_annual": D("50270"),
    "pension_employer_min_rate": D("0.03"),
    "ssp_weekly": D("126.00"),
    "ssp_earnings_rate": D("0.80"),
    "holiday_weeks": D("5.6"),
    "holiday_accrual_rate": D("0.1207"),
}


# Eight domains, each with four answers; the points chosen in the worked example are marked.
RAS_DOMAINS = [
    ("Personal care", "How much help do you need with washing and dressing?", [0, 4, 8, 12]),
    ("Eating and drinking", "How much help do you need to eat and drink?", [0, 3, 6, 8]),
    ("Moving around", "How much help do you need to move around your home?", [0, 2, 6, 9]),
    ("Breathing", "How much support do you need with your breathing?", [0, 5, 10, 14]),
    ("Continence", "How much help do you need with continence?", [0, 2, 4, 6]),
    ("Communication", "How much help do you need to communicate?", [0, 1, 3, 5]),
    ("Night support", "How much support do you need at night?", [0, 3, 9, 12]),
    ("Daily life", "How much help do you need to take part in daily life?", [0, 3, 7, 10]),
]
# The answer chosen in each domain for the worked example (index into the points above):
# 12 + 8 + 6 + 10 + 4 + 0 + 9 + 7 = 56 points.
WORKED_CHOICES = [3, 3, 2, 2, 2, 0, 2, 2]


def questionnaire(
    actor, *, financial_year=2026, price_per_point=D("148.37"), domains=RAS_DOMAINS, publish=True
) -> RasQuestionnaire:
    """An ICB's RAS questionnaire, made through the services (actor: ICB admin or PHB lead)."""
    version = services.create_questionnaire(
        actor=actor, financial_year=financial_year, price_per_point=price_per_point
    )
    for name, question, points in domains:
        services.add_domain(
            actor=actor,
            questionnaire=version,
            name=name,
            question=question,
            options=[(f"{name}: level {level}", p) for level, p in enumerate(points)],
        )
    if publish:
        version = services.publish_questionnaire(actor=actor, questionnaire=version)
    return version


def ras_answers(version, choices=WORKED_CHOICES) -> dict:
    """{domain id: option id} choosing the option at each index in `choices`."""
    answers = {}
    for domain, index in zip(
        version.domains.prefetch_related("options").order_by("order"), choices, strict=True
    ):
        answers[str(domain.pk)] = str(list(domain.options.all())[index].pk)
    return answers


def ras_assessment(actor, holder, version, *, choices=WORKED_CHOICES, effective_date=None):
    return services.complete_ras_assessment(
        actor=actor,
        budget_holder=holder,
        questionnaire=version,
        effective_date=effective_date or FY_2026_START,
        answers=ras_answers(version, choices),
    )


# The worked CHC package, priced at the local rates above:
#   agency day care 42 h x £28.50 = £1,197.00; sleeping nights 7 x £120.00 = £840.00;
#   nursing 3.5 h x £55.00 = £192.50; equipment hire 1 x £35.75 = £35.75
#   weekly £2,265.25; a year x 52 = £117,793.00
WORKED_CHC_LINES = [
    {"service": "Agency day care", "provider_type": "agency_day", "units_per_week": D("42")},
    {"service": "Sleeping nights", "provider_type": "agency_night", "units_per_week": D("7")},
    {"service": "District nursing", "provider_type": "nursing", "units_per_week": D("3.5")},
    {
        "service": "Equipment hire",
        "provider_type": "equipment",
        "units_per_week": D("1"),
        "unit_cost": D("35.75"),
    },
]


def chc_package(actor, holder, *, lines=None, effective_date=None):
    return services.cost_chc_package(
        actor=actor,
        budget_holder=holder,
        effective_date=effective_date or FY_2026_START,
        lines=lines if lines is not None else WORKED_CHC_LINES,
    )


def pa(label="PA 1", hours=D("30"), rate=D("13.50"), **options) -> dict:
    return {"label": label, "hours_per_week": hours, "hourly_rate": rate, **options}


def pa_costing(actor, holder, *, pas=None, effective_date=None, **options):
    kwargs = {"pay_frequency": "weekly", "claims_employment_allowance": True} | options
    return services.cost_pas(
        actor=actor,
        budget_holder=holder,
        effective_date=effective_date or FY_2026_START,
        pas=pas if pas is not None else [pa()],
        **kwargs,
    )


def draft_budget(
    actor,
    holder,
    calculation,
    *,
    amount=None,
    start=FY_2026_START,
    end=FY_2026_END,
    justification="",
    streams=None,
    portions=None,
    backdating_reason=None,
) -> Budget:
    """A draft budget; by default for the whole year at the indicative amount, all notional.
    One that starts before today is backdated, with a reason, unless the test says otherwise."""
    if backdating_reason is None:
        backdating_reason = BACKDATED if start < timezone.localdate() else ""
    if amount is None:
        amount = {
            "RasAssessment": lambda c: c.annual_amount,
            "ChcPackage": lambda c: c.annual_cost,
            # Its Employment Allowance is set against the NI of the budget's days.
            "PaCosting": lambda c: c.for_period(start, end).amount,
        }[type(calculation).__name__](calculation)
    return services.create_budget(
        actor=actor,
        budget_holder=holder,
        period_start=start,
        period_end=end,
        calculation=calculation,
        agreed_amount=amount,
        clinical_justification=justification,
        funding_streams=streams or [(FundingStreamKind.NHS_CHC, D("100"))],
        portions=portions or [(HoldingMethod.NOTIONAL, amount, "")],
        backdating_reason=backdating_reason,
    )


def proposed_budget(actor, holder, calculation, **kwargs) -> Budget:
    budget = draft_budget(actor, holder, calculation, **kwargs)
    return services.propose_budget(actor=actor, budget=budget)


def agreed_budget(
    lead, holder, calculation, *, clinician=None, agreed_by=None, plan_approved=True, **kwargs
) -> Budget:
    """Proposed by `lead` and agreed by `agreed_by`, by default another PHB lead of the ICB
    (whoever prepared a budget does not agree it); above the indicative amount a clinician
    checks. Unless `plan_approved` is False, its care and support plan is approved too (ADR
    0024), so it can start."""
    budget = proposed_budget(lead, holder, calculation, **kwargs)
    if budget.above_indicative:
        services.record_clinical_check(
            actor=clinician, budget=budget, supported=True, notes="Needs two carers at night."
        )
    agreed_by = agreed_by or another_lead(holder.organisation)
    budget = services.agree_budget(actor=agreed_by, budget=budget)
    if plan_approved:
        budget = approve_plan(agreed_by, budget)
    return budget


def approve_plan(actor, budget) -> Budget:
    """What `careplans` does when the plan this budget pays for is approved (ADR 0024)."""
    return services.record_plan_approval(
        actor=actor,
        budget=budget,
        approved_at=budget.agreed_at or timezone.now(),
        reference="Care and support plan, version 1",
    )


def another_lead(organisation):
    """A second PHB lead of the ICB, to agree what the first prepared (made once per ICB)."""
    email = f"second.lead@{organisation.ods_code.lower()}.example.nhs.uk"
    user = UserFactory._meta.model.objects.filter(email=email).first()
    if user is None:
        user = UserFactory(
            role="phb_lead", organisation=organisation, email=email, full_name="Sam Second-Lead"
        )
        add_totp(user)
    return user


def reload(budget) -> Budget:
    return Budget.objects.get(pk=budget.pk)


BACKDATED_REASON = "The budget was agreed after it started; earlier payments were made by hand."


def schedule(actor, portion, *, frequency="monthly", first=None, amounts=None):
    """A payment schedule set through the service, from `first` (the period's start by default).

    Payments due before today are recorded as paid on their due dates (references PAID-1,
    PAID-2, ...), with the reason a first payment date in the past needs."""
    budget = portion.budget
    first = first or budget.period_start
    dates = calc.instalment_dates(first, budget.period_end, calc.InstalmentFrequency(frequency))
    today = timezone.localdate()
    return services.set_payment_schedule(
        actor=actor,
        portion=portion,
        frequency=frequency,
        first_payment_date=first,
        amounts=amounts,
        paid_before_today={
            day: services.PastPayment(day, f"PAID-{number}")
            for number, day in enumerate(dates, start=1)
            if day < today
        },
        backdated_reason=BACKDATED_REASON if first < today else "",
    )


def change_amount(actor, budget, *, new_amount, effective_from, reason):
    """Preview a change of amount and issue it, as the pages do; the letters issued."""
    plan = services.preview_amount_change(
        actor=actor,
        budget=budget,
        new_amount=new_amount,
        effective_from=effective_from,
        reason=reason,
    )
    return services.change_budget_amount(
        actor=actor,
        budget=budget,
        new_amount=new_amount,
        effective_from=effective_from,
        reason=reason,
        version=plan.budget.version,
        previewed=plan.digest,
    )
