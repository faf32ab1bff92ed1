"""Worked figures for the budget-setting engine, every one checked by hand to the penny.

Each test's comments show the arithmetic, so a reviewer can redo it on paper. The figures are the
2026/27 national rates (see DOMAIN.md).
"""

from dataclasses import FrozenInstanceError, replace
from datetime import date
from decimal import Decimal as D

import pytest

from budgets.calculations import (
    PENNY,
    WEEKS_PER_YEAR,
    AgeBand,
    BelowMinimumWage,
    ChcLine,
    ChcLineInput,
    HolidayMethod,
    InstalmentFrequency,
    InvalidDays,
    InvalidHours,
    NationalFigures,
    PaCostingInput,
    PaInput,
    PaLine,
    PayFrequency,
    PensionStatus,
    RasAnswerInput,
    RasLine,
    amount_for_period,
    cost_chc_package,
    cost_pas,
    financial_year,
    holiday_weeks,
    instalment_dates,
    pa_amount_for_period,
    pension_thresholds,
    respread_unpaid,
    score_ras,
    split_evenly,
)


@pytest.fixture(autouse=True)
def _clear_cache():
    """Overrides the suite's Redis cache reset: these tests are pure and touch no cache."""
    yield


FIGURES = NationalFigures(
    nlw_21_plus=D("12.71"),
    nmw_18_20=D("10.85"),
    nmw_16_17_apprentice=D("8.00"),
    employer_ni_rate=D("0.15"),
    ni_secondary_threshold_weekly=D("96"),
    ni_secondary_threshold_monthly=D("417"),
    upper_secondary_threshold_weekly=D("967"),
    upper_secondary_threshold_monthly=D("4189"),
    employment_allowance_annual=D("10500"),
    pension_trigger_annual=D("10000"),
    pension_qualifying_lower_annual=D("6240"),
    pension_qualifying_upper_annual=D("50270"),
    pension_employer_min_rate=D("0.03"),
    holiday_weeks=D("5.6"),
    holiday_accrual_rate=D("0.1207"),
)

# A PA in each minimum wage band: an adult (assumed when the age is not known), 18 to 20, and
# an apprentice.
AGE_IN_BAND = {
    AgeBand.ADULT: {},
    AgeBand.YOUNG_ADULT: {"age": 19},
    AgeBand.UNDER_18_OR_APPRENTICE: {"apprentice": True},
}

# The worked example: £13.50 an hour for 30 hours a week.
PA_1 = PaInput(label="PA 1", hours_per_week=D("30"), hourly_rate=D("13.50"))


def one_pa(pa=PA_1, **options):
    return cost_pas(PaCostingInput(pas=(pa,), **options), FIGURES)


def assert_money(value):
    """Every money output is a Decimal in pounds with exactly two places."""
    assert isinstance(value, D)
    assert value == value.quantize(PENNY)
    assert value.as_tuple().exponent == -2


# ---------------------------------------------------------------------------------------------
# Constants and thresholds
# ---------------------------------------------------------------------------------------------


def test_constants():
    assert D(52) == WEEKS_PER_YEAR
    assert D("0.01") == PENNY


def test_minimum_hourly_rate_per_band():
    assert FIGURES.minimum_hourly_rate(AgeBand.ADULT) == D("12.71")
    assert FIGURES.minimum_hourly_rate(AgeBand.YOUNG_ADULT) == D("10.85")
    assert FIGURES.minimum_hourly_rate(AgeBand.UNDER_18_OR_APPRENTICE) == D("8.00")


def test_pension_thresholds_match_the_published_pay_period_figures():
    # Weekly: 6,240 / 52 = 120; 50,270 / 52 = 966.73 -> 967; 10,000 / 52 = 192.31 -> 192.
    weekly = pension_thresholds(FIGURES, PayFrequency.WEEKLY)
    assert (weekly.lower, weekly.upper, weekly.trigger) == (D(120), D(967), D(192))
    # Monthly: 6,240 / 12 = 520; 50,270 / 12 = 4,189.17 -> 4,189; 10,000 / 12 = 833.33 -> 833.
    monthly = pension_thresholds(FIGURES, PayFrequency.MONTHLY)
    assert (monthly.lower, monthly.upper, monthly.trigger) == (D(520), D(4189), D(833))


def test_inputs_and_outputs_are_frozen():
    with pytest.raises(FrozenInstanceError):
        PA_1.hourly_rate = D("20")
    result = one_pa()
    with pytest.raises(FrozenInstanceError):
        result.total_annual = D("0")


# ---------------------------------------------------------------------------------------------
# PA costing: the worked example, weekly pay
# ---------------------------------------------------------------------------------------------


def test_worked_example_weekly_pay_every_figure():
    result = one_pa()

    # gross: 30 h x £13.50 = £405.00
    # holiday cover: 405 x 5.6 / 52 = 2,268 / 52 = 43.615... -> £43.62
    # employer NI: 15% x (405 - 96) = 15% x 309 = £46.35
    # pension: 405 > 192 trigger, so enrolled; 3% x (min(405, 967) - 120) = 3% x 285 = £8.55
    # a year, paid weekly: NI 46.35 x 52 = £2,410.20; pension 8.55 x 52 = £444.60
    # total weekly: 405 + 43.62 + 46.35 + 8.55 = £503.52
    # total annual: (405 + 43.62) x 52 + 2,410.20 + 444.60 = 23,328.24 + 2,854.80 = £26,183.04
    #   (the same as 503.52 x 52, because weekly pay has no monthly rounding)
    assert result.lines == (
        PaLine(
            label="PA 1",
            hours_per_week=D("30"),
            hourly_rate=D("13.50"),
            gross_weekly=D("405.00"),
            holiday_weekly=D("43.62"),
            holiday_method=HolidayMethod.COVER,
            employer_ni_weekly=D("46.35"),
            pension_weekly=D("8.55"),
            pension_enrolled=True,
            employer_ni_annual=D("2410.20"),
            pension_annual=D("444.60"),
            total_weekly=D("503.52"),
            total_annual=D("26183.04"),
        ),
    )
    assert result.lines[0].holiday_method == "cover"

    # wages 405 x 52 = 21,060.00; holiday 43.62 x 52 = 2,268.24; NI and pension are the line's
    # yearly figures, 2,410.20 and 444.60. The £10,500 allowance covers all £2,410.20 of NI.
    # subtotal: 21,060.00 + 2,268.24 + 2,410.20 - 2,410.20 + 444.60 = 23,772.84
    # total weekly: 23,772.84 / 52 = 457.17
    assert result.wages_annual == D("21060.00")
    assert result.holiday_annual == D("2268.24")
    assert result.employer_ni_annual == D("2410.20")
    assert result.employment_allowance_annual == D("2410.20")
    assert result.pension_annual == D("444.60")
    assert result.insurance_annual == D("0.00")
    assert result.payroll_fee_annual == D("0.00")
    assert result.subtotal_annual == D("23772.84")
    assert result.contingency_annual == D("0.00")
    assert result.total_annual == D("23772.84")
    assert result.total_weekly == D("457.17")

    for name in (
        "wages_annual",
        "holiday_annual",
        "employer_ni_annual",
        "employment_allowance_annual",
        "pension_annual",
        "insurance_annual",
        "payroll_fee_annual",
        "subtotal_annual",
        "contingency_annual",
        "total_annual",
        "total_weekly",
    ):
        assert_money(getattr(result, name))
    line = result.lines[0]
    for name in (
        "gross_weekly",
        "holiday_weekly",
        "employer_ni_weekly",
        "pension_weekly",
        "employer_ni_annual",
        "pension_annual",
        "total_weekly",
        "total_annual",
    ):
        assert_money(getattr(line, name))


