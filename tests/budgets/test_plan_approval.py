"""The care and support plan agrees the budget (ADR 0024): a budget records its plan's approval
through one service and cannot start before it."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from budgets import services
from budgets.models import Budget, BudgetStatus
from budgets.selectors import WAITING_FOR_PLAN, WAITING_TO_START, budgets_waiting_for
from budgets.services import Conflict
from tests.budgets.factories import agreed_budget, approve_plan, draft_budget, reload

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(phb_lead, holder, ras):
    """Agreed, nothing paid out, its plan not approved yet."""
    return agreed_budget(phb_lead, holder, ras, plan_approved=False)


def test_a_budget_cannot_start_before_its_plan_is_approved(waiting, finance_officer):
    with pytest.raises(ValidationError) as excinfo:
        services.activate_budget(actor=finance_officer, budget=waiting)
    assert excinfo.value.messages == [
        "This budget cannot start: it is waiting for the care and support plan to be approved"
    ]
    assert reload(waiting).status == BudgetStatus.AGREED


def test_once_the_plan_is_approved_it_starts(waiting, phb_lead, finance_officer):
    approved_at = timezone.now()
    budget = services.record_plan_approval(
        actor=phb_lead, budget=waiting, approved_at=approved_at, reference=" Plan, version 2 "
    )
    assert (budget.plan_approved_at, budget.plan_reference) == (approved_at, "Plan, version 2")
    assert budget.version == waiting.version + 1
    started = services.activate_budget(actor=finance_officer, budget=budget)
    assert started.status == BudgetStatus.ACTIVE


def test_the_database_refuses_an_active_budget_without_an_approved_plan(waiting):
    with (
        pytest.raises(IntegrityError, match="budget_active_has_an_approved_plan"),
        transaction.atomic(),
    ):
        Budget.objects.filter(pk=waiting.pk).update(status=BudgetStatus.ACTIVE)


def test_an_approval_names_the_plan(waiting, phb_lead):
    with pytest.raises(ValidationError, match="Say which care and support plan was approved"):
        services.record_plan_approval(
            actor=phb_lead, budget=waiting, approved_at=timezone.now(), reference=" "
        )


def test_a_draft_budget_is_not_agreed_by_a_plan(phb_lead, holder, ras):
    budget = draft_budget(phb_lead, holder, ras)
    with pytest.raises(Conflict, match="it is still a draft"):
        approve_plan(phb_lead, budget)


def test_the_budget_page_and_the_finance_queue_say_it_waits_for_the_plan(
    client, waiting, phb_lead, finance_officer
):
    client.force_login(finance_officer)
    text = client.get(reverse("budgets:budget", args=[waiting.pk])).content.decode()
    waits = "It has not started yet: it is waiting for the care and support plan to be approved."
    assert waits in text
    assert "Start this budget" not in text
    assert budgets_waiting_for(finance_officer) == [(waiting, WAITING_FOR_PLAN)]
    approve_plan(phb_lead, waiting)
    text = client.get(reverse("budgets:budget", args=[waiting.pk])).content.decode()
    assert "It has not started yet: it is waiting to be started." in text
    assert "(Care and support plan, version 1)." in text
    assert "Start this budget" in text
    assert budgets_waiting_for(finance_officer) == [(reload(waiting), WAITING_TO_START)]
