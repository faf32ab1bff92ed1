"""The PAYE payroll engine for PA employers: one payslip at a time, pure `Decimal` arithmetic.

Like `budgets.calculations`, everything here is plain arithmetic on frozen dataclasses: no
Django, no database, no floats. A year's PAYE, National Insurance, sick pay and pension figures
arrive as a dated `TaxYearFigures` input and are never written into this module. Every figure a
payslip shows can be redone on paper from the rule cited beside it.

`calculate_payslip` works out one PA's payslip for one pay period:

1. gross pay from the pay lines (hours x hourly rate, to the penny), holiday (taken, accrued or
   rolled up) and Statutory Sick Pay;
2. the automatic-enrolment assessment and pension contributions on qualifying earnings;
3. employee and employer Class 1 National Insurance for the period, and the Employment
   Allowance;
4. PAYE income tax by HMRC's tables method, cumulative or week 1 / month 1;
5. student loan and postgraduate loan repayments;
6. net pay and what the PA costs the employer.

England, Wales and Northern Ireland: Welsh (C) codes are worked out with the same bands, the
Welsh rates being the same as England's in 2026/27; Scottish (S) codes are refused
(`UnsupportedTaxCode`). The product rules and what is not supported are recorded in
docs/adr/0034-payroll-engine.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from enum import StrEnum

from budgets.calculations import (
    ADULT_WAGE_AGE,
    APPRENTICE_NI_AGE,
    PENNY,
    POUND,
    AgeBand,
    BelowMinimumWage,
    NationalFigures,
    PaAge,
    PensionCategory,
    PensionThresholds,
    _decimal,
    _money,
    _ni_money,
    _pounds,
    pension_category,
)

ZERO = Decimal("0.00")
HOURS_IN_A_DAY = 24
# The day the clocks go back in October has an hour more (25 hours in Europe/London).
CLOCK_CHANGE_HOUR = 1
WEEKS_IN_A_YEAR = 52
MONTHS_IN_A_YEAR = 12
# The most days any pay period can hold: a month of 31 days.
MOST_DAYS_IN_A_PERIOD = 31


class PayFrequency(StrEnum):
    """How often the employer runs payroll (HMRC's pay frequencies for PAYE and NI)."""

    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    FOUR_WEEKLY = "four_weekly"
    MONTHLY = "monthly"


# Weeks in each week-based pay period; monthly pay is counted in months instead.
_WEEKS_IN_PERIOD = {
    PayFrequency.WEEKLY: 1,
    PayFrequency.FORTNIGHTLY: 2,
    PayFrequency.FOUR_WEEKLY: 4,
}


class PayKind(StrEnum):
    """What a pay line pays for. Hours of every kind but HOLIDAY are hours worked."""

    DAY = "day"
    NIGHT = "night"
    WAKING_NIGHT = "waking_night"
    SLEEP_IN = "sleep_in"
    HOLIDAY = "holiday"  # holiday taken, paid as pay for the hours
    # Worked out by the engine, never given as an input line:
    ROLLED_UP_HOLIDAY = "rolled_up_holiday"
    SICK_PAY = "sick_pay"


_WORKED_KINDS = frozenset({PayKind.DAY, PayKind.NIGHT, PayKind.WAKING_NIGHT, PayKind.SLEEP_IN})
# Paid by the hour. A sleep-in is paid work but a flat sum a night (its line's "hours" are
# nights), so it is not hours worked: not shown as hours, and no holiday accrues on it.
_HOURLY_KINDS = _WORKED_KINDS - {PayKind.SLEEP_IN}


class HolidayBasis(StrEnum):
    """How the PA's holiday is paid (Working Time Regulations 1998 regs 13, 13A, 15B and 16).

    REGULAR: holiday taken is paid as a pay line when it is taken. ACCRUAL: an irregular-hours
    or part-year worker builds up holiday at 12.07% of the hours worked (reg 15A) and is paid
    when they take it. ROLLED_UP: 12.07% of the pay for hours worked is paid with each period's
    pay, shown as its own line (reg 16(1C), for irregular-hours and part-year workers only).
    """

    REGULAR = "regular"
    ACCRUAL = "accrual"
    ROLLED_UP = "rolled_up"


class NiCategory(StrEnum):
    """The National Insurance category letters this engine supports (HMRC CA38 / CWG2)."""

    A = "A"  # standard
    M = "M"  # under 21: no employer NI up to the upper secondary threshold
    H = "H"  # an apprentice under 25: no employer NI up to the apprentice UST (the same figure)
    C = "C"  # over State Pension age: no employee NI


class StudentLoanPlan(StrEnum):
    """The student loan plan HMRC's start notice (SL1), a P45 or the starter checklist names.

    Plans 1, 2, 4 and 5 are undergraduate loans (plan 5 repayments start on 6 April 2026); a
    postgraduate loan is repaid alongside any of them (`PayslipInput.postgraduate_loan`)."""

    PLAN_1 = "plan_1"
    PLAN_2 = "plan_2"
    PLAN_4 = "plan_4"
    PLAN_5 = "plan_5"


class TaxBasis(StrEnum):
    CUMULATIVE = "cumulative"
    WEEK1_MONTH1 = "week1_month1"  # non-cumulative: this period's pay alone


class PensionMembership(StrEnum):
    """The PA's place in the workplace pension at the start of the pay period.

    NOT_MEMBER: not in the scheme; this period's assessment enrols them if they are an eligible
    jobholder. MEMBER: already in the scheme (auto-enrolled earlier, or joined or opted in at
    their request): contributions continue whatever this period's category. OPTED_OUT: they
    opted out or left: no contributions.
    """

    NOT_MEMBER = "not_member"
    MEMBER = "member"
    OPTED_OUT = "opted_out"


class PensionRelief(StrEnum):
    """How the PA gets tax relief on their contribution (Finance Act 2004 ss.192-193).

    RELIEF_AT_SOURCE (the default, as NEST and most schemes for small employers use): the PA's
    contribution is taken from net pay less basic-rate relief (4% of qualifying earnings for a
    5% contribution) and the provider claims the 1% from HMRC, so PAs who pay no tax get the
    relief too. NET_PAY: the whole 5% is taken before tax is worked out.
    """

    RELIEF_AT_SOURCE = "relief_at_source"
    NET_PAY = "net_pay"


# --------------------------------------------------------------------------------------------
# Refusals: every one a ValueError with a message a budget holder can act on
# --------------------------------------------------------------------------------------------


class PayrollInputError(ValueError):
    """A payslip input that cannot be right: negative hours, a period that does not exist."""


class InvalidTaxCode(PayrollInputError):
    """A tax code this engine cannot read."""

    def __init__(self, code: str):
        self.code = code
        super().__init__("Enter a tax code like 1257L, BR or K475")


class UnsupportedTaxCode(PayrollInputError):
    """A Scottish ("S") tax code: Scottish income tax has its own rates and bands (a starter
    rate, an intermediate rate and more), which are not built in."""

    def __init__(self, code: str, country: str = "Scottish"):
        self.code = code
        self.country = country
        super().__init__(
            f"{code} is a Scottish tax code. Scottish income tax has its own rates and bands, "
            "which this service does not work out, so this PA's payroll should be run by a "
            "payroll bureau"
        )


# --------------------------------------------------------------------------------------------
# One tax year's figures
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaxYearFigures:
    """One tax year's PAYE, National Insurance, sick pay, holiday and pension figures.

    Rates are fractions (Decimal("0.20") is 20%); thresholds are in pounds per period as HMRC
    and DWP publish them. Fortnightly and 4-weekly NI thresholds are 2 and 4 times the weekly
    ones (HMRC CWG2). The automatic-enrolment thresholds are kept for each pay reference period
    as the DWP's yearly review order sets them, because they are not all the yearly figure
    divided evenly (the 4-weekly trigger is £768, not £10,000 / 13 = £769).
    """

    tax_year_start: date
    personal_allowance: Decimal
    basic_rate: Decimal
    basic_rate_band: Decimal
    higher_rate: Decimal
    additional_rate_threshold: Decimal
    additional_rate: Decimal
    k_code_limit_rate: Decimal
    employee_ni_main_rate: Decimal
    employee_ni_upper_rate: Decimal
    ni_lel_weekly: Decimal
    ni_lel_monthly: Decimal
    ni_pt_weekly: Decimal
    ni_pt_monthly: Decimal
    ni_uel_weekly: Decimal
    ni_uel_monthly: Decimal
    ni_st_weekly: Decimal
    ni_st_monthly: Decimal
    ni_ust_weekly: Decimal
    ni_ust_monthly: Decimal
    employer_ni_rate: Decimal
    employment_allowance_annual: Decimal
    ssp_weekly_rate: Decimal
    ssp_earnings_rate: Decimal
    holiday_accrual_rate: Decimal
    pension_employer_min_rate: Decimal
    pension_employee_min_rate: Decimal
    pension_lower_weekly: Decimal
    pension_lower_fortnightly: Decimal
    pension_lower_four_weekly: Decimal
    pension_lower_monthly: Decimal
    pension_trigger_weekly: Decimal
    pension_trigger_fortnightly: Decimal
    pension_trigger_four_weekly: Decimal
    pension_trigger_monthly: Decimal
    pension_upper_weekly: Decimal
    pension_upper_fortnightly: Decimal
    pension_upper_four_weekly: Decimal
    pension_upper_monthly: Decimal
    student_loan_rate: Decimal
    postgraduate_loan_rate: Decimal
    student_loan_plan_1_annual: Decimal
    student_loan_plan_2_annual: Decimal
    student_loan_plan_4_annual: Decimal
    student_loan_plan_5_annual: Decimal
    postgraduate_loan_annual: Decimal

    def ni_thresholds(self, frequency: PayFrequency) -> NiThresholds:
        """The NI limits and thresholds for one pay period: the monthly figures, or the weekly
        ones times the weeks in the period (HMRC CWG2, "Pay periods other than weekly or
        monthly")."""
        frequency = PayFrequency(frequency)
        names = ("lel", "pt", "uel", "st", "ust")
        if frequency is PayFrequency.MONTHLY:
            return NiThresholds(*(getattr(self, f"ni_{name}_monthly") for name in names))
        weeks = _WEEKS_IN_PERIOD[frequency]
        return NiThresholds(*(getattr(self, f"ni_{name}_weekly") * weeks for name in names))

    def pension_thresholds(self, frequency: PayFrequency) -> PensionThresholds:
        """The automatic-enrolment limits for one pay reference period (Pensions Act 2008
        ss.3(6A), 13(1) and 15A; the yearly Automatic Enrolment (Earnings Trigger and
        Qualifying Earnings Band) Review Order)."""
        suffix = PayFrequency(frequency).value
        return PensionThresholds(
            lower=getattr(self, f"pension_lower_{suffix}"),
            upper=getattr(self, f"pension_upper_{suffix}"),
            trigger=getattr(self, f"pension_trigger_{suffix}"),
        )


@dataclass(frozen=True)
class NiThresholds:
    """Class 1 NI limits for one pay period, in pounds."""

    lel: Decimal  # lower earnings limit
    pt: Decimal  # primary threshold
    uel: Decimal  # upper earnings limit
    st: Decimal  # secondary threshold
    ust: Decimal  # upper secondary threshold (under-21s)


# --------------------------------------------------------------------------------------------
# Inputs and results
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PayLine:
    """One line of pay: hours of one kind at one hourly rate (a sleep-in paid as a flat sum is
    one hour at that sum)."""

    description: str
    kind: PayKind
    hours: Decimal
    hourly_rate: Decimal


@dataclass(frozen=True)
class SicknessInput:
    """Sickness in the pay period, for Statutory Sick Pay.

    `average_weekly_earnings`: the PA's average weekly earnings over the 8 weeks before the
    sickness began. `qualifying_days_per_week`: the days in a week they normally work (1 to 7).
    `sick_days`: the qualifying days of this pay period's timesheets on which they were off sick.
    `arrears_days`: sick days of earlier pay periods paid late in this one (a timesheet
    approved after its own period's pay run), shown on a line of their own.
    `days_paid_before`: the days of sickness already paid for in the same period of entitlement
    (the spell of sickness this one links to: `ssp_days_in_linked_spell`).
    """

    average_weekly_earnings: Decimal
    qualifying_days_per_week: int
    sick_days: int
    days_paid_before: int = 0
    arrears_days: int = 0


@dataclass(frozen=True)
class PayslipInput:
    """One PA's pay for one pay period, and what the payroll knows of them.

    `tax_period` is the tax week (1 to 53; for fortnightly pay up to 54, for 4-weekly up to 56,
    HMRC's week 53 rules) or the tax month (1 to 12) in which the pay day falls.
    `taxable_pay_to_date` and `tax_paid_to_date` are the totals for the tax year before this
    period (including a previous employment's figures from a P45). `age` is the PA's age on the
    pay day (`budgets.calculations.pa_age`): it decides the NI category and pension duties.
    `employment_allowance_remaining` is what is left of the employer's allowance for the year
    before this payslip.
    """

    label: str
    frequency: PayFrequency
    tax_period: int
    lines: tuple[PayLine, ...]
    tax_code: str
    age: PaAge
    week1_month1: bool = False
    taxable_pay_to_date: Decimal = ZERO
    tax_paid_to_date: Decimal = ZERO
    holiday_basis: HolidayBasis = HolidayBasis.REGULAR
    sickness: SicknessInput | None = None
    pension_membership: PensionMembership = PensionMembership.NOT_MEMBER
    pension_relief: PensionRelief = PensionRelief.RELIEF_AT_SOURCE
    claims_employment_allowance: bool = False
    employment_allowance_remaining: Decimal = ZERO
    student_loan_plan: StudentLoanPlan | None = None
    postgraduate_loan: bool = False


@dataclass(frozen=True)
class PayslipLine:
    """One line of gross pay as the payslip shows it. Hours and rate are None for lines worked
    out as a sum (rolled-up holiday pay, Statutory Sick Pay)."""

    description: str
    kind: PayKind
    hours: Decimal | None
    hourly_rate: Decimal | None
    amount: Decimal


@dataclass(frozen=True)
class GrossPay:
    """What the PA is paid before deductions, line by line. `holiday_hours_accrued` is the
    holiday built up this period on the accrual basis (0 otherwise)."""

    lines: tuple[PayslipLine, ...]
    hours_worked: Decimal
    holiday_hours_accrued: Decimal
    rolled_up_holiday_pay: Decimal
    statutory_sick_pay: Decimal

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)