def test_worked_example_without_employment_allowance():
    result = one_pa(claims_employment_allowance=False)

    # Nothing offsets the NI: 21,060.00 + 2,268.24 + 2,410.20 + 444.60 = 26,183.04,
    # the same as the PA's own total; / 52 = 503.52.
    assert result.employer_ni_annual == D("2410.20")
    assert result.employment_allowance_annual == D("0.00")
    assert result.subtotal_annual == D("26183.04")
    assert result.total_annual == D("26183.04")
    assert result.total_weekly == D("503.52")


def test_worked_example_with_insurance_payroll_fee_and_5_percent_contingency():
    result = one_pa(
        insurance_annual=D("150.00"),
        payroll_fee_annual=D("240.00"),
        contingency_rate=D("0.05"),
    )

    # subtotal: 23,772.84 (as above) + 150.00 + 240.00 = 24,162.84
    # contingency: 5% x 24,162.84 = 1,208.142 -> 1,208.14
    # total: 24,162.84 + 1,208.14 = 25,370.98; / 52 = 487.903... -> 487.90
    assert result.insurance_annual == D("150.00")
    assert result.payroll_fee_annual == D("240.00")
    assert result.subtotal_annual == D("24162.84")
    assert result.contingency_annual == D("1208.14")
    assert result.total_annual == D("25370.98")
    assert result.total_weekly == D("487.90")
    # The on-costs do not change the PA's own line.
    assert result.lines == one_pa().lines


def test_contingency_rounds_half_up():
    # 6p of insurance makes the subtotal 23,772.84 + 0.06 = 23,772.90, and 5% of that lands on
    # half a penny: 1,188.645 -> 1,188.65 (half up)
    result = one_pa(insurance_annual=D("0.06"), contingency_rate=D("0.05"))
    assert result.subtotal_annual == D("23772.90")
    assert result.contingency_annual == D("1188.65")
    assert result.total_annual == D("24961.55")
    # 24,961.55 / 52 = 480.0298... -> 480.03
    assert result.total_weekly == D("480.03")


# ---------------------------------------------------------------------------------------------
# PA costing: monthly pay
# ---------------------------------------------------------------------------------------------


def test_worked_example_monthly_pay():
    result = one_pa(pay_frequency=PayFrequency.MONTHLY)

    # gross £405.00 and holiday cover £43.62 as for weekly pay.
    # monthly pay: 405 x 52 / 12 = 21,060 / 12 = £1,755.00
    # NI a month: 15% x (1,755 - 417) = 15% x 1,338 = £200.70
    #   a week: 200.70 x 12 / 52 = 2,408.40 / 52 = 46.3153... -> £46.32
    # pension a month: 1,755 > 833 trigger; 3% x (min(1,755, 4,189) - 520) = 3% x 1,235 = £37.05
    #   a week: 37.05 x 12 / 52 = 444.60 / 52 = £8.55
    # a year, from the monthly figures: NI 200.70 x 12 = £2,408.40; pension 37.05 x 12 = £444.60
    # total weekly: 405 + 43.62 + 46.32 + 8.55 = £503.49
    # total annual: (405 + 43.62) x 52 + 2,408.40 + 444.60 = 23,328.24 + 2,853.00 = £26,181.24
    #   (24p less than 503.49 x 52 = 26,181.48, which would carry the rounding of NI a week:
    #   46.32 x 52 = 2,408.64 against the 2,408.40 actually paid)
    (line,) = result.lines
    assert line.gross_weekly == D("405.00")
    assert line.holiday_weekly == D("43.62")
    assert line.employer_ni_weekly == D("46.32")
    assert line.pension_enrolled is True
    assert line.pension_weekly == D("8.55")
    assert line.employer_ni_annual == D("2408.40")
    assert line.pension_annual == D("444.60")
    assert line.total_weekly == D("503.49")
    assert line.total_annual == D("26181.24")
    for name in ("employer_ni_annual", "pension_annual", "total_annual"):
        assert_money(getattr(line, name))

    # NI and pension are the line's yearly figures: 2,408.40 and 444.60; the allowance covers
    # all of the NI.
    # subtotal: 21,060.00 + 2,268.24 + 2,408.40 - 2,408.40 + 444.60 = 23,772.84
    # total weekly: 23,772.84 / 52 = 457.17 exactly
    assert result.wages_annual == D("21060.00")
    assert result.holiday_annual == D("2268.24")
    assert result.employer_ni_annual == D("2408.40")
    assert result.employment_allowance_annual == D("2408.40")
    assert result.pension_annual == D("444.60")
    assert result.subtotal_annual == D("23772.84")
    assert result.total_annual == D("23772.84")
    assert result.total_weekly == D("457.17")

    # Without the allowance the NI is paid: 23,772.84 + 2,408.40 = 26,181.24, the PA's own
    # total annual; / 52 = 503.4853... -> 503.49
    unclaimed = one_pa(pay_frequency=PayFrequency.MONTHLY, claims_employment_allowance=False)
    assert unclaimed.employer_ni_annual == D("2408.40")
    assert unclaimed.employment_allowance_annual == D("0.00")
    assert unclaimed.total_annual == D("26181.24")
    assert unclaimed.total_weekly == D("503.49")


# ---------------------------------------------------------------------------------------------
# PA costing: NI rounding
# ---------------------------------------------------------------------------------------------


def test_employer_ni_half_a_penny_rounds_down():
    # 10 h x £19.61 = £196.10; NI 15% x (196.10 - 96) = 15% x 100.10 = 15.015 -> £15.01
    # (HMRC exact-percentage method: 0.5p or less is dropped).
    result = one_pa(PaInput(label="PA 1", hours_per_week=D("10"), hourly_rate=D("19.61")))
    (line,) = result.lines
    assert line.gross_weekly == D("196.10")
    assert line.employer_ni_weekly == D("15.01")
    # holiday: 196.10 x 5.6 / 52 = 1,098.16 / 52 = 21.118... -> 21.12
    # pension: 196.10 > 192; 3% x 76.10 = 2.283 -> 2.28
    # total: 196.10 + 21.12 + 15.01 + 2.28 = 234.51
    assert line.holiday_weekly == D("21.12")
    assert line.pension_weekly == D("2.28")
    assert line.total_weekly == D("234.51")


def test_employer_ni_more_than_half_a_penny_rounds_up():
    # 10 h x £19.611 = 196.11; NI 15% x 100.11 = 15.0165 -> £15.02
    result = one_pa(PaInput(label="PA 1", hours_per_week=D("10"), hourly_rate=D("19.611")))
    (line,) = result.lines
    assert line.gross_weekly == D("196.11")
    assert line.employer_ni_weekly == D("15.02")


def test_no_employer_ni_below_the_secondary_threshold():
    # 7 h x £13.00 = £91.00, below £96: no NI.
    result = one_pa(PaInput(label="PA 1", hours_per_week=D("7"), hourly_rate=D("13.00")))
    (line,) = result.lines
    assert line.employer_ni_weekly == D("0.00")
    assert result.employer_ni_annual == D("0.00")
    assert result.employment_allowance_annual == D("0.00")
    assert_money(line.employer_ni_weekly)


def test_gross_rounds_half_up():
    # 37.5 h x £12.71 = 476.625 -> £476.63
    result = one_pa(PaInput(label="PA 1", hours_per_week=D("37.5"), hourly_rate=D("12.71")))
    assert result.lines[0].gross_weekly == D("476.63")


# ---------------------------------------------------------------------------------------------
# PA costing: irregular hours
# ---------------------------------------------------------------------------------------------


