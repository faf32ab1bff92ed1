"""Changes to a live budget's amount, up or down, with the letter that explains them.

A change is previewed before it is made: `preview_amount_change` works out everything the change
would do and writes the letters without saving anything; `change_budget_amount` does it, only if
the letters it would now write are exactly the ones previewed (a digest of them comes back from
the preview page) and the budget has not changed since. The letter is then stored and never
changes (ADR 0018).

- A change follows on from the amount as last decided (`Budget.agreed_amount`, which a change
  still to come has already written): it goes up or down from there, and re-spreads the
  schedule as the last change left it. Pages and messages say the amount in force today, and
  any change still to come, where they say "now" (`budgets.in_force`).
- The notice is worked out from the dates: from the letter's date (today) to the day the change
  starts. A reduction needs at least `settings.PHB_REDUCTION_MINIMUM_NOTICE_DAYS`; an increase
  needs none, but cannot start before the letter.
- An increase to above the indicative amount needs a clinical justification and a clinician's
  supporting check of exactly the new amount: the PHB lead proposes it (`propose_increase`), a
  clinician checks it (`record_increase_check`), and then the change can be made.
- Each paid-out portion's schedule is re-spread: paid instalments, and those due before the
  change, keep their amounts; the unpaid ones from the change share the rest to the penny,
  at least a penny each (a reduction that would leave them £0.00 is refused).
  When none is left to pay from the change's day (it starts after the last payment date), an
  increase is paid as one further payment on that day, and a reduction is refused on its date.
- The letter goes to each representative or nominee, addressed to them and about the person,
  and to the person when they have none or have asked for copies.
"""

import datetime
import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone

from budgets import calculations as calc
from budgets.in_force import Amounts, standing_words
from budgets.models import (
    BudgetChange,
    BudgetLetter,
    BudgetStatus,
    ClinicalCheck,
    LetterKind,
    LetterRecipient,
    PaymentInstalment,
    ProposedIncrease,
)
from budgets.models.budget import LIVE_STATUSES
from budgets.models.changes import JUSTIFICATION_MAX_LENGTH
from budgets.money import check_money
from budgets.services.base import Conflict, _lock, _save
from phb.models import Representative
from phb.permissions import Permission, require
from phb.presenters import display_time

REASON_MAX_LENGTH = 2000


def _day(value: datetime.date) -> str:
    return f"{value:%-d %B %Y}"


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


def current_proposed_increase(budget) -> ProposedIncrease | None:
    """The budget's latest proposed increase, if no change of amount has been made since.

    Reads `proposed_increases.all()` and `changes.all()`, so a prefetch serves it."""
    if budget.status not in LIVE_STATUSES:
        return None
    latest = max(budget.proposed_increases.all(), key=lambda p: p.at, default=None)
    if latest is None or latest.from_amount != budget.agreed_amount:
        return None
    if any(change.at > latest.at for change in budget.changes.all()):
        return None
    return latest


@dataclass
class PaymentRow:
    """One instalment whose amount the change alters."""

    due_date: datetime.date
    old_amount: Decimal
    new_amount: Decimal
    # A further payment the change adds: there was none on this day before.
    added: bool = False


@dataclass
class PortionChange:
    portion: object
    old_amount: Decimal
    new_amount: Decimal
    rows: list[PaymentRow] = field(default_factory=list)
    # (instalment, its new amount) for each instalment that changes.
    updates: list = field(default_factory=list)
    # The amount of a further payment on the day the change starts, when an increase starts
    # after the last payment still to be made.
    added: Decimal | None = None


@dataclass
class LetterDraft:
    recipient: str
    representative: Representative | None
    addressed_to: str
    subject: str
    body_html: str
    role: str = ""  # "representative" or "nominee" for a letter to one


