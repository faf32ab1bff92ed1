"""Payment schedules: instalments that add up exactly to each paid-out portion."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from budgets import calculations as calc
from budgets.models import (
    BudgetStatus,
    HoldingPortion,
    PaymentInstalment,
    PaymentSchedule,
)
from budgets.money import check_money
from budgets.services.base import _lock, _save
from phb.permissions import Permission, require


@transaction.atomic
def set_payment_schedule(
    *,
    actor,
    portion: HoldingPortion,
    frequency: str,
    first_payment_date: datetime.date,
    amounts: list[Decimal] | None = None,
) -> PaymentSchedule:
    """Instalments from the first payment date to the end of the period, summing exactly to
    the portion. Without `amounts` they are equal, the odd pennies going to the first ones."""
    budget = portion.budget
    require(actor, Permission.SET_PAYMENTS, budget.budget_holder)
    budget = _lock(budget, version=None, expected=(BudgetStatus.AGREED,), doing="set payments for")
    if not portion.is_paid_out:
        raise ValidationError("A notional budget is not paid out, so it has no payment schedule")
    if first_payment_date < budget.period_start or first_payment_date > budget.period_end:
        raise ValidationError(
            {"first_payment_date": "The first payment must be within the budget's period"}
        )
    dates = calc.instalment_dates(
        first_payment_date, budget.period_end, calc.InstalmentFrequency(frequency)
    )
    if amounts is not None:
        amounts = [
            check_money(amount, what=f"Instalment {number}", minimum=None)
            for number, amount in enumerate(amounts, start=1)
        ]
    if amounts is None:
        amounts = calc.split_evenly(portion.amount, len(dates))
    elif len(amounts) != len(dates):
        raise ValidationError(f"Enter {len(dates)} instalment amounts")
    elif any(amount < 0 for amount in amounts):
        raise ValidationError("Instalment amounts cannot be negative")
    elif sum(amounts, Decimal(0)) != portion.amount:
        raise ValidationError(
            f"The instalments add up to £{sum(amounts, Decimal(0)):,.2f}, but the "
            f"{portion.short_method.lower()} is £{portion.amount:,.2f}"
        )
    PaymentSchedule.objects.filter(portion=portion).delete()
    schedule = PaymentSchedule.objects.create(
        portion=portion,
        frequency=frequency,
        first_payment_date=first_payment_date,
        created_by=actor,
    )
    PaymentInstalment.objects.bulk_create(
        PaymentInstalment(schedule=schedule, number=number, due_date=due, amount=amount)
        for number, (due, amount) in enumerate(zip(dates, amounts, strict=True), start=1)
    )
    _save(budget)
    return schedule