def test_irregular_hours_rolled_up_holiday_pay():
    result = one_pa(replace(PA_1, irregular_hours=True))

    # rolled-up holiday pay: 405 x 12.07% = 48.8835 -> £48.88; the PA's pay is 405 + 48.88 =
    # £453.88, and NI and pension are worked out on that.
    # NI: 15% x (453.88 - 96) = 15% x 357.88 = 53.682 -> £53.68
    # pension: 3% x (453.88 - 120) = 3% x 333.88 = 10.0164 -> £10.02
    # total weekly: 405 + 48.88 + 53.68 + 10.02 = £517.58; x 52 = £26,914.16
    (line,) = result.lines
    assert line.holiday_method == HolidayMethod.ROLLED_UP == "rolled_up"
    assert line.gross_weekly == D("405.00")
    assert line.holiday_weekly == D("48.88")
    assert line.employer_ni_weekly == D("53.68")
    assert line.pension_enrolled is True
    assert line.pension_weekly == D("10.02")
    assert line.total_weekly == D("517.58")
    assert line.total_annual == D("26914.16")

    # holiday 48.88 x 52 = 2,541.76; NI 53.68 x 52 = 2,791.36 (all offset by the allowance);
    # pension 10.02 x 52 = 521.04
    # subtotal: 21,060.00 + 2,541.76 + 2,791.36 - 2,791.36 + 521.04 = 24,122.80; / 52 = 463.90
    assert result.wages_annual == D("21060.00")
    assert result.holiday_annual == D("2541.76")
    assert result.employer_ni_annual == D("2791.36")
    assert result.employment_allowance_annual == D("2791.36")
    assert result.pension_annual == D("521.04")
    assert result.subtotal_annual == D("24122.80")
    assert result.total_annual == D("24122.80")
    assert result.total_weekly == D("463.90")


# ---------------------------------------------------------------------------------------------
# PA costing: several PAs and the Employment Allowance
# ---------------------------------------------------------------------------------------------


def test_two_full_time_pas_use_part_of_the_employment_allowance():
    pa_a = PaInput(label="Amira", hours_per_week=D("56"), hourly_rate=D("15.00"))
    pa_b = PaInput(label="Ben", hours_per_week=D("50"), hourly_rate=D("16.00"))
    result = cost_pas(PaCostingInput(pas=(pa_a, pa_b)), FIGURES)
    amira, ben = result.lines

    # Amira: 56 h x £15.00 = £840.00
    #   holiday: 840 x 5.6 / 52 = 4,704 / 52 = 90.4615... -> £90.46
    #   NI: 15% x (840 - 96) = 15% x 744 = £111.60
    #   pension: 3% x (840 - 120) = 3% x 720 = £21.60
    #   total: 840 + 90.46 + 111.60 + 21.60 = £1,063.66; x 52 = £55,310.32
    assert (amira.label, amira.gross_weekly, amira.holiday_weekly) == (
        "Amira",
        D("840.00"),
        D("90.46"),
    )
    assert amira.employer_ni_weekly == D("111.60")
    assert amira.pension_weekly == D("21.60")
    assert amira.total_weekly == D("1063.66")
    assert amira.total_annual == D("55310.32")

    # Ben: 50 h x £16.00 = £800.00
    #   holiday: 800 x 5.6 / 52 = 4,480 / 52 = 86.1538... -> £86.15
    #   NI: 15% x (800 - 96) = 15% x 704 = £105.60
    #   pension: 3% x (800 - 120) = 3% x 680 = £20.40
    #   total: 800 + 86.15 + 105.60 + 20.40 = £1,012.15; x 52 = £52,631.80
    assert (ben.label, ben.gross_weekly, ben.holiday_weekly) == ("Ben", D("800.00"), D("86.15"))
    assert ben.employer_ni_weekly == D("105.60")
    assert ben.pension_weekly == D("20.40")
    assert ben.total_weekly == D("1012.15")
    assert ben.total_annual == D("52631.80")

    # wages (840 + 800) x 52 = 85,280.00; holiday (90.46 + 86.15) x 52 = 176.61 x 52 = 9,183.72
    # NI (111.60 + 105.60) x 52 = 217.20 x 52 = 11,294.40, more than the £10,500 allowance, so
    # only £10,500.00 is offset and £794.40 is paid.
    # pension (21.60 + 20.40) x 52 = 42.00 x 52 = 2,184.00
    # subtotal: 85,280.00 + 9,183.72 + 11,294.40 - 10,500.00 + 2,184.00 = 97,442.12
    # total weekly: 97,442.12 / 52 = 1,873.886... -> 1,873.89
    assert result.wages_annual == D("85280.00")
    assert result.holiday_annual == D("9183.72")
    assert result.employer_ni_annual == D("11294.40")
    assert result.employment_allowance_annual == D("10500.00")
    assert result.pension_annual == D("2184.00")
    assert result.subtotal_annual == D("97442.12")
    assert result.contingency_annual == D("0.00")
    assert result.total_annual == D("97442.12")
    assert result.total_weekly == D("1873.89")


def test_total_hours_of_all_pas_are_not_limited():
    # Four PAs of 168 h each (e.g. two awake at all times) are allowed: 672 h in all.
    pas = tuple(
        PaInput(label=f"PA {n}", hours_per_week=D("168"), hourly_rate=D("12.71"))
        for n in range(1, 5)
    )
    result = cost_pas(PaCostingInput(pas=pas), FIGURES)
    # 168 x 12.71 = 2,135.28 each; x 4 x 52 = 444,138.24
    assert [line.gross_weekly for line in result.lines] == [D("2135.28")] * 4
    assert result.wages_annual == D("444138.24")


# ---------------------------------------------------------------------------------------------
# PA costing: pensions
# ---------------------------------------------------------------------------------------------


def test_pension_opted_out():
    (line,) = one_pa(replace(PA_1, pension=PensionStatus.OPTED_OUT)).lines
    # No pension; everything else as the worked example: 405 + 43.62 + 46.35 = 494.97
    assert line.pension_enrolled is False
    assert line.pension_weekly == D("0.00")
    assert line.employer_ni_weekly == D("46.35")
    assert line.total_weekly == D("494.97")
    assert line.total_annual == D("25738.44")
    assert_money(line.pension_weekly)


def test_pension_opted_in_below_the_trigger():
    # 10 h x £13.00 = £130.00: below the £192 trigger but above the £120 lower limit.
    # pension: 3% x (130 - 120) = £0.30
    # holiday: 130 x 5.6 / 52 = 728 / 52 = £14.00; NI: 15% x (130 - 96) = 15% x 34 = £5.10
    # total: 130 + 14.00 + 5.10 + 0.30 = £149.40; x 52 = £7,768.80
    pa = PaInput(
        label="PA 1",
        hours_per_week=D("10"),
        hourly_rate=D("13.00"),
        pension=PensionStatus.OPTED_IN,
    )
    (line,) = one_pa(pa).lines
    assert line.pension_enrolled is True
    assert line.pension_weekly == D("0.30")
    assert line.holiday_weekly == D("14.00")
    assert line.employer_ni_weekly == D("5.10")
    assert line.total_weekly == D("149.40")
    assert line.total_annual == D("7768.80")

    # The same PA left on AUTO is below the trigger, so is not enrolled.
    (auto,) = one_pa(replace(pa, pension=PensionStatus.AUTO)).lines
    assert auto.pension_enrolled is False
    assert auto.pension_weekly == D("0.00")
    assert auto.total_weekly == D("149.10")


def test_pension_opted_in_needs_pay_above_the_lower_limit():
    # 8 h x £15.00 = £120.00: not more than £120, so no qualifying earnings and no enrolment.
    pa = PaInput(
        label="PA 1",
        hours_per_week=D("8"),
        hourly_rate=D("15.00"),
        pension=PensionStatus.OPTED_IN,
    )
    (line,) = one_pa(pa).lines
    assert line.pension_enrolled is False
    assert line.pension_weekly == D("0.00")