@dataclass
class AmountChange:
    """Everything a change of amount would do, and the letters that say so."""

    budget: object
    previous_amount: Decimal
    new_amount: Decimal
    effective_from: datetime.date
    notified_on: datetime.date
    reason: str
    portions: list[PortionChange]
    proposal: ProposedIncrease | None = None
    check: ClinicalCheck | None = None
    letters: list[LetterDraft] = field(default_factory=list)

    @property
    def is_increase(self) -> bool:
        return self.new_amount > self.previous_amount

    @property
    def notice_days(self) -> int:
        return (self.effective_from - self.notified_on).days

    @property
    def digest(self) -> str:
        """A fingerprint of the exact letters: the preview page sends it back when the change
        is made, and the change is refused if the letters would now be different."""
        letters = [
            [letter.recipient, letter.addressed_to, letter.subject, letter.body_html]
            for letter in self.letters
        ]
        return hashlib.sha256(json.dumps(letters).encode()).hexdigest()


def _supporting_check(budget, new_amount: Decimal, actor) -> tuple:
    """The proposal and supporting check that let the budget go up to `new_amount`, above its
    indicative amount; or a ValidationError saying what is missing."""
    above = new_amount - budget.indicative_amount
    proposal = current_proposed_increase(budget)
    if proposal is None or proposal.new_amount != new_amount:
        raise ValidationError(
            {
                "new_amount": f"£{new_amount:,.2f} is £{above:,.2f} above the indicative amount "
                f"of £{budget.indicative_amount:,.2f}. Ask a clinician to check an increase to "
                f"£{new_amount:,.2f} first"
            }
        )
    check = proposal.latest_check()
    if check is None:
        raise ValidationError(
            {
                "new_amount": f"A clinician has not checked the increase to £{new_amount:,.2f} "
                "yet. It can be made once a clinician supports it"
            }
        )
    if not check.supported:
        raise ValidationError(
            {
                "new_amount": f"{check.clinician.full_name} did not support an increase to "
                f"£{new_amount:,.2f} on clinical grounds, so it cannot be made"
            }
        )
    if check.clinician_id == actor.pk:
        raise ValidationError(
            {"new_amount": "You checked this increase as a clinician, so someone else must make it"}
        )
    if check.clinician_id == budget.agreed_by_id:
        raise ValidationError(
            {
                "new_amount": f"{check.clinician.full_name} agreed this budget, so another "
                "clinician must check the increase"
            }
        )
    return proposal, check


def earliest_reduction(today: datetime.date) -> datetime.date:
    """The first day a reduction with a letter dated `today` can start: the minimum notice
    (PHB_REDUCTION_MINIMUM_NOTICE_DAYS) later."""
    return today + datetime.timedelta(days=settings.PHB_REDUCTION_MINIMUM_NOTICE_DAYS)


def _no_reduction_on_this_schedule(last: datetime.date, today: datetime.date) -> str:
    """Why no reduction can be made when the last payment still to be made comes before the
    earliest day the notice allows: any date the user chose would be refused."""
    earliest = earliest_reduction(today)
    return (
        "No reduction can be made on this payment schedule. A reduction needs at least "
        f"{settings.PHB_REDUCTION_MINIMUM_NOTICE_DAYS} days' notice, so with a letter dated "
        f"{_day(today)} it can start on {_day(earliest)} at the earliest, and the last payment "
        f"still to be made is on {_day(last)}, before then: a reduction would have no payment to "
        "come out of. Change the payment schedule first, so that a payment is still to be made "
        f"on or after {_day(earliest)}, or reduce next year's budget instead"
    )


def _left_for(rows: list[tuple], day: datetime.date, share: Decimal) -> tuple[Decimal, int]:
    """What `share` leaves for the unpaid payments from `day` once the others are kept, and
    how many of them there are."""
    changing = [amount for due, amount, paid in rows if not paid and due >= day]
    kept = sum((amount for _, amount, _ in rows), Decimal("0.00")) - sum(changing, Decimal(0))
    return share - kept, len(changing)


