"""Employers and their duties, the PAs they employ, and the issues log (issue 10).

Each function checks the permission first, refuses bad input with a ValidationError keyed by
field (nothing is saved), and writes through the models, whose triggers audit every change."""

import datetime
import re
from dataclasses import dataclass, fields
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import TruncDate
from django.utils import timezone

from budgets.calculations import (
    YOUNGEST_PA,
    add_months,
    birthday,
)
from budgets.money import check_money
from budgets.services import Conflict
from employers.minimum_wage import (
    HOURLY_RATES,
    all_rate_sets,
    below_minimum_wage,  # noqa: F401 (for the pay runs)
    shortfalls,
)
from employers.models import (
    DbsLevel,
    Employer,
    EmployerKind,
    EmploymentIssue,
    HolidayBasis,
    IssueAdvice,
    IssueKind,
    IssueStatus,
    PayFrequency,
    PayrollArrangement,
    PensionChoice,
    PersonalAssistant,
    PersonalAssistantStatus,
    RightToWorkDocument,
    Shift,
    StudentLoanPlan,
    TaxBasis,
)
from employers.models.people import MINIMUM_INSURANCE_COVER, normalise_ni_number
from employers.payroll import (
    InvalidTaxCode,
    UnsupportedTaxCode,
    parse_tax_code,
)
from employers.selectors import contact_is_support_officer, support_officers
from employers.services.delegation import revoke_for_leaving, withdraw_employer_agreement
from employers.services.duplicates import lock, refuse_repeat, since
from phb.models import BudgetHolder
from phb.permissions import Permission, require


def _full_clean(instance, errors: dict, *, exclude=()) -> None:
    """The model's own checks (formats, lengths, choices, constraints), added to `errors`
    where the service has not already said what is wrong with a field."""
    try:
        # The constraints say again, in a database's words, what the service has already
        # said; they are checked only when nothing else is wrong.
        instance.full_clean(exclude=list(exclude), validate_constraints=not errors)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, messages[0])


LONDON = ZoneInfo("Europe/London")

# Employer's liability policies run for a year, sometimes a few; a later expiry is a mistake.
LONGEST_POLICY_YEARS = 5
# Automatic enrolment (Pensions Act 2008) began on 1 October 2012.
AUTO_ENROLMENT_BEGAN = datetime.date(2012, 10, 1)


def _not_future(day, field: str, what: str, errors: dict) -> None:
    if day is not None and day > timezone.localdate():
        errors.setdefault(field, f"{what} must be today or in the past")


def _text(value) -> str:
    return (value or "").strip()


CHANGED_MEANWHILE = (
    "Someone changed these details after you opened this page. Check them, then save again. "
    "Nothing was changed."
)


def _lock_unchanged(model, record, seen_version: datetime.datetime | None):
    """The record as it is now, locked until the transaction ends. `seen_version` is the
    `updated_at` of the record the page was drawn from: if the record changed since (another
    tab, or someone else), nothing is changed and they are told. None: no page to compare."""
    locked = model.objects.select_for_update().get(pk=record.pk)
    if seen_version is not None and locked.updated_at != seen_version:
        raise Conflict(CHANGED_MEANWHILE)
    return locked


# --------------------------------------------------------------------------------------------
# The employer and its duties
# --------------------------------------------------------------------------------------------


def _who_employs(
    employer, *, kind, employer_name, pa_contact_name, pa_contact_phone, pa_contact_email
) -> dict:
    errors = {}
    employer.kind = kind
    employer.employer_name = _text(employer_name) if kind != EmployerKind.HOLDER else ""
    employer.pa_contact_name = _text(pa_contact_name)
    employer.pa_contact_phone = _text(pa_contact_phone)
    employer.pa_contact_email = _text(pa_contact_email)
    if kind not in EmployerKind.values:
        errors["kind"] = "Choose who is the legal employer"
    elif kind != EmployerKind.HOLDER and not employer.employer_name:
        errors["employer_name"] = (
            "Enter the name of the nominee or organisation that employs the PAs"
        )
    # PAs see the contact by name (Your work, Your PAs, the issues log).
    if (employer.pa_contact_phone or employer.pa_contact_email) and not employer.pa_contact_name:
        errors["pa_contact_name"] = "Enter the name of the point of contact for PAs"
    officer = employer.support_officer
    same = contact_is_support_officer(
        name=employer.pa_contact_name, email=employer.pa_contact_email, officer=officer
    )
    if same:
        errors.setdefault(
            same,
            f"The point of contact for PAs must be someone other than {officer.full_name}, "
            "the PA employer support officer: PAs need a point of contact separate from the "
            "employer's support",
        )
    return errors


@transaction.atomic
def set_up_employer(
    *,
    actor,
    holder,
    kind: str,
    employer_name: str = "",
    pa_contact_name: str = "",
    pa_contact_phone: str = "",
    pa_contact_email: str = "",
) -> Employer:
    """Record who legally employs the person's PAs: the person, a nominee, or a
    managed-account organisation. The duties are recorded section by section after."""
    require(actor, Permission.MANAGE_EMPLOYER, holder)
    # Locked so that a second request at the same moment waits for the first and finds its
    # employer.
    lock(BudgetHolder, holder.pk)
    employer = Employer(budget_holder=holder, created_by=actor, support_officer=actor)
    errors = _who_employs(
        employer,
        kind=kind,
        employer_name=employer_name,
        pa_contact_name=pa_contact_name,
        pa_contact_phone=pa_contact_phone,
        pa_contact_email=pa_contact_email,
    )
    if Employer.objects.filter(budget_holder=holder).exists():
        errors["__all__"] = "This person is already set up as an employer. Nothing was changed."
    _full_clean(employer, errors, exclude=["budget_holder"])
    if errors:
        raise ValidationError(errors)
    employer.save()
    return employer


