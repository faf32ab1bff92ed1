"""A PA's minimum wage band and workplace pension duties, from their age on the costing's date.

Worked figures use the 2026/27 national rates (tests/budgets/test_calculations.py FIGURES):
pension limits a week £120 lower, £192 trigger, £967 upper; 3% employer contribution.
"""

from dataclasses import replace
from datetime import date
from decimal import Decimal as D

import pytest

from budgets.calculations import (
    AgeBand,
    AgeSource,
    BelowMinimumWage,
    PaCostingInput,
    PaInput,
    PensionCategory,
    PensionStatus,
    TooYoung,
    age_on,
    birthday,
    cost_pas,
    pa_age,
    state_pension_date,
    wage_band,
)
from tests.budgets.test_calculations import FIGURES

APRIL_2026 = date(2026, 4, 1)

# 30 hours at £13.50: £405.00 a week, over the £192 trigger.
PA = PaInput(label="Sam", hours_per_week=D("30"), hourly_rate=D("13.50"))


@pytest.fixture(autouse=True)
def _clear_cache():
    """Overrides the suite's Redis cache reset: these tests are pure."""
    yield


def cost(pa=PA, on=APRIL_2026, **options):
    (line,) = cost_pas(PaCostingInput(pas=(pa,), on=on, **options), FIGURES).lines
    return line


def born_aged(age: int, on=APRIL_2026) -> date:
    """A date of birth that makes someone `age` on `on` (their birthday is 1 January)."""
    return date(on.year - age - (0 if on >= date(on.year, 1, 1) else 1), 1, 1)


# ---------------------------------------------------------------------------------------------
# State Pension age: the gov.uk timetable
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("born", "reaches"),
    [
        # Born before 6 April 1960: 66.
        (date(1958, 7, 14), date(2024, 7, 14)),
        (date(1960, 4, 5), date(2026, 4, 5)),
        # 6 April to 5 May 1960: 66 and 1 month.
        (date(1960, 4, 6), date(2026, 5, 6)),
        (date(1960, 5, 5), date(2026, 6, 5)),
        # 6 May to 5 June 1960: 66 and 2 months.
        (date(1960, 5, 6), date(2026, 7, 6)),
        # 6 December 1960 to 5 January 1961: 66 and 9 months; 31 September is 30 September
        # (gov.uk's own example).
        (date(1960, 12, 31), date(2027, 9, 30)),
        # 6 January to 5 February 1961: 66 and 10 months (gov.uk: 30 November 2027).
        (date(1961, 1, 31), date(2027, 11, 30)),
        # 6 February to 5 March 1961: 66 and 11 months.
        (date(1961, 3, 5), date(2028, 2, 5)),
        # 6 March 1961 to 5 April 1977: 67.
        (date(1961, 3, 6), date(2028, 3, 6)),
        (date(1977, 4, 5), date(2044, 4, 5)),
        # From 6 April 1977: 68 (the later end of the Pensions Act 2007's phasing).
        (date(1977, 4, 6), date(2045, 4, 6)),
        (date(1990, 9, 1), date(2058, 9, 1)),
        # Born on 29 February: 28 February in a year without one.
        (date(1964, 2, 29), date(2031, 2, 28)),
    ],
)
def test_state_pension_date(born, reaches):
    assert state_pension_date(born) == reaches


def test_age_on_a_day_counts_whole_years():
    assert age_on(date(2004, 4, 2), APRIL_2026) == 21
    assert age_on(date(2004, 4, 1), APRIL_2026) == 22
    # Born 29 February: a year older on 1 March when there is no 29 February.
    assert age_on(date(2004, 2, 29), date(2026, 2, 28)) == 21
    assert age_on(date(2004, 2, 29), date(2026, 3, 1)) == 22
    assert birthday(date(2004, 2, 29), 22) == date(2026, 3, 1)
    assert birthday(date(2004, 2, 29), 20) == date(2024, 2, 29)


# ---------------------------------------------------------------------------------------------
# Minimum wage band
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "apprentice", "band"),
    [
        (16, False, AgeBand.UNDER_18_OR_APPRENTICE),
        (17, False, AgeBand.UNDER_18_OR_APPRENTICE),
        (18, False, AgeBand.YOUNG_ADULT),
        (20, False, AgeBand.YOUNG_ADULT),
        (21, False, AgeBand.ADULT),
        (64, False, AgeBand.ADULT),
        (None, False, AgeBand.ADULT),  # not recruited yet: an adult is assumed
        (25, True, AgeBand.UNDER_18_OR_APPRENTICE),  # in the first year of an apprenticeship
        (None, True, AgeBand.UNDER_18_OR_APPRENTICE),
    ],
)
def test_the_wage_band_comes_from_the_age(age, apprentice, band):
    assert wage_band(age, apprentice) is band