def _nothing_left_to_pay(
    rows: list[tuple],
    effective_from: datetime.date,
    share: Decimal,
    *,
    new_amount: Decimal,
    today: datetime.date,
) -> str:
    """Why a change would leave less than a penny for each payment still to be made from its
    day ("" if it would not): a payment of £0.00 is no payment (as in set_payment_schedule),
    yet it would wait in "Payments due" and be told to the person as their next payment."""
    left, count = _left_for(rows, effective_from, share)
    if left < 0 or left >= calc.PENNY * count:
        return ""  # more than the share is kept (respread_unpaid says so), or enough is left
    would_be = " and ".join(
        f"£{amount:,.2f}" for amount in sorted(set(calc.split_evenly(left, count)), reverse=True)
    )
    # An earlier date is offered only when one the notice allows would leave enough.
    earliest = earliest_reduction(today)
    earlier_left, earlier_count = _left_for(rows, earliest, share)
    if earliest < effective_from and earlier_left >= calc.PENNY * earlier_count > 0:
        choose = "choose a larger amount, an earlier date, or stop the budget instead"
    else:
        choose = "choose a larger amount, or stop the budget instead"
    return (
        f"At £{new_amount:,.2f} the payments still to be made from {_day(effective_from)} "
        f"would be {would_be}, as the payments already made or due before "
        f"{_day(effective_from)} come to £{share - left:,.2f} of its £{share:,.2f}: {choose}"
    )


def _respread(
    instalments: list,
    effective_from: datetime.date,
    share: Decimal,
    *,
    new_amount: Decimal,
    method: str,
    today: datetime.date,
) -> tuple[list[Decimal], Decimal | None]:
    """Each instalment's amount after the change, so that the schedule adds up to `share`,
    and the amount of a further payment on `effective_from`, or None.

    Unpaid payments from the change's day share the difference (`respread_unpaid`), at least
    a penny each: a change that would leave less is refused, saying what they would be. When
    none is left to pay from then (the change starts after the last payment date, or the
    later ones were paid in advance) the period still runs: an increase is paid as one
    further payment on the day it starts; a reduction has nothing to come out of, so it is
    refused on its date, saying why: the last payment date it could start by, or, when that
    is too soon for the notice a reduction needs, that none can be made on this schedule."""
    rows = [(i.due_date, i.amount, i.is_paid) for i in instalments]
    if any(not paid and day >= effective_from for day, _, paid in rows):
        if why := _nothing_left_to_pay(
            rows, effective_from, share, new_amount=new_amount, today=today
        ):
            raise ValidationError({"new_amount": f"{method}: {why}"})
        try:
            return calc.respread_unpaid(rows, effective_from, share), None
        except ValueError as error:
            raise ValidationError({"new_amount": f"{method}: {error}"}) from error
    amounts = [amount for _, amount, _ in rows]
    kept = sum(amounts, Decimal("0.00"))
    if share >= kept:
        return amounts, (share - kept) or None
    unpaid = [day for day, _, paid in rows if not paid]
    if unpaid:
        last = max(unpaid)
        if last < earliest_reduction(today):
            # Not "choose that date": it gives less than the notice a reduction needs.
            why = _no_reduction_on_this_schedule(last, today)
        else:
            why = (
                f"The last payment still to be made is on {_day(last)}, before "
                f"{_day(effective_from)}, so a reduction from {_day(effective_from)} has no "
                f"payment to come out of. Choose a date on or before {_day(last)}"
            )
    else:
        why = (
            "Every payment has been recorded as paid, so a reduction from "
            f"{_day(effective_from)} has no payment left to come out of"
        )
    raise ValidationError({"effective_from": f"{method}: {why}"})


