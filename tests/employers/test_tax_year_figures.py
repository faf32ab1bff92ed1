"""The tax year figures payroll works from, kept in the browser by the service administrator:
next year's added from this year's, a set no pay run has used corrected, and slips refused in
words with nothing saved."""

import datetime
from decimal import Decimal as D
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from employers.models import TaxYearRateSet
from employers.models.payroll import TAX_YEAR_RATE_FIELDS
from employers.services.tax_years import SENSE_RANGES, check_figures, save_tax_year_figures
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
            date_fields("tax_year_start", datetime.date(2026, 4, 6)) | {"name": "2026/27"},
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
    # A refused change keeps the page named by the figures as saved, not by what was typed.
    refused = page(client.post(edit, data | {"name": "abc", "personal_allowance": "x"}))
    assert "Error: Change the 2027/28 figures" in refused
    assert "Change the abc figures" not in refused
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


# --- Figures that make sense ------------------------------------------------------------


def real_2026_27() -> dict:
    """HMRC's and DWP's 2026/27 figures, as the migrations load them."""
    import importlib

    figures = importlib.import_module("employers.migrations.0002_payruns").FIGURES_2026_27
    loans = importlib.import_module("employers.migrations.0007_student_loans")
    return {name: D(value) for name, value in (figures | loans.STUDENT_LOANS_2026_27).items()}


def test_every_figure_has_a_sense_range_and_the_real_figures_are_within_them():
    assert set(SENSE_RANGES) == set(FIGURES)
    figures = real_2026_27()
    assert set(figures) == set(FIGURES)
    check_figures(figures)  # no ValidationError
    for name, (low, high) in SENSE_RANGES.items():
        assert low <= figures[name] <= high, name


def test_the_real_figures_are_saved_by_the_service(service_admin):
    saved = save_tax_year_figures(
        actor=service_admin, name="2027/28", tax_year_start=TAX_YEAR_2027, **real_2026_27()
    )
    assert saved.figures().__dict__ | {"tax_year_start": None} == (
        this_year().figures().__dict__ | {"tax_year_start": None}
    )


def test_the_reviewers_nonsense_is_refused_figure_by_figure_and_nothing_saved(
    client, service_admin
):
    """What was saved before: basic rate 0%, higher rate 100%, employer NI 100%, personal
    allowance £0, the weekly NI limits reversed (LEL £967 > PT £242 > UEL £129) and the monthly
    pension band's lower limit (£4,500) above its upper limit (£4,189)."""
    client.force_login(service_admin)
    nonsense = {
        "basic_rate": "0",
        "higher_rate": "100",
        "employer_ni_rate": "100",
        "personal_allowance": "0",
        "ni_lel_weekly": "967",
        "ni_uel_weekly": "129",
        "pension_lower_monthly": "4500",
    }
    data = typed(this_year()) | {"name": "2027/28"} | date_fields("tax_year_start", TAX_YEAR_2027)
    response = client.post(reverse("employers:tax_year_new"), data | nonsense)
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "basic_rate": ["Income Tax basic rate must be between 10% and 40%"],
        "higher_rate": ["Income Tax higher rate must be between 20% and 60%"],
        "employer_ni_rate": ["Employer National Insurance rate must be between 5% and 30%"],
        "personal_allowance": [
            "Income Tax personal allowance per year must be between £5,000 and £50,000"
        ],
        "ni_lel_weekly": [
            "National Insurance lower earnings limit per week must be between £50 and £500"
        ],
        "ni_uel_weekly": [
            "National Insurance upper earnings limit per week must be between £300 and £3,000"
        ],
        "pension_lower_monthly": [
            "Pension qualifying earnings, lower limit per month must be between £80 and £2,200"
        ],
    }
    html = page(response)
    assert "There is a problem" in html and "Income Tax basic rate must be between" in html
    assert TaxYearRateSet.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"ni_lel_weekly": "250"},
            "ni_lel_weekly",
            "National Insurance lower earnings limit per week must be less than the National "
            "Insurance primary threshold per week (£242)",
        ),
        (
            {"ni_pt_monthly": "4189"},
            "ni_pt_monthly",
            "National Insurance primary threshold per month must be less than the National "
            "Insurance upper earnings limit per month (£4,189)",
        ),
        (
            {"ni_st_weekly": "967"},
            "ni_st_weekly",
            "National Insurance secondary threshold per week must be less than the National "
            "Insurance upper secondary threshold for under 21s per week (£967)",
        ),
        (
            {"ni_st_monthly": "4200", "ni_ust_monthly": "4189.50"},
            "ni_st_monthly",
            "National Insurance secondary threshold per month must be less than the National "
            "Insurance upper secondary threshold for under 21s per month (£4,189.50)",
        ),
        (
            {"pension_lower_monthly": "900"},
            "pension_lower_monthly",
            "Pension qualifying earnings, lower limit per month must be less than the pension "
            "automatic enrolment earnings trigger per month (£833)",
        ),
        (
            {"pension_trigger_four_weekly": "3900"},
            "pension_trigger_four_weekly",
            "Pension automatic enrolment earnings trigger per 4 weeks must not be more than the "
            "pension qualifying earnings, upper limit per 4 weeks (£3,867)",
        ),
        (
            {"basic_rate": "20", "higher_rate": "20"},
            "basic_rate",
            "Income Tax basic rate must be less than the Income Tax higher rate (20%)",
        ),
        (
            {"higher_rate": "45"},
            "higher_rate",
            "Income Tax higher rate must be less than the Income Tax additional rate (45%)",
        ),
    ],
)
def test_figures_out_of_order_are_refused_on_the_lower_one(
    client, service_admin, change, field, message
):
    client.force_login(service_admin)
    data = typed(this_year()) | {"name": "2027/28"} | date_fields("tax_year_start", TAX_YEAR_2027)
    response = client.post(reverse("employers:tax_year_new"), data | change)
    assert response.status_code == 200
    assert response.context["form"].errors == {field: [message]}
    assert TaxYearRateSet.objects.count() == 1


def test_the_trigger_may_equal_the_upper_limit_and_the_bounds_are_inclusive(service_admin):
    figures = real_2026_27() | {
        "pension_trigger_weekly": D("967"),  # = the weekly upper limit
        "basic_rate": D("0.10"),  # the lowest the sense range allows
        "employer_ni_rate": D("0.30"),  # the highest
    }
    save_tax_year_figures(
        actor=service_admin, name="2027/28", tax_year_start=TAX_YEAR_2027, **figures
    )
    assert TaxYearRateSet.objects.count() == 2


def test_a_correction_is_checked_too(service_admin):
    saved = save_tax_year_figures(
        actor=service_admin, name="2027/28", tax_year_start=TAX_YEAR_2027, **real_2026_27()
    )
    with pytest.raises(ValidationError) as error:
        save_tax_year_figures(actor=service_admin, rate_set=saved, ssp_weekly_rate=D("12325"))
    assert error.value.message_dict == {
        "ssp_weekly_rate": ["Statutory Sick Pay per week must be between £50 and £500"]
    }
    saved.refresh_from_db()
    assert saved.ssp_weekly_rate == D("123.25")