def test_pension_not_auto_enrolled_at_exactly_the_trigger():
    # 15 h x £12.80 = £192.00, exactly the weekly trigger. Auto-enrolment needs pay of MORE
    # than the trigger (Pensions Act 2008 s.3), so this PA is not enrolled: no pension.
    # holiday: 192 x 5.6 / 52 = 1,075.20 / 52 = 20.676... -> £20.68
    # NI: 15% x (192 - 96) = 15% x 96 = £14.40; a year 14.40 x 52 = £748.80
    # total weekly: 192 + 20.68 + 14.40 + 0 = £227.08
    # total annual: (192 + 20.68) x 52 + 748.80 + 0 = 11,059.36 + 748.80 = £11,808.16
    (line,) = one_pa(PaInput(label="PA 1", hours_per_week=D("15"), hourly_rate=D("12.80"))).lines
    assert line.gross_weekly == D("192.00")
    assert line.pension_enrolled is False
    assert line.pension_weekly == D("0.00")
    assert line.pension_annual == D("0.00")
    assert line.employer_ni_annual == D("748.80")
    assert line.total_weekly == D("227.08")
    assert line.total_annual == D("11808.16")
    assert_money(line.pension_annual)
    # A penny less is below the trigger too.
    (below,) = one_pa(PaInput(label="PA 1", hours_per_week=D("1"), hourly_rate=D("191.99"))).lines
    assert below.pension_enrolled is False


def test_pension_auto_enrolled_a_penny_above_the_trigger():
    # 1 h x £192.01 = £192.01, a penny more than the £192 trigger: enrolled.
    # pension: 3% x (192.01 - 120) = 3% x 72.01 = 2.1603 -> £2.16; a year 2.16 x 52 = £112.32
    (line,) = one_pa(PaInput(label="PA 1", hours_per_week=D("1"), hourly_rate=D("192.01"))).lines
    assert line.gross_weekly == D("192.01")
    assert line.pension_enrolled is True
    assert line.pension_weekly == D("2.16")
    assert line.pension_annual == D("112.32")


def test_pension_monthly_trigger_is_strictly_more_than_833():
    # Paid monthly, the trigger is £833 a month (10,000 / 12 = 833.33 -> 833).
    # £192.23 a week: 192.23 x 52 / 12 = 9,995.96 / 12 = 832.9966... -> £833.00 a month,
    # exactly the trigger, so not enrolled (a weekly-paid PA on £192.23 would be).
    at = PaInput(label="PA 1", hours_per_week=D("1"), hourly_rate=D("192.23"))
    (line,) = one_pa(at, pay_frequency=PayFrequency.MONTHLY).lines
    assert line.pension_enrolled is False
    assert line.pension_annual == D("0.00")
    # £192.24 a week: 192.24 x 52 / 12 = 9,996.48 / 12 = £833.04 a month, more than £833.
    # pension a month: 3% x (833.04 - 520) = 3% x 313.04 = 9.3912 -> £9.39
    #   a week: 9.39 x 12 / 52 = 112.68 / 52 = 2.1669... -> £2.17; a year: 9.39 x 12 = £112.68
    (above,) = one_pa(
        replace(at, hourly_rate=D("192.24")), pay_frequency=PayFrequency.MONTHLY
    ).lines
    assert above.pension_enrolled is True
    assert above.pension_weekly == D("2.17")
    assert above.pension_annual == D("112.68")


def test_pension_rounds_half_up():
    # 10 h x £22.05 = £220.50; 3% x (220.50 - 120) = 3% x 100.50 = 3.015 -> £3.02
    (line,) = one_pa(PaInput(label="PA 1", hours_per_week=D("10"), hourly_rate=D("22.05"))).lines
    assert line.pension_weekly == D("3.02")


def test_pension_capped_at_the_upper_limit():
    # 60 h x £20.00 = £1,200.00, above £967: 3% x (967 - 120) = 3% x 847 = £25.41
    (line,) = one_pa(PaInput(label="PA 1", hours_per_week=D("60"), hourly_rate=D("20.00"))).lines
    assert line.pension_weekly == D("25.41")
    assert line.employer_ni_weekly == D("165.60")  # 15% x (1,200 - 96) = 15% x 1,104


def test_young_adult_is_not_auto_enrolled():
    # 30 h x £11.00 = £330.00, over the trigger, but aged 18 to 20: not auto-enrolled.
    pa = PaInput(
        label="PA 1",
        hours_per_week=D("30"),
        hourly_rate=D("11.00"),
        age=20,
    )
    (line,) = one_pa(pa).lines
    assert line.pension_enrolled is False
    assert line.pension_weekly == D("0.00")
    # If they opt in: 3% x (330 - 120) = 3% x 210 = £6.30
    (opted_in,) = one_pa(replace(pa, pension=PensionStatus.OPTED_IN)).lines
    assert opted_in.pension_enrolled is True
    assert opted_in.pension_weekly == D("6.30")


def test_under_18_is_not_auto_enrolled():
    pa = PaInput(
        label="PA 1",
        hours_per_week=D("30"),
        hourly_rate=D("9.00"),
        age=17,
    )
    (line,) = one_pa(pa).lines
    assert line.gross_weekly == D("270.00")
    assert line.pension_enrolled is False


# ---------------------------------------------------------------------------------------------
# PA costing: refusals
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age_band", "rate", "message"),
    [
        (
            AgeBand.ADULT,
            "11.00",
            "PA 1's rate of £11.00 an hour is below the National Living Wage of £12.71 "
            "for someone aged 21 or over",
        ),
        (
            AgeBand.ADULT,
            "12.70",
            "PA 1's rate of £12.70 an hour is below the National Living Wage of £12.71 "
            "for someone aged 21 or over",
        ),
        (
            AgeBand.YOUNG_ADULT,
            "10.84",
            "PA 1's rate of £10.84 an hour is below the National Minimum Wage of £10.85 "
            "for someone aged 18 to 20",
        ),
        (
            AgeBand.UNDER_18_OR_APPRENTICE,
            "7.99",
            "PA 1's rate of £7.99 an hour is below the National Minimum Wage of £8.00 "
            "for someone aged 16 or 17 or an apprentice",
        ),
    ],
)
def test_rate_below_the_minimum_wage_is_refused(age_band, rate, message):
    pa = replace(PA_1, hourly_rate=D(rate), **AGE_IN_BAND[age_band])
    with pytest.raises(BelowMinimumWage) as refused:
        one_pa(pa)
    assert str(refused.value) == message
    assert refused.value.label == "PA 1"
    assert refused.value.rate == D(rate)
    assert refused.value.minimum == FIGURES.minimum_hourly_rate(age_band)
    assert refused.value.age_band == age_band
    assert isinstance(refused.value, ValueError)


def test_minimum_wage_refusal_shows_a_whole_pound_rate_in_pounds_and_pence():
    with pytest.raises(BelowMinimumWage, match=r"rate of £11\.00 an hour"):
        one_pa(replace(PA_1, hourly_rate=D(11)))


@pytest.mark.parametrize(
    ("age_band", "rate", "gross"),
    [
        # 30 h x the minimum for each band
        (AgeBand.ADULT, "12.71", "381.30"),
        (AgeBand.YOUNG_ADULT, "10.85", "325.50"),
        (AgeBand.UNDER_18_OR_APPRENTICE, "8.00", "240.00"),
    ],
)
def test_exactly_the_minimum_wage_is_allowed(age_band, rate, gross):
    (line,) = one_pa(replace(PA_1, hourly_rate=D(rate), **AGE_IN_BAND[age_band])).lines
    assert line.gross_weekly == D(gross)


