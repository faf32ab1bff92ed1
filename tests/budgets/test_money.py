"""Services refuse money that is not whole pence, not a number, or beyond £9,999,999.99.

The forms already refuse these; the services must not trust that every caller used a form
(a script, a task, a future API). Every refusal is a ValidationError in words, and nothing is
saved.
"""

import datetime
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from budgets import services
from budgets.models import (
    Budget,
    ChcPackage,
    FundingStreamKind,
    HoldingMethod,
    LocalRateSet,
    NationalRateSet,
    PaCosting,
    PaymentSchedule,
    RasAssessment,
)
from budgets.money import MAX_MONEY, check_money, check_within_limit, money_error
from tests.budgets.factories import (
    FY_2026_START,
    NATIONAL_2027_28,
    WORKED_CHC_LINES,
    draft_budget,
    pa,
    questionnaire,
    ras_answers,
)

pytestmark = pytest.mark.django_db

NOT_A_NUMBER = "must be an amount of money in pounds and pence"
FRACTION = "must be in pounds and pence, with no fraction of a penny"


def refused(excinfo) -> str:
    return " ".join(excinfo.value.messages)


# --- the rule --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (D("12.50"), None),
        (D("12.5"), None),
        (D("12.500"), None),  # trailing zeros are not a fraction of a penny
        (12, None),
        (D("0"), None),
        (D("-0.00"), None),
        (MAX_MONEY, None),
        (D("12.505"), FRACTION),
        (D("0.001"), FRACTION),
        (D("NaN"), NOT_A_NUMBER),
        (D("sNaN"), NOT_A_NUMBER),
        (D("Infinity"), NOT_A_NUMBER),
        (D("-Infinity"), NOT_A_NUMBER),
        (12.5, NOT_A_NUMBER),  # a float cannot hold pennies exactly
        (True, NOT_A_NUMBER),
        ("12.50", NOT_A_NUMBER),
        (None, NOT_A_NUMBER),
        (D("-0.01"), "must be £0.00 or more"),
        (D("10000000.00"), "must be £9,999,999.99 or less"),
        (D("1e400"), "must be £9,999,999.99 or less"),  # too many digits to round: too large
    ],
)
def test_what_counts_as_money(value, problem):
    assert money_error(value) == problem


def test_money_is_returned_to_the_penny_and_negative_zero_is_zero():
    assert str(check_money(D("12.5"), what="The rate")) == "12.50"
    zero = check_money(D("-0"), what="The rate")
    assert zero == 0
    assert not zero.is_signed()
    assert str(check_money(D("-5"), what="Instalment 1", minimum=None)) == "-5.00"


def test_a_refusal_names_what_and_is_keyed_by_field():
    with pytest.raises(ValidationError) as excinfo:
        check_money(D("1.001"), what="The hourly rate", field="hourly_rate")
    assert excinfo.value.message_dict == {"hourly_rate": [f"The hourly rate {FRACTION}"]}
    with pytest.raises(ValidationError) as excinfo:
        check_money(D("5.00"), what="The price", minimum=D("10.00"))
    assert excinfo.value.messages == ["The price must be £10.00 or more"]


def test_a_calculation_beyond_what_can_be_recorded_is_refused():
    check_within_limit(MAX_MONEY, -MAX_MONEY, D("NaN"), what="The package")
    with pytest.raises(ValidationError) as excinfo:
        check_within_limit(D("1.00"), D("10000000.00"), what="The package")
    assert excinfo.value.messages == [
        "The package comes to £10,000,000.00, more than the £9,999,999.99 this service can "
        "record. Check the figures"
    ]


# --- in the services ---------------------------------------------------------------------------