def _portion_changes(
    budget, new_amount: Decimal, effective_from, *, today: datetime.date, lock: bool
) -> list:
    portions = list(budget.portions.select_related("schedule").order_by("method"))
    shares = _allocate(new_amount, [p.amount for p in portions])
    emptied = [p for p, amount in zip(portions, shares, strict=True) if amount <= 0]
    if emptied:
        raise ValidationError(
            {
                "new_amount": f"At £{new_amount:,.2f} the {emptied[0].short_method.lower()} "
                "would be £0.00. Choose a larger amount"
            }
        )
    changes = []
    for portion, share in zip(portions, shares, strict=True):
        change = PortionChange(portion=portion, old_amount=portion.amount, new_amount=share)
        schedule = getattr(portion, "schedule", None)
        if schedule is not None:
            instalments = PaymentInstalment.objects.filter(schedule=schedule).order_by("number")
            if lock:
                instalments = instalments.select_for_update()
            instalments = list(instalments)
            amounts, added = _respread(
                instalments,
                effective_from,
                share,
                new_amount=new_amount,
                method=portion.short_method,
                today=today,
            )
            for instalment, amount in zip(instalments, amounts, strict=True):
                if amount != instalment.amount:
                    change.rows.append(PaymentRow(instalment.due_date, instalment.amount, amount))
                    change.updates.append((instalment, amount))
            if added is not None:
                change.rows.append(PaymentRow(effective_from, Decimal("0.00"), added, added=True))
                change.added = added
        changes.append(change)
    return changes


def letter_recipients(holder) -> list[tuple[str, Representative | None, str]]:
    """(recipient, representative, name) for each letter: every current representative or
    nominee, and the person when they have none or want copies."""
    representatives = list(
        Representative.objects.current()
        .filter(budget_holder=holder)
        .select_related("user")
        .order_by("agreed_on", "pk")
    )
    letters = [(LetterRecipient.REPRESENTATIVE, rep, rep.user.full_name) for rep in representatives]
    if not representatives or holder.copy_letters_to_person:
        letters.insert(0, (LetterRecipient.PERSON, None, holder.full_name))
    return letters


def ask_again_by(letter_date: datetime.date) -> datetime.date:
    """The last day to ask for a decision to be looked at again (a reduction here; careplans'
    decision, stop and repayment letters too): PHB_RECONSIDERATION_DAYS (28 unless set) after
    the letter's date, so a letter of 6 December 2026 says "by 3 January 2027"."""
    return letter_date + datetime.timedelta(days=settings.PHB_RECONSIDERATION_DAYS)


def _write_letters(plan: AmountChange) -> list[LetterDraft]:
    budget = plan.budget
    holder = budget.budget_holder
    drafts = []
    for recipient, representative, name in letter_recipients(holder):
        to_person = recipient == LetterRecipient.PERSON
        going = "going up" if plan.is_increase else "going down"
        subject = (
            f"Your personal health budget is {going}"
            if to_person
            else f"{holder.full_name}'s personal health budget is {going}"
        )
        role = representative.get_kind_display().split(" (")[0].lower() if representative else ""
        body = render_to_string(
            "budgets/letters/change.html",
            {
                "plan": plan,
                "budget": budget,
                "holder": holder,
                "organisation": holder.organisation,
                "to_person": to_person,
                "representative": representative,
                "role": role,
                "subject": subject,
                "reconsideration_days": settings.PHB_RECONSIDERATION_DAYS,
                "ask_again_by": ask_again_by(plan.notified_on),
            },
        )
        drafts.append(LetterDraft(recipient, representative, name, subject, body, role))
    return drafts


def _earliest_refused(budget, new_amount: Decimal, today: datetime.date) -> str:
    """Why a reduction from the earliest day its notice allows would be refused too ("" if it
    would not be), so that a refusal does not send the user to a date that is also refused."""
    earliest = earliest_reduction(today)
    if earliest > budget.period_end:
        return (
            f"A reduction needs at least {settings.PHB_REDUCTION_MINIMUM_NOTICE_DAYS} days' "
            f"notice, so with a letter dated {_day(today)} it can start on {_day(earliest)} at "
            f"the earliest, after the budget ends on {_day(budget.period_end)}: no reduction can "
            "be made to this budget now"
        )
    try:
        _portion_changes(budget, new_amount, earliest, today=today, lock=False)
    except ValidationError as error:
        return " ".join(error.message_dict.get("effective_from", []))
    return ""


