"""The tax year figures payroll works from, kept in the browser by the service administrator:
next year's added from this year's, a set no pay run has used corrected, and slips refused in
words with nothing saved."""

import datetime
from decimal import Decimal as D
from html import unescape

import pytest
from django.urls import reverse

from employers.models import TaxYearRateSet
from employers.models.payroll import TAX_YEAR_RATE_FIELDS
from employers.tax_year_forms import FIGURES, label_of
from tests.budgets.test_pages import date_fields

pytestmark = pytest.mark.django_db

TAX_YEAR_2027 = datetime.date(2027, 4, 6)


def page(response) -> str:
    return unescape(response.content.decode())


def typed(rate_set: TaxYearRateSet) -> dict:
    """The figures of a set as a person types them: rates as percentages."""
    return {
        name: f"{getattr(rate_set, name) * (100 if name in TAX_YEAR_RATE_FIELDS else 1):f}"
        for name in FIGURES
    }


def this_year() -> TaxYearRateSet:
    return TaxYearRateSet.objects.get(tax_year_start=datetime.date(2026, 4, 6))


def test_every_figure_has_words_of_its_own():
    labels = [label_of(name) for name in FIGURES]
    assert len(set(labels)) == len(FIGURES) == 45
    assert label_of("pension_trigger_four_weekly") == (
        "Pension automatic enrolment earnings trigger (per 4 weeks)"
    )
    assert all(label_of(name).endswith("(%)") for name in TAX_YEAR_RATE_FIELDS)


def test_next_years_figures_start_from_this_years_and_are_saved_to_the_penny(client, service_admin):
    client.force_login(service_admin)
    html = page(client.get(reverse("employers:tax_year_new")))
    assert "Add tax year figures" in html
    assert 'value="2027/28"' in html
    assert 'name="tax_year_start_year" ' in html and 'value="2027"' in html
    data = (
        typed(this_year())
        | {"name": "2027/28", "personal_allowance": "12,570.00", "employer_ni_rate": "15"}
        | date_fields("tax_year_start", TAX_YEAR_2027)
    )
    response = client.post(reverse("employers:tax_year_new"), data)
    assert response.status_code == 302
    saved = TaxYearRateSet.objects.get(tax_year_start=TAX_YEAR_2027)
    assert saved.figures() == this_year().figures().__class__(
        **(this_year().figures().__dict__ | {"tax_year_start": TAX_YEAR_2027})
    )
    assert (saved.name, saved.employer_ni_rate, saved.holiday_accrual_rate) == (
        "2027/28",
        D("0.15"),
        D("0.1207"),
    )
    listed = page(client.get(reverse("employers:tax_years")))
    assert "2027/28" in listed and "6 April 2027" in listed and "0 pay runs" in listed


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            date_fields("tax_year_start", datetime.date(2027, 4, 5)),
            "tax_year_start",
            "A tax year starts on 6 April: enter 6 April 2027, or the year you mean",
        ),
        (
            date_fields("tax_year_start", datetime.date(2026, 4, 6)),
            "tax_year_start",
            "There are already figures for the tax year from this day",
        ),
        (
            {"employer_ni_rate": "150"},
            "employer_ni_rate",
            "Employer National Insurance rate must be 100% or less",
        ),
        ({"personal_allowance": ""}, "personal_allowance", None),
        ({"ni_pt_weekly": "-1"}, "ni_pt_weekly", None),
    ],
)
def test_a_slip_is_refused_in_words_and_nothing_saved(
    client, service_admin, change, field, message
):
    client.force_login(service_admin)
    data = typed(this_year()) | {"name": "2027/28"} | date_fields("tax_year_start", TAX_YEAR_2027)
    response = client.post(reverse("employers:tax_year_new"), data | change)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field]
    if message:
        assert errors[field] == [message]
    html = page(response)
    assert "There is a problem" in html
    assert "Constraint" not in html and "tax_year" not in "".join(errors[field])
    assert TaxYearRateSet.objects.count() == 1


def test_a_set_no_pay_run_has_used_is_corrected_and_a_used_one_is_not(
    client, service_admin, monkeypatch
):
    client.force_login(service_admin)
    data = typed(this_year()) | {"name": "2027/28"} | date_fields("tax_year_start", TAX_YEAR_2027)
    client.post(reverse("employers:tax_year_new"), data)
    saved = TaxYearRateSet.objects.get(tax_year_start=TAX_YEAR_2027)
    edit = reverse("employers:tax_year_edit", args=[saved.pk])
    assert "Change the 2027/28 figures" in page(client.get(edit))
    assert client.post(edit, data | {"personal_allowance": "13000"}).status_code == 302
    saved.refresh_from_db()
    assert saved.personal_allowance == D("13000.00")

    # Once a pay run has used a set, it is history: the page and a second tab say so.
    from employers.services import tax_years

    monkeypatch.setattr(tax_years, "used_by_pay_runs", lambda rate_set: True)
    response = client.post(edit, data | {"personal_allowance": "14000"})
    assert "Pay runs have used the 2027/28 figures, so they cannot be changed." in page(response)
    saved.refresh_from_db()
    assert saved.personal_allowance == D("13000.00")


def test_who_reads_and_who_keeps_the_figures(client, icb_admin, pa_employer_support):
    client.force_login(icb_admin)
    html = page(client.get(reverse("employers:tax_years")))
    assert "2026/27" in html and "6 April 2026" in html and "£12,570.00 a year" in html
    assert "The service administrator keeps them up to date." in html
    assert "Add tax year figures" not in html and ">Change<" not in html
    assert client.get(reverse("employers:tax_year_new")).status_code == 404
    client.force_login(pa_employer_support)
    assert client.get(reverse("employers:tax_years")).status_code == 404


def test_the_list_makes_the_same_queries_for_1_and_4_tax_years(client, service_admin):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(service_admin)
    url = reverse("employers:tax_years")
    client.get(url)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    one = count()
    figures = {name: getattr(this_year(), name) for name in FIGURES}
    for year in (2027, 2028, 2029):
        TaxYearRateSet.objects.create(
            name=f"{year}/{(year + 1) % 100}",
            tax_year_start=datetime.date(year, 4, 6),
            **figures,
        )
    assert count() == one
    assert "2029/30" in page(client.get(url))
