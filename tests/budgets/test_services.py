"""Budget setting through `budgets.services`, end to end against the real database.

Worked figures use the 2026/27 national rates (migration 0003) and the local rates in
`tests/budgets/factories.py`. Each comment shows the arithmetic to the penny.
"""

import datetime
import re
import threading
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, ProgrammingError, connection, transaction
from django.utils import timezone

from budgets import services
from budgets.models import (
    Budget,
    BudgetStatusChange,
    ChcPackage,
    ClinicalCheck,
    FundingStreamKind,
    HoldingMethod,
    NationalRateSet,
    PaCosting,
    RasAssessment,
)
from budgets.models.budget import BudgetStatus
from budgets.models.ras import QuestionnaireStatus
from budgets.services import Conflict
from tests.budgets.factories import (
    FY_2026_END,
    FY_2026_START,
    FY_2027_END,
    FY_2027_START,
    JUSTIFICATION,
    NATIONAL_2027_28,
    LocalRateSetFactory,
    agreed_budget,
    approve_plan,
    chc_package,
    draft_budget,
    national_rates_2026,
    pa,
    pa_costing,
    proposed_budget,
    questionnaire,
    ras_answers,
    ras_assessment,
    reload,
    staff,
)
from tests.factories import OrganisationFactory, give_role

pytestmark = pytest.mark.django_db

# What the database says when it refuses (the trigger and constraint definitions are in
# budgets/models/budget.py; pgtrigger words its FSM and Protect triggers' refusals).
NEEDS_ANOTHER_CLINICIAN = (
    "Above its indicative amount, a budget needs a supporting check by another clinician"
)


def invalid_transition(old: str, new: str) -> str:
    return re.escape(
        f'pgtrigger: Invalid transition of field "status" from "{old}" to "{new}" '
        "on table budgets_budget"
    )


def cannot_change(table: str) -> str:
    return re.escape(f"pgtrigger: Cannot update or delete rows from {table} table")


def messages_of(excinfo) -> str:
    return " ".join(excinfo.value.messages)


# ---------------------------------------------------------------------------------------------
# Resource allocation system
# ---------------------------------------------------------------------------------------------


def test_ras_assessment_worked_example_every_line_to_the_penny(ras):
    # 8 domains at £148.37 a point:
    #   personal care 12 x 148.37 = 1,780.44   eating and drinking 8 x 148.37 = 1,186.96
    #   moving around 6 x 148.37 = 890.22      breathing 10 x 148.37 = 1,483.70
    #   continence 4 x 148.37 = 593.48         communication 0 x 148.37 = 0.00
    #   night support 9 x 148.37 = 1,335.33    daily life 7 x 148.37 = 1,038.59
    #   total 56 points x £148.37 = £8,308.72 (the lines add up to the same)
    answers = list(ras.answers.select_related("domain").order_by("domain__order"))
    assert [(a.domain.name, a.points, a.amount) for a in answers] == [
        ("Personal care", 12, D("1780.44")),
        ("Eating and drinking", 8, D("1186.96")),
        ("Moving around", 6, D("890.22")),
        ("Breathing", 10, D("1483.70")),
        ("Continence", 4, D("593.48")),
        ("Communication", 0, D("0.00")),
        ("Night support", 9, D("1335.33")),
        ("Daily life", 7, D("1038.59")),
    ]
    assert ras.total_points == 56
    assert ras.annual_amount == D("8308.72")
    assert sum(a.amount for a in answers) == D("8308.72")


def test_ras_assessment_records_the_questionnaires_price_per_point(ras, ras_version):
    assert ras.questionnaire == ras_version
    assert ras.price_per_point == D("148.37") == ras_version.price_per_point


def test_ras_assessment_uses_each_icbs_own_price_per_point(
    other_icb, other_icb_holder, ras_version
):
    # Another ICB prices the same 56 points at £150.00: 56 x 150.00 = £8,400.00.
    admin = staff("icb_admin", other_icb)
    lead = staff("phb_lead", other_icb)
    theirs = questionnaire(admin, price_per_point=D("150.00"))
    assessment = ras_assessment(lead, other_icb_holder, theirs)
    assert assessment.annual_amount == D("8400.00")


def test_ras_assessment_needs_every_question_answered(phb_lead, holder, ras_version):
    answers = ras_answers(ras_version)
    answers.pop(next(iter(answers)))
    with pytest.raises(ValidationError) as excinfo:
        services.complete_ras_assessment(
            actor=phb_lead,
            budget_holder=holder,
            questionnaire=ras_version,
            effective_date=FY_2026_START,
            answers=answers,
        )
    assert "Personal care" in messages_of(excinfo)
    assert not RasAssessment.objects.exists()


def test_ras_assessment_date_must_be_in_the_questionnaires_year(phb_lead, holder, ras_version):
    with pytest.raises(ValidationError) as excinfo:
        ras_assessment(phb_lead, holder, ras_version, effective_date=FY_2027_START)
    assert "2026/27" in messages_of(excinfo)


