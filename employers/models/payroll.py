"""Pay runs and payslips (issue 10): a tax year's PAYE figures as dated data, an employer's
pay run for one pay period, each PA's payslip with every figure the payroll engine
(`employers.payroll`) worked out, and the timesheets each payslip paid.

A finalised pay run, its payslips, their lines and the timesheets they paid never change: the
database refuses (`FROZEN_RUN_SQL`, `FROZEN_CHILD_SQL`). A mistake is put right by a
correction: a new run for the same period linked by `corrects`, which replaces the run it
corrects once it is finalised."""

from dataclasses import fields

import pgtrigger
from django.db import models
from django.db.models import Q

from budgets.models import HoldingPortion
from budgets.models.fields import MoneyField, RateField
from budgets.models.rates import InForceQuerySet
from employers.models.people import Employer, PayFrequency, PersonalAssistant, StudentLoanPlan
from employers.models.timesheets import Timesheet
from employers.payroll import TaxYearFigures
from phb.audit import audited
from phb.models import BudgetHolder, Timestamped, User, UUIDModel

# The rates among the figures (fractions such as 0.20); every other figure is pounds.
TAX_YEAR_RATE_FIELDS = (
    "basic_rate",
    "higher_rate",
    "additional_rate",
    "k_code_limit_rate",
    "employee_ni_main_rate",
    "employee_ni_upper_rate",
    "employer_ni_rate",
    "ssp_earnings_rate",
    "holiday_accrual_rate",
    "pension_employer_min_rate",
    "pension_employee_min_rate",
    "student_loan_rate",
    "postgraduate_loan_rate",
)
TAX_YEAR_FIELDS = tuple(f.name for f in fields(TaxYearFigures))


class TaxYearRateSetQuerySet(InForceQuerySet):
    def in_force_on(self, day):
        """The tax year's figures in force on `day`: the set from the latest 6 April on or
        before it, or None."""
        return self.filter(tax_year_start__lte=day).order_by("-tax_year_start").first()


def _figure_field(name: str):
    label = name.replace("_", " ")
    if name in TAX_YEAR_RATE_FIELDS:
        return RateField(label)
    return MoneyField(label)


