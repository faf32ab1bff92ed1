from crispy_forms.helper import FormHelper
from django import forms

from phb.models import BudgetHolder, normalise_nhs_number, validate_nhs_number
from phb.nhsuk_forms import NHSDateField
from phb.services import BUDGET_HOLDER_FIELDS


class NHSFormMixin:
    """Fields rendered by the crispy NHS.UK pack; the page places the <form>, the CSRF token
    and one error summary for everything on it (`{% page_error_summary form %}`)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.show_error_summary = False


class CaseloadSearchForm(forms.Form):
    q = forms.CharField(label="Search by name or NHS number", required=False, max_length=100)


class BudgetHolderForm(NHSFormMixin, forms.ModelForm):
    nhs_number = forms.CharField(
        label="NHS number",
        help_text="10 digits, like 943 476 5919",
        max_length=14,
        validators=[validate_nhs_number],
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