def test_editing_a_published_questionnaire_is_refused(icb_admin, ras_version):
    with pytest.raises(ValidationError) as excinfo:
        services.set_price_per_point(
            actor=icb_admin, questionnaire=ras_version, price_per_point=D("160.00")
        )
    assert "Make a new version" in messages_of(excinfo)
    with pytest.raises(ValidationError):
        services.add_domain(
            actor=icb_admin,
            questionnaire=ras_version,
            name="Housing",
            question="Where do you live?",
            options=[("Own home", 0), ("Care home", 5)],
        )
    with pytest.raises(ValidationError):
        services.remove_domain(actor=icb_admin, domain=ras_version.domains.first())
    ras_version.refresh_from_db()
    assert ras_version.price_per_point == D("148.37")
    assert ras_version.domains.count() == 8


def test_a_new_version_copies_the_domains_and_answers(icb_admin, ras_version):
    copy = services.create_questionnaire(
        actor=icb_admin, financial_year=2026, price_per_point=D("150.00"), based_on=ras_version
    )
    assert copy.version == 2
    assert copy.status == QuestionnaireStatus.DRAFT
    assert copy.based_on == ras_version

    def shape(version):
        return [
            (d.name, d.question, [(o.text, o.points) for o in d.options.all()])
            for d in version.domains.prefetch_related("options")
        ]

    assert shape(copy) == shape(ras_version)
    assert not set(copy.domains.values_list("pk", flat=True)) & set(
        ras_version.domains.values_list("pk", flat=True)
    )


def test_publishing_a_new_version_retires_the_old_one(icb_admin, ras_version):
    copy = services.create_questionnaire(
        actor=icb_admin, financial_year=2026, price_per_point=D("150.00"), based_on=ras_version
    )
    services.publish_questionnaire(actor=icb_admin, questionnaire=copy)
    ras_version.refresh_from_db()
    assert ras_version.status == QuestionnaireStatus.RETIRED
    copy.refresh_from_db()
    assert copy.status == QuestionnaireStatus.PUBLISHED


def test_only_admins_and_leads_manage_questionnaires(care_coordinator):
    with pytest.raises(PermissionDenied):
        services.create_questionnaire(
            actor=care_coordinator, financial_year=2026, price_per_point=D("148.37")
        )


# ---------------------------------------------------------------------------------------------
# CHC cost cap
# ---------------------------------------------------------------------------------------------


def test_chc_package_costed_weekly_and_annually_with_local_rates(chc, local_rates):
    # agency day care 42 h x £28.50 (local rate) = £1,197.00
    # sleeping nights 7 x £120.00 (local rate)    =   £840.00
    # district nursing 3.5 h x £55.00 (local rate) =  £192.50
    # equipment hire 1 x £35.75 (entered)          =   £35.75
    # weekly £2,265.25; a year £2,265.25 x 52 = £117,793.00
    lines = list(chc.lines.order_by("order"))
    assert [(line.service, line.unit_cost, line.weekly_cost) for line in lines] == [
        ("Agency day care", D("28.50"), D("1197.00")),
        ("Sleeping nights", D("120.00"), D("840.00")),
        ("District nursing", D("55.00"), D("192.50")),
        ("Equipment hire", D("35.75"), D("35.75")),
    ]
    assert chc.weekly_cost == D("2265.25")
    assert chc.annual_cost == D("117793.00")
    assert chc.local_rates == local_rates


def test_chc_line_without_a_local_rate_needs_a_unit_cost(phb_lead, holder, local_rates):
    with pytest.raises(ValidationError) as excinfo:
        chc_package(
            phb_lead,
            holder,
            lines=[{"service": "Hoist", "provider_type": "equipment", "units_per_week": D("1")}],
        )
    assert "Enter a unit cost for Hoist" in messages_of(excinfo)
    assert not ChcPackage.objects.exists()


def test_chc_needs_local_rates_in_force(phb_lead, holder):
    with pytest.raises(ValidationError) as excinfo:
        chc_package(phb_lead, holder)
    assert "no local rates in force on 1 April 2026" in messages_of(excinfo)


def test_staff_of_another_icb_cannot_cost_a_package(other_icb_lead, holder, local_rates):
    with pytest.raises(PermissionDenied):
        chc_package(other_icb_lead, holder)


# ---------------------------------------------------------------------------------------------
# PA costing
# ---------------------------------------------------------------------------------------------


def test_pa_costing_worked_example_line(phb_lead, holder, local_rates):
    # £13.50 an hour x 30 hours = gross £405.00 a week
    # holiday cover: 405 x 5.6 / 52 = 43.615... -> £43.62
    # employer NI: 15% x (405 - 96) = 15% x 309 = £46.35 a week (before Employment Allowance)
    # pension: 405 > £192 trigger; 3% x (405 - 120) = 3% x 285 = £8.55
    # line total a week: 405 + 43.62 + 46.35 + 8.55 = £503.52
    # line total a year: (405 + 43.62) x 52 + 46.35 x 52 + 8.55 x 52 = £26,183.04
    costing = pa_costing(phb_lead, holder)
    (line,) = costing.lines.all()
    assert line.gross_weekly == D("405.00")
    assert line.holiday_weekly == D("43.62")
    assert line.employer_ni_weekly == D("46.35")
    assert line.pension_weekly == D("8.55")
    assert line.pension_enrolled is True
    assert line.total_weekly == D("503.52")
    assert line.total_annual == D("26183.04")


