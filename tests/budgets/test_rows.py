"""Repeated blocks added one at a time: "Add another ..." and "Remove", on the server.

PAs in the PA costing, services in the CHC package, funding streams and RAS answers start with
the rows they need (one, or two answers) and grow a row at a time. The buttons work without
JavaScript: the page comes back with what was typed in every row, no error is shown, nothing
is saved. Tampered button values and row counts are harmless.
"""

import re

import pytest
from django.http import QueryDict
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from budgets.models import ChcPackage, PaCosting, RasDomain
from phb.forms import ROWS_BUTTON, change_rows
from tests.budgets.factories import FY_2026_START, questionnaire

pytestmark = pytest.mark.django_db


def query(data: dict) -> QueryDict:
    posted = QueryDict(mutable=True)
    for key, value in data.items():
        posted[key] = value
    return posted


def rows(total: int, **extra) -> QueryDict:
    data = {"lines-TOTAL_FORMS": str(total), "lines-INITIAL_FORMS": "0", "other": "kept"}
    for index in range(total):
        data |= {f"lines-{index}-label": f"PA {index + 1}", f"lines-{index}-hours": str(index)}
    return query(data | extra)


def labels(data) -> list[str]:
    total = int(data["lines-TOTAL_FORMS"])
    return [data.get(f"lines-{index}-label", "") for index in range(total)]


def test_without_the_button_nothing_changes():
    data = rows(2)
    assert change_rows(data, "lines", max_rows=12) == (data, False)
    assert change_rows(None, "lines", max_rows=12) == (None, False)
    # Another formset's button is not this one's.
    assert change_rows(rows(2, rows="streams-add"), "lines", max_rows=12)[1] is False


def test_add_another_adds_an_empty_row_and_keeps_the_rest():
    data, changed = change_rows(rows(2, rows="lines-add"), "lines", max_rows=12)
    assert changed
    assert labels(data) == ["PA 1", "PA 2", ""]
    assert data["other"] == "kept"
    assert ROWS_BUTTON not in data


def test_no_more_rows_than_allowed():
    data, changed = change_rows(rows(12, rows="lines-add"), "lines", max_rows=12)
    assert changed and len(labels(data)) == 12


def test_remove_takes_the_row_out_and_moves_the_rest_up():
    data, _ = change_rows(rows(3, rows="lines-remove-1"), "lines", max_rows=12)
    assert labels(data) == ["PA 1", "PA 3"]
    assert data["lines-1-hours"] == "2"
    assert "lines-2-label" not in data


def test_removing_the_last_row_leaves_an_empty_one():
    data, _ = change_rows(rows(1, rows="lines-remove-0"), "lines", max_rows=12)
    assert labels(data) == [""]
    data, _ = change_rows(rows(2, rows="lines-remove-0"), "lines", max_rows=12, min_rows=2)
    assert labels(data) == ["PA 2", ""]


def test_rows_the_page_began_with_stay_initial():
    data = rows(2, **{"lines-INITIAL_FORMS": "1", "rows": "lines-add"})
    assert change_rows(data, "lines", max_rows=12)[0]["lines-INITIAL_FORMS"] == "1"
    data = rows(1, **{"lines-INITIAL_FORMS": "1", "rows": "lines-remove-0"})
    assert change_rows(data, "lines", max_rows=12)[0]["lines-INITIAL_FORMS"] == "0"


@pytest.mark.parametrize(
    ("total", "button", "expected"),
    [
        ("NaN", "lines-add", 2),  # an unreadable count is one row, plus the one added
        ("-1", "lines-add", 2),
        ("1e9", "lines-add", 2),
        ("9" * 20, "lines-add", 2),
        ("99999", "lines-add", 12),
        ("2", "lines-remove-99999999999999", 2),
        ("2", "lines-remove-١", 2),
        ("2", "lines-remove--1", 2),
        ("2", "lines-remove-", 2),
        ("2", "lines-explode", 2),
        ("2", "lines-add" + "x" * 10_000, 2),
    ],
)
def test_tampered_counts_and_buttons_are_harmless(total, button, expected):
    data = rows(2) | {}
    data = query(dict(data.items()) | {"lines-TOTAL_FORMS": total, "rows": button})
    changed, _ = change_rows(data, "lines", max_rows=12), None
    new, was_changed = changed
    assert was_changed
    assert int(new["lines-TOTAL_FORMS"]) == expected


@settings(max_examples=60, deadline=None)
@given(
    total=st.text(max_size=8),
    button=st.text(max_size=20).map(lambda text: f"lines-{text}"),
    keys=st.dictionaries(st.from_regex(r"lines-[0-9]{1,8}-[a-z_]{1,8}", fullmatch=True), st.text()),
)
def test_any_posted_rows_give_a_sane_count(total, button, keys):
    data = query(keys | {"lines-TOTAL_FORMS": total, "rows": button})
    new, changed = change_rows(data, "lines", max_rows=12)
    assert changed
    count = int(new["lines-TOTAL_FORMS"])
    assert 1 <= count <= 12
    for key in new:
        if match := re.fullmatch(r"lines-([0-9]+)-.+", key):
            assert int(match[1]) < count


