"""Django forms as NHS.UK components.

Django has no widget for the NHS.UK date input (three separate boxes for day,
month and year), and its DateField's messages do not follow the NHS.UK pattern
("Date of birth must include a year"). `NHSDateField` fills that gap.

`field_component()` turns any bound field into a component name and macro
options, which the `nhsuk` crispy template pack (`{% nhsuk_field %}`) renders
through the official macros; `error_list()` builds the error summary's links.
"""

import datetime
import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core import validators
from django.core.exceptions import ValidationError
from django.forms.utils import pretty_name
from django.utils.safestring import SafeData

DATE_PARTS = ("day", "month", "year")


class NHSDateInput(forms.MultiWidget):
    """Day, month and year text boxes; sub-widget names are `<name>_day` etc."""

    def __init__(self, attrs=None):
        widgets = {part: forms.TextInput(attrs={"inputmode": "numeric"}) for part in DATE_PARTS}
        super().__init__(widgets, attrs)

    def decompress(self, value):
        if isinstance(value, datetime.date):
            return [value.day, value.month, value.year]
        return [None, None, None]


class NHSDateField(forms.Field):
    """A date entered as day, month and year, cleaned to `datetime.date`.

    Messages name the field by its label ("Date of birth must be a real date")
    as the NHS.UK error message guidance asks. Errors about missing parts carry
    `params["parts"]` so the date-input component can highlight only those boxes.
    """

    widget = NHSDateInput

    def __init__(self, *args, named=None, **kwargs):
        # What the messages call the date when its label is not a name ("Show payments due
        # up to"): "The date must be a real date".
        self.named = named
        super().__init__(*args, **kwargs)

    def _name(self) -> str:
        # "End date (optional)": being optional is not part of what is entered.
        label = _OPTIONAL.sub("", str(self.named or self.label or "Date")) or "Date"
        return label[:1].upper() + label[1:]

    def _the_name(self) -> str:
        """'the date it was paid', 'when it starts': the name after a verb."""
        name = lower_first(self._name())
        return name if name.split()[0].lower() in _NO_ARTICLE else f"the {name}"

    def _error(self, message: str, code: str, parts=DATE_PARTS) -> ValidationError:
        return ValidationError(message, code=code, params={"parts": list(parts)})

    def to_python(self, value):
        if isinstance(value, datetime.date):
            return value
        values = dict(zip(DATE_PARTS, value or ("", "", ""), strict=False))
        values = {part: str(values.get(part) or "").strip() for part in DATE_PARTS}
        if not any(values.values()):
            return None
        missing = [part for part in DATE_PARTS if not values[part]]
        if missing:
            raise self._error(
                f"{self._name()} must include a {' and '.join(missing)}", "incomplete", missing
            )
        # ASCII digits only: "٦" is a digit to str.isdigit() but not what a person means.
        if not all(v.isascii() and v.isdigit() for v in values.values()):
            raise self._error(f"{self._name()} must be a real date", "invalid")
        if len(values["year"]) != 4:
            # Named, so that two dates on one page do not give the same message twice.
            raise self._error(
                f"The year of {self._the_name()} must include 4 numbers", "invalid_year", ["year"]
            )
        try:
            return datetime.date(int(values["year"]), int(values["month"]), int(values["day"]))
        except (ValueError, OverflowError):  # a day or month beyond a C int overflows
            raise self._error(f"{self._name()} must be a real date", "invalid") from None

    def validate(self, value):
        if value is None and self.required:
            message = str(self.error_messages.get("required", ""))
            if message in ("", str(forms.Field.default_error_messages["required"])):
                message = f"Enter {self._the_name()}"  # "Enter the date it was paid"
            raise self._error(message, "required")


# --- numbers -----------------------------------------------------------------------------

# Digits 0 to 9 with an optional minus sign and decimal point: what people type for a number.
# Python's Decimal() and int() also accept "NaN", "Infinity", "1e400", other scripts' digits
# and underscores; a person who typed those made a mistake, so they are not numbers here.
PLAIN_NUMBER = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
WHOLE_NUMBER = re.compile(r"-?[0-9]+(?:\.0*)?")


