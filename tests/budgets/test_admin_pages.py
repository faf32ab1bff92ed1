"""ICB administration pages: rates and RAS questionnaires, and their query counts."""

import datetime
from decimal import Decimal as D
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from budgets.models import LocalRateSet, RasQuestionnaire
from tests.budgets.factories import LocalRateSetFactory, questionnaire

pytestmark = pytest.mark.django_db


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_rates_page_query_count_does_not_grow_with_rate_sets(client, icb_admin, icb):
    client.force_login(icb_admin)
    LocalRateSetFactory(organisation=icb, effective_from=datetime.date(2026, 4, 1))
    client.get(reverse("budgets:rates"))
    few = _queries(client, reverse("budgets:rates"))
    for year in range(2027, 2037):
        LocalRateSetFactory(organisation=icb, effective_from=datetime.date(year, 4, 1))
    assert _queries(client, reverse("budgets:rates")) == few


def test_questionnaire_list_query_count_does_not_grow(client, icb_admin):
    client.force_login(icb_admin)
    questionnaire(icb_admin, financial_year=2026)
    client.get(reverse("budgets:questionnaires"))
    few = _queries(client, reverse("budgets:questionnaires"))
    for year in range(2027, 2032):
        questionnaire(icb_admin, financial_year=year)
    assert _queries(client, reverse("budgets:questionnaires")) == few


def test_an_admin_adds_local_rates_through_the_page(client, icb_admin, icb):
    client.force_login(icb_admin)
    data = {
        "effective_from_day": "1",
        "effective_from_month": "4",
        "effective_from_year": "2026",
        "pa_hourly": "13.50",
        "agency_day_hourly": "27.80",
        "agency_night_hourly": "120.00",
        "agency_waking_night_hourly": "28.90",
        "nursing_hourly": "55.40",
        "employer_liability_insurance_annual": "150.00",
        "payroll_fee_annual": "240.00",
        "contingency_rate": "3",
    }
    response = client.post(reverse("budgets:local_rates_new"), data)
    assert response.status_code == 302
    rates = LocalRateSet.objects.get(organisation=icb)
    assert rates.agency_day_hourly == D("27.80")
    # Typed as a percentage, stored as a fraction.
    assert rates.contingency_rate == D("0.03")


def test_a_pa_rate_below_the_national_living_wage_is_refused(client, icb_admin, national_rates):
    client.force_login(icb_admin)
    response = client.post(
        reverse("budgets:local_rates_new"), LOCAL_RATES_FORM | {"pa_hourly": "12.70"}
    )
    assert response.context["form"].errors == {
        "pa_hourly": [
            "The PA hourly rate must be at least £12.71, the National Living Wage in force on "
            "1 April 2026"
        ]
    }
    assert not LocalRateSet.objects.exists()


def test_national_rates_out_of_order_are_refused_in_words(client, service_admin):
    from budgets.models import NationalRateSet
    from budgets.models.rates import RATE_FIELDS
    from tests.budgets.factories import NATIONAL_2027_28

    client.force_login(service_admin)
    data = {
        k: str(v * 100 if k in RATE_FIELDS else v)
        for k, v in NATIONAL_2027_28.items()
        if k != "effective_from"
    } | {
        "name": "2031/32",
        "effective_from_day": "1",
        "effective_from_month": "4",
        "effective_from_year": "2031",
    }
    response = client.post(
        reverse("budgets:national_rates_new"), data | {"nlw_21_plus": "5.00", "nmw_18_20": "20.00"}
    )
    text = unescape(response.content.decode())
    assert "There is a problem" in text
    assert "The 18 to 20 rate cannot be more than the rate for 21 and over" in text
    assert "Constraint" not in text and "wage_bands_ordered" not in text
    # Should the database's own rule be what refuses them, it says so in words too.
    figures = dict(NATIONAL_2027_28) | {"name": "2031/32", "nmw_18_20": D("20.00")}
    with pytest.raises(ValidationError) as error:
        NationalRateSet(**figures).validate_constraints()
    assert error.value.messages == [
        "The minimum wage for 16 and 17 year olds and apprentices must not be more than the "
        "rate for 18 to 20 year olds, and that must not be more than the National Living Wage"
    ]


