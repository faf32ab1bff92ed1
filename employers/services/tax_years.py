"""The tax year figures payroll works from: each year's set, added (and, until a pay run has
used it, corrected) by the service administrator."""

from decimal import Decimal as D

from django.core.exceptions import ValidationError
from django.db import transaction

from employers.models import PayRun, TaxYearRateSet
from employers.models.payroll import TAX_YEAR_FIELDS, TAX_YEAR_RATE_FIELDS
from employers.tax_year_words import words_of
from phb.nhsuk_forms import lower_first
from phb.permissions import Permission, require
from phb.services import only_fields

TAX_YEAR_SET_FIELDS = ("name", *TAX_YEAR_FIELDS)

# What no real tax year's figure falls outside, as (lowest, highest): generous (every year's
# figures since 2010/11 fit, with room for years to come), but a slip (a rate of 0% or 100%, a
# personal allowance of £0, a yearly figure in a weekly box) is refused before it reaches every
# employer's payroll. Rates are fractions (0.20 is 20%); every other figure is pounds. The one
# place these bounds are kept: `check_figures` words each refusal from them.
SENSE_RANGES = {
    "personal_allowance": (D("5000"), D("50000")),
    "basic_rate": (D("0.10"), D("0.40")),
    "basic_rate_band": (D("10000"), D("100000")),
    "higher_rate": (D("0.20"), D("0.60")),
    "additional_rate_threshold": (D("50000"), D("500000")),
    "additional_rate": (D("0.30"), D("0.70")),
    "k_code_limit_rate": (D("0.25"), D("0.75")),
    "employee_ni_main_rate": (D("0.02"), D("0.20")),
    "employee_ni_upper_rate": (D("0"), D("0.10")),
    "ni_lel_weekly": (D("50"), D("500")),
    "ni_lel_monthly": (D("200"), D("2200")),
    "ni_pt_weekly": (D("50"), D("1000")),
    "ni_pt_monthly": (D("200"), D("4400")),
    "ni_uel_weekly": (D("300"), D("3000")),
    "ni_uel_monthly": (D("1300"), D("13000")),
    "ni_st_weekly": (D("20"), D("1000")),
    "ni_st_monthly": (D("80"), D("4400")),
    "ni_ust_weekly": (D("300"), D("3000")),
    "ni_ust_monthly": (D("1300"), D("13000")),
    "employer_ni_rate": (D("0.05"), D("0.30")),
    "employment_allowance_annual": (D("0"), D("50000")),
    "ssp_weekly_rate": (D("50"), D("500")),
    "ssp_earnings_rate": (D("0.50"), D("1")),
    "holiday_accrual_rate": (D("0.05"), D("0.25")),
    "pension_employer_min_rate": (D("0.01"), D("0.20")),
    "pension_employee_min_rate": (D("0"), D("0.20")),
    "pension_lower_weekly": (D("20"), D("500")),
    "pension_lower_fortnightly": (D("40"), D("1000")),
    "pension_lower_four_weekly": (D("80"), D("2000")),
    "pension_lower_monthly": (D("80"), D("2200")),
    "pension_trigger_weekly": (D("50"), D("1000")),
    "pension_trigger_fortnightly": (D("100"), D("2000")),
    "pension_trigger_four_weekly": (D("200"), D("4000")),
    "pension_trigger_monthly": (D("200"), D("4400")),
    "pension_upper_weekly": (D("300"), D("3000")),
    "pension_upper_fortnightly": (D("600"), D("6000")),
    "pension_upper_four_weekly": (D("1200"), D("12000")),
    "pension_upper_monthly": (D("1300"), D("13000")),
    "student_loan_rate": (D("0.01"), D("0.20")),
    "postgraduate_loan_rate": (D("0.01"), D("0.20")),
    "student_loan_plan_1_annual": (D("10000"), D("60000")),
    "student_loan_plan_2_annual": (D("10000"), D("60000")),
    "student_loan_plan_4_annual": (D("10000"), D("60000")),
    "student_loan_plan_5_annual": (D("10000"), D("60000")),
    "postgraduate_loan_annual": (D("10000"), D("60000")),
}

