"""Forms for employers, their duties, PAs and the issues log. The services check the rules;
these forms only turn what was typed into values, with NHS.UK messages. Field names are the
services' argument names."""

import datetime

from django import forms

from budgets.money import MoneyField
from employers.models import (
    DbsLevel,
    EmployerKind,
    HolidayBasis,
    IssueKind,
    PayFrequency,
    PayrollArrangement,
    PensionChoice,
    RightToWorkDocument,
    StudentLoanPlan,
    TaxBasis,
)
from employers.services.employers import (
    MAXIMUM_INSURANCE_COVER,
    ORGANISATION_NOT_EXEMPT,
    AssistantDetails,
)
from phb.forms import NHSFormMixin
from phb.nhsuk_forms import NHSDateField, NHSDecimalField, PageSeenField
from phb.validators import (
    normalise_postcode,
    normalise_uk_phone_number,
    validate_uk_phone_number,
    validate_uk_postcode,
)

YES_NO = [("yes", "Yes"), ("no", "No")]
DATE_HINT = "For example, 15 3 2026"


def yes_no(label: str, *, help_text: str = "", missing: str = "") -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        help_text=help_text,
        error_messages={"required": missing} if missing else None,
    )


def radios(label: str, choices, *, missing: str, required=True) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=choices,
        widget=forms.RadioSelect,
        required=required,
        error_messages={"required": missing},
    )


def checked_phone(value: str) -> str:
    """A UK phone number as a person's record keeps it, or "" (checked as on their record)."""
    phone = normalise_uk_phone_number(value or "")
    if phone:
        validate_uk_phone_number(phone)
    return phone


def checked_postcode(value: str) -> str:
    if not (value or "").strip():
        return ""
    postcode = normalise_postcode(value)
    validate_uk_postcode(postcode)
    return postcode


def line(label: str, *, max_length=200, required=False, help_text="", missing=""):
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        help_text=help_text,
        error_messages={"required": missing} if missing else None,
    )


def long_text(label: str, *, missing: str, help_text="") -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=2000,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": missing},
    )


def date(label: str, *, required=True, help_text=DATE_HINT) -> NHSDateField:
    return NHSDateField(label=label, required=required, help_text=help_text)


def money(label: str, *, help_text="") -> MoneyField:
    return MoneyField(label=label, required=False, help_text=help_text)


VERSION_FIELD = "page_version"


def with_version(form, record):
    """`form` with the hidden version of `record` (its `updated_at` when drawn), for
    `take_version` to give to the service."""
    form.fields[VERSION_FIELD] = PageSeenField()
    form.initial[VERSION_FIELD] = record.updated_at
    return form


def take_version(cleaned_data: dict) -> tuple[dict, datetime.datetime]:
    """The form's values without the version, and the version."""
    values = dict(cleaned_data)
    return values, values.pop(VERSION_FIELD)


class WhoEmploysForm(NHSFormMixin, forms.Form):
    kind = radios(
        "Who is the legal employer",
        EmployerKind.choices,
        missing="Choose who is the legal employer",
    )
    employer_name = line(
        "Name of the nominee or organisation",
        help_text="Leave blank when the budget holder is the employer",
    )
    pa_contact_name = line(
        "Point of contact for PAs (optional)",
        help_text="Someone PAs can go to when something goes wrong at work: not the PA "
        "employer support officer, who supports the employer. Give their name if you give a "
        "phone number or email address",
    )
    pa_contact_phone = line("Their phone number (optional)", max_length=30)
    pa_contact_email = forms.EmailField(
        label="Their email address (optional)", max_length=254, required=False
    )

    def clean_pa_contact_phone(self) -> str:
        return checked_phone(self.cleaned_data["pa_contact_phone"])


