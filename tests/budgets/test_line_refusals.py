"""A refusal about one PA or one service is shown beside that row's box, and a page sent with
more rows than it can show is refused in plain words."""

import datetime
import re
from decimal import Decimal as D
from html import unescape

import pytest
from django.urls import reverse

from budgets import calculations as calc
from budgets.models import ChcPackage, PaCosting
from budgets.services.costing import LineRefused, cost_chc_package, cost_pas
from tests.budgets.factories import FY_2026_START, pa

pytestmark = pytest.mark.django_db

PROBLEM = "There is a problem"


def date_fields(name: str, day: datetime.date) -> dict:
    return {f"{name}_day": day.day, f"{name}_month": day.month, f"{name}_year": day.year}


def management(prefix: str, total) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": total,
        f"{prefix}-INITIAL_FORMS": 0,
        f"{prefix}-MIN_NUM_FORMS": 0,
        f"{prefix}-MAX_NUM_FORMS": 12,
    }


def pa_page(total=4, **rows) -> dict:
    """The PA costing page as sent: row 0 is O'Brien, 20 hours at £13.50, unless `rows` say
    otherwise ({"lines-0-hourly_rate": "12"})."""
    return {
        **date_fields("effective_date", FY_2026_START),
        "pay_frequency": "weekly",
        "claims_employment_allowance": "on",
        **management("lines", total),
        "lines-0-label": "O'Brien",
        "lines-0-hours_per_week": "20",
        "lines-0-hourly_rate": "13.50",
        **{f"lines-{i}-pension": "auto" for i in range(4)},
    } | rows


def chc_page(total=6, **rows) -> dict:
    return {
        **date_fields("effective_date", FY_2026_START),
        **management("lines", total),
        "lines-0-service": "Agency day care",
        "lines-0-provider_type": "agency_day",
        "lines-0-units_per_week": "42",
        "lines-0-unit_cost": "",
    } | rows


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", "", html)).split())


def error_beside(html: str, box: str) -> str:
    """The inline error message of the field whose box has the id `box`, or ''."""
    match = re.search(
        rf'<span class="nhsuk-error-message" id="{re.escape(box)}-error"\s*>\s*'
        r'<span class="nhsuk-u-visually-hidden">Error: </span>(.*?)</span>',
        html,
        re.DOTALL,
    )
    return _text(match[1]) if match else ""


def box_classes(html: str, box: str) -> str:
    """The classes of the input whose id is `box`."""
    return re.search(rf'class="([^"]*)" id="{re.escape(box)}"', html)[1]


def summary_links(html: str) -> list[tuple[str, str]]:
    summary = html.split('class="nhsuk-list nhsuk-error-summary__list"', 1)[1].split("</ul>")[0]
    return [
        (href, _text(text))
        for href, text in re.findall(r'<a href="([^"]+)"\s*>(.*?)</a>', summary, re.DOTALL)
    ]


# ---------------------------------------------------------------------------------------------
# PA costing: the refusal beside the PA's box
# ---------------------------------------------------------------------------------------------


def test_a_rate_below_the_minimum_wage_is_shown_beside_that_pas_hourly_rate(
    client, phb_lead, holder, local_rates
):
    # O'Brien, 20 hours at £12.00, aged 30 on 1 April 2026: the National Living Wage for 21
    # and over is £12.71, so £12.00 is £0.71 an hour short.
    client.force_login(phb_lead)
    response = client.post(
        reverse("budgets:pa_new", args=[holder.pk]),
        pa_page(**{"lines-0-hourly_rate": "£12", "lines-0-age": "30"}),
    )
    assert response.status_code == 200
    html = response.content.decode()
    message = (
        "O'Brien's rate of £12.00 an hour is below the National Living Wage of £12.71 for "
        "someone aged 21 or over"
    )
    assert summary_links(html) == [("#id_lines-0-hourly_rate", message)]
    assert error_beside(html, "id_lines-0-hourly_rate") == message
    assert "nhsuk-input--error" in box_classes(html, "id_lines-0-hourly_rate")
    assert not PaCosting.objects.exists()