@transaction.atomic
def change_who_employs(
    *,
    actor,
    employer,
    kind: str,
    employer_name: str = "",
    pa_contact_name: str = "",
    pa_contact_phone: str = "",
    pa_contact_email: str = "",
    seen_version: datetime.datetime | None = None,
) -> Employer:
    """Change who legally employs the PAs, and the PAs' point of contact. A new legal
    employer (another kind, or another nominee or organisation) was party to no three-way
    agreement on a delegated task: the old employer's agreements are withdrawn, and a PA's
    sign-off resting on one is suspended (delegation.withdraw_employer_agreement). The
    employer returned lists those on `suspended`."""
    require(actor, Permission.MANAGE_EMPLOYER, employer)
    employer = _lock_unchanged(Employer, employer, seen_version)
    before = _legal_employer_key(employer)
    was = _legal_employer(employer)
    errors = _who_employs(
        employer,
        kind=kind,
        employer_name=employer_name,
        pa_contact_name=pa_contact_name,
        pa_contact_phone=pa_contact_phone,
        pa_contact_email=pa_contact_email,
    )
    _full_clean(employer, errors)
    if errors:
        raise ValidationError(errors)
    employer.save()
    employer.suspended = []
    if _legal_employer_key(employer) != before:
        reason = (
            f"The legal employer changed from {was} to {_legal_employer(employer)} on "
            f"{timezone.localdate():%-d %B %Y}: the new employer has to agree to the delegation"
        )
        if len(reason) > 500:
            reason = (
                f"The legal employer changed on {timezone.localdate():%-d %B %Y}: the new "
                "employer has to agree to the delegation"
            )
        employer.suspended = withdraw_employer_agreement(
            actor=actor, employer=employer, reason=reason
        )
    return employer


def _legal_employer_key(employer) -> tuple[str, str]:
    """Who the legal employer is, ignoring case and spacing in their name: putting right how
    the name is written does not make another employer."""
    return employer.kind, " ".join(employer.employer_name.split()).casefold()


def _legal_employer(employer) -> str:
    if employer.kind == EmployerKind.HOLDER:
        return "the budget holder"
    what = "a nominee" if employer.kind == EmployerKind.NOMINEE else "a managed account"
    return f"{employer.employer_name} ({what})"


@transaction.atomic
def change_support_officer(
    *, actor, employer, support_officer, seen_version: datetime.datetime | None = None
) -> Employer:
    """Name the PA employer support officer who looks after this employer: one of the PA
    employer support staff of the person's ICB today."""
    require(actor, Permission.MANAGE_EMPLOYER, employer)
    employer = _lock_unchanged(Employer, employer, seen_version)
    officer = (
        support_officers(employer.budget_holder.organisation_id)
        .filter(pk=getattr(support_officer, "pk", support_officer))
        .first()
    )
    if officer is None:
        raise ValidationError(
            {"support_officer": "Choose one of the ICB's PA employer support staff"}
        )
    if contact_is_support_officer(
        name=employer.pa_contact_name, email=employer.pa_contact_email, officer=officer
    ):
        raise ValidationError(
            {
                "support_officer": f"{officer.full_name} is the point of contact for PAs, who "
                "must be someone separate from the employer's support: choose someone else, "
                "or change the point of contact first"
            }
        )
    employer.support_officer = officer
    employer.save(update_fields=["support_officer", "updated_at"])
    return employer


# Policies commonly cover £10 million, more than the £9,999,999.99 other sums may be.
MAXIMUM_INSURANCE_COVER = Decimal("999999999")
PAYE_REFERENCE = re.compile(r"^[0-9]{3}/[A-Z0-9]{1,10}$")
ACCOUNTS_OFFICE_REFERENCE = re.compile(r"^[0-9]{3}P[A-Z][0-9]{7}[0-9X]$")


@transaction.atomic
def change_paye(
    *,
    actor,
    employer,
    paye_reference: str,
    accounts_office_reference: str = "",
    seen_version: datetime.datetime | None = None,
) -> Employer:
    """The employer's PAYE registration with HMRC."""
    require(actor, Permission.MANAGE_EMPLOYER, employer)
    employer = _lock_unchanged(Employer, employer, seen_version)
    errors = {}
    employer.paye_reference = re.sub(r"\s+", "", paye_reference or "").upper()
    employer.accounts_office_reference = re.sub(r"\s+", "", accounts_office_reference or "").upper()
    if not employer.paye_reference:
        errors["paye_reference"] = "Enter the employer PAYE reference"
    elif not PAYE_REFERENCE.match(employer.paye_reference):
        errors["paye_reference"] = (
            "Enter the employer PAYE reference as it is on HMRC's letter, like 123/AB45678"
        )
    if employer.accounts_office_reference and not ACCOUNTS_OFFICE_REFERENCE.match(
        employer.accounts_office_reference
    ):
        errors["accounts_office_reference"] = (
            "Enter the Accounts Office reference as it is on HMRC's letter, like 123PA00045678"
        )
    _full_clean(employer, errors)
    if errors:
        raise ValidationError(errors)
    employer.save()
    return employer