def test_instalments_in_fractions_of_a_penny_are_refused(finance_officer, paid_budget):
    # 11 x £1,000.005 + £999.955 is exactly £12,000.01, the direct payment; stored to the penny
    # it would be £12,000.07.
    portion = paid_budget.portions.get(method=HoldingMethod.DIRECT_PAYMENT)
    # Each refusal is on the row of the payment it is about, named by its date.
    for amounts, errors in [
        (
            [D("1000.00")] * 10 + [D("1000.005"), D("999.955")],
            {
                "amount_11": [f"The payment on 1 February 2027 {FRACTION}"],
                "amount_12": [f"The payment on 1 March 2027 {FRACTION}"],
            },
        ),
        (
            [D("1000.00")] * 11 + [D("NaN")],
            {"amount_12": [f"The payment on 1 March 2027 {NOT_A_NUMBER}"]},
        ),
        (
            [D("Infinity")] + [D("1000.00")] * 11,
            {"amount_1": [f"The payment on 1 April 2026 {NOT_A_NUMBER}"]},
        ),
    ]:
        with pytest.raises(ValidationError) as excinfo:
            services.set_payment_schedule(
                actor=finance_officer,
                portion=portion,
                frequency="monthly",
                first_payment_date=FY_2026_START,
                amounts=amounts,
            )
        assert excinfo.value.message_dict == errors
    assert not PaymentSchedule.objects.exists()


def test_negative_instalments_are_refused(finance_officer, paid_budget):
    portion = paid_budget.portions.get(method=HoldingMethod.DIRECT_PAYMENT)
    with pytest.raises(ValidationError) as excinfo:
        services.set_payment_schedule(
            actor=finance_officer,
            portion=portion,
            frequency="monthly",
            first_payment_date=FY_2026_START,
            amounts=[D("12000.00"), D("-1000.00")] + [D("100.00")] * 10,
        )
    assert excinfo.value.message_dict == {
        "amount_2": ["The payment on 1 May 2026 must be £0.01 or more"]
    }
    assert not PaymentSchedule.objects.exists()


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (D("8308.725"), f"The budget amount {FRACTION}"),
        (D("NaN"), f"The budget amount {NOT_A_NUMBER}"),
        (D("Infinity"), f"The budget amount {NOT_A_NUMBER}"),
        (D("10000000"), "The budget amount must be £9,999,999.99 or less"),
    ],
)
def test_a_budget_amount_must_be_money(phb_lead, holder, ras, amount, message):
    with pytest.raises(ValidationError) as excinfo:
        draft_budget(phb_lead, holder, ras, amount=amount, justification="Needed at night")
    assert excinfo.value.message_dict == {"agreed_amount": [message]}
    assert not Budget.objects.exists()


@pytest.mark.parametrize(
    ("portions", "message"),
    [
        (
            [
                (HoldingMethod.NOTIONAL, D("8308.715"), ""),
                (HoldingMethod.DIRECT_PAYMENT, D("0.005"), ""),
            ],
            f"Each way of holding the money {FRACTION}",
        ),
        (
            [(HoldingMethod.NOTIONAL, D("NaN"), "")],
            f"Each way of holding the money {NOT_A_NUMBER}",
        ),
        (
            [
                (HoldingMethod.NOTIONAL, D("4000.00"), ""),
                (HoldingMethod.NOTIONAL, D("4308.72"), ""),
            ],
            "Each way of holding the money can only be listed once",
        ),
        (
            [
                (HoldingMethod.NOTIONAL, D("8308.72"), ""),
                (HoldingMethod.DIRECT_PAYMENT, D("0"), ""),
            ],
            "Each way of holding the money needs an amount above £0",
        ),
    ],
)
def test_ways_of_holding_the_money_must_be_money(phb_lead, holder, ras, portions, message):
    with pytest.raises(ValidationError) as excinfo:
        draft_budget(phb_lead, holder, ras, portions=portions)
    assert excinfo.value.message_dict == {"portions": [message]}
    assert not Budget.objects.exists()


@pytest.mark.parametrize(
    ("streams", "message"),
    [
        ([(FundingStreamKind.NHS_CHC, D("NaN"))], "Each share must be a percentage"),
        ([(FundingStreamKind.NHS_CHC, 100.0)], "Each share must be a percentage"),
        (
            [(FundingStreamKind.NHS_CHC, D("50")), (FundingStreamKind.NHS_CHC, D("50"))],
            "Each funding stream can only be listed once",
        ),
        (
            [(FundingStreamKind.NHS_CHC, D("100")), (FundingStreamKind.S117, D("0"))],
            "Each funding stream's share must be more than 0%",
        ),
    ],
)
def test_funding_shares_must_be_percentages(phb_lead, holder, ras, streams, message):
    with pytest.raises(ValidationError) as excinfo:
        draft_budget(phb_lead, holder, ras, streams=streams)
    assert excinfo.value.message_dict == {"funding_streams": [message]}


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (D("9999.995"), f"The new amount {FRACTION}"),
        (D("sNaN"), f"The new amount {NOT_A_NUMBER}"),
        (D("-Infinity"), f"The new amount {NOT_A_NUMBER}"),
    ],
)
def test_a_reduction_must_be_to_money(phb_lead, finance_officer, holder, chc, amount, message):
    from tests.budgets.factories import agreed_budget

    budget = agreed_budget(phb_lead, holder, chc, amount=D("12000.00"))
    with pytest.raises(ValidationError) as excinfo:
        services.preview_amount_change(
            actor=phb_lead,
            budget=budget,
            new_amount=amount,
            effective_from=datetime.date(2027, 1, 1),
            reason="Your needs have gone down.",
        )
    assert excinfo.value.message_dict == {"new_amount": [message]}
    assert not budget.changes.exists()