def test_pa_costing_worked_example_totals_and_rates_recorded(phb_lead, holder, local_rates):
    # wages 405.00 x 52 = 21,060.00; holiday 43.62 x 52 = 2,268.24
    # NI 46.35 x 52 = 2,410.20; Employment Allowance = min(10,500, 2,410.20) = 2,410.20
    # pension 8.55 x 52 = 444.60; insurance 150.00; payroll 240.00 (local defaults)
    # subtotal 21,060.00 + 2,268.24 + 2,410.20 - 2,410.20 + 444.60 + 150.00 + 240.00
    #        = 24,162.84
    # contingency 5% x 24,162.84 = 1,208.142 -> 1,208.14; total 25,370.98
    # a week 25,370.98 / 52 = 487.903... -> 487.90
    costing = pa_costing(phb_lead, holder)
    assert costing.national_rates == national_rates_2026()
    assert costing.local_rates == local_rates
    assert costing.wages_annual == D("21060.00")
    assert costing.holiday_annual == D("2268.24")
    assert costing.employer_ni_annual == D("2410.20")
    assert costing.employment_allowance_annual == D("2410.20")
    assert costing.pension_annual == D("444.60")
    assert costing.insurance_annual == D("150.00")
    assert costing.payroll_fee_annual == D("240.00")
    assert costing.contingency_rate == D("0.0500")
    assert costing.subtotal_annual == D("24162.84")
    assert costing.contingency_annual == D("1208.14")
    assert costing.total_annual == D("25370.98")
    assert costing.total_weekly == D("487.90")


def test_pa_costing_without_employment_allowance_pays_the_ni(phb_lead, holder, local_rates):
    # subtotal 24,162.84 + 2,410.20 NI not claimed back = 26,573.04
    # contingency 5% = 1,328.652 -> 1,328.65; total 27,901.69
    costing = pa_costing(phb_lead, holder, claims_employment_allowance=False)
    assert costing.employment_allowance_annual == D("0.00")
    assert costing.total_annual == D("27901.69")


def test_pa_below_minimum_wage_is_refused_with_a_clear_message(phb_lead, holder, local_rates):
    with pytest.raises(ValidationError) as excinfo:
        pa_costing(phb_lead, holder, pas=[pa(rate=D("12.00"))])
    assert messages_of(excinfo) == (
        "PA 1's rate of £12.00 an hour is below the National Living Wage of £12.71 "
        "for someone aged 21 or over"
    )
    assert not PaCosting.objects.exists()


def test_pa_at_exactly_the_national_living_wage_is_accepted(phb_lead, holder, local_rates):
    costing = pa_costing(phb_lead, holder, pas=[pa(rate=D("12.71"))])
    # 30 x 12.71 = 381.30
    assert costing.lines.get().gross_weekly == D("381.30")


def test_more_hours_than_a_week_has_are_refused(phb_lead, holder, local_rates):
    with pytest.raises(ValidationError) as excinfo:
        pa_costing(phb_lead, holder, pas=[pa(hours=D("168.5"))])
    assert "There are only 168 hours in a week" in messages_of(excinfo)
    assert not PaCosting.objects.exists()


def test_negative_hours_are_refused(phb_lead, holder, local_rates):
    with pytest.raises(ValidationError):
        pa_costing(phb_lead, holder, pas=[pa(hours=D("-5"))])
    assert not PaCosting.objects.exists()


def test_rates_in_force_on_the_effective_date_are_used(
    service_admin, phb_lead, holder, local_rates
):
    later = services.save_national_rates(actor=service_admin, **NATIONAL_2027_28)
    # On 1 May 2027 the 2027/28 figures apply: 30 h x £13.40 = £402.00 a week;
    # employer NI 15% x (402 - 96) = £45.90.
    costing = pa_costing(
        phb_lead,
        holder,
        pas=[pa(rate=D("13.40"))],
        effective_date=datetime.date(2027, 5, 1),
    )
    assert costing.national_rates == later
    line = costing.lines.get()
    assert line.gross_weekly == D("402.00")
    assert line.employer_ni_weekly == D("45.90")
    # On 31 March 2027 the 2026/27 figures still apply.
    earlier = pa_costing(phb_lead, holder, pas=[pa(rate=D("13.40"))], effective_date=FY_2026_END)
    assert earlier.national_rates == national_rates_2026()


def test_a_rate_legal_this_year_is_refused_under_next_years_living_wage(
    service_admin, phb_lead, holder, local_rates
):
    services.save_national_rates(actor=service_admin, **NATIONAL_2027_28)
    assert pa_costing(phb_lead, holder, pas=[pa(rate=D("13.00"))]).pk
    with pytest.raises(ValidationError) as excinfo:
        pa_costing(
            phb_lead, holder, pas=[pa(rate=D("13.00"))], effective_date=datetime.date(2027, 5, 1)
        )
    assert "below the National Living Wage of £13.40" in messages_of(excinfo)


