"""The audit and trigger helper functions run without a subtransaction per row (ADR 0021)."""

import pgtrigger
import pytest
from django.db import ProgrammingError, connection, transaction

from budgets.models import Budget, BudgetStatus
from tests.budgets.factories import draft_budget, questionnaire, ras_assessment

pytestmark = pytest.mark.django_db


def _definition(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_functiondef(%s::regproc)", [name])
        return cursor.fetchone()[0]


@pytest.mark.parametrize("name", ["_pgh_attach_context", "_pgtrigger_should_ignore"])
def test_the_functions_have_no_exception_block(name):
    definition = _definition(name)
    assert "current_setting(" in definition.lower()
    assert "EXCEPTION" not in definition.upper()


def test_pgtrigger_ignore_still_works_and_the_trigger_still_refuses_otherwise(
    phb_lead, icb_admin, holder
):
    budget = draft_budget(
        phb_lead, holder, ras_assessment(phb_lead, holder, questionnaire(icb_admin))
    )
    with pytest.raises(ProgrammingError, match="Invalid transition"), transaction.atomic():
        Budget.objects.filter(pk=budget.pk).update(status=BudgetStatus.ENDED)
    with pgtrigger.ignore("budgets.Budget:budget_status_transitions"):
        Budget.objects.filter(pk=budget.pk).update(status=BudgetStatus.ENDED)
    assert Budget.objects.get(pk=budget.pk).status == BudgetStatus.ENDED
    # After the ignore block the setting reads as an empty string, not as missing.
    with pytest.raises(ProgrammingError, match="Invalid transition"), transaction.atomic():
        Budget.objects.filter(pk=budget.pk).update(status=BudgetStatus.DRAFT)
