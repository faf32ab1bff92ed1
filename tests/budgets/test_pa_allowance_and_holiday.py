"""A PA costing's Employment Allowance set against the NI of a budget's days, and holiday cover
of no more than 28 days a year.

Worked figures (2026/27 national figures, the ICB's £150.00 insurance, £240.00 payroll and 5%
contingency). Three PAs of 40 hours at £20.00 = £800.00 a week each: NI 15% x (800 - 96) =
£105.60 a week, x 52 = £5,491.20 each, £16,473.60 for three; less the £10,500.00 allowance =
£5,973.60. Costed from 1 April 2026 the year is £155,174.67 (wages £124,800.00, holiday
£13,439.40, NI £5,973.60, pension £3,182.40, insurance and payroll £390.00, contingency
£7,389.27).
"""

import datetime
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from budgets.holder_presenters import holder_budget
from budgets.models import HoldingMethod
from budgets.presenters import explain_budget, explain_pa_costing
from budgets.services.costing import LineRefused
from tests.budgets.factories import (
    FY_2026_END,
    FY_2026_START,
    draft_budget,
    pa,
    pa_costing,
    proposed_budget,
)

pytestmark = pytest.mark.django_db

DECEMBER_6 = datetime.date(2026, 12, 6)
THREE = [pa(f"PA {n}", hours=D("40"), rate=D("20.00")) for n in (1, 2, 3)]

ALL_COVERED = (
    "The employer's National Insurance for 6 December 2026 to 31 March 2027 is £5,235.45. The "
    "Employment Allowance covers all of it: the employer can claim up to £10,500.00 a year, "
    "from its first payroll, so it is not shared out over the year. So the budget includes no "
    "National Insurance."
)
PART_YEAR_STEP = (
    "The budget is for 116 days (6 December 2026 to 31 March 2027), not a whole year, so the "
    "yearly £155,174.67 becomes £47,322.40, with the Employment Allowance set against the "
    "employer's National Insurance for those days."
)


@pytest.fixture
def costing(phb_lead, holder, local_rates):
    costing = pa_costing(phb_lead, holder, pas=THREE)
    assert (costing.employer_ni_annual, costing.employment_allowance_annual) == (
        D("16473.60"),
        D("10500.00"),
    )
    assert costing.total_annual == D("155174.67")
    return costing


def test_a_part_year_budget_has_the_allowance_against_the_ni_of_its_days(phb_lead, holder, costing):
    budget = draft_budget(phb_lead, holder, costing, start=DECEMBER_6, end=FY_2026_END)
    # 116 days of 365. Pro rata the year would be 155,174.67 x 116 / 365 = £49,315.79, with
    # 5,973.60 x 116 / 365 = £1,898.46 of NI in it (and its 5% contingency). But the NI of
    # those days, 16,473.60 x 116 / 365 = £5,235.45, is all covered by the £10,500.00 allowance,
    # so the budget is the rest pro rata: (155,174.67 - 5,973.60 x 1.05) x 116 / 365 =
    # 148,902.39 x 116 / 365 = £47,322.40.
    assert budget.indicative_amount == D("47322.40")
    explained = explain_budget(budget)
    assert explained["explanation"].notes == [ALL_COVERED]
    assert explained["steps"] == [PART_YEAR_STEP]


def test_the_holder_is_told_the_same(phb_lead, holder, costing):
    budget = proposed_budget(phb_lead, holder, costing, start=DECEMBER_6, end=FY_2026_END)
    page = holder_budget([budget], holder=holder, acting_for=False)
    assert page.explanation.notes == [ALL_COVERED]
    assert page.steps == [PART_YEAR_STEP]


def test_a_whole_year_is_the_costings_yearly_total(phb_lead, holder, costing):
    # The whole of 2026/27 has one year's allowance: the budget is the costing's £155,174.67,
    # said without a step or a note about the allowance.
    budget = draft_budget(phb_lead, holder, costing, start=FY_2026_START, end=FY_2026_END)
    assert budget.indicative_amount == D("155174.67")
    explained = explain_budget(budget)
    assert explained["explanation"].notes == []
    assert explained["steps"] == []


def test_the_costing_alone_says_a_years_figures(costing):
    assert explain_pa_costing(costing).notes == []


def test_ni_the_allowance_covers_for_the_year_is_pro_rata_and_said_as_before(
    phb_lead, holder, local_rates
):
    # One PA of 30 hours at £13.50: NI £2,410.20 a year, all covered; the year £25,370.98.
    # 25,370.98 x 116 / 365 = £8,063.11.
    costing = pa_costing(phb_lead, holder)
    budget = draft_budget(phb_lead, holder, costing, start=DECEMBER_6, end=FY_2026_END)
    assert budget.indicative_amount == D("8063.11")
    explained = explain_budget(budget)
    assert explained["explanation"].notes == []
    assert explained["steps"] == [
        "The budget is for 116 days (6 December 2026 to 31 March 2027), not a whole year, so "
        "the yearly £25,370.98 becomes £8,063.11."
    ]


def test_a_change_of_a_drafts_dates_works_the_ni_out_again(phb_lead, holder, costing):
    from budgets import services
    from tests.budgets.factories import reload

    budget = draft_budget(phb_lead, holder, costing, start=DECEMBER_6, end=FY_2026_END)
    changed = services.update_draft_budget(
        actor=phb_lead,
        budget=budget,
        version=reload(budget).version,
        period_start=datetime.date(2027, 1, 1),
        agreed_amount=D("36715.66"),
        portions=[(HoldingMethod.NOTIONAL, D("36715.66"), "")],
    )
    # 1 January to 31 March 2027 is 90 days: NI 16,473.60 x 90 / 365 = £4,061.98, all
    # covered; 148,902.39 x 90 / 365 = 36,715.658... -> £36,715.66.
    assert changed.indicative_amount == D("36715.66")
    assert "Indicative amount £47,322.40 became £36,715.66" in str(changed.edits.get().summary)


