"""Stopping a personal health budget (regulation 17) and asking for money back (regulation
15), each with written notice, reasons and a letter; the budget itself changes only through
the budgets services."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Sum
from django.template.loader import render_to_string
from django.utils import timezone

from budgets import services as budget_services
from budgets.calculations import add_months
from budgets.models import PaymentInstalment
from budgets.money import check_money
from budgets.services import Conflict
from careplans.models import (
    BudgetStop,
    PlanLetter,
    PlanLetterKind,
    PlanStatus,
    PlanVersion,
    RepaymentGround,
    RepaymentRequest,
    RepaymentSettlement,
    Review,
    ReviewStatus,
    StopReason,
)
from careplans.services.letters import ask_again_by, recipients, subject_for
from careplans.services.plans import status_change, touch
from careplans.services.reviews import cancel_reviews, stop_words
from phb.permissions import Permission, require
from phb.presenters import display_time
from phb.validators import DIRECTION_CONTROLS, shows_nothing


def write_letter(
    *, actor, holder, kind, subject, template, context, died: bool = False
) -> PlanLetter:
    """A letter to each reader (`recipients`: the person and whoever acts for them), rendered
    once and stored as issued; returns the first. After a death nothing is addressed to the
    person: with nobody acting for them, it goes to their family or representatives, at the
    person's address, and speaks of them as "they". A budget of theirs stopped because they
    died means every later letter is written so too, whatever it is about."""
    died = (
        died
        or BudgetStop.objects.filter(budget__budget_holder=holder, reason=StopReason.DEATH).exists()
    )
    readers = recipients(holder)
    if died:
        readers = [(name, rep) for name, rep in readers if rep is not None] or [
            (f"The family or representatives of {holder.full_name}", None)
        ]
    letters = []
    for addressed_to, representative in readers:
        to_family = died and representative is None
        body = render_to_string(
            template,
            {
                "holder": holder,
                "addressed_to": addressed_to,
                "representative": representative,
                "today": timezone.localdate(),
                "reconsideration_days": settings.PHB_RECONSIDERATION_DAYS,
                "ask_again_by": ask_again_by(timezone.localdate()),
                "salutation": "Dear family or representatives" if to_family else "",
                # Words about the person in the third person: to whoever acts for them, or
                # after their death.
                "about_them": representative is not None or to_family,
                "died": died,
                **context,
            },
        )
        letters.append(
            PlanLetter.objects.create(
                budget_holder=holder,
                kind=kind,
                addressed_to=addressed_to,
                subject=subject_for(subject, holder, representative or to_family),
                body_html=body,
                created_by=actor,
            )
        )
    return letters[0]


# Reasons for which a budget may stop with less than the minimum notice: the person has died,
# theft or fraud is suspected, or the person asked for it to stop.
NOTICE_WAIVED = (StopReason.DEATH, StopReason.FRAUD, StopReason.CONSENT_WITHDRAWN)


def earliest_stop(notice_given_on: datetime.date) -> datetime.date:
    """The first day a budget can stop, with notice given on `notice_given_on`: the minimum
    notice (PHB_STOP_MINIMUM_NOTICE_DAYS) later, unless a reason in NOTICE_WAIVED applies."""
    return notice_given_on + datetime.timedelta(days=settings.PHB_STOP_MINIMUM_NOTICE_DAYS)


@transaction.atomic
def stop_phb(
    *,
    actor,
    budget,
    reason: str,
    explanation: str,
    notice_given_on: datetime.date,
    effective_on: datetime.date,
    version: int | None = None,
) -> BudgetStop:
    """Stop the budget for one of the reasons regulation 17 allows: the budget ends (and its
    instalments from the day it stops are cancelled) through the budgets services, the review
    that was due is cancelled, and the person gets a letter naming the reason. A stop needs
    reasonable notice (DOMAIN.md §7): PHB_STOP_MINIMUM_NOTICE_DAYS from the day notice was
    given, unless the person has died, theft or fraud is suspected, or the person asked for it
    to stop."""
    holder = budget.budget_holder
    require(actor, Permission.STOP_BUDGET, holder)
    explanation = explanation.strip()
    errors = {}
    if reason not in StopReason.values:
        errors["reason"] = "Choose the reason the law allows for stopping the budget"
    if shows_nothing(explanation):
        errors["explanation"] = "Give the reasons, written for the person"
    today = timezone.localdate()
    a_year_ago = add_months(today, -12)
    earliest = earliest_stop(notice_given_on)
    too_soon = reason not in NOTICE_WAIVED and effective_on < earliest
    if notice_given_on > today:
        errors["notice_given_on"] = "The date notice was given must be today or in the past"
    elif notice_given_on < a_year_ago:
        errors["notice_given_on"] = (
            f"The date notice was given must be within the last year, on or after "
            f"{a_year_ago:%-d %B %Y}"
        )
    elif effective_on < notice_given_on and reason != StopReason.DEATH:
        # After a death the budget stops from the day they died, which comes before anyone
        # could give notice.
        errors["effective_on"] = "The budget can stop only on or after the day notice was given"
    elif too_soon and earliest >= today:
        errors["effective_on"] = (
            f"The budget can stop no sooner than {settings.PHB_STOP_MINIMUM_NOTICE_DAYS} days "
            f"after notice was given, on or after {earliest:%-d %B %Y}: less notice is allowed "
            "only if the person has died, theft or fraud is suspected, or the person asked for "
            "the budget to stop"
        )
    elif effective_on < today and reason != StopReason.DEATH:
        # The letter is dated today: a stop before then would tell the person, after the
        # event, that support already given was not paid for. Only a death is recorded late.
        errors["effective_on"] = (
            "The date the budget stops must be today or in the future, unless the person has died"
        )
    if BudgetStop.objects.filter(budget=budget).exists():
        errors["__all__"] = "This budget has already been stopped. Nothing was changed."
    if errors:
        raise ValidationError(errors)
    budget, cancelled = budget_services.stop_budget(
        actor=actor,
        budget=budget,
        stops_on=effective_on,
        reason=f"{StopReason(reason).label}. {explanation}",
        version=version,
    )
    stop = BudgetStop(
        budget=budget,
        reason=reason,
        explanation=explanation,
        notice_given_on=notice_given_on,
        effective_on=effective_on,
        decided_by=actor,
    )
    paid_after = PaymentInstalment.objects.filter(
        schedule__portion__budget=budget, due_date__gte=effective_on, paid_on__isnull=False
    ).aggregate(total=Sum("amount"), count=Count("pk"))
    stop.letter = write_letter(
        actor=actor,
        holder=holder,
        kind=PlanLetterKind.STOP,
        subject="Your personal health budget is stopping",
        template="careplans/letters/stop.html",
        died=reason == StopReason.DEATH,
        context={
            "stop": stop,
            "last_day": effective_on - datetime.timedelta(days=1),
            "cancelled": cancelled,
            "paid_after": paid_after,
        },
    )
    stop.paid_after = paid_after
    stop.save()
    # A review due before the stop still happens (the budget pays until then); one due on or
    # after it is not needed.
    cancel_reviews(
        Review.objects.filter(plan__budget_holder=holder, due_on__gte=effective_on),
        why=(
            f"Not needed: it was due on or after {effective_on:%-d %B %Y}, the day the "
            f"personal health budget stops ({stop_words(stop)})."
        ),
    )
    if effective_on <= today:
        end_stopped_plans(today=effective_on, budget=budget)
    return stop


@transaction.atomic
def end_stopped_plans(*, today: datetime.date, budget=None) -> int:
    """End each plan version in use whose budget's stop has taken effect by `today` (of one
    budget, or of all): the plan is no longer in use once the budget that pays for it has
    stopped. stop_phb ends them at once for a stop from today or earlier; the daily task
    (careplans.tasks.end_stopped_plans) when a stop's day comes. The review still due of a
    plan no longer in use is cancelled, saying why: there is no plan in use to review. Returns
    how many plans ended."""
    versions = (
        PlanVersion.objects.select_for_update(of=("self",), skip_locked=True)
        .filter(status=PlanStatus.ACTIVE, budget__stop__effective_on__lte=today)
        .select_related("budget__stop")
        .order_by("pk")
    )
    if budget is not None:
        versions = versions.filter(budget=budget)
    ended = 0
    for version in versions:
        stop = version.budget.stop
        status_change(
            version,
            to_status=PlanStatus.ENDED,
            by=stop.decided_by,
            reason=(
                f"The personal health budget it pays for stopped from "
                f"{stop.effective_on:%-d %B %Y}: {StopReason(stop.reason).label}"
            ),
        )
        touch(version)
        ended += 1
    _cancel_reviews_of_stopped_plans(today=today, budget=budget)
    return ended


def _cancel_reviews_of_stopped_plans(*, today: datetime.date, budget=None) -> None:
    """Cancel each review still due of a plan with no version in use whose budget's stop has
    taken effect: those of the plans just ended, and any left due before this was done."""
    due = Review.objects.filter(
        status=ReviewStatus.DUE, plan__versions__budget__stop__effective_on__lte=today
    ).exclude(plan__versions__status=PlanStatus.ACTIVE)
    if budget is not None:
        due = due.filter(plan__versions__budget=budget)
    for review in due.distinct().order_by("pk"):
        stop = (
            BudgetStop.objects.filter(
                budget__plan_versions__plan_id=review.plan_id, effective_on__lte=today
            )
            .order_by("-effective_on")
            .first()
        )
        cancel_reviews(
            Review.objects.filter(pk=review.pk),
            why=(
                f"Not needed: the personal health budget stopped from "
                f"{stop.effective_on:%-d %B %Y} ({stop_words(stop)}), so the plan is no longer "
                "in use."
            ),
        )


def repayable(budget) -> Decimal:
    """The money paid out of `budget` (its instalments recorded as paid) less what has already
    been asked back and not withdrawn, and less what was paid back under a request since
    withdrawn: the most a new request may ask for."""
    paid = PaymentInstalment.objects.filter(
        schedule__portion__budget=budget, paid_on__isnull=False
    ).aggregate(total=Sum("amount"))["total"] or Decimal("0.00")
    asked = RepaymentRequest.objects.filter(budget=budget, withdrawn_on__isnull=True).aggregate(
        total=Sum("amount")
    )["total"] or Decimal("0.00")
    returned = RepaymentSettlement.objects.filter(
        request__budget=budget, request__withdrawn_on__isnull=False
    ).aggregate(total=Sum("amount"))["total"] or Decimal("0.00")
    return paid - asked - returned


def _pounds(amount: Decimal) -> str:
    return f"£{amount:,.2f}"


def _at(moment) -> str:
    return f"{timezone.localtime(moment):%-d %B %Y at %H:%M}"


def requests_made(budget) -> int:
    """How many requests for money back have been made from `budget` (withdrawn or not): what
    the "Ask for money back" page carries, so that sending it twice asks only once."""
    return RepaymentRequest.objects.filter(budget=budget).count()


def _same_request_today(budget, *, ground, amount, due_by, who_repays):
    """A request not withdrawn, made today from `budget`, asking the same amount back on the
    same ground by the same date from the same person: a second one would send the person a
    second, identical letter (ADR 0042)."""
    return (
        RepaymentRequest.objects.filter(
            budget=budget,
            ground=ground,
            amount=amount,
            due_by=due_by,
            who_repays__iexact=who_repays.strip(),
            withdrawn_on__isnull=True,
            requested_on=timezone.localdate(),
        )
        .select_related("requested_by")
        .order_by("created_at")
        .first()
    )


def _refuse_repeat(earlier) -> None:
    """Refuse, naming the first, a request already made today (the refuse_repeat pattern of
    employers.services.duplicates, which careplans may not import)."""
    if earlier is None:
        return
    at = timezone.localtime(earlier.created_at)
    raise Conflict(
        f"The same request, for {_pounds(earlier.amount)} back by "
        f"{earlier.due_by:%-d %B %Y} from {earlier.who_repays}, was already made by "
        f"{earlier.requested_by.full_name} at {display_time(at)} on {at:%-d %B %Y}, and its "
        "letter written. Nothing more was saved."
    )


def _already_requested(latest) -> str:
    if latest is None:  # a request was removed since: the page is stale all the same
        return "The requests for money back from this budget changed. Nothing was changed."
    return (
        f"A request for {_pounds(latest.amount)} back was already made by "
        f"{latest.requested_by.full_name} on {_at(latest.created_at)}, after this page was "
        "opened. Nothing was changed: check the requests on the budget before asking again."
    )


@transaction.atomic
def request_repayment(
    *,
    actor,
    budget,
    ground: str,
    amount: Decimal,
    explanation: str,
    due_by: datetime.date,
    who_repays: str,
    requests_seen: int | None = None,
) -> RepaymentRequest:
    """Ask for money back on one of the grounds regulation 15 allows, with the amount (whole
    pence), the deadline and who must repay, and write the notice to the person.

    `requests_seen` is how many requests the page showed had been made from this budget: a
    request made since (a second click, or someone else) means this page is stale, and is
    refused rather than asking for the money, and writing the letter, twice."""
    holder = budget.budget_holder
    require(actor, Permission.REQUEST_REPAYMENT, holder)
    # Two requests at once are taken one after the other, each against what is left.
    list(type(budget).objects.select_for_update().filter(pk=budget.pk).values_list("pk"))
    if requests_seen is not None:
        made = RepaymentRequest.objects.filter(budget=budget).select_related("requested_by")
        if made.count() != requests_seen:
            latest = made.order_by("-created_at").first()
            raise Conflict(_already_requested(latest))
    if isinstance(amount, Decimal) and amount.is_finite() and isinstance(who_repays, str):
        _refuse_repeat(
            _same_request_today(
                budget, ground=ground, amount=amount, due_by=due_by, who_repays=who_repays
            )
        )
    errors = {}
    try:
        amount = check_money(amount, what="The amount", field="amount", minimum=Decimal("0.01"))
    except ValidationError as error:
        errors.update(error.message_dict)
    if ground not in RepaymentGround.values:
        errors["ground"] = "Choose the reason the law allows for asking for money back"
    if shows_nothing(explanation):
        errors["explanation"] = "Give the reasons, written for the person"
    # Text that shows nothing would print "The person who must pay it back is: ." in the
    # letter; characters that turn text round would print a name other than the one stored.
    if shows_nothing(who_repays):
        errors["who_repays"] = "Say who must pay the money back"
    elif DIRECTION_CONTROLS.search(who_repays):
        errors["who_repays"] = "Who must pay it back must not contain hidden characters"
    if DIRECTION_CONTROLS.search(explanation):
        errors["explanation"] = "The reasons must not contain hidden characters"
    today = timezone.localdate()
    if due_by <= today:
        errors["due_by"] = "The date to repay by must be after today, to give the person time"
    elif due_by > today + datetime.timedelta(days=366):
        errors["due_by"] = "The date to repay by must be within a year"
    if "amount" not in errors:
        left = repayable(budget)
        if amount > left:
            errors["amount"] = (
                f"The amount must be no more than {_pounds(left)}: the money paid out of this "
                "budget that has not already been asked back"
                if left > 0
                else "No money paid out of this budget is left to ask back"
            )
    if errors:
        raise ValidationError(errors)
    repayment = RepaymentRequest.objects.create(
        budget=budget,
        ground=ground,
        amount=amount,
        explanation=explanation.strip(),
        due_by=due_by,
        who_repays=who_repays.strip(),
        requested_by=actor,
        requested_on=today,
    )
    repayment.letter = write_letter(
        actor=actor,
        holder=holder,
        kind=PlanLetterKind.REPAYMENT,
        subject="We are asking for money back from the personal health budget",
        template="careplans/letters/repayment.html",
        died=ground == RepaymentGround.DEATH,
        context={"repayment": repayment, "ground_words": RepaymentGround(ground).label.lower()},
    )
    repayment.save(update_fields=["letter", "updated_at"])
    return repayment


def paid_back(repayment) -> Decimal:
    """The money received against a request for money back."""
    return repayment.settlements.aggregate(total=Sum("amount"))["total"] or Decimal("0.00")


def outstanding(repayment) -> Decimal:
    return repayment.amount - paid_back(repayment)


def settlements_recorded(repayment) -> int:
    """How many payments have been recorded against a request: what the "Record money paid
    back" page carries, so that sending it twice records the money once."""
    return repayment.settlements.count()