def _plan(*, actor, budget, new_amount, effective_from, reason: str, lock: bool) -> AmountChange:
    new_amount = check_money(new_amount, what="The new amount", field="new_amount", minimum=None)
    today = timezone.localdate()
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = "Explain why the budget is changing, in words the person will understand"
    elif len(reason) > REASON_MAX_LENGTH:
        errors["reason"] = f"The reason must be {REASON_MAX_LENGTH:,} characters or fewer"
    if new_amount <= 0:
        errors["new_amount"] = "The new amount must be more than £0.00"
    elif new_amount == budget.agreed_amount:
        # A change follows on from the amount as last decided, changes still to come and all
        # (each re-spreads the schedule as the last left it); the words say what it is today.
        if Amounts(budget).to_come(today):
            errors["new_amount"] = (
                f"The budget {standing_words(budget, today)}, so a new amount of "
                f"£{new_amount:,.2f} changes nothing"
            )
        else:
            errors["new_amount"] = (
                f"The new amount is the same as the budget now, £{budget.agreed_amount:,.2f}"
            )
    if not budget.period_start <= effective_from <= budget.period_end:
        errors["effective_from"] = (
            f"The change must start within the budget's period, {_day(budget.period_start)} "
            f"to {_day(budget.period_end)}"
        )
    elif new_amount < budget.agreed_amount:
        earliest = earliest_reduction(today)
        if effective_from < earliest:
            errors["effective_from"] = _earliest_refused(budget, new_amount, today) or (
                f"A reduction needs at least {settings.PHB_REDUCTION_MINIMUM_NOTICE_DAYS} days' "
                f"notice. With a letter dated {_day(today)}, it can start on {_day(earliest)} at "
                "the earliest"
            )
    elif new_amount > budget.agreed_amount and effective_from < today:
        errors["effective_from"] = (
            f"An increase starts on the date of its letter, {_day(today)}, or later. The extra "
            "money is shared among the payments still to come"
        )
    if errors:
        raise ValidationError(errors)
    proposal = check = None
    if new_amount > budget.agreed_amount and new_amount > budget.indicative_amount:
        proposal, check = _supporting_check(budget, new_amount, actor)
    plan = AmountChange(
        budget=budget,
        previous_amount=budget.agreed_amount,
        new_amount=new_amount,
        effective_from=effective_from,
        notified_on=today,
        reason=reason,
        portions=_portion_changes(budget, new_amount, effective_from, today=today, lock=lock),
        proposal=proposal,
        check=check,
    )
    plan.letters = _write_letters(plan)
    return plan


def _locked(budget, *, doing: str, version=None):
    budget = _lock(
        budget,
        version=version,
        expected=(BudgetStatus.AGREED, BudgetStatus.ACTIVE),
        doing=doing,
    )
    # A budget being stopped keeps the amount agreed: a new one would be shared among the few
    # payments left before the stop (the later ones were cancelled), not over the year.
    if budget.stopped_from is not None:
        raise Conflict(
            f"This budget stops on {_day(budget.stopped_from)}, so its amount cannot be changed: "
            "the payments due from that day were cancelled"
        )
    return budget


@transaction.atomic
def preview_amount_change(
    *, actor, budget, new_amount, effective_from: datetime.date, reason: str
) -> AmountChange:
    """What changing the amount would do, and the exact letters it would issue. Saves
    nothing."""
    require(actor, Permission.CHANGE_AMOUNT, budget.budget_holder)
    budget = _locked(budget, doing="change the amount of")
    return _plan(
        actor=actor,
        budget=budget,
        new_amount=new_amount,
        effective_from=effective_from,
        reason=reason,
        lock=False,
    )


STALE_PREVIEW_ADVICE = "Check the new preview before you issue it."