# The close-relative exemption (Employers' Liability (Compulsory Insurance) Act 1969, s. 2(2))
# is for a person who employs their own family: a company or other organisation has no close
# relatives. A nominee is a person, so every PA being their close relative exempts them.
ORGANISATION_NOT_EXEMPT = (
    "A managed-account organisation cannot be exempt from employer's liability insurance, "
    "as only a person has close relatives: enter its insurance of at least £5 million"
)


@transaction.atomic
def change_insurance(
    *,
    actor,
    employer,
    exempt: bool,
    insurer: str = "",
    policy_number: str = "",
    cover: Decimal | None = None,
    expires_on: datetime.date | None = None,
    seen_version: datetime.datetime | None = None,
) -> Employer:
    """Employer's liability insurance of at least £5 million, or the exemption that applies
    only when every employee is a close relative."""
    require(actor, Permission.MANAGE_EMPLOYER, employer)
    employer = _lock_unchanged(Employer, employer, seen_version)
    errors = {}
    if exempt:
        employed = list(employer.assistants.employed())
        if employer.kind == EmployerKind.MANAGED_ACCOUNT:
            errors["exempt"] = ORGANISATION_NOT_EXEMPT
        elif not employed:
            errors["exempt"] = (
                "The exemption applies only when every PA is a close relative: add the PAs first"
            )
        elif not all(pa.close_relative for pa in employed):
            names = ", ".join(pa.full_name for pa in employed if not pa.close_relative)
            errors["exempt"] = (
                "The exemption applies only when every PA is a close relative of the "
                f"employer, and {names} is not"
            )
        employer.insurance_exempt = True
        employer.insurer = ""
        employer.insurance_policy_number = ""
        employer.insurance_cover = None
        employer.insurance_expires_on = None
    else:
        employer.insurance_exempt = False
        employer.insurer = _text(insurer)
        employer.insurance_policy_number = _text(policy_number)
        if not employer.insurer:
            errors["insurer"] = "Enter the name of the insurer"
        if not employer.insurance_policy_number:
            errors["policy_number"] = "Enter the policy number"
        if cover is None:
            errors["cover"] = "Enter how much the policy covers"
        else:
            try:
                cover = check_money(
                    cover, what="The cover", field="cover", maximum=MAXIMUM_INSURANCE_COVER
                )
            except ValidationError as error:
                errors.update(error.message_dict)
            else:
                if cover < MINIMUM_INSURANCE_COVER:
                    errors["cover"] = (
                        "Employer's liability insurance must cover at least £5 million"
                    )
        employer.insurance_cover = cover if "cover" not in errors else None
        if expires_on is None:
            errors["expires_on"] = "Enter the date the insurance runs out"
        elif expires_on < timezone.localdate():
            errors["expires_on"] = (
                "This insurance has already run out: enter the policy that covers the PAs now"
            )
        elif expires_on > add_months(timezone.localdate(), 12 * LONGEST_POLICY_YEARS):
            errors["expires_on"] = (
                f"A policy runs for {LONGEST_POLICY_YEARS} years at most: check the expiry date"
            )
        employer.insurance_expires_on = expires_on
    _full_clean(employer, errors, exclude=["insurance_cover"])
    if errors:
        raise ValidationError(errors)
    employer.save()
    return employer


@transaction.atomic
def change_pension(
    *,
    actor,
    employer,
    scheme: str,
    duties_start_on: datetime.date | None,
    declaration_on: datetime.date | None = None,
    seen_version: datetime.datetime | None = None,
) -> Employer:
    """The workplace pension scheme, when the duties started, and the declaration of
    compliance sent to The Pensions Regulator."""
    require(actor, Permission.MANAGE_EMPLOYER, employer)
    employer = _lock_unchanged(Employer, employer, seen_version)
    errors = {}
    employer.pension_scheme = _text(scheme)
    employer.pension_duties_start_on = duties_start_on
    employer.pension_declaration_on = declaration_on
    if not employer.pension_scheme:
        errors["scheme"] = "Enter the name of the workplace pension scheme"
    if duties_start_on is None:
        errors["duties_start_on"] = "Enter the date the pension duties started"
    elif duties_start_on < AUTO_ENROLMENT_BEGAN:
        errors["duties_start_on"] = (
            "Workplace pension duties began on 1 October 2012: enter a date on or after then"
        )
    elif duties_start_on > add_months(timezone.localdate(), 12):
        errors["duties_start_on"] = (
            "The duties start when the first PA starts work: enter a date no more than a year "
            "from today"
        )
    _not_future(declaration_on, "declaration_on", "The date the declaration was sent", errors)
    if declaration_on and duties_start_on and declaration_on < duties_start_on:
        errors.setdefault(
            "declaration_on", "The declaration is sent on or after the duties start date"
        )
    _full_clean(employer, errors, exclude=["pension_scheme"])
    if errors:
        raise ValidationError(errors)
    employer.save()
    return employer