@audited
class TaxYearRateSet(UUIDModel, Timestamped):
    """One tax year's PAYE, National Insurance, Statutory Sick Pay, holiday and pension figures
    as HMRC and DWP publish them, in force from 6 April. Its fields are exactly
    `employers.payroll.TaxYearFigures`'; a set a pay run has used is never edited."""

    name = models.CharField(max_length=50, help_text="For example, 2026/27")
    tax_year_start = models.DateField("Tax year starts on", unique=True)
    locals().update({name: _figure_field(name) for name in TAX_YEAR_FIELDS[1:]})

    objects = TaxYearRateSetQuerySet.as_manager()

    class Meta:
        ordering = ["-tax_year_start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(tax_year_start__month=4, tax_year_start__day=6),
                name="tax_year_starts_6_april",
            ),
            models.CheckConstraint(
                condition=Q(**{f"{name}__gte": 0 for name in TAX_YEAR_FIELDS[1:]}),
                name="tax_year_figures_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(**{f"{name}__lte": 1 for name in TAX_YEAR_RATE_FIELDS}),
                name="tax_year_rates_at_most_1",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (from {self.tax_year_start:%-d %B %Y})"

    def figures(self) -> TaxYearFigures:
        return TaxYearFigures(**{name: getattr(self, name) for name in TAX_YEAR_FIELDS})


class PayRunStatus(models.TextChoices):
    DRAFT = "draft", "Being checked"
    FINALISED = "finalised", "Finalised"


class PayRunQuerySet(models.QuerySet):
    def visible_to(self, user) -> "PayRunQuerySet":
        return self.filter(employer__in=Employer.objects.visible_to(user))

    def in_force(self) -> "PayRunQuerySet":
        """Finalised runs that no finalised correction has replaced: what was paid."""
        return self.filter(status=PayRunStatus.FINALISED).exclude(
            corrected_by__status=PayRunStatus.FINALISED
        )


# A finalised run never changes, and is never deleted.
FROZEN_RUN_SQL = """
IF OLD.status = 'finalised' THEN
    RAISE EXCEPTION 'A finalised pay run cannot be changed: make a correction run'
        USING ERRCODE = 'check_violation';
END IF;
IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
RETURN NEW;
"""

# Rows inside a run (payslips, their lines, the timesheets they paid): only a draft's change.
FROZEN_CHILD_SQL = """
IF EXISTS (
    SELECT 1 FROM employers_payrun r {join}
    WHERE {match} AND r.status = 'finalised'
) THEN
    RAISE EXCEPTION 'A finalised pay run cannot be changed: make a correction run'
        USING ERRCODE = 'check_violation';
END IF;
IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
RETURN NEW;
"""


def frozen_with_run(join: str, match: str) -> pgtrigger.Trigger:
    return pgtrigger.Trigger(
        name="only_a_draft_run_changes",
        operation=pgtrigger.Insert | pgtrigger.Update | pgtrigger.Delete,
        when=pgtrigger.Before,
        func=FROZEN_CHILD_SQL.format(join=join, match=match),
    )


@audited
class PayRun(UUIDModel, Timestamped):
    """An employer's payroll for one pay period: reviewed as a draft, then finalised."""

    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="pay_runs")
    frequency = models.CharField(max_length=12, choices=PayFrequency.choices)
    rate_set = models.ForeignKey(TaxYearRateSet, on_delete=models.PROTECT, related_name="+")
    tax_year_start = models.DateField()
    # The pay period's number in the tax year (month 1 starts 6 April) and the tax period the
    # pay day falls in (the tax month, or the tax week for weekly, fortnightly, 4-weekly pay).
    period_number = models.PositiveSmallIntegerField()
    tax_period = models.PositiveSmallIntegerField()
    period_starts_on = models.DateField("Pay period from")
    period_ends_on = models.DateField("Pay period to")
    pay_date = models.DateField("Pay day")
    status = models.CharField(
        max_length=10, choices=PayRunStatus.choices, default=PayRunStatus.DRAFT
    )
    corrects = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrected_by",
        help_text="The finalised run this one corrects.",
    )
    portion = models.ForeignKey(
        HoldingPortion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pay_runs",
        help_text="The part of the budget that pays for this run.",
    )
    # PAs whose payslips could not be worked out (a Scottish tax code, a missing rate): a run
    # with problems cannot be finalised.
    problems = models.CharField(max_length=2000, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    calculated_at = models.DateTimeField()
    finalised_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    finalised_at = models.DateTimeField(null=True, blank=True)

    objects = PayRunQuerySet.as_manager()

    class Meta:
        ordering = ["-pay_date", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=PayRunStatus.values), name="payrun_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(frequency__in=PayFrequency.values), name="payrun_frequency_valid"
            ),
            models.CheckConstraint(
                condition=Q(period_ends_on__gte=models.F("period_starts_on")),
                name="payrun_period_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(status=PayRunStatus.FINALISED)
                | Q(finalised_by__isnull=False, finalised_at__isnull=False, problems=""),
                name="payrun_finalised_recorded",
            ),
            models.UniqueConstraint(
                fields=["employer"],
                condition=Q(status=PayRunStatus.DRAFT),
                name="payrun_one_draft_per_employer",
            ),
            models.UniqueConstraint(
                fields=["employer", "frequency", "tax_year_start", "period_number"],
                condition=Q(corrects__isnull=True),
                name="payrun_period_once",
            ),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="finalised_run_frozen",
                operation=pgtrigger.Update | pgtrigger.Delete,
                when=pgtrigger.Before,
                func=FROZEN_RUN_SQL,
            )
        ]

    def __str__(self) -> str:
        return f"Pay run for {self.period_starts_on:%-d %B} to {self.period_ends_on:%-d %B %Y}"

    @property
    def budget_holder(self) -> BudgetHolder:
        return self.employer.budget_holder

    @property
    def is_draft(self) -> bool:
        return self.status == PayRunStatus.DRAFT

    @property
    def problem_list(self) -> list[str]:
        return [line for line in self.problems.splitlines() if line]


