"""Stored CHC cost-cap packages and PA costings, with the rates they used.

Figures are worked out by `budgets.calculations` and stored as they were shown,
so a later change of rates never alters a calculation someone has already seen.
"""

from django.db import models
from django.db.models import Q

from budgets.calculations import pa_amount_for_period
from budgets.models.fields import MoneyField, RateField, non_negative
from budgets.models.rates import LocalRateSet, NationalRateSet
from phb.audit import audited
from phb.models import BudgetHolder, Timestamped, User, UUIDModel


class ChcProviderType(models.TextChoices):
    AGENCY_DAY = "agency_day", "Agency care, day (hours)"
    AGENCY_NIGHT = "agency_night", "Agency care, sleeping night (nights)"
    AGENCY_WAKING_NIGHT = "agency_waking_night", "Agency care, waking night (hours)"
    NURSING = "nursing", "Nursing (hours)"
    RESPITE = "respite", "Respite"
    EQUIPMENT = "equipment", "Equipment"
    OTHER = "other", "Other"


# The lines whose units are hours, so at most 168 a week; the others count nights, visits or
# items, as many as the package has.
HOURS = (ChcProviderType.AGENCY_DAY, ChcProviderType.AGENCY_WAKING_NIGHT, ChcProviderType.NURSING)


@audited
class ChcPackage(UUIDModel, Timestamped):
    """The conventional commissioned package; its cost is the cap on the budget."""

    budget_holder = models.ForeignKey(
        BudgetHolder, on_delete=models.PROTECT, related_name="chc_packages"
    )
    effective_date = models.DateField()
    local_rates = models.ForeignKey(
        LocalRateSet, on_delete=models.PROTECT, related_name="chc_packages"
    )
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    weekly_cost = MoneyField()
    annual_cost = MoneyField()

    class Meta:
        verbose_name = "CHC package"
        ordering = ["-created_at"]
        constraints = non_negative("weekly_cost", "annual_cost", prefix="chc_package")

    def __str__(self) -> str:
        return f"CHC package for {self.budget_holder} on {self.effective_date}"


@audited
class ChcPackageLine(UUIDModel):
    package = models.ForeignKey(ChcPackage, on_delete=models.CASCADE, related_name="lines")
    service = models.CharField(max_length=200)
    provider_type = models.CharField(max_length=24, choices=ChcProviderType.choices)
    units_per_week = models.DecimalField(max_digits=7, decimal_places=2)
    unit_cost = MoneyField()
    weekly_cost = MoneyField()
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order"]
        constraints = [
            *non_negative("units_per_week", "unit_cost", "weekly_cost", prefix="chc_line"),
            models.CheckConstraint(
                condition=Q(provider_type__in=ChcProviderType.values),
                name="chc_line_provider_valid",
            ),
        ]


