"""The budget-setting arithmetic, kept pure so every figure can be shown and checked by hand.

A person must be told how their budget was worked out, so every calculation here is plain
`Decimal` arithmetic on frozen dataclasses: no models, no database, no floats. Money is in
pounds and every money output is rounded to the penny. Rates and thresholds change every year,
so they arrive as a dated `NationalFigures` input and are never written into this module; the
only constants here are conventions of the product (52 weeks a year) and facts (168 hours in a
week, statutory holiday of no more than 28 days).

Four calculations set a budget or pay it out:

- `cost_pas`: the yearly cost of employing personal assistants, with employer on-costs; a PA's
  minimum wage band and workplace pension duties come from their age (`pa_age`,
  `state_pension_date`).
- `cost_chc_package`: the weekly and yearly cost of a conventional CHC package (the cost cap).
- `score_ras`: an indicative budget from a needs questionnaire and a price per point.
- `financial_year`, `amount_for_period`, `instalment_dates`, `split_evenly`, `respread_unpaid`:
  turning a yearly amount into the payments a person receives, and changing them mid-year
  (`pa_amount_for_period` for a PA costing, whose Employment Allowance is not pro rata);
  `in_proportion` and `share_in_proportion` carry a budget into the next year.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_DOWN, ROUND_HALF_UP, Decimal
from enum import StrEnum

# Budgets are stated per week and per year, and the product converts between the two by 52.
# A calendar year is 52 weeks and a day or two, but 52 is what care packages, PA contracts and
# local price lists use, and it makes "per week x 52" a figure a person can check on paper.
# The odd year with 53 weekly pay days is for the contingency to absorb.
WEEKS_PER_YEAR = Decimal(52)

# Monthly pay is converted through the year: weekly x 52 / 12, as payroll bureaux do.
MONTHS_PER_YEAR = Decimal(12)

# Nobody can work more than every hour of the week (several PAs can share 24/7 care).
HOURS_IN_A_WEEK = Decimal(168)
HOURS_IN_A_DAY = Decimal(24)
# Sleeping nights are counted in nights, one a day at most.
NIGHTS_IN_A_WEEK = 7
# A PA works on 1 to 7 days a week.
DAYS_IN_A_WEEK = 7
# Statutory holiday is 5.6 weeks a year but no more than 28 days (Working Time Regulations 1998
# reg 13A(3)): for someone working 6 or 7 days a week, 5.6 weeks would be more than 28 days.
HOLIDAY_DAYS_MAX = 28

PENNY = Decimal("0.01")
# The most points one answer in a RAS questionnaire may carry. Real questionnaires use tens
# of points; the bound stops a typing slip becoming a 20-digit figure.
MAX_POINTS = 10_000
POUND = Decimal(1)


class AgeBand(StrEnum):
    """The minimum wage bands that decide a PA's lowest lawful hourly rate."""

    ADULT = "21_plus"
    YOUNG_ADULT = "18_20"
    UNDER_18_OR_APPRENTICE = "16_17"


class AgeSource(StrEnum):
    """How a PA's age at the costing's date is known."""

    DATE_OF_BIRTH = "date_of_birth"
    STATED = "stated"  # an age given without a date of birth
    ASSUMED = "assumed"  # not known (a PA not yet recruited): an adult is assumed


class PensionCategory(StrEnum):
    """The PA's category for workplace pension duties (Pensions Act 2008, ss.1-3 and 13).

    ELIGIBLE: an eligible jobholder, aged 22 to State Pension age and paid more than the
    trigger: the employer must enrol them and pay in. NON_ELIGIBLE: a non-eligible jobholder,
    aged 16 to 74 and paid more than the lower limit but not eligible: they may opt in and the
    employer must then pay in. ENTITLED: an entitled worker, aged 16 to 74 and paid no more than
    the lower limit: they may ask to join, and the employer need not pay in. NOT_COVERED: 75 or
    over, where the employer has no duty.
    """

    ELIGIBLE = "eligible"
    NON_ELIGIBLE = "non_eligible"
    ENTITLED = "entitled"
    NOT_COVERED = "not_covered"


class NiCategory(StrEnum):
    """A PA's National Insurance category letter, as payroll will use it (HMRC CA38 / CWG2;
    `employers.payroll.ni_category` pays them so). Only the employer's NI differs in a costing:
    for M and H the employer pays none up to the upper secondary threshold."""

    A = "A"  # standard
    M = "M"  # under 21
    H = "H"  # an apprentice under 25, even one under 21
    C = "C"  # over State Pension age: the employer's NI is as for A


class PayFrequency(StrEnum):
    """How often the employer runs payroll: NI and pension are worked out per pay period."""

    WEEKLY = "weekly"
    MONTHLY = "monthly"


class PensionStatus(StrEnum):
    """AUTO: enrol if the law says so; OPTED_IN: the PA asked to join; OPTED_OUT: the PA left."""

    AUTO = "auto"
    OPTED_IN = "opted_in"
    OPTED_OUT = "opted_out"


class InstalmentFrequency(StrEnum):
    """How often a direct payment is paid into the person's account."""

    FOUR_WEEKLY = "four_weekly"
    MONTHLY = "monthly"


class HolidayMethod(StrEnum):
    """How holiday is costed: paying cover while the PA is away, or rolled-up holiday pay."""

    COVER = "cover"
    ROLLED_UP = "rolled_up"


# Wording for refusals, per minimum wage band: (name of the minimum, who it applies to).
_WAGE_BAND_WORDS = {
    AgeBand.ADULT: ("National Living Wage", "someone aged 21 or over"),
    AgeBand.YOUNG_ADULT: ("National Minimum Wage", "someone aged 18 to 20"),
    AgeBand.UNDER_18_OR_APPRENTICE: (
        "National Minimum Wage",
        "someone aged 16 or 17 or an apprentice",
    ),
}


# --------------------------------------------------------------------------------------------
# Rounding and checking helpers
# --------------------------------------------------------------------------------------------


def _money(value: Decimal) -> Decimal:
    """Round to the penny, half up: the ordinary rounding a person expects."""
    return value.quantize(PENNY, rounding=ROUND_HALF_UP)


def _ni_money(value: Decimal) -> Decimal:
    """Round employer NI as HMRC's exact-percentage method does: 0.5p or less rounds down."""
    return value.quantize(PENNY, rounding=ROUND_HALF_DOWN)


def _whole_pounds(value: Decimal) -> Decimal:
    return value.quantize(POUND, rounding=ROUND_HALF_UP)


def _pounds(value: Decimal) -> str:
    """£1,234.50 for messages; keeps extra places if a figure has fractions of a penny."""
    if value == value.quantize(PENNY):
        return f"£{value:,.2f}"
    return f"£{value.normalize():,f}"


