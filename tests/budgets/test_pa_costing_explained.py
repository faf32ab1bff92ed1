"""A PA costing's age, wage band and pension, stored and explained in plain English.

Worked figures: 30 hours at £13.50 = £405.00 a week on 1 April 2026 (2026/27 national figures:
pension limits £120 / £967 a week, trigger £192; Employment Allowance £10,500).
"""

import datetime
from decimal import Decimal as D

import pytest

from budgets.presenters import explain_pa_costing, explanation_tables
from tests.budgets.factories import pa, pa_costing

pytestmark = pytest.mark.django_db

BAND = "3% of pay between £120.00 and £967.00 a week"


def lines(costing) -> dict:
    explanation = explain_pa_costing(costing)
    return {line.text: line for line in [*explanation.weekly, *explanation.lines]}


def test_a_pa_of_no_given_age_is_costed_as_an_adult_and_the_explanation_says_so(
    phb_lead, holder, local_rates
):
    costing = pa_costing(phb_lead, holder)
    line = costing.lines.get()
    assert (line.age_source, line.age_on_effective_date, line.age_band) == (
        "assumed",
        None,
        "21_plus",
    )
    assert line.pension_category == "eligible"
    explained = lines(costing)
    # Only what is known: no age was given (the PA may be employed already).
    assert explained["PA 1: wages"].detail == (
        "30 hours a week at £13.50 an hour. No age was given for PA 1, so they are costed as aged "
        "21 or over: at least £12.71 an hour, the National Living Wage for someone aged 21 or "
        "over."
    )
    assert "recruited" not in explained["PA 1: wages"].detail
    assert explained["PA 1: workplace pension"].detail == (
        f"{BAND}. With no age given, PA 1 is costed as aged 22 or over and under State Pension "
        "age, so paid more than £192.00 a week they must be enrolled."
    )
    assert explained["PA 1: workplace pension"].amount == "£8.55"


def test_a_pa_of_20_is_paid_at_least_the_18_to_20_rate_and_may_opt_in(
    phb_lead, holder, local_rates
):
    # Born 10 June 2005: 20 on 1 April 2026, 21 on 10 June 2026.
    costing = pa_costing(
        phb_lead, holder, pas=[pa("Sam", rate=D("11.00"), date_of_birth=datetime.date(2005, 6, 10))]
    )
    line = costing.lines.get()
    assert (line.age_source, line.age_on_effective_date, line.age_band) == (
        "date_of_birth",
        20,
        "18_20",
    )
    assert (line.pension_category, line.pension_enrolled) == ("non_eligible", False)
    explained = lines(costing)
    assert explained["Sam: wages"].detail == (
        "30 hours a week at £11.00 an hour. Aged 20 on 1 April 2026: at least £10.85 an hour, "
        "the National Minimum Wage for someone aged 18 to 20."
    )
    assert explained["Sam: workplace pension"].detail == (
        "Not in a workplace pension: under 22, so not enrolled automatically. They can ask to "
        f"join, and the employer must then pay {BAND}; this costing does not include it."
    )
    assert explained["Sam: workplace pension"].amount == "£0.00"
    # £11.00 is below the £12.71 they must be paid from their 21st birthday.
    # Under 21 the employer pays no NI on £330.00 a week; from 21, 15% above £96.
    assert costing.lines.get().employer_ni_weekly == D("0.00")
    assert explain_pa_costing(costing).notes == [
        "On 10 June 2026, Sam turns 21: from then they must be paid at least £12.71 an hour, and "
        "the employer must pay National Insurance of 15% on their pay above £96.00 a week. This "
        "costing does not include that: review the budget then."
    ]


def test_a_birthday_the_rate_already_meets_is_said_to_be_met(phb_lead, holder, local_rates):
    costing = pa_costing(
        phb_lead, holder, pas=[pa("Sam", date_of_birth=datetime.date(2005, 6, 10))]
    )
    assert explain_pa_costing(costing).notes == [
        "On 10 June 2026, Sam turns 21: from then the least they can be paid goes up to £12.71 "
        "an hour, which their rate of £13.50 already meets, and the employer must pay National "
        "Insurance of 15% on their pay above £96.00 a week. This costing does not include that: "
        "review the budget then."
    ]