# ---------------------------------------------------------------------------------------------
# Holiday cover: 5.6 weeks a year, but no more than 28 days
# ---------------------------------------------------------------------------------------------

SIX_DAYS = pa("PA 1", hours=D("48"), rate=D("12.71"), days_per_week=6)
LINE = {"label": "PA 1", "hours_per_week": "48", "hourly_rate": "12.71", "pension": "auto"}


def test_six_days_a_week_are_costed_28_days_of_cover_and_said_so(phb_lead, holder, local_rates):
    costing = pa_costing(phb_lead, holder, pas=[SIX_DAYS])
    line = costing.lines.get()
    # 48 x 12.71 = £610.08 a week; 28 days of 6 is 4.67 weeks: 610.08 x (28 / 6) / 52 =
    # 2,847.04 / 52 = £54.75 a week (not 610.08 x 5.6 / 52 = £65.70), £2,847.00 a year.
    assert (line.days_per_week, line.gross_weekly, line.holiday_weekly) == (
        6,
        D("610.08"),
        D("54.75"),
    )
    assert costing.holiday_annual == D("2847.00")
    explained = {line.text: line for line in explain_pa_costing(costing).weekly}
    assert explained["PA 1: wages"].detail.startswith(
        "48 hours a week over 6 days at £12.71 an hour."
    )
    assert explained["PA 1: holiday"].detail == (
        "Paying someone to cover 28 days of paid holiday a year (4.67 weeks of 6 days), spread "
        "over the year. Paid holiday is 5.6 weeks a year, but no more than 28 days"
    )


def test_five_days_a_week_are_costed_5_6_weeks(phb_lead, holder, local_rates):
    costing = pa_costing(phb_lead, holder, pas=[SIX_DAYS | {"days_per_week": 5}])
    line = costing.lines.get()
    assert (line.days_per_week, line.holiday_weekly) == (5, D("65.70"))
    explained = {line.text: line for line in explain_pa_costing(costing).weekly}
    assert explained["PA 1: wages"].detail.startswith(
        "48 hours a week over 5 days at £12.71 an hour."
    )
    assert explained["PA 1: holiday"].detail == (
        "Paying someone to cover 5.6 weeks of paid holiday a year, spread over the year"
    )


def test_the_service_refuses_8_days_a_week_beside_the_box(phb_lead, holder, local_rates):
    with pytest.raises(LineRefused) as refused:
        pa_costing(phb_lead, holder, pas=[pa("PA 1"), SIX_DAYS | {"days_per_week": 8}])
    assert refused.value.line == 1
    assert refused.value.message_dict == {
        "days_per_week": ["PA 1 cannot work 8 days a week. There are only 7 days in a week"]
    }


def test_hours_that_do_not_fit_in_the_days_are_refused_beside_the_days(
    phb_lead, holder, local_rates
):
    """24 hours a day at most: 100 hours a week take at least 5 days (100 / 24 = 4.17), so
    1 day a week is refused by the service and the form, beside the days; 24 hours in 1 day
    and 100 hours in 5 are accepted."""
    said = "PA 1 works 100 hours a week, which takes at least 5 days: enter 5 or more days a week"
    with pytest.raises(LineRefused) as refused:
        pa_costing(phb_lead, holder, pas=[pa("PA 1", hours=D("100"), days_per_week=1)])
    assert refused.value.message_dict == {"days_per_week": [said]}
    from budgets.forms import PaLineForm

    form = PaLineForm({**LINE, "hours_per_week": "100", "days_per_week": "1"})
    assert form.errors == {"days_per_week": [said]}
    assert PaLineForm({**LINE, "hours_per_week": "24", "days_per_week": "1"}).is_valid()
    costing = pa_costing(phb_lead, holder, pas=[pa("PA 1", hours=D("100"), days_per_week=5)])
    assert costing.lines.get().days_per_week == 5


def test_the_database_holds_1_to_7_days_a_week(phb_lead, holder, local_rates):
    from django.db import IntegrityError, transaction

    line = pa_costing(phb_lead, holder, pas=[SIX_DAYS]).lines.get()
    line.days_per_week = 0
    with pytest.raises(IntegrityError, match="pa_line_days_in_a_week"), transaction.atomic():
        line.save()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("8", "There are only 7 days in a week"),
        ("0", "Days a week must be 1 or more"),
        ("2.5", "Days a week must be a whole number"),
        ("six", "Days a week must be a whole number"),
    ],
)
def test_the_form_refuses_days_a_week_outside_1_to_7(typed, message):
    from budgets.forms import PaLineForm

    form = PaLineForm({**LINE, "days_per_week": typed})
    assert form.errors == {"days_per_week": [message]}


def test_the_form_leaves_days_a_week_optional():
    from budgets.forms import PaLineForm

    form = PaLineForm(LINE)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["days_per_week"] is None
    assert not PaLineForm({"days_per_week": "6"}).is_valid()
    assert PaLineForm({"days_per_week": "6"}).errors["label"] == ["Enter the name or role"]


def test_a_budget_refused_for_its_dates_is_still_refused(phb_lead, holder, costing):
    """The NI of a period is worked out only for a period the budget may have."""
    with pytest.raises(ValidationError, match="must fall within one financial year"):
        draft_budget(
            phb_lead, holder, costing, start=DECEMBER_6, end=datetime.date(2027, 4, 30), amount=D(1)
        )