def test_a_young_adult_rate_is_refused_for_an_adult():
    with pytest.raises(BelowMinimumWage, match="National Living Wage"):
        one_pa(replace(PA_1, hourly_rate=D("10.85")))


@pytest.mark.parametrize("hours", ["0", "-1"])
def test_no_hours_are_refused(hours):
    with pytest.raises(InvalidHours) as refused:
        one_pa(replace(PA_1, hours_per_week=D(hours)))
    assert str(refused.value) == "PA 1's hours must be more than 0 a week"
    assert refused.value.label == "PA 1"
    assert refused.value.hours == D(hours)


def test_more_than_168_hours_are_refused():
    with pytest.raises(InvalidHours) as refused:
        one_pa(replace(PA_1, hours_per_week=D("168.5")))
    assert str(refused.value) == (
        "PA 1 cannot work 168.5 hours a week. There are only 168 hours in a week"
    )
    assert isinstance(refused.value, ValueError)


def test_168_hours_are_allowed():
    (line,) = one_pa(replace(PA_1, hours_per_week=D("168"))).lines
    # 168 x 13.50 = 2,268.00
    assert line.gross_weekly == D("2268.00")


def test_hours_are_checked_before_the_rate():
    with pytest.raises(InvalidHours):
        one_pa(replace(PA_1, hours_per_week=D("0"), hourly_rate=D("1.00")))


def test_no_pas_is_refused():
    with pytest.raises(ValueError, match=r"^Add at least one PA$"):
        cost_pas(PaCostingInput(pas=()), FIGURES)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"insurance_annual": D("-0.01")}, "Employer's liability insurance must be £0 or more"),
        ({"payroll_fee_annual": D("-1")}, "The payroll fee must be £0 or more"),
        ({"contingency_rate": D("-0.05")}, "The contingency must be 0% or more"),
        ({"contingency_rate": D("5")}, "The contingency must be 100% or less"),
    ],
)
def test_negative_on_costs_are_refused(options, message):
    with pytest.raises(ValueError) as refused:
        one_pa(**options)
    assert str(refused.value) == message


@pytest.mark.parametrize(
    "pa",
    [
        replace(PA_1, hourly_rate=13.5),
        replace(PA_1, hours_per_week=30.0),
    ],
)
def test_floats_are_refused(pa):
    with pytest.raises(TypeError, match="must be a Decimal, not float"):
        one_pa(pa)


def test_float_on_costs_are_refused():
    with pytest.raises(TypeError):
        one_pa(insurance_annual=150.0)


def test_whole_numbers_are_accepted():
    (line,) = one_pa(PaInput(label="PA 1", hours_per_week=30, hourly_rate=D("13.50"))).lines
    assert line.gross_weekly == D("405.00")


# ---------------------------------------------------------------------------------------------
# CHC cost cap
# ---------------------------------------------------------------------------------------------


def test_chc_package_worked_example():
    result = cost_chc_package(
        [
            ChcLineInput("Agency day care (hours)", D("42"), D("27.80")),
            ChcLineInput("Waking nights", D("7"), D("210.00")),
            ChcLineInput("Nursing (hours)", D("3"), D("55.40")),
        ]
    )
    # 42 x 27.80 = 1,167.60; 7 x 210.00 = 1,470.00; 3 x 55.40 = 166.20
    # weekly: 1,167.60 + 1,470.00 + 166.20 = 2,803.80; x 52 = 145,797.60
    assert result.lines == (
        ChcLine("Agency day care (hours)", D("42"), D("27.80"), D("1167.60")),
        ChcLine("Waking nights", D("7"), D("210.00"), D("1470.00")),
        ChcLine("Nursing (hours)", D("3"), D("55.40"), D("166.20")),
    )
    assert result.weekly_total == D("2803.80")
    assert result.annual_total == D("145797.60")
    assert_money(result.weekly_total)
    assert_money(result.annual_total)


def test_chc_line_rounds_half_up():
    # 2.5 x 27.81 = 69.525 -> 69.53; x 52 = 3,615.56
    result = cost_chc_package((ChcLineInput("Sitting service", D("2.5"), D("27.81")),))
    assert result.lines[0].weekly_cost == D("69.53")
    assert result.annual_total == D("3615.56")


def test_chc_units_are_not_limited_to_168():
    # Units may be visits: 200 short visits a week at £12.00 = 2,400.00
    result = cost_chc_package([ChcLineInput("Short visits", D("200"), D("12.00"))])
    assert result.weekly_total == D("2400.00")


def test_chc_zero_units_allowed():
    result = cost_chc_package([ChcLineInput("Respite (none this week)", D("0"), D("150.00"))])
    assert result.weekly_total == D("0.00")
    assert_money(result.weekly_total)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            ChcLineInput("Nursing", D("-1"), D("55.40")),
            "Units a week for Nursing must be 0 or more",
        ),
        (
            ChcLineInput("Nursing", D("3"), D("-55.40")),
            "The unit cost of Nursing must be £0 or more",
        ),
    ],
)
def test_chc_negative_units_or_costs_are_refused(line, message):
    with pytest.raises(ValueError) as refused:
        cost_chc_package([line])
    assert str(refused.value) == message


def test_chc_empty_package_is_refused():
    with pytest.raises(ValueError, match="Add at least one service"):
        cost_chc_package([])


# ---------------------------------------------------------------------------------------------
# RAS
# ---------------------------------------------------------------------------------------------


RAS_ANSWERS = [
    RasAnswerInput("Personal care", "Needs help with all personal care", 12),
    RasAnswerInput("Eating and drinking", "Needs help to prepare meals", 6),
    RasAnswerInput("Mobility", "Needs one person to help with transfers", 9),
    RasAnswerInput("Breathing", "Needs suction several times a day", 15),
    RasAnswerInput("Medication", "Needs medication given", 4),
    RasAnswerInput("Mental wellbeing", "Needs regular support", 7),
    RasAnswerInput("Communication", "Needs some help to be understood", 3),
    RasAnswerInput("Carer support", "Family carer needs regular breaks", 10),
]


def test_ras_worked_example():
    result = score_ras(RAS_ANSWERS, D("148.37"))
    # 12 x 148.37 = 1,780.44   6 x 148.37 = 890.22   9 x 148.37 = 1,335.33
    # 15 x 148.37 = 2,225.55   4 x 148.37 = 593.48   7 x 148.37 = 1,038.59
    # 3 x 148.37 = 445.11      10 x 148.37 = 1,483.70
    # total points 12 + 6 + 9 + 15 + 4 + 7 + 3 + 10 = 66; 66 x 148.37 = 9,792.42
    assert result.lines == (
        RasLine("Personal care", "Needs help with all personal care", 12, D("1780.44")),
        RasLine("Eating and drinking", "Needs help to prepare meals", 6, D("890.22")),
        RasLine("Mobility", "Needs one person to help with transfers", 9, D("1335.33")),
        RasLine("Breathing", "Needs suction several times a day", 15, D("2225.55")),
        RasLine("Medication", "Needs medication given", 4, D("593.48")),
        RasLine("Mental wellbeing", "Needs regular support", 7, D("1038.59")),
        RasLine("Communication", "Needs some help to be understood", 3, D("445.11")),
        RasLine("Carer support", "Family carer needs regular breaks", 10, D("1483.70")),
    )
    assert result.total_points == 66
    assert result.price_per_point == D("148.37")
    assert result.annual_amount == D("9792.42")
    assert sum(line.amount for line in result.lines) == result.annual_amount
    assert_money(result.annual_amount)


def test_ras_total_is_from_total_points_half_up():
    # A price with a fraction of a penny: 3 x 0.125 = 0.375 -> 0.38 (half up) for the total;
    # each line 1 x 0.125 = 0.125 -> 0.13.
    answers = [RasAnswerInput(f"Domain {n}", "Some", 1) for n in range(3)]
    result = score_ras(answers, D("0.125"))
    assert [line.amount for line in result.lines] == [D("0.13")] * 3
    assert result.annual_amount == D("0.38")