def test_turning_22_within_the_year_is_noted_for_a_review(phb_lead, holder, local_rates):
    # Born 10 June 2004: 21 on 1 April 2026, 22 on 10 June 2026.
    costing = pa_costing(
        phb_lead, holder, pas=[pa("Sam", date_of_birth=datetime.date(2004, 6, 10))]
    )
    assert explain_pa_costing(costing).notes == [
        "On 10 June 2026, Sam turns 22: if they are paid more than £192.00 a week they must "
        "then be enrolled in a workplace pension. This costing does not include that: review "
        "the budget then."
    ]


def test_an_apprentice_aged_30_is_enrolled(phb_lead, holder, local_rates):
    # 40 h x £8.00 = £320.00 a week: 3% x (320 - 120) = £6.00 a week.
    costing = pa_costing(
        phb_lead,
        holder,
        pas=[pa("Sam", hours=D("40"), rate=D("8.00"), age=30, apprentice=True)],
    )
    line = costing.lines.get()
    assert (line.age_source, line.stated_age, line.age_band, line.apprentice) == (
        "stated",
        30,
        "16_17",
        True,
    )
    assert (line.pension_category, line.pension_weekly) == ("eligible", D("6.00"))
    explained = lines(costing)
    assert explained["Sam: wages"].detail == (
        "40 hours a week at £8.00 an hour. Aged 30 on 1 April 2026: at least £8.00 an hour, "
        "the National Minimum Wage for apprentices."
    )
    assert explained["Sam: workplace pension"].detail == (
        f"{BAND}. Aged 22 or over, under State Pension age and paid more than £192.00 a week, "
        "they must be enrolled."
    )


def test_a_pa_over_state_pension_age(phb_lead, holder, local_rates):
    # Born 5 April 1960: State Pension age 66 on 5 April 2026, before 1 May 2026.
    costing = pa_costing(
        phb_lead,
        holder,
        pas=[pa("Sam", date_of_birth=datetime.date(1960, 4, 5))],
        effective_date=datetime.date(2026, 5, 1),
    )
    line = costing.lines.get()
    assert line.state_pension_date == datetime.date(2026, 4, 5)
    assert (line.pension_category, line.pension_enrolled) == ("non_eligible", False)
    assert lines(costing)["Sam: workplace pension"].detail == (
        "Not in a workplace pension: State Pension age reached, so not enrolled automatically. "
        f"They can ask to join, and the employer must then pay {BAND}; this costing does not "
        "include it."
    )


def test_reaching_state_pension_age_within_the_year_is_noted(phb_lead, holder, local_rates):
    # Born 6 April 1960: State Pension age 66 and 1 month, 6 May 2026.
    costing = pa_costing(phb_lead, holder, pas=[pa("Sam", date_of_birth=datetime.date(1960, 4, 6))])
    assert costing.lines.get().pension_enrolled
    assert explain_pa_costing(costing).notes == [
        "On 6 May 2026, Sam reaches State Pension age: from then the employer no longer has to "
        "enrol them, but they may stay in the pension."
    ]


def test_a_stated_age_that_cannot_tell_state_pension_age_assumes_a_pension(
    phb_lead, holder, local_rates
):
    # Aged 66 on 1 June 2027: born 2 June 1960 to 1 June 1961, so it cannot be told.
    costing = pa_costing(
        phb_lead, holder, pas=[pa("Sam", age=66)], effective_date=datetime.date(2027, 6, 1)
    )
    line = costing.lines.get()
    assert line.state_pension_uncertain and line.pension_enrolled
    assert lines(costing)["Sam: workplace pension"].detail == (
        f"{BAND}. We cannot tell from Sam's age alone whether they have reached State Pension "
        "age, so we assumed they have not and must be enrolled."
    )


