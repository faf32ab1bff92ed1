"""The care and support plan agrees the budget (ADR 0024).

`budgets` never imports `careplans`: the plan's side calls `record_plan_approval` when a plan
that this budget pays for is approved, and hands over only a time and a reference. The budget
cannot start (its first payment) until then.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from budgets.models import Budget, BudgetStatus
from budgets.services.base import _lock, _save
from phb.permissions import Permission, require

# Budgets whose plan can still be approved: being agreed, agreed, or already paying.
APPROVABLE = (BudgetStatus.PROPOSED, BudgetStatus.AGREED, BudgetStatus.ACTIVE)


@transaction.atomic
def record_plan_approval(
    *, actor, budget, approved_at: datetime.datetime, reference: str
) -> Budget:
    """Record that the care and support plan this budget pays for was approved. The latest
    approval is kept (a later version of the plan approved for the same budget replaces it).
    The caller has checked that `actor` may decide the plan."""
    require(actor, Permission.VIEW_BUDGETS, budget.budget_holder)
    reference = reference.strip()
    if not reference:
        raise ValidationError("Say which care and support plan was approved")
    budget = _lock(budget, version=None, expected=APPROVABLE, doing="approve the plan for")
    budget.plan_approved_at = approved_at
    budget.plan_reference = reference[:200]
    return _save(budget)


def check_plan_approved(budget: Budget) -> None:
    """Refuse to start paying a budget whose plan is not approved."""
    if budget.plan_approved_at is None:
        raise ValidationError(
            "This budget cannot start: it is waiting for the care and support plan to be approved"
        )
