"""Money is pounds to the penny: one rule for forms and services alike.

A sum of money is a finite `Decimal` with no fraction of a penny, from £0.00 (or a stated
minimum) to £9,999,999.99 unless the caller says otherwise. That bound is far above any
personal health budget and keeps every figure worked out from it (a year of a weekly cost)
inside the database's 12-digit money columns. Negative zero is zero.

`MoneyField` is the form field (it reads "£1,250.50" as a person types it); `check_money` is
the same rule for services, which must not trust their callers to have used the form.
"""

import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

from phb.nhsuk_forms import NHSDecimalField

PENNY = Decimal("0.01")
MAX_MONEY = Decimal("9999999.99")

# "1,250.50": commas between thousands, as people write money. Anything else with a comma is
# not a sum of money.
_THOUSANDS = re.compile(r"-?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?")


class MoneyField(NHSDecimalField):
    """A sum of money in pounds and pence, shown with a £ prefix.

    Accepts "1250.5", "£1,250.50" and " 1250.50 "; refuses fractions of a penny ("1.005"),
    "NaN", "Infinity", "1e3" and amounts outside the bounds. `NHSFormMixin` words the
    messages ("Hourly rate must be an amount of money, like 125.50").
    """

    is_money = True

    def __init__(self, *, minimum=Decimal("0.00"), maximum=MAX_MONEY, **kwargs):
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", minimum)
        kwargs.setdefault("max_value", maximum)
        super().__init__(**kwargs)
        self.nhsuk_options = {
            "prefix": "£",
            "classes": "nhsuk-input--width-10",
            "inputmode": "decimal",
        }

    def prepare(self, text: str) -> str:
        sign = "-" if text.startswith("-") else ""
        text = text.removeprefix("-").removeprefix("£").strip()
        if text.startswith("-"):  # "£-5"
            sign, text = "-", text[1:]
        text = sign + text
        if _THOUSANDS.fullmatch(text):
            text = text.replace(",", "")
        return text

    def clean(self, value):
        value = super().clean(value)
        return None if value is None else value.quantize(PENNY)


def money_error(value, *, minimum=Decimal("0.00"), maximum=MAX_MONEY) -> str | None:
    """What is wrong with `value` as a sum of money ("must be ..."), or None if nothing."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        return "must be an amount of money in pounds and pence"
    value = Decimal(value)
    if not value.is_finite():
        return "must be an amount of money in pounds and pence"
    try:
        whole_pence = value == value.quantize(PENNY)
    except InvalidOperation:  # more digits than a Decimal holds: far too large anyway
        whole_pence = True
    if not whole_pence:
        return "must be in pounds and pence, with no fraction of a penny"
    if minimum is not None and value < minimum:
        return f"must be £{minimum:,.2f} or more"
    if maximum is not None and value > maximum:
        return f"must be £{maximum:,.2f} or less"
    return None


def check_money(
    value, *, what: str, field: str | None = None, minimum=Decimal("0.00"), maximum=MAX_MONEY
) -> Decimal:
    """`value` to the penny, or a ValidationError ("The hourly rate must be ...") keyed by
    `field` when given."""
    problem = money_error(value, minimum=minimum, maximum=maximum)
    if problem is not None:
        message = f"{what} {problem}"
        raise ValidationError({field: message} if field else message)
    value = Decimal(value).quantize(PENNY)
    return abs(value) if value.is_zero() else value


def check_within_limit(*figures, what: str) -> None:
    """Refuse a calculation whose figures (a year of a weekly cost, say) come to more than the
    service records, rather than let the database refuse it."""
    largest = max((abs(f) for f in figures if isinstance(f, Decimal) and f.is_finite()), default=0)
    if largest > MAX_MONEY:
        raise ValidationError(
            f"{what} comes to £{largest:,.2f}, more than the £{MAX_MONEY:,.2f} this service can "
            "record. Check the figures"
        )
