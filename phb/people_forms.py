"""Forms that give people a sign-in to see their own records: the budget holder, someone who
acts for them, a PA (`employers` uses `SignInForm` too)."""

from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.utils import timezone

from phb.forms import (
    NHSFormMixin,
    OptionalAddressMixin,
    optional_postcode_field,
    with_defaults,
)
from phb.models import RepresentativeKind
from phb.nhsuk_forms import NHSDateField
from phb.staff_forms import full_name_field

EMAIL_ERRORS = {
    "required": "Enter their email address",
    "invalid": "Enter an email address in the correct format, like name@example.com",
    "max_length": "Email address must be 254 characters or fewer",
}


def email_field(help_text: str) -> forms.EmailField:
    return forms.EmailField(
        label="Email address",
        max_length=254,
        help_text=help_text,
        error_messages=EMAIL_ERRORS,
    )


class SignInForm(NHSFormMixin, forms.Form):
    """The email address of someone's own sign-in."""

    email = email_field(
        "Their own email address, not a shared one. We will email them a link to set a password."
    )


def _address_line(label: str, max_length: int, width: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        widget=forms.TextInput(attrs={"class": width} if width else {}),
        error_messages={"max_length": f"{label} must be {max_length} characters or fewer"},
    )


ADDRESS_LEGEND = "Their postal address (optional)"


class RepresentativeAddressForm(OptionalAddressMixin, NHSFormMixin, forms.Form):
    """Where letters to someone who acts for the person are posted, or nothing."""

    address_line_1 = _address_line("Address line 1", 200)
    address_line_2 = _address_line("Address line 2 (optional)", 200)
    town = _address_line("Town or city", 100, "nhsuk-u-width-two-thirds")
    postcode = optional_postcode_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(self.address_fieldset())

    def address_fieldset(self) -> Fieldset:
        return Fieldset(ADDRESS_LEGEND, *self.ADDRESS_FIELDS)


class RepresentativeForm(RepresentativeAddressForm):
    full_name = full_name_field()
    email = email_field(
        "They will sign in with it to see what the person sees. We will email them a link to "
        "set a password."
    )
    kind = forms.ChoiceField(
        label="How do they act for the person?",
        choices=RepresentativeKind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose whether they are a representative or a nominee",
            "invalid_choice": "Choose whether they are a representative or a nominee",
        },
    )
    relationship = forms.CharField(
        label="How they know the person",
        max_length=100,
        help_text="For example, daughter, partner, friend or deputy",
        error_messages={
            "required": "Say how they know the person",
            "max_length": "How they know the person must be 100 characters or fewer",
        },
    )
    agreed_on = NHSDateField(label="Date they agreed to act", help_text="For example, 1 12 2026")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(
            "full_name", "email", "kind", "relationship", "agreed_on", self.address_fieldset()
        )


class EndRepresentativeForm(NHSFormMixin, forms.Form):
    ended_on = NHSDateField(
        label="Date they stop acting",
        help_text="From this day they no longer see the person's records. For example, 1 12 2026",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **with_defaults(kwargs, ended_on=timezone.localdate()))
