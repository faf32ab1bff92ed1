"""What every budgets service shares: the conflict error, status changes and locking."""

import datetime

from django.utils import timezone

from budgets.models import (
    Budget,
    BudgetStatus,
    BudgetStatusChange,
    PaymentSchedule,
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


def _by_on(user, at) -> str:
    """' by Casey Coordinator on 6 December 2026 at 16:13'."""
    return f" by {user.full_name} on {timezone.localtime(at):%-d %B %Y at %H:%M}"


# A change recorded with the save that made it is written within moments of it.
_SAME_SAVE = datetime.timedelta(seconds=5)


def _last_change(budget) -> str:
    """What was last done to the budget, by whom and when ("it was proposed by Casey
    Coordinator on 6 December 2026 at 16:13"), from the rows each change records; "" when
    its last save recorded none of them (it is then not named)."""
    done = []
    status = budget.status_changes.select_related("by").order_by("-at").first()
    if status is not None:
        went = DONE_TO_IT.get(status.to_status, "sent back to draft")
        done.append((status.at, f"it was {went}{_by_on(status.by, status.at)}"))
    if edit := budget.edits.select_related("by").order_by("-at").first():
        done.append((edit.at, f"it was changed{_by_on(edit.by, edit.at)}"))
    if check := budget.clinical_checks.select_related("clinician").order_by("-at").first():
        done.append((check.at, f"it was checked{_by_on(check.clinician, check.at)}"))
    if change := budget.changes.select_related("by").order_by("-at").first():
        done.append((change.at, f"its amount was changed{_by_on(change.by, change.at)}"))
    if asked := budget.proposed_increases.select_related("by").order_by("-at").first():
        done.append((asked.at, f"an increase was proposed{_by_on(asked.by, asked.at)}"))
    schedule = (
        PaymentSchedule.objects.filter(portion__budget=budget)
        .select_related("created_by")
        .order_by("-created_at")
        .first()
    )
    if schedule is not None:
        done.append(
            (
                schedule.created_at,
                f"its payment schedule was set{_by_on(schedule.created_by, schedule.created_at)}",
            )
        )
    if approved := budget.plan_approved_at:
        done.append(
            (
                approved,
                "its care and support plan was approved on "
                f"{timezone.localtime(approved):%-d %B %Y at %H:%M}",
            )
        )
    if not done:
        return ""
    at, words = max(done, key=lambda row: row[0])
    return words if abs(budget.updated_at - at) <= _SAME_SAVE else ""


def _lock(budget, *, version: int | None, expected: tuple[str, ...], doing: str) -> Budget:
    """The budget, locked for this transaction, or a Conflict saying what happened since."""
    locked = Budget.objects.select_for_update().get(pk=budget.pk)
    if locked.status == BudgetStatus.DRAFT and locked.status not in expected:
        raise Conflict(f"You cannot {doing} this budget: it is still a draft.")
    if locked.status not in expected:
        last = locked.status_changes.select_related("by").order_by("-at").first()
        who = _by_on(last.by, last.at) if last else ""
        raise Conflict(
            f"You cannot {doing} this budget: it was already "
            f"{DONE_TO_IT.get(locked.status, locked.get_status_display().lower())}{who}."
        )
    if version is not None and locked.version != version:
        # A page drawn from an earlier version (not a garbled one) was opened before the
        # budget's last change: say what it was, as a change of status is said above.
        last = _last_change(locked) if 0 < version < locked.version else ""
        if last:
            raise Conflict(
                f"You cannot {doing} this budget: {last}, after you opened this page. "
                "Check it and try again."
            )
        raise Conflict(
            f"You cannot {doing} this budget: someone changed it while you were looking at it. "
            "Check the latest version and try again."
        )
    return locked


def _save(budget) -> Budget:
    budget.version += 1
    budget.save()
    return budget