def test_the_refusal_is_on_the_row_it_is_about_not_the_first(client, phb_lead, holder, local_rates):
    # Row 0 is fine at £13.50; row 1, Kim, is 19 on 1 April 2026 at £10.00, below the £10.85
    # National Minimum Wage for 18 to 20.
    client.force_login(phb_lead)
    response = client.post(
        reverse("budgets:pa_new", args=[holder.pk]),
        pa_page(
            **{
                "lines-1-label": "Kim",
                "lines-1-hours_per_week": "10",
                "lines-1-hourly_rate": "10.00",
                "lines-1-date_of_birth_day": "2",
                "lines-1-date_of_birth_month": "4",
                "lines-1-date_of_birth_year": "2006",
            }
        ),
    )
    html = response.content.decode()
    message = (
        "Kim's rate of £10.00 an hour is below the National Minimum Wage of £10.85 for "
        "someone aged 18 to 20"
    )
    assert summary_links(html) == [("#id_lines-1-hourly_rate", message)]
    assert error_beside(html, "id_lines-1-hourly_rate") == message
    assert error_beside(html, "id_lines-0-hourly_rate") == ""
    assert "nhsuk-input--error" not in box_classes(html, "id_lines-0-hourly_rate")


def test_a_pa_too_young_on_the_date_is_shown_beside_their_date_of_birth(
    client, phb_lead, holder, local_rates
):
    # Born 2 April 2010: 15 on 1 April 2026, a day short of 16.
    client.force_login(phb_lead)
    response = client.post(
        reverse("budgets:pa_new", args=[holder.pk]),
        pa_page(
            **{
                "lines-0-date_of_birth_day": "2",
                "lines-0-date_of_birth_month": "4",
                "lines-0-date_of_birth_year": "2010",
            }
        ),
    )
    html = response.content.decode()
    message = "O'Brien must be 16 or over on 1 April 2026 to be employed as a PA"
    assert summary_links(html) == [("#id_lines-0-date_of_birth_day", message)]
    assert error_beside(html, "id_lines-0-date_of_birth") == message
    assert not PaCosting.objects.exists()


def test_the_service_says_which_pa_and_which_box(phb_lead, holder, local_rates):
    """Services check their own rules: a caller that skipped the form is told which line."""
    with pytest.raises(LineRefused) as refused:
        cost_pas(
            actor=phb_lead,
            budget_holder=holder,
            effective_date=FY_2026_START,
            pas=[pa("PA 1"), pa("PA 2", age=15)],
            pay_frequency="weekly",
            claims_employment_allowance=True,
        )
    assert refused.value.line == 1
    assert refused.value.message_dict == {
        "age": ["PA 2 must be 16 or over on 1 April 2026 to be employed as a PA"]
    }
    with pytest.raises(LineRefused) as refused:
        cost_pas(
            actor=phb_lead,
            budget_holder=holder,
            effective_date=FY_2026_START,
            pas=[pa("PA 1", rate=D("12.70"))],
            pay_frequency="weekly",
            claims_employment_allowance=True,
        )
    assert (refused.value.line, list(refused.value.message_dict)) == (0, ["hourly_rate"])


def test_the_calculation_says_which_pa_was_refused():
    figures = calc.NationalFigures(
        nlw_21_plus=D("12.71"),
        nmw_18_20=D("10.85"),
        nmw_16_17_apprentice=D("8.00"),
        employer_ni_rate=D("0.15"),
        ni_secondary_threshold_weekly=D("96"),
        ni_secondary_threshold_monthly=D("417"),
        upper_secondary_threshold_weekly=D("967"),
        upper_secondary_threshold_monthly=D("4189"),
        employment_allowance_annual=D("10500"),
        pension_trigger_annual=D("10000"),
        pension_qualifying_lower_annual=D("6240"),
        pension_qualifying_upper_annual=D("50270"),
        pension_employer_min_rate=D("0.03"),
        holiday_weeks=D("5.6"),
        holiday_accrual_rate=D("0.1207"),
    )
    costing = calc.PaCostingInput(
        pas=(
            calc.PaInput("PA 1", D("30"), D("13.50")),
            calc.PaInput("PA 2", D("200"), D("13.50")),
        ),
        on=FY_2026_START,
    )
    with pytest.raises(calc.InvalidHours) as refused:
        calc.cost_pas(costing, figures)
    assert (refused.value.index, refused.value.field) == (1, "hours_per_week")


# ---------------------------------------------------------------------------------------------
# CHC package: the refusal beside the service's box
# ---------------------------------------------------------------------------------------------