class PlacesFirstDecimalValidator(validators.DecimalValidator):
    """Django's digit count, with too many decimal places named first.

    Django counts every digit before it looks at the places, so 12.345 in a box that holds
    up to 99.99 was "too big" when it has one decimal place too many. Here a number with
    more places than allowed is `max_decimal_places` whatever its size, and `max_digits` or
    `max_whole_digits` is left to mean too many whole digits. Trailing zeros are not places
    ("1.500" has 1).
    """

    def __call__(self, value):
        allowed = self.decimal_places
        _, digits, exponent = value.as_tuple()
        if allowed is not None and isinstance(exponent, int) and exponent < 0:
            written = "".join(map(str, digits))
            significant = written.rstrip("0")
            places = -exponent - (len(written) - len(significant)) if significant else 0
            if places > allowed:
                raise ValidationError(
                    self.messages["max_decimal_places"],
                    code="max_decimal_places",
                    params={"max": allowed, "value": value},
                )
        super().__call__(value)


def _places_first(field) -> None:
    """Swap the field's DecimalValidator for `PlacesFirstDecimalValidator`."""
    field.validators = [
        PlacesFirstDecimalValidator(v.max_digits, v.decimal_places)
        if type(v) is validators.DecimalValidator
        else v
        for v in field.validators
    ]


class NHSDecimalField(forms.DecimalField):
    """A number as a person types it.

    Blank (or only spaces) is empty; "-0" is 0; trailing zeros beyond the places allowed are
    not extra precision ("1.500" is 1.50); anything but plain digits is `invalid`. Too many
    decimal places is said as that, not as too big (`PlacesFirstDecimalValidator`), and a
    box shows one message. Messages come from `NHSFormMixin`.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _places_first(self)

    def run_validators(self, value):
        """One message for one box: a number with too many decimal places is told only that
        (0.001 where the least is 0.01 is not also "too small"); otherwise the first problem
        found (the form's own bound before the digit count)."""
        try:
            super().run_validators(value)
        except ValidationError as error:
            problems = error.error_list
            places = [e for e in problems if e.code == "max_decimal_places"]
            raise ValidationError((places or problems)[:1]) from None

    def prepare(self, text: str) -> str:
        """Tidy what was typed before it is read as a number."""
        return text

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal | int) and not isinstance(value, bool):
            number = Decimal(value)
        else:
            text = self.prepare(str(value).strip())
            if not text:
                return None
            if not PLAIN_NUMBER.fullmatch(text):
                raise ValidationError(self.error_messages["invalid"], code="invalid")
            number = Decimal(text)
        if not number.is_finite():
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        if number.is_zero():
            number = abs(number)
        places = self.decimal_places
        if places is not None and -number.as_tuple().exponent > places:
            try:
                rounded = number.quantize(Decimal(1).scaleb(-places))
            except InvalidOperation:  # too many digits to hold: validation says so
                rounded = None
            if rounded == number:
                number = rounded
        return number


class NHSPercentField(NHSDecimalField):
    """A rate typed as a percentage ("15" for 15%, "12.07" for 12.07%) and handed on as the
    fraction the rate tables store (Decimal("0.15"), Decimal("0.1207")).

    A fraction given as the initial value (from a stored rate) is shown as a percentage. The
    label should end "(%)" so that messages say "... must be 100% or less"; the box shows a
    "%" after it.
    """

    def __init__(self, *, places: int = 2, max_percent=100, min_percent=0, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"class": "nhsuk-input--width-5"}))
        super().__init__(
            max_digits=places + 3,
            decimal_places=places,
            min_value=Decimal(min_percent),
            max_value=Decimal(max_percent),
            **kwargs,
        )
        self.nhsuk_options = {"suffix": {"text": "%"}}

    def prepare_value(self, value):
        if isinstance(value, Decimal):  # a stored fraction: 0.1207 is shown as 12.07
            return f"{(value * 100).normalize():f}"
        return value

    def clean(self, value):
        percent = super().clean(value)
        return None if percent is None else percent / 100


