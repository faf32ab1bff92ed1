"""The budget holder's page: their budget as it stands now, in plain English.

The person (or their representative) reads this, not staff: no "ICB", "nominee", "indicative"
or "portion"; to a representative it is the person's budget and *their* needs. Every sentence
is true of the budget's current state:

- no budget (or only one still being prepared, which they are not shown): nothing about an
  amount;
- proposed: "proposed", never "agreed" (the amount may change before it is agreed);
- agreed and active: the amount, how it was worked out, how the money is kept and paid;
- agreed, its care and support plan not approved yet: that it has not started and starts once
  the plan is approved, and no payment dates (none can be paid before then, ADR 0024);
- changed (down or up): the amount in force today, and each change still to come with the
  amount (and the parts) from its day; a change the budget's stop overtook never happens, so
  the amount before it stands; the explanation runs from the calculation to the first amount
  and through each change (and, for an increase above the amount worked out, its clinical
  justification) to today's amount;
- stopped: the day, and why (the app that stopped it says, `phb.extensions`), with its letter
  among the budget's letters;
- ended: that it ended, and no more payments (or, if it never started, that none were made).

Payments read the schedule: a payment finance has recorded as paid says "Paid on" the date it
was paid; of the others, the first due from today is the next, later ones are still to come,
and one whose date has passed without a payment recorded has not been made yet: it is still to
be made (finance lists it as due), so the page says so, and never "no more payments" while one
is waiting.
"""

from dataclasses import dataclass, field
from datetime import date

from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from budgets.in_force import Amounts, in_issue_order
from budgets.models import Budget, HoldingMethod
from budgets.models.budget import LIVE_STATUSES, BudgetStatus
from budgets.presenters import (
    Explanation,
    change_words,
    day,
    explain_budget_calculation,
    from_day,
    money,
    overtaken_by_stop,
    period_step,
    period_words,
    sentence,
    stop_words,
    went,
)
from phb.extensions import BudgetLetterLink, holder_budget_additions
from phb.presenters import hidden_caption, letter_links


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
    def does(self) -> str:
        """'You do' or 'Margaret does'."""
        return f"{self.subject} {'does' if self.acting_for else 'do'}"

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
    # The budget's letters and those other apps wrote about it (a stop, money asked back),
    # newest first.
    letters: list = field(default_factory=list)


def holder_budget(
    budgets,
    *,
    holder,
    acting_for: bool,
    today: date | None = None,
) -> HolderBudget:
    """The holder's page for their budgets (`budgets`: the person's, in any order)."""
    today = today or timezone.localdate()
    reader = Reader(holder, acting_for)
    by_start = sorted(budgets, key=lambda b: b.period_start)
    live = [b for b in by_start if b.status in LIVE_STATUSES]
    proposed = [b for b in by_start if b.status == BudgetStatus.PROPOSED]
    ended = [b for b in by_start if b.status == BudgetStatus.ENDED]
    if live:
        # The budget for today if there is one, else the next to start, else the last one.
        current = next((b for b in live if b.period_end >= today), live[-1])
        page = _live(current, reader, today)
        page.other = [_also_agreed(b) for b in live if b is not current]
        page.other += [_also_proposed(b) for b in proposed]
    elif proposed:
        page = _proposed(proposed[0], reader)
        page.other = [_also_proposed(b) for b in proposed[1:]]
    elif ended:
        page = _ended(ended[-1], reader)
    else:
        page = HolderBudget(
            state="none",
            heading=f"{reader.whose} budget",
            lead=[
                f"{reader.does} not have a personal health budget yet. The personal health "
                "budget team will say how much it is, and how they worked it out, before it "
                "starts."
            ],
        )
    if page.budget is not None:
        page.letters = _letters(page.budget)
    return page


# --- each state ---------------------------------------------------------------------------------


def _period(budget: Budget) -> str:
    # For a budget stopped early, the whole period its amount was agreed for.
    return f"{day(budget.period_start)} to {day(budget.full_period_end)}"


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
        explanation=explain_budget_calculation(budget),
        steps=_steps(budget, reader),
    )