def test_the_band_is_worked_out_on_the_costings_date():
    # Born 2 April 2005: 20 on 1 April 2026, so £10.85 is their minimum; 21 the next day.
    pa = replace(PA, date_of_birth=date(2005, 4, 2), hourly_rate=D("10.85"))
    assert cost(pa).age.band is AgeBand.YOUNG_ADULT
    with pytest.raises(BelowMinimumWage, match=r"National Living Wage of £12\.71"):
        cost(pa, on=date(2026, 4, 2))


def test_a_pa_under_16_is_refused():
    with pytest.raises(TooYoung) as refused:
        cost(replace(PA, date_of_birth=date(2010, 4, 2), hourly_rate=D("8.00")))
    assert str(refused.value) == "Sam must be 16 or over on 1 April 2026 to be employed as a PA"
    with pytest.raises(TooYoung):
        cost(replace(PA, age=15, hourly_rate=D("8.00")))


def test_a_date_of_birth_needs_the_costings_date():
    with pytest.raises(ValueError, match="needs the date it applies from"):
        cost(replace(PA, date_of_birth=date(1990, 1, 1)), on=None)


def test_the_days_the_minimum_wage_or_pension_changes_within_the_year_are_noted():
    # Born 10 June 2005: 20 on 1 April 2026, 21 on 10 June 2026 (National Living Wage from
    # then); 22 on 10 June 2027 is more than a year away.
    line = cost(replace(PA, date_of_birth=date(2005, 6, 10)))
    assert line.age.changes == ((date(2026, 6, 10), "wage_21"),)
    # An apprentice's rate does not change with a birthday; enrolment at 22 still does.
    age = pa_age(label="Sam", on=APRIL_2026, date_of_birth=date(2004, 6, 10), apprentice=True)
    assert age.changes == ((date(2026, 6, 10), "pension_22"),)


# ---------------------------------------------------------------------------------------------
# Workplace pension: eligible jobholders are 22 to State Pension age
# ---------------------------------------------------------------------------------------------


def test_a_pa_of_21_is_not_enrolled_automatically_but_may_opt_in():
    # Aged 21, paid £405.00 a week (over the £192 trigger): a non-eligible jobholder. Before,
    # everyone in the "21 or over" wage band was enrolled.
    line = cost(replace(PA, date_of_birth=born_aged(21)))
    assert line.age.age == 21
    assert line.pension_category is PensionCategory.NON_ELIGIBLE
    assert (line.pension_enrolled, line.pension_weekly) == (False, D("0.00"))
    # Without the pension: (405 + 43.62) x 52 + NI 46.35 x 52 = 23,328.24 + 2,410.20.
    assert line.total_annual == D("25738.44")
    # Opted in: 3% x (405 - 120) = £8.55 a week, as for an adult enrolled automatically.
    opted_in = cost(replace(PA, date_of_birth=born_aged(21), pension=PensionStatus.OPTED_IN))
    assert (opted_in.pension_enrolled, opted_in.pension_weekly) == (True, D("8.55"))


def test_a_pa_of_22_is_enrolled():
    # 3% x (405 - 120) = £8.55 a week; (405 + 43.62) x 52 + (46.35 + 8.55) x 52 = £26,183.04.
    line = cost(replace(PA, date_of_birth=born_aged(22)))
    assert line.pension_category is PensionCategory.ELIGIBLE
    assert (line.pension_enrolled, line.pension_weekly) == (True, D("8.55"))
    assert line.total_annual == D("26183.04")


def test_an_apprentice_of_30_is_enrolled():
    # 40 h x £8.00 (the apprentice rate) = £320.00 a week, over the trigger:
    # 3% x (320 - 120) = £6.00 a week. Before, apprentices were never enrolled.
    pa = replace(PA, hours_per_week=D("40"), hourly_rate=D("8.00"), age=30, apprentice=True)
    line = cost(pa)
    assert line.age.band is AgeBand.UNDER_18_OR_APPRENTICE
    assert line.pension_category is PensionCategory.ELIGIBLE
    assert line.pension_weekly == D("6.00")