class NHSIntegerField(forms.IntegerField):
    """A whole number typed with the digits 0 to 9; blank (or only spaces) is empty."""

    # More digits than this is beyond any bound a form sets (and int() refuses 4,300 digits).
    MAX_DIGITS = 18

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        text = str(value).strip()
        if not text:
            return None
        if not WHOLE_NUMBER.fullmatch(text):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        whole = text.split(".")[0]
        if len(whole.lstrip("-").lstrip("0")) > self.MAX_DIGITS:
            code = "min_value" if text.startswith("-") else "max_value"
            limit = self.min_value if code == "min_value" else self.max_value
            if limit is None:
                raise ValidationError(self.error_messages["invalid"], code="invalid")
            raise ValidationError(
                self.error_messages.get(code, self.error_messages["invalid"]),
                code=code,
                params={"limit_value": limit, "value": text[:20]},
            )
        return int(whole)


# --- messages ----------------------------------------------------------------------------


class Message(str):
    """An error message already written out in full.

    Django fills in `%(limit_value)s`-style placeholders with `message % params` when an error
    carries params, and not otherwise; these messages have no placeholders (a label may hold a
    "%" of its own), so formatting leaves them as they are.
    """

    def __mod__(self, params):
        return str(self)


# First words that already say what to enter or select: "Enter how often", not "Enter the how
# often".
_NO_ARTICLE = {"a", "an", "the", "your", "how", "what", "which", "who", "when", "where", "why"}
# "Notice given (days)" is "Notice given", counted in days; "Share (%)" is a percentage.
_UNIT = re.compile(r"(?P<name>.+?)\s*\((?P<unit>%|[a-z]+)\)")
_OPTIONAL = re.compile(r"\s*\(optional\)$", re.IGNORECASE)


def _counted(number, unit: str) -> str:
    """ " months" after 2, " month" after 1."""
    return unit[:-1] if number == 1 and unit.endswith("s") and unit != "%" else unit


def lower_first(text: str) -> str:
    """'Hourly rate' -> 'hourly rate', leaving acronyms and proper nouns alone ('NHS number',
    'National Living Wage, 21 and over')."""
    words = text.split()
    if not words:
        return text
    first = words[0]
    acronym = sum(1 for c in first if c.isupper()) > 1
    proper_noun = len(words) > 1 and words[1][:1].isupper()
    if acronym or proper_noun or first == "I":
        return text
    return text[:1].lower() + text[1:]


def _plain(number) -> str:
    """168, 0.25, 10,000: a bound as a person reads it."""
    if isinstance(number, int):
        return f"{number:,}"
    number = Decimal(number)
    if number == number.to_integral_value():
        return f"{int(number):,}"
    return f"{number.normalize():,f}"


def _pounds(number) -> str:
    return f"£{Decimal(number):,.2f}"


def _bounds(field) -> tuple:
    """The field's smallest and largest allowed values, from min_value/max_value or its
    validators (`validators=[MinValueValidator(...)]`)."""
    low = getattr(field, "min_value", None)
    high = getattr(field, "max_value", None)
    for validator in field.validators:
        if isinstance(validator, validators.MinValueValidator) and low is None:
            low = validator.limit_value
        elif isinstance(validator, validators.MaxValueValidator) and high is None:
            high = validator.limit_value
    return low, high


def _largest(field):
    """The largest number max_digits and decimal_places allow (999.99 for 5 and 2)."""
    digits, places = getattr(field, "max_digits", None), getattr(field, "decimal_places", None)
    if digits is None:
        return None
    places = places or 0
    return Decimal(10) ** (digits - places) - Decimal(10) ** -places


def _is_a_year(label: str, low, high) -> bool:
    """A field for a year: "year" in its label, and bounds that are years."""
    return (
        "year" in label.lower()
        and low is not None
        and high is not None
        and 1000 <= low <= high <= 9999
    )


def _is_choice(field) -> bool:
    return isinstance(field, forms.ChoiceField | forms.BooleanField) or isinstance(
        field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple
    )


