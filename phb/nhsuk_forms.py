"""Django forms as NHS.UK components.

Django has no widget for the NHS.UK date input (three separate boxes for day,
month and year), and its DateField's messages do not follow the NHS.UK pattern
("Date of birth must include a year"). `NHSDateField` fills that gap.

`field_component()` turns any bound field into a component name and macro
options, which the `nhsuk` crispy template pack (`{% nhsuk_field %}`) renders
through the official macros; `error_list()` builds the error summary's links.
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError
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

    def _name(self) -> str:
        label = str(self.label or "Date")
        return label[:1].upper() + label[1:]

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
        if not all(v.isdigit() for v in values.values()):
            raise self._error(f"{self._name()} must be a real date", "invalid")
        if len(values["year"]) != 4:
            raise self._error("Year must include 4 numbers", "invalid_year", ["year"])
        try:
            return datetime.date(int(values["year"]), int(values["month"]), int(values["day"]))
        except ValueError:
            raise self._error(f"{self._name()} must be a real date", "invalid") from None

    def validate(self, value):
        if value is None and self.required:
            raise self._error(f"Enter {self._name().lower()}", "required")


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
                    "error": bool(error_parts) and part in error_parts,
                }
                for part, part_value in zip(DATE_PARTS, values, strict=False)
            ],
            attributes={},
        )
    elif isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        name = "radios" if isinstance(widget, forms.RadioSelect) else "checkboxes"
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
    """The id an error summary link should focus: the first box of the field."""
    name, params = field_component(bound_field)
    if name in ("date-input", "radios", "checkboxes"):
        items = params.get("items") or [{}]
        return items[0].get("id") or params.get("idPrefix") or params["id"]
    return params["id"]


def error_list(*forms_and_formsets) -> list[dict]:
    """The error-summary `errorList` for forms and formsets.

    Non-field errors are plain items; each field error links to the field's first box. Empty
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