@transaction.atomic
def change_payroll(
    *,
    actor,
    employer,
    arrangement: str,
    bureau: str = "",
    pay_frequency: str,
    employment_allowance: bool,
    seen_version: datetime.datetime | None = None,
) -> Employer:
    """Who runs the payroll (this service or a named bureau), how often PAs are paid, and
    whether the employer claims the Employment Allowance."""
    require(actor, Permission.MANAGE_EMPLOYER, employer)
    employer = _lock_unchanged(Employer, employer, seen_version)
    errors = {}
    if arrangement not in PayrollArrangement.values:
        errors["arrangement"] = "Choose who runs the payroll"
    if pay_frequency not in PayFrequency.values:
        errors["pay_frequency"] = "Choose how often PAs are paid"
    employer.payroll_arrangement = arrangement
    employer.payroll_bureau = _text(bureau) if arrangement == PayrollArrangement.BUREAU else ""
    if arrangement == PayrollArrangement.BUREAU and not employer.payroll_bureau:
        errors["bureau"] = "Enter the name of the payroll bureau"
    employer.pay_frequency = pay_frequency
    employer.employment_allowance_claimed = bool(employment_allowance)
    _full_clean(employer, errors, exclude=["payroll_bureau", "payroll_arrangement"])
    if errors:
        raise ValidationError(errors)
    employer.save()
    return employer


# --------------------------------------------------------------------------------------------
# Personal assistants
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AssistantDetails:
    """What is recorded about a PA: who they are, the checks, and their written statement."""

    full_name: str
    date_of_birth: datetime.date
    starts_on: datetime.date
    email: str = ""
    phone: str = ""
    address_line_1: str = ""
    address_line_2: str = ""
    town: str = ""
    postcode: str = ""
    ni_number: str = ""
    lives_in_household: bool = False
    close_relative: bool = False
    right_to_work_checked_on: datetime.date | None = None
    right_to_work_document: str = ""
    right_to_work_copy_kept: bool = False
    right_to_work_time_limited: bool = False
    right_to_work_follow_up_on: datetime.date | None = None
    dbs_level: str = ""
    dbs_certificate_number: str = ""
    dbs_issued_on: datetime.date | None = None
    dbs_update_service: bool = False
    dbs_recheck_on: datetime.date | None = None
    statement_issued_on: datetime.date | None = None
    contracted_hours: Decimal | None = None
    day_rate: Decimal | None = None
    night_rate: Decimal | None = None
    waking_night_rate: Decimal | None = None
    sleep_in_rate: Decimal | None = None
    holiday_basis: str = HolidayBasis.REGULAR
    tax_code: str = "1257L"
    pension_choice: str = PensionChoice.AUTO
    student_loan_plan: str = ""
    postgraduate_loan: bool = False
    apprentice: bool = False
    apprenticeship_started_on: datetime.date | None = None
    previous_pay: Decimal | None = None
    previous_tax: Decimal | None = None


MODEL_FIELDS = {f.name for f in fields(AssistantDetails)} - {"right_to_work_time_limited"}


# No PA's dates are before 1900: an earlier year is a typing slip.
EARLIEST_PA_DATE = datetime.date(1900, 1, 1)
# (field, the words for it at the start of a sentence) for every date recorded about a PA.
PA_DATES = {
    "date_of_birth": "Their date of birth",
    "starts_on": "The start date",
    "right_to_work_checked_on": "The date the right to work was checked",
    "right_to_work_follow_up_on": "The date the right to work must be checked again",
    "dbs_issued_on": "The date the DBS certificate was issued",
    "dbs_recheck_on": "The date to check DBS again",
    "statement_issued_on": "The date the written statement was given",
    "apprenticeship_started_on": "The date their apprenticeship started",
}
# Dates that cannot be before the PA was born.
NOT_BEFORE_BIRTH = ("right_to_work_checked_on", "dbs_issued_on", "statement_issued_on")


def _latest_start() -> datetime.date:
    """A PA's work (or apprenticeship) starts no more than a year from today."""
    return add_months(timezone.localdate(), 12)


def _sixteenth_birthday(details: AssistantDetails) -> datetime.date | None:
    born = details.date_of_birth
    if born is None or born < EARLIEST_PA_DATE or born > timezone.localdate():
        return None  # unknown, or already refused
    return birthday(born, YOUNGEST_PA)


def _on_or_after_16th_birthday(day, field: str, must: str, details, errors: dict) -> None:
    sixteen = _sixteenth_birthday(details)
    if sixteen is not None and day < sixteen:
        errors.setdefault(
            field, f"{must} on or after their {YOUNGEST_PA}th birthday, {sixteen:%-d %B %Y}"
        )


