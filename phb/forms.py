import re

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError

from phb.models import BudgetHolder, normalise_nhs_number, validate_nhs_number
from phb.nhsuk_forms import Message, NHSDateField, apply_nhs_error_messages
from phb.services import BUDGET_HOLDER_FIELDS


class NHSFormMixin:
    """Fields rendered by the crispy NHS.UK pack; the page places the <form>, the CSRF token
    and one error summary for everything on it (`{% page_error_summary form %}`).

    Every field gets NHS.UK-pattern error messages worded from its label ("Enter the hourly
    rate", "Hourly rate must be £9,999,999.99 or less") in place of Django's ("This field is
    required."), unless the form words its own. They are applied when the form is cleaned, so
    fields a form adds in `__init__` get them too.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.show_error_summary = False

    def full_clean(self):
        for name, field in self.fields.items():
            apply_nhs_error_messages(field, name)
        super().full_clean()
        # One message once: "1e400" is both too large and too many digits, in the same words.
        for errors in (self._errors or {}).values():
            seen = set()
            kept = []
            for error in errors.as_data():
                text = next(iter(error))
                if text not in seen:
                    seen.add(text)
                    kept.append(error)
            errors.data[:] = kept


class NHSFormSet(forms.BaseFormSet):
    """A formset whose own errors (only seen when a page was tampered with or cut short) are in
    plain English rather than Django's."""

    default_error_messages = {
        "missing_management_form": Message(
            "Some of the page was not sent. Go back, reload the page and try again"
        ),
        "too_many_forms": Message(
            "Too many rows were sent. Go back, reload the page and try again"
        ),
        "too_few_forms": Message("Fill in at least one row"),
    }


class CaseloadSearchForm(NHSFormMixin, forms.Form):
    q = forms.CharField(label="Search by name or NHS number", required=False, max_length=100)


def validate_ten_digit_nhs_number(value: str) -> None:
    """10 digits 0 to 9 (spaces and hyphens aside) that pass the NHS number check.

    The check digit library also accepts other scripts' digits ("٩٤٣..."), which the
    database refuses; they are refused here first, in words.
    """
    if not re.fullmatch(r"[0-9]{10}", normalise_nhs_number(value)):
        raise ValidationError(
            "NHS number must be 10 digits, like 943 476 5919", code="nhs_number_digits"
        )
    validate_nhs_number(value)


class BudgetHolderForm(NHSFormMixin, forms.ModelForm):
    nhs_number = forms.CharField(
        label="NHS number",
        help_text="10 digits, like 943 476 5919",
        max_length=14,
        validators=[validate_ten_digit_nhs_number],
        error_messages={"invalid_nhs_number": "Enter a real NHS number, like 943 476 5919"},
    )
    date_of_birth = NHSDateField(label="Date of birth", help_text="For example, 27 3 1951")

    class Meta:
        model = BudgetHolder
        fields = BUDGET_HOLDER_FIELDS
        widgets = {
            "preferred_contact": forms.RadioSelect,
            "eligibility": forms.RadioSelect,
            "accessibility_needs": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "given_name": {"required": "Enter a first name"},
            "family_name": {"required": "Enter a last name"},
            "address_line_1": {"required": "Enter the first line of the address"},
            "town": {"required": "Enter a town or city"},
            "postcode": {"required": "Enter a postcode"},
            "eligibility": {"required": "Select why they can have a personal health budget"},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Radios need no "---------" choice: nothing chosen is already "not answered".
        for name in ("preferred_contact", "eligibility"):
            self.fields[name].choices = [c for c in self.fields[name].choices if c[0] != ""]

    def clean_nhs_number(self) -> str:
        return normalise_nhs_number(self.cleaned_data["nhs_number"])

    def clean_postcode(self) -> str:
        return " ".join(self.cleaned_data["postcode"].upper().split())
