"""Hostile input to the budget forms is refused in words beside the box, once per box."""

from decimal import Decimal as D

import pytest
from django.urls import reverse

from budgets.forms import ChcLineForm
from budgets.models import ChcPackage
from tests.budgets.test_line_refusals import chc_page, error_beside, summary_links

pytestmark = pytest.mark.django_db

SLEEP = {
    "lines-0-service": "Sleep",
    "lines-0-provider_type": "agency_night",
    "lines-0-unit_cost": "120.00",
}


def chc_line(**data) -> ChcLineForm:
    form = ChcLineForm(data=data)
    form.is_valid()
    return form


# ---------------------------------------------------------------------------------------------
# CHC package: at most 7 sleeping nights a week
# ---------------------------------------------------------------------------------------------


def test_eight_sleeping_nights_a_week_are_refused_beside_the_box(
    client, phb_lead, holder, local_rates
):
    # 8 nights at £120.00 would be £960.00 a week and £49,920.00 a year; there are only 7 nights.
    client.force_login(phb_lead)
    response = client.post(
        reverse("budgets:chc_new", args=[holder.pk]),
        chc_page(**SLEEP, **{"lines-0-units_per_week": "8"}),
    )
    assert response.status_code == 200
    html = response.content.decode()
    message = "There are only 7 nights in a week"
    assert summary_links(html) == [("#id_lines-0-units_per_week", message)]
    assert error_beside(html, "id_lines-0-units_per_week") == message
    assert not ChcPackage.objects.exists()


def test_seven_sleeping_nights_a_week_are_costed(client, phb_lead, holder, local_rates):
    # 7 nights at £120.00 = £840.00 a week; x 52 = £43,680.00 a year.
    client.force_login(phb_lead)
    response = client.post(
        reverse("budgets:chc_new", args=[holder.pk]),
        chc_page(**SLEEP, **{"lines-0-units_per_week": "7"}),
    )
    assert response.status_code == 302
    package = ChcPackage.objects.get()
    assert (package.weekly_cost, package.annual_cost) == (D("840.00"), D("43680.00"))


def test_seven_and_a_half_sleeping_nights_are_refused():
    form = chc_line(service="Sleep", provider_type="agency_night", units_per_week="7.5")
    assert form.errors == {"units_per_week": ["There are only 7 nights in a week"]}


def test_more_than_7_visits_or_waking_night_hours_are_not_nights():
    # Visits ("other") are counted as they come; waking nights are in hours, up to 168.
    assert chc_line(service="Visits", provider_type="other", units_per_week="8").is_valid()
    assert chc_line(
        service="Waking nights", provider_type="agency_waking_night", units_per_week="70"
    ).is_valid()