def nhs_error_messages(field, name: str) -> dict[str, str]:
    """NHS.UK-pattern messages for a field, from its label: "Enter the hourly rate", "Hourly
    rate must be a number", "Hourly rate must be £0.01 or more"."""
    label = (str(field.label) if field.label else "").strip() or pretty_name(name)
    question = label if label.endswith("?") else None
    label = label.rstrip(":?").strip() or pretty_name(name)
    # "Hours a week (optional)": being optional is not part of what is entered.
    label = _OPTIONAL.sub("", label) or pretty_name(name)
    unit = ""
    if match := _UNIT.fullmatch(label):
        label = match["name"]
        unit = "%" if match["unit"] == "%" else f" {match['unit']}"
    subject = label[:1].upper() + label[1:]
    obj = lower_first(label)
    the = "" if obj.split()[0].lower() in _NO_ARTICLE else "the "
    money = getattr(field, "is_money", False)

    if _is_choice(field):
        select = f"Select an answer to: {question}" if question else f"Select {the}{obj}"
        return {"required": select, "invalid_choice": select, "invalid_list": select}

    messages = {
        "required": f"Enter {the}{obj}",
        "invalid": f"Enter {the}{obj} in the correct format",
        "null_characters_not_allowed": f"{subject} must not contain hidden characters",
        "max_length": f"{subject} must be {_plain(getattr(field, 'max_length', 0) or 0)} "
        "characters or fewer",
        "min_length": f"{subject} must be {_plain(getattr(field, 'min_length', 0) or 0)} "
        "characters or more",
    }
    if isinstance(field, forms.EmailField):
        messages["invalid"] = "Enter an email address in the correct format, like name@example.com"
    elif isinstance(field, forms.URLField):
        messages["invalid"] = "Enter a web address in the correct format, like https://www.nhs.uk"
    elif isinstance(field, forms.IntegerField | forms.FloatField):
        whole = not isinstance(field, forms.DecimalField | forms.FloatField)
        low, high = _bounds(field)
        # A year is written as it is read: "2000", not "2,000".
        plain = str if _is_a_year(label, low, high) else _plain
        show = _pounds if money else (lambda number: f"{plain(number)}{_counted(number, unit)}")
        if money:
            invalid = f"{subject} must be an amount of money, like 125.50"
        elif whole:
            invalid = f"{subject} must be a whole number"
        else:
            invalid = f"{subject} must be a number"
        high = high if high is not None else _largest(field)
        too_big = f"{subject} must be {show(high)} or less" if high is not None else invalid
        places = getattr(field, "decimal_places", None)
        if money:
            too_precise = f"{subject} must be in pounds and pence, like 125.50"
        elif places == 0:
            too_precise = f"{subject} must be a whole number"
        else:
            too_precise = f"{subject} must have no more than {places} decimal places"
        messages.update(
            invalid=invalid,
            min_value=f"{subject} must be {show(low)} or more" if low is not None else invalid,
            max_value=too_big,
            max_digits=too_big,
            max_whole_digits=too_big,
            max_decimal_places=too_precise,
            step_size=invalid,
        )
    return messages


def _django_defaults(field, code: str) -> set[str]:
    """Django's own messages for this code on this field: from the field classes and from
    the classes of its validators."""
    defaults = {
        str(klass.__dict__["default_error_messages"][code])
        for klass in type(field).__mro__
        if code in klass.__dict__.get("default_error_messages", {})
    }
    for validator in field.validators:
        if isinstance(validator, validators.DecimalValidator) and code in validator.messages:
            defaults.add(str(validator.messages[code]))
        elif getattr(validator, "code", None) == code:
            defaults.add(str(getattr(type(validator), "message", "")))
    return defaults


def apply_nhs_error_messages(field, name: str) -> None:
    """Give the field NHS.UK messages for every error Django would otherwise word for it,
    keeping the messages a form set itself."""
    if isinstance(field, NHSDateField):
        return  # words its own messages
    if isinstance(field, forms.DecimalField):
        _places_first(field)  # "must have no more than 2 decimal places", not "too big"
    codes = set(field.error_messages)
    for validator in field.validators:
        if isinstance(validator, validators.DecimalValidator):
            codes.update(validator.messages)
            continue
        code = getattr(validator, "code", None)
        message = getattr(validator, "message", None)
        if code and message is not None and str(message) in _django_defaults(field, code):
            codes.add(code)  # a validator with Django's wording, such as MaxValueValidator
    ours = nhs_error_messages(field, name)
    for code in codes:
        current = field.error_messages.get(code)
        if code in ours and (current is None or str(current) in _django_defaults(field, code)):
            field.error_messages[code] = Message(ours[code])