@transaction.atomic
def change_budget_amount(
    *,
    actor,
    budget,
    new_amount,
    effective_from: datetime.date,
    reason: str,
    version: int,
    previewed: str,
) -> list[BudgetLetter]:
    """Change the amount, re-spread the unpaid payments, and issue the letters previewed.

    `version` is the budget's version and `previewed` the digest of the letters the user saw;
    if the budget or the letters would now be different, nothing changes (`Conflict`)."""
    require(actor, Permission.CHANGE_AMOUNT, budget.budget_holder)
    budget = _locked(budget, doing="change the amount of")
    if budget.version != version:
        raise Conflict(
            "Nothing was changed: the budget changed after you previewed the letter (it "
            f"{standing_words(budget)}), so the letter may no longer be right. "
            + STALE_PREVIEW_ADVICE
        )
    plan = _plan(
        actor=actor,
        budget=budget,
        new_amount=new_amount,
        effective_from=effective_from,
        reason=reason,
        lock=True,
    )
    if plan.digest != previewed:
        raise Conflict(
            "Nothing was changed: the letter would now be different from the one you previewed "
            "(for example, a payment has been recorded, or the date, the team's contact details "
            "or who it goes to have changed). " + STALE_PREVIEW_ADVICE
        )
    for portion_change in plan.portions:
        for instalment, amount in portion_change.updates:
            instalment.amount = amount
            instalment.save(update_fields=["amount"])
        portion = portion_change.portion
        if portion_change.added is not None:
            last = portion.schedule.instalments.aggregate(last=Max("number"))["last"]
            PaymentInstalment.objects.create(
                schedule=portion.schedule,
                number=last + 1,
                due_date=plan.effective_from,
                amount=portion_change.added,
            )
        portion.amount = portion_change.new_amount
        portion.save(update_fields=["amount"])
    change = BudgetChange.objects.create(
        budget=budget,
        previous_amount=plan.previous_amount,
        new_amount=plan.new_amount,
        effective_from=plan.effective_from,
        notified_on=plan.notified_on,
        notice_days=plan.notice_days,
        reason=plan.reason,
        clinical_justification=plan.proposal.clinical_justification if plan.proposal else "",
        clinical_check=plan.check,
        by=actor,
    )
    budget.agreed_amount = plan.new_amount
    if plan.check is not None:
        budget.clinical_check = plan.check
        budget.clinical_justification = plan.proposal.clinical_justification
    _save(budget)
    kind = LetterKind.INCREASE if plan.is_increase else LetterKind.REDUCTION
    return [
        BudgetLetter.objects.create(
            budget=budget,
            change=change,
            kind=kind,
            recipient=letter.recipient,
            representative=letter.representative,
            addressed_to=letter.addressed_to,
            subject=letter.subject,
            body_html=letter.body_html,
            created_by=actor,
        )
        for letter in plan.letters
    ]


def _at(moment) -> str:
    moment = timezone.localtime(moment)
    return f"{display_time(moment)} on {moment:%-d %B %Y}"