# --- the pages ----------------------------------------------------------------------------------


def date_fields(name, day):
    return {f"{name}_day": day.day, f"{name}_month": day.month, f"{name}_year": day.year}


def pa_page(**extra) -> dict:
    return {
        **date_fields("effective_date", FY_2026_START),
        "pay_frequency": "weekly",
        "claims_employment_allowance": "on",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-label": "Sam",
        "lines-0-hours_per_week": "30",
        "lines-0-hourly_rate": "13.50",
        "lines-0-pension": "auto",
        **extra,
    }


def fieldsets(html: str, legend: str) -> int:
    return len(re.findall(rf"<legend[^>]*>\s*{legend} [0-9]+\s*</legend>", html))


def test_the_pa_costing_starts_with_one_pa(client, phb_lead, holder, local_rates):
    client.force_login(phb_lead)
    html = client.get(reverse("budgets:pa_new", args=[holder.pk])).content.decode()
    assert fieldsets(html, "Personal assistant") == 1
    assert "Add another personal assistant" in html
    assert ">Remove<" not in html.replace("\n", "").replace(" ", "")


def test_add_another_pa_keeps_what_was_typed_and_saves_nothing(
    client, phb_lead, holder, local_rates
):
    client.force_login(phb_lead)
    url = reverse("budgets:pa_new", args=[holder.pk])
    # A mistake in the first row is not pointed out yet: the person has not finished.
    response = client.post(url, pa_page(rows="lines-add", **{"lines-0-hourly_rate": "NaN"}))
    html = response.content.decode()
    assert response.status_code == 200
    assert fieldsets(html, "Personal assistant") == 2
    assert 'value="Sam"' in html
    assert 'value="NaN"' in html
    assert "There is a problem" not in html
    assert 'Remove<span class="nhsuk-u-visually-hidden"> personal assistant 2</span>' in html
    assert not PaCosting.objects.exists()


def test_remove_a_pa(client, phb_lead, holder, local_rates):
    client.force_login(phb_lead)
    url = reverse("budgets:pa_new", args=[holder.pk])
    data = pa_page(
        rows="lines-remove-0",
        **{
            "lines-TOTAL_FORMS": "2",
            "lines-1-label": "Alex",
            "lines-1-hours_per_week": "10",
            "lines-1-hourly_rate": "14.00",
            "lines-1-pension": "auto",
        },
    )
    html = client.post(url, data).content.decode()
    assert fieldsets(html, "Personal assistant") == 1
    assert 'value="Alex"' in html and 'value="Sam"' not in html
    assert not PaCosting.objects.exists()


def test_the_forms_main_button_comes_first_so_enter_never_removes_a_row(
    client, phb_lead, holder, local_rates
):
    client.force_login(phb_lead)
    html = client.post(
        reverse("budgets:pa_new", args=[holder.pk]), pa_page(rows="lines-add")
    ).content.decode()
    form = html[html.index('<form method="post"') :]
    first_button = re.search(r"<button[^>]*>(.*?)</button>", form, re.DOTALL)
    assert first_button[1].strip() == "Work out the cost"
    assert 'aria-hidden="true"' in first_button[0] and 'tabindex="-1"' in first_button[0]


def test_chc_services_are_added_one_at_a_time(client, phb_lead, holder, local_rates):
    client.force_login(phb_lead)
    url = reverse("budgets:chc_new", args=[holder.pk])
    assert fieldsets(client.get(url).content.decode(), "Service") == 1
    data = {
        **date_fields("effective_date", FY_2026_START),
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-service": "Agency day care",
        "lines-0-provider_type": "agency_day",
        "lines-0-units_per_week": "42",
        "rows": "lines-add",
    }
    html = client.post(url, data).content.decode()
    assert fieldsets(html, "Service") == 2
    assert "Add another service" in html
    assert not ChcPackage.objects.exists()
    del data["rows"]
    assert client.post(url, data).status_code == 302
    assert ChcPackage.objects.get().annual_cost > 0


def test_funding_streams_are_added_one_at_a_time(client, phb_lead, holder, ras):
    client.force_login(phb_lead)
    url = reverse("budgets:budget_new", args=[holder.pk])
    html = client.get(url).content.decode()
    assert fieldsets(html, "Funding stream") == 1
    data = {
        "calculation": str(ras.pk),
        "streams-TOTAL_FORMS": "1",
        "streams-INITIAL_FORMS": "1",
        "streams-0-kind": "nhs_chc",
        "streams-0-share_percent": "100",
        "rows": "streams-add",
    }
    html = client.post(url, data).content.decode()
    assert fieldsets(html, "Funding stream") == 2
    assert "There is a problem" not in html
    assert "Add another funding stream" in html