# --- Django form fields as NHS.UK macro options ------------------------------------------------

# Widget attributes the components set themselves (aria-describedby from hint and error; Django's
# default textarea cols would fight the NHS.UK full-width style).
HANDLED_ATTRIBUTES = {
    "id",
    "name",
    "value",
    "type",
    "rows",
    "cols",
    "inputmode",
    "autocomplete",
    "aria-describedby",
}


def _text(value) -> str:
    return "" if value is None else str(value)


def _hint(help_text) -> dict | None:
    if not help_text:
        return None
    return {"html": help_text} if isinstance(help_text, SafeData) else {"text": str(help_text)}


def _widget_attributes(bound_field) -> tuple[dict, str | None]:
    """Widget attrs (required, maxlength, ...) as macro `attributes`, plus classes."""
    attrs = dict(bound_field.build_widget_attrs(bound_field.field.widget.attrs))
    classes = attrs.pop("class", None)
    attributes = {}
    for name, value in attrs.items():
        if name in HANDLED_ATTRIBUTES or value is False or value is None:
            continue
        attributes[name] = {"value": True, "optional": True} if value is True else value
    return attributes, classes


def _date_error_parts(bound_field) -> list[str] | None:
    for error in bound_field.errors.as_data():
        parts = (error.params or {}).get("parts")
        if parts and len(parts) < 3:
            return parts
    return None


def field_component(bound_field) -> tuple[str, dict]:
    """The component name and macro options that render a Django BoundField.

    `field.nhsuk_options` (a dict of macro options set on the form field) is
    merged over what is derived here, for options forms cannot express, such
    as `{"width": 10}` or `{"label": {"isPageHeading": True, "size": "l"}}`.
    """
    field = bound_field.field
    widget = field.widget
    id_ = bound_field.auto_id or bound_field.html_name
    label = {"text": str(bound_field.label)} if bound_field.label else {}
    attributes, classes = _widget_attributes(bound_field)
    params = {
        "id": id_,
        "name": bound_field.html_name,
        "hint": _hint(field.help_text),
        "errorMessage": {"text": " ".join(str(e) for e in bound_field.errors)}
        if bound_field.errors
        else None,
        "attributes": attributes,
        "classes": classes,
    }
    value = bound_field.value()
    if isinstance(widget, NHSDateInput):
        values = value if isinstance(value, list | tuple) else widget.decompress(value)
        error_parts = _date_error_parts(bound_field)
        name = "date-input"
        params.update(
            fieldset={"legend": label},
            items=[
                {
                    "id": f"{id_}_{part}",
                    "name": f"{bound_field.html_name}_{part}",
                    "label": part.capitalize(),
                    "value": _text(part_value),
                    "width": 4 if part == "year" else 2,
                    # An error about some parts marks only those boxes; one about the whole
                    # date says nothing here, so the component marks every box.
                    **({"error": part in error_parts} if error_parts else {}),
                }
                for part, part_value in zip(DATE_PARTS, values, strict=False)
            ],
            attributes={},
        )
    elif isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        # CheckboxSelectMultiple is a subclass of RadioSelect: ask about it first.
        name = "checkboxes" if isinstance(widget, forms.CheckboxSelectMultiple) else "radios"
        # The first item takes the field's id (so labels and error links reach it); the
        # group itself must not carry the same id.
        del params["id"]
        params.update(
            idPrefix=id_,
            fieldset={"legend": label},
            items=[
                {
                    "value": _text(option.data["value"]),
                    "text": _text(option.data["label"]),
                    "checked": option.data["selected"],
                }
                for option in bound_field.subwidgets
            ],
            attributes={},
        )
    elif isinstance(widget, forms.CheckboxInput):
        name = "checkboxes"
        del params["id"]  # as for radios: the one item carries the field's id
        params.update(
            idPrefix=id_,
            items=[
                {
                    "value": "true",
                    "text": label.get("text"),
                    "checked": widget.check_test(value),
                    "hint": params.pop("hint"),
                }
            ],
            attributes={},
        )
    elif isinstance(widget, forms.Select):
        name = "select"
        params.update(
            label=label,
            items=[
                {
                    "value": _text(option.data["value"]),
                    "text": _text(option.data["label"]),
                    "selected": option.data["selected"],
                }
                for option in bound_field.subwidgets
            ],
        )
    elif isinstance(widget, forms.Textarea):
        name = "textarea"
        params.update(label=label, value=widget.format_value(value), rows=widget.attrs.get("rows"))
    else:
        name = "input"
        # NHS.UK advises text inputs with a numeric keyboard over type="number".
        numeric = isinstance(widget, forms.NumberInput)
        params.update(
            label=label,
            type="text" if numeric else getattr(widget, "input_type", "text"),
            inputmode="numeric" if numeric else widget.attrs.get("inputmode"),
            autocomplete=widget.attrs.get("autocomplete"),
            value=None
            if isinstance(widget, forms.PasswordInput | forms.FileInput)
            else widget.format_value(value),
        )
    for key, option in (getattr(field, "nhsuk_options", None) or {}).items():
        if isinstance(option, dict) and isinstance(params.get(key), dict):
            params[key] = {**params[key], **option}
        else:
            params[key] = option
    return name, {key: value for key, value in params.items() if value is not None}


