"""A CHC package line says what its units are, from the local rate it is costed at: hours of
agency care and nursing, nights of sleeping-night care ("70 a week at £28.90 each" read as 70
waking nights a week)."""

from decimal import Decimal as D
from types import SimpleNamespace

import pytest

from budgets.models import ChcProviderType
from budgets.presenters import chc_line_detail


@pytest.mark.parametrize(
    ("provider_type", "units", "cost", "says"),
    [
        (ChcProviderType.AGENCY_WAKING_NIGHT, "70", "28.90", "70 hours a week at £28.90 an hour"),
        (ChcProviderType.AGENCY_DAY, "42", "27.80", "42 hours a week at £27.80 an hour"),
        (ChcProviderType.NURSING, "1", "55.40", "1 hour a week at £55.40 an hour"),
        (ChcProviderType.AGENCY_NIGHT, "7", "120.00", "7 nights a week at £120.00 a night"),
        (ChcProviderType.AGENCY_NIGHT, "1", "120.00", "1 night a week at £120.00 a night"),
        (ChcProviderType.RESPITE, "2", "90.00", "2 a week at £90.00 each"),
    ],
)
def test_each_line_names_its_units(provider_type, units, cost, says):
    line = SimpleNamespace(provider_type=provider_type, units_per_week=D(units), unit_cost=D(cost))
    assert chc_line_detail(line) == says


def test_a_mistyped_number_of_hours_gets_one_message():
    from budgets.forms import ChcLineForm

    form = ChcLineForm(data={"service": "Agency day care", "units_per_week": "1e10"})
    assert not form.is_valid()
    assert form.errors["units_per_week"] == ["Hours, nights or units a week must be a number"]