@transaction.atomic
def record_settlement(
    *,
    actor,
    repayment,
    amount: Decimal,
    received_on: datetime.date,
    reference: str = "",
    settlements_seen: int | None = None,
) -> RepaymentSettlement:
    """Money received against a request, never more than is still owed. `settlements_seen`
    is how many payments the page showed had been recorded: one recorded since (a second
    click, or someone else) is refused, saying what was recorded."""
    require(actor, Permission.REQUEST_REPAYMENT, repayment.budget.budget_holder)
    repayment = RepaymentRequest.objects.select_for_update().get(pk=repayment.pk)
    if settlements_seen is not None:
        recorded = repayment.settlements.select_related("recorded_by")
        if recorded.count() != settlements_seen:
            latest = recorded.order_by("-recorded_at").first()
            raise Conflict(
                f"{_pounds(latest.amount)} received on {latest.received_on:%-d %B %Y} was "
                f"already recorded by {latest.recorded_by.full_name} on "
                f"{_at(latest.recorded_at)}, after this page was opened. Nothing was changed: "
                f"{_pounds(outstanding(repayment))} is still owed."
                if latest is not None
                else "The payments recorded against this request changed. Nothing was changed."
            )
    errors = {}
    try:
        amount = check_money(amount, what="The amount", field="amount", minimum=Decimal("0.01"))
    except ValidationError as error:
        errors.update(error.message_dict)
    owed = outstanding(repayment)
    if not errors and amount > owed:
        errors["amount"] = f"Only £{owed:,.2f} is still owed"
    if received_on > timezone.localdate():
        errors["received_on"] = "The date the money was received must be today or in the past"
    elif received_on < repayment.requested_on:
        errors["received_on"] = "The money cannot have been received before it was asked for"
    if repayment.withdrawn_on is not None:
        errors["__all__"] = "This request was withdrawn. Nothing was saved."
    if errors:
        raise ValidationError(errors)
    return RepaymentSettlement.objects.create(
        request=repayment,
        amount=amount,
        received_on=received_on,
        reference=reference.strip(),
        recorded_by=actor,
    )