def _live(budget: Budget, reader: Reader, today: date) -> HolderBudget:
    amounts = Amounts(budget)
    changes = amounts.changes
    now = amounts.index_on(today)
    amount = f"{money(amounts.amount(now))} for {_period(budget)}"
    # A change of amount issued but not started yet: nothing is different until its day.
    to_come = amounts.to_come(today)
    if to_come:
        _, first = to_come[0]
        coming = (
            f"{'goes up' if first.is_increase else 'goes down'} from "
            f"{money(first.previous_amount)} to {money(first.new_amount)} from "
            f"{day(first.effective_from)}. Nothing changes before then."
        )
    # Payments cannot start until the care and support plan is approved (ADR 0024).
    waiting_for_plan = budget.status == BudgetStatus.AGREED and budget.plan_approved_at is None
    if budget.status == BudgetStatus.ACTIVE and to_come:
        state = "active"
        lead = [f"{reader.whose} budget for {_period(budget)} {coming}"]
    elif budget.status == BudgetStatus.ACTIVE:
        state = "active"
        lead = [f"{reader.whose} budget is {'now ' if now else ''}{amount}."]
    else:
        state = "agreed"
        lead = [f"{reader.whose} budget has been agreed: {amount}."]
        if to_come:
            lead.append(f"It {coming}")
    if stopped := stop_words(budget, today):
        if not waiting_for_plan:
            lead.append(f"{stopped}: there are no payments from it from that day.")
        elif budget.stopped_from > today:
            lead.append(f"{stopped}. It has not started, so no payments have been made from it.")
        else:
            lead.append(f"{stopped}. It never started, so no payments were made from it.")
        lead += _why_stopped(budget, reader, today)
    elif waiting_for_plan:
        lead.append(
            f"It has not started yet. It starts once {reader.their} care and support plan has "
            "been approved, and no payments are made from it before then."
        )
    elif state == "agreed" and any(
        p.is_paid_out and not _schedule(p) for p in budget.portions.all()
    ):
        lead.append(
            f"The personal health budget team will tell {reader.name} the payment dates when "
            "they have set them up."
        )
    return HolderBudget(
        state=state,
        heading=f"{reader.whose} budget",
        lead=lead,
        budget=budget,
        summary_rows=_summary_rows(budget, reader, today=today, amounts=amounts, on=today),
        changes=[change_words(change) for change in changes],
        explanation_heading="How the budget was worked out",
        explanation=explain_budget_calculation(budget),
        steps=_steps(budget, reader),
        # No payment date is promised before the budget can start.
        payments=[] if waiting_for_plan else _payments(budget, today),
    )


def _why_stopped(budget: Budget, reader: Reader, today: date) -> list[str]:
    """Why the budget stops, as the app that stopped it says (DOMAIN.md 7: a person is told
    why)."""
    verb = "stopped" if budget.stopped_from <= today else "stops"
    return [
        f"It {verb} because {because}."
        for addition in holder_budget_additions()
        if (because := addition.stopped_because(budget, reader.acting_for))
    ]


def _ended(budget: Budget, reader: Reader) -> HolderBudget:
    today = timezone.localdate()
    # Payments are made only from a budget that started (budgets.services.payable_refusal).
    if budget.last_status_change(BudgetStatus.ACTIVE) is not None:
        payments = "There are no more payments from it."
    else:
        payments = "It never started, so no payments were made from it."
    lead = [
        f"{reader.whose} budget for {_period(budget)} "
        + (f"stopped on {day(budget.stopped_from)}" if budget.stopped_from else "has ended")
        + f". {payments}"
    ]
    if budget.stopped_from:
        lead += _why_stopped(budget, reader, today)
    lead.append(
        f"{reader.does} not have a budget now. If you think that is wrong, contact the "
        "personal health budget team."
    )
    return HolderBudget(
        state="ended",
        heading=f"{reader.whose} budget",
        lead=lead,
        budget=budget,
        # The amount as it was on its last day: a change its stop overtook never happened.
        summary_rows=_summary_rows(budget, reader, amount_label="Amount", on=budget.period_end),
    )


def _also_agreed(budget: Budget) -> str:
    return f"A budget of {money(budget.agreed_amount)} has also been agreed for {_period(budget)}."


def _also_proposed(budget: Budget) -> str:
    return (
        f"A budget of {money(budget.agreed_amount)} has also been proposed for "
        f"{_period(budget)}. It has not been agreed yet, so the amount may change."
    )


