import re

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict
from django.http import QueryDict
from django.utils import timezone

from phb.models import (
    REMINDERS_UNREACHABLE,
    BudgetHolder,
    ContactMethod,
    InformationFormat,
    Organisation,
    normalise_nhs_number,
    validate_nhs_number,
)
from phb.nhsuk_forms import Message, NHSDateField, PageSeenField, apply_nhs_error_messages
from phb.services import (
    ADDRESS_FIELDS,
    BUDGET_HOLDER_FIELDS,
    ICB_CONTACT_FIELDS,
    contact_problems,
)
from phb.validators import (
    PHONE_MESSAGE,
    POSTCODE_MESSAGE,
    hides_characters,
    incomplete_address_errors,
    normalise_postcode,
    normalise_uk_phone_number,
    shows_nothing,
    validate_no_direction_controls,
    validate_uk_phone_number,
    validate_uk_postcode,
)


class NHSFormMixin:
    """Fields rendered by the crispy NHS.UK pack; the page places the <form>, the CSRF token
    and one error summary for everything on it (`{% page_error_summary form %}`).

    Every field gets NHS.UK-pattern error messages worded from its label ("Enter the hourly
    rate", "Hourly rate must be £9,999,999.99 or less") in place of Django's ("This field is
    required."), unless the form words its own. They are applied when the form is cleaned, so
    fields a form adds in `__init__` get them too.

    The crispy `helper` is made when it is first used, without a layout, so the form is
    rendered with the fields it has then: a form that adds fields in its own `__init__` after
    this one (the RAS questions) shows them all. A form that sets a layout still gets any
    field the layout leaves out, at the end, so the error summary never links to a field that
    is not on the page.
    """

    @property
    def helper(self) -> FormHelper:
        helper = self.__dict__.get("_helper")
        if helper is None:
            helper = FormHelper()
            helper.form_tag = False
            helper.disable_csrf = True
            helper.show_error_summary = False
            helper.render_unmentioned_fields = True
            self._helper = helper
        return helper

    def full_clean(self):
        for name, field in self.fields.items():
            apply_nhs_error_messages(field, name)
            if isinstance(field, forms.CharField) and not hasattr(field, "typed_as_text"):
                _only_what_shows(field)
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


def _only_what_shows(field: forms.CharField) -> None:
    """Text that shows nothing (zero-width spaces alone) is no text, so a required field asks
    for it; and text may not hold characters that turn it round on the screen. The field is
    this form's own copy, so changing it changes no other form."""
    to_python = field.to_python

    def typed_as_text(value):
        text = to_python(value)
        return field.empty_value if isinstance(text, str) and shows_nothing(text) else text

    field.typed_as_text = field.to_python = typed_as_text
    if isinstance(field, forms.EmailField):
        field.validators.append(_email_shows_as_typed(field))
    else:
        field.validators.append(validate_no_direction_controls)


def _email_shows_as_typed(field: forms.EmailField):
    """An email address may hold no space and no character that shows nothing: Django checks
    the domain with them dropped (IDNA) but keeps them, so an address with a zero-width space
    would look the same as someone else's and be a different account. Refused in the field's
    own words for an address in the wrong format."""

    def validate(value):
        if isinstance(value, str) and hides_characters(value):
            raise ValidationError(field.error_messages["invalid"], code="invalid")

    return validate


def with_defaults(kwargs: dict, **defaults) -> dict:
    """A form's keyword arguments with `defaults` under whatever initial values the view gave.
    (A class-based view always passes `initial`, if only {}, so setdefault would never apply.)"""
    return kwargs | {"initial": defaults | (kwargs.get("initial") or {})}


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


# --- rows added one at a time ---------------------------------------------------------------

# The name of the "Add another ..." and "Remove" buttons of a formset shown one row at a time;
# their value says which formset and what to do: "lines-add", "lines-remove-2".
ROWS_BUTTON = "rows"


