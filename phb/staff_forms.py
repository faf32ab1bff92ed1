"""Forms for running an ICB's staff list and the service's ICBs."""

import datetime

from django import forms
from django.utils import timezone

from phb.forms import NHSFormMixin, with_defaults
from phb.models import ICB_ROLES, Role, ods_code_validator
from phb.nhsuk_forms import NHSDateField

ICB_ROLE_CHOICES = [(role.value, role.label) for role in Role if role in ICB_ROLES]


class ActingForForm(NHSFormMixin, forms.Form):
    organisation = forms.ChoiceField(
        label="Which ICB are you working for now?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select the ICB you are working for"},
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [(str(o.pk), o.name) for o in organisations]
        self.fields["organisation"].error_messages["invalid_choice"] = (
            "Select one of the ICBs you work for"
        )


def full_name_field() -> forms.CharField:
    """Someone's full name, as staff type it in for them."""
    return forms.CharField(
        label="Full name",
        max_length=200,
        error_messages={
            "required": "Enter their full name",
            "max_length": "Full name must be 200 characters or fewer",
        },
    )


class IcbAdministratorForm(NHSFormMixin, forms.Form):
    """Someone to add to an ICB: their name, email and the day they start."""

    full_name = full_name_field()
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="Their NHS work email. They will be sent a link to set a password.",
        error_messages={
            "required": "Enter their email address",
            "invalid": "Enter an email address in the correct format, like name@example.nhs.uk",
            "max_length": "Email address must be 254 characters or fewer",
        },
    )
    starts_on = NHSDateField(label="Start date", help_text="For example, 1 12 2026")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **with_defaults(kwargs, starts_on=timezone.localdate()))


class StaffMemberForm(IcbAdministratorForm):
    """An ICB administrator adds a member of staff with one or more roles."""

    field_order = ["full_name", "email", "roles", "starts_on"]
    roles = forms.MultipleChoiceField(
        label="Roles",
        choices=ICB_ROLE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply.",
        error_messages={
            "required": "Select at least one role",
            "invalid_choice": "Select roles from the list",
        },
    )


class GrantRoleForm(NHSFormMixin, forms.Form):
    role = forms.ChoiceField(
        label="Role",
        choices=[("", "Select a role"), *ICB_ROLE_CHOICES],
        error_messages={"required": "Select a role", "invalid_choice": "Select a role"},
    )
    starts_on = NHSDateField(label="Start date", help_text="For example, 1 12 2026")
    ends_on = NHSDateField(
        label="End date (optional)",
        required=False,
        help_text=(
            "The last day they hold the role. For example, 31 3 2027. "
            "Leave it empty if there is no end date."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **with_defaults(kwargs, starts_on=timezone.localdate()))

    def clean(self):
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", "End date must be the same as or after the start date")
        return data


OUT_OF_DATE = "This page is out of date. Go back, reload the page and try again"


class EndRoleForm(NHSFormMixin, forms.Form):
    ends_on = NHSDateField(
        label="Last day in this role", help_text="For example, 31 12 2026. It can be today."
    )
    # The end date the page showed ("" for none), so that a second tab is caught.
    seen_ends_on = forms.CharField(widget=forms.HiddenInput, required=False, max_length=10)

    def __init__(self, *args, assignment, **kwargs):
        defaults = with_defaults(
            kwargs,
            ends_on=assignment.ends_on or timezone.localdate(),
            seen_ends_on=assignment.ends_on.isoformat() if assignment.ends_on else "",
        )
        super().__init__(*args, **defaults)

    def clean_seen_ends_on(self):
        seen = self.cleaned_data["seen_ends_on"].strip()
        if not seen:
            return None
        try:
            return datetime.date.fromisoformat(seen)
        except ValueError:
            raise forms.ValidationError(OUT_OF_DATE) from None


class OrganisationForm(NHSFormMixin, forms.Form):
    ods_code = forms.CharField(
        label="ODS code",
        max_length=5,
        help_text="3 to 5 capital letters and numbers, like QWE",
        error_messages={
            "required": "Enter the ICB's ODS code",
            "max_length": "ODS code must be 5 characters or fewer",
        },
    )
    name = forms.CharField(
        label="Name",
        max_length=200,
        help_text="For example, NHS West Example Integrated Care Board",
        error_messages={
            "required": "Enter the ICB's name",
            "max_length": "Name must be 200 characters or fewer",
        },
    )

    def clean_ods_code(self) -> str:
        code = self.cleaned_data["ods_code"].strip().upper()
        ods_code_validator(code)
        return code