def field_anchor(bound_field) -> str:
    """The id an error summary link should focus: the field's first box, or of a date the
    first box in error ("must include a month" goes to the month)."""
    name, params = field_component(bound_field)
    if name in ("date-input", "radios", "checkboxes"):
        items = params.get("items") or [{}]
        first = next((item for item in items if item.get("error")), items[0])
        return first.get("id") or params.get("idPrefix") or params["id"]
    return params["id"]


def error_list(*forms_and_formsets) -> list[dict]:
    """The error-summary `errorList` for forms and formsets.

    Non-field errors are plain items; each field error links to its field (`field_anchor`). Empty
    strings and None (a form the page does not have) are skipped.
    """
    errors = []

    def add(form):
        errors.extend({"text": str(error)} for error in form.non_field_errors())
        for bound_field in form.visible_fields():
            errors.extend(
                {"text": str(error), "href": f"#{field_anchor(bound_field)}"}
                for error in bound_field.errors
            )
        # A hidden field has no box to go to.
        errors.extend(
            {"text": str(error)}
            for bound_field in form.hidden_fields()
            for error in bound_field.errors
        )

    for form in forms_and_formsets:
        if form is None or form == "":
            continue
        if hasattr(form, "forms"):  # a formset
            errors.extend({"text": str(error)} for error in form.non_form_errors())
            for member in form.forms:
                add(member)
        else:
            add(form)
    return errors


STALE_PAGE = "This page is out of date. Go back, reload the page and try again"


class PageSeenField(forms.CharField):
    """For a record with no version number: the moment it was last changed (`updated_at`) when
    the page was drawn, so that a save from a page opened before someone else's is refused,
    not written over theirs. Whatever is wrong with it, the page is out of date."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(error_messages={"required": STALE_PAGE, "invalid": STALE_PAGE}, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        if len(value) > 40:
            raise ValidationError(STALE_PAGE, code="invalid")
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            raise ValidationError(STALE_PAGE, code="invalid") from None
        if moment.tzinfo is None:
            raise ValidationError(STALE_PAGE, code="invalid")
        return moment

    def prepare_value(self, value):
        return value.isoformat() if isinstance(value, datetime.datetime) else value


def page_version_field(*, required: bool = True) -> NHSIntegerField:
    """The hidden version of a record that a page was drawn from, so that a stale page is
    refused. A person never types it: whatever is wrong with it, the page is out of date (never
    "Lock version must be a whole number" about a box nobody can see)."""
    return NHSIntegerField(
        widget=forms.HiddenInput,
        required=required,
        min_value=0,
        max_value=2_147_483_647,
        error_messages={
            key: STALE_PAGE for key in ("required", "invalid", "min_value", "max_value")
        },
    )