def test_ras_zero_points_allowed():
    result = score_ras([RasAnswerInput("Breathing", "No needs", 0)], D("148.37"))
    assert result.total_points == 0
    assert result.annual_amount == D("0.00")


def test_ras_refusals():
    with pytest.raises(ValueError, match="Points for Mobility must be 0 or more"):
        score_ras([RasAnswerInput("Mobility", "x", -1)], D("148.37"))
    with pytest.raises(ValueError, match="The price per point must be £0 or more"):
        score_ras(RAS_ANSWERS, D("-148.37"))
    with pytest.raises(ValueError, match="Answer at least one question"):
        score_ras([], D("148.37"))
    with pytest.raises(TypeError):
        score_ras([RasAnswerInput("Mobility", "x", 1.5)], D("148.37"))


# ---------------------------------------------------------------------------------------------
# Financial years and pro rata amounts
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "start", "end"),
    [
        (date(2026, 4, 1), date(2026, 4, 1), date(2027, 3, 31)),
        (date(2026, 10, 15), date(2026, 4, 1), date(2027, 3, 31)),
        (date(2027, 3, 31), date(2026, 4, 1), date(2027, 3, 31)),
        (date(2026, 3, 31), date(2025, 4, 1), date(2026, 3, 31)),
        (date(2027, 1, 1), date(2026, 4, 1), date(2027, 3, 31)),
        (date(2028, 2, 29), date(2027, 4, 1), date(2028, 3, 31)),
    ],
)
def test_financial_year(day, start, end):
    assert financial_year(day) == (start, end)


def days_in(year_containing):
    start, end = financial_year(year_containing)
    return (end - start).days + 1


def test_days_in_financial_years():
    # 29 February 2028 falls in 2027/28 (1 April 2027 to 31 March 2028), so that is the long
    # year; 2026/27 and 2028/29 (February 2029) have 365 days.
    assert days_in(date(2026, 4, 1)) == 365
    assert days_in(date(2027, 4, 1)) == 366
    assert days_in(date(2028, 4, 1)) == 365


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2026, 4, 1), date(2027, 3, 31)),
        (date(2027, 4, 1), date(2028, 3, 31)),  # 366 days
        (date(2028, 4, 1), date(2029, 3, 31)),
    ],
)
def test_full_financial_year_returns_the_annual_amount(start, end):
    assert amount_for_period(D("30000.00"), start, end) == D("30000.00")
    assert amount_for_period(D("9792.42"), start, end) == D("9792.42")


def test_half_year_pro_rata():
    # 1 April to 30 September: 30 + 31 + 30 + 31 + 31 + 30 = 183 days.
    # 2026/27 has 365 days: 30,000 x 183 / 365 = 15,041.0958... -> 15,041.10
    assert amount_for_period(D("30000.00"), date(2026, 4, 1), date(2026, 9, 30)) == D("15041.10")
    # 2027/28 has 366 days: 30,000 x 183 / 366 = 15,000.00 exactly
    assert amount_for_period(D("30000.00"), date(2027, 4, 1), date(2027, 9, 30)) == D("15000.00")


def test_single_days_pro_rata():
    # 30,000 / 365 = 82.1917... -> 82.19
    assert amount_for_period(D("30000.00"), date(2026, 4, 1), date(2026, 4, 1)) == D("82.19")
    # 29 February 2028, in a 366-day year: 30,000 / 366 = 81.967... -> 81.97
    assert amount_for_period(D("30000.00"), date(2028, 2, 29), date(2028, 2, 29)) == D("81.97")


def test_pro_rata_refusals():
    with pytest.raises(ValueError, match="on or after the start date"):
        amount_for_period(D("30000.00"), date(2026, 5, 1), date(2026, 4, 30))
    with pytest.raises(ValueError, match="must end by 31 March 2027"):
        amount_for_period(D("30000.00"), date(2027, 3, 1), date(2027, 4, 30))
    with pytest.raises(ValueError, match="must be £0 or more"):
        amount_for_period(D("-1.00"), date(2026, 4, 1), date(2026, 4, 30))


# ---------------------------------------------------------------------------------------------
# Instalment dates
# ---------------------------------------------------------------------------------------------


def test_monthly_instalments_for_a_year():
    dates = instalment_dates(date(2026, 4, 1), date(2027, 3, 31), InstalmentFrequency.MONTHLY)
    assert dates == [date(2026 + (m > 12), (m - 1) % 12 + 1, 1) for m in range(4, 16)]
    assert len(dates) == 12


def test_four_weekly_instalments_for_a_year():
    # Every 28 days from 1 April 2026; each pays for the 4 weeks starting on its date.
    # The 13th date, 1 April + 28 x 12 = 336 days = 3 March 2027, covers 3 to 30 March 2027
    # (the day before 1 April + 28 x 13 = 364 days = 31 March 2027), which ends by 31 March:
    # included. A 14th on 31 March 2027 would cover 31 March to 27 April 2027, past the end of
    # the year: left out. 13 dates in all (365 days is 13 four-week periods and one day).
    dates = instalment_dates(date(2026, 4, 1), date(2027, 3, 31), InstalmentFrequency.FOUR_WEEKLY)
    assert dates == [
        date(2026, 4, 1),
        date(2026, 4, 29),
        date(2026, 5, 27),
        date(2026, 6, 24),
        date(2026, 7, 22),
        date(2026, 8, 19),
        date(2026, 9, 16),
        date(2026, 10, 14),
        date(2026, 11, 11),
        date(2026, 12, 9),
        date(2027, 1, 6),
        date(2027, 2, 3),
        date(2027, 3, 3),
    ]
    # A period ending 30 March 2027: the 4 weeks from 3 March end on 30 March, so that date is
    # still included and the 13 dates are the same.
    to_30_march = instalment_dates(
        date(2026, 4, 1), date(2027, 3, 30), InstalmentFrequency.FOUR_WEEKLY
    )
    assert to_30_march == dates
    # A day earlier, 29 March, the 4 weeks from 3 March no longer fit: 12 dates.
    to_29_march = instalment_dates(
        date(2026, 4, 1), date(2027, 3, 29), InstalmentFrequency.FOUR_WEEKLY
    )
    assert to_29_march == dates[:12]
    assert to_29_march[-1] == date(2027, 2, 3)


def test_monthly_instalments_clamp_to_the_end_of_short_months():
    # The 31st where the month has one, otherwise the month's last day. Each date pays for the
    # month up to the day before the next date, and is included only if that ends by the end
    # of the period. To 30 July 2027:
    #   31 Jan -> 27 Feb; 28 Feb -> 30 Mar; 31 Mar -> 29 Apr; 30 Apr -> 30 May;
    #   31 May -> 29 Jun; 30 Jun -> 30 Jul (ends on 30 July: included);
    #   31 Jul -> 30 Aug (past 30 July: left out).
    dates = instalment_dates(date(2027, 1, 31), date(2027, 7, 30), InstalmentFrequency.MONTHLY)
    assert dates == [
        date(2027, 1, 31),
        date(2027, 2, 28),
        date(2027, 3, 31),
        date(2027, 4, 30),
        date(2027, 5, 31),
        date(2027, 6, 30),
    ]
    # To 30 June 2027 the payment on 30 June would cover to 30 July, so it is left out.
    to_june = instalment_dates(date(2027, 1, 31), date(2027, 6, 30), InstalmentFrequency.MONTHLY)
    assert to_june == dates[:5]
    # Leap year, to 30 April 2028: 31 Jan -> 28 Feb; 29 Feb -> 30 Mar; 31 Mar -> 29 Apr
    # (included); 30 Apr -> 30 May (left out). 31 March follows 29 February: one short month
    # does not pull later payments earlier.
    leap = instalment_dates(date(2028, 1, 31), date(2028, 4, 30), InstalmentFrequency.MONTHLY)
    assert leap == [date(2028, 1, 31), date(2028, 2, 29), date(2028, 3, 31)]
    # To 31 March 2028 the payment on 31 March would cover to 29 April: left out.
    to_march = instalment_dates(date(2028, 1, 31), date(2028, 3, 31), InstalmentFrequency.MONTHLY)
    assert to_march == [date(2028, 1, 31), date(2028, 2, 29)]


