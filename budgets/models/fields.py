"""Money and rate fields with their database constraints."""

from django.db import models
from django.db.models import Q


class MoneyField(models.DecimalField):
    """Pounds to the penny."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)


class RateField(models.DecimalField):
    """A fraction such as 0.15 for 15%, to four places (12.07% is 0.1207)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 6)
        kwargs.setdefault("decimal_places", 4)
        super().__init__(*args, **kwargs)


def non_negative(*fields: str, prefix: str) -> list[models.CheckConstraint]:
    return [
        models.CheckConstraint(condition=Q(**{f"{field}__gte": 0}), name=f"{prefix}_{field}_gte_0")
        for field in fields
    ]