@pytest.mark.parametrize(
    ("hours", "category", "words"),
    [
        (
            "12",  # £162.00: over £120, not over £192
            "non_eligible",
            "Not in a workplace pension: paid £192.00 a week or less, so not enrolled "
            f"automatically. They can ask to join, and the employer must then pay {BAND}; this "
            "costing does not include it.",
        ),
        (
            "8",  # £108.00: not over £120
            "entitled",
            "Not in a workplace pension: paid £120.00 a week or less. Sam can ask to join one, "
            "but the employer does not have to pay into it.",
        ),
    ],
)
def test_a_pa_paid_too_little_to_be_enrolled(phb_lead, holder, local_rates, hours, category, words):
    costing = pa_costing(phb_lead, holder, pas=[pa("Sam", hours=D(hours), age=40)])
    assert costing.lines.get().pension_category == category
    assert lines(costing)["Sam: workplace pension"].detail == words


def test_a_pa_of_75_or_over(phb_lead, holder, local_rates):
    costing = pa_costing(phb_lead, holder, pas=[pa("Sam", age=80)])
    assert lines(costing)["Sam: workplace pension"].detail == (
        "Not in a workplace pension: aged 75 or over, so the employer has no pension duties for "
        "Sam."
    )


@pytest.mark.parametrize(
    ("choice", "hours", "words", "amount"),
    [
        ("opted_out", "30", "Not in a workplace pension: Sam chose to leave it.", "£0.00"),
        ("opted_in", "30", f"{BAND}. Sam chose to join the pension.", "£8.55"),
        (
            "opted_in",
            "8",
            "Not paid into: Sam chose to join the pension, but is paid £120.00 a week or less, "
            "so the employer does not have to pay in.",
            "£0.00",
        ),
    ],
)
def test_a_pas_own_choice_about_the_pension(
    phb_lead, holder, local_rates, choice, hours, words, amount
):
    costing = pa_costing(phb_lead, holder, pas=[pa("Sam", hours=D(hours), pension=choice)])
    line = lines(costing)["Sam: workplace pension"]
    assert (line.detail, line.amount) == (words, amount)


def test_national_insurance_and_the_allowance_are_one_line_with_a_sentence(
    phb_lead, holder, local_rates
):
    # NI 15% x (405 - 96) = £46.35 a week x 52 = £2,410.20 a year, all covered by the
    # £10,500 Employment Allowance.
    costing = pa_costing(phb_lead, holder)
    line = lines(costing)["Employer's National Insurance"]
    assert line.amount == "£0.00"
    assert line.detail == (
        "The employer's National Insurance of £2,410.20 a year is all covered by the "
        "Employment Allowance (up to £10,500.00 a year), which the employer claims, so there "
        "is nothing to pay"
    )
    assert "Employment Allowance" not in lines(costing)


def test_national_insurance_above_the_allowance(phb_lead, holder, local_rates):
    # Five PAs of 60 h x £20.00 = £1,200.00 a week: NI 15% x (1,200 - 96) = £165.60 a week,
    # x 52 = £8,611.20 each, £43,056.00 for five; less the £10,500.00 allowance = £32,556.00.
    five = [pa(f"PA {n}", hours=D("60"), rate=D("20.00")) for n in range(1, 6)]
    line = lines(pa_costing(phb_lead, holder, pas=five))["Employer's National Insurance"]
    assert line.amount == "£32,556.00"
    assert line.detail == (
        "£43,056.00 a year, less the Employment Allowance of £10,500.00 that the employer claims"
    )


def test_national_insurance_without_the_allowance(phb_lead, holder, local_rates):
    costing = pa_costing(phb_lead, holder, claims_employment_allowance=False)
    line = lines(costing)["Employer's National Insurance"]
    assert (line.amount, line.detail) == (
        "£2,410.20",
        "The employer does not claim the Employment Allowance, so pays all of it",
    )