def change_rows(data, prefix: str, *, max_rows: int, min_rows: int = 1) -> tuple[object, bool]:
    """The posted `data` with a row of the `prefix` formset added or removed, and True, when
    the person pressed its "Add another ..." or "Remove" button; otherwise `data` and False.

    Rows are added and removed on the server, so the page works without JavaScript: the page
    comes back with what was typed in every other row, and nothing is checked or saved. There
    are always at least `min_rows` rows (and at least one), and never more than `max_rows`.
    """
    action = data.get(ROWS_BUTTON, "") if data is not None else ""
    if not isinstance(action, str) or not action.startswith(f"{prefix}-"):
        return data, False
    action = action.removeprefix(f"{prefix}-")
    total = min(_count(data.get(f"{prefix}-TOTAL_FORMS"), default=1), max_rows)
    initial = _count(data.get(f"{prefix}-INITIAL_FORMS"), default=0)
    row = re.compile(rf"{re.escape(prefix)}-([0-9]+)-(.+)")
    rows: dict[int, dict[str, list]] = {}
    kept = QueryDict(mutable=True)
    for key in data:
        match = row.fullmatch(key)
        if match is None:
            if key not in (ROWS_BUTTON, f"{prefix}-TOTAL_FORMS", f"{prefix}-INITIAL_FORMS"):
                kept.setlist(key, data.getlist(key))
        elif len(match[1]) < 6 and int(match[1]) < total:
            rows.setdefault(int(match[1]), {})[match[2]] = data.getlist(key)
    order: list[int | None] = list(range(total))
    if action == "add" and total < max_rows:
        order.append(None)
    elif action.startswith("remove-"):
        number = action.removeprefix("remove-")
        if number.isascii() and number.isdigit() and len(number) < 6 and int(number) in order:
            order.remove(int(number))
    order += [None] * (max(min_rows, 1) - len(order))
    for index, old in enumerate(order):
        for name, values in rows.get(old, {}).items() if old is not None else ():
            kept.setlist(f"{prefix}-{index}-{name}", values)
    kept[f"{prefix}-TOTAL_FORMS"] = str(len(order))
    # Rows the page began with stay "initial" (checked even if unchanged); fewer if removed.
    kept[f"{prefix}-INITIAL_FORMS"] = str(min(initial, sum(old is not None for old in order)))
    return kept, True


