"""Rate tables as dated data. A calculation uses the set in force on its effective
date and keeps a reference to it; a set that a calculation has used is never
edited (a new set with a later effective date is added instead)."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models

from budgets.models.fields import MoneyField, RateField, non_negative
from phb.audit import audited
from phb.models import Organisation, Timestamped, UUIDModel


class InForceQuerySet(models.QuerySet):
    def in_force_on(self, day):
        """The set with the latest effective date on or before `day`, or None."""
        return self.filter(effective_from__lte=day).order_by("-effective_from").first()


NATIONAL_NUMBER_FIELDS = (
    "nlw_21_plus",
    "nmw_18_20",
    "nmw_16_17_apprentice",
    "ni_secondary_threshold_annual",
    "ni_secondary_threshold_weekly",
    "ni_secondary_threshold_monthly",
    "upper_secondary_threshold_annual",
    "upper_secondary_threshold_weekly",
    "upper_secondary_threshold_monthly",
    "lower_earnings_limit_annual",
    "primary_threshold_annual",
    "upper_earnings_limit_annual",
    "employment_allowance_annual",
    "pension_trigger_annual",
    "pension_qualifying_lower_annual",
    "pension_qualifying_upper_annual",
    "ssp_weekly",
    "employer_ni_rate",
    "pension_employer_min_rate",
    "ssp_earnings_rate",
    "holiday_weeks",
    "holiday_accrual_rate",
)


# Fractions (0.15 for 15%), typed and shown as percentages.
RATE_FIELDS = (
    "employer_ni_rate",
    "pension_employer_min_rate",
    "ssp_earnings_rate",
    "holiday_accrual_rate",
)


def _percent(fraction: Decimal) -> str:
    return f"{(fraction * 100).normalize():f}"


def _pounds(amount: Decimal) -> str:
    """'£30,000', '£12.50': money as people read it."""
    return f"£{amount:,.0f}" if amount == amount.to_integral_value() else f"£{amount:,.2f}"


# What no real year's figures fall outside: a typing slip (1271 for 12.71, 15 for 0.15)
# is refused before it changes every ICB's PA costings.
SANE_NATIONAL_BOUNDS = [
    ("nlw_21_plus", Decimal("5"), Decimal("50")),
    ("nmw_18_20", Decimal("3"), Decimal("50")),
    ("nmw_16_17_apprentice", Decimal("2"), Decimal("50")),
    ("employer_ni_rate", Decimal("0"), Decimal("0.3")),
    ("ni_secondary_threshold_annual", Decimal("0"), Decimal("30000")),
    ("ni_secondary_threshold_weekly", Decimal("0"), Decimal("600")),
    ("ni_secondary_threshold_monthly", Decimal("0"), Decimal("2500")),
    ("upper_secondary_threshold_annual", Decimal("10000"), Decimal("200000")),
    ("upper_secondary_threshold_weekly", Decimal("200"), Decimal("4000")),
    ("upper_secondary_threshold_monthly", Decimal("800"), Decimal("17000")),
    ("lower_earnings_limit_annual", Decimal("0"), Decimal("30000")),
    ("primary_threshold_annual", Decimal("0"), Decimal("40000")),
    ("upper_earnings_limit_annual", Decimal("10000"), Decimal("200000")),
    ("employment_allowance_annual", Decimal("0"), Decimal("50000")),
    ("pension_trigger_annual", Decimal("0"), Decimal("50000")),
    ("pension_qualifying_lower_annual", Decimal("0"), Decimal("50000")),
    ("pension_qualifying_upper_annual", Decimal("10000"), Decimal("200000")),
    ("pension_employer_min_rate", Decimal("0"), Decimal("0.2")),
    ("ssp_weekly", Decimal("0"), Decimal("1000")),
    ("ssp_earnings_rate", Decimal("0"), Decimal("1")),
    ("holiday_weeks", Decimal("4"), Decimal("10")),
    ("holiday_accrual_rate", Decimal("0.05"), Decimal("0.25")),
]


@audited
class NationalRateSet(UUIDModel, Timestamped):
    """National employment figures (wages from 1 April, tax year from 6 April)."""

    name = models.CharField(max_length=50, help_text="For example, 2026/27")
    effective_from = models.DateField(unique=True)
    nlw_21_plus = MoneyField("National Living Wage, 21 and over (per hour)")
    nmw_18_20 = MoneyField("National Minimum Wage, 18 to 20 (per hour)")
    nmw_16_17_apprentice = MoneyField("National Minimum Wage, 16 to 17 and apprentices (per hour)")
    employer_ni_rate = RateField("Employer National Insurance rate")
    ni_secondary_threshold_annual = MoneyField("Secondary threshold (per year)")
    ni_secondary_threshold_weekly = MoneyField("Secondary threshold (per week)")
    ni_secondary_threshold_monthly = MoneyField("Secondary threshold (per month)")
    # For a PA under 21 (NI category M) or an apprentice under 25 (H) the employer pays no NI
    # up to the upper secondary threshold (the apprentice upper secondary threshold is the
    # same figure), and the rate above it.
    upper_secondary_threshold_annual = MoneyField(
        "Upper secondary threshold, under 21s and apprentices under 25 (per year)"
    )
    upper_secondary_threshold_weekly = MoneyField(
        "Upper secondary threshold, under 21s and apprentices under 25 (per week)"
    )
    upper_secondary_threshold_monthly = MoneyField(
        "Upper secondary threshold, under 21s and apprentices under 25 (per month)"
    )
    lower_earnings_limit_annual = MoneyField("Lower earnings limit (per year)")
    primary_threshold_annual = MoneyField("Primary threshold (per year)")
    upper_earnings_limit_annual = MoneyField("Upper earnings limit (per year)")
    employment_allowance_annual = MoneyField("Employment Allowance (per employer per year)")
    pension_trigger_annual = MoneyField("Pension auto-enrolment earnings trigger (per year)")
    pension_qualifying_lower_annual = MoneyField("Qualifying earnings band, lower (per year)")
    pension_qualifying_upper_annual = MoneyField("Qualifying earnings band, upper (per year)")
    pension_employer_min_rate = RateField("Minimum employer pension contribution")
    ssp_weekly = MoneyField("Statutory Sick Pay (per week)")
    ssp_earnings_rate = RateField("Statutory Sick Pay cap as a share of average weekly earnings")
    holiday_weeks = models.DecimalField(
        "Holiday entitlement (weeks)", max_digits=4, decimal_places=2
    )
    holiday_accrual_rate = RateField("Holiday accrual for irregular hours")

    objects = InForceQuerySet.as_manager()

    class Meta:
        ordering = ["-effective_from"]
        constraints = [
            *non_negative(*NATIONAL_NUMBER_FIELDS, prefix="national_rates"),
            models.CheckConstraint(
                condition=models.Q(
                    employer_ni_rate__lte=1,
                    pension_employer_min_rate__lte=1,
                    holiday_accrual_rate__lte=1,
                    ssp_earnings_rate__lte=1,
                ),
                name="national_rates_fractions_at_most_1",
                violation_error_message="Each percentage must be 100% or less",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    pension_qualifying_upper_annual__gt=models.F("pension_qualifying_lower_annual")
                ),
                name="national_rates_pension_band_ordered",
                violation_error_message="The upper end of the pension qualifying earnings band "
                "must be more than the lower end",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    nmw_16_17_apprentice__lte=models.F("nmw_18_20"),
                    nmw_18_20__lte=models.F("nlw_21_plus"),
                ),
                name="national_rates_wage_bands_ordered",
                violation_error_message="The minimum wage for 16 and 17 year olds and apprentices "
                "must not be more than the rate for 18 to 20 year olds, and that must not be more "
                "than the National Living Wage",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    lower_earnings_limit_annual__lte=models.F("primary_threshold_annual"),
                    primary_threshold_annual__lt=models.F("upper_earnings_limit_annual"),
                    ni_secondary_threshold_weekly__lte=models.F("ni_secondary_threshold_monthly"),
                    ni_secondary_threshold_monthly__lte=models.F("ni_secondary_threshold_annual"),
                    upper_secondary_threshold_weekly__lte=models.F(
                        "upper_secondary_threshold_monthly"
                    ),
                    upper_secondary_threshold_monthly__lte=models.F(
                        "upper_secondary_threshold_annual"
                    ),
                    ni_secondary_threshold_annual__lte=models.F("upper_secondary_threshold_annual"),
                    pension_qualifying_lower_annual__lte=models.F("pension_trigger_annual"),
                    pension_trigger_annual__lte=models.F("pension_qualifying_upper_annual"),
                ),
                name="national_rates_thresholds_ordered",
                violation_error_message="The thresholds must be in order: the lower earnings "
                "limit, then the primary threshold, then the upper earnings limit; the secondary "
                "threshold a week, a month, then a year, and then the upper secondary threshold "
                "a year; the upper secondary threshold a week, a month, then a year; and for the "
                "pension, the qualifying band's lower end, the earnings trigger, then its upper "
                "end",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (from {self.effective_from:%-d %B %Y})"

    def clean(self) -> None:
        """The figures must make sense as a set: every ICB's PA costings use them."""
        errors = {}

        def refuse(field, message):
            errors.setdefault(field, message)

        values = {name: getattr(self, name) for name in NATIONAL_NUMBER_FIELDS}
        if any(value is None for value in values.values()):
            return  # each missing figure has its own "enter" message
        for field, low, high in SANE_NATIONAL_BOUNDS:
            if not low <= values[field] <= high:
                label = self._meta.get_field(field).verbose_name
                if field in RATE_FIELDS:  # typed and read as percentages
                    low, high = f"{_percent(low)}%", f"{_percent(high)}%"
                elif field != "holiday_weeks":  # money: "£30,000"
                    low, high = _pounds(low), _pounds(high)
                refuse(field, f"{label[:1].upper()}{label[1:]} must be between {low} and {high}")
        if values["nmw_18_20"] > values["nlw_21_plus"]:
            refuse("nmw_18_20", "The 18 to 20 rate cannot be more than the rate for 21 and over")
        if values["nmw_16_17_apprentice"] > values["nmw_18_20"]:
            refuse(
                "nmw_16_17_apprentice",
                "The 16 to 17 and apprentice rate cannot be more than the 18 to 20 rate",
            )
        ordered = [
            ("lower_earnings_limit_annual", "primary_threshold_annual", "the primary threshold"),
            ("primary_threshold_annual", "upper_earnings_limit_annual", "the upper earnings limit"),
            (
                "ni_secondary_threshold_weekly",
                "ni_secondary_threshold_monthly",
                "the monthly secondary threshold",
            ),
            (
                "ni_secondary_threshold_monthly",
                "ni_secondary_threshold_annual",
                "the yearly secondary threshold",
            ),
            (
                "ni_secondary_threshold_annual",
                "upper_secondary_threshold_annual",
                "the yearly upper secondary threshold",
            ),
            (
                "upper_secondary_threshold_weekly",
                "upper_secondary_threshold_monthly",
                "the monthly upper secondary threshold",
            ),
            (
                "upper_secondary_threshold_monthly",
                "upper_secondary_threshold_annual",
                "the yearly upper secondary threshold",
            ),
            (
                "pension_qualifying_lower_annual",
                "pension_trigger_annual",
                "the auto-enrolment earnings trigger",
            ),
            (
                "pension_trigger_annual",
                "pension_qualifying_upper_annual",
                "the upper limit of the qualifying earnings band",
            ),
        ]
        for lower, upper, upper_words in ordered:
            if values[lower] > values[upper]:
                label = self._meta.get_field(lower).verbose_name
                refuse(lower, f"{label[:1].upper()}{label[1:]} cannot be more than {upper_words}")
        if values["upper_earnings_limit_annual"] == values["primary_threshold_annual"]:
            refuse(
                "upper_earnings_limit_annual",
                "The upper earnings limit must be more than the primary threshold",
            )
        if errors:
            raise ValidationError(errors)

    @property
    def in_use(self) -> bool:
        return self.pa_costings.exists()

    def as_figures(self):
        from budgets.calculations import NationalFigures

        return NationalFigures(
            nlw_21_plus=self.nlw_21_plus,
            nmw_18_20=self.nmw_18_20,
            nmw_16_17_apprentice=self.nmw_16_17_apprentice,
            employer_ni_rate=self.employer_ni_rate,
            ni_secondary_threshold_weekly=self.ni_secondary_threshold_weekly,
            ni_secondary_threshold_monthly=self.ni_secondary_threshold_monthly,
            upper_secondary_threshold_weekly=self.upper_secondary_threshold_weekly,
            upper_secondary_threshold_monthly=self.upper_secondary_threshold_monthly,
            employment_allowance_annual=self.employment_allowance_annual,
            pension_trigger_annual=self.pension_trigger_annual,
            pension_qualifying_lower_annual=self.pension_qualifying_lower_annual,
            pension_qualifying_upper_annual=self.pension_qualifying_upper_annual,
            pension_employer_min_rate=self.pension_employer_min_rate,
            holiday_weeks=self.holiday_weeks,
            holiday_accrual_rate=self.holiday_accrual_rate,
        )