def test_national_rates_used_by_a_calculation_cannot_be_edited(
    service_admin, phb_lead, holder, local_rates
):
    pa_costing(phb_lead, holder)
    with pytest.raises(ValidationError) as excinfo:
        services.save_national_rates(
            actor=service_admin, rate_set=national_rates_2026(), nlw_21_plus=D("11.00")
        )
    assert "cannot be changed" in messages_of(excinfo)
    assert national_rates_2026().nlw_21_plus == D("12.71")


def test_local_rates_used_by_a_calculation_cannot_be_edited(icb_admin, chc, local_rates):
    with pytest.raises(ValidationError):
        services.save_local_rates(
            actor=icb_admin, rate_set=local_rates, agency_day_hourly=D("1.00")
        )
    local_rates.refresh_from_db()
    assert local_rates.agency_day_hourly == D("28.50")


def test_unused_local_rates_can_be_corrected(icb_admin, local_rates):
    services.save_local_rates(actor=icb_admin, rate_set=local_rates, agency_day_hourly=D("29.00"))
    local_rates.refresh_from_db()
    assert local_rates.agency_day_hourly == D("29.00")


@pytest.mark.parametrize("role", ["phb_lead", "icb_admin", "finance_officer"])
def test_only_the_service_administrator_changes_national_figures(request, role):
    actor = request.getfixturevalue(role)
    with pytest.raises(PermissionDenied):
        services.save_national_rates(actor=actor, **NATIONAL_2027_28)
    with pytest.raises(PermissionDenied):
        services.save_national_rates(
            actor=actor, rate_set=national_rates_2026(), nlw_21_plus=D("99.00")
        )
    assert not NationalRateSet.objects.filter(effective_from=FY_2027_START).exists()
    assert national_rates_2026().nlw_21_plus == D("12.71")


def test_a_service_never_sets_a_field_it_was_not_given_leave_to(service_admin, icb_admin, icb):
    other = OrganisationFactory(ods_code="QT9")
    with pytest.raises(TypeError, match="organisation"):
        services.save_local_rates(actor=icb_admin, organisation=other, pa_hourly=D("1.00"))
    with pytest.raises(TypeError, match="pgh_obj"):
        services.save_national_rates(actor=service_admin, pgh_obj=None, **NATIONAL_2027_28)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"nmw_18_20": D("13.50")},
            "nmw_18_20",
            "The 18 to 20 rate cannot be more than the rate for 21 and over",
        ),
        (
            {"nmw_16_17_apprentice": D("11.50")},
            "nmw_16_17_apprentice",
            "The 16 to 17 and apprentice rate cannot be more than the 18 to 20 rate",
        ),
        (
            {"upper_earnings_limit_annual": D("12000.00")},
            "primary_threshold_annual",
            "cannot be more than the upper earnings limit",
        ),
        (
            {"pension_trigger_annual": D("5000.00")},
            "pension_qualifying_lower_annual",
            "cannot be more than the auto-enrolment earnings trigger",
        ),
        ({"nlw_21_plus": D("1271.00")}, "nlw_21_plus", "must be between £5 and £50"),
        ({"employer_ni_rate": D("0.95")}, "employer_ni_rate", "must be between 0% and 30%"),
        ({"holiday_weeks": D("56")}, "holiday_weeks", "must be between 4 and 10"),
        # The upper secondary threshold: £967 a week typed as 96700 (pence), or a month's
        # figure below a week's, or a year's below the secondary threshold.
        (
            {"upper_secondary_threshold_weekly": D("96700")},
            "upper_secondary_threshold_weekly",
            "must be between £200 and £4,000",
        ),
        (
            {"upper_secondary_threshold_monthly": D("900")},
            "upper_secondary_threshold_weekly",
            "cannot be more than the monthly upper secondary threshold",
        ),
        (
            {
                "ni_secondary_threshold_annual": D("25000"),
                "upper_secondary_threshold_annual": D("20000"),
            },
            "ni_secondary_threshold_annual",
            "cannot be more than the yearly upper secondary threshold",
        ),
    ],
)
def test_national_figures_must_make_sense_as_a_set(service_admin, changes, field, message):
    with pytest.raises(ValidationError) as excinfo:
        services.save_national_rates(actor=service_admin, **(NATIONAL_2027_28 | changes))
    assert message in " ".join(excinfo.value.message_dict[field])
    assert not NationalRateSet.objects.filter(effective_from=FY_2027_START).exists()


# ---------------------------------------------------------------------------------------------
# Creating a budget
# ---------------------------------------------------------------------------------------------


def test_a_draft_budget_records_basis_indicative_amount_and_who(phb_lead, holder, ras):
    budget = draft_budget(phb_lead, holder, ras)
    assert budget.status == BudgetStatus.DRAFT
    assert budget.basis == "ras"
    assert budget.ras_assessment == ras
    assert budget.indicative_amount == D("8308.72")
    assert budget.created_by == phb_lead
    (change,) = budget.status_changes.all()
    assert (change.from_status, change.to_status, change.by) == ("", "draft", phb_lead)


