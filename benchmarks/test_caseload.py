"""The caseload with its budget column at 10,000 people in one ICB.

`make benchmark` times it (it is not part of `make test`). Query counts are asserted in
tests/test_caseload.py and tests/budgets/test_pages.py, not here.
"""

import datetime

import pytest
from django.urls import reverse

from phb.models import BudgetHolder
from tests.factories import BudgetHolderFactory, _nhs_numbers

pytestmark = pytest.mark.django_db

PEOPLE = 10_000


@pytest.fixture
def big_caseload(icb):
    BudgetHolder.objects.bulk_create(
        BudgetHolderFactory.build(
            organisation=icb,
            nhs_number=next(_nhs_numbers),
            family_name=f"Person{index:05d}",
            date_of_birth=datetime.date(1950, 1, 1) + datetime.timedelta(days=index),
        )
        for index in range(PEOPLE)
    )


@pytest.mark.parametrize("query", [{}, {"q": "Person09"}, {"sort": "-date_of_birth", "page": 200}])
def test_caseload_page_at_10000_people(benchmark, client, phb_lead, big_caseload, query):
    client.force_login(phb_lead)
    response = benchmark(client.get, reverse("caseload"), query)
    assert response.status_code == 200
