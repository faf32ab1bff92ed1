"""A person's history page in people's words: names, local dates, things by their names.

Never a UUID, an ISO date or timestamp, or a column name such as budget_holder_id; and it fits
a phone (the browser journey checks a 375px screen).
"""

import datetime
import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils.html import strip_tags

from phb import services
from phb.history import describe_changes, person_changes, readable
from phb.presenters import display_time
from tests.budgets.factories import agreed_budget, another_lead, questionnaire, ras_assessment

pytestmark = pytest.mark.django_db

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
ISO = re.compile(r"\d{4}-\d{2}-\d{2}")


def visible_text(html: str) -> str:
    """What a person reads: the main content, without tags and attributes."""
    main = html[html.index("<main") : html.index("</main>")]
    return unescape(strip_tags(main))


@pytest.fixture
def history(client, phb_lead, icb_admin, holder):
    services.update_budget_holder(
        actor=phb_lead,
        budget_holder=holder,
        date_of_birth=datetime.date(1951, 3, 28),
        eligibility="s117",
        phone="0113 496 0123",
    )
    version = questionnaire(icb_admin)
    agreed_budget(phb_lead, holder, ras_assessment(phb_lead, holder, version))
    client.force_login(phb_lead)
    client.get(reverse("person_detail", args=[holder.pk]))
    return visible_text(client.get(reverse("person_history", args=[holder.pk])).content.decode())


def test_the_history_shows_no_identifiers_timestamps_or_column_names(history):
    assert not UUID.search(history)
    assert not ISO.search(history)
    assert "_id" not in history
    assert "budget_holder" not in history
    assert "T00:00" not in history and "+00:00" not in history


def test_changes_are_in_words(history, holder, phb_lead):
    text = " ".join(history.split())
    assert "Date of birth: " in text and " → 28 March 1951" in text
    assert (
        "Why they can have a personal health budget: NHS Continuing Healthcare (right to have) "
        "→ Section 117 aftercare (right to have)"
    ) in text
    assert "Phone number: (empty) → 0113 496 0123" in text
    # A foreign key by the name of what it points at; a choice by its label; money in pounds.
    assert f"Agreed by: (empty) → {another_lead(holder.organisation).full_name}" in text
    assert "Status: Proposed → Agreed" in text
    assert f"Budget added: Budget for {holder.full_name} 1 April 2026 to 31 March 2027" in text


def test_money_rates_and_yes_or_no_are_written_out():
    from budgets.models import Budget, LocalRateSet, PaCostingLine
    from phb.history import Names, _value

    names = Names()
    assert _value(Budget, "agreed_amount", 8308.72, names) == "£8,308.72"
    assert _value(LocalRateSet, "contingency_rate", 0.05, names) == "5%"
    assert _value(PaCostingLine, "irregular_hours", True, names) == "Yes"
    assert _value(PaCostingLine, "hours_per_week", 37.5, names) == "37.5"
    assert _value(Budget, "agreed_amount", None, names) == "(empty)"
    # A record since deleted, and a value that is not an identifier at all.
    assert _value(Budget, "agreed_by_id", "0b7e5c1e-3f1a-4c53-9d6e-1a2b3c4d5e6f", names) == (
        "(no longer recorded)"
    )
    assert _value(Budget, "nothing_like_this", "2026-04-01", names) == "1 April 2026"


def test_entries_are_dated_in_local_time(client, phb_lead, holder):
    client.force_login(phb_lead)
    entries = describe_changes(person_changes(holder))
    assert entries
    assert all(isinstance(entry.changes, list) for entry in entries)


@pytest.mark.parametrize(
    ("hour", "minute", "words"),
    [(9, 0, "9am"), (14, 30, "2:30pm"), (12, 0, "midday"), (0, 0, "midnight"), (0, 5, "12:05am")],
)
def test_times_are_written_the_nhs_way(hour, minute, words):
    assert display_time(datetime.datetime(2026, 11, 23, hour, minute)) == words


def test_a_summer_time_is_shown_in_local_time():
    # 13:30 UTC on 1 July is 2:30pm in London.
    moment = datetime.datetime(2026, 7, 1, 13, 30, tzinfo=datetime.UTC)
    assert display_time(moment) == "2:30pm"


def test_stray_dates_and_identifiers_in_names_are_made_readable():
    assert readable("Budget for Ann 2026-04-01 to 2027-03-31") == (
        "Budget for Ann 1 April 2026 to 31 March 2027"
    )
    assert readable("record 0b7e5c1e-3f1a-4c53-9d6e-1a2b3c4d5e6f") == "record a record"


def test_text_that_only_looks_like_a_date_is_left_as_typed():
    assert readable("Notes 2026-13-45 and 0000-01-01, seen 2026-02-03") == (
        "Notes 2026-13-45 and 0000-01-01, seen 3 February 2026"
    )


def test_a_history_with_a_date_like_slip_in_free_text_still_opens(client, phb_lead, holder):
    services.update_budget_holder(
        actor=phb_lead,
        budget_holder=holder,
        accessibility_needs="Appointment notes 2026-13-45 and 0000-01-01",
    )
    client.force_login(phb_lead)
    response = client.get(reverse("person_history", args=[holder.pk]))
    assert response.status_code == 200
    assert "Appointment notes 2026-13-45 and 0000-01-01" in visible_text(response.content.decode())