def test_part_year_indicative_amount_is_pro_rata(phb_lead, holder, ras):
    # 1 October 2026 to 31 March 2027 is 182 days of 365:
    # 8,308.72 x 182 / 365 = 4,142.978... -> £4,142.98
    budget = draft_budget(
        phb_lead, holder, ras, start=datetime.date(2026, 10, 1), amount=D("4142.98")
    )
    assert budget.indicative_amount == D("4142.98")


def test_a_period_crossing_31_march_is_refused(phb_lead, holder, ras):
    with pytest.raises(ValidationError) as excinfo:
        draft_budget(phb_lead, holder, ras, end=datetime.date(2027, 4, 30), amount=D("8000.00"))
    assert "within one financial year" in messages_of(excinfo)
    assert not Budget.objects.exists()


def test_an_end_before_the_start_is_refused(phb_lead, holder, ras):
    with pytest.raises(ValidationError):
        draft_budget(
            phb_lead,
            holder,
            ras,
            start=datetime.date(2026, 6, 1),
            end=datetime.date(2026, 5, 1),
            amount=D("100.00"),
        )
    assert not Budget.objects.exists()


def test_a_period_overlapping_a_live_budget_is_refused(phb_lead, holder, ras):
    agreed_budget(phb_lead, holder, ras)
    with pytest.raises(ValidationError) as excinfo:
        draft_budget(phb_lead, holder, ras, start=datetime.date(2026, 10, 1), amount=D("4000.00"))
    assert "overlaps the agreed budget from 1 April 2026 to 31 March 2027" in messages_of(excinfo)
    assert Budget.objects.count() == 1


def test_another_persons_budget_does_not_count_as_overlapping(
    phb_lead, holder, other_holder, ras, ras_version
):
    agreed_budget(phb_lead, holder, ras)
    theirs = ras_assessment(phb_lead, other_holder, ras_version)
    assert draft_budget(phb_lead, other_holder, theirs).pk


def test_funding_shares_must_add_up_to_100(phb_lead, holder, ras):
    with pytest.raises(ValidationError) as excinfo:
        draft_budget(
            phb_lead,
            holder,
            ras,
            streams=[
                (FundingStreamKind.NHS_CHC, D("60")),
                (FundingStreamKind.LA_SOCIAL_CARE, D("30")),
            ],
        )
    assert "must add up to 100%. They add up to 90%" in messages_of(excinfo)
    assert not Budget.objects.exists()


def test_a_joint_budget_keeps_each_streams_share(phb_lead, holder, ras):
    budget = draft_budget(
        phb_lead,
        holder,
        ras,
        streams=[
            (FundingStreamKind.NHS_CHC, D("62.50")),
            (FundingStreamKind.LA_SOCIAL_CARE, D("37.50")),
        ],
    )
    assert sorted(budget.funding_streams.values_list("kind", "share_percent")) == [
        ("la_social_care", D("37.50")),
        ("nhs_chc", D("62.50")),
    ]


def test_ways_of_holding_must_add_up_to_the_amount(phb_lead, holder, ras):
    # 5,000.00 notional + 3,308.71 direct payment = 8,308.71, a penny short of 8,308.72
    with pytest.raises(ValidationError) as excinfo:
        draft_budget(
            phb_lead,
            holder,
            ras,
            portions=[
                (HoldingMethod.NOTIONAL, D("5000.00"), ""),
                (HoldingMethod.DIRECT_PAYMENT, D("3308.71"), ""),
            ],
        )
    assert "add up to £8,308.71, but the budget is £8,308.72" in messages_of(excinfo)
    assert not Budget.objects.exists()


def test_a_third_party_budget_names_who_holds_it(phb_lead, holder, ras):
    with pytest.raises(ValidationError) as excinfo:
        draft_budget(
            phb_lead, holder, ras, portions=[(HoldingMethod.THIRD_PARTY, D("8308.72"), " ")]
        )
    assert "Name the organisation" in messages_of(excinfo)


def test_a_negative_amount_is_refused(phb_lead, holder, ras):
    with pytest.raises(ValidationError):
        draft_budget(phb_lead, holder, ras, amount=D("-1.00"))
    assert not Budget.objects.exists()


def test_above_indicative_needs_a_written_justification(phb_lead, holder, ras):
    with pytest.raises(ValidationError) as excinfo:
        draft_budget(phb_lead, holder, ras, amount=D("9000.00"))
    assert "more than the indicative £8,308.72" in messages_of(excinfo)
    assert not Budget.objects.exists()


def test_a_calculation_for_someone_else_cannot_be_used(phb_lead, other_holder, ras):
    with pytest.raises(PermissionDenied):
        draft_budget(phb_lead, other_holder, ras)


# ---------------------------------------------------------------------------------------------
# Status flow and agreeing
# ---------------------------------------------------------------------------------------------