def _decimal(value: Decimal | int, what: str) -> Decimal:
    """Accept a Decimal or a whole number; refuse floats, which cannot hold pennies exactly."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"{what} must be a Decimal, not {type(value).__name__}")
    value = Decimal(value)
    if not value.is_finite():
        raise ValueError(f"{what} must be a number")
    return value


def _not_negative(value: Decimal | int, what: str) -> Decimal:
    value = _decimal(value, what)
    if value < 0:
        raise ValueError(f"{what} must be £0 or more")
    return value


def _whole_pence(value: Decimal | int, what: str) -> Decimal:
    value = _not_negative(value, what)
    if value != value.quantize(PENNY):
        raise ValueError(f"{what} must be in whole pence")
    return value.quantize(PENNY)


# --------------------------------------------------------------------------------------------
# A PA's age: minimum wage band, State Pension age, workplace pension duties
# --------------------------------------------------------------------------------------------

# The ages in the minimum wage bands (National Minimum Wage Regulations 2015, reg 4, as amended
# from April 2024) and in the workplace pension duties (Pensions Act 2008 ss.1, 3 and 13).
YOUNGEST_PA = 16  # the minimum wage starts at 16; younger people are not employed as PAs
OLDEST_AGE = 120  # a bound on typing slips
YOUNG_ADULT_AGE = 18
ADULT_WAGE_AGE = 21
APPRENTICE_RATE_AGE = 19  # the apprentice rate: under 19, or 19 and over in the first year
APPRENTICE_NI_AGE = 25  # National Insurance category H: an apprentice under 25
AUTO_ENROLMENT_AGE = 22
PENSION_DUTIES_END_AGE = 75


def _add_years_and_months(day: date, years: int, months: int = 0) -> date:
    """The same day `years` and `months` later, or the month's last day when it is shorter
    (born 31 December 1960, 66 years and 9 months later is 30 September 2027)."""
    index = day.month - 1 + months
    year, month = day.year + years + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier, when negative), or the month's last day when it
    is shorter (31 January plus 1 month is 28 or 29 February)."""
    return _add_years_and_months(day, 0, months)


def age_on(date_of_birth: date, day: date) -> int:
    """Age in whole years on `day`. Someone born on 29 February turns a year older on
    1 March in a year without one."""
    before_birthday = (day.month, day.day) < (date_of_birth.month, date_of_birth.day)
    return day.year - date_of_birth.year - int(before_birthday)


def birthday(date_of_birth: date, age: int) -> date:
    """The day someone turns `age` (1 March for 29 February in a year without one)."""
    year = date_of_birth.year + age
    if (date_of_birth.month, date_of_birth.day) == (2, 29) and not calendar.isleap(year):
        return date(year, 3, 1)
    return date_of_birth.replace(year=year)


def state_pension_date(date_of_birth: date) -> date:
    """The day someone reaches State Pension age, from the gov.uk State Pension age
    timetables (Pensions Act 1995 Schedule 4, as amended by the Pensions Acts 2007, 2011 and
    2014):

    - born before 6 April 1960: 66. (People born before 6 October 1954 reached it earlier,
      and all of them had reached it by 6 November 2020, before any costing made here.)
    - born 6 April 1960 to 5 March 1961: 66 and 1 to 11 months, one more month for each month
      of birth: 6 April to 5 May 1960 is 66 and 1 month, ..., 6 February to 5 March 1961 is 66
      and 11 months (Pensions Act 2014 s.26).
    - born 6 March 1961 to 5 April 1977: 67.
    - born on or after 6 April 1977: 68. (The Pensions Act 2007 phases 67 to 68 in for people
      born 6 April 1977 to 5 April 1978, between 2044 and 2046; 68 for all of them is the later
      date, so the budget errs towards paying into a pension. No costing before 2044 is
      affected.)
    """
    if date_of_birth < date(1960, 4, 6):
        return _add_years_and_months(date_of_birth, 66)
    if date_of_birth < date(1961, 3, 6):
        # 6 April to 5 May 1960 is month 1: count months from 1 April 1960, 5 days earlier.
        shifted = date_of_birth - timedelta(days=5)
        months = (shifted.year - 1960) * 12 + shifted.month - 4 + 1
        return _add_years_and_months(date_of_birth, 66, months)
    if date_of_birth < date(1977, 4, 6):
        return _add_years_and_months(date_of_birth, 67)
    return _add_years_and_months(date_of_birth, 68)


@dataclass(frozen=True)
class PaAge:
    """What is known of a PA's age on the costing's date, and what follows from it.

    `age` is None when it is not known (a PA not yet recruited): an adult under State Pension
    age is assumed. `state_pension_reached` is False when it cannot be told from a stated age
    alone (`state_pension_uncertain`): a PA under State Pension age is assumed, so the budget
    errs towards paying into a pension. `changes` are the days within a year of the costing's
    date when the PA's minimum wage, employer's National Insurance (an apprentice turning 25)
    or pension duties change, when the date of birth is known.
    """

    age: int | None
    source: AgeSource
    band: AgeBand
    apprentice: bool = False
    state_pension_date: date | None = None
    state_pension_reached: bool = False
    state_pension_uncertain: bool = False
    changes: tuple[tuple[date, str], ...] = ()


class LineError(ValueError):
    """A refusal about one line of a calculation (a PA, or a service in a CHC package) and the
    box it is about (`field`, a field of `PaInput` or `ChcLineInput`), so a page can show it
    beside that line's box. `cost_pas` and `cost_chc_package` add `index`: the line's place
    among those given, from 0."""

    field = ""
    index: int | None = None

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        if field is not None:
            self.field = field


class TooYoung(LineError):
    """A PA younger than 16 on the costing's date."""

    def __init__(self, label: str, on: date, *, field: str = "age"):
        self.label = label
        super().__init__(
            f"{label} must be {YOUNGEST_PA} or over on {on:%-d %B %Y} to be employed as a PA",
            field=field,
        )


def wage_band(age: int | None, apprentice: bool = False) -> AgeBand:
    """The minimum wage band: the apprentice rate for an apprentice (aged under 19, or in the
    first year of their apprenticeship), otherwise by age. An unknown age is an adult's."""
    if apprentice or (age is not None and age < YOUNG_ADULT_AGE):
        return AgeBand.UNDER_18_OR_APPRENTICE
    if age is not None and age < ADULT_WAGE_AGE:
        return AgeBand.YOUNG_ADULT
    return AgeBand.ADULT