class PayFrequencyChoice(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"


class AgeBandChoice(models.TextChoices):
    ADULT = "21_plus", "21 or over"
    YOUNG_ADULT = "18_20", "18 to 20"
    UNDER_18_OR_APPRENTICE = "16_17", "16 or 17, or an apprentice"


class PensionChoice(models.TextChoices):
    AUTO = "auto", "Enrol automatically if they earn enough"
    OPTED_IN = "opted_in", "Opted in"
    OPTED_OUT = "opted_out", "Opted out"


class AgeSourceChoice(models.TextChoices):
    DATE_OF_BIRTH = "date_of_birth", "From their date of birth"
    STATED = "stated", "Age given without a date of birth"
    ASSUMED = "assumed", "Not known: an adult was assumed"


class NiCategoryChoice(models.TextChoices):
    # "" for lines costed before the category was recorded (their employer's NI was worked out
    # above the secondary threshold whatever their age).
    NOT_RECORDED = "", "Not recorded"
    A = "A", "A: standard"
    M = "M", "M: under 21"
    H = "H", "H: an apprentice under 25"
    C = "C", "C: over State Pension age"


class PensionCategoryChoice(models.TextChoices):
    # "" for lines costed before the category was recorded.
    NOT_RECORDED = "", "Not recorded"
    ELIGIBLE = "eligible", "Eligible jobholder"
    NON_ELIGIBLE = "non_eligible", "Non-eligible jobholder"
    ENTITLED = "entitled", "Entitled worker"
    NOT_COVERED = "not_covered", "Outside the pension duties"


@audited
class PaCosting(UUIDModel, Timestamped):
    """The true cost of employing personal assistants, on-costs included."""

    budget_holder = models.ForeignKey(
        BudgetHolder, on_delete=models.PROTECT, related_name="pa_costings"
    )
    effective_date = models.DateField()
    national_rates = models.ForeignKey(
        NationalRateSet, on_delete=models.PROTECT, related_name="pa_costings"
    )
    local_rates = models.ForeignKey(
        LocalRateSet, on_delete=models.PROTECT, related_name="pa_costings"
    )
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    pay_frequency = models.CharField(max_length=8, choices=PayFrequencyChoice.choices)
    claims_employment_allowance = models.BooleanField()
    insurance_annual = MoneyField("Employer's liability insurance (per year)")
    payroll_fee_annual = MoneyField("Payroll service (per year)")
    contingency_rate = RateField()
    wages_annual = MoneyField()
    holiday_annual = MoneyField()
    employer_ni_annual = MoneyField()
    employment_allowance_annual = MoneyField()
    pension_annual = MoneyField()
    subtotal_annual = MoneyField()
    contingency_annual = MoneyField()
    total_annual = MoneyField()
    total_weekly = MoneyField()

    class Meta:
        verbose_name = "PA costing"
        ordering = ["-created_at"]
        constraints = non_negative(
            "insurance_annual",
            "payroll_fee_annual",
            "contingency_rate",
            "wages_annual",
            "holiday_annual",
            "employer_ni_annual",
            "employment_allowance_annual",
            "pension_annual",
            "total_annual",
            "total_weekly",
            prefix="pa_costing",
        )

    def __str__(self) -> str:
        return f"PA costing for {self.budget_holder} on {self.effective_date}"

    def for_period(self, start, end):
        """Its amount for a budget from `start` to `end`, with the Employment Allowance set
        against the National Insurance of those days (`calculations.pa_amount_for_period`)."""
        return pa_amount_for_period(
            total_annual=self.total_annual,
            employer_ni_annual=self.employer_ni_annual,
            allowance_used_annual=self.employment_allowance_annual,
            claims_employment_allowance=self.claims_employment_allowance,
            allowance_annual=self.national_rates.employment_allowance_annual,
            contingency_rate=self.contingency_rate,
            start=start,
            end=end,
        )


@audited
class PaCostingLine(UUIDModel):
    costing = models.ForeignKey(PaCosting, on_delete=models.CASCADE, related_name="lines")
    label = models.CharField(max_length=100)
    hours_per_week = models.DecimalField(max_digits=5, decimal_places=2)
    hourly_rate = MoneyField()
    # What was known of the PA's age; the wage band and pension category were worked out from
    # it on the costing's date (budgets.calculations.pa_age) and are stored as shown.
    date_of_birth = models.DateField(null=True, blank=True)
    stated_age = models.PositiveSmallIntegerField(null=True, blank=True)
    apprentice = models.BooleanField(default=False)
    age_source = models.CharField(
        max_length=14, choices=AgeSourceChoice.choices, default=AgeSourceChoice.ASSUMED
    )
    age_on_effective_date = models.PositiveSmallIntegerField(null=True, blank=True)
    state_pension_date = models.DateField(null=True, blank=True)
    state_pension_uncertain = models.BooleanField(default=False)
    pension_category = models.CharField(
        max_length=12, choices=PensionCategoryChoice.choices, blank=True, default=""
    )
    age_band = models.CharField(max_length=8, choices=AgeBandChoice.choices)
    # The National Insurance category worked out from the age (budgets.calculations.ni_category):
    # for M and H the employer pays no NI up to the upper secondary threshold.
    ni_category = models.CharField(
        max_length=1, choices=NiCategoryChoice.choices, blank=True, default=""
    )
    irregular_hours = models.BooleanField()
    # The days a week they work, where known: holiday cover is then no more than 28 days a year
    # (budgets.calculations.holiday_weeks). Lines costed before it was asked have none.
    days_per_week = models.PositiveSmallIntegerField(null=True, blank=True)
    pension = models.CharField(max_length=10, choices=PensionChoice.choices)
    gross_weekly = MoneyField()
    holiday_weekly = MoneyField()
    holiday_method = models.CharField(max_length=10)
    employer_ni_weekly = MoneyField()
    pension_weekly = MoneyField()
    pension_enrolled = models.BooleanField()
    total_weekly = MoneyField()
    total_annual = MoneyField()
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours_per_week__gt=0, hours_per_week__lte=168),
                name="pa_line_hours_in_a_week",
            ),
            models.CheckConstraint(
                condition=Q(days_per_week__isnull=True)
                | Q(days_per_week__gte=1, days_per_week__lte=7),
                name="pa_line_days_in_a_week",
            ),
            models.CheckConstraint(
                condition=Q(age_source__in=AgeSourceChoice.values),
                name="pa_line_age_source_valid",
            ),
            models.CheckConstraint(
                condition=Q(pension_category__in=PensionCategoryChoice.values),
                name="pa_line_pension_category_valid",
            ),
            models.CheckConstraint(
                condition=Q(ni_category__in=NiCategoryChoice.values),
                name="pa_line_ni_category_valid",
            ),
            # A PA is 16 or over; an age is known exactly when it is not assumed.
            models.CheckConstraint(
                condition=Q(stated_age__isnull=True) | Q(stated_age__gte=16, stated_age__lte=120),
                name="pa_line_stated_age_16_to_120",
            ),
            models.CheckConstraint(
                condition=(
                    Q(age_source=AgeSourceChoice.ASSUMED, age_on_effective_date__isnull=True)
                    | (~Q(age_source=AgeSourceChoice.ASSUMED) & Q(age_on_effective_date__gte=16))
                ),
                name="pa_line_age_known_unless_assumed",
            ),
            *non_negative(
                "hourly_rate",
                "gross_weekly",
                "holiday_weekly",
                "employer_ni_weekly",
                "pension_weekly",
                "total_weekly",
                "total_annual",
                prefix="pa_line",
            ),
        ]
