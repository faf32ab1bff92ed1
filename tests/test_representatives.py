"""Adding someone who acts for a person: the same person added twice (a double click, a
second tab, a colleague) is refused, saying who recorded them and when."""

import datetime
import re
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from phb import services
from phb.models import Representative
from tests.factories import BudgetHolderFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: TODAY)


@pytest.fixture
def person(icb):
    return BudgetHolderFactory(organisation=icb, given_name="Stale", user=None)


def rep_twice(**changes) -> dict:
    return {
        "full_name": "Rep Twice",
        "email": "rep.twice@example.org",
        "kind": "representative",
        "relationship": "Sister",
        "agreed_on_day": "1",
        "agreed_on_month": "11",
        "agreed_on_year": "2026",
    } | changes


def test_the_same_representative_added_twice_names_who_recorded_them_and_when(
    client, phb_lead, person
):
    client.force_login(phb_lead)
    url = reverse("representative_add", args=[person.pk])
    assert client.post(url, rep_twice()).status_code == 302
    first = Representative.objects.get(budget_holder=person)
    again = client.post(url, rep_twice(relationship="Sister-in-law"))
    assert again.status_code == 200
    assert (
        f"Rep Twice is already recorded as acting for Stale: {phb_lead.full_name} recorded "
        f"them on {timezone.localtime(first.created_at):%-d %B %Y at %H:%M}. Nothing was "
        "changed."
    ) in re.sub(r"\s+", " ", unescape(again.content.decode()))
    assert Representative.objects.get(budget_holder=person).relationship == "Sister"


def test_a_representative_recorded_without_a_page_is_said_to_be_recorded_when(phb_lead, person):
    details = {
        "full_name": "Rep Twice",
        "email": "rep.twice@example.org",
        "kind": "representative",
        "relationship": "Sister",
        "agreed_on": datetime.date(2026, 11, 1),
    }
    first, _ = services.add_representative(actor=phb_lead, budget_holder=person, **details)
    with pytest.raises(ValidationError) as excinfo:
        services.add_representative(actor=phb_lead, budget_holder=person, **details)
    assert excinfo.value.message_dict == {
        "email": [
            "Rep Twice is already recorded as acting for Stale: recorded on "
            f"{timezone.localtime(first.created_at):%-d %B %Y at %H:%M}. Nothing was changed."
        ]
    }
