"""What the budgets app adds to the core's pages: a caseload column and record sections."""

import datetime
from decimal import Decimal

from budgets import dataset, documents, selectors
from budgets.demo import seed_budgets
from budgets.models.budget import BudgetStatus
from budgets.presenters import money
from phb.extensions import (
    CaseloadColumn,
    CaseloadPanel,
    NavigationItem,
    RecordSection,
    read_once,
    register_caseload_column,
    register_caseload_panel,
    register_demo_seeder,
    register_navigation_item,
    register_record_section,
)
from phb.permissions import Permission


def _budget_cell(person) -> str:
    current = person.current_budget
    if current is None:
        return "No budget yet"
    amount = None if current["amount"] is None else Decimal(current["amount"])
    return f"{BudgetStatus(current['status']).label}: {money(amount)}"


def _coming(budget) -> dict | None:
    """The next change of the budget's amount that will happen, as the record says it."""
    change = budget.change_to_come if budget is not None else None
    if change is None:
        return None
    new_amount = Decimal(change["new_amount"])
    return {
        "direction": "up" if new_amount > budget.amount_in_force else "down",
        "new_amount": new_amount,
        "effective_from": datetime.date.fromisoformat(change["effective_from"]),
    }


def _staff_section(request, holder) -> dict:
    budget = read_once(holder, selectors.current_budget)
    return {
        "budget": budget,
        "coming": _coming(budget),
        "can_prepare": request.user.has_perm(Permission.PREPARE_BUDGET, holder),
    }


def _holder_section(request, holder) -> dict:
    return {"page": documents.explained(holder, acting_for=holder.user_id != request.user.pk)}


def _waiting_panel(request) -> dict:
    waiting = selectors.budgets_waiting_for(request.user)
    return {"waiting": waiting} if waiting else {}


def register() -> None:
    dataset.register()
    documents.register()
    register_navigation_item(
        NavigationItem(
            text="RAS questionnaires",
            url_name="budgets:questionnaires",
            permission=Permission.MANAGE_RAS,
            order=20,
        )
    )
    register_navigation_item(
        NavigationItem(
            text="Rates", url_name="budgets:rates", permission=Permission.VIEW_RATES, order=30
        )
    )
    register_navigation_item(
        NavigationItem(
            text="Payments due",
            url_name="budgets:payments_due",
            permission=Permission.RECORD_PAYMENTS,
            order=40,
        )
    )
    register_navigation_item(
        NavigationItem(
            text="Budget policy",
            url_name="budgets:budget_policy",
            permission=Permission.EDIT_BUDGET_POLICY,
            order=50,
        )
    )
    register_caseload_panel(
        CaseloadPanel(template_name="budgets/sections/waiting.html", context=_waiting_panel)
    )
    register_demo_seeder(seed_budgets)
    register_caseload_column(
        CaseloadColumn(
            heading="Budget",
            annotate=selectors.annotate_current_budget,
            cell=_budget_cell,
            order=10,
        )
    )
    register_record_section(
        RecordSection(
            audience="staff", template_name="budgets/sections/staff.html", context=_staff_section
        )
    )
    register_record_section(
        RecordSection(
            audience="holder", template_name="budgets/sections/holder.html", context=_holder_section
        )
    )