def pa_age(
    *,
    label: str,
    on: date | None,
    date_of_birth: date | None = None,
    age: int | None = None,
    apprentice: bool = False,
) -> PaAge:
    """A PA's age on `on` (the costing's date) from their date of birth, or an age stated
    without one, or neither (assumed an adult under State Pension age)."""
    if date_of_birth is not None:
        if on is None:
            raise ValueError("A costing with a PA's date of birth needs the date it applies from")
        years = age_on(date_of_birth, on)
        if years < YOUNGEST_PA:
            raise TooYoung(label, on, field="date_of_birth")
        if years > OLDEST_AGE:
            raise LineError(
                f"{label}'s date of birth must be after {on.year - OLDEST_AGE - 1}",
                field="date_of_birth",
            )
        pension_day = state_pension_date(date_of_birth)
        year_later = on + timedelta(days=364)
        milestones = [
            (birthday(date_of_birth, YOUNG_ADULT_AGE), "wage_18"),
            (birthday(date_of_birth, ADULT_WAGE_AGE), "wage_21"),
            (birthday(date_of_birth, AUTO_ENROLMENT_AGE), "pension_22"),
            (pension_day, "state_pension_age"),
        ]
        if apprentice:  # the apprentice rate does not change with a birthday; their NI does
            milestones = [m for m in milestones if not m[1].startswith("wage_")]
            milestones.append((birthday(date_of_birth, APPRENTICE_NI_AGE), "ni_25"))
        return PaAge(
            age=years,
            source=AgeSource.DATE_OF_BIRTH,
            band=wage_band(years, apprentice),
            apprentice=apprentice,
            state_pension_date=pension_day,
            state_pension_reached=pension_day <= on,
            changes=tuple(sorted(m for m in milestones if on < m[0] <= year_later)),
        )
    if age is not None:
        if isinstance(age, bool) or not isinstance(age, int):
            raise TypeError(f"{label}'s age must be a whole number")
        if age < YOUNGEST_PA and on is not None:
            raise TooYoung(label, on)
        if age < YOUNGEST_PA:
            raise LineError(f"{label} must be {YOUNGEST_PA} or over", field="age")
        if age > OLDEST_AGE:
            raise LineError(f"{label}'s age must be {OLDEST_AGE} or less", field="age")
        if on is None:
            # Without a date only the age counts: 67 or over has reached State Pension age
            # for everyone born before 6 April 1977.
            reached, uncertain = age >= 67, age == 66
        else:
            # Born between these two days: reached for all of them, or for none, or unknown.
            youngest = _years_before(on, age)
            oldest = _years_before(on, age + 1) + timedelta(days=1)
            reached = state_pension_date(youngest) <= on
            uncertain = not reached and state_pension_date(oldest) <= on
        return PaAge(
            age=age,
            source=AgeSource.STATED,
            band=wage_band(age, apprentice),
            apprentice=apprentice,
            state_pension_reached=reached,
            state_pension_uncertain=uncertain,
        )
    return PaAge(
        age=None, source=AgeSource.ASSUMED, band=wage_band(None, apprentice), apprentice=apprentice
    )


