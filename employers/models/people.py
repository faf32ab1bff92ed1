"""Employers (the budget holder, a nominee or a managed-account organisation) with their legal
duties as a checklist, and the personal assistants (PAs) they employ."""

import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

from budgets.models.fields import MoneyField
from careplans.models.plans import text_limits
from phb.audit import audited
from phb.models import BudgetHolder, Representative, Timestamped, User, UUIDModel

# Employer's liability insurance must cover at least £5 million (Employers' Liability
# (Compulsory Insurance) Regulations 1998, reg. 3).
MINIMUM_INSURANCE_COVER = Decimal("5000000")

paye_reference_validator = RegexValidator(
    r"^[0-9]{3}/[A-Z0-9]{1,10}$",
    "Enter the employer PAYE reference as it is on HMRC's letter, like 123/AB45678",
)

# HMRC's National Insurance number rules (NIM39110): two prefix letters, six digits and a
# suffix A to D. The letters D, F, I, Q, U and V are never used in the prefix, O never
# second, and some pairs are never issued.
NI_NUMBER_PATTERN = re.compile(
    r"^(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z][0-9]{6}[A-D]$"
)
NI_NUMBER_MESSAGE = "Enter a National Insurance number in the right format, like QQ 12 34 56 C"


def normalise_ni_number(value: str) -> str:
    return re.sub(r"\s+", "", value or "").upper()


def validate_ni_number(value: str) -> None:
    if not NI_NUMBER_PATTERN.match(normalise_ni_number(value)):
        raise ValidationError(NI_NUMBER_MESSAGE, code="invalid_ni_number")


dbs_certificate_validator = RegexValidator(
    r"^[0-9]{12}$", "Enter the DBS certificate number: the 12 digits on the certificate"
)


class EmployerKind(models.TextChoices):
    HOLDER = "holder", "The budget holder"
    NOMINEE = "nominee", "A nominee (someone the budget holder chose to employ for them)"
    MANAGED_ACCOUNT = "managed_account", "A managed-account organisation"


class PayrollArrangement(models.TextChoices):
    THIS_SERVICE = "this_service", "This service runs the payroll"
    BUREAU = "bureau", "A payroll bureau"
    NOT_ARRANGED = "not_arranged", "Not arranged yet"


