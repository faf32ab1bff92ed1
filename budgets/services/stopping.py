"""Stopping an agreed or active budget part way through its period, for a reason the law
allows (the reason, the notice and the letter are recorded by the caller, `careplans`)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from budgets.models import BudgetStatus, PaymentInstalment
from budgets.services.base import _lock, _save, _status_change
from phb.permissions import Permission, require


def _day(value: datetime.date) -> str:
    return f"{value:%-d %B %Y}"


@transaction.atomic
def stop_budget(*, actor, budget, stops_on: datetime.date, reason: str, version=None):
    """Stop the budget from `stops_on`: its last day becomes the day before, the unpaid
    instalments due from that day are cancelled, and once that day has come it ends. A stop
    in the future leaves the budget running until then (it ends like any budget whose period
    is over).

    Returns the budget and how many instalments were cancelled."""
    require(actor, Permission.STOP_BUDGET, budget.budget_holder)
    budget = _lock(
        budget,
        version=version,
        expected=(BudgetStatus.AGREED, BudgetStatus.ACTIVE),
        doing="stop",
    )
    # A stop takes effect inside the budget's period: stopped on or before its first day, it
    # would be a budget of one day (the period cannot be empty) that never paid for anything.
    if stops_on <= budget.period_start:
        raise ValidationError(
            {
                "effective_on": f"This budget starts on {_day(budget.period_start)}: the day it "
                f"stops must be after that, from "
                f"{_day(budget.period_start + datetime.timedelta(days=1))}"
            }
        )
    if stops_on > budget.period_end:
        raise ValidationError(
            {
                "effective_on": f"This budget ends on {_day(budget.period_end)} anyway: "
                "choose a date on or before then"
            }
        )
    if not reason.strip():
        raise ValidationError({"explanation": "Give the reasons, written for the person"})
    # A paid instalment is never deleted (ADR 0017): one paid early, for days after the stop,
    # stays as paid, and the money can be asked back (careplans' repayment).
    cancelled, _ = PaymentInstalment.objects.filter(
        schedule__portion__budget=budget, due_date__gte=stops_on, paid_on__isnull=True
    ).delete()
    budget.agreed_period_end = budget.period_end
    budget.period_end = stops_on - datetime.timedelta(days=1)
    if stops_on <= timezone.localdate():
        _status_change(
            budget,
            to_status=BudgetStatus.ENDED,
            by=actor,
            reason=f"Stopped from {_day(stops_on)}: {reason.strip()}",
        )
    return _save(budget), cancelled