@dataclass(frozen=True)
class TaxCode:
    """A tax code read by `parse_tax_code`. `code` is the code as HMRC writes it, with any C
    (Welsh) prefix: C1257L. `number` is the code's number for L and K codes (0 for 0T), None
    for BR, D0, D1 and NT. `kind` is "L", "K", "BR", "D0", "D1" or "NT"."""

    code: str
    kind: str
    number: int | None
    week1_month1: bool


@dataclass(frozen=True)
class TaxResult:
    """Income tax for the period, with the figures that show how it was worked out."""

    tax_code: str
    basis: TaxBasis
    free_pay: Decimal  # free pay (negative: K code additional pay) for the calculation
    taxable_pay: Decimal  # the whole pounds taxed for the calculation (to date or period)
    tax_due: Decimal  # the tax due on that taxable pay
    tax: Decimal  # deducted this period (negative: a refund)
    tax_held_back: Decimal  # tax not deducted because of the K code overriding limit


@dataclass(frozen=True)
class NiResult:
    category: NiCategory
    earnings_up_to_lel: Decimal  # RTI "earnings at the LEL"
    earnings_lel_to_pt: Decimal  # RTI "earnings above the LEL up to the PT"
    earnings_pt_to_uel: Decimal  # RTI "earnings above the PT up to the UEL"
    employee: Decimal
    employer_before_allowance: Decimal
    employment_allowance_used: Decimal
    employer: Decimal