class SupportOfficerForm(NHSFormMixin, forms.Form):
    """The ICB's PA employer support staff to choose from (`officers`, scoped by the page)."""

    support_officer = radios(
        "PA employer support officer",
        (),
        missing="Choose the PA employer support officer",
    )

    def __init__(self, *args, officers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["support_officer"].choices = [
            (str(officer.pk), officer.full_name) for officer in officers
        ]


class PayeForm(NHSFormMixin, forms.Form):
    paye_reference = line(
        "Employer PAYE reference",
        max_length=14,
        required=True,
        help_text="On the letter from HMRC, like 123/AB45678",
        missing="Enter the employer PAYE reference",
    )
    accounts_office_reference = line(
        "Accounts Office reference (optional)",
        max_length=13,
        help_text="13 characters, like 123PA00045678",
    )


class InsuranceForm(NHSFormMixin, forms.Form):
    exempt = yes_no(
        "Is every PA a close relative of the employer?",
        help_text="Only then is the employer exempt from employer's liability insurance",
        missing="Say whether every PA is a close relative of the employer",
    )
    insurer = line("Insurer", help_text="Leave blank when exempt")
    policy_number = line("Policy number", max_length=60)
    # Money as people write it: "10,000,000" or "£5,000,000".
    cover = MoneyField(
        label="Amount of cover",
        help_text="At least £5,000,000 (£5 million)",
        maximum=MAXIMUM_INSURANCE_COVER,
        required=False,
    )
    expires_on = date("Insurance expiry date", required=False)

    def __init__(self, *args, organisation=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        if organisation:
            self.fields[
                "exempt"
            ].help_text = (
                "An organisation cannot be exempt: it needs insurance of at least £5 million"
            )

    def clean_exempt(self):
        exempt = self.cleaned_data["exempt"]
        if exempt and self.organisation:
            raise forms.ValidationError(ORGANISATION_NOT_EXEMPT)
        return exempt


class PensionForm(NHSFormMixin, forms.Form):
    scheme = line(
        "Workplace pension scheme",
        required=True,
        help_text="For example, NEST",
        missing="Enter the name of the workplace pension scheme",
    )
    duties_start_on = date("Duties start date")
    declaration_on = date(
        "Date the declaration of compliance was sent (optional)",
        required=False,
        help_text="To The Pensions Regulator. " + DATE_HINT,
    )


class PayrollForm(NHSFormMixin, forms.Form):
    arrangement = radios(
        "Who runs the payroll",
        PayrollArrangement.choices,
        missing="Choose who runs the payroll",
    )
    bureau = line("Name of the payroll bureau", help_text="Only when a bureau runs it")
    pay_frequency = radios(
        "How often PAs are paid", PayFrequency.choices, missing="Choose how often PAs are paid"
    )
    employment_allowance = yes_no(
        "Does the employer claim the Employment Allowance?",
        missing="Say whether the employer claims the Employment Allowance",
    )


class AssistantForm(NHSFormMixin, forms.Form):
    """A PA: who they are, the checks, and their written statement."""

    full_name = line("Full name", required=True, missing="Enter the PA's full name")
    date_of_birth = date("Date of birth", help_text="For example, 27 3 1990")
    ni_number = line(
        "National Insurance number (optional)",
        max_length=13,
        help_text="Like QQ 12 34 56 C",
    )
    email = forms.EmailField(label="Email address (optional)", max_length=254, required=False)
    phone = line("Phone number (optional)", max_length=30)
    address_line_1 = line("Address line 1 (optional)")
    address_line_2 = line("Address line 2 (optional)")
    town = line("Town or city (optional)", max_length=100)
    postcode = line("Postcode (optional)", max_length=10)
    lives_in_household = yes_no(
        "Does the PA live in the same household as the budget holder?",
        missing="Say whether the PA lives in the same household as the budget holder",
    )
    close_relative = yes_no(
        "Is the PA a close relative of the employer?",
        missing="Say whether the PA is a close relative of the employer",
    )
    right_to_work_checked_on = date("Date the right to work was checked", required=False)
    right_to_work_document = forms.ChoiceField(
        label="Document seen for the right to work check",
        choices=[("", "Not checked yet"), *RightToWorkDocument.choices],
        required=False,
    )
    right_to_work_copy_kept = forms.BooleanField(
        label="A copy of the document, or of the online check's result, was kept",
        help_text="Keep it, with the date the copy was made, while they work for the employer "
        "and for 2 years after. Without a copy the check does not count",
        required=False,
    )
    right_to_work_time_limited = yes_no(
        "Is their permission to work in the UK time-limited?",
        missing="Say whether their permission to work is time-limited",
    )
    right_to_work_follow_up_on = date(
        "Date the right to work must be checked again",
        required=False,
        help_text="Only when their permission to work is time-limited. " + DATE_HINT,
    )
    dbs_level = forms.ChoiceField(
        label="Level of DBS check",
        choices=[("", "Not checked yet"), *DbsLevel.choices],
        required=False,
    )
    dbs_certificate_number = line("DBS certificate number", max_length=14)
    dbs_issued_on = date("Date the DBS certificate was issued", required=False)
    dbs_update_service = yes_no(
        "Is the PA signed up to the DBS Update Service?",
        missing="Say whether the PA is signed up to the DBS Update Service",
    )
    dbs_recheck_on = date("Date to check DBS again (optional)", required=False)
    starts_on = date("Start date")
    statement_issued_on = date("Date the written statement was given", required=False)
    contracted_hours = NHSDecimalField(
        label="Hours a week (optional)",
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=168,
        required=False,
    )
    day_rate = money(
        "Day rate, per hour (optional)",
        help_text="In pounds and pence, for example 13.50. A pay run asks for it if they work "
        "day hours",
    )
    night_rate = money("Night rate, per hour (optional)")
    waking_night_rate = money("Waking night rate, per hour (optional)")
    sleep_in_rate = money("Sleep-in rate, per night (optional)")
    holiday_basis = radios(
        "How holiday is worked out",
        HolidayBasis.choices,
        missing="Choose how their holiday is worked out",
    )
    tax_code = line(
        "Tax code",
        max_length=12,
        required=True,
        help_text="From their P45 or starter checklist, like 1257L. When it is on a week 1 or "
        "month 1 basis, add W1 or M1, like 1257L M1",
        missing="Enter the PA's tax code",
    )
    pension_choice = radios(
        "Workplace pension",
        PensionChoice.choices,
        missing="Choose what they chose about the workplace pension",
    )
    student_loan_plan = forms.ChoiceField(
        label="Student loan",
        choices=[("", "No student loan to repay"), *StudentLoanPlan.choices],
        widget=forms.RadioSelect,
        required=False,
        initial="",
        error_messages={
            "invalid_choice": "Choose their student loan plan, or that they have none to repay"
        },
    )
    postgraduate_loan = forms.BooleanField(
        label="They are repaying a postgraduate loan",
        help_text="The plan and any postgraduate loan are on HMRC's start notice (SL1 or PGL1), "
        "their P45 or their starter checklist",
        required=False,
    )
    previous_pay = money(
        "Pay from previous jobs this tax year (from their P45)",
        help_text="Optional. For a PA who started this tax year with a P45 whose tax code is not "
        "marked week 1 or month 1: the total pay to date on it, in pounds and pence, for "
        "example 15000.00",
    )
    previous_tax = money(
        "Tax paid in previous jobs this tax year",
        help_text="Optional. The total tax to date on their P45, in pounds and pence",
    )

    apprentice = forms.BooleanField(
        label="They are an apprentice",
        help_text="On an apprenticeship with an approved training provider. An apprentice may be "
        "paid the apprentice rate of the minimum wage while under 19 or in the first year of "
        "their apprenticeship, and for one under 25 the employer pays no National Insurance "
        "on earnings up to the upper earnings limit",
        required=False,
    )
    apprenticeship_started_on = date(
        "Date their apprenticeship started",
        required=False,
        help_text="Only for an apprentice. " + DATE_HINT,
    )

    def clean_phone(self) -> str:
        return checked_phone(self.cleaned_data["phone"])

    def clean_postcode(self) -> str:
        return checked_postcode(self.cleaned_data["postcode"])

    def details(self) -> AssistantDetails:
        values = {k: v for k, v in self.cleaned_data.items() if k != VERSION_FIELD}
        return AssistantDetails(**values)

    @staticmethod
    def initial_from(pa) -> dict:
        def yes(value):
            return "yes" if value else "no"

        return {
            **{name: getattr(pa, name) for name in AssistantForm.base_fields if hasattr(pa, name)},
            "ni_number": pa.formatted_ni_number,
            "lives_in_household": yes(pa.lives_in_household),
            "close_relative": yes(pa.close_relative),
            "dbs_update_service": yes(pa.dbs_update_service),
            "right_to_work_time_limited": yes(pa.right_to_work_follow_up_on),
            "tax_code": AssistantForm.tax_code_as_typed(pa),
        }

    @staticmethod
    def tax_code_as_typed(pa) -> str:
        """The PA's tax code as a person types it: the basis is kept apart from the code, so a
        week 1 or month 1 code gets its W1 or M1 back (by how often PAs are paid), or saving
        the form unchanged would make it cumulative."""
        if not pa.tax_code or pa.tax_basis != TaxBasis.NON_CUMULATIVE:
            return pa.tax_code
        monthly = pa.employer.pay_frequency == PayFrequency.MONTHLY
        return f"{pa.tax_code} {'M1' if monthly else 'W1'}"


class LeavingForm(NHSFormMixin, forms.Form):
    left_on = date("Date they left")
    reason = forms.CharField(
        label="Why they left",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why they left"},
    )


class IssueForm(NHSFormMixin, forms.Form):
    kind = radios("What kind of issue", IssueKind.choices, missing="Choose what kind of issue")
    assistant = forms.ChoiceField(
        label="Which PA it is about (optional)",
        required=False,
        error_messages={"invalid_choice": "Select a PA from the list"},
    )
    opened_on = date("Date raised")
    summary = long_text("What happened", missing="Say what happened")

    def __init__(self, *args, assistants=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.assistants = {str(pa.pk): pa for pa in assistants}
        self.fields["assistant"].choices = [("", "Not about one PA")] + [
            (key, pa.full_name) for key, pa in self.assistants.items()
        ]

    def clean_assistant(self):
        key = self.cleaned_data["assistant"]
        return self.assistants.get(key) if key else None


class AdviceForm(NHSFormMixin, forms.Form):
    given_on = date("Date the advice was given")
    advice = long_text("Advice given", missing="Say what advice was given")


class CloseIssueForm(NHSFormMixin, forms.Form):
    closed_on = date("Date closed")
    outcome = long_text("How it ended", missing="Say how it ended")
