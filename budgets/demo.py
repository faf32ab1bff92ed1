"""Demo budgets for `manage.py seed_demo`: rates, a RAS questionnaire and budgets at every stage.

Built only through `budgets.services`, as the demo staff users, so the demo data obeys the
same rules as real data. Idempotent: each ICB is set up once; people who already have a
budget are left as they are.
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from budgets import calculations as calc
from budgets import services
from budgets.models import Budget, LocalRateSet, RasQuestionnaire
from budgets.models.ras import QuestionnaireStatus
from phb.models import BudgetHolder, Organisation, Role, User

YEAR_START = datetime.date(2026, 4, 1)
YEAR_END = datetime.date(2027, 3, 31)

DOMAINS = [
    (
        "Personal care",
        "How much help do you need with washing, dressing and going to the toilet?",
        [
            ("I manage on my own", 0),
            ("Some help most days", 4),
            ("Help with all personal care", 10),
            ("Two people to help, day and night", 16),
        ],
    ),
    (
        "Eating and drinking",
        "How much help do you need to eat and drink?",
        [
            ("I manage on my own", 0),
            ("Help to prepare food", 2),
            ("Help to eat", 6),
            ("Tube feeding (PEG)", 10),
        ],
    ),
    (
        "Mobility",
        "How much help do you need to move around?",
        [
            ("I manage on my own", 0),
            ("Help outdoors", 2),
            ("Help indoors", 5),
            ("Hoisting by two people", 10),
        ],
    ),
    (
        "Breathing",
        "Do you need help with your breathing?",
        [("No", 0), ("Oxygen at times", 3), ("Suction or ventilation", 12)],
    ),
    (
        "Medication",
        "How much help do you need with your medicines?",
        [
            ("I manage on my own", 0),
            ("Reminders", 1),
            ("Someone gives them to me", 4),
            ("Injections or complex medicines", 8),
        ],
    ),
    (
        "Mental wellbeing",
        "How much support do you need with your mental health?",
        [("None", 0), ("Some support each week", 3), ("Daily support", 8)],
    ),
    (
        "Communication",
        "How much help do you need to communicate?",
        [("None", 0), ("Some help", 2), ("Communication aids or an interpreter", 5)],
    ),
    (
        "Carer support",
        "How much does a family carer do, and do they need a break?",
        [
            ("No carer, or the carer needs no break", 0),
            ("Regular breaks", 3),
            ("Frequent breaks", 6),
        ],
    ),
]


def _staff(icb, role) -> User:
    """The demo member of staff with this role in this ICB, acting for it."""
    user = (
        User.objects.filter(
            is_demo=True, role_assignments__organisation=icb, role_assignments__role=role
        )
        .order_by("email")
        .first()
    )
    user.chosen_organisation_id = icb.pk
    return user


def _setup_icb(icb: Organisation, price_per_point: Decimal) -> None:
    admin, lead = _staff(icb, Role.ICB_ADMIN), _staff(icb, Role.PHB_LEAD)
    if not LocalRateSet.objects.filter(organisation=icb).exists():
        services.save_local_rates(
            actor=admin,
            effective_from=YEAR_START,
            pa_hourly=Decimal("13.50"),
            agency_day_hourly=Decimal("27.80"),
            agency_night_hourly=Decimal("120.00"),
            agency_waking_night_hourly=Decimal("28.90"),
            nursing_hourly=Decimal("55.40"),
            employer_liability_insurance_annual=Decimal("150.00"),
            payroll_fee_annual=Decimal("240.00"),
            contingency_rate=Decimal("0.03"),
        )
    if not RasQuestionnaire.objects.filter(organisation=icb, financial_year=2026).exists():
        questionnaire = services.create_questionnaire(
            actor=lead, financial_year=2026, price_per_point=price_per_point
        )
        for name, question, options in DOMAINS:
            services.add_domain(
                actor=lead,
                questionnaire=questionnaire,
                name=name,
                question=question,
                options=options,
            )
        services.publish_questionnaire(actor=lead, questionnaire=questionnaire)


def _ras(holder, lead, choices: list[int]):
    questionnaire = RasQuestionnaire.objects.get(
        organisation=holder.organisation, financial_year=2026, status=QuestionnaireStatus.PUBLISHED
    )
    answers = {
        str(domain.pk): str(list(domain.options.all())[choice].pk)
        for domain, choice in zip(questionnaire.domains.all(), choices, strict=True)
    }
    return services.complete_ras_assessment(
        actor=lead,
        budget_holder=holder,
        questionnaire=questionnaire,
        effective_date=YEAR_START,
        answers=answers,
    )


# The demo year started before the demo data is loaded.
BACKDATED = "Care under this budget started on 1 April 2026, before it was set up here."


def _active_budget(holder, *, calculation, amount, portions, streams, justification=""):
    """Prepared and proposed by the care coordinator, agreed by the PHB lead (whoever prepares
    a budget does not agree it), started by finance."""
    icb = holder.organisation
    lead, finance = _staff(icb, Role.PHB_LEAD), _staff(icb, Role.FINANCE_OFFICER)
    coordinator = _staff(icb, Role.CARE_COORDINATOR)
    budget = services.create_budget(
        actor=coordinator,
        budget_holder=holder,
        period_start=YEAR_START,
        period_end=YEAR_END,
        calculation=calculation,
        agreed_amount=amount,
        clinical_justification=justification,
        funding_streams=streams,
        portions=portions,
        backdating_reason=BACKDATED,
    )
    services.propose_budget(actor=coordinator, budget=budget)
    if budget.above_indicative:
        services.record_clinical_check(
            actor=_staff(icb, Role.CLINICIAN),
            budget=budget,
            supported=True,
            notes="Suction overnight needs two trained PAs; the package cost does not cover it.",
        )
    services.agree_budget(actor=lead, budget=budget)
    today = timezone.localdate()
    for portion in budget.portions.all():
        if portion.is_paid_out:
            dates = calc.instalment_dates(YEAR_START, YEAR_END, calc.InstalmentFrequency.MONTHLY)
            # Payments before today were made before the service was used: recorded as paid
            # on their due dates, as a schedule set after a budget started must record them.
            services.set_payment_schedule(
                actor=finance,
                portion=portion,
                frequency="monthly",
                first_payment_date=YEAR_START,
                paid_before_today={
                    day: services.PastPayment(day, f"DEMO-{day:%Y%m}")
                    for day in dates
                    if day < today
                },
                backdated_reason="The budget started before the ICB used this service; "
                "earlier payments were made through the finance system.",
            )
    return services.activate_budget(actor=finance, budget=budget)


def seed_budgets() -> None:
    north = Organisation.objects.get(ods_code="QZA")
    south = Organisation.objects.get(ods_code="QZB")
    _setup_icb(north, Decimal("148.37"))
    _setup_icb(south, Decimal("152.10"))
    people = {h.nhs_number: h for h in BudgetHolder.objects.filter(organisation__in=[north, south])}
    with_budgets = set(Budget.objects.values_list("budget_holder__nhs_number", flat=True))

    alex = people["9990004110"]
    if alex.nhs_number not in with_budgets:
        lead = _staff(north, Role.PHB_LEAD)
        _ras(alex, lead, [2, 1, 2, 0, 2, 1, 0, 1])
        services.cost_chc_package(
            actor=lead,
            budget_holder=alex,
            effective_date=YEAR_START,
            lines=[
                {
                    "service": "Agency care, mornings and evenings",
                    "provider_type": "agency_day",
                    "units_per_week": Decimal("28"),
                    "unit_cost": None,
                },
                {
                    "service": "Sleeping nights",
                    "provider_type": "agency_night",
                    "units_per_week": Decimal("3"),
                    "unit_cost": None,
                },
            ],
        )
        costing = services.cost_pas(
            actor=lead,
            budget_holder=alex,
            effective_date=YEAR_START,
            pay_frequency="weekly",
            claims_employment_allowance=True,
            pas=[
                {"label": "PA 1", "hours_per_week": Decimal("30"), "hourly_rate": Decimal("13.50")},
                {
                    "label": "PA 2",
                    "hours_per_week": Decimal("12"),
                    "hourly_rate": Decimal("13.20"),
                    "irregular_hours": True,
                },
            ],
        )
        _active_budget(
            alex,
            calculation=costing,
            amount=costing.total_annual,
            portions=[("direct_payment", costing.total_annual, "")],
            streams=[("nhs_chc", Decimal("100"))],
        )

    margaret = people["9990009864"]
    if margaret.nhs_number not in with_budgets:
        lead = _staff(north, Role.PHB_LEAD)
        assessment = _ras(margaret, lead, [3, 3, 3, 2, 3, 0, 2, 2])
        third_party = (assessment.annual_amount * Decimal("0.4")).quantize(Decimal("0.01"))
        _active_budget(
            margaret,
            calculation=assessment,
            amount=assessment.annual_amount,
            portions=[
                ("third_party", third_party, "Northtown Independent Living Trust"),
                ("direct_payment", assessment.annual_amount - third_party, ""),
            ],
            streams=[("nhs_chc", Decimal("80")), ("la_social_care", Decimal("20"))],
        )

    priya = people["9990005206"]
    if priya.nhs_number not in with_budgets:
        # Proposed by the care coordinator, so the PHB lead may agree it once a clinician has
        # checked it.
        coordinator = _staff(north, Role.CARE_COORDINATOR)
        assessment = _ras(priya, coordinator, [1, 1, 0, 0, 2, 2, 1, 1])
        budget = services.create_budget(
            actor=coordinator,
            budget_holder=priya,
            period_start=YEAR_START,
            period_end=YEAR_END,
            calculation=assessment,
            agreed_amount=assessment.annual_amount + Decimal("1500.00"),
            clinical_justification="Crisis support at weekends after two admissions this year.",
            funding_streams=[("s117", Decimal("100"))],
            portions=[("notional", assessment.annual_amount + Decimal("1500.00"), "")],
            backdating_reason=BACKDATED,
        )
        services.propose_budget(actor=coordinator, budget=budget)

    jordan = people["9990012741"]
    if jordan.nhs_number not in with_budgets:
        lead = _staff(south, Role.PHB_LEAD)
        package = services.cost_chc_package(
            actor=lead,
            budget_holder=jordan,
            effective_date=YEAR_START,
            lines=[
                {
                    "service": "Agency day care",
                    "provider_type": "agency_day",
                    "units_per_week": Decimal("42"),
                    "unit_cost": None,
                },
                {
                    "service": "Waking nights",
                    "provider_type": "agency_waking_night",
                    "units_per_week": Decimal("70"),
                    "unit_cost": None,
                },
                {
                    "service": "District nursing",
                    "provider_type": "nursing",
                    "units_per_week": Decimal("3"),
                    "unit_cost": None,
                },
            ],
        )
        _active_budget(
            jordan,
            calculation=package,
            amount=package.annual_cost,
            portions=[("direct_payment", package.annual_cost, "")],
            streams=[("nhs_chc", Decimal("100"))],
        )