@dataclass(frozen=True)
class PensionResult:
    category: PensionCategory
    member: bool  # in the scheme for this period, so contributions are due
    enrolled_now: bool  # auto-enrolled by this period's assessment
    qualifying_earnings: Decimal
    employee_contribution: Decimal  # the PA's 5%, before any relief at source
    employee_deduction: Decimal  # taken from the PA's pay
    relief_at_source: Decimal  # claimed by the provider from HMRC (relief at source only)
    employer_contribution: Decimal


@dataclass(frozen=True)
class LoanResult:
    """Student loan and postgraduate loan repayments for one pay period, whole pounds."""

    plan: StudentLoanPlan | None
    student_loan: Decimal
    postgraduate_loan: Decimal


@dataclass(frozen=True)
class PayslipResult:
    label: str
    frequency: PayFrequency
    tax_period: int
    pay: GrossPay
    gross_pay: Decimal
    taxable_pay: Decimal  # this period's pay for tax (gross less a net pay arrangement)
    taxable_pay_to_date: Decimal  # after this period
    tax_paid_to_date: Decimal  # after this period
    tax: TaxResult
    ni: NiResult
    pension: PensionResult
    loans: LoanResult
    net_pay: Decimal
    employer_cost: Decimal


# --------------------------------------------------------------------------------------------
# Checking inputs
# --------------------------------------------------------------------------------------------


def _amount(value: Decimal | int, what: str, *, money: bool = True) -> Decimal:
    """A sum of £0 or more in whole pence, or (`money` False) hours: 0 or more, to at most
    2 decimal places."""
    try:
        value = _decimal(value, what)
    except (TypeError, ValueError) as error:
        raise PayrollInputError(str(error)) from error
    if value < 0:
        raise PayrollInputError(f"{what} must be 0 or more")
    if value != value.quantize(PENNY, rounding=ROUND_FLOOR):
        if money:
            raise PayrollInputError(f"{what} must be in whole pence")
        raise PayrollInputError(f"{what} must have no more than 2 decimal places")
    return value


