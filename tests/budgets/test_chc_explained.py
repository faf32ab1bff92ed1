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


def _line(provider_type, units):
    from budgets.forms import ChcLineForm

    return ChcLineForm(
        data={
            "service": "A service",
            "provider_type": provider_type,
            "units_per_week": units,
            "unit_cost": "0.35",
        }
    )


@pytest.mark.parametrize(
    "provider_type",
    [ChcProviderType.AGENCY_DAY, ChcProviderType.AGENCY_WAKING_NIGHT, ChcProviderType.NURSING],
)
def test_hours_are_at_most_168_a_week(provider_type):
    form = _line(provider_type, "168.01")
    assert not form.is_valid()
    assert form.errors["units_per_week"] == ["There are only 168 hours in a week"]
    assert _line(provider_type, "168").is_valid()


@pytest.mark.parametrize(
    "provider_type",
    [ChcProviderType.EQUIPMENT, ChcProviderType.OTHER, ChcProviderType.RESPITE],
)
def test_other_units_are_not_hours(provider_type):
    """200 continence pads a week are not "more hours than a week has"."""
    form = _line(provider_type, "200")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["units_per_week"] == D("200")
    too_many = _line(provider_type, "100000")
    assert too_many.errors["units_per_week"] == [
        "Hours, nights or units a week must be 99,999.99 or less"
    ]


@pytest.mark.django_db
def test_a_package_of_200_pads_a_week_is_costed(phb_lead, holder, local_rates):
    """200 continence pads a week at £0.35 = £70.00 a week, £3,640.00 a year."""
    from tests.budgets.factories import chc_package

    package = chc_package(
        phb_lead,
        holder,
        lines=[
            {
                "service": "Continence pads",
                "provider_type": "equipment",
                "units_per_week": D("200"),
                "unit_cost": D("0.35"),
            }
        ],
    )
    assert (package.weekly_cost, package.annual_cost) == (D("70.00"), D("3640.00"))


@pytest.mark.django_db
def test_the_service_refuses_more_hours_than_a_week_has(phb_lead, holder, local_rates):
    from django.core.exceptions import ValidationError

    from tests.budgets.factories import chc_package

    with pytest.raises(ValidationError) as excinfo:
        chc_package(
            phb_lead,
            holder,
            lines=[
                {
                    "service": "Agency day care",
                    "provider_type": "agency_day",
                    "units_per_week": D("200"),
                }
            ],
        )
    assert excinfo.value.messages == [
        "Agency day care cannot be 200 hours a week. There are only 168 hours in a week"
    ]