def _check_pa_dates(details: AssistantDetails, errors: dict) -> None:
    """The dates that bound all the others: none before 1900; the date of birth in the past;
    the start date no more than a year ahead and not before their 16th birthday; a check or
    a written statement not before they were born."""
    for field, what in PA_DATES.items():
        day = getattr(details, field)
        if day is not None and day < EARLIEST_PA_DATE:
            errors[field] = f"{what} must be on or after 1 January 1900"
    born, starts = details.date_of_birth, details.starts_on
    if born is None:
        errors["date_of_birth"] = "Enter the PA's date of birth"
    elif born > timezone.localdate():
        errors.setdefault("date_of_birth", "Their date of birth must be in the past")
    if starts is None:
        errors["starts_on"] = "Enter the date they start work"
    elif starts > _latest_start():
        errors.setdefault("starts_on", "The start date must be no more than a year from today")
    elif "date_of_birth" not in errors:
        _on_or_after_16th_birthday(starts, "starts_on", "The start date must be", details, errors)
    if born is not None and "date_of_birth" not in errors:
        for field in NOT_BEFORE_BIRTH:
            day = getattr(details, field)
            if day is not None and day < born:
                errors.setdefault(
                    field, f"{PA_DATES[field]} must be on or after their date of birth"
                )


def _check_assistant(assistant: PersonalAssistant, details: AssistantDetails) -> dict:
    """Copy `details` onto the PA and say what is wrong, field by field."""
    errors = {}
    for name in MODEL_FIELDS:
        value = getattr(details, name)
        setattr(assistant, name, value.strip() if isinstance(value, str) else value)
    assistant.ni_number = normalise_ni_number(assistant.ni_number)
    assistant.dbs_certificate_number = re.sub(r"\s+", "", assistant.dbs_certificate_number)
    assistant.postcode = assistant.postcode.upper()
    if not assistant.full_name:
        errors["full_name"] = "Enter the PA's full name"
    _check_pa_dates(details, errors)
    # Right to work: a document seen on a date; a follow-up only when time-limited.
    checked_on = details.right_to_work_checked_on
    _not_future(checked_on, "right_to_work_checked_on", "The date checked", errors)
    if checked_on and not details.right_to_work_document:
        errors["right_to_work_document"] = "Choose the document seen for the right to work check"
    if details.right_to_work_document and not checked_on:
        errors["right_to_work_checked_on"] = "Enter the date the right to work was checked"
    if details.right_to_work_document not in ["", *RightToWorkDocument.values]:
        errors["right_to_work_document"] = "Choose the document seen for the right to work check"
    if details.right_to_work_copy_kept and not checked_on and not details.right_to_work_document:
        errors["right_to_work_copy_kept"] = (
            "Record the right to work check (the date and the document seen) before saying a "
            "copy was kept"
        )
    if details.right_to_work_time_limited:
        follow_up = details.right_to_work_follow_up_on
        if not checked_on and not details.right_to_work_document:
            errors["right_to_work_follow_up_on"] = (
                "Record the right to work check (the date and the document seen) before the "
                "date to check it again"
            )
        elif follow_up is None:
            errors["right_to_work_follow_up_on"] = (
                "Enter the date their right to work must be checked again"
            )
        elif checked_on and follow_up <= checked_on:
            errors["right_to_work_follow_up_on"] = (
                "The follow-up check must be after the date they were checked"
            )
    else:
        assistant.right_to_work_follow_up_on = None
    # DBS: the level, certificate and date go together.
    if details.dbs_level not in ["", *DbsLevel.values]:
        errors["dbs_level"] = "Choose the level of DBS check"
    dbs_given = [
        details.dbs_level,
        assistant.dbs_certificate_number,
        details.dbs_issued_on,
    ]
    if any(dbs_given) and not all(dbs_given):
        for field, message in (
            ("dbs_level", "Choose the level of DBS check"),
            ("dbs_certificate_number", "Enter the DBS certificate number"),
            ("dbs_issued_on", "Enter the date the DBS certificate was issued"),
        ):
            if not getattr(assistant, field):
                errors.setdefault(field, message)
    _not_future(details.dbs_issued_on, "dbs_issued_on", "The date of issue", errors)
    recheck, issued = details.dbs_recheck_on, details.dbs_issued_on
    if recheck and not any(dbs_given):
        errors["dbs_recheck_on"] = (
            "Record the DBS check (the level, certificate number and date of issue) before "
            "the date to check it again"
        )
    if recheck and issued and recheck <= issued:
        errors.setdefault(
            "dbs_recheck_on", "The date to check again must be after the date of issue"
        )
    # The written statement, hours and pay.
    _not_future(details.statement_issued_on, "statement_issued_on", "The date given", errors)
    if details.contracted_hours is not None and not (0 <= details.contracted_hours <= 168):
        errors["contracted_hours"] = "Hours a week must be between 0 and 168"
    for field, what in (*HOURLY_RATES.items(), ("sleep_in_rate", "sleep-in rate")):
        value = getattr(details, field)
        if value is not None:
            try:
                setattr(assistant, field, check_money(value, what=f"The {what}", field=field))
            except ValidationError as error:
                errors.update(error.message_dict)
    if details.holiday_basis not in HolidayBasis.values:
        errors["holiday_basis"] = "Choose how their holiday is worked out"
    if details.pension_choice not in PensionChoice.values:
        errors["pension_choice"] = "Choose what they chose about the workplace pension"
    if details.student_loan_plan not in ["", *StudentLoanPlan.values]:
        errors["student_loan_plan"] = (
            "Choose their student loan plan, or that they have none to repay"
        )
    # An apprenticeship has the date it started (the minimum wage's first year runs from it).
    if details.apprentice:
        started = details.apprenticeship_started_on
        if started is None:
            errors["apprenticeship_started_on"] = "Enter the date their apprenticeship started"
        elif started > _latest_start():
            errors.setdefault(
                "apprenticeship_started_on",
                "The date their apprenticeship started must be no more than a year from today",
            )
        else:
            must = "The apprenticeship must start"
            _on_or_after_16th_birthday(started, "apprenticeship_started_on", must, details, errors)
    else:
        assistant.apprenticeship_started_on = None
    # Tax code: England, Wales and Northern Ireland codes (not Scottish ones).
    try:
        code = parse_tax_code(details.tax_code)
    except (InvalidTaxCode, UnsupportedTaxCode) as error:
        errors["tax_code"] = str(error)
        code = None
    else:
        assistant.tax_code = code.code
        assistant.tax_basis = (
            TaxBasis.NON_CUMULATIVE if code.week1_month1 else (TaxBasis.CUMULATIVE)
        )
    _check_previous_jobs(assistant, details, code, errors)
    if not {"date_of_birth", "starts_on", "apprenticeship_started_on"} & errors.keys():
        _check_minimum_wage(assistant, errors)
    return errors