@transaction.atomic
def propose_increase(
    *, actor, budget, new_amount, clinical_justification: str, version: int | None = None
) -> ProposedIncrease:
    """Ask a clinician to check an increase of a live budget to above its indicative amount.

    The same increase asked for again while the first is waiting for its check (a double
    click, or the form sent again) is refused, naming the first (ADR 0042)."""
    require(actor, Permission.CHANGE_AMOUNT, budget.budget_holder)
    # The version is compared after a repeat is recognised: a double click's second request
    # carries the version its first request changed.
    budget = _locked(budget, doing="propose an increase to")
    new_amount = check_money(new_amount, what="The new amount", field="new_amount", minimum=None)
    justification = (clinical_justification or "").strip()
    errors = {}
    if new_amount <= budget.agreed_amount:
        errors["new_amount"] = (
            f"An increase must be more than the budget's £{budget.agreed_amount:,.2f}"
        )
    elif new_amount <= budget.indicative_amount:
        errors["new_amount"] = (
            f"£{new_amount:,.2f} is within the indicative amount of "
            f"£{budget.indicative_amount:,.2f}, so it needs no clinical check: change the "
            "amount straight away"
        )
    if not justification:
        errors["clinical_justification"] = (
            "Write the clinical justification for the increase, for the clinician to check"
        )
    elif len(justification) > JUSTIFICATION_MAX_LENGTH:
        errors["clinical_justification"] = (
            f"The clinical justification must be {JUSTIFICATION_MAX_LENGTH:,} characters or fewer"
        )
    if errors:
        raise ValidationError(errors)
    earlier = current_proposed_increase(budget)
    if (
        earlier is not None
        and earlier.new_amount == new_amount
        and earlier.clinical_justification == justification
        and not earlier.checks.exists()
    ):
        raise Conflict(
            f"A clinical check of an increase to £{new_amount:,.2f} was already asked for by "
            f"{earlier.by.full_name} at {_at(earlier.at)}. It is waiting for a clinician's "
            "check. Nothing more was saved."
        )
    if version is not None and budget.version != version:
        raise Conflict(
            "You cannot propose an increase to this budget: someone changed it while you were "
            "looking at it. Nothing was saved. Check the latest version and try again."
        )
    proposal = ProposedIncrease.objects.create(
        budget=budget,
        from_amount=budget.agreed_amount,
        new_amount=new_amount,
        clinical_justification=justification,
        by=actor,
    )
    # A new version: a page drawn before this proposal (a clinician's check of an earlier
    # one, a preview of the change) is out of date.
    _save(budget)
    return proposal


def already_checked(check) -> str:
    """Who checked a proposed increase, when, and what they said."""
    said = "supported it" if check.supported else "did not support it"
    return (
        f"This increase to £{check.amount:,.2f} was already checked by "
        f"{check.clinician.full_name} at {_at(check.at)}: they {said}"
    )


@transaction.atomic
def record_increase_check(
    *, actor, budget, supported: bool, notes: str, proposal=None
) -> ClinicalCheck:
    """A clinician checks the budget's proposed increase and its justification, once.

    `proposal` is the id of the proposal the page showed: the check is of that proposal,
    never of one made after the page was opened (without it, of the current one)."""
    require(actor, Permission.CLINICAL_CHECK, budget.budget_holder)
    budget = _locked(budget, doing="check an increase to")
    current = current_proposed_increase(budget)
    if proposal is not None and (current is None or str(current.pk) != str(proposal)):
        if current is None:
            raise Conflict(
                "The increase you were checking is no longer waiting for a clinical check: "
                "the budget's amount was changed after it was proposed (it "
                f"{standing_words(budget)}). Nothing was saved."
            )
        raise Conflict(
            f"{current.by.full_name} proposed an increase to £{current.new_amount:,.2f} at "
            f"{_at(current.at)}, after you opened this page, in place of the one you were "
            "checking. Nothing was saved: check the new proposal."
        )
    if current is None:
        raise ValidationError("No increase of this budget is waiting for a clinical check")
    if current.by_id == actor.pk:
        raise ValidationError("You proposed this increase, so another clinician must check it")
    # The budget is locked above, so a second check at once waits and finds the first.
    earlier = current.checks.select_related("clinician").order_by("-at").first()
    if earlier is not None:
        raise Conflict(f"{already_checked(earlier)}. Nothing was saved.")
    notes = (notes or "").strip()
    if not notes:
        raise ValidationError({"notes": "Write what you checked and why"})
    if len(notes) > JUSTIFICATION_MAX_LENGTH:
        raise ValidationError(
            {"notes": f"What you checked must be {JUSTIFICATION_MAX_LENGTH:,} characters or fewer"}
        )
    check = ClinicalCheck.objects.create(
        budget=budget,
        clinician=actor,
        amount=current.new_amount,
        supported=supported,
        notes=notes,
        proposed_increase=current,
    )
    _save(budget)
    return check