def test_pa_costs_must_be_money(phb_lead, holder, local_rates):
    def cost(**options):
        kwargs = {"pay_frequency": "weekly", "claims_employment_allowance": True} | options
        return services.cost_pas(
            actor=phb_lead,
            budget_holder=holder,
            effective_date=FY_2026_START,
            pas=kwargs.pop("pas", [pa()]),
            **kwargs,
        )

    with pytest.raises(ValidationError) as excinfo:
        cost(pas=[pa(rate=D("13.505"))])
    assert refused(excinfo) == f"PA 1's hourly rate {FRACTION}"
    with pytest.raises(ValidationError) as excinfo:
        cost(insurance_annual=D("NaN"))
    assert excinfo.value.message_dict == {
        "insurance_annual": [f"Employer's liability insurance {NOT_A_NUMBER}"]
    }
    with pytest.raises(ValidationError) as excinfo:
        cost(payroll_fee_annual=D("240.001"))
    assert excinfo.value.message_dict == {"payroll_fee_annual": [f"The payroll fee {FRACTION}"]}
    assert not PaCosting.objects.exists()
    # Negative zero is zero: no payroll fee, stored and shown as £0.00.
    costing = cost(payroll_fee_annual=D("-0"))
    assert costing.payroll_fee_annual == D("0.00")
    assert not costing.payroll_fee_annual.is_signed()


def test_a_pa_costing_too_large_to_record_is_refused(phb_lead, holder, local_rates):
    # 168 hours at £9,999,999.99 is £1,679,999,998.32 a week before on-costs: far beyond the
    # £9,999,999.99 a year the money columns are kept to.
    with pytest.raises(ValidationError) as excinfo:
        services.cost_pas(
            actor=phb_lead,
            budget_holder=holder,
            effective_date=FY_2026_START,
            pas=[pa(hours=D("168"), rate=MAX_MONEY)],
            pay_frequency="weekly",
            claims_employment_allowance=True,
        )
    assert refused(excinfo).startswith("Employing the PAs comes to £")
    assert refused(excinfo).endswith("this service can record. Check the figures")
    assert not PaCosting.objects.exists()


def test_chc_unit_costs_must_be_money(phb_lead, holder, local_rates):
    lines = [*WORKED_CHC_LINES[:3], WORKED_CHC_LINES[3] | {"unit_cost": D("35.755")}]
    with pytest.raises(ValidationError) as excinfo:
        services.cost_chc_package(
            actor=phb_lead, budget_holder=holder, effective_date=FY_2026_START, lines=lines
        )
    assert refused(excinfo) == f"The unit cost of Equipment hire {FRACTION}"
    assert not ChcPackage.objects.exists()


def test_a_ras_price_must_be_money(icb_admin):
    with pytest.raises(ValidationError) as excinfo:
        services.create_questionnaire(
            actor=icb_admin, financial_year=2026, price_per_point=D("148.375")
        )
    assert excinfo.value.message_dict == {"price_per_point": [f"The price per point {FRACTION}"]}
    draft = questionnaire(icb_admin, publish=False)
    with pytest.raises(ValidationError) as excinfo:
        services.set_price_per_point(actor=icb_admin, questionnaire=draft, price_per_point=D("0"))
    assert excinfo.value.message_dict == {
        "price_per_point": ["The price per point must be £0.01 or more"]
    }
    draft.refresh_from_db()
    assert draft.price_per_point == D("148.37")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ([("Independent", 0), ("Needs help", 10_001)], "Points must be 10,000 or fewer"),
        ([("Independent", 0), ("Needs help", -1)], "Points cannot be negative"),
        ([("Independent", 0), ("x" * 301, 6)], "Each answer must be 300 characters or fewer"),
        ([("Independent", 0), (" ", 6)], "Give at least 2 answers, each with its points"),
    ],
)
def test_ras_answers_are_bounded(icb_admin, options, message):
    draft = questionnaire(icb_admin, publish=False, domains=[])
    with pytest.raises(ValidationError) as excinfo:
        services.add_domain(
            actor=icb_admin, questionnaire=draft, name="Breathing", question="?", options=options
        )
    assert excinfo.value.message_dict == {"options": [message]}
    assert not draft.domains.exists()


