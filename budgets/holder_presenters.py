"""The budget holder's page: their budget as it stands now, in plain English.

The person (or their representative) reads this, not staff: no "ICB", "nominee", "indicative"
or "portion"; to a representative it is the person's budget and *their* needs. Every sentence
is true of the budget's current state:

- no budget (or one still being prepared, which they are not shown): nothing about an amount;
- proposed: "proposed", never "agreed" (the amount may change before it is agreed);
- agreed and active: the amount, how it was worked out, how the money is held and paid;
- changed (a reduction or an increase): the amount as it is now, with the change and its date
  stated, the first calculation labelled as what it was before the change;
- ended: when it ended.

Payments read the schedule's dates. Whether an instalment has been paid comes from
`paid_state`, which reports nothing until instalments record it (then it says "Paid on ...").
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone
from django.utils.html import format_html

from budgets.models import Budget, HoldingMethod
from budgets.models.budget import BudgetStatus
from budgets.presenters import Explanation, explain_calculation, money
from phb.presenters import hidden_caption

SHOWN_TO_HOLDER = (
    BudgetStatus.PROPOSED,
    BudgetStatus.AGREED,
    BudgetStatus.ACTIVE,
    BudgetStatus.ENDED,
)


def day(value: date) -> str:
    return f"{value:%-d %B %Y}"


def paid_state(instalment) -> date | bool | None:
    """When an instalment was paid (a date), False if it is known not to have been paid, or
    None when the service does not record it. Reads `paid_on` where instalments have one."""
    return getattr(instalment, "paid_on", None)


@dataclass
class Reader:
    """Who reads the page: the person ("you") or someone acting for them ("Margaret")."""

    holder: object
    acting_for: bool

    @property
    def name(self) -> str:
        return self.holder.given_name if self.acting_for else "you"

    @property
    def subject(self) -> str:
        """'You' or 'Margaret' at the start of a sentence."""
        return self.holder.given_name if self.acting_for else "You"

    @property
    def whose(self) -> str:
        """'Your' or "Margaret's" at the start of a sentence."""
        return f"{self.holder.given_name}'s" if self.acting_for else "Your"

    @property
    def their(self) -> str:
        return "their" if self.acting_for else "your"


@dataclass
class HolderBudget:
    """Everything the holder's page says about a budget."""

    state: str  # none, proposed, agreed, active, ended
    heading: str
    lead: list[str] = field(default_factory=list)
    budget: Budget | None = None
    summary_rows: list[dict] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    explanation_heading: str = ""
    explanation: Explanation | None = None
    steps: list[str] = field(default_factory=list)
    payments: list[dict] = field(default_factory=list)
    other: list[str] = field(default_factory=list)


def holder_budget(
    budgets,
    *,
    holder,
    acting_for: bool,
    today: date | None = None,
    paid: Callable = paid_state,
) -> HolderBudget:
    """The holder's page for their budgets (`budgets`: the person's, newest first)."""
    today = today or timezone.localdate()
    reader = Reader(holder, acting_for)
    shown = [budget for budget in budgets if budget.status in SHOWN_TO_HOLDER]
    live = [b for b in shown if b.status in (BudgetStatus.AGREED, BudgetStatus.ACTIVE)]
    proposed = [b for b in shown if b.status == BudgetStatus.PROPOSED]
    ended = [b for b in shown if b.status == BudgetStatus.ENDED]
    if live:
        page = _live(live[0], reader, today, paid)
        page.other = [_also_proposed(b, reader) for b in proposed]
    elif proposed:
        page = _proposed(proposed[0], reader)
    elif ended:
        page = _ended(ended[0], reader, today, paid)
    else:
        return HolderBudget(
            state="none",
            heading=f"{reader.whose} budget",
            lead=[
                f"{reader.subject} {'does' if reader.acting_for else 'do'} not have a personal "
                "health budget yet. The personal health budget team will say how much it is, "
                "and how they worked it out, before it starts."
            ],
        )
    return page


# --- each state ---------------------------------------------------------------------------------