def test_status_flow_draft_proposed_agreed_active_with_who(
    phb_lead, care_coordinator, finance_officer, holder, ras
):
    budget = draft_budget(care_coordinator, holder, ras)
    budget = services.propose_budget(actor=care_coordinator, budget=budget)
    assert budget.status == BudgetStatus.PROPOSED
    budget = services.agree_budget(actor=phb_lead, budget=budget)
    assert budget.status == BudgetStatus.AGREED
    assert budget.agreed_by == phb_lead
    assert budget.agreed_at is not None
    budget = approve_plan(phb_lead, budget)  # the care and support plan agrees it (ADR 0024)
    budget = services.activate_budget(actor=finance_officer, budget=budget)
    assert reload(budget).status == BudgetStatus.ACTIVE
    changes = list(BudgetStatusChange.objects.filter(budget=budget).order_by("at"))
    assert [(c.from_status, c.to_status, c.by) for c in changes] == [
        ("", "draft", care_coordinator),
        ("draft", "proposed", care_coordinator),
        ("proposed", "agreed", phb_lead),
        ("agreed", "active", finance_officer),
    ]
    assert all(c.at is not None for c in changes)


def test_each_change_bumps_the_version(phb_lead, care_coordinator, holder, ras):
    budget = draft_budget(care_coordinator, holder, ras)
    assert budget.version == 1
    budget = services.propose_budget(actor=care_coordinator, budget=budget)
    assert budget.version == 2
    assert services.agree_budget(actor=phb_lead, budget=budget).version == 3


def test_a_care_coordinator_cannot_agree(care_coordinator, holder, ras):
    budget = proposed_budget(care_coordinator, holder, ras)
    with pytest.raises(PermissionDenied):
        services.agree_budget(actor=care_coordinator, budget=budget)
    assert reload(budget).status == BudgetStatus.PROPOSED


def test_a_draft_cannot_be_agreed_without_being_proposed(phb_lead, holder, ras):
    budget = draft_budget(phb_lead, holder, ras)
    with pytest.raises(Conflict):
        services.agree_budget(actor=phb_lead, budget=budget)
    assert reload(budget).status == BudgetStatus.DRAFT


def test_starting_needs_a_payment_schedule_for_money_paid_out(
    phb_lead, finance_officer, holder, ras
):
    budget = agreed_budget(
        phb_lead, holder, ras, portions=[(HoldingMethod.DIRECT_PAYMENT, D("8308.72"), "")]
    )
    with pytest.raises(ValidationError) as excinfo:
        services.activate_budget(actor=finance_officer, budget=budget)
    assert "payment schedule" in messages_of(excinfo)
    assert reload(budget).status == BudgetStatus.AGREED


def test_above_indicative_without_a_clinical_check_is_refused(phb_lead, above_cap):
    with pytest.raises(ValidationError) as excinfo:
        services.agree_budget(actor=phb_lead, budget=above_cap)
    assert "£691.28 above its indicative amount" in messages_of(excinfo)
    assert "clinician must check and support it" in messages_of(excinfo)
    assert reload(above_cap).status == BudgetStatus.PROPOSED


def test_above_indicative_with_a_check_that_does_not_support_it_is_refused(
    phb_lead, clinician, above_cap
):
    services.record_clinical_check(
        actor=clinician, budget=above_cap, supported=False, notes="No clinical need shown."
    )
    with pytest.raises(ValidationError):
        services.agree_budget(actor=phb_lead, budget=above_cap)
    assert reload(above_cap).status == BudgetStatus.PROPOSED


def test_above_indicative_with_a_supporting_clinician_check_is_agreed(
    phb_lead, clinician, above_cap
):
    check = services.record_clinical_check(
        actor=clinician, budget=above_cap, supported=True, notes="Two carers needed at night."
    )
    assert check.amount == D("9000.00")
    budget = services.agree_budget(actor=phb_lead, budget=above_cap)
    budget = reload(budget)
    assert budget.status == BudgetStatus.AGREED
    assert budget.clinical_check == check
    assert budget.clinical_check.clinician == clinician


def test_the_clinician_who_checked_cannot_also_agree(icb, holder, ras):
    # A PHB lead cannot record a check (not a clinician) and a clinician cannot agree, so the
    # same person can never do both through the services; the service refuses it regardless.
    lead = staff("phb_lead", icb)
    budget = proposed_budget(lead, holder, ras, amount=D("9000.00"), justification=JUSTIFICATION)
    clinician = staff("clinician", icb)
    services.record_clinical_check(actor=clinician, budget=budget, supported=True, notes="Fine.")
    # The clinician also becomes a PHB lead and tries to agree what they checked.
    give_role(clinician, "phb_lead", icb)
    with pytest.raises(ValidationError) as excinfo:
        services.agree_budget(actor=clinician, budget=budget)
    assert "someone else must agree it" in messages_of(excinfo)
    assert reload(budget).status == BudgetStatus.PROPOSED


def test_a_non_clinician_cannot_record_a_clinical_check(phb_lead, care_coordinator, above_cap):
    for actor in (phb_lead, care_coordinator):
        with pytest.raises(PermissionDenied):
            services.record_clinical_check(
                actor=actor, budget=above_cap, supported=True, notes="Looks fine."
            )
    assert not ClinicalCheck.objects.exists()


def test_a_clinician_cannot_agree(clinician, above_cap):
    services.record_clinical_check(actor=clinician, budget=above_cap, supported=True, notes="OK")
    with pytest.raises(PermissionDenied):
        services.agree_budget(actor=clinician, budget=above_cap)


