"""What the budgets app adds to the core's pages: a caseload column and record sections."""

from budgets import selectors
from budgets.demo import seed_budgets
from budgets.models.budget import BudgetStatus
from budgets.presenters import explain_budget, money
from phb.extensions import (
    CaseloadColumn,
    RecordSection,
    register_caseload_column,
    register_demo_seeder,
    register_record_section,
)


def _budget_cell(person) -> str:
    if person.budget_status is None:
        return "No budget yet"
    return f"{BudgetStatus(person.budget_status).label}: {money(person.budget_amount)}"


def _staff_section(request, holder) -> dict:
    return {
        "budget": selectors.current_budget(holder),
        "can_prepare": request.user.has_perm("budgets.prepare_budget", holder),
    }


def _holder_section(request, holder) -> dict:
    budget = selectors.current_budget(holder)
    shown = budget if budget is not None and budget.is_live else None
    return {"budget": shown, "explained": explain_budget(shown) if shown else None}


def register() -> None:
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