def _count(value, *, default: int) -> int:
    """A management form's count as posted: digits only, and not absurdly many."""
    text = str(value or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 5:
        return default
    return int(text)


def without_errors(*forms_and_formsets) -> None:
    """Show bound forms as typed, without checking them: after a row was added or removed,
    the person has not finished, so nothing is wrong yet."""
    for form in forms_and_formsets:
        if hasattr(form, "forms"):
            form._errors = []
            form._non_form_errors = form.error_class()
            without_errors(*form.forms)
        else:
            form._errors = ErrorDict()
            form.cleaned_data = {}


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
    # Longer than stored: "+44 (0)7700 900 123" is a fine way to type a UK number.
    phone = forms.CharField(
        label="Phone number",
        required=False,
        max_length=30,
        help_text="A UK landline or mobile number, like 0113 496 0000",
        widget=forms.TextInput(
            attrs={"type": "tel", "autocomplete": "off", "class": "nhsuk-input--width-20"}
        ),
        error_messages={"max_length": PHONE_MESSAGE},
    )
    postcode = forms.CharField(
        label="Postcode",
        max_length=10,
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-10"}),
        error_messages={"max_length": POSTCODE_MESSAGE},
    )
    email = forms.EmailField(
        label="Email address",
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"spellcheck": "false"}),
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com",
            "max_length": "Email address must be 254 characters or fewer",
        },
    )

    class Meta:
        model = BudgetHolder
        fields = BUDGET_HOLDER_FIELDS
        widgets = {
            "preferred_contact": forms.RadioSelect,
            "information_format": forms.RadioSelect,
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
        for name in ("preferred_contact", "information_format", "eligibility"):
            self.fields[name].choices = [c for c in self.fields[name].choices if c[0] != ""]
        # Not answered is standard print (the NHS Accessible Information Standard asks for
        # a need to be recorded; most people have none).
        self.fields["information_format"].required = False
        if not self.instance._state.adding:
            # Changing someone's details: when they were last changed as the page was drawn.
            self.fields["seen"] = PageSeenField()
            self.initial["seen"] = self.instance.updated_at

    def clean_information_format(self) -> str:
        return self.cleaned_data["information_format"] or InformationFormat.STANDARD

    def clean_nhs_number(self) -> str:
        return normalise_nhs_number(self.cleaned_data["nhs_number"])

    def clean_date_of_birth(self):
        born = self.cleaned_data["date_of_birth"]
        if born is not None and born > timezone.localdate():
            raise ValidationError("Date of birth must be in the past")
        return born

    # Checked here in full, so that the model's own checks never add a second message.
    def clean_postcode(self) -> str:
        postcode = normalise_postcode(self.cleaned_data["postcode"])
        validate_uk_postcode(postcode)
        return postcode

    def clean_phone(self) -> str:
        phone = normalise_uk_phone_number(self.cleaned_data["phone"])
        if phone:
            validate_uk_phone_number(phone)
        return phone

    def clean(self):
        data = super().clean()
        preferred = data.get("preferred_contact")
        problems = contact_problems(
            preferred_contact=preferred, email=data.get("email"), phone=data.get("phone")
        )
        for field, message in problems.items():
            # A box refused for its own reason ("Enter a UK phone number") says only that.
            if field not in self.errors:
                self.add_error(field, message)
        # Reminders go by email or text message; the address itself is asked for above.
        if data.get("review_reminders") and preferred not in (
            ContactMethod.EMAIL,
            ContactMethod.TEXT,
        ):
            self.add_error("review_reminders", REMINDERS_UNREACHABLE)
        return data

    def validate_unique(self):
        """Everything but the NHS number: the service checks that one, says what to do
        without naming another ICB, and logs the attempt."""
        exclude = self._get_validation_exclusions() | {"nhs_number"}
        try:
            self.instance.validate_unique(exclude=exclude)
        except ValidationError as error:
            self._update_errors(error)


class OptionalAddressMixin:
    """A form's optional postal address (`OptionalPostalAddress`): left empty, or complete
    enough to write to. The form has the four fields; this checks them together."""

    ADDRESS_FIELDS = ADDRESS_FIELDS

    def clean(self):
        cleaned = super().clean()
        # A box refused for its own reason still counts as filled in: say only what is missing.
        given = {
            name: self.data.get(self.add_prefix(name), "")
            if name in self.errors
            else cleaned.get(name, "")
            for name in self.ADDRESS_FIELDS
        }
        for field, message in incomplete_address_errors(**given).items():
            if field not in self.errors:
                self.add_error(field, message)
        return cleaned

    # Checked here in full, so that the model's own checks never add a second message.
    def clean_postcode(self) -> str:
        postcode = self.cleaned_data["postcode"]
        if not postcode:
            return ""
        postcode = normalise_postcode(postcode)
        validate_uk_postcode(postcode)
        return postcode


def optional_postcode_field() -> forms.CharField:
    return forms.CharField(
        label="Postcode",
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-10"}),
        error_messages={"max_length": POSTCODE_MESSAGE},
    )


class ICBContactDetailsForm(OptionalAddressMixin, NHSFormMixin, forms.ModelForm):
    """How people reach the ICB's personal health budget team. Every field is optional:
    what is left empty is simply not shown."""

    # Longer than stored: "+44 (0)113 496 0000" is a fine way to type a 13-character number.
    phone = forms.CharField(
        label="Phone number",
        required=False,
        max_length=30,
        help_text="The number people call to reach the team, like 0113 496 0000",
        widget=forms.TextInput(attrs={"type": "tel", "class": "nhsuk-input--width-20"}),
        error_messages={"max_length": PHONE_MESSAGE},
    )
    email = forms.EmailField(
        label="Email address",
        required=False,
        max_length=254,
        help_text="The team's shared email address, not a person's",
        widget=forms.EmailInput(attrs={"spellcheck": "false"}),
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.nhs.uk",
            "max_length": "Email address must be 254 characters or fewer",
        },
    )
    postcode = optional_postcode_field()

    class Meta:
        model = Organisation
        fields = ICB_CONTACT_FIELDS
        widgets = {"town": forms.TextInput(attrs={"class": "nhsuk-u-width-two-thirds"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # When the details were last changed as the page was drawn: a save from an older tab
        # is refused, not written over another administrator's change.
        self.fields["seen"] = PageSeenField()
        self.initial["seen"] = self.instance.updated_at
        for name in ("address_line_1", "address_line_2", "town", "opening_hours"):
            field = self.fields[name]
            field.error_messages["max_length"] = (
                f"{field.label} must be {field.max_length} characters or fewer"
            )
        self.helper.layout = Layout(
            "phone",
            "email",
            Fieldset("Postal address", "address_line_1", "address_line_2", "town", "postcode"),
            "opening_hours",
            "seen",
        )

    # Checked here in full, so that the model's own checks never add a second message.
    def clean_phone(self) -> str:
        phone = normalise_uk_phone_number(self.cleaned_data["phone"])
        if phone:
            validate_uk_phone_number(phone)
        return phone