def test_a_clinical_check_needs_notes(clinician, above_cap):
    with pytest.raises(ValidationError):
        services.record_clinical_check(actor=clinician, budget=above_cap, supported=True, notes=" ")
    assert not ClinicalCheck.objects.exists()


def test_a_budget_at_or_below_the_indicative_amount_needs_no_check(
    clinician, phb_lead, holder, ras
):
    budget = proposed_budget(phb_lead, holder, ras)
    with pytest.raises(ValidationError):
        services.record_clinical_check(actor=clinician, budget=budget, supported=True, notes="OK")


def _force_agreed(budget, by):
    return Budget.objects.filter(pk=budget.pk).update(
        status=BudgetStatus.AGREED, agreed_by=by, agreed_at=timezone.now()
    )


def test_the_database_refuses_agreeing_above_the_cap_without_a_check(phb_lead, above_cap):
    with pytest.raises(IntegrityError, match=NEEDS_ANOTHER_CLINICIAN), transaction.atomic():
        _force_agreed(above_cap, phb_lead)
    assert reload(above_cap).status == BudgetStatus.PROPOSED


def test_the_database_refuses_a_check_by_the_person_agreeing(icb, holder, ras):
    # Even written straight to the database, a clinician cannot support and agree the same budget.
    lead = staff("phb_lead", icb)
    clinician = staff("clinician", icb)
    budget = proposed_budget(lead, holder, ras, amount=D("9000.00"), justification=JUSTIFICATION)
    check = services.record_clinical_check(
        actor=clinician, budget=budget, supported=True, notes="Fine."
    )
    with pytest.raises(IntegrityError, match=NEEDS_ANOTHER_CLINICIAN), transaction.atomic():
        Budget.objects.filter(pk=budget.pk).update(
            status=BudgetStatus.AGREED,
            agreed_by=clinician,
            agreed_at=timezone.now(),
            clinical_check=check,
        )
    assert reload(budget).status == BudgetStatus.PROPOSED


def test_the_database_refuses_a_check_by_someone_who_is_not_a_clinician(
    phb_lead, care_coordinator, above_cap
):
    fake = ClinicalCheck.objects.create(
        budget=above_cap, clinician=care_coordinator, amount=D("9000.00"), supported=True, notes="x"
    )
    with pytest.raises(IntegrityError, match=NEEDS_ANOTHER_CLINICIAN), transaction.atomic():
        Budget.objects.filter(pk=above_cap.pk).update(
            status=BudgetStatus.AGREED,
            agreed_by=phb_lead,
            agreed_at=timezone.now(),
            clinical_check=fake,
        )
    assert reload(above_cap).status == BudgetStatus.PROPOSED


def test_the_database_refuses_a_check_of_a_different_amount(phb_lead, clinician, above_cap):
    check = services.record_clinical_check(
        actor=clinician, budget=above_cap, supported=True, notes="Fine at £9,000."
    )
    Budget.objects.filter(pk=above_cap.pk).update(agreed_amount=D("9500.00"))
    with pytest.raises(IntegrityError, match=NEEDS_ANOTHER_CLINICIAN), transaction.atomic():
        Budget.objects.filter(pk=above_cap.pk).update(
            status=BudgetStatus.AGREED,
            agreed_by=phb_lead,
            agreed_at=timezone.now(),
            clinical_check=check,
        )


def test_the_database_refuses_skipping_from_draft_to_active(phb_lead, holder, ras):
    budget = draft_budget(phb_lead, holder, ras)
    with (
        pytest.raises(ProgrammingError, match=invalid_transition("draft", "active")),
        transaction.atomic(),
    ):
        Budget.objects.filter(pk=budget.pk).update(
            status=BudgetStatus.ACTIVE, agreed_by=phb_lead, agreed_at=timezone.now()
        )
    assert reload(budget).status == BudgetStatus.DRAFT


def test_the_database_refuses_reopening_a_withdrawn_budget(phb_lead, holder, ras):
    budget = draft_budget(phb_lead, holder, ras)
    Budget.objects.filter(pk=budget.pk).update(status=BudgetStatus.WITHDRAWN)
    with (
        pytest.raises(ProgrammingError, match=invalid_transition("withdrawn", "draft")),
        transaction.atomic(),
    ):
        Budget.objects.filter(pk=budget.pk).update(status=BudgetStatus.DRAFT)


def test_the_database_refuses_a_reduced_status(phb_lead, holder, ras):
    # A change of amount is a BudgetChange now: no budget may be 'reduced'.
    budget = agreed_budget(phb_lead, holder, ras)
    with (
        pytest.raises(ProgrammingError, match=invalid_transition("agreed", "reduced")),
        transaction.atomic(),
    ):
        Budget.objects.filter(pk=budget.pk).update(status=BudgetStatus.REDUCED)