class PayFrequency(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    FORTNIGHTLY = "fortnightly", "Fortnightly"
    FOUR_WEEKLY = "four_weekly", "Every 4 weeks"
    MONTHLY = "monthly", "Monthly"


class EmployerQuerySet(models.QuerySet):
    def visible_to(self, user) -> "EmployerQuerySet":
        """Staff: the employers of their ICB's people. A budget holder or representative:
        their own (or their person's) employer. A PA: nobody's (they see their own records)."""
        return self.filter(budget_holder__in=BudgetHolder.objects.visible_to(user))

    def in_icb_of(self, user) -> "EmployerQuerySet":
        return self.filter(budget_holder__in=BudgetHolder.objects.in_caseload_of(user))


@audited
class Employer(UUIDModel, Timestamped):
    """The legal employer of a budget holder's PAs, and its duties: PAYE registration,
    employer's liability insurance, workplace pension, payroll, written statements."""

    budget_holder = models.OneToOneField(
        BudgetHolder, on_delete=models.PROTECT, related_name="employer"
    )
    kind = models.CharField(
        "Who is the legal employer", max_length=16, choices=EmployerKind.choices
    )
    employer_name = models.CharField(
        "Name of the nominee or organisation",
        max_length=200,
        blank=True,
        help_text="Leave blank when the budget holder is the employer.",
    )
    nominee = models.ForeignKey(
        Representative,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="A nominee or representative who employs for the budget holder.",
    )
    support_officer = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="employers_supported",
        verbose_name="PA employer support officer",
    )
    # PAYE
    paye_reference = models.CharField(
        "Employer PAYE reference", max_length=14, blank=True, validators=[paye_reference_validator]
    )
    accounts_office_reference = models.CharField(
        "Accounts Office reference", max_length=13, blank=True
    )
    # Employer's liability insurance
    insurance_exempt = models.BooleanField(
        "Exempt: every employee is a close relative", default=False
    )
    insurer = models.CharField(max_length=200, blank=True)
    insurance_policy_number = models.CharField("Policy number", max_length=60, blank=True)
    insurance_cover = MoneyField("Cover", null=True, blank=True)
    insurance_expires_on = models.DateField("Insurance expiry date", null=True, blank=True)
    # Workplace pension
    pension_scheme = models.CharField("Workplace pension scheme", max_length=200, blank=True)
    pension_duties_start_on = models.DateField("Duties start date", null=True, blank=True)
    pension_declaration_on = models.DateField(
        "Declaration of compliance sent to The Pensions Regulator", null=True, blank=True
    )
    # Payroll
    payroll_arrangement = models.CharField(
        max_length=16, choices=PayrollArrangement.choices, default=PayrollArrangement.NOT_ARRANGED
    )
    payroll_bureau = models.CharField("Name of the payroll bureau", max_length=200, blank=True)
    pay_frequency = models.CharField(
        "How often PAs are paid",
        max_length=12,
        choices=PayFrequency.choices,
        default=PayFrequency.MONTHLY,
    )
    employment_allowance_claimed = models.BooleanField(
        "Claims the Employment Allowance", default=False
    )
    # A single named point of contact for PAs when employment goes wrong: not the employer
    # support officer (who supports the employer).
    pa_contact_name = models.CharField("Point of contact for PAs", max_length=200, blank=True)
    pa_contact_phone = models.CharField("Their phone number", max_length=30, blank=True)
    pa_contact_email = models.EmailField("Their email address", max_length=254, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    objects = EmployerQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=EmployerKind.values), name="employer_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind=EmployerKind.HOLDER) | ~Q(employer_name=""),
                name="employer_other_than_holder_named",
            ),
            models.CheckConstraint(
                condition=Q(insurance_cover__isnull=True)
                | Q(insurance_cover__gte=MINIMUM_INSURANCE_COVER),
                name="employer_insurance_cover_at_least_5m",
            ),
            models.CheckConstraint(
                condition=Q(payroll_arrangement__in=PayrollArrangement.values),
                name="employer_payroll_arrangement_valid",
            ),
            models.CheckConstraint(
                condition=~Q(payroll_arrangement=PayrollArrangement.BUREAU) | ~Q(payroll_bureau=""),
                name="employer_bureau_named",
            ),
            models.CheckConstraint(
                condition=Q(pay_frequency__in=PayFrequency.values),
                name="employer_pay_frequency_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["insurance_expires_on"], name="employer_by_insurance_expiry"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.kind == EmployerKind.HOLDER:
            return self.budget_holder.full_name
        return self.employer_name


class DbsLevel(models.TextChoices):
    BASIC = "basic", "Basic"
    STANDARD = "standard", "Standard"
    ENHANCED = "enhanced", "Enhanced"
    ENHANCED_BARRED = "enhanced_barred", "Enhanced with barred list check"


class RightToWorkDocument(models.TextChoices):
    UK_PASSPORT = "uk_passport", "UK or Irish passport"
    BIRTH_CERTIFICATE = "birth_certificate", "UK birth certificate with National Insurance proof"
    SHARE_CODE = "share_code", "Online check with a share code"
    BIOMETRIC = "biometric", "eVisa or other Home Office document"
    EMPLOYER_CHECKING_SERVICE = "ecs", "Employer Checking Service"


class HolidayBasis(models.TextChoices):
    REGULAR = "regular", "Regular hours: 5.6 weeks a year, paid when taken"
    ACCRUAL = "accrual", "Irregular hours: 12.07% of hours worked, paid when taken"
    ROLLED_UP = "rolled_up", "Irregular hours: rolled-up holiday pay of 12.07% with each pay"


class TaxBasis(models.TextChoices):
    CUMULATIVE = "cumulative", "Cumulative"
    NON_CUMULATIVE = "non_cumulative", "Week 1 or month 1 (non-cumulative)"


class PensionChoice(models.TextChoices):
    AUTO = "auto", "As the law says (enrolled when eligible)"
    OPTED_IN = "opted_in", "Asked to join"
    OPTED_OUT = "opted_out", "Opted out"


class StudentLoanPlan(models.TextChoices):
    """`employers.payroll.StudentLoanPlan`, with the words a starter checklist uses."""

    PLAN_1 = "plan_1", "Plan 1"
    PLAN_2 = "plan_2", "Plan 2"
    PLAN_4 = "plan_4", "Plan 4"
    PLAN_5 = "plan_5", "Plan 5"


class PersonalAssistantStatus(models.TextChoices):
    ACTIVE = "active", "Working"
    ON_LEAVE = "on_leave", "On leave"
    LEFT = "left", "Left"


class PersonalAssistantQuerySet(models.QuerySet):
    def visible_to(self, user) -> "PersonalAssistantQuerySet":
        """Staff and the employer's side see the PAs of the employers they see; a PA sees
        only their own records."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(Q(employer__in=Employer.objects.visible_to(user)) | Q(user_id=user.pk))

    def employed(self) -> "PersonalAssistantQuerySet":
        return self.exclude(status=PersonalAssistantStatus.LEFT)


@audited
class PersonalAssistant(UUIDModel, Timestamped):
    """Someone an employer employs to support the budget holder."""

    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="assistants")
    # Their own sign-in, to submit timesheets and see payslips. One person may work for
    # several employers: each employment is its own record.
    user = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="pa_records"
    )
    full_name = models.CharField("Full name", max_length=200)
    email = models.EmailField("Email address", max_length=254, blank=True)
    phone = models.CharField("Phone number", max_length=30, blank=True)
    address_line_1 = models.CharField("Address line 1", max_length=200, blank=True)
    address_line_2 = models.CharField("Address line 2", max_length=200, blank=True)
    town = models.CharField("Town or city", max_length=100, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    ni_number = models.CharField(
        "National Insurance number", max_length=9, blank=True, validators=[validate_ni_number]
    )
    date_of_birth = models.DateField()
    lives_in_household = models.BooleanField(
        "A family member or friend who lives in the same household as the budget holder",
        default=False,
    )
    close_relative = models.BooleanField("A close relative of the employer", default=False)
    # Right to work
    right_to_work_checked_on = models.DateField("Date checked", null=True, blank=True)
    right_to_work_document = models.CharField(
        "Document seen", max_length=20, choices=RightToWorkDocument.choices, blank=True
    )
    # The law asks the employer to keep a copy of the document (or of the online check's
    # result) for the time they employ the PA and 2 years after: without it the check does not
    # excuse the employer.
    right_to_work_copy_kept = models.BooleanField("A copy was kept", default=False)
    right_to_work_follow_up_on = models.DateField(
        "Follow-up check due",
        null=True,
        blank=True,
        help_text="Only when their permission to work is time-limited.",
    )
    # DBS
    dbs_level = models.CharField("Level", max_length=16, choices=DbsLevel.choices, blank=True)
    dbs_certificate_number = models.CharField(
        "Certificate number", max_length=12, blank=True, validators=[dbs_certificate_validator]
    )
    dbs_issued_on = models.DateField("Date of issue", null=True, blank=True)
    dbs_update_service = models.BooleanField("Signed up to the DBS Update Service", default=False)
    dbs_recheck_on = models.DateField("Check again by", null=True, blank=True)
    # Written statement of employment particulars (due from the first day)
    statement_issued_on = models.DateField("Written statement given on", null=True, blank=True)
    starts_on = models.DateField("Start date")
    contracted_hours = models.DecimalField(
        "Hours a week", max_digits=5, decimal_places=2, null=True, blank=True
    )
    day_rate = MoneyField("Day rate (per hour)", null=True, blank=True)
    night_rate = MoneyField("Night rate (per hour)", null=True, blank=True)
    waking_night_rate = MoneyField("Waking night rate (per hour)", null=True, blank=True)
    sleep_in_rate = MoneyField("Sleep-in rate (per night)", null=True, blank=True)
    holiday_basis = models.CharField(
        max_length=12, choices=HolidayBasis.choices, default=HolidayBasis.REGULAR
    )
    # Payroll
    tax_code = models.CharField(max_length=10, default="1257L")
    tax_basis = models.CharField(
        max_length=16, choices=TaxBasis.choices, default=TaxBasis.CUMULATIVE
    )
    pension_choice = models.CharField(
        "Workplace pension",
        max_length=10,
        choices=PensionChoice.choices,
        default=PensionChoice.AUTO,
    )
    # From HMRC's start notice (SL1, PGL1), their P45 or starter checklist; blank: none.
    student_loan_plan = models.CharField(
        "Student loan", max_length=6, choices=StudentLoanPlan.choices, blank=True
    )
    postgraduate_loan = models.BooleanField("Repaying a postgraduate loan", default=False)
    # From their P45: pay and tax in previous jobs in the tax year they started in, added to
    # the figures to date of that year's pay runs when their code is cumulative.
    previous_pay = MoneyField(
        "Pay from previous jobs this tax year (from their P45)", null=True, blank=True
    )
    previous_tax = MoneyField("Tax paid in previous jobs this tax year", null=True, blank=True)
    # An apprentice may be paid the apprentice rate of the minimum wage while under 19 or in the
    # first year of the apprenticeship; one under 25 is National Insurance category H.
    apprentice = models.BooleanField("An apprentice", default=False)
    apprenticeship_started_on = models.DateField(
        "Date their apprenticeship started", null=True, blank=True
    )
    # Status
    status = models.CharField(
        max_length=10,
        choices=PersonalAssistantStatus.choices,
        default=PersonalAssistantStatus.ACTIVE,
    )
    left_on = models.DateField("Date they left", null=True, blank=True)
    left_reason = models.CharField("Why they left", max_length=500, blank=True)
    # Who added the PA (blank for PAs added before it was kept): a double click's second
    # "Add the PA" is told who added the first (services.employers.add_assistant).
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="+"
    )

    objects = PersonalAssistantQuerySet.as_manager()

    class Meta:
        ordering = ["full_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=PersonalAssistantStatus.values), name="pa_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=PersonalAssistantStatus.LEFT)
                | (Q(left_on__isnull=False) & ~Q(left_reason="")),
                name="pa_left_with_date_and_reason",
            ),
            models.CheckConstraint(
                condition=Q(holiday_basis__in=HolidayBasis.values), name="pa_holiday_basis_valid"
            ),
            models.CheckConstraint(
                condition=Q(tax_basis__in=TaxBasis.values), name="pa_tax_basis_valid"
            ),
            models.CheckConstraint(
                condition=Q(pension_choice__in=PensionChoice.values), name="pa_pension_choice_valid"
            ),
            models.CheckConstraint(
                condition=Q(student_loan_plan__in=[*StudentLoanPlan.values, ""]),
                name="pa_student_loan_plan_valid",
            ),
            models.CheckConstraint(
                condition=Q(apprentice=False) | Q(apprenticeship_started_on__isnull=False),
                name="pa_apprentice_with_start_date",
            ),
            models.CheckConstraint(
                condition=Q(dbs_level__in=[*DbsLevel.values, ""]), name="pa_dbs_level_valid"
            ),
            models.CheckConstraint(
                condition=Q(right_to_work_document__in=[*RightToWorkDocument.values, ""]),
                name="pa_right_to_work_document_valid",
            ),
            models.CheckConstraint(
                condition=Q(right_to_work_copy_kept=False)
                | Q(right_to_work_checked_on__isnull=False),
                name="pa_right_to_work_copy_with_check",
            ),
            models.CheckConstraint(
                condition=Q(contracted_hours__isnull=True)
                | Q(contracted_hours__gte=0, contracted_hours__lte=168),
                name="pa_contracted_hours_in_a_week",
            ),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{rate}__isnull": True}) | Q(**{f"{rate}__gte": 0}),
                    name=f"pa_{rate}_gte_0",
                )
                for rate in ("day_rate", "night_rate", "waking_night_rate", "sleep_in_rate")
            ],
            models.CheckConstraint(
                condition=(Q(previous_pay__isnull=True) | Q(previous_pay__gte=0))
                & (Q(previous_tax__isnull=True) | Q(previous_tax__gte=0)),
                name="pa_previous_pay_and_tax_gte_0",
            ),
            models.UniqueConstraint(
                fields=["employer", "ni_number"],
                condition=~Q(ni_number=""),
                name="pa_ni_number_once_per_employer",
            ),
            *text_limits("pa", left_reason=500),
        ]
        indexes = [
            models.Index(fields=["right_to_work_follow_up_on"], name="pa_by_rtw_follow_up"),
            models.Index(fields=["dbs_recheck_on"], name="pa_by_dbs_recheck"),
            # A shift is checked against the same person's shifts for every employer
            # (employers.services.timesheets._check_shift): their PA records by NI number.
            models.Index(fields=["ni_number"], condition=~Q(ni_number=""), name="pa_by_ni_number"),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs):
        self.ni_number = normalise_ni_number(self.ni_number)
        super().save(*args, **kwargs)

    @property
    def budget_holder(self) -> BudgetHolder:
        """The person they support (for the permission checks that follow a record to its
        person and ICB)."""
        return self.employer.budget_holder

    @property
    def formatted_ni_number(self) -> str:
        n = self.ni_number
        return f"{n[:2]} {n[2:4]} {n[4:6]} {n[6:8]} {n[8:]}" if len(n) == 9 else n