def test_ras_answers_are_rows_with_add_another_answer(client, icb_admin):
    draft = questionnaire(icb_admin, publish=False, domains=[])
    client.force_login(icb_admin)
    url = reverse("budgets:questionnaire", args=[draft.pk])
    html = client.get(url).content.decode()
    assert fieldsets(html, "Answer") == 2
    data = {
        "name": "Breathing",
        "question": "How much support do you need with your breathing?",
        "answers-TOTAL_FORMS": "2",
        "answers-INITIAL_FORMS": "0",
        "answers-0-text": "Independent",
        "answers-0-points": "0",
        "answers-1-text": "Some support",
        "answers-1-points": "5",
    }
    html = client.post(url, data | {"rows": "answers-add"}).content.decode()
    assert fieldsets(html, "Answer") == 3
    assert not RasDomain.objects.exists()
    data |= {"answers-TOTAL_FORMS": "3", "answers-2-text": "Ventilated", "answers-2-points": "14"}
    assert client.post(url, data).status_code == 302
    domain = RasDomain.objects.get()
    assert [(o.text, o.points) for o in domain.options.order_by("order")] == [
        ("Independent", 0),
        ("Some support", 5),
        ("Ventilated", 14),
    ]


@pytest.mark.parametrize("total", ["0", None])
def test_ras_answers_sent_without_rows_are_refused_in_words(client, icb_admin, total):
    draft = questionnaire(icb_admin, publish=False, domains=[])
    client.force_login(icb_admin)
    data = {"name": "Breathing", "question": "How much support?"}
    if total is not None:
        data |= {"answers-TOTAL_FORMS": total, "answers-INITIAL_FORMS": "0"}
    response = client.post(reverse("budgets:questionnaire", args=[draft.pk]), data)
    assert response.status_code == 200
    assert "Give at least 2 answers, each with its points" in response.content.decode()
    assert not RasDomain.objects.exists()


def test_ras_answers_need_points(client, icb_admin):
    draft = questionnaire(icb_admin, publish=False, domains=[])
    client.force_login(icb_admin)
    response = client.post(
        reverse("budgets:questionnaire", args=[draft.pk]),
        {
            "name": "Breathing",
            "question": "How much support?",
            "answers-TOTAL_FORMS": "2",
            "answers-INITIAL_FORMS": "0",
            "answers-0-text": "Independent",
            "answers-0-points": "0",
            "answers-1-text": "Some support",
            "answers-1-points": "",
        },
    )
    html = response.content.decode()
    assert "There is a problem" in html
    assert re.search(
        r'href="#id_answers-1-points"\s*>\s*Enter the points for Some support\s*</a>', html
    )
    assert not RasDomain.objects.exists()


# --- dates people would expect ------------------------------------------------------------------


def date_values(html: str, name: str) -> tuple[str, str, str]:
    return tuple(
        re.search(rf'name="{name}_{part}"[^>]*value="([^"]*)"', html)[1]
        for part in ("day", "month", "year")
    )


@pytest.fixture
def today(monkeypatch):
    import datetime

    from django.utils import timezone

    day = datetime.date(2026, 6, 15)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)
    return day


def test_a_calculation_applies_from_today_unless_changed(client, phb_lead, holder, today):
    client.force_login(phb_lead)
    html = client.get(reverse("budgets:pa_new", args=[holder.pk])).content.decode()
    assert date_values(html, "effective_date") == ("15", "6", "2026")


def test_a_new_budget_runs_from_today_to_the_end_of_the_financial_year(
    client, phb_lead, holder, ras, today
):
    client.force_login(phb_lead)
    html = client.get(reverse("budgets:budget_new", args=[holder.pk])).content.decode()
    assert date_values(html, "period_start") == ("15", "6", "2026")
    assert date_values(html, "period_end") == ("31", "3", "2027")


def test_the_next_budget_starts_the_day_after_the_current_one_ends(
    client, phb_lead, holder, ras, today
):
    from tests.budgets.factories import FY_2026_END, draft_budget

    draft_budget(phb_lead, holder, ras, end=FY_2026_END)
    client.force_login(phb_lead)
    html = client.get(reverse("budgets:budget_new", args=[holder.pk])).content.decode()
    assert date_values(html, "period_start") == ("1", "4", "2027")
    assert date_values(html, "period_end") == ("31", "3", "2028")


def test_new_rates_start_on_the_1_april_after_the_latest(client, icb_admin, local_rates):
    client.force_login(icb_admin)
    html = client.get(reverse("budgets:local_rates_new")).content.decode()
    # The latest set is from 1 April 2026.
    assert date_values(html, "effective_from") == ("1", "4", "2027")


def test_a_new_questionnaire_is_for_this_financial_year(client, icb_admin, today):
    client.force_login(icb_admin)
    html = client.get(reverse("budgets:questionnaires")).content.decode()
    assert re.search(r'name="financial_year"[^>]*value="2026"', html)
