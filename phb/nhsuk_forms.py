"""Form widgets and fields that render as NHS.UK components.

Django has no widget for the NHS.UK date input (three separate boxes for day,
month and year), and its DateField's messages do not follow the NHS.UK pattern
("Date of birth must include a year"). `NHSDateField` fills that gap; the
`nhsuk` crispy template pack renders it with the date-input component.
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError

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
