"""Payment schedules, and the payments finance records against them.

A schedule's instalments add up exactly to the paid-out portion. Instalments are unpaid until
finance records them as paid: one at a time (`record_payment`) or many at once in a payment run
(`record_payment_run`). A paid instalment never changes (a database trigger), so a schedule with
paid instalments is never replaced, and a change of amount re-spreads only the unpaid ones.

Payments are recorded for a budget that has started, and for one that has ended since it
started: a budget ended, or stopped, with payments still due has them paid, and recorded.

A schedule whose first payment date is before today needs a reason, and every instalment due
before today must be recorded as paid when the schedule is set (the date it was paid and the
payment reference): payments are never silently created as unpaid in the past.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from budgets import calculations as calc
from budgets.models import (
    BudgetStatus,
    HoldingPortion,
    PaymentInstalment,
    PaymentRun,
    PaymentSchedule,
)
from budgets.models.payments import REASON_MAX_LENGTH, REFERENCE_MAX_LENGTH
from budgets.money import PENNY, check_money
from budgets.services.base import Conflict, _lock, _save
from phb.permissions import Permission, require


@dataclass(frozen=True)
class PastPayment:
    """How an instalment due before today was paid: the date and the payment reference."""

    paid_on: datetime.date
    reference: str


def _day(value: datetime.date) -> str:
    return f"{value:%-d %B %Y}"


def _dates_in_words(dates: list[datetime.date]) -> str:
    if len(dates) == 1:
        return _day(dates[0])
    return f"{_day(dates[0])} to {_day(dates[-1])}"


def _check_reference(reference: str, *, field: str) -> str:
    reference = (reference or "").strip()
    if not reference:
        raise ValidationError({field: "Enter the payment reference"})
    if len(reference) > REFERENCE_MAX_LENGTH:
        raise ValidationError(
            {field: f"The payment reference must be {REFERENCE_MAX_LENGTH} characters or fewer"}
        )
    return reference


# A budget is paid in its period, or before it starts (instalments can be paid in advance), but
# not more than a year before: a payment dated earlier is a mistake in the date.
PAID_BEFORE_START_MONTHS = 12


def earliest_paid_on(budget) -> datetime.date:
    """The earliest day a payment of this budget can have been made."""
    return calc.add_months(budget.period_start, -PAID_BEFORE_START_MONTHS)


def _too_early(budget) -> str:
    return (
        f"on or after {_day(earliest_paid_on(budget))}, a year before the budget's start on "
        f"{_day(budget.period_start)}"
    )


def _check_paid_on(
    paid_on: datetime.date, today: datetime.date, *, field: str, what: str, budget=None
):
    """`what` names the date: "the date it was paid". With `budget`, the date must also be in
    its period or shortly before it."""
    if not isinstance(paid_on, datetime.date):
        raise ValidationError({field: f"Enter {what}"})
    what = f"{what[:1].upper()}{what[1:]}"
    if paid_on > today:
        raise ValidationError({field: f"{what} must be today or in the past"})
    if budget is not None and paid_on < earliest_paid_on(budget):
        raise ValidationError({field: f"{what} must be {_too_early(budget)}"})


def past_payments_refusal(budget, dates: list[datetime.date], today: datetime.date) -> str | None:
    """Why a schedule with these payment dates cannot be set yet, or None: its payments due
    before today would be recorded as paid, and this budget cannot pay yet (its plan is not
    approved, ADR 0024). A schedule from today can still be set."""
    past = [day for day in dates if day < today]
    if not past or budget.plan_approved_at is not None:
        return None
    count = len(past)
    return (
        f"{count} payment{'s' if count > 1 else ''} of this schedule "
        f"{'fall' if count > 1 else 'falls'} before today ({_dates_in_words(past)}), but no "
        "payment of this budget can be recorded as paid yet: it has not started, and is "
        "waiting for the care and support plan to be approved. Choose a first payment date "
        f"from today, {_day(today)}"
    )


def _past_payments(
    dates: list[datetime.date], paid: dict, today: datetime.date, budget
) -> dict[datetime.date, PastPayment]:
    """The payment recorded for each instalment due before today, checked."""
    past = [day for day in dates if day < today]
    unknown = sorted(set(paid) - set(past))
    if unknown:
        raise ValidationError(
            "Only payments due before today can be recorded as paid when the schedule is set. "
            f"{_day(unknown[0])} is not one of them"
        )
    missing = [day for day in past if day not in paid]
    if missing:
        count = len(past)
        raise ValidationError(
            {
                "first_payment_date": f"{count} payment{'s' if count > 1 else ''} of this "
                f"schedule {'fall' if count > 1 else 'falls'} before today "
                f"({_dates_in_words(past)}). Record {'each' if count > 1 else 'it'} as paid, "
                "with the date it was paid and the payment reference, or choose a first "
                "payment date from today"
            }
        )
    checked = {}
    for number, day in enumerate(dates, start=1):
        if day in paid:
            payment = paid[day]
            what = f"the date the payment due on {_day(day)} was paid"
            _check_paid_on(
                payment.paid_on, today, field=f"paid_on_{number}", what=what, budget=budget
            )
            reference = _check_reference(payment.reference, field=f"reference_{number}")
            checked[day] = PastPayment(payment.paid_on, reference)
    return checked


def schedule_refusal(budget) -> str | None:
    """Why this budget's payment schedule cannot be set or changed, or None if it can.

    Once a budget has been stopped its schedule stays as the stop left it: the payments due
    from the day it stops were cancelled, and a new schedule would spread the whole amount
    again over the days before the stop."""
    stopped_from = budget.stopped_from
    if stopped_from is None:
        return None
    stops = "stops" if stopped_from > timezone.localdate() else "stopped"
    if PaymentSchedule.objects.filter(portion__budget=budget).exists():
        return (
            f"This budget {stops} on {_day(stopped_from)}, so its payments cannot be set again: "
            "the payments due from that day were cancelled when it was stopped"
        )
    return (
        f"This budget {stops} on {_day(stopped_from)}, so its payments cannot be set up: it "
        "was stopped before its payment schedule was set"
    )


@transaction.atomic
def set_payment_schedule(
    *,
    actor,
    portion: HoldingPortion,
    frequency: str,
    first_payment_date: datetime.date,
    amounts: list[Decimal] | None = None,
    paid_before_today: dict[datetime.date, PastPayment] | None = None,
    backdated_reason: str = "",
    seen_schedule: str | None = None,
) -> PaymentSchedule:
    """Instalments from the first payment date to the end of the period, summing exactly to
    the portion. Without `amounts` they are equal, the odd pennies going to the first ones.

    A first payment date before today needs `backdated_reason`, and `paid_before_today` must
    say how each instalment due before today was paid (keyed by its due date).

    `seen_schedule` is the id of the schedule the page showed ("" for none): if another has
    been set since (a second tab, a colleague), nothing is replaced and the user is told."""
    budget = portion.budget
    require(actor, Permission.SET_PAYMENTS, budget.budget_holder)
    budget = _lock(budget, version=None, expected=(BudgetStatus.AGREED,), doing="set payments for")
    if not portion.is_paid_out:
        raise ValidationError("A notional budget is not paid out, so it has no payment schedule")
    refusal = schedule_refusal(budget)
    if refusal is not None:
        raise ValidationError(refusal)
    if first_payment_date < budget.period_start or first_payment_date > budget.period_end:
        raise ValidationError(
            {"first_payment_date": "The first payment must be within the budget's period"}
        )
    dates = calc.instalment_dates(
        first_payment_date, budget.period_end, calc.InstalmentFrequency(frequency)
    )
    today = timezone.localdate()
    refusal = past_payments_refusal(budget, dates, today)
    if refusal is not None:
        raise ValidationError({"first_payment_date": refusal})
    # Every payment is at least a penny: a payment of £0.00 is no payment, yet it would be
    # listed as due, to be recorded as paid, and told to the person as their next payment.
    if portion.amount < PENNY * len(dates):
        raise ValidationError(
            f"The {portion.short_method.lower()} of £{portion.amount:,.2f} cannot be paid in "
            f"{len(dates)} payments of at least £0.01 each. Choose a later first payment date, "
            "so that there are fewer payments"
        )
    if amounts is None:
        amounts = calc.split_evenly(portion.amount, len(dates))
    elif len(amounts) != len(dates):
        raise ValidationError(f"Enter {len(dates)} instalment amounts")
    else:
        errors = {}
        checked = []
        for number, (due, amount) in enumerate(zip(dates, amounts, strict=True), start=1):
            try:
                checked.append(
                    check_money(
                        amount,
                        what=f"The payment on {_day(due)}",
                        field=f"amount_{number}",
                        minimum=PENNY,
                    )
                )
            except ValidationError as error:
                errors.update(error.message_dict)
        if errors:
            raise ValidationError(errors)
        amounts = checked
        total = sum(amounts, Decimal(0))
        if total != portion.amount:
            difference = abs(total - portion.amount)
            more_or_less = "more" if total > portion.amount else "less"
            raise ValidationError(
                f"The payments add up to £{total:,.2f}, which is £{difference:,.2f} "
                f"{more_or_less} than the {portion.short_method.lower()} of "
                f"£{portion.amount:,.2f}. They must add up exactly"
            )

    backdated_reason = (backdated_reason or "").strip()
    if first_payment_date < today:
        if not backdated_reason:
            raise ValidationError(
                {
                    "backdated_reason": "The first payment date is in the past: explain why, "
                    "or choose a date from today"
                }
            )
        if len(backdated_reason) > REASON_MAX_LENGTH:
            raise ValidationError(
                {
                    "backdated_reason": "The reason must be "
                    f"{REASON_MAX_LENGTH:,} characters or fewer"
                }
            )
    else:
        backdated_reason = ""
    paid = _past_payments(dates, paid_before_today or {}, today, budget)

    existing = PaymentSchedule.objects.filter(portion=portion).select_related("created_by").first()
    if seen_schedule is not None and seen_schedule != (str(existing.pk) if existing else ""):
        raise Conflict(
            f"{existing.created_by.full_name} set this payment schedule on "
            f"{timezone.localtime(existing.created_at):%-d %B %Y at %H:%M}, after you opened the "
            "page. Check it before changing it. Nothing was changed."
            if existing is not None
            else "The payment schedule you opened has been taken away since. Nothing was changed."
        )
    if existing is not None:
        paid_count = existing.instalments.filter(paid_on__isnull=False).count()
        if paid_count:
            raise ValidationError(
                f"This schedule cannot be replaced: {paid_count} of its payments "
                f"{'have' if paid_count > 1 else 'has'} been recorded as paid, and a paid "
                "payment never changes"
            )
        existing.delete()
    schedule = PaymentSchedule.objects.create(
        portion=portion,
        frequency=frequency,
        first_payment_date=first_payment_date,
        backdated_reason=backdated_reason,
        created_by=actor,
    )
    now = timezone.now()
    PaymentInstalment.objects.bulk_create(
        PaymentInstalment(
            schedule=schedule,
            number=number,
            due_date=due,
            amount=amount,
            **(
                {
                    "paid_on": paid[due].paid_on,
                    "payment_reference": paid[due].reference,
                    "paid_recorded_by": actor,
                    "paid_recorded_at": now,
                }
                if due in paid
                else {}
            ),
        )
        for number, (due, amount) in enumerate(zip(dates, amounts, strict=True), start=1)
    )
    _save(budget)
    return schedule


def payable_refusal(budget) -> str | None:
    """Why payments of this budget are not recorded, in words that follow "This budget ...",
    or None when they are: a budget that has started, and one that has ended since it
    started (its payments due before it ended are still paid, and recorded when they are)."""
    if budget.status == BudgetStatus.ACTIVE:
        return None
    if budget.status == BudgetStatus.ENDED:
        # Read from the prefetched status changes when the page has them.
        if budget.last_status_change(BudgetStatus.ACTIVE) is not None:
            return None
        return "ended without being started"
    return f"is {budget.get_status_display().lower()}"


def _paid_already(instalment) -> str:
    """How an instalment was recorded as paid, for the person who tried to record it again.

    Read afresh: a row locked after waiting for another transaction is the new version, but
    rows joined to it in the same query are as they were before the wait."""
    instalment = PaymentInstalment.objects.select_related("paid_recorded_by", "payment_run").get(
        pk=instalment.pk
    )
    who = instalment.paid_recorded_by.full_name
    when = timezone.localtime(instalment.paid_recorded_at)
    run = instalment.payment_run
    how = f" in payment run {run.reference}" if run is not None else ""
    return (
        f"it was recorded as paid on {_day(instalment.paid_on)} (reference "
        f"{instalment.payment_reference}){how} by {who} on {when:%-d %B %Y at %H:%M}"
    )


@transaction.atomic
def record_payment(
    *, actor, instalment: PaymentInstalment, paid_on: datetime.date, reference: str
) -> PaymentInstalment:
    """Record one instalment as paid: the date it was paid and the payment reference."""
    budget = instalment.schedule.portion.budget
    require(actor, Permission.RECORD_PAYMENTS, budget.budget_holder)
    instalment = (
        PaymentInstalment.objects.select_for_update(of=("self",))
        .select_related("schedule__portion__budget", "paid_recorded_by", "payment_run__recorded_by")
        .get(pk=instalment.pk)
    )
    if instalment.is_paid:
        raise Conflict(f"You cannot record this payment: {_paid_already(instalment)}.")
    budget = instalment.schedule.portion.budget
    refusal = payable_refusal(budget)
    if refusal is not None:
        raise ValidationError(
            f"Payments are recorded for a budget that has started. This budget {refusal}"
        )
    today = timezone.localdate()
    _check_paid_on(paid_on, today, field="paid_on", what="the date it was paid", budget=budget)
    instalment.payment_reference = _check_reference(reference, field="reference")
    instalment.paid_on = paid_on
    instalment.paid_recorded_by = actor
    instalment.paid_recorded_at = timezone.now()
    instalment.save(
        update_fields=["paid_on", "payment_reference", "paid_recorded_by", "paid_recorded_at"]
    )
    return instalment


@transaction.atomic
def record_payment_run(
    *,
    actor,
    instalments,
    paid_on: datetime.date,
    reference: str,
    due_up_to: datetime.date,
) -> PaymentRun:
    """Record many instalments of the ICB the actor acts for as paid together, all or nothing.

    The instalments are locked in a fixed order, so two runs over the same instalments at
    once are serialised: the second finds them paid and is told by whom, and records nothing.
    """
    organisation = actor.acting_organisation
    require(actor, Permission.RECORD_PAYMENTS, organisation)
    ids = sorted({str(getattr(item, "pk", item)) for item in instalments})
    if not ids:
        raise ValidationError({"instalments": "Select the payments that were made"})
    today = timezone.localdate()
    _check_paid_on(paid_on, today, field="paid_on", what="the date they were paid")
    reference = _check_reference(reference, field="reference")
    locked = list(
        PaymentInstalment.objects.select_for_update(of=("self",))
        .filter(pk__in=ids, schedule__portion__budget__budget_holder__organisation=organisation)
        .select_related("schedule__portion__budget__budget_holder")
        .order_by("pk")
    )
    if len(locked) != len(ids):
        raise PermissionDenied("Not every instalment is one this user may record")
    paid = [instalment for instalment in locked if instalment.is_paid]
    if paid:
        first = paid[0]
        holder = first.schedule.portion.budget.budget_holder
        others = f" and {len(paid) - 1} more" if len(paid) > 1 else ""
        which = (
            ("this payment was" if len(locked) == 1 else "these payments were")
            if len(paid) == len(locked)
            else "some of these payments were"
        )
        raise Conflict(
            f"Nothing was recorded: {which} already recorded as paid. "
            f"{holder.full_name}'s payment due on {_day(first.due_date)}{others}: "
            f"{_paid_already(first)}. Choose again from the payments still due."
        )
    refusals = {}
    for instalment in locked:
        budget = instalment.schedule.portion.budget
        if budget.pk not in refusals:
            refusals[budget.pk] = payable_refusal(budget)
        refusal = refusals[budget.pk]
        if refusal is not None:
            raise ValidationError(
                f"Nothing was recorded: {budget.budget_holder.full_name}'s budget {refusal}, "
                "so its payments are not due"
            )
        if paid_on < earliest_paid_on(budget):
            raise ValidationError(
                {
                    "paid_on": f"Nothing was recorded: for {budget.budget_holder.full_name}'s "
                    f"budget, the date they were paid must be {_too_early(budget)}"
                }
            )
        if instalment.due_date > due_up_to:
            raise ValidationError(
                f"Nothing was recorded: {budget.budget_holder.full_name}'s payment on "
                f"{_day(instalment.due_date)} is not due by {_day(due_up_to)}"
            )
    run = PaymentRun.objects.create(
        organisation=organisation,
        due_up_to=due_up_to,
        paid_on=paid_on,
        reference=reference,
        total=sum((instalment.amount for instalment in locked), Decimal("0.00")),
        count=len(locked),
        recorded_by=actor,
    )
    PaymentInstalment.objects.filter(pk__in=ids).update(
        paid_on=paid_on,
        payment_reference=reference,
        paid_recorded_by=actor,
        paid_recorded_at=run.recorded_at,
        payment_run=run,
    )
    return run