def test_a_ras_amount_too_large_to_record_is_refused(icb_admin, phb_lead, holder):
    # One domain worth 10,000 points at £9,999,999.99 a point: £99,999,999,900.00 a year.
    version = questionnaire(
        icb_admin,
        price_per_point=MAX_MONEY,
        domains=[("Everything", "How much help do you need?", [0, 10_000])],
    )
    with pytest.raises(ValidationError) as excinfo:
        services.complete_ras_assessment(
            actor=phb_lead,
            budget_holder=holder,
            questionnaire=version,
            effective_date=FY_2026_START,
            answers=ras_answers(version, [1]),
        )
    assert refused(excinfo) == (
        "The resource allocation comes to £99,999,999,900.00, more than the £9,999,999.99 this "
        "service can record. Check the figures"
    )
    assert not RasAssessment.objects.exists()


def test_rates_must_be_money(icb_admin, service_admin, local_rates):
    figures = {
        "effective_from": datetime.date(2027, 4, 1),
        "pa_hourly": D("13.505"),
        "agency_day_hourly": D("28.50"),
        "agency_night_hourly": D("120.00"),
        "agency_waking_night_hourly": D("30.00"),
        "nursing_hourly": D("55.00"),
        "employer_liability_insurance_annual": D("150.00"),
        "payroll_fee_annual": D("240.00"),
        "contingency_rate": D("0.05"),
    }
    with pytest.raises(ValidationError) as excinfo:
        services.save_local_rates(actor=icb_admin, **figures)
    assert excinfo.value.message_dict == {
        "pa_hourly": [f"Personal assistant (per hour) {FRACTION}"]
    }
    national = NATIONAL_2027_28 | {"nlw_21_plus": D("NaN")}
    with pytest.raises(ValidationError) as excinfo:
        services.save_national_rates(actor=service_admin, **national)
    assert excinfo.value.message_dict == {
        "nlw_21_plus": [f"National Living Wage, 21 and over (per hour) {NOT_A_NUMBER}"]
    }
    assert LocalRateSet.objects.count() == 1
    assert not NationalRateSet.objects.filter(name="2027/28").exists()


def same_figures(rate_set) -> dict:
    """Every figure of a local rate set, its date included, to save again."""
    return {
        field.name: getattr(rate_set, field.name)
        for field in LocalRateSet._meta.concrete_fields
        if field.name not in ("id", "organisation", "created_at", "updated_at")
    }


def test_a_second_set_of_rates_for_the_same_date_is_refused_in_words(icb_admin, local_rates):
    with pytest.raises(ValidationError) as excinfo:
        services.save_local_rates(actor=icb_admin, **same_figures(local_rates))
    assert excinfo.value.message_dict == {
        "effective_from": [
            f"There are already rates in force from {local_rates.effective_from:%-d %B %Y}: "
            "change those, or choose another date"
        ]
    }


def test_a_second_set_for_the_date_of_one_in_use_is_not_told_to_change_it(
    icb_admin, phb_lead, holder, local_rates
):
    """Once a calculation has used the set, it cannot be changed: the message says only to
    choose another date."""
    services.cost_chc_package(
        actor=phb_lead,
        budget_holder=holder,
        effective_date=local_rates.effective_from,
        lines=WORKED_CHC_LINES,
    )
    with pytest.raises(ValidationError) as excinfo:
        services.save_local_rates(actor=icb_admin, **same_figures(local_rates))
    assert excinfo.value.message_dict == {
        "effective_from": [
            f"There are already rates in force from {local_rates.effective_from:%-d %B %Y}: "
            "choose another date"
        ]
    }