def test_weekly_and_yearly_figures_never_share_a_column(phb_lead, holder, local_rates):
    weekly, yearly = explanation_tables(explain_pa_costing(pa_costing(phb_lead, holder)))
    assert [cell["text"] for cell in weekly["head"]] == ["Each week", "A week"]
    assert [cell["text"] for cell in yearly["head"]] == ["For a year", "A year"]
    # Weekly: wages £405.00, holiday £43.62, NI £46.35, pension £8.55.
    assert [row[1].get("text") for row in weekly["rows"]] == [
        "£405.00",
        "£43.62",
        "£46.35",
        "£8.55",
    ]
    # A year: wages 405 x 52 = £21,060.00; holiday 43.62 x 52 = £2,268.24; NI £0.00 after the
    # allowance; pension 8.55 x 52 = £444.60; insurance £150.00; payroll £240.00; contingency
    # 5% x 24,162.84 = £1,208.14; total £25,370.98.
    amounts = [row[1].get("text") or row[1]["html"] for row in yearly["rows"]]
    assert amounts[:-1] == [
        "£21,060.00",
        "£2,268.24",
        "£0.00",
        "£444.60",
        "£150.00",
        "£240.00",
        "£1,208.14",
    ]
    assert "£25,370.98" in amounts[-1]


@pytest.mark.parametrize("hours", ["0.01", "0.1", "0.24"])
def test_hours_below_the_least_say_the_least(hours):
    """The least is a quarter of an hour: 0.1 hours is more than 0, and is refused."""
    from budgets.forms import PaLineForm

    form = PaLineForm(
        data={"label": "Sam", "hours_per_week": hours, "hourly_rate": "13.50", "pension": "auto"}
    )
    assert not form.is_valid()
    assert form.errors["hours_per_week"] == ["Hours a week must be 0.25 or more"]


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        (
            {"label": "Sam", "hours_per_week": "0", "hourly_rate": "13.50"},
            {"hours_per_week"},
        ),
        ({"label": "Sam", "hours_per_week": "20"}, {"hourly_rate"}),
        ({"label": "Sam"}, {"hours_per_week", "hourly_rate"}),
    ],
)
def test_a_pa_line_gets_one_message_for_each_figure_wrong_or_missing(data, errors):
    """Hours of 0 have their own message; "Enter the hours a week" would contradict it."""
    from budgets.forms import PaLineForm

    form = PaLineForm(data=data | {"pension": "auto"})
    assert not form.is_valid()
    assert set(form.errors) == errors
    assert all(len(messages) == 1 for messages in form.errors.values())
    if "hourly_rate" in errors:
        assert form.errors["hourly_rate"] == ["Enter the hourly rate for Sam"]


# ---------------------------------------------------------------------------------------------
# Employer's NI for a PA under 21 and an apprentice under 25 (categories M and H)
# ---------------------------------------------------------------------------------------------


def test_no_employer_ni_for_a_pa_under_21_or_an_apprentice_under_25(phb_lead, holder, local_rates):
    """Worked case, dated 6 December 2026, paid weekly, the allowance not claimed, 3%
    contingency. Young, 19: 30 hours at £10.85 = £325.50 a week; Apprentice, 23: 30 hours at
    £8.00 = £240.00. Both are paid less than the upper secondary threshold of £967 a week, so
    the employer pays no NI for either (it had been 15% above £96: £34.42 and £21.60 a week,
    £2,913.04 a year). Holiday cover £35.05 + £25.85 a week; the apprentice, 22 or over and paid
    more than £192 a week, is enrolled: 3% of (£240 - £120) = £3.60 a week. A year: wages
    £29,406.00 + holiday £3,166.80 + pension £187.20 + insurance £150.00 + payroll £240.00 =
    £33,150.00; 3% contingency £994.50; total £34,144.50."""
    costing = pa_costing(
        phb_lead,
        holder,
        effective_date=datetime.date(2026, 12, 6),
        claims_employment_allowance=False,
        contingency_rate=D("0.03"),
        pas=[
            pa("Young", rate=D("10.85"), age=19),
            pa("Apprentice", rate=D("8.00"), age=23, apprentice=True),
        ],
    )
    young, apprentice = costing.lines.all()
    assert (young.ni_category, young.employer_ni_weekly) == ("M", D("0.00"))
    assert (apprentice.ni_category, apprentice.employer_ni_weekly) == ("H", D("0.00"))
    assert costing.employer_ni_annual == D("0.00")
    assert (costing.wages_annual, costing.holiday_annual, costing.pension_annual) == (
        D("29406.00"),
        D("3166.80"),
        D("187.20"),
    )
    assert costing.subtotal_annual == D("33150.00")
    assert costing.contingency_annual == D("994.50")
    assert costing.total_annual == D("34144.50")
    explained = lines(costing)
    assert explained["Young: employer's National Insurance"].detail == (
        "None: Young is under 21, so the employer pays no National Insurance on their pay up to "
        "£967.00 a week (the upper secondary threshold)"
    )
    assert explained["Apprentice: employer's National Insurance"].detail == (
        "None: Apprentice is an apprentice under 25, so the employer pays no National Insurance "
        "on their pay up to £967.00 a week (the upper secondary threshold)"
    )
    assert explained["Apprentice: employer's National Insurance"].amount == "£0.00"