def _change_step(change, indicative) -> str:
    if overtaken := overtaken_by_stop(change):
        was_to = "go up" if change.is_increase else "go down"
        return (
            f"From {day(change.effective_from)} it was to {was_to} to "
            f"{money(change.new_amount)}. {overtaken}"
        )
    words = f"From {day(change.effective_from)} it {went(change)} to {money(change.new_amount)}"
    if not (change.is_increase and change.clinical_justification):
        return words + "."
    # An increase above the amount worked out needs a clinician's supporting check first.
    return (
        f"{words}, {money(change.new_amount - indicative)} more than the {money(indicative)} "
        f"worked out above, because: {sentence(change.clinical_justification)} A clinician "
        "checked and supported this."
    )


def _annual(calculation) -> object:
    for name in ("annual_amount", "annual_cost", "total_annual"):
        if hasattr(calculation, name):
            return getattr(calculation, name)
    raise TypeError(calculation)  # pragma: no cover - every calculation has one


def _steps(budget: Budget, reader: Reader) -> list[str]:
    """From the calculation's yearly figure to the budget's amount as it stands now: the
    part of a year, the amount first proposed or agreed and why, then each change."""
    steps = period_step(budget, _annual(budget.calculation))
    changes = in_issue_order(budget)
    first = changes[0].previous_amount if changes else budget.agreed_amount
    word = "proposed" if budget.status == BudgetStatus.PROPOSED else "agreed"
    prefix = "first " if changes else ""
    if first > budget.indicative_amount:
        check = budget.supporting_check() if word == "proposed" else budget.clinical_check
        supported = check is not None and check.supported
        # A checked increase replaces the budget's justification with its own, so the first
        # amount's reason is the budget's only while no increase has been checked since.
        because = (
            "."
            if any(change.clinical_check_id for change in changes)
            else f", because: {sentence(budget.clinical_justification)}"
        )
        steps.append(
            f"The amount {prefix}{word}, {money(first)}, is "
            f"{money(first - budget.indicative_amount)} more than the "
            f"{money(budget.indicative_amount)} worked out above{because}"
            + (" A clinician checked and supported this." if supported else "")
        )
    elif first < budget.indicative_amount:
        # Only the figures: being less does not show it is enough, and there may be no plan yet.
        steps.append(
            f"The amount {prefix}{word}, {money(first)}, is "
            f"{money(budget.indicative_amount - first)} less than the "
            f"{money(budget.indicative_amount)} worked out above."
        )
    elif changes:
        steps.append(f"The amount first agreed was {money(first)}.")
    steps += [_change_step(change, budget.indicative_amount) for change in changes]
    if changes and not overtaken_by_stop(changes[-1]):
        last = changes[-1]
        if last.effective_from > timezone.localdate():
            steps.append(
                f"So from {day(last.effective_from)} the budget will be "
                f"{money(budget.agreed_amount)}."
            )
        else:
            steps.append(f"So the budget is now {money(budget.agreed_amount)}.")
    return steps


# --- summary and payments -------------------------------------------------------------------


def held_heading(portion) -> str:
    """How a part of the budget is kept, as a heading for the person (their letters say it as
    their page does): never "notional" or "third party"."""
    if portion.method == HoldingMethod.NOTIONAL:
        return "Kept by the personal health budget team"
    if portion.method == HoldingMethod.THIRD_PARTY:
        return f"Kept by {portion.held_by}"
    return "Paid into a bank account (a direct payment)"


def _held(portion, reader: Reader, amounts: list[str]) -> str:
    """How a part of the budget is kept, and its amount now and from each change to come
    ("£1,500.00, then £1,125.00 from 15 January 2027")."""
    if portion.method == HoldingMethod.NOTIONAL:
        words = f"Kept by the personal health budget team, who arrange {reader.their} care"
    elif portion.method == HoldingMethod.THIRD_PARTY:
        words = f"Kept by {portion.held_by}, who pay for {reader.their} care"
    else:
        words = (
            f"Paid into a bank account to spend on the care in {reader.their} plan (a direct "
            "payment)"
        )
    return f"{words}: {', then '.join(amounts)}" if amounts else words


