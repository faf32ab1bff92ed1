"""Hostile input to the budget forms is refused in words beside the box, once per box."""

import datetime
from decimal import Decimal as D

import pytest
from django.urls import reverse

from budgets.forms import AnswerFormSet, ChcLineForm, FundingStreamForm
from budgets.models import ChcPackage, LocalRateSet, NationalRateSet
from budgets.models.rates import RATE_FIELDS
from budgets.services.costing import LineRefused
from employers.models import TaxYearRateSet
from tests.budgets.factories import NATIONAL_2027_28, chc_package
from tests.budgets.test_line_refusals import chc_page, error_beside, summary_links
from tests.budgets.test_pages import date_fields
from tests.employers.test_tax_year_figures import typed

pytestmark = pytest.mark.django_db

LOCAL_RATES = {
    "pa_hourly": "13.50",
    "agency_day_hourly": "27.80",
    "agency_night_hourly": "120.00",
    "agency_waking_night_hourly": "28.90",
    "nursing_hourly": "55.40",
    "employer_liability_insurance_annual": "150.00",
    "payroll_fee_annual": "240.00",
    "contingency_rate": "3",
}

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


def test_the_service_refuses_eight_sleeping_nights_too(phb_lead, holder, local_rates):
    # A caller that skips the form is refused by the service, beside the same box.
    night = {"service": "Sleep", "provider_type": "agency_night", "unit_cost": D("120.00")}
    with pytest.raises(LineRefused) as refused:
        chc_package(phb_lead, holder, lines=[night | {"units_per_week": D("8")}])
    assert refused.value.messages == [
        "Sleep cannot be 8 nights a week. There are only 7 nights in a week"
    ]
    assert refused.value.line == 0
    assert list(refused.value.message_dict) == ["units_per_week"]
    assert not ChcPackage.objects.exists()
    package = chc_package(phb_lead, holder, lines=[night | {"units_per_week": D("7")}])
    assert (package.weekly_cost, package.annual_cost) == (D("840.00"), D("43680.00"))


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


# ---------------------------------------------------------------------------------------------
# Rate tables: a year someone could mean, and a name that agrees with it
# ---------------------------------------------------------------------------------------------


def national_figures(name: str, day: datetime.date) -> dict:
    return {
        k: str(v * 100 if k in RATE_FIELDS else v)
        for k, v in NATIONAL_2027_28.items()
        if k != "effective_from"
    } | {"name": name, **date_fields("effective_from", day)}


def form_errors(response) -> dict:
    return {name: list(errors) for name, errors in response.context["form"].errors.items()}


def test_national_figures_in_force_from_1899_are_refused(client, service_admin):
    client.force_login(service_admin)
    response = client.post(
        reverse("budgets:national_rates_new"),
        national_figures("2028/29", datetime.date(1899, 4, 1)),
    )
    assert response.status_code == 200
    assert form_errors(response) == {
        "effective_from": [
            "The date these figures are in force from must be between 2000 and 2100"
        ],
        "name": ["The name says 2028/29 but the figures are in force from 1 April 1899"],
    }
    assert not NationalRateSet.objects.filter(name="2028/29").exists()


def test_national_figures_named_for_another_year_are_refused(client, service_admin):
    client.force_login(service_admin)
    response = client.post(
        reverse("budgets:national_rates_new"),
        national_figures("2028/29", datetime.date(2031, 4, 1)),
    )
    assert form_errors(response) == {
        "name": ["The name says 2028/29 but the figures are in force from 1 April 2031"]
    }
    response = client.post(
        reverse("budgets:national_rates_new"),
        national_figures("2031/33", datetime.date(2031, 4, 1)),
    )
    assert form_errors(response) == {
        "name": ["The name says 2031/33, which is not one year: for example 2031/32"]
    }
    assert not NationalRateSet.objects.filter(effective_from=datetime.date(2031, 4, 1)).exists()


@pytest.mark.parametrize(
    ("name", "day"),
    [
        ("2031/32", datetime.date(2031, 4, 1)),
        # A change in the year is of that financial year: 6 November 2031 is in 2031/32.
        ("2031/32 from November", datetime.date(2031, 11, 6)),
        ("2031-2032", datetime.date(2032, 3, 31)),
        ("Autumn change", datetime.date(2031, 11, 6)),
    ],
)
def test_national_figures_named_for_their_year_are_saved(client, service_admin, name, day):
    client.force_login(service_admin)
    response = client.post(reverse("budgets:national_rates_new"), national_figures(name, day))
    assert response.status_code == 302
    assert NationalRateSet.objects.get(effective_from=day).name == name


@pytest.mark.parametrize("year", [1999, 2101, 2199])
def test_local_rates_outside_2000_to_2100_are_refused(client, icb_admin, icb, year):
    client.force_login(icb_admin)
    response = client.post(
        reverse("budgets:local_rates_new"),
        {**LOCAL_RATES, **date_fields("effective_from", datetime.date(year, 4, 1))},
    )
    assert form_errors(response) == {
        "effective_from": ["The date these rates are in force from must be between 2000 and 2100"]
    }
    assert not LocalRateSet.objects.filter(organisation=icb).exists()