def test_a_pa_of_21_still_costs_employer_ni(phb_lead, holder, local_rates):
    """30 hours at £13.50 = £405.00 a week: 15% of (£405.00 - £96.00) = £46.35."""
    costing = pa_costing(phb_lead, holder, pas=[pa("Sam", age=21)])
    line = costing.lines.get()
    assert (line.ni_category, line.employer_ni_weekly) == ("A", D("46.35"))
    assert lines(costing)["Sam: employer's National Insurance"].detail == (
        "15% of pay above £96.00 a week"
    )


def test_above_the_upper_secondary_threshold_a_pa_under_21_costs_employer_ni(
    phb_lead, holder, local_rates
):
    """Monthly pay: 70 hours at £20.00 = £1,400.00 a week, £6,066.67 a month; 15% of
    (£6,066.67 - £4,189.00) = £281.6505 = £281.65 a month (£65.00 a week)."""
    costing = pa_costing(
        phb_lead,
        holder,
        pay_frequency="monthly",
        pas=[pa("Sam", hours=D("70"), rate=D("20.00"), age=20)],
    )
    line = costing.lines.get()
    assert line.ni_category == "M"
    assert costing.employer_ni_annual == D("3379.80")
    assert lines(costing)["Sam: employer's National Insurance"].detail == (
        "15% of pay above £4,189.00 a month: Sam is under 21, so the employer pays no National "
        "Insurance on their pay up to £4,189.00 a month (the upper secondary threshold)"
    )


def test_an_apprentice_turning_25_in_the_year_is_noted(phb_lead, holder, local_rates):
    """Born 1 September 2001: 24 on 1 April 2026, 25 on 1 September 2026."""
    costing = pa_costing(
        phb_lead,
        holder,
        pas=[
            pa(
                "Alex",
                rate=D("8.00"),
                date_of_birth=datetime.date(2001, 9, 1),
                apprentice=True,
                pension="opted_out",
            )
        ],
    )
    assert costing.lines.get().ni_category == "H"
    assert explain_pa_costing(costing).notes == [
        "On 1 September 2026, Alex turns 25: from then the employer must pay National Insurance "
        "of 15% on their pay above £96.00 a week. This costing does not include that: review "
        "the budget then."
    ]


def test_the_upper_secondary_threshold_is_dated_rate_data():
    from budgets.models import NationalRateSet

    rates = NationalRateSet.objects.get(effective_from=datetime.date(2026, 4, 1))
    assert (
        rates.upper_secondary_threshold_annual,
        rates.upper_secondary_threshold_weekly,
        rates.upper_secondary_threshold_monthly,
    ) == (D("50270.00"), D("967.00"), D("4189.00"))


# ---------------------------------------------------------------------------------------------
# A budget priced by a costing of another day: the PAs' ages on its start
# ---------------------------------------------------------------------------------------------