def _whole_number(value: int, what: str, lowest: int, highest: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise PayrollInputError(f"{what} must be a whole number")
    if not lowest <= value <= highest:
        raise PayrollInputError(f"{what} must be from {lowest} to {highest}")
    return value


def _last_tax_period(frequency: PayFrequency) -> int:
    """The highest tax period a pay day can fall in: month 12, or week 53 (paid fortnightly,
    HMRC counts a pay day in week 53 as week 54; paid 4-weekly, as week 56)."""
    if frequency is PayFrequency.MONTHLY:
        return MONTHS_IN_A_YEAR
    return WEEKS_IN_A_YEAR + _WEEKS_IN_PERIOD[frequency]


def hours_in_period(frequency: PayFrequency) -> int:
    """The most hours a pay period can hold: its days x 24, and the hour the clocks go back in
    October (a month of 31 days that holds 25 October 2026 has 745 hours)."""
    if frequency is PayFrequency.MONTHLY:
        return MOST_DAYS_IN_A_PERIOD * HOURS_IN_A_DAY + CLOCK_CHANGE_HOUR
    return _WEEKS_IN_PERIOD[frequency] * 7 * HOURS_IN_A_DAY + CLOCK_CHANGE_HOUR


# --------------------------------------------------------------------------------------------
# Gross pay, holiday and Statutory Sick Pay
# --------------------------------------------------------------------------------------------


def price_line(line: PayLine, frequency: PayFrequency) -> PayslipLine:
    """One pay line: hours x hourly rate, rounded half up to the penny.

    Hours may have up to 2 decimal places (7.25 is 7 hours 15 minutes) and are at most the
    hours in the pay period; the rate must be in whole pence. Hours beyond 24 in a day are for
    the timesheet to refuse: a pay line may cover several days.
    """
    frequency = PayFrequency(frequency)
    kind = PayKind(line.kind)
    if kind in (PayKind.ROLLED_UP_HOLIDAY, PayKind.SICK_PAY):
        raise PayrollInputError(
            "Rolled-up holiday pay and sick pay are worked out by the payroll, not entered"
        )
    hours = _amount(line.hours, f"Hours for {line.description}", money=False)
    most = hours_in_period(frequency)
    if hours > most:
        raise PayrollInputError(
            f"{line.description} cannot be {hours.normalize():f} hours: a "
            f"{frequency.value.replace('_', '-')} pay period has at most "
            f"{most} hours"
        )
    rate = _amount(line.hourly_rate, f"The hourly rate for {line.description}")
    return PayslipLine(line.description, kind, hours, rate, _money(hours * rate))


# SSP is paid for at most 28 weeks in one period of entitlement (SSCBA 1992 s.155(4)); spells
# of sickness 8 weeks (56 days) or less apart link into one (s.152(3)).
SSP_MOST_WEEKS = 28
SSP_LINKING_DAYS = 56


def ssp_days_in_linked_spell(earlier_sick_days: Iterable[date], first_sick_day: date) -> int:
    """How many of `earlier_sick_days` are in the spell of sickness that `first_sick_day`
    continues: counting back from it, each earlier sick day no more than 56 days before the
    next one links to it (from 6 April 2026, as the Employment Rights Act 2025 amended it, SSP is
    due from the first day, so a single day of sickness counts)."""
    spell = 0
    following = first_sick_day
    for day in sorted({d for d in earlier_sick_days if d < first_sick_day}, reverse=True):
        if (following - day).days > SSP_LINKING_DAYS:
            break
        spell += 1
        following = day
    return spell


# A sanity bound only: more sick days than a year has is a mistake in the caller.
_MOST_SICK_DAYS = 366


def ssp_days_payable(sickness: SicknessInput) -> int:
    """The sick days, arrears and this period's, that SSP pays for: none beyond 28 weeks of
    qualifying days (28 x the qualifying days in a week) in the period of entitlement."""
    most = SSP_MOST_WEEKS * sickness.qualifying_days_per_week
    days = sickness.arrears_days + sickness.sick_days
    return max(0, min(days, most - sickness.days_paid_before))


def ssp_days_paid(sickness: SicknessInput) -> tuple[int, int]:
    """(arrears days paid, this period's days paid): the arrears are the earlier days, so they
    come first under the 28-week limit."""
    payable = ssp_days_payable(sickness)
    arrears = min(sickness.arrears_days, payable)
    return arrears, payable - arrears


def statutory_sick_pay_parts(
    sickness: SicknessInput, frequency: PayFrequency, figures: TaxYearFigures
) -> tuple[Decimal, Decimal]:
    """Statutory Sick Pay for the arrears and for this period's sick days, each worked out as
    `statutory_sick_pay` says (and each rounded up to the penny, as each period's would have
    been had it been paid on time)."""
    PayFrequency(frequency)
    earnings = _amount(sickness.average_weekly_earnings, "Average weekly earnings")
    days_a_week = _whole_number(
        sickness.qualifying_days_per_week, "Qualifying days in a week", 1, 7
    )
    # No upper limit per period: a pay run may pay a timesheet that runs past the period's
    # end, and arrears of earlier periods; the 28-week limit caps what is paid.
    _whole_number(sickness.sick_days, "Sick days in this pay period", 0, _MOST_SICK_DAYS)
    _whole_number(sickness.arrears_days, "Sick days paid late", 0, _MOST_SICK_DAYS)
    _whole_number(
        sickness.days_paid_before,
        "Sick days paid before",
        0,
        SSP_MOST_WEEKS * days_a_week,
    )
    weekly_rate = min(figures.ssp_weekly_rate, earnings * figures.ssp_earnings_rate)
    return tuple(
        (weekly_rate * days / days_a_week).quantize(PENNY, rounding=ROUND_CEILING)
        for days in ssp_days_paid(sickness)
    )


def statutory_sick_pay(
    sickness: SicknessInput, frequency: PayFrequency, figures: TaxYearFigures
) -> Decimal:
    """Statutory Sick Pay for the sick days paid in the period, under the rules from 6 April
    2026 (Social Security Contributions and Benefits Act 1992 ss.155 and 157 as amended by the
    Employment Rights Act 2025): payable from the first qualifying day of sickness, with no
    waiting days and no lower earnings limit.

    Weekly rate = the lower of the standard rate (£123.25) and 80% of average weekly earnings.
    Daily rate = weekly rate / qualifying days in the week, unrounded; the amount for the sick
    days is rounded up to the penny, as HMRC's daily rate tables do, for the arrears and for
    this period's days apart. Only the days within the 28-week limit are paid
    (`ssp_days_payable`); the caller, which knows the PA's history, says how many days of the
    linked spell were paid before.
    """
    arrears, current = statutory_sick_pay_parts(sickness, frequency, figures)
    return arrears + current


def _days(count: int) -> str:
    return f"{count} day{'' if count == 1 else 's'}"


def gross_pay(payslip: PayslipInput, frequency: PayFrequency, figures: TaxYearFigures) -> GrossPay:
    """The payslip's lines (`price_line`), with holiday accrued or rolled up on the PA's
    holiday basis (`HolidayBasis`) and Statutory Sick Pay (`statutory_sick_pay`)."""
    priced = [price_line(line, frequency) for line in payslip.lines]
    basis = HolidayBasis(payslip.holiday_basis)
    if basis is HolidayBasis.ROLLED_UP and any(p.kind is PayKind.HOLIDAY for p in priced):
        raise PayrollInputError(
            f"{payslip.label}'s holiday pay is rolled up into their pay, so holiday taken is "
            "not paid again"
        )
    worked = [p for p in priced if p.kind in _WORKED_KINDS]
    hours_worked = sum((p.hours for p in worked if p.kind in _HOURLY_KINDS), Decimal(0))
    accrued = ZERO
    rolled_up = ZERO
    if basis is HolidayBasis.ACCRUAL:
        accrued = _money(hours_worked * figures.holiday_accrual_rate)
    elif basis is HolidayBasis.ROLLED_UP:
        pay_for_work = sum((p.amount for p in worked), ZERO)
        rolled_up = _money(pay_for_work * figures.holiday_accrual_rate)
        priced.append(
            PayslipLine(
                f"Rolled-up holiday pay ({(figures.holiday_accrual_rate * 100).normalize():f}% of "
                f"{_pounds(pay_for_work)})",
                PayKind.ROLLED_UP_HOLIDAY,
                None,
                None,
                rolled_up,
            )
        )
    sick_pay = ZERO
    if payslip.sickness is not None:
        parts = statutory_sick_pay_parts(payslip.sickness, frequency, figures)
        words = ("Statutory Sick Pay paid late, for earlier pay periods", "Statutory Sick Pay")
        for what, days, amount in zip(words, ssp_days_paid(payslip.sickness), parts, strict=True):
            if amount:
                priced.append(
                    PayslipLine(f"{what} ({_days(days)})", PayKind.SICK_PAY, None, None, amount)
                )
        sick_pay = sum(parts, ZERO)
    return GrossPay(tuple(priced), hours_worked, accrued, rolled_up, sick_pay)


# --------------------------------------------------------------------------------------------
# Workplace pension
# --------------------------------------------------------------------------------------------


def assess_pension(
    age: PaAge,
    earnings: Decimal,
    frequency: PayFrequency,
    membership: PensionMembership,
    relief: PensionRelief,
    figures: TaxYearFigures,
) -> PensionResult:
    """The automatic-enrolment assessment for one pay reference period and the contributions.

    - Category (`budgets.calculations.pension_category`, Pensions Act 2008 ss.1 and 3) from the
      PA's age and their earnings in the period (qualifying earnings include holiday pay and
      Statutory Sick Pay, s.13(3)) against the period's thresholds.
    - An eligible jobholder who is not yet a member is enrolled now (s.3); one who opted out
      is not. A member stays one whatever the period's category, until they opt out.
    - Contributions are on qualifying earnings: pay between the period's lower and upper limits
      (s.13). The employer pays at least 3%, the PA 5% including tax relief (8% in all,
      s.20 and the Occupational and Personal Pension Schemes (Automatic Enrolment) Regulations
      2010 reg 32M). Each is rounded half up to the penny.
    - An entitled worker (paid no more than the lower limit) has no qualifying earnings, so a
      member in that position pays nothing and the employer need not contribute (s.9).
      At 75 or over the duties end (NOT_COVERED): no contributions are worked out here.
    - Relief at source: the PA's deduction is their contribution less basic-rate relief
      (5% x (1 - 20%) = 4%), rounded half up; the provider claims the rest from HMRC.
      Net pay arrangement: the whole contribution is deducted before tax.
    """
    membership = PensionMembership(membership)
    relief = PensionRelief(relief)
    limits = figures.pension_thresholds(frequency)
    category = pension_category(age, earnings, limits)
    enrolled_now = (
        membership is PensionMembership.NOT_MEMBER and category is PensionCategory.ELIGIBLE
    )
    member = (
        membership is PensionMembership.MEMBER or enrolled_now
    ) and category is not PensionCategory.NOT_COVERED
    qualifying = max(ZERO, min(earnings, limits.upper) - limits.lower)
    if not member:
        return PensionResult(category, False, False, qualifying, ZERO, ZERO, ZERO, ZERO)
    employee = _money(qualifying * figures.pension_employee_min_rate)
    if relief is PensionRelief.RELIEF_AT_SOURCE:
        deduction = _money(
            qualifying * figures.pension_employee_min_rate * (1 - figures.basic_rate)
        )
    else:
        deduction = employee
    return PensionResult(
        category=category,
        member=True,
        enrolled_now=enrolled_now,
        qualifying_earnings=qualifying,
        employee_contribution=employee,
        employee_deduction=deduction,
        relief_at_source=employee - deduction,
        employer_contribution=_money(qualifying * figures.pension_employer_min_rate),
    )


# --------------------------------------------------------------------------------------------
# National Insurance
# --------------------------------------------------------------------------------------------


def ni_category(age: PaAge) -> NiCategory:
    """C over State Pension age; H an apprentice under 25, even one under 21; M under 21; A
    otherwise (HMRC CWG2, "category letters"; "Paying employer National Insurance
    contributions for apprentices under 25"). `age.apprentice` is whether they are an
    apprentice now (`PersonalAssistant.apprentice`), whatever their year of it. Veterans (V)
    are not supported: they are paid as A, which deducts no less employee NI and only
    overstates the employer's."""
    if age.state_pension_reached:
        return NiCategory.C
    if age.apprentice and age.age is not None and age.age < APPRENTICE_NI_AGE:
        return NiCategory.H
    if age.age is not None and age.age < ADULT_WAGE_AGE:
        return NiCategory.M
    return NiCategory.A


def _band(pay: Decimal, lower: Decimal, upper: Decimal | None = None) -> Decimal:
    """The part of `pay` above `lower` and up to `upper` (no upper: all of it above)."""
    top = pay if upper is None else min(pay, upper)
    return max(ZERO, top - lower)


def national_insurance(
    pay: Decimal,
    category: NiCategory,
    frequency: PayFrequency,
    figures: TaxYearFigures,
    allowance_remaining: Decimal = ZERO,
) -> NiResult:
    """Class 1 NI for one pay period by HMRC's exact percentage method (CWG2, CA38).

    Employee (categories A, M and H): 8% of pay between the primary threshold and the upper
    earnings limit, plus 2% of pay above it; category C pays none. Employer: 15% of pay above
    the secondary threshold, or for categories M and H above the upper secondary threshold. Each
    total is rounded to the penny, an amount of exactly half a penny rounding down
    (`budgets.calculations._ni_money`). Thresholds are per period (`TaxYearFigures.ni_thresholds`)
    and NI is not cumulative for employees who are not directors.

    Employment Allowance (National Insurance Contributions Act 2014 s.1): up to what is left of
    the year's allowance is set against the employer's NI; what is used is returned.
    """
    category = NiCategory(category)
    limits = figures.ni_thresholds(frequency)
    if category is NiCategory.C:
        employee = ZERO
    else:
        employee = _ni_money(
            figures.employee_ni_main_rate * _band(pay, limits.pt, limits.uel)
            + figures.employee_ni_upper_rate * _band(pay, limits.uel)
        )
    # The apprentice upper secondary threshold (H) is the same figure as the upper secondary
    # threshold (M): the upper earnings limit, £50,270 a year in 2026/27.
    secondary = limits.ust if category in (NiCategory.M, NiCategory.H) else limits.st
    employer = _ni_money(figures.employer_ni_rate * _band(pay, secondary))
    used = min(employer, allowance_remaining)
    return NiResult(
        category=category,
        earnings_up_to_lel=_money(limits.lel) if pay >= limits.lel else ZERO,
        earnings_lel_to_pt=_money(_band(pay, limits.lel, limits.pt)),
        earnings_pt_to_uel=_money(_band(pay, limits.pt, limits.uel)),
        employee=employee,
        employer_before_allowance=employer,
        employment_allowance_used=used,
        employer=employer - used,
    )


# --------------------------------------------------------------------------------------------
# Student and postgraduate loans
# --------------------------------------------------------------------------------------------


def loan_threshold(annual: Decimal, frequency: PayFrequency) -> Decimal:
    """A yearly loan threshold for one pay period, as HMRC publishes it: the year's figure
    divided by 12 (monthly) or 52 (weekly), rounded down to the penny (plan 1's £26,900 is
    £2,241.66 a month and £517.30 a week); fortnightly and 4-weekly, 2 and 4 times the weekly
    figure."""
    frequency = PayFrequency(frequency)
    if frequency is PayFrequency.MONTHLY:
        return (annual / MONTHS_IN_A_YEAR).quantize(PENNY, rounding=ROUND_FLOOR)
    weekly = (annual / WEEKS_IN_A_YEAR).quantize(PENNY, rounding=ROUND_FLOOR)
    return weekly * _WEEKS_IN_PERIOD[frequency]


def _repayment(pay: Decimal, threshold: Decimal, rate: Decimal) -> Decimal:
    """`rate` of the pay above the threshold, rounded down to the whole pound (HMRC, "Collect
    student loan deductions": any pence are dropped)."""
    return _money((rate * _band(pay, threshold)).quantize(POUND, rounding=ROUND_FLOOR))


def student_loans(
    pay: Decimal,
    plan: StudentLoanPlan | None,
    postgraduate: bool,
    frequency: PayFrequency,
    figures: TaxYearFigures,
) -> LoanResult:
    """Student and postgraduate loan repayments for one pay period (Education (Student Loans)
    (Repayment) Regulations 2009, Part 4; HMRC CWG2): 9% of the pay above the plan's threshold
    and 6% of the pay above the postgraduate threshold, each on the same earnings as Class 1 NI,
    for this period alone (never cumulative), rounded down to the pound."""
    student = postgrad = ZERO
    if plan is not None:
        plan = StudentLoanPlan(plan)
        annual = getattr(figures, f"student_loan_{plan.value}_annual")
        student = _repayment(pay, loan_threshold(annual, frequency), figures.student_loan_rate)
    if postgraduate:
        threshold = loan_threshold(figures.postgraduate_loan_annual, frequency)
        postgrad = _repayment(pay, threshold, figures.postgraduate_loan_rate)
    return LoanResult(plan=plan, student_loan=student, postgraduate_loan=postgrad)


# --------------------------------------------------------------------------------------------
# PAYE income tax
# --------------------------------------------------------------------------------------------

_BASIS_SUFFIX = re.compile(r"(?:W1/M1|W1|M1|X)$")
_L_CODE = re.compile(r"(\d{1,4})[LMNT]")
_K_CODE = re.compile(r"K(\d{1,4})")
_FLAT_CODES = ("BR", "D0", "D1", "NT")


def parse_tax_code(text: str) -> TaxCode:
    """Read a tax code as HMRC issues it, for England, Wales and Northern Ireland.

    Numeric codes with suffix L, M, N or T (1257L, 1257M, 1257N, 1257T: the suffix tells HMRC
    why, the tables treat them alike), 0T, K codes (K475), BR, D0, D1 and NT. A trailing W1,
    M1, W1/M1 or X (as RTI writes it) means week 1 / month 1 basis. Spaces and case do not
    matter. A C prefix (C1257L, C0T, CBR, CD0, CD1, CK100) is a Welsh code: the Welsh rates of
    income tax are the same as England's in 2026/27, so it is worked out alike and keeps its C
    (HMRC has no Welsh NT). Scottish (S...) codes are refused with `UnsupportedTaxCode`;
    anything else with `InvalidTaxCode`.
    """
    if not isinstance(text, str):
        raise InvalidTaxCode(str(text))
    code = re.sub(r"\s+", "", text).upper()
    if not code or len(code) > 12:
        raise InvalidTaxCode(text)
    body = _BASIS_SUFFIX.sub("", code)
    week1_month1 = body != code
    if body.startswith("S") and _is_code(body[1:], scottish=True):
        raise UnsupportedTaxCode(body)
    prefix, rest = ("C", body[1:]) if body.startswith("C") else ("", body)
    if rest in _FLAT_CODES and not (prefix and rest == "NT"):
        return TaxCode(body, rest, None, week1_month1)
    if match := _L_CODE.fullmatch(rest):
        return TaxCode(body, "L", int(match.group(1)), week1_month1)
    if match := _K_CODE.fullmatch(rest):
        return TaxCode(body, "K", int(match.group(1)), week1_month1)
    raise InvalidTaxCode(text)


def _is_code(body: str, *, scottish: bool) -> bool:
    """Whether `body` is a tax code once its S prefix is taken off (Scottish codes also have
    D2 to D8 for their extra rates)."""
    if body in _FLAT_CODES or _L_CODE.fullmatch(body) or _K_CODE.fullmatch(body):
        return True
    return scottish and re.fullmatch(r"D[2-8]", body) is not None


def emergency_tax_code(figures: TaxYearFigures) -> str:
    """The emergency code for the year: the personal allowance / 10 with L (1257L for a
    £12,570 allowance), used on a starter checklist with statement A (cumulative) or B (week 1 /
    month 1), HMRC "PAYE: new employees"."""
    return f"{int(figures.personal_allowance // 10)}L"


def _round_up(value: Decimal, step: Decimal) -> Decimal:
    return value.quantize(step, rounding=ROUND_CEILING)


# Table A's pay adjustment for each whole 500 of a code number, a week or a month (HMRC
# Specification for PAYE Tax Table Routines: 500 x 10 / 52 and 500 x 10 / 12, rounded up).
_PAY_ADJUSTMENT_BLOCK = 500
_BLOCK_ADJUSTMENT = {WEEKS_IN_A_YEAR: Decimal("96.16"), MONTHS_IN_A_YEAR: Decimal("416.67")}


def pay_adjustment(number: int, periods_in_year: int) -> Decimal:
    """Table A's pay adjustment for one week (`periods_in_year` 52) or one month (12) for a
    code number, as HMRC's Specification for PAYE Tax Table Routines works it out: up to 500,
    (number x 10 + 9) / 52 or / 12 rounded UP to the penny; over 500, the number less 1 is
    divided by 500, and each whole 500 adds £96.16 a week (£416.67 a month) to the figure for
    the rest (the remainder plus 1, so 1 to 500). 1257: 2 x £416.67 + 2,579 / 12 = 214.9166
    -> £214.92, so £1,048.26 a month; 2 x £96.16 + 2,579 / 52 = 49.5961 -> £49.60, so £241.92
    a week. The figure to date is this times the week or month number."""
    blocks, rest = 0, number
    if number > _PAY_ADJUSTMENT_BLOCK:
        blocks, rest = divmod(number - 1, _PAY_ADJUSTMENT_BLOCK)
        rest += 1
    remainder = _round_up(Decimal(rest * 10 + 9) / periods_in_year, PENNY)
    return blocks * _BLOCK_ADJUSTMENT[periods_in_year] + remainder


def _tax_on(taxable: Decimal, scale: Decimal, figures: TaxYearFigures) -> Decimal:
    """Tax on whole pounds of taxable pay with the bands scaled to the calculation
    (`scale` = the fraction of the year, e.g. 1/12 for month 1): each band limit is rounded
    up to the whole pound (HMRC Specification for PAYE Tax Table Routines, "rate bands")."""
    basic_limit = _round_up(figures.basic_rate_band * scale, POUND)
    higher_limit = _round_up(figures.additional_rate_threshold * scale, POUND)
    return (
        figures.basic_rate * _band(taxable, ZERO, basic_limit)
        + figures.higher_rate * _band(taxable, basic_limit, higher_limit)
        + figures.additional_rate * _band(taxable, higher_limit)
    ).quantize(PENNY, rounding=ROUND_FLOOR)


def income_tax(
    code: TaxCode,
    pay: Decimal,
    frequency: PayFrequency,
    tax_period: int,
    to_date: tuple[Decimal, Decimal],
    figures: TaxYearFigures,
) -> TaxResult:
    """PAYE income tax for the period by HMRC's tables method (Specification for PAYE Tax
    Table Routines; Income Tax (PAYE) Regulations 2003 regs 21-23 and 28).

    `to_date` is (taxable pay, tax paid) in the tax year before this period. Basis:
    cumulative, unless the code is week 1 / month 1 (W1, M1 or X), or the pay day is in week 53
    (or 54/56 paid fortnightly/4-weekly), which is always taxed on week 1 basis. Cumulative:
    tax due on the pay to date (including this period's) less tax paid to date is this
    period's tax, which may be a refund. Week 1 / month 1: this period's pay alone, never a
    refund.

    - Free pay (L codes): Table A's pay adjustment for one week or month (`pay_adjustment`:
      blocks of 500 at £96.16 a week or £416.67 a month, the rest (remainder x 10 + 9) / 52
      or / 12 rounded UP to the penny), times the week or month number to date; on week 1
      basis, times the weeks in the pay period. 1257L month 1: 2 x 416.67 + 214.92 =
      £1,048.26; week 1: 2 x 96.16 + 49.60 = £241.92. Code 0T has no free pay.
    - K codes: the same figure, worked out the same way, is additional pay, added to pay
      instead of taken off.
    - Taxable pay (to date) is rounded DOWN to whole pounds, never below £0.
    - Tax: 20% up to the basic rate band, 40% up to the additional rate threshold, 45% above,
      the band limits scaled in the same way and rounded up to the pound; the tax rounded
      down to the penny.
    - BR, D0 and D1: all pay at 20%, 40% or 45%, cumulatively unless week 1 basis (HMRC,
      "Useful definitions": BR may be operated cumulatively, on the running total of pay to
      date; PAYE11015: D0 may be issued on either basis). A cumulative BR code may refund, as
      any cumulative code does; a D code never refunds (HMRC's instructions on form P6:
      "Tax code D ... Do not make any refunds"), so its tax is never below £0.
    - NT: no tax is deducted and none is refunded, on either basis (form P6: "Do not deduct
      tax ... Do not make any refunds"); tax paid earlier in the year under another code stays
      paid.
    - K codes: the tax in a period may not be more than 50% of the period's pay (the overriding
      limit, reg 23); what is held back is collected later by the cumulative calculation.
    """
    frequency = PayFrequency(frequency)
    weeks = _WEEKS_IN_PERIOD.get(frequency)
    week_53 = weeks is not None and tax_period > WEEKS_IN_A_YEAR
    cumulative = not (code.week1_month1 or week_53)
    pay_to_date, tax_paid_to_date = to_date
    periods_in_year = MONTHS_IN_A_YEAR if weeks is None else WEEKS_IN_A_YEAR
    if cumulative:
        scale = Decimal(tax_period) / periods_in_year
        pay_taxed = pay_to_date + pay
    else:
        scale = Decimal(weeks or 1) / periods_in_year
        pay_taxed = pay

    free_pay = ZERO
    if code.kind in ("L", "K") and code.number:
        one_period = pay_adjustment(code.number, periods_in_year)
        free_pay = one_period * (tax_period if cumulative else (weeks or 1))
        if code.kind == "K":
            free_pay = -free_pay

    taxable = max(ZERO, pay_taxed - free_pay).quantize(POUND, rounding=ROUND_FLOOR)
    flat_rates = {
        "BR": figures.basic_rate,
        "D0": figures.higher_rate,
        "D1": figures.additional_rate,
        "NT": Decimal(0),
    }
    if code.kind in flat_rates:
        tax_due = (taxable * flat_rates[code.kind]).quantize(PENNY, rounding=ROUND_FLOOR)
    else:
        tax_due = _tax_on(taxable, scale, figures)

    tax = tax_due - tax_paid_to_date if cumulative else tax_due
    if code.kind == "NT":
        taxable, tax = ZERO, ZERO
    elif code.kind in ("D0", "D1"):
        tax = max(ZERO, tax)
    held_back = ZERO
    if code.kind == "K":
        limit = (pay * figures.k_code_limit_rate).quantize(PENNY, rounding=ROUND_FLOOR)
        if tax > limit:
            held_back, tax = tax - limit, limit
    return TaxResult(
        tax_code=code.code,
        basis=TaxBasis.CUMULATIVE if cumulative else TaxBasis.WEEK1_MONTH1,
        free_pay=free_pay,
        taxable_pay=taxable,
        tax_due=tax_due,
        tax=tax,
        tax_held_back=held_back,
    )


# --------------------------------------------------------------------------------------------
# The payslip
# --------------------------------------------------------------------------------------------


def calculate_payslip(payslip: PayslipInput, figures: TaxYearFigures) -> PayslipResult:
    """One PA's payslip for one pay period, every figure worked out as the docstrings above say.

    - Gross pay = the pay lines + rolled-up holiday pay + Statutory Sick Pay.
    - Pension: assessed and worked out on gross pay (`assess_pension`).
    - NI: on gross pay (a pension contribution, either way, does not reduce it).
    - Taxable pay: gross pay, less the PA's contribution under a net pay arrangement.
    - Student and postgraduate loans: on gross pay, the NI earnings (`student_loans`).
    - Net pay = gross - tax - employee NI - the PA's pension deduction - loan repayments (a
      refund of tax adds).
    - Employer cost = gross + employer NI after the Employment Allowance + employer pension.
    """
    frequency = PayFrequency(payslip.frequency)
    if isinstance(payslip.lines, str | bytes) or not isinstance(payslip.lines, Iterable):
        raise PayrollInputError("Pay lines must be a list of lines")
    period = _whole_number(payslip.tax_period, "The tax period", 1, _last_tax_period(frequency))
    pay_to_date = _amount(payslip.taxable_pay_to_date, "Taxable pay to date")
    paid_to_date = _amount(payslip.tax_paid_to_date, "Tax paid to date")
    remaining = ZERO
    if payslip.claims_employment_allowance:
        remaining = _amount(payslip.employment_allowance_remaining, "Employment Allowance left")
        if remaining > figures.employment_allowance_annual:
            raise PayrollInputError(
                "Employment Allowance left must be no more than the year's "
                f"{_pounds(figures.employment_allowance_annual)}"
            )
    code = parse_tax_code(payslip.tax_code)
    if payslip.week1_month1:
        code = replace(code, week1_month1=True)

    pay = gross_pay(payslip, frequency, figures)
    gross = pay.total

    membership, relief = payslip.pension_membership, payslip.pension_relief
    pension = assess_pension(payslip.age, gross, frequency, membership, relief, figures)
    ni = national_insurance(gross, ni_category(payslip.age), frequency, figures, remaining)
    taxable_pay = gross
    if PensionRelief(relief) is PensionRelief.NET_PAY:
        taxable_pay = gross - pension.employee_deduction
    tax = income_tax(code, taxable_pay, frequency, period, (pay_to_date, paid_to_date), figures)
    loans = student_loans(
        gross, payslip.student_loan_plan, payslip.postgraduate_loan, frequency, figures
    )
    deductions = tax.tax + ni.employee + pension.employee_deduction
    return PayslipResult(
        label=payslip.label,
        frequency=frequency,
        tax_period=period,
        pay=pay,
        gross_pay=gross,
        taxable_pay=taxable_pay,
        taxable_pay_to_date=pay_to_date + taxable_pay,
        tax_paid_to_date=paid_to_date + tax.tax,
        tax=tax,
        ni=ni,
        pension=pension,
        loans=loans,
        net_pay=gross - deductions - loans.student_loan - loans.postgraduate_loan,
        employer_cost=gross + ni.employer + pension.employer_contribution,
    )


def check_minimum_wage(
    *, label: str, hourly_rate: Decimal, age_band: AgeBand, figures: NationalFigures
) -> None:
    """Refuse an hourly rate below the National Living Wage or National Minimum Wage for the
    PA's band (`budgets.calculations.wage_band`), with `BelowMinimumWage`'s words. Wage rates
    change on 1 April, not 6 April, so they come from the budget year's `NationalFigures`."""
    minimum = figures.minimum_hourly_rate(age_band)
    if hourly_rate < minimum:
        raise BelowMinimumWage(label, hourly_rate, minimum, age_band)
