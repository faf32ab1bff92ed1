"""What every budgets service shares: the conflict error, status changes and locking."""

from django.utils import timezone

from budgets.models import (
    Budget,
    BudgetStatus,
    BudgetStatusChange,
)

# What was done to a budget to bring it to each status, as a stale page is told ("it was
# already started by ..."), not the status's name ("already active by").
DONE_TO_IT = {
    BudgetStatus.PROPOSED: "proposed",
    BudgetStatus.AGREED: "agreed",
    BudgetStatus.ACTIVE: "started",
    BudgetStatus.ENDED: "ended",
    BudgetStatus.WITHDRAWN: "withdrawn",
}


class Conflict(Exception):
    """Someone else changed this first; the message says what happened."""


def _status_change(budget, *, to_status: str, by, reason: str = "") -> None:
    BudgetStatusChange.objects.create(
        budget=budget, from_status=budget.status, to_status=to_status, by=by, reason=reason
    )
    budget.status = to_status


def _lock(budget, *, version: int | None, expected: tuple[str, ...], doing: str) -> Budget:
    """The budget, locked for this transaction, or a Conflict saying what happened since."""
    locked = Budget.objects.select_for_update().get(pk=budget.pk)
    if locked.status == BudgetStatus.DRAFT and locked.status not in expected:
        raise Conflict(f"You cannot {doing} this budget: it is still a draft.")
    if locked.status not in expected:
        last = locked.status_changes.select_related("by").order_by("-at").first()
        who = (
            f" by {last.by.full_name} on {timezone.localtime(last.at):%-d %B %Y at %H:%M}"
            if last
            else ""
        )
        raise Conflict(
            f"You cannot {doing} this budget: it was already "
            f"{DONE_TO_IT.get(locked.status, locked.get_status_display().lower())}{who}."
        )
    if version is not None and locked.version != version:
        raise Conflict(
            f"You cannot {doing} this budget: someone changed it while you were looking at it. "
            "Check the latest version and try again."
        )
    return locked


def _save(budget) -> Budget:
    budget.version += 1
    budget.save()
    return budget
