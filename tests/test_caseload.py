import re
from html import unescape

import pytest
from django.urls import reverse

from phb.models import BudgetHolder
from tests.factories import BudgetHolderFactory, _nhs_numbers

pytestmark = pytest.mark.django_db


def test_search_by_name(client, phb_lead, icb):
    BudgetHolderFactory(organisation=icb, given_name="Ada", family_name="Lovelace")
    BudgetHolderFactory(organisation=icb, given_name="Alan", family_name="Turing")
    client.force_login(phb_lead)
    page = client.get(reverse("caseload"), {"q": "love"}).content.decode()
    assert "Lovelace" in page
    assert "Turing" not in page


def test_search_by_nhs_number_with_spaces(client, phb_lead, icb):
    person = BudgetHolderFactory(organisation=icb)
    other = BudgetHolderFactory(organisation=icb)
    client.force_login(phb_lead)
    page = client.get(reverse("caseload"), {"q": person.formatted_nhs_number}).content.decode()
    assert person.family_name in unescape(page)
    assert other.formatted_nhs_number not in page


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("z" * 101, "100 characters or fewer"),
        ("Ada\x00", None),
    ],
)
def test_a_search_that_cannot_be_made_says_so_and_lists_nobody(
    client, phb_lead, icb, typed, message
):
    BudgetHolderFactory(organisation=icb, given_name="Ada", family_name="Lovelace")
    client.force_login(phb_lead)
    response = client.get(reverse("caseload"), {"q": typed, "sort": "-name"})
    assert response.status_code == 200
    html = unescape(response.content.decode())
    assert "There is a problem" in html
    assert 'href="#q"' in html
    assert message is None or message in html
    assert "Lovelace" not in html
    assert "No people found" not in html
    # The sort chosen is kept in the form's "Sort by" choice.
    assert re.search(r'<option value="-name"\s+selected', html)


def test_sorted_by_name_then_paginated(client, phb_lead, icb):
    for index in range(30):
        BudgetHolderFactory(organisation=icb, family_name=f"Person{index:02d}")
    client.force_login(phb_lead)
    first = client.get(reverse("caseload")).content.decode()
    assert "Person00" in first and "Person24" in first and "Person25" not in first
    second = client.get(reverse("caseload"), {"page": 2}).content.decode()
    assert "Person25" in second and "Person00" not in second
    reverse_sorted = client.get(reverse("caseload"), {"sort": "-name"}).content.decode()
    assert reverse_sorted.index("Person29") < reverse_sorted.index("Person28")


def _bulk_people(organisation, count):
    BudgetHolder.objects.bulk_create(
        BudgetHolderFactory.build(organisation=organisation, nhs_number=next(_nhs_numbers))
        for _ in range(count)
    )


def test_a_searchs_page_and_its_count_are_one_query(client, phb_lead, icb):
    """phb/pagination.py: 30 matches give two pages, each counted with its rows; the page
    costs one query fewer than counting first, and a page past the end is the last."""
    for index in range(30):
        BudgetHolderFactory(organisation=icb, family_name=f"Lovell{index:02d}")
    BudgetHolderFactory(organisation=icb, family_name="Turing")
    client.force_login(phb_lead)
    client.get(reverse("caseload"), {"q": "lovell"})  # warm the session and permission caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as searched:
        second = client.get(reverse("caseload"), {"q": "lovell", "page": 2})
    counts = [q["sql"] for q in searched.captured_queries if "COUNT(" in q["sql"]]
    assert len(counts) == 1 and "OVER ()" in counts[0]
    assert second.context["page"].paginator.count == 30
    assert second.context["page"].number == 2
    html = second.content.decode()
    assert "Lovell25" in html and "Lovell29" in html and "Lovell24" not in html
    assert "Turing" not in html
    assert "Page 1 of 2" in unescape(html)
    past_the_end = client.get(reverse("caseload"), {"q": "lovell", "page": 9})
    assert past_the_end.context["page"].number == 2


def test_query_count_is_the_same_for_10_and_10000_people(
    client, phb_lead, icb, django_assert_num_queries
):
    client.force_login(phb_lead)
    _bulk_people(icb, 10)
    client.get(reverse("caseload"))  # warm the session and permission caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("caseload")).status_code == 200
    _bulk_people(icb, 9990)
    with django_assert_num_queries(len(small)):
        assert client.get(reverse("caseload")).status_code == 200
    # A later page has no work queues above it (tests/budgets/test_work_queues.py).
    with django_assert_num_queries(len(small) - 2):
        response = client.get(reverse("caseload"), {"page": 7})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 10000


def test_a_name_search_reads_only_its_icbs_matches_from_one_index(client, phb_lead, icb):
    """phb migration 0014: the ICB and the name's trigrams are one GIN index, so a search finds
    its ICB's matches there, not every match in England intersected with the ICB's people."""
    BudgetHolderFactory(organisation=icb, given_name="Ada", family_name="Lovelace")
    client.force_login(phb_lead)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as searched:
        client.get(reverse("caseload"), {"q": "lovelace"})
    [search] = [q["sql"] for q in searched.captured_queries if "LIKE" in q["sql"]]
    with connection.cursor() as cursor:
        # On a handful of rows a scan of the table, or of the ICB's people in name order, is
        # cheapest: with neither to choose (in this test's transaction), the plan shows
        # whether the index serves the search as it is written.
        cursor.execute(
            "SELECT indexrelid::regclass::text FROM pg_index "
            "WHERE indrelid = 'phb_budgetholder'::regclass AND NOT indisunique"
        )
        for (index,) in cursor.fetchall():
            if index != "caseload_icb_name_trigrams":
                cursor.execute(f"DROP INDEX {index}")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + search)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Bitmap Index Scan on caseload_icb_name_trigrams" in plan, plan
    assert "BitmapAnd" not in plan, plan
    index_condition = plan[plan.index("Bitmap Index Scan") :]
    assert "organisation_id" in index_condition and "LOVELACE" in index_condition, plan