def test_monthly_instalments_across_the_new_year():
    # From 30 November 2026: 30 Nov -> 29 Dec; 30 Dec -> 29 Jan; 30 Jan -> 27 Feb;
    # 28 Feb -> 29 Mar (the next date is 30 March, the day taken from the first payment).
    # To 1 March 2027 the payment on 28 February would cover to 29 March: left out.
    dates = instalment_dates(date(2026, 11, 30), date(2027, 3, 1), InstalmentFrequency.MONTHLY)
    assert dates == [date(2026, 11, 30), date(2026, 12, 30), date(2027, 1, 30)]
    # To 29 March 2027 it fits and is included; to 28 March it does not.
    to_29 = instalment_dates(date(2026, 11, 30), date(2027, 3, 29), InstalmentFrequency.MONTHLY)
    assert to_29 == [date(2026, 11, 30), date(2026, 12, 30), date(2027, 1, 30), date(2027, 2, 28)]
    to_28 = instalment_dates(date(2026, 11, 30), date(2027, 3, 28), InstalmentFrequency.MONTHLY)
    assert to_28 == dates


def test_single_instalment_when_first_is_the_period_end():
    day = date(2027, 3, 31)
    assert instalment_dates(day, day, InstalmentFrequency.MONTHLY) == [day]
    assert instalment_dates(day, day, InstalmentFrequency.FOUR_WEEKLY) == [day]


def test_first_after_period_end_is_refused():
    with pytest.raises(ValueError, match="on or before the end of the period"):
        instalment_dates(date(2027, 4, 1), date(2027, 3, 31), InstalmentFrequency.MONTHLY)


# ---------------------------------------------------------------------------------------------
# Splitting a total into instalments
# ---------------------------------------------------------------------------------------------


def test_twelve_monthly_instalments_sum_exactly():
    amounts = split_evenly(D("30000.01"), 12)
    # 3,000,001p / 12 = 250,000p remainder 1p: the first instalment takes the extra penny.
    assert amounts == [D("2500.01")] + [D("2500.00")] * 11
    assert sum(amounts) == D("30000.01")
    for amount in amounts:
        assert_money(amount)


def test_split_spare_pennies_go_to_the_first_instalments():
    assert split_evenly(D("0.05"), 12) == [D("0.01")] * 5 + [D("0.00")] * 7
    assert split_evenly(D("100.00"), 3) == [D("33.34"), D("33.33"), D("33.33")]
    assert split_evenly(D("0"), 2) == [D("0.00"), D("0.00")]
    assert split_evenly(D("10"), 1) == [D("10.00")]


def test_split_always_sums_to_the_total():
    totals = [D(pennies) / 100 for pennies in range(0, 2000, 7)] + [
        D("9792.42"),
        D("30000.01"),
        D("145797.60"),
        D("999999.99"),
    ]
    for total in totals:
        for count in range(1, 30):
            amounts = split_evenly(total, count)
            assert len(amounts) == count
            assert sum(amounts) == total
            assert max(amounts) - min(amounts) <= PENNY
            assert amounts == sorted(amounts, reverse=True)
            assert all(amount.as_tuple().exponent == -2 for amount in amounts)


def test_split_refusals():
    with pytest.raises(ValueError, match="at least one instalment"):
        split_evenly(D("100.00"), 0)
    with pytest.raises(ValueError, match="£0 or more"):
        split_evenly(D("-0.01"), 2)
    with pytest.raises(ValueError, match="whole pence"):
        split_evenly(D("100.005"), 2)
    with pytest.raises(TypeError):
        split_evenly(100.0, 2)
    with pytest.raises(TypeError):
        split_evenly(D("100.00"), 2.0)


# ---------------------------------------------------------------------------------------------
# Re-spreading a schedule after a budget change
# ---------------------------------------------------------------------------------------------


def monthly_schedule():
    """£30,000.00 a year in 12 monthly instalments of £2,500.00 from 1 April 2026."""
    dates = instalment_dates(date(2026, 4, 1), date(2027, 3, 31), InstalmentFrequency.MONTHLY)
    return list(zip(dates, split_evenly(D("30000.00"), 12), strict=True))


def test_respread_unpaid_never_leaves_a_payment_of_nothing():
    unpaid = [(day, amount, False) for day, amount in monthly_schedule()]
    # April to September (6 x £2,500.00 = £15,000.00) stay; £15,000.05 leaves £0.05 for the
    # 6 payments from 1 October 2026, which would be 5 of £0.01 and one of £0.00.
    with pytest.raises(ValueError) as refused:
        respread_unpaid(unpaid, date(2026, 10, 1), D("15000.05"))
    assert str(refused.value) == (
        "The £0.05 left after the payments already made or due before 1 October 2026 is less "
        "than £0.01 for each of the 6 payments from then"
    )
    with pytest.raises(ValueError, match=r"The £0\.00 left"):
        respread_unpaid(unpaid, date(2026, 10, 1), D("15000.00"))
    # £15,000.06 is a penny each.
    assert respread_unpaid(unpaid, date(2026, 10, 1), D("15000.06")) == (
        [D("2500.00")] * 6 + [D("0.01")] * 6
    )


# ---------------------------------------------------------------------------------------------
# Holiday cover: 5.6 weeks a year, but no more than 28 days
# ---------------------------------------------------------------------------------------------

# 48 hours a week at the National Living Wage: 48 x 12.71 = £610.08 a week.
FULL_WEEK = PaInput(label="PA 1", hours_per_week=D("48"), hourly_rate=D("12.71"))


def test_six_days_a_week_are_covered_for_28_days_not_5_6_weeks():
    (line,) = one_pa(replace(FULL_WEEK, days_per_week=6)).lines
    # 5.6 weeks of 6 days would be 33.6 days; 28 days of 6 is 28 / 6 = 4.67 weeks:
    # 610.08 x (28 / 6) / 52 = 2,847.04 / 52 = 54.750... -> £54.75 a week, not the
    # 610.08 x 5.6 / 52 = 3,416.448 / 52 = 65.70 of 5.6 weeks.
    assert line.gross_weekly == D("610.08")
    assert line.holiday_weekly == D("54.75")
    assert line.holiday_method == HolidayMethod.COVER
    # A year: 54.75 x 52 = £2,847.00 (each weekly figure x 52, as for every figure), not
    # 65.70 x 52 = £3,416.40.
    assert one_pa(replace(FULL_WEEK, days_per_week=6)).holiday_annual == D("2847.00")


def test_seven_days_a_week_are_covered_for_4_weeks():
    # 28 / 7 = 4 weeks: 610.08 x 4 / 52 = 2,440.32 / 52 = 46.929... -> £46.93.
    (line,) = one_pa(replace(FULL_WEEK, days_per_week=7)).lines
    assert line.holiday_weekly == D("46.93")


@pytest.mark.parametrize("days", [None, 2, 5])
def test_five_days_a_week_or_fewer_or_not_known_are_covered_for_5_6_weeks(days):
    # 5.6 weeks of 5 days is exactly 28 days: 610.08 x 5.6 / 52 = 65.70.
    (line,) = one_pa(replace(FULL_WEEK, days_per_week=days)).lines
    assert line.holiday_weekly == D("65.70")