PREVIOUS_PAY = "Pay from previous jobs this tax year"
PREVIOUS_TAX = "Tax paid in previous jobs this tax year"


def _check_previous_jobs(assistant, details: AssistantDetails, code, errors: dict) -> None:
    """The pay and tax from previous jobs this tax year, from the PA's P45: both or neither,
    in pounds and pence, the tax no more than the pay. HMRC: they are used only with a code on
    the cumulative basis (a P45 whose code is marked week 1 or month 1 is used without them),
    so on a week 1 or month 1 code they are refused rather than quietly left out."""
    for field, what in (("previous_pay", PREVIOUS_PAY), ("previous_tax", PREVIOUS_TAX)):
        value = getattr(details, field)
        if value is None:
            continue
        try:
            setattr(assistant, field, check_money(value, what=what, field=field))
        except ValidationError as error:
            errors.update(error.message_dict)
    pay, tax = details.previous_pay, details.previous_tax
    if pay is None and tax is None:
        return
    if pay is None:
        errors.setdefault(
            "previous_pay", "Enter the pay from previous jobs this tax year, from their P45"
        )
    elif tax is None:
        errors.setdefault(
            "previous_tax",
            "Enter the tax paid in previous jobs this tax year, from their P45 (0 if none)",
        )
    elif not {"previous_pay", "previous_tax"} & errors.keys() and (
        assistant.previous_tax > assistant.previous_pay
    ):
        errors["previous_tax"] = (
            "The tax paid in previous jobs must be no more than the pay from them"
        )
    if code is not None and code.week1_month1:
        errors.setdefault(
            "previous_pay",
            "Leave the pay and tax from previous jobs blank: with a week 1 or month 1 tax code "
            "they are not used",
        )


def _check_minimum_wage(assistant: PersonalAssistant, errors: dict) -> None:
    """Every hourly rate at least the minimum wage for the PA as they are on the later of
    their start date and today (the rates recorded are what they are paid now: a PA who
    turned 21 since they started is owed the National Living Wage), from the national rates
    in force then (minimum_wage.shortfalls)."""
    fields = [
        field
        for field in HOURLY_RATES
        if field not in errors and getattr(assistant, field) is not None
    ]
    try:
        below = shortfalls(assistant, timezone.localdate(), all_rate_sets(), fields)
    except ValueError as error:  # too young to be employed, or a date of birth long ago
        errors["date_of_birth"] = str(error)
        return
    if below is None:
        errors["starts_on"] = (
            "There are no national wage rates yet, so the pay cannot be checked against "
            "the minimum wage: ask the service administrator to add them"
        )
        return
    for field, error in below.items():
        errors[field] = f"The {HOURLY_RATES[field]} is too low: {error}"


def _check_ni_number_once(assistant: PersonalAssistant, errors: dict) -> None:
    number = assistant.ni_number
    if (
        number
        and PersonalAssistant.objects.filter(employer=assistant.employer_id, ni_number=number)
        .exclude(pk=assistant.pk)
        .exists()
    ):
        errors.setdefault(
            "ni_number", "Another of this employer's PAs has this National Insurance number"
        )


@transaction.atomic
def add_assistant(*, actor, employer, details: AssistantDetails) -> PersonalAssistant:
    """A PA the employer employs, with their checks and written statement. The same PA (name
    and date of birth) added to the employer moments ago is a double click's first request:
    nothing more is saved, and they are told who added it."""
    require(actor, Permission.MANAGE_EMPLOYER, employer)
    assistant = PersonalAssistant(employer=employer, created_by=actor)
    errors = _check_assistant(assistant, details)
    if details.pension_choice == PensionChoice.OPTED_OUT:
        # Pensions Act 2008 s.3 and s.8: the employer enrols an eligible jobholder, who can
        # opt out only once enrolled. A PA being added has not been enrolled by this employer.
        errors["pension_choice"] = (
            "A new PA cannot have opted out of the workplace pension: they can opt out only "
            "after the employer has enrolled them. Choose 'As the law says' or 'Asked to join', "
            "and record that they opted out once they have"
        )
    # Locked so that a double click's second request waits for the first and finds its PA.
    lock(Employer, employer.pk)
    earlier = (
        PersonalAssistant.objects.filter(
            employer=employer,
            full_name__iexact=assistant.full_name,
            date_of_birth=details.date_of_birth,
            created_at__gte=since(),
        )
        .select_related("created_by")
        .order_by("-created_at")
        .first()
        if assistant.full_name and details.date_of_birth is not None
        else None
    )
    if earlier is not None:
        refuse_repeat(
            earlier,
            what=f"{earlier.full_name}, born {earlier.date_of_birth:%-d %B %Y},",
            by="created_by",
            done="added",
        )
    _check_ni_number_once(assistant, errors)
    _full_clean(assistant, errors, exclude=["employer", "user"])
    if errors:
        raise ValidationError(errors)
    assistant.save()
    return assistant