def _summary_rows(
    budget: Budget,
    reader: Reader,
    *,
    amount_label: str = "Amount",
    today: date | None = None,
    amounts: Amounts | None = None,
    on: date | None = None,
) -> list[dict]:
    """The amount in force on `on` (today) and from each change still to come, with how the
    money is kept at each."""
    amounts = amounts or Amounts(budget)
    on = on or today or timezone.localdate()
    shares = amounts.portion_amounts(on)
    held = format_html_join(
        "",
        "<li>{}</li>",
        (
            (
                _held(
                    portion,
                    reader,
                    [f"{money(amount)}{from_day(when)}" for amount, when in shares[portion.pk]],
                ),
            )
            for portion in budget.portions.all()
        ),
    )
    rows = [
        (
            f"{amount_label}{from_day(when)}",
            {"text": money(amounts.amount(index)), "classes": "phb-money"},
        )
        for index, when in amounts.steps(on)
    ]
    rows += [
        ("Dates", {"text": period_words(budget, today=today)}),
        ("How the money is kept", {"html": format_html('<ul class="nhsuk-list">{}</ul>', held)}),
    ]
    return [{"key": {"text": key}, "value": value} for key, value in rows]


def _letters(budget: Budget) -> list:
    letters = [
        BudgetLetterLink(
            subject=letter.subject,
            url=reverse("budgets:letter", args=[letter.pk]),
            created_at=letter.created_at,
        )
        for letter in budget.letters.all()
    ]
    for addition in holder_budget_additions():
        letters += addition.letters(budget)
    return listed_letters(letters)


def listed_letters(letters: list[BudgetLetterLink]) -> list[dict]:
    """The letters newest first, each as its link reads (`phb.presenters.letter_links`)."""
    return letter_links(letters, lambda letter: letter.url)


def _schedule(portion):
    return getattr(portion, "schedule", None)


def _payments_heading(portion) -> str:
    if portion.method == HoldingMethod.THIRD_PARTY:
        return f"Payments to {portion.held_by}"
    return "Payments into the bank account (direct payment)"


def _payments(budget: Budget, today: date) -> list[dict]:
    """For each part of the budget that is paid out on a schedule: any payment whose date has
    passed that has not been made yet, when the next payment comes, and a table of payment
    dates and amounts, saying of each when it was paid, or that it is the next one, is still
    to come or has not been made yet."""
    sections = []
    for portion in budget.portions.all():
        schedule = _schedule(portion) if portion.is_paid_out else None
        if schedule is None:
            continue
        instalments = list(schedule.instalments.all())
        upcoming = [i for i in instalments if i.due_date >= today and not i.is_paid]
        following = upcoming[0] if upcoming else None
        # A payment whose date has passed is still to be made until finance records it (it
        # waits in their "Payments due"): it is not "no more payments".
        missed = [i for i in instalments if i.due_date < today and not i.is_paid]
        next_words = []
        if len(missed) == 1:
            next_words.append(
                f"The payment of {money(missed[0].amount)} due on {day(missed[0].due_date)} "
                "has not been made yet."
            )
        elif missed:
            total = sum(i.amount for i in missed)
            next_words.append(
                f"{len(missed)} payments due from {day(missed[0].due_date)} to "
                f"{day(missed[-1].due_date)}, {money(total)} in all, have not been made yet."
            )
        if following is not None:
            next_words.append(
                f"The next payment is {money(following.amount)} on {day(following.due_date)}."
            )
        elif missed:
            # Later ones may have been paid in advance: these are the last still to be made.
            them = "It is the last payment" if len(missed) == 1 else "They are the last payments"
            next_words.append(f"{them} still to be made for this budget.")
        else:
            next_words.append("There are no more payments for this budget.")
        rows = [
            [
                {"text": day(instalment.due_date)},
                {"text": money(instalment.amount), "format": "numeric", "classes": "phb-money"},
                {"text": _when_words(instalment, today, following)},
            ]
            for instalment in instalments
        ]
        sections.append(
            {
                "heading": _payments_heading(portion),
                "next": " ".join(next_words),
                "table": {
                    "caption": hidden_caption(f"{_payments_heading(portion)}: dates and amounts"),
                    "head": [
                        {"text": "Date"},
                        {"text": "Amount", "format": "numeric"},
                        {"text": "Payment"},
                    ],
                    "rows": rows,
                    "responsive": True,
                },
            }
        )
    return sections


def _when_words(instalment, today: date, following) -> str:
    if instalment.is_paid:
        return f"Paid on {day(instalment.paid_on)}"
    if instalment is following:
        return "Next payment"
    if instalment.due_date >= today:
        return "Still to come"
    return "Not made yet"