# Figures that must come in order, as (lower, higher, may they be equal): the National
# Insurance limits and thresholds for each period, the automatic-enrolment band and trigger
# for each pay reference period, and the Income Tax rates. (Weekly and monthly figures are not
# checked against each other: HMRC and DWP round each on its own, so the monthly primary
# threshold is £1,048, not £242 x 52 / 12 = £1,048.67, and the 4-weekly trigger £768, not
# £10,000 / 13 = £769.23.)
IN_ORDER = [
    *(
        pair
        for period in ("weekly", "monthly")
        for pair in (
            (f"ni_lel_{period}", f"ni_pt_{period}", False),
            (f"ni_pt_{period}", f"ni_uel_{period}", False),
            (f"ni_st_{period}", f"ni_ust_{period}", False),
        )
    ),
    *(
        pair
        for period in ("weekly", "fortnightly", "four_weekly", "monthly")
        for pair in (
            (f"pension_lower_{period}", f"pension_trigger_{period}", False),
            (f"pension_trigger_{period}", f"pension_upper_{period}", True),
        )
    ),
    ("basic_rate", "higher_rate", False),
    ("higher_rate", "additional_rate", False),
]


def _shown(name: str, value: D) -> str:
    """A figure as it is typed: 20% for 0.20, £5,000 or £123.25 for pounds."""
    if name in TAX_YEAR_RATE_FIELDS:
        return f"{(value * 100).normalize():f}%"
    if value == value.to_integral_value():
        return f"£{int(value):,}"
    return f"£{value:,.2f}"


def check_figures(figures: dict) -> None:
    """ValidationError, one message a figure, unless every figure is within its sense range
    and the figures that come in order do. A missing figure is the form's to ask for."""
    errors = {}
    for name, (low, high) in SENSE_RANGES.items():
        value = figures.get(name)
        if value is not None and not low <= value <= high:
            errors[name] = (
                f"{words_of(name)} must be between {_shown(name, low)} and {_shown(name, high)}"
            )
    for lower, higher, may_equal in IN_ORDER:
        low, high = figures.get(lower), figures.get(higher)
        if low is None or high is None or lower in errors or higher in errors:
            continue
        if low > high or (low == high and not may_equal):
            than = "more than" if may_equal else "less than"
            must = "must not be" if may_equal else "must be"
            errors.setdefault(
                lower,
                f"{words_of(lower)} {must} {than} the {lower_first(words_of(higher))} "
                f"({_shown(higher, high)})",
            )
    if errors:  # in the form's order, as the error summary lists them
        raise ValidationError({name: errors[name] for name in TAX_YEAR_FIELDS if name in errors})


def used_by_pay_runs(rate_set: TaxYearRateSet) -> bool:
    return PayRun.objects.filter(rate_set=rate_set).exists()


def used_message(rate_set: TaxYearRateSet) -> str:
    return (
        f"Pay runs have used the {rate_set.name} figures, so they cannot be changed. "
        "Nothing was changed."
    )


@transaction.atomic
def save_tax_year_figures(*, actor, rate_set: TaxYearRateSet | None = None, **figures):
    """Add a tax year's figures, or correct a set no pay run has used. Only the service
    administrator may: every employer's payroll uses them."""
    require(actor, Permission.EDIT_NATIONAL_RATES)
    figures = only_fields(figures, TAX_YEAR_SET_FIELDS, what="Tax year figures")
    if rate_set is not None:
        rate_set = TaxYearRateSet.objects.select_for_update().get(pk=rate_set.pk)
        if used_by_pay_runs(rate_set):
            raise ValidationError(used_message(rate_set))
    else:
        rate_set = TaxYearRateSet()
    start = figures.get("tax_year_start", rate_set.tax_year_start)
    if start is None or (start.month, start.day) != (4, 6):
        raise ValidationError({"tax_year_start": "A tax year starts on 6 April"})
    same_year = TaxYearRateSet.objects.filter(tax_year_start=start).exclude(pk=rate_set.pk)
    if (taken := same_year.first()) is not None:
        then = "choose another year" if used_by_pay_runs(taken) else "change those instead"
        raise ValidationError(
            {
                "tax_year_start": f"There are already figures for the tax year from "
                f"{start:%-d %B %Y}: {then}"
            }
        )
    for field, value in figures.items():
        setattr(rate_set, field, value)
    check_figures({name: getattr(rate_set, name) for name in TAX_YEAR_FIELDS[1:]})
    rate_set.save()
    return rate_set