class PayslipQuerySet(models.QuerySet):
    def visible_to(self, user) -> "PayslipQuerySet":
        """Staff and the employer's side: the payslips of runs they see. A PA: their own, and
        only once the run is finalised."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            Q(run__employer__in=Employer.objects.visible_to(user))
            | Q(assistant__user_id=user.pk, run__status=PayRunStatus.FINALISED)
        )


@audited
class Payslip(UUIDModel):
    """One PA's pay for a run, every figure as the payroll engine worked it out."""

    run = models.ForeignKey(PayRun, on_delete=models.CASCADE, related_name="payslips")
    assistant = models.ForeignKey(
        PersonalAssistant, on_delete=models.PROTECT, related_name="payslips"
    )
    tax_code = models.CharField(max_length=12)
    tax_basis = models.CharField(max_length=16)
    ni_category = models.CharField("NI category", max_length=1)
    pension_category = models.CharField(max_length=40)
    pension_member = models.BooleanField(default=False)
    pension_enrolled_now = models.BooleanField(default=False)
    hours_worked = models.DecimalField(max_digits=7, decimal_places=2)
    holiday_hours_accrued = models.DecimalField(max_digits=7, decimal_places=2)
    gross_pay = MoneyField()
    holiday_pay = MoneyField()
    rolled_up_holiday_pay = MoneyField()
    statutory_sick_pay = MoneyField()
    taxable_pay = MoneyField()
    tax = MoneyField()  # negative: a refund
    taxable_pay_to_date = MoneyField()
    tax_paid_to_date = MoneyField()
    # The pay and tax from previous jobs (the PA's P45) that the figures to date include.
    previous_pay = MoneyField(default=0)
    previous_tax = MoneyField(default=0)
    ni_earnings_up_to_lel = MoneyField("Earnings at the lower earnings limit")
    ni_earnings_lel_to_pt = MoneyField("Earnings above the LEL up to the primary threshold")
    ni_earnings_pt_to_uel = MoneyField("Earnings above the primary threshold up to the UEL")
    employee_ni = MoneyField()
    employer_ni_before_allowance = MoneyField()
    employment_allowance_used = MoneyField()
    employer_ni = MoneyField()
    pension_qualifying_earnings = MoneyField()
    pension_employee_contribution = MoneyField()
    pension_employee_deduction = MoneyField()
    pension_employer_contribution = MoneyField()
    student_loan_plan = models.CharField(max_length=6, choices=StudentLoanPlan.choices, blank=True)
    student_loan = MoneyField(default=0)
    postgraduate_loan = MoneyField(default=0)
    net_pay = MoneyField()
    employer_cost = MoneyField()
    warnings = models.CharField(max_length=1000, blank=True)

    objects = PayslipQuerySet.as_manager()

    class Meta:
        ordering = ["assistant__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["run", "assistant"], name="payslip_once_per_run"),
        ]
        triggers = [frozen_with_run("", "r.id = COALESCE(NEW.run_id, OLD.run_id)")]

    def __str__(self) -> str:
        return f"Payslip for {self.assistant} paid {self.run.pay_date:%-d %B %Y}"

    @property
    def budget_holder(self) -> BudgetHolder:
        return self.run.employer.budget_holder

    @property
    def warning_list(self) -> list[str]:
        return [line for line in self.warnings.splitlines() if line]


class PayslipLineKind(models.TextChoices):
    DAY = "day", "Day"
    NIGHT = "night", "Night"
    WAKING_NIGHT = "waking_night", "Waking night"
    SLEEP_IN = "sleep_in", "Sleep-in"
    HOLIDAY = "holiday", "Holiday"
    ROLLED_UP_HOLIDAY = "rolled_up_holiday", "Rolled-up holiday pay"
    SICK_PAY = "sick_pay", "Statutory Sick Pay"


class PayslipLine(UUIDModel):
    """One line of gross pay. Hours and rate are blank for sums worked out by the payroll."""

    payslip = models.ForeignKey(Payslip, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    description = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=PayslipLineKind.choices)
    hours = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    rate = MoneyField(null=True, blank=True)
    amount = MoneyField()

    class Meta:
        ordering = ["payslip", "position"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=PayslipLineKind.values), name="payslip_line_kind_valid"
            ),
        ]
        triggers = [
            frozen_with_run(
                "JOIN employers_payslip p ON p.run_id = r.id",
                "p.id = COALESCE(NEW.payslip_id, OLD.payslip_id)",
            )
        ]


class PaidTimesheet(UUIDModel):
    """A timesheet paid by a payslip. A timesheet is paid once: by one run, and by the
    corrections of that run (`correction`), which pay the same work again in its place."""

    timesheet = models.ForeignKey(Timesheet, on_delete=models.PROTECT, related_name="payments")
    payslip = models.ForeignKey(Payslip, on_delete=models.CASCADE, related_name="timesheets")
    correction = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["timesheet"], condition=Q(correction=False), name="timesheet_paid_once"
            ),
            models.UniqueConstraint(
                fields=["timesheet", "payslip"], name="timesheet_once_per_payslip"
            ),
        ]
        triggers = [
            frozen_with_run(
                "JOIN employers_payslip p ON p.run_id = r.id",
                "p.id = COALESCE(NEW.payslip_id, OLD.payslip_id)",
            )
        ]
