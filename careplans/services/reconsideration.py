"""Asking for a decision to be looked at again (NHS (Direct Payments) Regulations 2013, regs 7,
8, 13 and 15, and a stop under reg 17): the request is recorded, someone who was not part of
the first decision looks at it, and the person gets a letter with the outcome and reasons."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from budgets.models import BudgetChange
from budgets.services import Conflict
from careplans.models import (
    BudgetStop,
    DecisionOutcome,
    PlanDecision,
    PlanLetterKind,
    ReconsiderationGround,
    ReconsiderationOutcome,
    ReconsiderationRequest,
    RepaymentGround,
    RepaymentRequest,
    StopReason,
)
from careplans.services.stopping import paid_back, write_letter
from phb.permissions import Permission, require
from phb.validators import shows_nothing

# What each kind of decision is, for the person, and under which regulation it is looked at.
GROUND_OF = {
    BudgetChange: ReconsiderationGround.AMOUNT_REDUCED,
    RepaymentRequest: ReconsiderationGround.REPAYMENT,
    BudgetStop: ReconsiderationGround.STOPPED,
}
FIELD_OF = {
    PlanDecision: "plan_decision",
    BudgetChange: "budget_change",
    RepaymentRequest: "repayment",
    BudgetStop: "budget_stop",
}
PLAN_GROUNDS = (
    ReconsiderationGround.DIRECT_PAYMENT_REFUSED,
    ReconsiderationGround.SERVICE_LEFT_OUT,
)


# How long the note of what was changed may be (the database holds the same limit).
NOTE_MAX_LENGTH = 2000

# Whoever reconsiders must not have been part of the first decision (the 2013 regulations).
PART_OF_THE_DECISION = "You were part of the first decision, so someone else must look at it again"


def _day(value) -> str:
    return f"{value:%-d %B %Y}"


def describe(decision) -> str:
    """The decision in a few plain words: "the reduction of 1 May 2026"."""
    if isinstance(decision, PlanDecision):
        return (
            f"the decision about version {decision.version.number} of the care and support "
            f"plan ({decision.get_outcome_display().lower()}) on "
            f"{_day(timezone.localtime(decision.decided_at))}"
        )
    if isinstance(decision, BudgetChange):
        return (
            f"the reduction of the budget to £{decision.new_amount:,.2f} from "
            f"{_day(decision.effective_from)}"
        )
    if isinstance(decision, RepaymentRequest):
        return f"the request of {_day(decision.requested_on)} to pay back £{decision.amount:,.2f}"
    return f"stopping the budget from {_day(decision.effective_on)}"


def decisions_for(holder) -> list:
    """The decisions about this person that can be looked at again, newest first: plan
    decisions that declined the plan or declined or cut an item (as their letters say; a
    deferral decided nothing), reductions (not increases: regulation 13 is about reducing the
    amount), requests for money back not withdrawn and stops."""
    against = (DecisionOutcome.DECLINED, DecisionOutcome.APPROVED_WITH_CHANGES)
    plan_decisions = PlanDecision.objects.filter(
        Q(outcome=DecisionOutcome.DECLINED) | Q(items__outcome__in=against),
        version__plan__budget_holder=holder,
    ).distinct()
    found = [
        *plan_decisions.select_related("version"),
        *BudgetChange.objects.filter(
            budget__budget_holder=holder, new_amount__lt=F("previous_amount")
        ),
        *RepaymentRequest.objects.filter(budget__budget_holder=holder, withdrawn_on=None),
        *BudgetStop.objects.filter(budget__budget_holder=holder),
    ]
    return sorted(found, key=lambda d: d.pk)


def who_decided(decision) -> set:
    """The ids of everyone who was part of the decision."""
    if isinstance(decision, PlanDecision):
        people = {decision.decided_by_id}
        if decision.session_id is not None:
            session = decision.session
            people.add(session.chair_id)
            people.update(session.memberships.values_list("member_id", flat=True))
        return people
    if isinstance(decision, BudgetChange):
        return {decision.by_id}
    if isinstance(decision, RepaymentRequest):
        return {decision.requested_by_id}
    return {decision.decided_by_id}


def decided_on(decision) -> datetime.date:
    """The first day the person could have known of the decision: the day it was made, or the
    day of the notice when that was earlier."""
    if isinstance(decision, PlanDecision):
        return timezone.localtime(decision.decided_at).date()
    if isinstance(decision, BudgetChange):
        return min(decision.notified_on, timezone.localtime(decision.at).date())
    if isinstance(decision, RepaymentRequest):
        return decision.requested_on
    return min(decision.notice_given_on, timezone.localtime(decision.decided_at).date())


def after_death(decision) -> bool:
    """A decision made because the person died: its letters go to their family or
    representatives, never to them."""
    if isinstance(decision, RepaymentRequest):
        return decision.ground == RepaymentGround.DEATH
    if isinstance(decision, BudgetStop):
        return decision.reason == StopReason.DEATH
    return False


def holder_of_decision(decision):
    if isinstance(decision, PlanDecision):
        return decision.version.plan.budget_holder
    return decision.budget.budget_holder


def decision_of(request: ReconsiderationRequest):
    return (
        request.plan_decision or request.budget_change or request.repayment or request.budget_stop
    )


@transaction.atomic
def record_request(
    *,
    actor,
    holder,
    decision,
    received_on: datetime.date,
    persons_reasons: str,
    ground: str = "",
) -> ReconsiderationRequest:
    """Record that the person asked for `decision` to be looked at again. For a decision
    about the plan, `ground` says which right they use: a direct payment refused (reg 7) or a
    service left out of the plan (reg 8)."""
    require(actor, Permission.RECORD_RECONSIDERATION, holder)
    errors = {}
    if decision is None or holder_of_decision(decision).pk != holder.pk:
        errors["decision"] = "Choose the decision the person wants looked at again"
    elif isinstance(decision, BudgetChange) and decision.new_amount > decision.previous_amount:
        errors["decision"] = (
            f"The budget was increased to £{decision.new_amount:,.2f}, not reduced: only a "
            "reduction can be looked at again"
        )
    elif isinstance(decision, PlanDecision):
        if ground not in PLAN_GROUNDS:
            errors["ground"] = (
                "Choose whether a direct payment was refused or a service was left out of the plan"
            )
    else:
        ground = GROUND_OF[type(decision)]
    if received_on > timezone.localdate():
        errors["received_on"] = "The date the request was received must be today or in the past"
    elif "decision" not in errors and received_on < decided_on(decision):
        errors["received_on"] = (
            f"The request must be received on or after {_day(decided_on(decision))}, "
            "the day of the decision"
        )
    if "decision" not in errors:
        # Lock the decision, so that two people recording the same request at the same moment
        # are taken one after the other, and the second is told the first is waiting.
        type(decision).objects.select_for_update().filter(pk=decision.pk).first()
        waiting = ReconsiderationRequest.objects.filter(
            decided_at=None, **{FIELD_OF[type(decision)]: decision}
        ).first()
        if waiting is not None:
            errors["decision"] = (
                f"A request about this decision, received on {_day(waiting.received_on)}, is "
                "already waiting to be looked at. Nothing was changed."
            )
    if shows_nothing(persons_reasons):
        errors["persons_reasons"] = "Say why the person wants the decision looked at again"
    if errors:
        raise ValidationError(errors)
    return ReconsiderationRequest.objects.create(
        budget_holder=holder,
        ground=ground,
        received_on=received_on,
        persons_reasons=persons_reasons.strip(),
        recorded_by=actor,
        **{FIELD_OF[type(decision)]: decision},
    )


def stop_cannot_change(stop: BudgetStop) -> str:
    """Why a stop is never "changed" on reconsideration, and what to do instead (ADR 0043)."""
    return (
        "A stop cannot be changed on reconsideration: when it was recorded, the payments not "
        f"yet made that were due from {_day(stop.effective_on)} were cancelled and the "
        "budget's period was cut short, and they cannot be put back. If the person should go "
        "on having a personal health budget, set up a new budget for them. Then record that "
        "the decision stands, and say in the reasons what happens instead."
    )


@transaction.atomic
def decide_request(*, actor, request, outcome: str, reasons: str) -> ReconsiderationRequest:
    """Record the outcome of looking at a decision again, by someone who was not part of it,
    and write the letter to the person. A request the person withdrew is closed with a letter
    saying so (nobody looked at the decision again); a stop is never changed (ADR 0043)."""
    holder = request.budget_holder
    require(actor, Permission.RECONSIDER, holder)
    request = ReconsiderationRequest.objects.select_for_update().get(pk=request.pk)
    if not request.is_open:
        raise ValidationError(
            f"This request was already decided by {request.reconsidered_by.full_name} on "
            f"{_day(timezone.localtime(request.decided_at))}. Nothing was changed."
        )
    decision = decision_of(request)
    if actor.pk in who_decided(decision):
        raise ValidationError(PART_OF_THE_DECISION)
    errors = {}
    if outcome not in ReconsiderationOutcome.values:
        errors["outcome"] = (
            "Choose whether the decision stands, has been changed, or the person withdrew "
            "the request"
        )
    elif outcome == ReconsiderationOutcome.CHANGED and isinstance(decision, BudgetStop):
        errors["outcome"] = stop_cannot_change(decision)
    if shows_nothing(reasons):
        errors["outcome_reasons"] = "Give the reasons, written for the person"
    if errors:
        raise ValidationError(errors)
    request.reconsidered_by = actor
    request.outcome = outcome
    request.outcome_reasons = reasons.strip()
    request.decided_at = timezone.now()
    repaid = None
    if outcome == ReconsiderationOutcome.CHANGED and isinstance(decision, RepaymentRequest):
        repaid = _withdraw(decision, request, actor)
    request.letter = write_letter(
        actor=actor,
        holder=holder,
        kind=PlanLetterKind.RECONSIDERATION,
        # A request the person withdrew is acknowledged: nobody looked at the decision again.
        subject="The request to look at a decision again is closed"
        if outcome == ReconsiderationOutcome.WITHDRAWN
        else "We have looked at the decision again",
        template="careplans/letters/reconsideration.html",
        died=after_death(decision),
        context={"request": request, "what": describe(decision), "repaid": repaid},
    )
    request.save()
    return request


def _withdraw(repayment: RepaymentRequest, request: ReconsiderationRequest, actor) -> Decimal:
    """A request for money back whose decision is changed is withdrawn there and then: nothing
    more is asked under it (a new request can ask for a different amount). With nothing paid
    back under it, that is the whole change; money already paid back waits, as a change to put
    into effect, until staff record what was done with it. Returns how much had been paid."""
    repayment = RepaymentRequest.objects.select_for_update().get(pk=repayment.pk)
    repaid = paid_back(repayment)
    repayment.withdrawn_on = timezone.localdate()
    repayment.save(update_fields=["withdrawn_on", "updated_at"])
    if not repaid:
        request.change_made_on = repayment.withdrawn_on
        request.change_made_by = actor
        request.change_made_note = f"The request for £{repayment.amount:,.2f} back was withdrawn."
    return repaid


@transaction.atomic
def record_change_made(
    *, actor, request: ReconsiderationRequest, made_on: datetime.date | None, note: str
) -> ReconsiderationRequest:
    """Record that a decision changed on reconsideration has been put into effect (the budget
    changed back, the plan decided again), when and how."""
    require(actor, Permission.RECORD_RECONSIDERATION, request.budget_holder)
    request = ReconsiderationRequest.objects.select_for_update().get(pk=request.pk)
    if request.outcome != ReconsiderationOutcome.CHANGED:
        raise Conflict(
            "This decision was not changed on reconsideration, so there is no change to record. "
            "Nothing was saved."
        )
    if request.change_made_on is not None:
        raise Conflict(
            f"{request.change_made_by.full_name} recorded on "
            f"{_day(request.change_made_on)} that the change was made: "
            f"{request.change_made_note} Nothing was saved."
        )
    errors = {}
    note = (note or "").strip()
    decided = timezone.localtime(request.decided_at).date()
    if made_on is None:
        errors["made_on"] = "Enter the date the change was made"
    elif made_on > timezone.localdate():
        errors["made_on"] = "The date the change was made must be today or in the past"
    elif made_on < decided:
        errors["made_on"] = (
            f"The date the change was made must be on or after {_day(decided)}, the day the "
            "decision was changed"
        )
    if not note:
        errors["note"] = "Say what was changed"
    elif len(note) > NOTE_MAX_LENGTH:
        errors["note"] = f"What was changed must be {NOTE_MAX_LENGTH:,} characters or fewer"
    if errors:
        raise ValidationError(errors)
    request.change_made_on = made_on
    request.change_made_by = actor
    request.change_made_note = note
    request.save(
        update_fields=["change_made_on", "change_made_by", "change_made_note", "updated_at"]
    )
    return request