def test_the_database_refuses_two_overlapping_budgets_in_preparation(
    phb_lead, holder, ras, ras_2027
):
    # The services refuse an overlap when a budget is set up or changed; behind their back,
    # the database refuses it too: here a draft moved onto another's dates. (The backdated
    # 2026/27 draft moves forward onto 2027/28, so only the overlap can refuse it: moving the
    # 2027/28 draft back would be refused first as backdated without a reason.)
    first = draft_budget(phb_lead, holder, ras)
    second = draft_budget(phb_lead, holder, ras_2027, start=FY_2027_START, end=FY_2027_END)
    with (
        pytest.raises(IntegrityError, match="budget_periods_do_not_overlap"),
        transaction.atomic(),
    ):
        Budget.objects.filter(pk=first.pk).update(
            period_start=second.period_start, period_end=second.period_end
        )
    assert reload(first).period_start == FY_2026_START


def test_a_withdrawn_budget_no_longer_counts_as_overlapping(phb_lead, holder, ras):
    first = draft_budget(phb_lead, holder, ras)
    services.withdraw_budget(actor=phb_lead, budget=first, reason="Set up by mistake.")
    second = draft_budget(phb_lead, holder, ras)
    assert second.period_start == first.period_start


def test_the_second_of_two_agreements_is_told_it_was_already_agreed(
    phb_lead, care_coordinator, holder, ras, icb
):
    budget = proposed_budget(care_coordinator, holder, ras)
    other_lead = staff("phb_lead", icb)
    seen_version = budget.version
    services.agree_budget(actor=phb_lead, budget=budget, version=seen_version)
    with pytest.raises(Conflict) as excinfo:
        services.agree_budget(actor=other_lead, budget=budget, version=seen_version)
    message = str(excinfo.value)
    assert "it was already agreed by" in message
    assert phb_lead.full_name in message
    budget = reload(budget)
    assert budget.agreed_by == phb_lead
    assert budget.status_changes.filter(to_status=BudgetStatus.AGREED).count() == 1


def test_acting_on_a_stale_version_is_a_conflict(phb_lead, holder, ras):
    budget = draft_budget(phb_lead, holder, ras)
    with pytest.raises(Conflict) as excinfo:
        services.propose_budget(actor=phb_lead, budget=budget, version=budget.version - 1 or 99)
    assert "someone changed it" in str(excinfo.value)
    assert reload(budget).status == BudgetStatus.DRAFT


@pytest.mark.django_db(transaction=True)
def test_two_leads_agreeing_at_once_one_wins(icb, holder):
    """Two real connections agree the same budget at the same moment: one wins, one is told."""
    lead_a = staff("phb_lead", icb)
    lead_b = staff("phb_lead", icb)
    coordinator = staff("care_coordinator", icb)
    LocalRateSetFactory(organisation=icb)
    package = chc_package(coordinator, holder)
    budget = proposed_budget(coordinator, holder, package)
    version = budget.version
    barrier = threading.Barrier(2)
    results = {}

    def agree(name, lead):
        try:
            barrier.wait(timeout=10)
            services.agree_budget(actor=lead, budget=budget, version=version)
            results[name] = "agreed"
        except Conflict as error:
            results[name] = str(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=agree, args=("a", lead_a)),
        threading.Thread(target=agree, args=("b", lead_b)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == ["a", "b"]
    outcomes = sorted(results.values())
    assert outcomes.count("agreed") == 1
    (refusal,) = [o for o in outcomes if o != "agreed"]
    assert "it was already agreed" in refusal
    budget = reload(budget)
    assert budget.status == BudgetStatus.AGREED
    assert budget.status_changes.filter(to_status=BudgetStatus.AGREED).count() == 1


def test_status_change_rows_cannot_be_edited(phb_lead, holder, ras):
    budget = draft_budget(phb_lead, holder, ras)
    with (
        pytest.raises(ProgrammingError, match=cannot_change("budgets_budgetstatuschange")),
        transaction.atomic(),
    ):
        BudgetStatusChange.objects.filter(budget=budget).update(reason="changed")


def test_the_database_refuses_raising_a_live_budget_above_what_was_checked(
    phb_lead, clinician, holder, ras
):
    # Agreed at £9,000.00 with a clinician's support; nobody can later raise it to £9,500.00
    # on the strength of that check, even straight in the database.
    budget = agreed_budget(
        phb_lead,
        holder,
        ras,
        clinician=clinician,
        amount=D("9000.00"),
        justification=JUSTIFICATION,
    )
    with pytest.raises(IntegrityError, match=NEEDS_ANOTHER_CLINICIAN), transaction.atomic():
        Budget.objects.filter(pk=budget.pk).update(agreed_amount=D("9500.00"))
    assert reload(budget).agreed_amount == D("9000.00")


def test_a_costing_is_dated_no_more_than_a_year_ahead(phb_lead, holder, local_rates):
    """Today is 23 November 2026: 23 November 2027 is the latest date; 2099 would be priced
    on the 2026/27 rates without a word."""
    message = {
        "effective_date": [
            "The date of the calculation must be no more than a year from today, "
            "23 November 2027 at the latest"
        ]
    }
    for cost in (chc_package, pa_costing):
        with pytest.raises(ValidationError) as excinfo:
            cost(phb_lead, holder, effective_date=datetime.date(2099, 1, 1))
        assert excinfo.value.message_dict == message
        assert cost(phb_lead, holder, effective_date=datetime.date(2027, 11, 23)).pk
