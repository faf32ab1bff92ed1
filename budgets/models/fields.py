"""Money and rate fields with their database constraints."""

from decimal import Decimal

from django.db import models
from django.db.models import Q

from budgets.money import MoneyField as MoneyFormField
from phb.nhsuk_forms import NHSDecimalField


class MoneyField(models.DecimalField):
    """Pounds to the penny."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)

    def formfield(self, **kwargs):
        """In a ModelForm: pounds and pence, £0.00 to £9,999,999.99 (see `budgets.money`)."""
        return super().formfield(**{"form_class": MoneyFormField, **kwargs})


class RateField(models.DecimalField):
    """A fraction such as 0.15 for 15%, to four places (12.07% is 0.1207)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 6)
        kwargs.setdefault("decimal_places", 4)
        super().__init__(*args, **kwargs)

    def formfield(self, **kwargs):
        """In a ModelForm: a fraction from 0 to 1, typed as a plain number."""
        return super().formfield(
            **{
                "form_class": NHSDecimalField,
                "min_value": Decimal(0),
                "max_value": Decimal(1),
                **kwargs,
            }
        )


def non_negative(*fields: str, prefix: str) -> list[models.CheckConstraint]:
    return [
        models.CheckConstraint(condition=Q(**{f"{field}__gte": 0}), name=f"{prefix}_{field}_gte_0")
        for field in fields
    ]
