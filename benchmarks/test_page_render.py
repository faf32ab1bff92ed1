"""How long the two busiest pages take to render, components and all.

`make benchmark` times them (the numbers in ADR 0009 come from here); in `make test` each runs
once, untimed, as a check that the page renders. The caseload shows a full page of 25 people,
each with a budget; the budget page has a schedule, a reduction letter and status history.
"""

import datetime
from decimal import Decimal as D

import pytest
from django.urls import reverse

from budgets import services
from budgets.models import HoldingMethod
from tests.budgets.factories import (
    FY_2027_END,
    FY_2027_START,
    LocalRateSetFactory,
    agreed_budget,
    change_amount,
    chc_package,
    draft_budget,
    reload,
)
from tests.factories import BudgetHolderFactory

pytestmark = pytest.mark.django_db

PEOPLE = 25


@pytest.fixture
def chc(phb_lead, holder, icb):
    LocalRateSetFactory(organisation=icb)
    return chc_package(phb_lead, holder)


@pytest.fixture
def caseload_with_budgets(phb_lead, icb, chc):
    for _ in range(PEOPLE - 1):
        person = BudgetHolderFactory(organisation=icb)
        draft_budget(phb_lead, person, chc_package(phb_lead, person))


@pytest.fixture
def full_budget(phb_lead, finance_officer, holder, chc):
    package = chc_package(phb_lead, holder, effective_date=FY_2027_START)
    budget = agreed_budget(
        phb_lead,
        holder,
        package,
        amount=D("12000.00"),
        start=FY_2027_START,
        end=FY_2027_END,
        portions=[
            (HoldingMethod.NOTIONAL, D("2000.00"), ""),
            (HoldingMethod.DIRECT_PAYMENT, D("10000.00"), ""),
        ],
    )
    services.set_payment_schedule(
        actor=finance_officer,
        portion=budget.portions.get(method=HoldingMethod.DIRECT_PAYMENT),
        frequency="monthly",
        first_payment_date=FY_2027_START,
    )
    change_amount(
        phb_lead,
        reload(budget),
        new_amount=D("11000.00"),
        effective_from=datetime.date(2027, 10, 1),
        reason="The night care is now provided by the local authority.",
    )
    return budget


def test_caseload_page_render(benchmark, client, phb_lead, caseload_with_budgets):
    client.force_login(phb_lead)
    response = benchmark(client.get, reverse("caseload"))
    assert response.status_code == 200
    assert response.content.decode().count("/people/") >= PEOPLE


def test_budget_page_render(benchmark, client, phb_lead, full_budget):
    client.force_login(phb_lead)
    response = benchmark(client.get, reverse("budgets:budget", args=[full_budget.pk]))
    assert response.status_code == 200
    assert "Payment dates" in response.content.decode()