LOCAL_NUMBER_FIELDS = (
    "pa_hourly",
    "agency_day_hourly",
    "agency_night_hourly",
    "agency_waking_night_hourly",
    "nursing_hourly",
    "employer_liability_insurance_annual",
    "payroll_fee_annual",
    "contingency_rate",
)


@audited
class LocalRateSet(UUIDModel, Timestamped):
    """An ICB's local hourly rates and default on-costs, from a date."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="local_rates"
    )
    effective_from = models.DateField()
    pa_hourly = MoneyField("Personal assistant (per hour)")
    agency_day_hourly = MoneyField("Agency care, day (per hour)")
    agency_night_hourly = MoneyField("Agency care, sleeping night (per night)")
    agency_waking_night_hourly = MoneyField("Agency care, waking night (per hour)")
    nursing_hourly = MoneyField("Nursing (per hour)")
    employer_liability_insurance_annual = MoneyField(
        "Employer's liability insurance (per employer per year)"
    )
    payroll_fee_annual = MoneyField("Payroll service (per employer per year)")
    contingency_rate = RateField("Contingency (share of the PA costs)")

    objects = InForceQuerySet.as_manager()

    class Meta:
        ordering = ["-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "effective_from"], name="local_rates_one_per_date"
            ),
            models.CheckConstraint(
                condition=models.Q(contingency_rate__lte=Decimal("0.5")),
                name="local_rates_contingency_at_most_half",
                violation_error_message="The contingency must be 50% or less",
            ),
            *non_negative(*LOCAL_NUMBER_FIELDS, prefix="local_rates"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation.name} local rates from {self.effective_from:%-d %B %Y}"

    def clean(self) -> None:
        """Say, against the field, what the constraints below would otherwise refuse with
        only their names (and no link from the error summary to the field)."""
        errors = {}
        for name in LOCAL_NUMBER_FIELDS:
            value = getattr(self, name)
            if value is not None and value < 0:
                field = self._meta.get_field(name)
                zero = "£0" if isinstance(field, MoneyField) else "0"
                errors[name] = f"{field.verbose_name} cannot be less than {zero}"
        if "contingency_rate" not in errors and (self.contingency_rate or 0) > Decimal("0.5"):
            errors["contingency_rate"] = "Contingency must be 50% or less"
        if (
            self.effective_from
            and self.organisation_id
            and LocalRateSet.objects.filter(
                organisation_id=self.organisation_id, effective_from=self.effective_from
            )
            .exclude(pk=self.pk)
            .exists()
        ):
            errors["effective_from"] = (
                f"There are already rates in force from {self.effective_from:%-d %B %Y}: "
                "change those, or choose another date"
            )
        if errors:
            raise ValidationError(errors)

    @property
    def in_use(self) -> bool:
        return self.chc_packages.exists() or self.pa_costings.exists()