def _period(budget: Budget) -> str:
    return f"{day(budget.period_start)} to {day(budget.period_end)}"


def _proposed(budget: Budget, reader: Reader) -> HolderBudget:
    return HolderBudget(
        state="proposed",
        heading=f"{reader.whose} proposed budget",
        lead=[
            f"The personal health budget team has proposed a budget of "
            f"{money(budget.agreed_amount)} for {_period(budget)}.",
            "It has not been agreed yet, so the amount may change. The team will tell "
            f"{reader.name} when it is agreed.",
        ],
        budget=budget,
        summary_rows=_summary_rows(budget, reader, amount_label="Proposed amount"),
        explanation_heading="How the proposed amount was worked out",
        explanation=explain_calculation(budget.calculation),
        steps=_steps(budget, reader, agreed=False),
    )


def _live(budget: Budget, reader: Reader, today: date, paid) -> HolderBudget:
    changes = list(budget.changes.all())
    state = "active" if budget.status == BudgetStatus.ACTIVE else "agreed"
    if changes:
        latest = changes[-1]
        lead = [
            f"{reader.whose} budget is now {money(budget.agreed_amount)} for {_period(budget)}.",
        ]
    elif state == "active":
        lead = [f"{reader.whose} budget is {money(budget.agreed_amount)} for {_period(budget)}."]
    else:
        lead = [
            f"{reader.whose} budget has been agreed: {money(budget.agreed_amount)} for "
            f"{_period(budget)}. It starts when the payments have been set up."
        ]
    page = HolderBudget(
        state=state,
        heading=f"{reader.whose} budget",
        lead=lead,
        budget=budget,
        summary_rows=_summary_rows(budget, reader),
        changes=[_change_words(change) for change in changes],
        explanation=explain_calculation(budget.calculation),
        steps=_steps(budget, reader, agreed=True),
        payments=_payments(budget, reader, today, paid),
    )
    if changes:
        page.explanation_heading = "How the budget was first worked out"
        page.steps.append(
            f"That was the amount before the change on {day(latest.effective_from)}. "
            f"{reader.whose} budget is now {money(budget.agreed_amount)}."
        )
    else:
        page.explanation_heading = "How the budget was worked out"
    return page


def _ended(budget: Budget, reader: Reader, today: date, paid) -> HolderBudget:
    ended_on = next(
        (c.at for c in reversed(budget.status_changes.all()) if c.to_status == "ended"), None
    )
    when = day(timezone.localtime(ended_on).date()) if ended_on else day(budget.period_end)
    return HolderBudget(
        state="ended",
        heading=f"{reader.whose} budget",
        lead=[
            f"{reader.whose} budget for {_period(budget)} ended on {when}.",
            f"{reader.subject} {'does' if reader.acting_for else 'do'} not have a budget now. "
            "If you think that is wrong, contact the personal health budget team.",
        ],
        budget=budget,
        summary_rows=_summary_rows(budget, reader, amount_label="Amount when it ended"),
        changes=[_change_words(change) for change in budget.changes.all()],
        payments=_payments(budget, reader, today, paid, ended=True),
    )


def _also_proposed(budget: Budget, reader: Reader) -> str:
    return (
        f"A budget of {money(budget.agreed_amount)} has also been proposed for "
        f"{_period(budget)}. It has not been agreed yet."
    )


def _change_words(change) -> str:
    went = "down" if change.new_amount < change.previous_amount else "up"
    return (
        f"From {day(change.effective_from)} the budget went {went} from "
        f"{money(change.previous_amount)} to {money(change.new_amount)}, because: {change.reason}"
    )