def test_holiday_weeks():
    assert holiday_weeks(D("5.6"), None) == D("5.6")
    assert holiday_weeks(D("5.6"), 5) == D("5.6")
    assert holiday_weeks(D("5.6"), 6) == D(28) / 6
    assert holiday_weeks(D("5.6"), 7) == D(4)


def test_irregular_hours_holiday_pay_is_not_capped_by_days():
    # Rolled up at 12.07% of the hours worked: 610.08 x 12.07% = 73.636... -> £73.64, 6 days
    # or not.
    irregular = replace(FULL_WEEK, irregular_hours=True)
    (line,) = one_pa(replace(irregular, days_per_week=6)).lines
    assert (line.holiday_method, line.holiday_weekly) == (HolidayMethod.ROLLED_UP, D("73.64"))
    assert one_pa(irregular).lines[0].holiday_weekly == D("73.64")


@pytest.mark.parametrize(
    ("days", "message"),
    [
        (0, "PA 1's days a week must be 1 or more"),
        (8, "PA 1 cannot work 8 days a week. There are only 7 days in a week"),
    ],
)
def test_days_a_week_outside_1_to_7_are_refused(days, message):
    with pytest.raises(InvalidDays) as refused:
        one_pa(replace(FULL_WEEK, days_per_week=days))
    assert str(refused.value) == message
    assert (refused.value.field, refused.value.index) == ("days_per_week", 0)


@pytest.mark.parametrize("days", [D("6"), "6", True, 6.0])
def test_days_a_week_must_be_a_whole_number(days):
    with pytest.raises(TypeError, match="PA 1's days a week must be a whole number"):
        one_pa(replace(FULL_WEEK, days_per_week=days))


# ---------------------------------------------------------------------------------------------
# A PA costing for part of a year: the Employment Allowance against the NI of its days
# ---------------------------------------------------------------------------------------------

DECEMBER_6 = date(2026, 12, 6)
MARCH_31 = date(2027, 3, 31)


def for_period(start=DECEMBER_6, end=MARCH_31, **options):
    """A costing of £54,500.00 a year: £50,000.00 of wages and on-costs and £15,000.00 of
    employer's NI, less the £10,500.00 Employment Allowance."""
    figures = {
        "total_annual": D("54500.00"),
        "employer_ni_annual": D("15000.00"),
        "allowance_used_annual": D("10500.00"),
        "claims_employment_allowance": True,
        "allowance_annual": D("10500"),
        "contingency_rate": D("0"),
    } | options
    return pa_amount_for_period(start=start, end=end, **figures)


def test_the_allowance_covers_all_the_ni_of_116_days():
    period = for_period()
    # 6 December 2026 to 31 March 2027 is 116 days of 365. Pro rata, the £4,500.00 of NI left
    # after a year's allowance would be 4,500 x 116 / 365 = £1,430.14 of the
    # 54,500 x 116 / 365 = £17,320.55.
    assert (period.pro_rata, period.ni_pro_rata) == (D("17320.55"), D("1430.14"))
    # But the NI of those days is 15,000 x 116 / 365 = £4,767.12, and the year's £10,500.00
    # allowance covers all of it: no NI.
    (part,) = period.parts
    assert (part.start, part.end, part.ni, part.allowance) == (
        DECEMBER_6,
        MARCH_31,
        D("4767.12"),
        D("4767.12"),
    )
    assert period.ni_payable == D("0.00")
    # The rest pro rata: 50,000 x 116 / 365 = 15,890.410... -> £15,890.41, £1,430.14 less.
    assert period.amount == D("15890.41")


def test_the_allowance_covers_part_of_the_ni_of_a_periods_days():
    # 6 April 2026 to 31 March 2027, 360 days: NI
    # 15,000 x 360 / 365 = 14,794.520... -> £14,794.52, less the £10,500.00 allowance =
    # £4,294.52; the rest 50,000 x 360 / 365 = 49,315.068...; 49,315.068 + 4,294.52 =
    # 53,609.588... -> £53,609.59 (pro rata: 54,500 x 360 / 365 = £53,753.42).
    period = for_period(start=date(2026, 4, 6))
    assert [(p.ni, p.allowance) for p in period.parts] == [(D("14794.52"), D("10500.00"))]
    assert period.ni_payable == D("4294.52")
    assert (period.amount, period.pro_rata) == (D("53609.59"), D("53753.42"))


def test_a_whole_year_has_one_allowance_and_is_the_years_total():
    # 1 April 2027 to 31 March 2028 is the whole of 2027/28 (366 days, 29 February 2028). Its
    # NI is the year's £15,000.00, less the one £10,500.00 allowance = £4,500.00: the year's
    # £54,500.00 to the penny. (1 to 5 April is in the tax year before, but is not made a
    # second year with an allowance of its own: the budget would hold less than its costing.)
    period = for_period(start=date(2027, 4, 1), end=date(2028, 3, 31))
    assert [(p.start, p.end, p.ni, p.allowance) for p in period.parts] == [
        (date(2027, 4, 1), date(2028, 3, 31), D("15000.00"), D("10500.00")),
    ]
    assert period.ni_payable == D("4500.00")
    assert period.amount == period.pro_rata == D("54500.00")


def test_the_contingency_is_added_to_the_ni_left_as_to_the_rest():
    # With 5% contingency the year is 54,500 + 2,725 = £57,225.00, of which the NI left is
    # 4,500 x 1.05 = 4,725. For 116 days the NI is all covered, so the amount is the rest pro
    # rata: (57,225 - 4,725) x 116 / 365 = 52,500 x 116 / 365 = 16,684.931... -> £16,684.93
    # (pro rata 57,225 x 116 / 365 = £18,186.58).
    period = for_period(total_annual=D("57225.00"), contingency_rate=D("0.05"))
    assert (period.amount, period.pro_rata) == (D("16684.93"), D("18186.58"))


def test_without_the_allowance_the_amount_is_pro_rata():
    # £15,000.00 of NI and no allowance, in a £65,000.00 year: 65,000 x 116 / 365 = 20,657.534...
    period = for_period(
        total_annual=D("65000.00"),
        allowance_used_annual=D("0.00"),
        claims_employment_allowance=False,
    )
    assert period.amount == period.pro_rata == D("20657.53")
    assert period.parts == ()


def test_a_year_whose_ni_the_allowance_covers_is_pro_rata_to_the_penny():
    # £2,410.20 of NI a year, all covered: any period's is covered too.
    period = for_period(
        total_annual=D("25370.98"),
        employer_ni_annual=D("2410.20"),
        allowance_used_annual=D("2410.20"),
        contingency_rate=D("0.05"),
    )
    # 25,370.98 x 116 / 365 = 2,943,033.68 / 365 = 8,063.105... -> £8,063.11
    assert period.amount == period.pro_rata == D("8063.11")
    assert period.ni_payable == D("0.00")


def test_a_period_is_within_one_financial_year():
    with pytest.raises(ValueError, match="must end by 31 March 2027"):
        for_period(end=date(2027, 4, 1))


# ---------------------------------------------------------------------------------------------
# No floats anywhere
# ---------------------------------------------------------------------------------------------


def test_module_never_uses_float():
    import ast
    from pathlib import Path

    import budgets.calculations as module

    tree = ast.parse(Path(module.__file__).read_text())
    floats = [
        node.lineno
        for node in ast.walk(tree)
        if (isinstance(node, ast.Constant) and isinstance(node.value, float))
        or (isinstance(node, ast.Name) and node.id == "float")
    ]
    assert floats == []
