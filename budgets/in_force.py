"""A budget's amount in force on a day, and its parts: the one rule every page reads.

Issuing a change of amount overwrites the budget's amount and its portions' at once, long
before the change's day may come (`budgets.services.changes`); a change still to come, or one
the budget's stop overtook, has not happened, so the amount in force is the one before it.
`Amounts` works it out for one budget (with its parts, to the penny); `amount_in_force` is
the same rule as one SQL expression, for lists that show many budgets in one query.
"""

import datetime
from decimal import Decimal

from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.db.models.lookups import IsNull
from django.utils import timezone

from budgets.calculations import share_in_proportion
from budgets.models import Budget, BudgetChange, HoldingPortion
from budgets.models.fields import MoneyField


def overtaken(change) -> bool:
    """A change dated on or after the day its budget stops never takes effect: no payment is
    made from the budget from that day, whenever the change was issued."""
    stops = change.budget.stopped_from
    return stops is not None and change.effective_from >= stops


def in_issue_order(budget: Budget) -> list:
    """The budget's changes of amount in the order they were issued (from its prefetched
    changes where it has them)."""
    return sorted(budget.changes.all(), key=lambda change: change.at)


class Amounts:
    """A budget's amount, and how it is shared among the ways the money is kept, as each change
    of amount left them.

    Each change keeps the amount before it; the shares before are the portions' amounts when
    they were written (the audit trigger's insert events: after a budget is agreed only a
    change of amount moves them), shared out again at each change as
    `budgets.services.changes` does it, to the penny."""

    def __init__(self, budget: Budget):
        self.budget = budget
        self.changes = in_issue_order(budget)
        self.portions = sorted(budget.portions.all(), key=lambda portion: portion.method)
        self._splits: list[dict] | None = None

    def index_on(self, on: datetime.date) -> int:
        """How many of the changes, in the order they were issued, the amount on `on` is
        the result of (0: none, the amount first agreed)."""
        index = 0
        for number, change in enumerate(self.changes, start=1):
            if change.effective_from <= on and not overtaken(change):
                index = number
        return index

    def to_come(self, on: datetime.date) -> list[tuple[int, object]]:
        """(index, change) for each change still to come after `on` that will happen."""
        return [
            (number, change)
            for number, change in enumerate(self.changes, start=1)
            if change.effective_from > on and not overtaken(change)
        ]

    def amount(self, index: int) -> Decimal:
        if index == 0:
            return self.changes[0].previous_amount if self.changes else self.budget.agreed_amount
        return self.changes[index - 1].new_amount

    def on(self, day: datetime.date) -> Decimal:
        """The amount in force on `day`."""
        return self.amount(self.index_on(day))

    def steps(self, on: datetime.date) -> list[tuple[int, datetime.date | None]]:
        """(index, from when) for the amount in force on `on` (None) and for each change
        still to come (its day)."""
        return [(self.index_on(on), None)] + [
            (index, change.effective_from) for index, change in self.to_come(on)
        ]

    def portion_amounts(self, on: datetime.date) -> dict:
        """Each portion's amounts (by its key) as (amount, from when) for `steps(on)`, leaving
        out any that are not known."""
        known = [(self.shares(index), when) for index, when in self.steps(on)]
        return {
            portion.pk: [(split[portion.pk], when) for split, when in known if split]
            for portion in self.portions
        }

    def shares(self, index: int) -> dict | None:
        """Each portion's amount (by its key) after `index` changes; None if not known."""
        if index == len(self.changes):
            return {portion.pk: portion.amount for portion in self.portions}
        if self._splits is None:
            self._splits = self._replayed()
        return self._splits[index] if self._splits else None

    def _replayed(self) -> list[dict]:
        keys = [portion.pk for portion in self.portions]
        written = dict(
            HoldingPortion.pgh_event_model.objects.filter(
                pgh_obj_id__in=keys, pgh_label="insert"
            ).values_list("pgh_obj_id", "amount")
        )
        if set(written) != set(keys):
            return []
        amounts = [written[key] for key in keys]
        splits = [amounts]
        for change in self.changes:
            amounts = share_in_proportion(change.new_amount, amounts)
            splits.append(amounts)
        # Only what adds up to the record as it stands: otherwise the shares are not known.
        if sum(splits[0]) != self.amount(0) or splits[-1] != [p.amount for p in self.portions]:
            return []
        return [dict(zip(keys, split, strict=True)) for split in splits]


def _pounds(value: Decimal) -> str:
    return f"£{value:,.2f}"


def _day(value: datetime.date) -> str:
    return f"{value:%-d %B %Y}"


def standing_words(budget: Budget, on: datetime.date | None = None) -> str:
    """What the budget is on `on` (today) and each change still to come, to follow "The
    budget ": "is £6,163.93 now and goes down to £5,000.00 from 3 January 2027", or "is
    £6,163.93 now"."""
    on = on or timezone.localdate()
    amounts = Amounts(budget)
    words = f"is {_pounds(amounts.on(on))} now"
    later = [
        f"{'up' if change.is_increase else 'down'} to {_pounds(change.new_amount)} from "
        f"{_day(change.effective_from)}"
        for _, change in amounts.to_come(on)
    ]
    if later:
        words += " and goes " + ", then ".join(later)
    return words


def not_overtaken() -> Q:
    """`not overtaken(change)` for a budget's changes in a subquery of its budgets: a budget
    stopped early ends the day before its stop (`Budget.stopped_from`)."""
    return Q(IsNull(OuterRef("agreed_period_end"), True)) | Q(
        effective_from__lte=OuterRef("period_end")
    )


def amount_in_force(on: datetime.date | None = None):
    """The amount in force on `on` (today) of each budget of a queryset, as one SQL expression
    (`Amounts.on`): the new amount of the last change, in the order they were issued, that
    has happened by then; else the amount before the first change (none has happened); else
    the amount agreed (there are none). A change has happened once its day has come, unless
    the budget stops before it (`overtaken`)."""
    on = on or timezone.localdate()
    changes = BudgetChange.objects.filter(budget=OuterRef("pk"))
    happened = changes.filter(not_overtaken(), effective_from__lte=on).order_by("-at")
    first = changes.order_by("at")
    return Coalesce(
        Subquery(happened.values("new_amount")[:1]),
        Subquery(first.values("previous_amount")[:1]),
        F("agreed_amount"),
        output_field=MoneyField(),
    )