@transaction.atomic
def change_assistant(
    *,
    actor,
    assistant,
    details: AssistantDetails,
    seen_version: datetime.datetime | None = None,
) -> PersonalAssistant:
    """Change what is recorded about a PA. `seen_version` is the `updated_at` of the PA the
    page was drawn from: a page older than the record (another tab saved since) changes
    nothing, rather than writing back what the other tab changed."""
    require(actor, Permission.MANAGE_EMPLOYER, assistant)
    assistant = _lock_unchanged(PersonalAssistant, assistant, seen_version)
    errors = _check_assistant(assistant, details)
    _check_ni_number_once(assistant, errors)
    first = _shift_days(assistant).first()
    if "starts_on" not in errors and first is not None and assistant.starts_on > first:
        errors["starts_on"] = (
            f"The start date must be on or before {first:%-d %B %Y}, the day of their first "
            "shift on a timesheet"
        )
    if assistant.status == PersonalAssistantStatus.LEFT:
        errors["__all__"] = "This PA has left. Nothing was changed."
    _full_clean(assistant, errors, exclude=["user"])
    if errors:
        raise ValidationError(errors)
    assistant.save()
    return assistant


def _shift_days(assistant: PersonalAssistant):
    """The days (in London) the PA's shifts on their timesheets start on, earliest first:
    their employment must cover every one of them, or a pay run would pay work done outside
    it."""
    return (
        Shift.objects.filter(assistant=assistant)
        .annotate(day=TruncDate("starts_at", tzinfo=LONDON))
        .order_by("day")
        .values_list("day", flat=True)
    )


@transaction.atomic
def record_leaving(*, actor, assistant, left_on: datetime.date, reason: str) -> PersonalAssistant:
    """The PA has left, on `left_on` (today or before: the PA's status says "Left" from
    now on): they are still paid for work up to that day, and nothing after it is entered."""
    require(actor, Permission.MANAGE_EMPLOYER, assistant)
    assistant = PersonalAssistant.objects.select_for_update().get(pk=assistant.pk)
    errors = {}
    reason = _text(reason)
    if assistant.status == PersonalAssistantStatus.LEFT:
        errors["__all__"] = "This PA has already left. Nothing was changed."
    if left_on is None:
        errors["left_on"] = "Enter the date they left"
    elif left_on < assistant.starts_on:
        errors["left_on"] = "The date they left must be on or after the date they started"
    elif left_on > timezone.localdate():
        errors["left_on"] = (
            "The date they left must be today or in the past: record it on or after their last day"
        )
    elif (last := _shift_days(assistant).last()) is not None and left_on < last:
        errors["left_on"] = (
            f"The date they left must be on or after {last:%-d %B %Y}, the day of their last "
            "shift on a timesheet. If they did not work that shift, take it off the timesheet "
            "first"
        )
    if not reason:
        errors["reason"] = "Say why they left"
    elif len(reason) > 500:
        errors["reason"] = "Why they left must be 500 characters or fewer"
    if errors:
        raise ValidationError(errors)
    assistant.status = PersonalAssistantStatus.LEFT
    assistant.left_on = left_on
    assistant.left_reason = reason
    assistant.save(update_fields=["status", "left_on", "left_reason", "updated_at"])
    revoke_for_leaving(actor=actor, assistant=assistant, left_on=left_on)
    return assistant


# --------------------------------------------------------------------------------------------
# The issues log
# --------------------------------------------------------------------------------------------


def _check_long_text(value: str, field: str, what: str, missing: str, errors: dict) -> str:
    value = _text(value)
    if not value:
        errors[field] = missing
    elif len(value) > 2000:
        errors[field] = f"{what} must be 2,000 characters or fewer"
    return value


