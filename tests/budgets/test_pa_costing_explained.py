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


def test_a_pa_not_yet_recruited_is_assumed_an_adult_and_the_explanation_says_so(
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
    assert explained["PA 1: wages"].detail == (
        "30 hours a week at £13.50 an hour. PA 1 was not recruited when this was worked out, so "
        "we assumed they would be aged 21 or over: at least £12.71 an hour, the National Living "
        "Wage for someone aged 21 or over."
    )
    assert explained["PA 1: workplace pension"].detail == (
        f"{BAND}. We assumed PA 1 will be aged 22 or over and under State Pension age, so paid "
        "more than £192.00 a week they must be enrolled."
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
    assert explain_pa_costing(costing).notes == [
        "On 10 June 2026, Sam turns 21: from then they must be paid at least £12.71 an hour. "
        "This costing does not include that: review the budget then."
    ]


def test_a_birthday_the_rate_already_meets_is_said_to_be_met(phb_lead, holder, local_rates):
    costing = pa_costing(
        phb_lead, holder, pas=[pa("Sam", date_of_birth=datetime.date(2005, 6, 10))]
    )
    assert explain_pa_costing(costing).notes == [
        "On 10 June 2026, Sam turns 21: the least they can be paid goes up to £12.71 an hour, "
        "which their rate of £13.50 already meets."
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
