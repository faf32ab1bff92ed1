"""Staff find the budgets that wait on them, and the pages their role uses."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from budgets import services
from tests.budgets.factories import (
    FY_2027_END,
    FY_2027_START,
    agreed_budget,
    draft_budget,
    proposed_budget,
)

pytestmark = pytest.mark.django_db


def test_a_clinician_sees_budgets_that_need_their_check(client, clinician, above_cap):
    client.force_login(clinician)
    page = client.get(reverse("caseload")).content.decode()
    assert "Budgets waiting for you" in page
    assert "waiting for a clinical check" in page
    assert reverse("budgets:budget", args=[above_cap.pk]) in page


def test_a_checked_budget_leaves_the_clinicians_list(client, clinician, above_cap):
    services.record_clinical_check(actor=clinician, budget=above_cap, supported=True, notes="OK")
    client.force_login(clinician)
    assert "Budgets waiting for you" not in client.get(reverse("caseload")).content.decode()


def test_a_lead_sees_proposed_budgets_to_agree(client, phb_lead, care_coordinator, holder, ras):
    proposed_budget(care_coordinator, holder, ras)
    client.force_login(phb_lead)
    page = client.get(reverse("caseload")).content.decode()
    assert ": waiting to be agreed<" in page


def test_the_queues_head_the_caseload_not_a_search_or_a_later_page(client, clinician, above_cap):
    """Where the user's work starts: the caseload's first page, not above search results or
    on page 2 (which then make none of the queues' queries)."""
    from tests.factories import BudgetHolderFactory

    BudgetHolderFactory.create_batch(25, organisation=above_cap.budget_holder.organisation)
    client.force_login(clinician)
    caseload = reverse("caseload")
    assert "Budgets waiting for you" in client.get(caseload).content.decode()
    assert "Budgets waiting for you" in client.get(caseload + "?sort=-name").content.decode()
    name = above_cap.budget_holder.family_name
    for elsewhere in (f"?q={name}", "?page=2"):
        page = client.get(caseload + elsewhere).content.decode()
        assert "Budgets waiting for you" not in page, elsewhere
    with CaptureQueriesContext(connection) as first:
        client.get(caseload)
    with CaptureQueriesContext(connection) as second:
        client.get(caseload + "?page=2")
    assert not any("budgets_clinicalcheck" in q["sql"] for q in second.captured_queries)
    assert any("budgets_clinicalcheck" in q["sql"] for q in first.captured_queries)


def test_another_icbs_staff_see_nothing_waiting(client, other_icb_lead, above_cap):
    client.force_login(other_icb_lead)
    assert "Budgets waiting for you" not in client.get(reverse("caseload")).content.decode()


def test_icb_admins_see_rates_and_questionnaires_in_the_header(client, icb_admin):
    client.force_login(icb_admin)
    page = client.get(reverse("caseload")).content.decode()
    assert f'href="{reverse("budgets:rates")}"' in page
    assert f'href="{reverse("budgets:questionnaires")}"' in page


def test_clinicians_see_only_the_caseload_in_the_header(client, clinician):
    client.force_login(clinician)
    page = client.get(reverse("caseload")).content.decode()
    assert f'href="{reverse("budgets:rates")}"' not in page
    assert f'href="{reverse("caseload")}"' in page


def test_the_caseload_shows_the_live_budget_before_next_years_draft(
    client, phb_lead, holder, ras, local_rates, ras_2027
):
    agreed_budget(phb_lead, holder, ras)
    draft_budget(phb_lead, holder, ras_2027, start=FY_2027_START, end=FY_2027_END)
    client.force_login(phb_lead)
    page = client.get(reverse("caseload")).content.decode()
    assert "Agreed: £8,308.72" in page
