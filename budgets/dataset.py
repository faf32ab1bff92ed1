"""The budgets part of the national-scale dataset (`manage.py generate_dataset`, ADR 0027).

For each ICB: local rates, a published RAS questionnaire for this financial year, and a few
CHC packages and PA costings worked out with `budgets.calculations` (people's calculations are
copies of these, so every figure is one the calculation gives). For each person, about 0.64
budgets: most active this year, some agreed to start next month, proposed, draft, withdrawn,
stopped part way through the year, and last year's, ended; every basis (a RAS with answers, a
CHC package with lines, a PA costing with lines), funding streams, ways of holding the money,
payment schedules with their instalments (paid when due before today), status changes,
clinical checks where the amount is above the indicative amount, the approved plan an active
budget needs, and some reductions.

Rows go in in their final state, in an order the database accepts: every trigger fires and
every constraint is checked, as for a budget set up through the pages.
"""

import datetime
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection

from budgets import calculations as calc
from budgets.demo import DOMAINS
from budgets.models import (
    Budget,
    BudgetChange,
    BudgetStatus,
    BudgetStatusChange,
    CalculationBasis,
    ChcPackage,
    ChcPackageLine,
    ClinicalCheck,
    FundingStream,
    HoldingMethod,
    HoldingPortion,
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
from budgets.models.ras import QuestionnaireStatus
from phb.dataset import Chunk, Run, _at
from phb.extensions import DatasetPart, register_dataset_part
from phb.models import EligibilityGroup

DAY = datetime.timedelta(days=1)
PENNY = Decimal("0.01")

# Of 100 people: 43 have no budget; 57 have this year's, in these shares; 7 of those also have
# last year's, ended (0.64 budgets a person).
THIS_YEAR = [
    ("active", 78),
    ("agreed", 5),
    ("proposed", 5),
    ("draft", 4),
    ("withdrawn", 3),
    ("stopped", 5),
]
WITH_A_BUDGET = 0.57
WITH_LAST_YEARS = 0.07 / WITH_A_BUDGET

STREAMS = {
    EligibilityGroup.CHC: [[("nhs_chc", 100)], [("nhs_chc", 80), ("la_social_care", 20)]],
    EligibilityGroup.S117: [[("s117", 100)], [("s117", 50), ("la_social_care", 50)]],
    EligibilityGroup.CHILDRENS_CONTINUING_CARE: [[("children_cc", 70), ("education", 30)]],
    EligibilityGroup.WHEELCHAIR: [[("wheelchair", 100)]],
    EligibilityGroup.EHCP: [[("education", 60), ("other_nhs", 40)]],
    EligibilityGroup.LOCAL_OFFER: [[("other_nhs", 100)]],
}

CHC_PACKAGES = [
    [("Agency care, mornings and evenings", "agency_day", 14)],
    [
        ("Agency care, mornings and evenings", "agency_day", 28),
        ("Sleeping nights", "agency_night", 3),
    ],
    [("Agency day care", "agency_day", 42), ("Waking nights", "agency_waking_night", 70)],
    [("Agency day care", "agency_day", 21), ("District nursing", "nursing", 3)],
    [
        ("Agency day care", "agency_day", 35),
        ("Sleeping nights", "agency_night", 7),
        ("District nursing", "nursing", 5),
    ],
]
PA_COSTINGS = [
    [("PA 1", 20, False)],
    [("PA 1", 30, False), ("PA 2", 12, True)],
    [("PA 1", 37.5, False), ("PA 2", 20, False)],
    [("PA 1", 40, False), ("PA 2", 30, False), ("PA 3", 10, True)],
]
JUSTIFICATION = "Two trained carers are needed overnight; the package cost does not cover it."
STOP_REASONS = [
    "They moved to another ICB's area",
    "The money was not used for what the plan agreed",
    "They no longer need the care this budget paid for",
]


@dataclass
class IcbSetup:
    local_rates_id: object
    questionnaire_id: object
    price_per_point: Decimal
    domains: list  # [(domain id, [(option id, points), ...])]
    chc: list  # [(weekly, annual, [(service, provider, units, unit cost, weekly)])]
    pa: list  # [(costing fields tuple, [line fields tuple])]
    national_rates_id: uuid.UUID


def _years(today):
    start, end = calc.financial_year(today)
    last_start, last_end = calc.financial_year(start - DAY)
    return start, end, last_start, last_end


def _pa_templates(national, local, on):
    figures = national.as_figures()
    templates = []
    for pas in PA_COSTINGS:
        costing_input = calc.PaCostingInput(
            pas=tuple(
                calc.PaInput(
                    label=label,
                    hours_per_week=Decimal(str(hours)),
                    hourly_rate=local["pa_hourly"],
                    irregular_hours=irregular,
                )
                for label, hours, irregular in pas
            ),
            on=on,
            pay_frequency=calc.PayFrequency.WEEKLY,
            claims_employment_allowance=True,
            insurance_annual=local["employer_liability_insurance_annual"],
            payroll_fee_annual=local["payroll_fee_annual"],
            contingency_rate=local["contingency_rate"],
        )
        result = calc.cost_pas(costing_input, figures)
        costing = (
            "weekly",
            True,
            result.insurance_annual,
            result.payroll_fee_annual,
            costing_input.contingency_rate,
            result.wages_annual,
            result.holiday_annual,
            result.employer_ni_annual,
            result.employment_allowance_annual,
            result.pension_annual,
            result.subtotal_annual,
            result.contingency_annual,
            result.total_annual,
            result.total_weekly,
        )
        lines = [
            (
                line.label,
                line.hours_per_week,
                line.hourly_rate,
                line.age.source,
                line.age.age,
                line.age.state_pension_date,
                line.age.state_pension_uncertain,
                line.pension_category,
                line.age.band,
                pa.irregular_hours,
                pa.pension,
                line.gross_weekly,
                line.holiday_weekly,
                line.holiday_method,
                line.employer_ni_weekly,
                line.pension_weekly,
                line.pension_enrolled,
                line.total_weekly,
                line.total_annual,
                order,
            )
            for order, (pa, line) in enumerate(zip(costing_input.pas, result.lines, strict=True))
        ]
        templates.append((costing, lines))
    return templates


def _chc_templates(local):
    rate = {
        "agency_day": local["agency_day_hourly"],
        "agency_night": local["agency_night_hourly"],
        "agency_waking_night": local["agency_waking_night_hourly"],
        "nursing": local["nursing_hourly"],
    }
    templates = []
    for lines in CHC_PACKAGES:
        result = calc.cost_chc_package(
            calc.ChcLineInput(service, Decimal(units), rate[provider])
            for service, provider, units in lines
        )
        templates.append(
            (
                result.weekly_total,
                result.annual_total,
                [
                    (line.service, provider, line.units_per_week, line.unit_cost, line.weekly_cost)
                    for (_, provider, _), line in zip(lines, result.lines, strict=True)
                ],
            )
        )
    return templates


def setup(run: Run) -> None:
    """Local rates, a published RAS questionnaire and calculation templates for each ICB."""
    rng = run.rng("budgets-setup")
    new_id = run.rng("budgets-setup-ids")
    start, _, last_start, _ = _years(run.today)
    national = (
        NationalRateSet.objects.in_force_on(start)
        or NationalRateSet.objects.order_by("effective_from").first()
    )
    now = run.now
    rates, questionnaires, domains, options = [], [], [], []
    for icb in run.icbs:
        local = {
            "pa_hourly": Decimal("13.50") + Decimal(rng.randint(0, 150)) / 100,
            "agency_day_hourly": Decimal("27.80") + Decimal(rng.randint(0, 300)) / 100,
            "agency_night_hourly": Decimal("120.00"),
            "agency_waking_night_hourly": Decimal("28.90"),
            "nursing_hourly": Decimal("55.40"),
            "employer_liability_insurance_annual": Decimal("150.00"),
            "payroll_fee_annual": Decimal("240.00"),
            "contingency_rate": Decimal("0.03"),
        }
        setup = IcbSetup(
            local_rates_id=_uuid(new_id),
            questionnaire_id=_uuid(new_id),
            price_per_point=Decimal("140.00") + Decimal(rng.randint(0, 2000)) / 100,
            domains=[],
            chc=_chc_templates(local),
            pa=_pa_templates(national, local, start),
            national_rates_id=national.pk,
        )
        icb.extra["budgets"] = setup
        rates.append((setup.local_rates_id, icb.id, last_start, *local.values(), now, now))
        questionnaires.append(
            (
                setup.questionnaire_id,
                icb.id,
                start.year,
                1,
                setup.price_per_point,
                QuestionnaireStatus.PUBLISHED,
                now,
                now,
            )
        )
        for order, (name, question, answers) in enumerate(DOMAINS):
            domain_id = _uuid(new_id)
            domains.append((domain_id, setup.questionnaire_id, name, question, order))
            choices = []
            for option_order, (text, points) in enumerate(answers):
                option_id = _uuid(new_id)
                options.append((option_id, domain_id, text, points, option_order))
                choices.append((option_id, points))
            setup.domains.append((domain_id, choices))
    run.copy(
        LocalRateSet,
        ("id", "organisation", "effective_from", *local.keys(), "created_at", "updated_at"),
        rates,
    )
    run.copy(
        RasQuestionnaire,
        (
            "id",
            "organisation",
            "financial_year",
            "version",
            "price_per_point",
            "status",
            "created_at",
            "updated_at",
        ),
        questionnaires,
    )
    run.copy(RasDomain, ("id", "questionnaire", "name", "question", "order"), domains)
    run.copy(RasAnswerOption, ("id", "domain", "text", "points", "order"), options)


def _uuid(rng) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


class _Rows:
    """Rows for one chunk, by table, written in an order the database accepts."""

    def __init__(self):
        self.tables = {}

    def add(self, model, row):
        self.tables.setdefault(model, []).append(row)


BUDGET_FIELDS = (
    "id",
    "budget_holder",
    "period_start",
    "period_end",
    "status",
    "basis",
    "ras_assessment",
    "chc_package",
    "pa_costing",
    "indicative_amount",
    "agreed_amount",
    "clinical_justification",
    "clinical_check",
    "created_by",
    "agreed_by",
    "agreed_at",
    "backdating_reason",
    "plan_approved_at",
    "plan_reference",
    "version",
    "created_at",
    "updated_at",
)
FIELDS = {
    RasAssessment: (
        "id",
        "budget_holder",
        "questionnaire",
        "effective_date",
        "completed_by",
        "total_points",
        "price_per_point",
        "annual_amount",
        "created_at",
        "updated_at",
    ),
    RasAssessmentAnswer: ("id", "assessment", "domain", "option", "points", "amount"),
    ChcPackage: (
        "id",
        "budget_holder",
        "effective_date",
        "local_rates",
        "created_by",
        "weekly_cost",
        "annual_cost",
        "created_at",
        "updated_at",
    ),
    ChcPackageLine: (
        "id",
        "package",
        "service",
        "provider_type",
        "units_per_week",
        "unit_cost",
        "weekly_cost",
        "order",
    ),
    PaCosting: (
        "id",
        "budget_holder",
        "effective_date",
        "national_rates",
        "local_rates",
        "created_by",
        "created_at",
        "updated_at",
        "pay_frequency",
        "claims_employment_allowance",
        "insurance_annual",
        "payroll_fee_annual",
        "contingency_rate",
        "wages_annual",
        "holiday_annual",
        "employer_ni_annual",
        "employment_allowance_annual",
        "pension_annual",
        "subtotal_annual",
        "contingency_annual",
        "total_annual",
        "total_weekly",
    ),
    PaCostingLine: (
        "id",
        "costing",
        "label",
        "hours_per_week",
        "hourly_rate",
        "age_source",
        "age_on_effective_date",
        "state_pension_date",
        "state_pension_uncertain",
        "pension_category",
        "age_band",
        "irregular_hours",
        "pension",
        "gross_weekly",
        "holiday_weekly",
        "holiday_method",
        "employer_ni_weekly",
        "pension_weekly",
        "pension_enrolled",
        "total_weekly",
        "total_annual",
        "order",
    ),
    ClinicalCheck: ("id", "budget", "clinician", "amount", "supported", "notes", "at"),
    Budget: BUDGET_FIELDS,
    BudgetStatusChange: ("id", "budget", "from_status", "to_status", "by", "at", "reason"),
    FundingStream: ("id", "budget", "kind", "share_percent"),
    HoldingPortion: ("id", "budget", "method", "amount", "held_by"),
    BudgetChange: (
        "id",
        "budget",
        "previous_amount",
        "new_amount",
        "effective_from",
        "notified_on",
        "notice_days",
        "reason",
        "by",
        "at",
    ),
    PaymentSchedule: (
        "id",
        "portion",
        "frequency",
        "first_payment_date",
        "backdated_reason",
        "created_by",
        "created_at",
        "updated_at",
    ),
    PaymentInstalment: (
        "id",
        "schedule",
        "number",
        "due_date",
        "amount",
        "paid_on",
        "payment_reference",
        "paid_recorded_by",
        "paid_recorded_at",
    ),
}
# The order the tables are written in: what a row refers to is written before it, except a
# clinical check, which is written just before the budget it checks (see `write`).
ORDER = [
    RasAssessment,
    RasAssessmentAnswer,
    ChcPackage,
    ChcPackageLine,
    PaCosting,
    PaCostingLine,
    ClinicalCheck,
    Budget,
    BudgetStatusChange,
    FundingStream,
    HoldingPortion,
    BudgetChange,
    PaymentSchedule,
    PaymentInstalment,
]


class _Budgets:
    """One chunk's budgets."""

    def __init__(self, chunk: Chunk):
        self.chunk = chunk
        self.rng = chunk.rng
        self.icb = chunk.icb
        self.setup: IcbSetup = chunk.icb.extra["budgets"]
        self.rows = _Rows()
        self.today = chunk.run.today
        self.now = chunk.run.now
        self.start, self.end, self.last_start, self.last_end = _years(self.today)
        next_month = (self.today.replace(day=1) + 32 * DAY).replace(day=1)
        self.next_month = min(next_month, self.end)
        self.coordinator = self.icb.user("coordinator{icb}")
        self.clinician = self.icb.user("clinician{icb}")
        self.finance = self.icb.user("finance{icb}")
        self.leads = [self.icb.user("lead{icb}"), self.icb.user("lead{icb}b")]

    def id(self):
        return self.chunk.new_id()

    # -- calculations --------------------------------------------------------------------

    def _ras(self, person, effective: datetime.date, at):
        setup, rng = self.setup, self.rng
        assessment = self.id()
        total = 0
        for order, (domain_id, choices) in enumerate(setup.domains):
            index = min(int(rng.triangular(0, len(choices), 1)), len(choices) - 1)
            if order == 0:
                index = max(index, 1)  # everyone needs some help: no budget of £0
            option_id, points = choices[index]
            total += points
            self.rows.add(
                RasAssessmentAnswer,
                (
                    self.id(),
                    assessment,
                    domain_id,
                    option_id,
                    points,
                    points * setup.price_per_point,
                ),
            )
        annual = (total * setup.price_per_point).quantize(PENNY)
        self.rows.add(
            RasAssessment,
            (
                assessment,
                person.id,
                setup.questionnaire_id,
                effective,
                self.coordinator,
                total,
                setup.price_per_point,
                annual,
                at,
                at,
            ),
        )
        return CalculationBasis.RAS, (assessment, None, None), annual

    def _chc(self, person, effective, at):
        weekly, annual, lines = self.rng.choice(self.setup.chc)
        package = self.id()
        self.rows.add(
            ChcPackage,
            (
                package,
                person.id,
                effective,
                self.setup.local_rates_id,
                self.coordinator,
                weekly,
                annual,
                at,
                at,
            ),
        )
        for order, line in enumerate(lines):
            self.rows.add(ChcPackageLine, (self.id(), package, *line, order))
        return CalculationBasis.CHC_CAP, (None, package, None), annual

    def _pa(self, person, effective, at):
        costing, lines = self.rng.choice(self.setup.pa)
        costing_id = self.id()
        self.rows.add(
            PaCosting,
            (
                costing_id,
                person.id,
                effective,
                self.setup.national_rates_id,
                self.setup.local_rates_id,
                self.coordinator,
                at,
                at,
                *costing,
            ),
        )
        for line in lines:
            self.rows.add(PaCostingLine, (self.id(), costing_id, *line))
        return CalculationBasis.PA_COSTING, (None, None, costing_id), costing[-2]

    # -- a budget ------------------------------------------------------------------------

    def budget(self, person, kind: str) -> None:
        rng, today = self.rng, self.today
        lead = rng.choice(self.leads)
        if kind == "stopped" and (today - self.start).days < 45:
            kind = "active"  # too early in the year for a budget to have been stopped
        if kind == "previous":
            start, end = self.last_start, self.last_end
            created = start - rng.randint(20, 60) * DAY
        elif kind in ("active", "stopped"):
            start, end = self.start, self.end
            created = start - rng.randint(20, 80) * DAY
        else:
            start, end = self.next_month, self.end
            created = today - rng.randint(8, 40) * DAY
        created_at = _at(created, 9 + rng.randint(0, 7), rng.randint(0, 59))
        r = rng.random()
        if kind == "previous" or r < 0.35:
            basis, calculation, annual = self._chc(person, start, created_at)
        elif r < 0.75:
            basis, calculation, annual = self._ras(person, start, created_at)
        else:
            basis, calculation, annual = self._pa(person, start, created_at)
        indicative = calc.amount_for_period(annual, start, end)
        r = rng.random()
        if r < 0.12:
            amount = (indicative * Decimal(rng.randint(105, 120)) / 100).quantize(PENNY)
        elif r < 0.17:
            amount = (indicative * Decimal(rng.randint(85, 95)) / 100).quantize(PENNY)
        else:
            amount = indicative
        above = amount > indicative
        budget = self.id()
        changes = [("", BudgetStatus.DRAFT, self.coordinator, created_at, "Set up")]
        proposed_at = created_at + datetime.timedelta(days=2, hours=1)
        agreed_at = created_at + datetime.timedelta(days=6, hours=3)
        check = None
        agreed = kind in ("agreed", "active", "stopped", "previous")
        if kind != "draft":
            changes.append(
                (BudgetStatus.DRAFT, BudgetStatus.PROPOSED, self.coordinator, proposed_at, "")
            )
        if above and (agreed or (kind == "proposed" and rng.random() < 0.5)):
            check = self.id()
            check_at = created_at + datetime.timedelta(days=4)
            self.rows.add(
                ClinicalCheck,
                (check, budget, self.clinician, amount, True, JUSTIFICATION, check_at),
            )
        status = {"stopped": BudgetStatus.ENDED, "previous": BudgetStatus.ENDED}.get(kind, kind)
        if kind == "withdrawn":
            changes.append(
                (
                    BudgetStatus.PROPOSED,
                    BudgetStatus.WITHDRAWN,
                    lead,
                    agreed_at,
                    "They chose to keep the services the ICB arranges",
                )
            )
        if agreed:
            changes.append((BudgetStatus.PROPOSED, BudgetStatus.AGREED, lead, agreed_at, ""))
        live_from = _at(start, 9)
        stops_on = None
        if kind in ("active", "stopped", "previous"):
            changes.append((BudgetStatus.AGREED, BudgetStatus.ACTIVE, self.finance, live_from, ""))
        if kind == "stopped":
            stops_on = self.start + rng.randint(31, (today - self.start).days - 1) * DAY
            end = stops_on - DAY
            reason = f"Stopped from {stops_on:%-d %B %Y}: {rng.choice(STOP_REASONS)}"
            changes.append(
                (BudgetStatus.ACTIVE, BudgetStatus.ENDED, lead, _at(stops_on, 11), reason)
            )
        if kind == "previous":
            reason = f"Its period ended on {end:%-d %B %Y}"
            changes.append(
                (BudgetStatus.ACTIVE, BudgetStatus.ENDED, lead, _at(end + DAY, 8), reason)
            )
        plan = agreed and (kind != "agreed" or rng.random() < 0.5)
        self.rows.add(
            Budget,
            (
                budget,
                person.id,
                start,
                end,
                status,
                basis,
                *calculation,
                indicative,
                amount,
                JUSTIFICATION if above else "",
                check if agreed else None,
                self.coordinator,
                lead if agreed else None,
                agreed_at if agreed else None,
                "",
                agreed_at if plan else None,
                f"Care and support plan agreed on {agreed_at:%-d %B %Y}" if plan else "",
                len(changes),
                created_at,
                changes[-1][3],
            ),
        )
        for from_status, to_status, by, at, reason in changes:
            self.rows.add(
                BudgetStatusChange, (self.id(), budget, from_status, to_status, by, at, reason)
            )
        for kind_of_stream, share in rng.choice(STREAMS[person.eligibility]):
            self.rows.add(FundingStream, (self.id(), budget, kind_of_stream, Decimal(share)))
        if kind == "active" and rng.random() < 0.06 and (today - self.start).days > 60:
            effective = self.start + rng.randint(45, (today - self.start).days) * DAY
            notified = effective - 28 * DAY
            self.rows.add(
                BudgetChange,
                (
                    self.id(),
                    budget,
                    amount + Decimal(rng.randint(200, 2000)),
                    amount,
                    effective,
                    notified,
                    28,
                    "Fewer hours of care are needed after the review",
                    lead,
                    _at(notified, 11),
                ),
            )
        self._portions(budget, amount, agreed, start, end, stops_on, agreed_at)

    def _portions(self, budget, amount, agreed, start, end, stops_on, agreed_at):
        rng = self.rng
        r = rng.random()
        if r < 0.5:
            methods = [(HoldingMethod.DIRECT_PAYMENT, 1, "")]
        elif r < 0.7:
            methods = [(HoldingMethod.NOTIONAL, 1, "")]
        elif r < 0.8:
            methods = [(HoldingMethod.THIRD_PARTY, 1, "Independent Living Trust")]
        else:
            methods = [
                (HoldingMethod.THIRD_PARTY, Decimal(4), "Independent Living Trust"),
                (HoldingMethod.DIRECT_PAYMENT, Decimal(6), ""),
            ]
        shares = calc.share_in_proportion(amount, [weight for _, weight, _ in methods])
        for (method, _, held_by), share in zip(methods, shares, strict=True):
            portion = self.id()
            self.rows.add(HoldingPortion, (portion, budget, method, share, held_by))
            if agreed and method != HoldingMethod.NOTIONAL:
                self._schedule(portion, share, start, end, stops_on, agreed_at)

    def _schedule(self, portion, amount, start, end, stops_on, agreed_at):
        rng, today = self.rng, self.today
        frequency = calc.InstalmentFrequency.MONTHLY
        if rng.random() < 0.2:
            frequency = calc.InstalmentFrequency.FOUR_WEEKLY
        full_end = self.end if stops_on else end
        dates = calc.instalment_dates(start, full_end, frequency)
        amounts = calc.split_evenly(amount, len(dates))
        schedule = self.id()
        set_at = agreed_at + datetime.timedelta(days=1)
        reason = (
            "Set before the first payment; recorded here when the ICB started using the service."
            if start < today
            else ""
        )
        self.rows.add(
            PaymentSchedule,
            (schedule, portion, frequency, start, reason, self.finance, set_at, set_at),
        )
        for number, (due, share) in enumerate(zip(dates, amounts, strict=True), start=1):
            if stops_on and due >= stops_on:
                break  # cancelled when the budget was stopped
            if due < today:
                paid = (due, f"BACS-{due:%Y%m%d}", self.finance, _at(due, 15))
            else:
                paid = (None, "", None, None)
            self.rows.add(PaymentInstalment, (self.id(), schedule, number, due, share, *paid))


def _deferred_check_constraint() -> str:
    """The name of the clinical check's foreign key to its budget."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE contype = 'f' "
            "AND conrelid = %s::regclass AND confrelid = %s::regclass",
            [ClinicalCheck._meta.db_table, Budget._meta.db_table],
        )
        return cursor.fetchone()[0]


def write(chunk: Chunk) -> None:
    budgets = _Budgets(chunk)
    kinds = [kind for kind, _ in THIS_YEAR]
    weights = [weight for _, weight in THIS_YEAR]
    rng = chunk.rng
    for person in chunk.people:
        if rng.random() >= WITH_A_BUDGET:
            continue
        if rng.random() < WITH_LAST_YEARS:
            budgets.budget(person, "previous")
        budgets.budget(person, rng.choices(kinds, weights)[0])
    tables = budgets.rows.tables
    constraint = connection.ops.quote_name(_deferred_check_constraint())
    for model in ORDER:
        if model is ClinicalCheck:
            # A budget above its indicative amount is agreed only with a clinician's check of
            # it, which names the budget: the check goes in first, its reference to the budget
            # checked when the budget is in (the one constraint not checked at once).
            with connection.cursor() as cursor:
                cursor.execute(f"SET CONSTRAINTS {constraint} DEFERRED")
        chunk.copy(model, FIELDS[model], tables.get(model, []))
        if model is Budget:
            with connection.cursor() as cursor:
                cursor.execute(f"SET CONSTRAINTS {constraint} IMMEDIATE")


def register() -> None:
    register_dataset_part(DatasetPart(name="budgets", setup=setup, write=write))