def _years_before(day: date, years: int) -> date:
    """The latest date of birth of someone aged `years` on `day`."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return date(day.year - years, 2, 28)


def ni_category(age: PaAge) -> NiCategory:
    """C over State Pension age; H an apprentice under 25; M under 21; A otherwise, and for a
    PA whose age is not known (an adult is assumed, so the employer's NI is not left out)."""
    if age.state_pension_reached:
        return NiCategory.C
    if age.apprentice and age.age is not None and age.age < APPRENTICE_NI_AGE:
        return NiCategory.H
    if age.age is not None and age.age < ADULT_WAGE_AGE:
        return NiCategory.M
    return NiCategory.A


# The categories whose employer pays no NI up to the upper secondary threshold.
NI_UPPER_SECONDARY_CATEGORIES = (NiCategory.M, NiCategory.H)


def pension_category(age: PaAge, pay: Decimal, limits: PensionThresholds) -> PensionCategory:
    """The PA's category for workplace pension duties, from their age and pay in the period."""
    if age.age is not None and age.age >= PENSION_DUTIES_END_AGE:
        return PensionCategory.NOT_COVERED
    old_enough = age.age is None or age.age >= AUTO_ENROLMENT_AGE
    if old_enough and not age.state_pension_reached and pay > limits.trigger:
        return PensionCategory.ELIGIBLE
    if pay > limits.lower:
        return PensionCategory.NON_ELIGIBLE
    return PensionCategory.ENTITLED


# --------------------------------------------------------------------------------------------
# PA costing
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NationalFigures:
    """One year's national rates and thresholds, as stored in the dated rate tables."""

    nlw_21_plus: Decimal
    nmw_18_20: Decimal
    nmw_16_17_apprentice: Decimal
    employer_ni_rate: Decimal
    ni_secondary_threshold_weekly: Decimal
    ni_secondary_threshold_monthly: Decimal
    upper_secondary_threshold_weekly: Decimal
    upper_secondary_threshold_monthly: Decimal
    employment_allowance_annual: Decimal
    pension_trigger_annual: Decimal
    pension_qualifying_lower_annual: Decimal
    pension_qualifying_upper_annual: Decimal
    pension_employer_min_rate: Decimal
    holiday_weeks: Decimal
    holiday_accrual_rate: Decimal

    def minimum_hourly_rate(self, age_band: AgeBand) -> Decimal:
        """The lowest hourly rate the law allows for a PA in this age band."""
        return {
            AgeBand.ADULT: self.nlw_21_plus,
            AgeBand.YOUNG_ADULT: self.nmw_18_20,
            AgeBand.UNDER_18_OR_APPRENTICE: self.nmw_16_17_apprentice,
        }[AgeBand(age_band)]

    def ni_secondary_threshold(self, frequency: PayFrequency) -> Decimal:
        """The published per-period threshold above which employer NI is due."""
        if PayFrequency(frequency) is PayFrequency.WEEKLY:
            return self.ni_secondary_threshold_weekly
        return self.ni_secondary_threshold_monthly

    def upper_secondary_threshold(self, frequency: PayFrequency) -> Decimal:
        """The published per-period threshold up to which the employer of a PA under 21, or of
        an apprentice under 25, pays no NI (the upper earnings limit: £967 a week, £4,189 a
        month in 2026/27)."""
        if PayFrequency(frequency) is PayFrequency.WEEKLY:
            return self.upper_secondary_threshold_weekly
        return self.upper_secondary_threshold_monthly


@dataclass(frozen=True)
class PensionThresholds:
    """Auto-enrolment limits for one pay period, in whole pounds."""

    lower: Decimal
    upper: Decimal
    trigger: Decimal


def pension_thresholds(figures: NationalFigures, frequency: PayFrequency) -> PensionThresholds:
    """Per-period pension limits: the annual figure / 52 or / 12, rounded to whole pounds.

    This reproduces the published pay-period figures (£120 / £967 / £192 a week, £520 / £4,189 /
    £833 a month for 2026/27), so the stored data need only hold the annual ones.
    """
    periods = WEEKS_PER_YEAR if PayFrequency(frequency) is PayFrequency.WEEKLY else MONTHS_PER_YEAR
    return PensionThresholds(
        lower=_whole_pounds(figures.pension_qualifying_lower_annual / periods),
        upper=_whole_pounds(figures.pension_qualifying_upper_annual / periods),
        trigger=_whole_pounds(figures.pension_trigger_annual / periods),
    )


@dataclass(frozen=True)
class PaInput:
    """One personal assistant as planned: who, how many hours, at what rate."""

    label: str
    hours_per_week: Decimal
    hourly_rate: Decimal
    irregular_hours: bool = False
    pension: PensionStatus = PensionStatus.AUTO
    # Their age where known: a date of birth, or failing that an age on the costing's date.
    # Neither (a PA not yet recruited): an adult under State Pension age is assumed.
    date_of_birth: date | None = None
    age: int | None = None
    # An apprentice aged under 19, or in the first year of their apprenticeship.
    apprentice: bool = False
    # The days a week they work, where known: holiday cover is no more than 28 days a year.
    days_per_week: int | None = None


@dataclass(frozen=True)
class PaCostingInput:
    """All the PAs one employer will pay, and the employer's yearly costs on top.

    `contingency_rate` is a fraction: Decimal("0.05") is 5%.
    """

    pas: tuple[PaInput, ...]
    # The date the costing applies from: a PA's age, and so their minimum wage and pension
    # duties, are worked out on it.
    on: date | None = None
    pay_frequency: PayFrequency = PayFrequency.WEEKLY
    claims_employment_allowance: bool = True
    insurance_annual: Decimal = Decimal(0)
    payroll_fee_annual: Decimal = Decimal(0)
    contingency_rate: Decimal = Decimal(0)


@dataclass(frozen=True)
class PaLine:
    """One PA's weekly cost to the employer, item by item."""

    label: str
    hours_per_week: Decimal
    hourly_rate: Decimal
    gross_weekly: Decimal
    holiday_weekly: Decimal
    holiday_method: HolidayMethod
    employer_ni_weekly: Decimal
    pension_weekly: Decimal
    pension_enrolled: bool
    employer_ni_annual: Decimal
    pension_annual: Decimal
    total_weekly: Decimal
    total_annual: Decimal
    # What was known or assumed of their age, and what follows from it (`pa_age`).
    age: PaAge = PaAge(age=None, source=AgeSource.ASSUMED, band=AgeBand.ADULT)
    pension_category: PensionCategory = PensionCategory.ELIGIBLE
    ni_category: NiCategory = NiCategory.A


@dataclass(frozen=True)
class PaCostingResult:
    """The yearly cost of employing the PAs, as the person is shown it.

    `employer_ni_annual` is before the Employment Allowance; `employment_allowance_annual` is the
    part of the allowance actually used (never more than the NI it offsets).
    """

    lines: tuple[PaLine, ...]
    wages_annual: Decimal
    holiday_annual: Decimal
    employer_ni_annual: Decimal
    employment_allowance_annual: Decimal
    pension_annual: Decimal
    insurance_annual: Decimal
    payroll_fee_annual: Decimal
    subtotal_annual: Decimal
    contingency_annual: Decimal
    total_annual: Decimal
    total_weekly: Decimal


class BelowMinimumWage(LineError):
    """A PA's planned hourly rate is below the legal minimum for their age band."""

    field = "hourly_rate"

    def __init__(self, label: str, rate: Decimal, minimum: Decimal, age_band: AgeBand):
        self.label = label
        self.rate = rate
        self.minimum = minimum
        self.age_band = AgeBand(age_band)
        name, who = _WAGE_BAND_WORDS[self.age_band]
        super().__init__(
            f"{label}'s rate of {_pounds(rate)} an hour is below the {name} of "
            f"{_pounds(minimum)} for {who}"
        )


class InvalidHours(LineError):
    """A PA's weekly hours are not a possible number of hours in a week."""

    field = "hours_per_week"

    def __init__(self, label: str, hours: Decimal):
        self.label = label
        self.hours = hours
        if hours <= 0:
            message = f"{label}'s hours must be more than 0 a week"
        else:
            message = (
                f"{label} cannot work {hours.normalize():f} hours a week. "
                "There are only 168 hours in a week"
            )
        super().__init__(message)


class InvalidDays(LineError):
    """A PA's days a week are not a whole number from 1 to 7."""

    field = "days_per_week"

    def __init__(self, label: str, days: int):
        self.label = label
        self.days = days
        if days < 1:
            message = f"{label}'s days a week must be 1 or more"
        else:
            message = f"{label} cannot work {days} days a week. There are only 7 days in a week"
        super().__init__(message)


def days_needed(hours: Decimal) -> int:
    """The fewest days in which `hours` a week can be worked: 24 hours a day at most."""
    return int((hours / HOURS_IN_A_DAY).to_integral_value(rounding=ROUND_CEILING))


def too_few_days(label: str, hours: Decimal, days: int) -> str:
    """Why `days` a week cannot hold `hours` a week, or "" when they can."""
    if hours <= days * HOURS_IN_A_DAY:
        return ""
    return (
        f"{label} works {hours.normalize():f} hours a week, which takes at least "
        f"{days_needed(hours)} days: enter {days_needed(hours)} or more days a week"
    )


class TooFewDays(LineError):
    """A PA's hours a week do not fit in their days a week (24 hours a day at most)."""

    field = "days_per_week"


def holiday_weeks(weeks: Decimal, days_per_week: int | None) -> Decimal:
    """The weeks of holiday a year to cover: `weeks` (5.6), but no more than 28 days, so
    28 / days for a PA working 6 or 7 days a week (28 / 6 = 4.67 weeks). With the days not
    known, `weeks`."""
    if days_per_week is not None and days_per_week * weeks > HOLIDAY_DAYS_MAX:
        return Decimal(HOLIDAY_DAYS_MAX) / days_per_week
    return weeks


def _holiday_cover(gross: Decimal, weeks: Decimal, days_per_week: int | None) -> Decimal:
    """A week's share of the cost of cover while the PA is on holiday (half up)."""
    if days_per_week is not None and days_per_week * weeks > HOLIDAY_DAYS_MAX:
        # gross x (28 / days) / 52, worked out in one division so it is exact.
        return _money(gross * HOLIDAY_DAYS_MAX / (days_per_week * WEEKS_PER_YEAR))
    return _money(gross * weeks / WEEKS_PER_YEAR)


def _days_per_week(pa: PaInput) -> int | None:
    days = pa.days_per_week
    if days is None:
        return None
    if isinstance(days, bool) or not isinstance(days, int):
        raise TypeError(f"{pa.label}'s days a week must be a whole number")
    if not 1 <= days <= DAYS_IN_A_WEEK:
        raise InvalidDays(pa.label, days)
    return days


def _to_weekly(per_period: Decimal, frequency: PayFrequency) -> Decimal:
    """A monthly amount as its weekly equivalent (x 12 / 52), rounded half up."""
    if frequency is PayFrequency.WEEKLY:
        return per_period
    return _money(per_period * MONTHS_PER_YEAR / WEEKS_PER_YEAR)


def _periods(frequency: PayFrequency) -> Decimal:
    return WEEKS_PER_YEAR if frequency is PayFrequency.WEEKLY else MONTHS_PER_YEAR


def _employer_ni(
    pay_weekly: Decimal, category: NiCategory, frequency: PayFrequency, figures: NationalFigures
) -> Decimal:
    """Employer NI for one PA for one pay period, worked out as payroll does: above the
    secondary threshold, or for a PA under 21 or an apprentice under 25 above the upper
    secondary threshold."""
    if frequency is PayFrequency.WEEKLY:
        pay = pay_weekly
    else:
        pay = _money(pay_weekly * WEEKS_PER_YEAR / MONTHS_PER_YEAR)
    if category in NI_UPPER_SECONDARY_CATEGORIES:
        threshold = figures.upper_secondary_threshold(frequency)
    else:
        threshold = figures.ni_secondary_threshold(frequency)
    above = max(Decimal(0), pay - threshold)
    return _ni_money(figures.employer_ni_rate * above)


def _pension(
    pa: PaInput,
    age: PaAge,
    pay_weekly: Decimal,
    frequency: PayFrequency,
    figures: NationalFigures,
) -> tuple[PensionCategory, bool, Decimal]:
    """The PA's pension category, whether they are in the pension, and the employer's
    contribution for one pay period."""
    if frequency is PayFrequency.WEEKLY:
        pay = pay_weekly
    else:
        pay = _money(pay_weekly * WEEKS_PER_YEAR / MONTHS_PER_YEAR)
    limits = pension_thresholds(figures, frequency)
    category = pension_category(age, pay, limits)
    status = PensionStatus(pa.pension)
    if status is PensionStatus.AUTO:
        enrolled = category is PensionCategory.ELIGIBLE
    elif status is PensionStatus.OPTED_IN:
        enrolled = pay > limits.lower
    else:
        enrolled = False
    if not enrolled:
        return category, False, Decimal("0.00")
    qualifying = max(Decimal(0), min(pay, limits.upper) - limits.lower)
    return category, True, _money(figures.pension_employer_min_rate * qualifying)


def _cost_pa(
    pa: PaInput, frequency: PayFrequency, figures: NationalFigures, on: date | None
) -> PaLine:
    hours = _decimal(pa.hours_per_week, f"{pa.label}'s hours")
    rate = _decimal(pa.hourly_rate, f"{pa.label}'s hourly rate")
    if hours <= 0 or hours > HOURS_IN_A_WEEK:
        raise InvalidHours(pa.label, hours)
    days = _days_per_week(pa)
    if days is not None and (said := too_few_days(pa.label, hours, days)):
        raise TooFewDays(said)
    age = pa_age(
        label=pa.label,
        on=on,
        date_of_birth=pa.date_of_birth,
        age=pa.age,
        apprentice=pa.apprentice,
    )
    minimum = figures.minimum_hourly_rate(age.band)
    if rate < minimum:
        raise BelowMinimumWage(pa.label, rate, minimum, age.band)

    gross = _money(hours * rate)
    if pa.irregular_hours:
        holiday = _money(gross * figures.holiday_accrual_rate)
        method = HolidayMethod.ROLLED_UP
        pay = gross + holiday
    else:
        holiday = _holiday_cover(gross, figures.holiday_weeks, days)
        method = HolidayMethod.COVER
        pay = gross
    ni_class = ni_category(age)
    ni_per_period = _employer_ni(pay, ni_class, frequency, figures)
    category, enrolled, pension_per_period = _pension(pa, age, pay, frequency, figures)
    ni, pension = _to_weekly(ni_per_period, frequency), _to_weekly(pension_per_period, frequency)
    # A year's NI and pension are the per-period figures times the periods in a year, so a
    # monthly-paid PA's yearly cost is exact rather than built up from rounded weekly figures.
    ni_annual = ni_per_period * _periods(frequency)
    pension_annual = pension_per_period * _periods(frequency)
    total_weekly = gross + holiday + ni + pension
    return PaLine(
        label=pa.label,
        hours_per_week=hours,
        hourly_rate=rate,
        gross_weekly=gross,
        holiday_weekly=holiday,
        holiday_method=method,
        employer_ni_weekly=ni,
        pension_weekly=pension,
        pension_enrolled=enrolled,
        employer_ni_annual=ni_annual,
        pension_annual=pension_annual,
        total_weekly=total_weekly,
        total_annual=_money((gross + holiday) * WEEKS_PER_YEAR + ni_annual + pension_annual),
        age=age,
        pension_category=category,
        ni_category=ni_class,
    )


def _duties_on(
    pa: PaInput, frequency: PayFrequency, figures: NationalFigures, day: date
) -> tuple[AgeBand, bool, bool]:
    """What a PA's age decides on `day`: their minimum wage band, whether the employer pays no
    NI up to the upper secondary threshold, and whether the employer pays into a pension."""
    age = pa_age(label=pa.label, on=day, date_of_birth=pa.date_of_birth, apprentice=pa.apprentice)
    gross = _money(pa.hours_per_week * pa.hourly_rate)
    pay = gross + _money(gross * figures.holiday_accrual_rate) if pa.irregular_hours else gross
    _, enrolled, _ = _pension(pa, age, pay, frequency, figures)
    return age.band, ni_category(age) in NI_UPPER_SECONDARY_CATEGORIES, enrolled


# What a PA does on each day that can change what their age decides (`age_change_between`).
AGE_CHANGE_WORDS = {
    "too_young": f"turns {YOUNGEST_PA}",
    "wage_18": f"turns {YOUNG_ADULT_AGE}",
    "wage_21": f"turns {ADULT_WAGE_AGE}",
    "pension_22": f"turns {AUTO_ENROLMENT_AGE}",
    "ni_25": f"turns {APPRENTICE_NI_AGE}",
    "state_pension_age": "reaches State Pension age",
}


def age_change_between(
    pa: PaInput, frequency: PayFrequency, figures: NationalFigures, costed_on: date, on: date
) -> tuple[date, str] | None:
    """The birthday (or State Pension age) between a costing's date and `on`, either way
    round, that makes the PA's minimum wage band, employer's NI or the employer's pension duty
    on `on` other than the costing used; None when they are the same. Known only from a date of
    birth. The kinds are those of `AGE_CHANGE_WORDS`.

    A costing worked out on one day does not price a budget that starts on another if a PA's
    age decides something else by then (a PA who turned 21 is owed the National Living Wage)."""
    if pa.date_of_birth is None or costed_on == on:
        return None
    born = pa.date_of_birth
    then = _duties_on(pa, frequency, figures, costed_on)
    milestones = sorted(
        [
            (birthday(born, YOUNGEST_PA), "too_young"),
            (birthday(born, YOUNG_ADULT_AGE), "wage_18"),
            (birthday(born, ADULT_WAGE_AGE), "wage_21"),
            (birthday(born, AUTO_ENROLMENT_AGE), "pension_22"),
            (birthday(born, APPRENTICE_NI_AGE), "ni_25"),
            (state_pension_date(born), "state_pension_age"),
        ],
        reverse=on < costed_on,
    )
    for day, kind in milestones:
        if on > costed_on:  # what holds from the milestone on
            if not costed_on < day <= on:
                continue
            check_on = day
        else:  # what held before the milestone, going back to `on`
            if not on < day <= costed_on:
                continue
            check_on = day - timedelta(days=1)
        try:
            differs = _duties_on(pa, frequency, figures, check_on) != then
        except TooYoung:
            differs = True
        if differs:
            return day, kind
    return None


def cost_pas(costing: PaCostingInput, figures: NationalFigures) -> PaCostingResult:
    """The yearly cost of employing the PAs in `costing`, with every on-cost shown.

    Product rules (each is a decision, recorded here so the figures can be explained):

    - Age, on the costing's date (`pa_age`): from the PA's date of birth, or an age given
      without one; with neither (a PA not yet recruited) an adult under State Pension age is
      assumed, and the explanation says so. A PA must be 16 or over (`TooYoung`).
    - Wages: `gross_weekly = hours x hourly rate`, rounded half up. Hours must be more than 0
      and at most 168 (`InvalidHours`); the rate must be at least the minimum for the PA's
      band (`wage_band`: the apprentice rate for an apprentice under 19 or in their first
      year, otherwise 16-17, 18-20 or 21 and over by age; `BelowMinimumWage`). The total hours
      of all PAs are not limited: several PAs can cover 24 hours a day.
    - Holiday, regular hours: the cost of cover while the PA takes `holiday_weeks` of paid
      leave, spread over the year: `gross x holiday_weeks / 52` (method "cover"), but no more
      than 28 days: for a PA who works 6 or 7 days a week (`days_per_week`, 1 to 7, or not
      known; `InvalidDays`) `gross x (28 / days) / 52` (`holiday_weeks()`). The cover is
      costed at the PA's own gross pay, without on-costs for the cover worker.
    - Holiday, irregular hours: rolled-up holiday pay, `gross x holiday_accrual_rate` (method
      "rolled_up"). This is the PA's pay, so NI and pension are worked out on gross plus it;
      cover is not the PA's pay and is left out of their NI and pension.
    - Employer NI, per PA per pay period, as payroll does it. Weekly: `rate x (pay - weekly
      threshold)`, never below 0. The threshold is the secondary threshold, or for a PA under
      21 or an apprentice under 25 (`ni_category` M and H) the upper secondary threshold;
      a PA whose age is not known is taken to be 21 or over. Monthly: monthly pay = weekly
      pay x 52 / 12 (half up), NI = `rate x (monthly pay - monthly threshold)`, shown weekly
      as monthly NI x 12 / 52 (half up). NI rounds as HMRC's exact-percentage method: 0.5p or
      less down, more than 0.5p up.
    - Pension, per pay period, on qualifying earnings between the period's lower and upper
      limits (the annual figures / 52 or / 12, in whole pounds). The employer pays if the PA is
      AUTO and an eligible jobholder (`pension_category`: aged 22 to State Pension age and
      paid more than the trigger, Pensions Act 2008 s.3), whatever their wage band; or
      OPTED_IN (any age) and paid more than the lower limit; never if OPTED_OUT. A PA whose
      State Pension age cannot be told from a stated age is taken to be under it.
      Contribution = `employer minimum rate x (min(pay, upper) - lower)`, never below 0,
      half up; monthly shown weekly as for NI.
    - Per PA, `total_weekly = gross + holiday + NI + pension` (NI and pension as weekly
      equivalents); `total_annual = (gross + holiday) x 52 + NI and pension per pay period x
      the periods in a year (52 or 12)`, so monthly pay gives exact yearly figures.
    - Totals are the PAs' yearly figures added up. The Employment Allowance used is the
      smaller of the allowance and the year's NI, if the employer claims it. Subtotal = wages +
      holiday + NI - allowance + pension + insurance + payroll fee; contingency = subtotal x
      contingency rate (half up); total = subtotal + contingency; total weekly = total / 52
      (half up).
    """
    if not costing.pas:
        raise ValueError("Add at least one PA")
    insurance = _money(_not_negative(costing.insurance_annual, "Employer's liability insurance"))
    payroll_fee = _money(_not_negative(costing.payroll_fee_annual, "The payroll fee"))
    contingency_rate = _decimal(costing.contingency_rate, "The contingency")
    if contingency_rate < 0:
        raise ValueError("The contingency must be 0% or more")
    if contingency_rate > 1:
        raise ValueError("The contingency must be 100% or less")
    frequency = PayFrequency(costing.pay_frequency)

    lines = []
    for index, pa in enumerate(costing.pas):
        try:
            lines.append(_cost_pa(pa, frequency, figures, costing.on))
        except LineError as error:
            error.index = index
            raise
    lines = tuple(lines)

    wages = sum((line.gross_weekly for line in lines), Decimal(0)) * WEEKS_PER_YEAR
    holiday = sum((line.holiday_weekly for line in lines), Decimal(0)) * WEEKS_PER_YEAR
    ni = sum((line.employer_ni_annual for line in lines), Decimal(0))
    pension = sum((line.pension_annual for line in lines), Decimal(0))
    if costing.claims_employment_allowance:
        allowance = min(figures.employment_allowance_annual, ni)
    else:
        allowance = Decimal(0)
    subtotal = wages + holiday + ni - allowance + pension + insurance + payroll_fee
    contingency = _money(subtotal * contingency_rate)
    total = subtotal + contingency
    return PaCostingResult(
        lines=lines,
        wages_annual=_money(wages),
        holiday_annual=_money(holiday),
        employer_ni_annual=_money(ni),
        employment_allowance_annual=_money(allowance),
        pension_annual=_money(pension),
        insurance_annual=insurance,
        payroll_fee_annual=payroll_fee,
        subtotal_annual=_money(subtotal),
        contingency_annual=contingency,
        total_annual=_money(total),
        total_weekly=_money(total / WEEKS_PER_YEAR),
    )


# --------------------------------------------------------------------------------------------
# CHC cost cap
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChcLineInput:
    """One service in the conventional package: units may be hours, visits or nights."""

    service: str
    units_per_week: Decimal
    unit_cost: Decimal


@dataclass(frozen=True)
class ChcLine:
    service: str
    units_per_week: Decimal
    unit_cost: Decimal
    weekly_cost: Decimal


@dataclass(frozen=True)
class ChcResult:
    lines: tuple[ChcLine, ...]
    weekly_total: Decimal
    annual_total: Decimal


def _line_error(error: ValueError, index: int, field: str) -> LineError:
    refused = LineError(str(error), field=field)
    refused.index = index
    return refused


def cost_chc_package(lines: Iterable[ChcLineInput]) -> ChcResult:
    """The cost of the package the ICB would otherwise commission: the cap on a CHC budget.

    Each line costs `units x unit cost` a week (half up); the year is the weekly total x 52.
    Units are not limited to 168, because a unit may be a visit or a night rather than an hour.
    """
    lines = tuple(lines)
    if not lines:
        raise ValueError("Add at least one service")
    costed = []
    for index, line in enumerate(lines):
        try:
            units = _decimal(line.units_per_week, f"Units a week for {line.service}")
            if units < 0:
                raise ValueError(f"Units a week for {line.service} must be 0 or more")
        except ValueError as error:
            raise _line_error(error, index, "units_per_week") from error
        try:
            unit_cost = _not_negative(line.unit_cost, f"The unit cost of {line.service}")
        except ValueError as error:
            raise _line_error(error, index, "unit_cost") from error
        costed.append(ChcLine(line.service, units, unit_cost, _money(units * unit_cost)))
    weekly = sum((line.weekly_cost for line in costed), Decimal("0.00"))
    return ChcResult(
        lines=tuple(costed),
        weekly_total=_money(weekly),
        annual_total=_money(weekly * WEEKS_PER_YEAR),
    )


# --------------------------------------------------------------------------------------------
# Resource allocation system (RAS)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RasAnswerInput:
    """The answer chosen in one questionnaire domain and the points it scores."""

    domain: str
    answer: str
    points: int


@dataclass(frozen=True)
class RasLine:
    domain: str
    answer: str
    points: int
    amount: Decimal


@dataclass(frozen=True)
class RasResult:
    lines: tuple[RasLine, ...]
    total_points: int
    price_per_point: Decimal
    annual_amount: Decimal


def score_ras(answers: Iterable[RasAnswerInput], price_per_point: Decimal) -> RasResult:
    """An indicative yearly budget: total points x the year's price per point (half up).

    Each domain's amount is shown too (its points x price) so the person can see where the
    money comes from; the budget is worked out from the total points, not by adding the
    rounded amounts, which can only differ if the price has fractions of a penny.
    """
    answers = tuple(answers)
    if not answers:
        raise ValueError("Answer at least one question")
    price = _not_negative(price_per_point, "The price per point")
    lines = []
    for answer in answers:
        points = answer.points
        if isinstance(points, bool) or not isinstance(points, int):
            raise TypeError(f"Points for {answer.domain} must be a whole number")
        if points < 0:
            raise ValueError(f"Points for {answer.domain} must be 0 or more")
        lines.append(RasLine(answer.domain, answer.answer, points, _money(points * price)))
    total_points = sum(line.points for line in lines)
    return RasResult(
        lines=tuple(lines),
        total_points=total_points,
        price_per_point=price,
        annual_amount=_money(total_points * price),
    )


# --------------------------------------------------------------------------------------------
# Periods and payment schedules
# --------------------------------------------------------------------------------------------


def financial_year(day: date) -> tuple[date, date]:
    """The NHS financial year (1 April to 31 March) that contains `day`."""
    start_year = day.year if day >= date(day.year, 4, 1) else day.year - 1
    return date(start_year, 4, 1), date(start_year + 1, 3, 31)


def financial_year_label(day: date) -> str:
    """'2026/27': the financial year that contains `day`, as people write it."""
    first = financial_year(day)[0].year
    return f"{first}/{(first + 1) % 100:02d}"


def points_text(count: int) -> str:
    """'1 point', '56 points': RAS points as people read them."""
    return f"{count} point{'' if count == 1 else 's'}"


def amount_for_period(annual: Decimal, start: date, end: date) -> Decimal:
    """A yearly amount pro rata for `start` to `end` inclusive, by days in that financial year.

    Days in the year are counted (365 or 366) rather than assumed, so a full financial year
    returns the yearly amount exactly. A period may not cross 31 March, because the price per
    point and national rates can change with the year.
    """
    annual = _not_negative(annual, "The yearly amount")
    if end < start:
        raise ValueError("The end date must be on or after the start date")
    year_start, year_end = financial_year(start)
    if end > year_end:
        raise ValueError(
            f"The period must end by {year_end:%-d %B %Y}, the end of the financial year"
        )
    days = (end - start).days + 1
    days_in_year = (year_end - year_start).days + 1
    return _money(annual * days / days_in_year)


@dataclass(frozen=True)
class NiForPeriod:
    """The employer's National Insurance for the days of a budget's period, and the part of the
    year's Employment Allowance set against it."""

    start: date
    end: date
    ni: Decimal
    allowance: Decimal

    @property
    def payable(self) -> Decimal:
        return self.ni - self.allowance


@dataclass(frozen=True)
class PaPeriodAmount:
    """A PA costing's amount for a period, and how the Employment Allowance was set against the
    National Insurance of its days.

    `pro_rata` is the costing's yearly total pro rata for the days. `ni_pro_rata` is the NI left
    after the yearly allowance, pro rata: what the pro rata amount includes. `parts` holds the
    NI of the period's days and the allowance set against it (nothing without the allowance);
    `ni_payable` is the NI the amount includes instead."""

    amount: Decimal
    pro_rata: Decimal
    ni_pro_rata: Decimal
    parts: tuple[NiForPeriod, ...] = ()

    @property
    def ni(self) -> Decimal:
        return sum((part.ni for part in self.parts), Decimal("0.00"))

    @property
    def allowance(self) -> Decimal:
        return sum((part.allowance for part in self.parts), Decimal("0.00"))

    @property
    def ni_payable(self) -> Decimal:
        return self.ni - self.allowance


def pa_amount_for_period(
    *,
    total_annual: Decimal,
    employer_ni_annual: Decimal,
    allowance_used_annual: Decimal,
    claims_employment_allowance: bool,
    allowance_annual: Decimal,
    contingency_rate: Decimal,
    start: date,
    end: date,
) -> PaPeriodAmount:
    """A PA costing's yearly total for `start` to `end`, as `amount_for_period` does, except for
    the Employment Allowance.

    The allowance is per employer per year and is used from the first payroll, so it is not
    pro rata: it is set against the NI due for the period's days, up to the allowance
    (`min(allowance, NI for the days)`). A budget's period is within one financial year, and
    has one year's allowance: the tax year the allowance belongs to starts on 6 April, but
    1 to 5 April is not made a second year (a whole year's budget would then hold less than
    the year's costing). The NI for the days is the yearly NI (before the allowance)
    x days / days in the financial year, half up. Everything
    else is pro rata, and the contingency is added to the NI that is left as to the rest:
    `amount = (total - yearly NI left x (1 + contingency)) x days / days in the year + NI left
    for the period x (1 + contingency)`, half up.

    Without the allowance, or with all of a year's NI covered by it (so all of any period's
    too), the amount is the yearly total pro rata, to the penny.
    """
    pro_rata = amount_for_period(total_annual, start, end)
    ni = _not_negative(employer_ni_annual, "The employer's National Insurance")
    used = _not_negative(allowance_used_annual, "The Employment Allowance used")
    allowance = _money(_not_negative(allowance_annual, "The Employment Allowance"))
    rate = _decimal(contingency_rate, "The contingency")
    year_start, year_end = financial_year(start)
    days_in_year = (year_end - year_start).days + 1
    ni_pro_rata = _money((ni - used) * ((end - start).days + 1) / days_in_year)
    if not claims_employment_allowance:
        return PaPeriodAmount(amount=pro_rata, pro_rata=pro_rata, ni_pro_rata=ni_pro_rata)
    ni_for_days = _money(ni * ((end - start).days + 1) / days_in_year)
    part = NiForPeriod(start, end, ni_for_days, min(allowance, ni_for_days))
    result = PaPeriodAmount(
        amount=pro_rata, pro_rata=pro_rata, ni_pro_rata=ni_pro_rata, parts=(part,)
    )
    if ni <= used:  # all of the year's NI is covered, so all of the period's is
        return result
    days = (end - start).days + 1
    rest = total_annual - (ni - used) * (1 + rate)
    amount = _money(rest * days / days_in_year + result.ni_payable * (1 + rate))
    return replace(result, amount=amount)


def in_proportion(amount: Decimal, was: Decimal, now: Decimal) -> Decimal:
    """`amount` changed in the same proportion as `was` became `now`, to the penny.

    Next year's budget keeps this year's relation to its indicative amount: a budget agreed
    at its indicative amount stays at the new one, one agreed 10% above it stays 10% above.
    With nothing to compare (`was` is £0.00) the result is `now`.
    """
    amount = _whole_pence(amount, "The amount")
    was = _not_negative(was, "The old figure")
    now = _not_negative(now, "The new figure")
    if was == 0:
        return _money(now)
    return _money(amount * now / was)


def share_in_proportion(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """`total` shared in proportion to `weights`, to the penny, adding up exactly.

    The pennies left after rounding down go to the shares that lost most to rounding (the
    largest remainder method), so £100.00 shared 1:1:1 is £33.34, £33.33 and £33.33.
    """
    total = _whole_pence(total, "The total")
    weights = [_not_negative(weight, "Each share") for weight in weights]
    weight_sum = sum(weights, Decimal(0))
    if not weights or weight_sum == 0:
        raise ValueError("There must be at least one share above £0")
    pennies = int(total * 100)
    exact = [Decimal(pennies) * weight / weight_sum for weight in weights]
    floors = [int(share) for share in exact]
    by_remainder = sorted(range(len(exact)), key=lambda i: exact[i] - floors[i], reverse=True)
    for index in by_remainder[: pennies - sum(floors)]:
        floors[index] += 1
    return [(Decimal(share) / 100).quantize(PENNY) for share in floors]


def _add_months(day: date, months: int, wanted_day: int) -> date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(wanted_day, calendar.monthrange(year, month)[1]))


def instalment_dates(first: date, period_end: date, frequency: InstalmentFrequency) -> list[date]:
    """Payment dates from `first`, one for each whole month or 4 weeks that fits in the period.

    Each payment is made in advance for the month or 4 weeks that starts on its date. A date
    is included when that month or 4 weeks ends by `period_end` (the first payment is always
    made): 1 April to 31 March gives 12 monthly or 13 four-weekly payments, not a 14th on
    31 March for the one day left.

    Monthly payments fall on the same day as the first, or the month's last day when it is
    shorter (31 January, 28 February, 31 March): the day is always taken from `first`, so one
    short month does not pull every later payment earlier. Four-weekly payments are every 28
    days, to match PAs paid every four weeks.
    """
    if first > period_end:
        raise ValueError("The first payment date must be on or before the end of the period")
    frequency = InstalmentFrequency(frequency)

    def nth(count: int) -> date:
        if frequency is InstalmentFrequency.MONTHLY:
            return _add_months(first, count, first.day)
        return first + timedelta(days=28 * count)

    dates = [first]
    count = 1
    # The payment on nth(count) covers up to the day before nth(count + 1).
    while nth(count + 1) - timedelta(days=1) <= period_end:
        dates.append(nth(count))
        count += 1
    return dates


def split_evenly(total: Decimal, count: int) -> list[Decimal]:
    """`total` in `count` instalments equal to the penny, the spare pennies one each up front.

    The instalments always add up to the total exactly, so nothing is lost to rounding.
    The total must be in whole pence.
    """
    if isinstance(count, bool) or not isinstance(count, int):
        raise TypeError("The number of instalments must be a whole number")
    if count < 1:
        raise ValueError("There must be at least one instalment")
    total = _whole_pence(total, "The total")
    base, spare = divmod(int(total * 100), count)
    return [
        (Decimal(base + (1 if index < spare else 0)) / 100).quantize(PENNY)
        for index in range(count)
    ]


def respread_unpaid(
    instalments: list[tuple[date, Decimal, bool]], effective_from: date, new_total: Decimal
) -> list[Decimal]:
    """Re-spread a payment schedule that may have paid instalments, after a change of amount
    from `effective_from`. `instalments` are (due date, amount, paid) triples.

    A paid instalment never changes, and neither does one due before the change; the unpaid
    ones on or after `effective_from` are re-split evenly (`split_evenly`, the spare pennies
    first, in date order) so that the whole schedule adds up to `new_total`, each at least a
    penny. The amounts come back in the order the instalments were given.
    """
    new_total = _whole_pence(new_total, "The new total")
    changing = sorted(
        (
            index
            for index, (day, _, paid) in enumerate(instalments)
            if not paid and day >= effective_from
        ),
        key=lambda index: instalments[index][0],
    )
    if not changing:
        raise ValueError(
            f"There are no unpaid payments on or after {effective_from:%-d %B %Y} to change"
        )
    kept = sum(
        (amount for index, (_, amount, _) in enumerate(instalments) if index not in changing),
        Decimal("0.00"),
    )
    if kept > new_total:
        raise ValueError(
            f"The payments already made or due before {effective_from:%-d %B %Y} come to "
            f"{_pounds(kept)}, more than the new total of {_pounds(new_total)}"
        )
    # Every payment is at least a penny: one of £0.00 is no payment.
    if new_total - kept < PENNY * len(changing):
        raise ValueError(
            f"The {_pounds(new_total - kept)} left after the payments already made or due before "
            f"{effective_from:%-d %B %Y} is less than £0.01 for each of the {len(changing)} "
            "payments from then"
        )
    amounts = [amount for _, amount, _ in instalments]
    for index, amount in zip(changing, split_evenly(new_total - kept, len(changing)), strict=True):
        amounts[index] = amount
    return amounts