DECEMBER_6 = datetime.date(2026, 12, 6)
DECEMBER_31 = datetime.date(2026, 12, 31)
# Born 1 October 2005: 20 on 1 April 2026, 21 on 1 October 2026.
SAM = {"date_of_birth": datetime.date(2005, 10, 1)}


def _budget_from(phb_lead, holder, costing, start=DECEMBER_6):
    from budgets.calculations import amount_for_period
    from tests.budgets.factories import draft_budget

    amount = amount_for_period(costing.total_annual, start, DECEMBER_31)
    return draft_budget(phb_lead, holder, costing, start=start, end=DECEMBER_31, amount=amount)


def test_a_budget_is_not_priced_by_a_costing_made_before_a_pa_turned_21(
    phb_lead, holder, local_rates
):
    from django.core.exceptions import ValidationError

    costing = pa_costing(phb_lead, holder, pas=[pa("Sam", rate=D("10.85"), **SAM)])
    with pytest.raises(ValidationError) as excinfo:
        _budget_from(phb_lead, holder, costing)
    assert excinfo.value.message_dict == {
        "calculation": [
            "Sam turns 21 on 1 October 2026, before this budget starts: work out the PA costing "
            "again from 6 December 2026"
        ]
    }


def test_a_costing_of_the_budgets_start_prices_it(phb_lead, holder, local_rates):
    """Worked out again from 6 December 2026 Sam is 21 and is costed at £12.71 or more."""
    from budgets.services.costing import cost_pas

    costing = cost_pas(
        actor=phb_lead,
        budget_holder=holder,
        effective_date=DECEMBER_6,
        pas=[pa("Sam", rate=D("12.71"), **SAM)],
        pay_frequency="weekly",
        claims_employment_allowance=True,
    )
    budget = _budget_from(phb_lead, holder, costing)
    assert budget.pa_costing == costing


def test_a_birthday_that_changes_nothing_does_not_stop_the_budget(phb_lead, holder, local_rates):
    """An apprentice's rate does not change at 21, and their NI not until 25: costed on
    1 April 2026, Sam the apprentice still prices a budget from 6 December 2026."""
    costing = pa_costing(
        phb_lead,
        holder,
        pas=[pa("Sam", rate=D("8.00"), apprentice=True, pension="opted_out", **SAM)],
    )
    assert _budget_from(phb_lead, holder, costing).pa_costing == costing


def test_a_change_to_a_drafts_start_is_checked_too(phb_lead, holder, local_rates):
    from django.core.exceptions import ValidationError

    from budgets import services
    from tests.budgets.factories import reload

    costing = pa_costing(phb_lead, holder, pas=[pa("Sam", rate=D("10.85"), **SAM)])
    budget = _budget_from(phb_lead, holder, costing, start=datetime.date(2026, 4, 1))
    with pytest.raises(ValidationError) as excinfo:
        services.update_draft_budget(
            actor=phb_lead, budget=budget, version=reload(budget).version, period_start=DECEMBER_6
        )
    assert "Sam turns 21 on 1 October 2026, before this budget starts" in str(excinfo.value)


def test_the_budget_says_nothing_of_a_birthday_before_it_starts(phb_lead, holder, local_rates):
    """Born 10 November 2004, Kim turns 22 on 10 November 2026. Paid 10 hours at £13.50 =
    £135.00 a week, not more than the £192 trigger, turning 22 changes nothing the costing
    priced, so a budget from 6 December 2026 may use the costing of 1 April 2026. The costing
    notes the birthday; the budget, which starts after it, does not."""
    from budgets.presenters import explain_budget

    costing = pa_costing(
        phb_lead,
        holder,
        pas=[pa("Kim", hours=D("10"), date_of_birth=datetime.date(2004, 11, 10))],
    )
    note = (
        "On 10 November 2026, Kim turns 22: if they are paid more than £192.00 a week they must "
        "then be enrolled in a workplace pension. This costing does not include that: review the "
        "budget then."
    )
    assert explain_pa_costing(costing).notes == [note]
    budget = _budget_from(phb_lead, holder, costing)
    assert explain_budget(budget)["explanation"].notes == []