def test_a_negative_rate_is_refused_and_nothing_saved(client, icb_admin):
    client.force_login(icb_admin)
    response = client.post(
        reverse("budgets:local_rates_new"),
        {
            "effective_from_day": "1",
            "effective_from_month": "4",
            "effective_from_year": "2026",
            "pa_hourly": "-1",
            "agency_day_hourly": "27.80",
            "agency_night_hourly": "120",
            "agency_waking_night_hourly": "28.90",
            "nursing_hourly": "55.40",
            "employer_liability_insurance_annual": "150",
            "payroll_fee_annual": "240",
            "contingency_rate": "3",
        },
    )
    assert "There is a problem" in response.content.decode()
    assert response.context["form"].errors == {
        "pa_hourly": ["Personal assistant (per hour) must be £0.00 or more"]
    }
    assert not LocalRateSet.objects.exists()


LOCAL_RATES_FORM = {
    "effective_from_day": "1",
    "effective_from_month": "4",
    "effective_from_year": "2026",
    "pa_hourly": "13.50",
    "agency_day_hourly": "27.80",
    "agency_night_hourly": "120",
    "agency_waking_night_hourly": "28.90",
    "nursing_hourly": "55.40",
    "employer_liability_insurance_annual": "150",
    "payroll_fee_annual": "240",
    "contingency_rate": "5",
}


@pytest.mark.parametrize(
    ("change", "errors"),
    [
        (
            {"contingency_rate": "60"},
            {"contingency_rate": ["Contingency must be 50% or less"]},
        ),
        (
            {"effective_from_year": "2025"},
            {
                "effective_from": [
                    "There are already rates in force from 1 April 2025: "
                    "change those, or choose another date"
                ]
            },
        ),
    ],
)
def test_local_rates_the_database_would_refuse_are_explained_against_the_field(
    client, icb_admin, icb, change, errors
):
    """Not as the name of the database constraint, in the summary with no link."""
    LocalRateSetFactory(organisation=icb, effective_from=datetime.date(2025, 4, 1))
    client.force_login(icb_admin)
    response = client.post(reverse("budgets:local_rates_new"), LOCAL_RATES_FORM | change)
    assert response.context["form"].errors == errors
    assert LocalRateSet.objects.count() == 1


def test_staff_of_another_icb_cannot_open_a_questionnaire(client, icb_admin, other_icb):
    from tests.budgets.factories import staff

    version = questionnaire(icb_admin)
    client.force_login(staff("icb_admin", other_icb))
    assert client.get(reverse("budgets:questionnaire", args=[version.pk])).status_code == 404


@pytest.mark.parametrize("role_fixture", ["clinician", "finance_officer", "holder"])
def test_rates_and_questionnaires_are_for_admins_and_leads(client, request, role_fixture):
    user = request.getfixturevalue(role_fixture)
    client.force_login(getattr(user, "user", user))
    assert client.get(reverse("budgets:rates")).status_code == 404
    assert client.get(reverse("budgets:questionnaires")).status_code == 404


def test_a_questionnaire_in_use_offers_a_new_version_not_edits(client, icb_admin):
    version = questionnaire(icb_admin)
    client.force_login(icb_admin)
    page = client.get(reverse("budgets:questionnaire", args=[version.pk])).content.decode()
    assert "Make a new version from this one" in page
    assert "Add a domain" not in page
    response = client.post(
        reverse("budgets:questionnaire", args=[version.pk]), {"action": "new_version"}
    )
    copy = RasQuestionnaire.objects.get(version=2)
    assert response["Location"] == reverse("budgets:questionnaire", args=[copy.pk])
    assert copy.domains.count() == version.domains.count()


def test_a_drafts_price_per_point_is_changed_through_the_page(client, icb_admin):
    draft = questionnaire(icb_admin, publish=False)
    client.force_login(icb_admin)
    url = reverse("budgets:questionnaire", args=[draft.pk])
    response = client.post(url, {"action": "price", "price-price_per_point": "150.25"})
    assert response["Location"] == url
    draft.refresh_from_db()
    assert draft.price_per_point == D("150.25")