@transaction.atomic
def open_issue(
    *,
    actor,
    employer,
    kind: str,
    opened_on: datetime.date,
    summary: str,
    assistant: PersonalAssistant | None = None,
) -> EmploymentIssue:
    """Something that went wrong between the employer and a PA, in the issues log."""
    require(actor, Permission.MANAGE_EMPLOYER, employer)
    errors = {}
    if kind not in IssueKind.values:
        errors["kind"] = "Choose what kind of issue it is"
    if assistant is not None and assistant.employer_id != employer.pk:
        errors["assistant"] = "Choose one of this employer's PAs"
    if opened_on is None:
        errors["opened_on"] = "Enter the date it was raised"
    _not_future(opened_on, "opened_on", "The date raised", errors)
    # An issue is between the employer and a PA: not before the PA (or the first PA) started.
    started = (
        assistant.starts_on
        if assistant is not None and assistant.employer_id == employer.pk
        else employer.assistants.order_by("starts_on").values_list("starts_on", flat=True).first()
    )
    if opened_on is not None and started is not None and opened_on < started:
        errors.setdefault(
            "opened_on",
            f"The date raised must be on or after {started:%-d %B %Y}, when "
            + ("the PA started" if assistant is not None else "the first PA started"),
        )
    summary = _check_long_text(summary, "summary", "What happened", "Say what happened", errors)
    if errors:
        raise ValidationError(errors)
    # Locked so that a double click's second request waits for the first and finds its issue.
    lock(Employer, employer.pk)
    refuse_repeat(
        EmploymentIssue.objects.filter(
            employer=employer,
            assistant=assistant,
            kind=kind,
            opened_on=opened_on,
            summary=summary,
            created_at__gte=since(),
        )
        .select_related("recorded_by")
        .order_by("-created_at")
        .first(),
        what="This issue",
        by="recorded_by",
    )
    return EmploymentIssue.objects.create(
        employer=employer,
        assistant=assistant,
        kind=kind,
        opened_on=opened_on,
        summary=summary,
        recorded_by=actor,
    )


@transaction.atomic
def record_advice(*, actor, issue, given_on: datetime.date, advice: str) -> IssueAdvice:
    """Advice given on an open issue; never changed once recorded."""
    require(actor, Permission.MANAGE_EMPLOYER, issue)
    issue = EmploymentIssue.objects.select_for_update().get(pk=issue.pk)
    errors = {}
    if issue.status != IssueStatus.OPEN:
        errors["__all__"] = "This issue is closed. Nothing was saved."
    if given_on is None:
        errors["given_on"] = "Enter the date the advice was given"
    else:
        _not_future(given_on, "given_on", "The date the advice was given", errors)
        if given_on < issue.opened_on:
            errors.setdefault("given_on", "The advice cannot be before the issue was raised")
    advice = _check_long_text(advice, "advice", "The advice", "Say what advice was given", errors)
    if errors:
        raise ValidationError(errors)
    # The issue is locked above, so a double click's second request finds the first's advice.
    refuse_repeat(
        IssueAdvice.objects.filter(issue=issue, advice=advice, created_at__gte=since())
        .select_related("given_by")
        .order_by("-created_at")
        .first(),
        what="This advice",
        by="given_by",
    )
    return IssueAdvice.objects.create(issue=issue, given_on=given_on, given_by=actor, advice=advice)


@transaction.atomic
def close_issue(*, actor, issue, closed_on: datetime.date, outcome: str) -> EmploymentIssue:
    require(actor, Permission.MANAGE_EMPLOYER, issue)
    issue = EmploymentIssue.objects.select_for_update().get(pk=issue.pk)
    errors = {}
    if issue.status != IssueStatus.OPEN:
        errors["__all__"] = "This issue is already closed. Nothing was changed."
    if closed_on is None:
        errors["closed_on"] = "Enter the date it was closed"
    else:
        _not_future(closed_on, "closed_on", "The date closed", errors)
        if closed_on < issue.opened_on:
            errors.setdefault("closed_on", "The date closed must be on or after the date raised")
    outcome = _check_long_text(outcome, "outcome", "How it ended", "Say how it ended", errors)
    if errors:
        raise ValidationError(errors)
    issue.status = IssueStatus.CLOSED
    issue.closed_on = closed_on
    issue.outcome = outcome
    issue.save(update_fields=["status", "closed_on", "outcome", "updated_at"])
    return issue


@transaction.atomic
def link_sign_in(*, actor, assistant, user) -> PersonalAssistant:
    """Give a PA their own sign-in, to enter timesheets and see their payslips."""
    require(actor, Permission.MANAGE_EMPLOYER, assistant)
    assistant = PersonalAssistant.objects.select_for_update().get(pk=assistant.pk)
    if user.role_assignments.exists():
        raise ValidationError("A member of staff's sign-in cannot be a PA's sign-in")
    if user.pk != assistant.user_id and assistant.employer.budget_holder.user_id == user.pk:
        raise ValidationError("The budget holder's own sign-in cannot be their PA's sign-in")
    assistant.user = user
    assistant.save(update_fields=["user", "updated_at"])
    return assistant


@transaction.atomic
def give_assistant_sign_in(*, actor, assistant, email: str):
    """Give a PA a sign-in of their own (found by, or made for, their email address), to enter
    timesheets and see their payslips, training and sign-offs. Returns (user, whether new)."""
    from phb.services import personal_sign_in

    require(actor, Permission.MANAGE_EMPLOYER, assistant)
    assistant = PersonalAssistant.objects.select_for_update().get(pk=assistant.pk)
    if assistant.user_id is not None:
        raise ValidationError(f"{assistant.full_name} already has a sign-in. Nothing was changed.")
    if assistant.status == PersonalAssistantStatus.LEFT:
        raise ValidationError(f"{assistant.full_name} has left, so cannot be given a sign-in")
    # A PA who works for a second employer keeps the one sign-in; any other account is not
    # theirs to reuse.
    user, created = personal_sign_in(
        email,
        assistant.full_name,
        may_reuse=lambda user: PersonalAssistant.objects.filter(user=user).exists(),
    )
    link_sign_in(actor=actor, assistant=assistant, user=user)
    return user, created