def test_a_pa_at_state_pension_age_is_no_longer_enrolled_automatically():
    # Born 5 April 1960: State Pension age 66, on 5 April 2026.
    born = date(1960, 4, 5)
    before = cost(replace(PA, date_of_birth=born), on=date(2026, 4, 4))
    assert before.age.state_pension_date == date(2026, 4, 5)
    assert (before.pension_category, before.pension_weekly) == (
        PensionCategory.ELIGIBLE,
        D("8.55"),
    )
    on_the_day = cost(replace(PA, date_of_birth=born), on=date(2026, 4, 5))
    assert on_the_day.age.state_pension_reached
    assert (on_the_day.pension_category, on_the_day.pension_weekly) == (
        PensionCategory.NON_ELIGIBLE,
        D("0.00"),
    )


def test_state_pension_age_is_rising_so_a_pa_of_66_may_still_be_enrolled():
    # Born 6 April 1960: 66 on 6 April 2026, State Pension age 66 and 1 month, 6 May 2026.
    line = cost(replace(PA, date_of_birth=date(1960, 4, 6)), on=date(2026, 5, 1))
    assert line.age.age == 66
    assert not line.age.state_pension_reached
    assert line.pension_category is PensionCategory.ELIGIBLE
    assert line.age.changes == ((date(2026, 5, 6), "state_pension_age"),)


def test_a_stated_age_decides_state_pension_age_where_it_can():
    # Aged 67 on 1 June 2027: born 2 June 1959 to 1 June 1960, State Pension age by
    # 1 August 2026 at the latest: reached.
    line = cost(replace(PA, age=67), on=date(2027, 6, 1))
    assert (line.age.source, line.age.state_pension_reached) == (AgeSource.STATED, True)
    assert line.pension_weekly == D("0.00")
    # Aged 66 on 1 June 2027: born 2 June 1960 (reached 2 August 2026) to 1 June 1961 (not
    # until 1 June 2028): it cannot be told, so they are taken to be under it and enrolled.
    unsure = cost(replace(PA, age=66), on=date(2027, 6, 1))
    assert unsure.age.state_pension_uncertain
    assert not unsure.age.state_pension_reached
    assert unsure.pension_weekly == D("8.55")
    # Aged 66 on 1 April 2026: born 2 April 1959 to 1 April 1960, all 66 by 1 April 2026.
    reached = cost(replace(PA, age=66))
    assert reached.age.state_pension_reached and not reached.age.state_pension_uncertain


def test_without_a_costing_date_a_stated_age_of_67_has_reached_state_pension_age():
    assert pa_age(label="Sam", on=None, age=67).state_pension_reached
    unsure = pa_age(label="Sam", on=None, age=66)
    assert unsure.state_pension_uncertain and not unsure.state_pension_reached
    with pytest.raises(ValueError, match="16 or over"):
        pa_age(label="Sam", on=None, age=15)


def test_a_pa_not_yet_recruited_is_assumed_an_enrolled_adult():
    line = cost(PA)
    assert line.age.source is AgeSource.ASSUMED
    assert line.age.band is AgeBand.ADULT
    assert (line.pension_category, line.pension_weekly) == (PensionCategory.ELIGIBLE, D("8.55"))


@pytest.mark.parametrize(
    ("hours", "category"),
    [
        # 12 h x £13.50 = £162.00: over the £120 lower limit, not over the £192 trigger.
        ("12", PensionCategory.NON_ELIGIBLE),
        # 8 h x £13.50 = £108.00: not over the lower limit.
        ("8", PensionCategory.ENTITLED),
    ],
)
def test_a_pa_paid_too_little_to_be_enrolled(hours, category):
    line = cost(replace(PA, hours_per_week=D(hours), age=40))
    assert line.pension_category is category
    assert (line.pension_enrolled, line.pension_weekly) == (False, D("0.00"))


def test_a_pa_of_75_or_over_is_outside_the_pension_duties():
    line = cost(replace(PA, age=75))
    assert line.pension_category is PensionCategory.NOT_COVERED
    assert line.pension_weekly == D("0.00")


def test_a_stated_age_must_be_a_whole_number():
    with pytest.raises(TypeError):
        pa_age(label="Sam", on=APRIL_2026, age=D("30"))