def test_a_price_of_nothing_is_refused_with_an_error_summary(client, icb_admin):
    draft = questionnaire(icb_admin, publish=False)
    client.force_login(icb_admin)
    url = reverse("budgets:questionnaire", args=[draft.pk])
    response = client.post(url, {"action": "price", "price-price_per_point": "0"})
    assert "There is a problem" in response.content.decode()
    draft.refresh_from_db()
    assert draft.price_per_point == D("148.37")


def test_a_price_change_on_a_version_in_use_is_refused(client, icb_admin):
    version = questionnaire(icb_admin)
    client.force_login(icb_admin)
    url = reverse("budgets:questionnaire", args=[version.pk])
    response = client.post(url, {"action": "price", "price-price_per_point": "150.25"})
    assert "Make a new version instead" in response.content.decode()
    version.refresh_from_db()
    assert version.price_per_point == D("148.37")


def test_a_second_set_of_local_rates_for_the_same_date_is_refused_in_words(client, icb_admin, icb):
    # The form cannot see the ICB, so the service says so (not Django's "Local rate set with
    # this ICB and Effective from already exists.").
    LocalRateSetFactory(organisation=icb, effective_from=datetime.date(2026, 4, 1))
    client.force_login(icb_admin)
    response = client.post(
        reverse("budgets:local_rates_new"),
        {
            "effective_from_day": "1",
            "effective_from_month": "4",
            "effective_from_year": "2026",
            "pa_hourly": "13.50",
            "agency_day_hourly": "27.80",
            "agency_night_hourly": "120.00",
            "agency_waking_night_hourly": "28.90",
            "nursing_hourly": "55.40",
            "employer_liability_insurance_annual": "150.00",
            "payroll_fee_annual": "240.00",
            "contingency_rate": "3",
        },
    )
    assert response.status_code == 200
    assert "There are already rates in force from 1 April 2026" in response.content.decode()
    assert LocalRateSet.objects.count() == 1


def test_rates_are_shown_and_typed_as_percentages_and_stored_as_fractions(client, service_admin):
    from budgets.models import NationalRateSet
    from budgets.models.rates import RATE_FIELDS
    from tests.budgets.factories import NATIONAL_2027_28

    client.force_login(service_admin)
    url = reverse("budgets:national_rates_new")
    # The new set starts from the latest (2026/27): 15%, 3%, 80% and 12.07%.
    html = client.get(url).content.decode()
    for name, shown in [
        ("employer_ni_rate", "15"),
        ("pension_employer_min_rate", "3"),
        ("ssp_earnings_rate", "80"),
        ("holiday_accrual_rate", "12.07"),
    ]:
        assert f'name="{name}" type="text" value="{shown}"' in html.replace("\n", " ") or (
            f'id="id_{name}" name="{name}" type="text" value="{shown}"' in html
        ), name
    assert "nhsuk-input-wrapper__suffix" in html
    # Named for the year it starts, not a second "2026/27".
    assert 'value="2027/28"' in html and 'value="2026/27"' not in html
    data = {
        k: str(v * 100 if k in RATE_FIELDS else v)
        for k, v in NATIONAL_2027_28.items()
        if k != "effective_from"
    } | {
        "name": "2031/32",
        "effective_from_day": "1",
        "effective_from_month": "4",
        "effective_from_year": "2031",
    }
    assert client.post(url, data).status_code == 302
    saved = NationalRateSet.objects.get(effective_from=datetime.date(2031, 4, 1))
    assert (saved.employer_ni_rate, saved.holiday_accrual_rate) == (D("0.15"), D("0.1207"))
    # A fraction typed by habit is read as a percentage, and refused as no real year's.
    response = client.post(
        url,
        data | {"holiday_accrual_rate": "0.12", "name": "2032/33", "effective_from_year": "2032"},
    )
    assert "Holiday accrual for irregular hours must be between 5% and 25%" in (
        response.content.decode()
    )
