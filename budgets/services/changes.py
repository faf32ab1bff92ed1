"""Changes to an agreed budget, with the letter that explains them."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from budgets import calculations as calc
from budgets.models import (
    BudgetChange,
    BudgetLetter,
    BudgetStatus,
    LetterKind,
)
from budgets.money import check_money
from budgets.services.base import _lock, _save
from phb.permissions import Permission, require


def _allocate(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """Share `total` in proportion to `weights`, to the penny, summing exactly
    (largest remainder)."""
    pennies = int(total * 100)
    weight_sum = sum(weights, Decimal(0))
    raw = [Decimal(pennies) * w / weight_sum for w in weights]
    floors = [int(r) for r in raw]
    leftover = pennies - sum(floors)
    by_remainder = sorted(range(len(raw)), key=lambda i: raw[i] - floors[i], reverse=True)
    for i in by_remainder[:leftover]:
        floors[i] += 1
    return [Decimal(p) / 100 for p in floors]


@transaction.atomic
def reduce_budget(
    *,
    actor,
    budget,
    new_amount: Decimal,
    effective_from: datetime.date,
    notice_days: int,
    reason: str,
    version: int | None = None,
) -> BudgetLetter:
    """Reduce the budget for its period from a date, with reasons and notice, and write the
    letter that tells the person what changes, why, from when and how to ask again."""
    require(actor, Permission.REDUCE_BUDGET, budget.budget_holder)
    budget = _lock(
        budget,
        version=version,
        expected=(BudgetStatus.AGREED, BudgetStatus.ACTIVE),
        doing="reduce",
    )
    new_amount = check_money(new_amount, what="The new amount", field="new_amount", minimum=None)
    minimum = settings.PHB_REDUCTION_MINIMUM_NOTICE_DAYS
    today = timezone.localdate()
    errors = {}
    if not reason.strip():
        errors["reason"] = (
            "Explain why the budget is being reduced, in words the person will understand"
        )
    if notice_days < minimum:
        errors["notice_days"] = f"Give at least {minimum} days' notice"
    if effective_from < today + datetime.timedelta(days=notice_days):
        errors["effective_from"] = (
            f"With {notice_days} days' notice the change can start on "
            f"{today + datetime.timedelta(days=notice_days):%-d %B %Y} at the earliest"
        )
    if not budget.period_start <= effective_from <= budget.period_end:
        errors["effective_from"] = "The change must start within the budget's period"
    if new_amount <= 0:
        errors["new_amount"] = "The new amount must be more than £0.00"
    elif new_amount >= budget.agreed_amount:
        errors["new_amount"] = f"The new amount must be less than £{budget.agreed_amount:,.2f}"
    if errors:
        raise ValidationError(errors)

    portions = list(budget.portions.select_related("schedule"))
    new_portion_amounts = _allocate(new_amount, [p.amount for p in portions])
    emptied = [p for p, amount in zip(portions, new_portion_amounts, strict=True) if amount <= 0]
    if emptied:
        raise ValidationError(
            {
                "new_amount": f"At £{new_amount:,.2f} the {emptied[0].short_method.lower()} "
                "would be £0.00. Choose a larger amount"
            }
        )
    payment_changes = []
    for portion, new_portion_amount in zip(portions, new_portion_amounts, strict=True):
        schedule = getattr(portion, "schedule", None)
        if schedule is not None:
            instalments = list(schedule.instalments.all())
            try:
                respread = calc.respread_from(
                    [(i.due_date, i.amount) for i in instalments],
                    effective_from,
                    new_portion_amount,
                )
            except ValueError as error:
                raise ValidationError({"new_amount": str(error)}) from error
            for instalment, (_, amount) in zip(instalments, respread, strict=True):
                if instalment.amount != amount:
                    instalment.amount = amount
                    instalment.save(update_fields=["amount"])
            later = [amount for due, amount in respread if due >= effective_from]
            payment_changes.append((portion, later[0] if later else None, len(later)))
        portion.amount = new_portion_amount
        portion.save(update_fields=["amount"])

    change = BudgetChange.objects.create(
        budget=budget,
        previous_amount=budget.agreed_amount,
        new_amount=new_amount,
        effective_from=effective_from,
        notice_days=notice_days,
        reason=reason.strip(),
        by=actor,
    )
    budget.agreed_amount = new_amount
    _save(budget)
    holder = budget.budget_holder
    body = render_to_string(
        "budgets/letters/reduction.html",
        {
            "holder": holder,
            "budget": budget,
            "change": change,
            "payment_changes": payment_changes,
            "today": today,
            "reconsideration_days": settings.PHB_RECONSIDERATION_DAYS,
        },
    )
    return BudgetLetter.objects.create(
        budget=budget,
        kind=LetterKind.REDUCTION,
        subject="Your personal health budget is going down",
        body_html=body,
        created_by=actor,
    )