def test_local_rates_from_2100_are_saved(client, icb_admin, icb):
    client.force_login(icb_admin)
    response = client.post(
        reverse("budgets:local_rates_new"),
        {**LOCAL_RATES, **date_fields("effective_from", datetime.date(2100, 4, 1))},
    )
    assert response.status_code == 302
    assert LocalRateSet.objects.get(organisation=icb).effective_from == datetime.date(2100, 4, 1)


def tax_year(name: str, start: datetime.date) -> dict:
    this_year = TaxYearRateSet.objects.get(tax_year_start=datetime.date(2026, 4, 6))
    return typed(this_year) | {"name": name} | date_fields("tax_year_start", start)


@pytest.mark.parametrize(
    ("name", "start", "errors"),
    [
        (
            "2031/32",
            datetime.date(1899, 4, 6),
            {
                "tax_year_start": ["The day the tax year starts must be between 2000 and 2100"],
                "name": ["The name says 2031/32 but the tax year starts on 6 April 1899"],
            },
        ),
        (
            "2199/00",
            datetime.date(2199, 4, 6),
            {"tax_year_start": ["The day the tax year starts must be between 2000 and 2100"]},
        ),
        (
            "2031/32",
            datetime.date(2030, 4, 6),
            {"name": ["The name says 2031/32 but the tax year starts on 6 April 2030"]},
        ),
    ],
)
def test_tax_years_that_could_not_be_meant_are_refused(client, service_admin, name, start, errors):
    client.force_login(service_admin)
    response = client.post(reverse("employers:tax_year_new"), tax_year(name, start))
    assert response.status_code == 200
    assert form_errors(response) == errors
    assert not TaxYearRateSet.objects.filter(tax_year_start=start).exists()


def test_a_tax_year_named_for_itself_is_saved(client, service_admin):
    client.force_login(service_admin)
    start = datetime.date(2031, 4, 6)
    response = client.post(reverse("employers:tax_year_new"), tax_year("2031/32", start))
    assert response.status_code == 302
    assert TaxYearRateSet.objects.get(tax_year_start=start).name == "2031/32"


# ---------------------------------------------------------------------------------------------
# One message a box
# ---------------------------------------------------------------------------------------------


def test_a_service_name_too_long_has_one_message():
    form = chc_line(service="x" * 201, provider_type="agency_day", units_per_week="10")
    assert form.errors == {"service": ["Service must be 200 characters or fewer"]}


def test_a_funding_stream_not_on_the_page_has_one_message():
    form = FundingStreamForm(data={"kind": "lottery", "share_percent": "50"})
    assert form.errors == {"kind": ["Select the funding stream"]}
    # With nothing chosen, the share asks for its stream.
    form = FundingStreamForm(data={"kind": "", "share_percent": "50"})
    assert form.errors == {"kind": ["Choose the funding stream this share is for"]}


# ---------------------------------------------------------------------------------------------
# National figures out of bounds: money in pounds
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        (
            "ni_secondary_threshold_weekly",
            "9600",
            "Secondary threshold (per week) must be between £0 and £600",
        ),
        (
            "lower_earnings_limit_annual",
            "670800",
            "Lower earnings limit (per year) must be between £0 and £30,000",
        ),
        ("holiday_weeks", "11", "Holiday entitlement (weeks) must be between 4 and 10"),
    ],
)
def test_national_figures_out_of_bounds_say_pounds(client, service_admin, field, typed, message):
    client.force_login(service_admin)
    data = national_figures("2031/32", datetime.date(2031, 4, 1)) | {field: typed}
    response = client.post(reverse("budgets:national_rates_new"), data)
    assert form_errors(response)[field] == [message]


# ---------------------------------------------------------------------------------------------
# A RAS domain's answers: each once
# ---------------------------------------------------------------------------------------------


def answer_rows(*rows) -> AnswerFormSet:
    data = {"answers-TOTAL_FORMS": str(len(rows)), "answers-INITIAL_FORMS": "0"}
    for index, (text, points) in enumerate(rows):
        data |= {f"answers-{index}-text": text, f"answers-{index}-points": points}
    return AnswerFormSet(data, prefix="answers")


def test_the_same_answer_twice_is_refused_beside_the_second():
    formset = answer_rows(("Same", "1"), ("Needs help", "6"), (" same  ", "1"))
    assert not formset.is_valid()
    assert formset.errors == [
        {},
        {},
        {"text": ["same is already an answer. Enter a different answer"]},
    ]


def test_different_answers_are_kept():
    formset = answer_rows(("Same", "1"), ("Same again", "1"))
    assert formset.is_valid(), formset.errors
    assert formset.options() == [("Same", 1), ("Same again", 1)]