def _steps(budget: Budget, reader: Reader, *, agreed: bool) -> list[str]:
    """From the calculation's yearly figure to the budget's amount when it was set, and why."""
    calculation = budget.calculation
    annual = getattr(calculation, "annual_amount", None)
    if annual is None:
        annual = getattr(calculation, "annual_cost", None) or calculation.total_annual
    steps = []
    if budget.indicative_amount != annual:
        days = (budget.period_end - budget.period_start).days + 1
        steps.append(
            f"The budget is for {days} days ({_period(budget)}), not a whole year, so the "
            f"yearly {money(annual)} becomes {money(budget.indicative_amount)}."
        )
    first = budget.changes.all()[0].previous_amount if budget.changes.all() else None
    amount = first if first is not None else budget.agreed_amount
    word = "agreed" if agreed else "proposed"
    if amount > budget.indicative_amount:
        check = budget.supporting_check() if not agreed else budget.clinical_check
        supported = check is not None and check.supported
        steps.append(
            f"The {word} amount, {money(amount)}, is "
            f"{money(amount - budget.indicative_amount)} more than this, because: "
            f"{budget.clinical_justification}"
            + (" A clinician checked and supported this." if supported else "")
        )
    elif amount < budget.indicative_amount:
        steps.append(
            f"The {word} amount, {money(amount)}, is less than this: it is enough for the "
            f"care in {reader.their} plan."
        )
    return steps


# --- summary and payments -------------------------------------------------------------------


def _held(portion, reader: Reader) -> str:
    if portion.method == HoldingMethod.NOTIONAL:
        return (
            f"Kept by the personal health budget team, who arrange {reader.their} care: "
            f"{money(portion.amount)}"
        )
    if portion.method == HoldingMethod.THIRD_PARTY:
        holder = portion.held_by or "an organisation"
        return f"Kept by {holder}, who pay for {reader.their} care: {money(portion.amount)}"
    return (
        f"Paid into a bank account to spend on the care in {reader.their} plan (a direct "
        f"payment): {money(portion.amount)}"
    )


def _summary_rows(budget: Budget, reader: Reader, *, amount_label: str = "Amount") -> list[dict]:
    from django.utils.html import format_html_join

    held = format_html_join("", "<li>{}</li>", ((_held(p, reader),) for p in budget.portions.all()))
    rows = [
        (amount_label, {"text": money(budget.agreed_amount), "classes": "phb-money"}),
        ("Dates", {"text": _period(budget)}),
        ("How the money is kept", {"html": format_html('<ul class="nhsuk-list">{}</ul>', held)}),
    ]
    return [{"key": {"text": key}, "value": value} for key, value in rows]


def _payments(budget: Budget, reader: Reader, today: date, paid, *, ended=False) -> list[dict]:
    """For each paid-out part of the budget: a sentence about the next payment and a table
    of payment dates, amounts and whether each has been paid."""
    sections = []
    for portion in budget.portions.all():
        schedule = portion.schedule if portion.is_paid_out else None
        if schedule is None:
            continue
        instalments = list(schedule.instalments.all())
        upcoming = [i for i in instalments if i.due_date >= today]
        if ended or not upcoming:
            next_words = "There are no more payments for this budget."
        else:
            following = upcoming[0]
            next_words = (
                f"The next payment is {money(following.amount)} on {day(following.due_date)}."
            )
        rows = []
        for instalment in instalments:
            rows.append(
                [
                    {"text": day(instalment.due_date)},
                    {
                        "text": money(instalment.amount),
                        "format": "numeric",
                        "classes": "phb-money",
                    },
                    {"text": _paid_words(instalment, paid(instalment), today, upcoming)},
                ]
            )
        method = portion.short_method
        sections.append(
            {
                "heading": f"Payments: {method[:1].lower()}{method[1:]}",
                "next": next_words,
                "table": {
                    "caption": hidden_caption(f"Payment dates and amounts: {method.lower()}"),
                    "head": [
                        {"text": "Date"},
                        {"text": "Amount", "format": "numeric"},
                        {"text": "Paid"},
                    ],
                    "rows": rows,
                    "responsive": True,
                },
            }
        )
    return sections


def _paid_words(instalment, state, today: date, upcoming) -> str:
    if isinstance(state, date):
        return f"Paid on {day(state)}"
    if instalment.due_date >= today:
        return "Next payment" if upcoming and instalment is upcoming[0] else "Not due yet"
    if state is False:
        return "Not paid yet"
    return "Due date passed"