def test_a_service_with_no_local_rate_asks_for_its_cost_beside_the_box(
    client, phb_lead, holder, local_rates
):
    # Physiotherapy, type "other", 2 a week: there is no local rate for it, so it needs a cost.
    client.force_login(phb_lead)
    response = client.post(
        reverse("budgets:chc_new", args=[holder.pk]),
        chc_page(
            **{
                "lines-1-service": "Physiotherapy",
                "lines-1-provider_type": "other",
                "lines-1-units_per_week": "2",
            }
        ),
    )
    html = response.content.decode()
    message = "Enter a unit cost for Physiotherapy"
    assert summary_links(html) == [("#id_lines-1-unit_cost", message)]
    assert error_beside(html, "id_lines-1-unit_cost") == message
    assert not ChcPackage.objects.exists()


def test_the_chc_service_says_which_line_and_which_box(phb_lead, holder, local_rates):
    lines = [
        {"service": "Agency day care", "provider_type": "agency_day", "units_per_week": D("42")},
        {"service": "Agency nights", "provider_type": "agency_day", "units_per_week": D("170")},
    ]
    with pytest.raises(LineRefused) as refused:
        cost_chc_package(
            actor=phb_lead, budget_holder=holder, effective_date=FY_2026_START, lines=lines
        )
    assert refused.value.line == 1
    assert refused.value.message_dict == {
        "units_per_week": [
            "Agency nights cannot be 170 hours a week. There are only 168 hours in a week"
        ]
    }
    lines[1] |= {"units_per_week": D("-1"), "unit_cost": D("10.00")}
    with pytest.raises(LineRefused) as refused:
        cost_chc_package(
            actor=phb_lead, budget_holder=holder, effective_date=FY_2026_START, lines=lines
        )
    assert (refused.value.line, refused.value.message_dict) == (
        1,
        {"units_per_week": ["Units a week for Agency nights must be 0 or more"]},
    )


# ---------------------------------------------------------------------------------------------
# More rows than the page shows
# ---------------------------------------------------------------------------------------------

TOO_MANY = "Too many rows were sent. Go back, reload the page and try again"


@pytest.mark.parametrize("total", ["13", "1000", "99999"])
def test_a_pa_page_with_more_rows_than_it_shows_is_refused_in_words(
    client, phb_lead, holder, local_rates, total
):
    client.force_login(phb_lead)
    response = client.post(reverse("budgets:pa_new", args=[holder.pk]), pa_page(total=total))
    assert response.status_code == 200
    html = response.content.decode()
    assert PROBLEM in html
    assert TOO_MANY in html
    # Only that is said, and no more rows are drawn than the page may have.
    assert html.count("nhsuk-error-message") == 0
    assert 'name="lines-12-label"' not in html
    assert not PaCosting.objects.exists()


def test_a_pa_page_with_all_twelve_rows_is_costed(client, phb_lead, holder, local_rates):
    client.force_login(phb_lead)
    data = pa_page(total=12) | {f"lines-{i}-pension": "auto" for i in range(12)}
    response = client.post(reverse("budgets:pa_new", args=[holder.pk]), data)
    assert response.status_code == 302
    assert PaCosting.objects.get().lines.count() == 1


@pytest.mark.parametrize("total", ["21", "1000"])
def test_a_chc_page_with_more_rows_than_it_shows_is_refused_in_words(
    client, phb_lead, holder, local_rates, total
):
    client.force_login(phb_lead)
    response = client.post(reverse("budgets:chc_new", args=[holder.pk]), chc_page(total=total))
    assert response.status_code == 200
    html = response.content.decode()
    assert TOO_MANY in html
    assert 'name="lines-20-service"' not in html
    assert not ChcPackage.objects.exists()


def test_a_budget_page_with_more_funding_streams_than_it_shows_is_refused_in_words(
    client, phb_lead, holder, chc
):
    client.force_login(phb_lead)
    data = {
        "calculation": str(chc.pk),
        **date_fields("period_start", FY_2026_START),
        **date_fields("period_end", datetime.date(2027, 3, 31)),
        "agreed_amount": "20000.00",
        "backdated": "on",
        "backdating_reason": "The care started before the budget could be agreed.",
        **management("streams", 1000),
        "streams-0-kind": "nhs_chc",
        "streams-0-share_percent": "100",
        "held-notional": "20000.00",
    }
    response = client.post(reverse("budgets:budget_new", args=[holder.pk]), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert TOO_MANY in html
    assert 'name="streams-6-kind"' not in html
    assert not holder.budgets.exists()
