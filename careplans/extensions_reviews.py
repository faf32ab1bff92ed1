"""What reviews, reconsideration and stopping add to the core's pages (a "Review due" column
on the caseload, the demo data), and the first review falling due when a plan comes into use
or a payment schedule is set (budgets never imports careplans, so careplans listens)."""

from decimal import Decimal

from django.db.models import F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.db.models.signals import post_save
from django.urls import reverse
from django.utils import timezone

from budgets import selectors as budget_selectors
from budgets.models import BudgetStatus, PaymentSchedule
from careplans.demo_reviews import seed_reviews
from careplans.models import (
    BudgetStop,
    CarePlan,
    PlanLetter,
    PlanStatus,
    PlanStatusChange,
    ReconsiderationOutcome,
    ReconsiderationRequest,
    RepaymentRequest,
    Review,
    ReviewStatus,
    StopReason,
)
from careplans.plan_selectors import in_use_version, versions_of_holder
from careplans.selectors_reviews import DECISION_NAMES
from careplans.services.reconsideration import decision_of, describe
from careplans.services.reviews import schedule_first_review
from phb.extensions import (
    BudgetLetterLink,
    CaseloadColumn,
    HolderBudgetAddition,
    NavigationItem,
    RecordSection,
    read_once,
    register_caseload_column,
    register_demo_seeder,
    register_holder_budget_addition,
    register_navigation_item,
    register_record_section,
)
from phb.permissions import Permission


def annotate_review_due(people):
    """The date each person's next review is due, as one subquery of the rows' query."""
    due = Review.objects.filter(plan__budget_holder=OuterRef("pk"), status=ReviewStatus.DUE).values(
        "due_on"
    )[:1]
    return people.annotate(review_due_on=Subquery(due))


def review_due_cell(person) -> str:
    if person.review_due_on is None:
        return "None due"
    if person.review_due_on < timezone.localdate():
        return f"Overdue: {person.review_due_on:%-d %b %Y}"
    return f"{person.review_due_on:%-d %b %Y}"


def _due_and_last_review(holder) -> tuple[Review | None, Review | None]:
    """The person's next review due (the soonest) and their last completed one, in one query
    of at most two rows: the record page is read more than any other (issue 12)."""
    reviews = Review.objects.filter(plan__budget_holder=holder)
    due = reviews.filter(status=ReviewStatus.DUE).order_by("due_on", "pk")[:1]
    last = reviews.filter(status=ReviewStatus.COMPLETED).order_by("-completed_on", "-pk")[:1]
    found = {review.status: review for review in due.union(last, all=True)}
    return found.get(ReviewStatus.DUE), found.get(ReviewStatus.COMPLETED)


def _staff_section(request, holder) -> dict:
    """Reviews, requests for reconsideration, money asked back, and links to what the user
    may do about them."""
    user = request.user
    review, last_review = _due_and_last_review(holder)
    budget = read_once(holder, budget_selectors.current_budget)
    live = budget is not None and budget.status in (BudgetStatus.AGREED, BudgetStatus.ACTIVE)
    if live:
        stop = BudgetStop.objects.filter(budget=budget).first()
    else:
        # No budget now, or a new one only being set up: the last stop, if that is how their
        # last budget ended, with its letter.
        stop = (
            BudgetStop.objects.filter(budget__budget_holder=holder)
            .order_by("-effective_on")
            .first()
        )
    # Requests waiting for a decision and changed decisions still to put into effect, in one
    # query (a person has few).
    requests = list(
        ReconsiderationRequest.objects.filter(budget_holder=holder)
        .filter(
            Q(decided_at=None)
            | Q(outcome=ReconsiderationOutcome.CHANGED, change_made_on__isnull=True)
        )
        .select_related(*DECISION_NAMES)
    )
    repayments = (
        RepaymentRequest.objects.filter(budget__budget_holder=holder, withdrawn_on=None)
        .annotate(received=Coalesce(Sum("settlements__amount"), Decimal("0.00")))
        .filter(amount__gt=F("received"))
        .annotate(owed=F("amount") - F("received"))
    )
    return {
        "review": review,
        "overdue": review is not None and review.due_on < timezone.localdate(),
        "last_review": last_review,
        # A review is brought forward only on a plan in use.
        "has_plan": in_use_version(read_once(holder, versions_of_holder)) is not None,
        "can_review": user.has_perm(Permission.MANAGE_REVIEWS, holder),
        "can_record_request": user.has_perm(Permission.RECORD_RECONSIDERATION, holder),
        "open_requests": sum(1 for request in requests if request.is_open),
        "changes_to_make": [
            {"request": request, "what": describe(decision_of(request))}
            for request in requests
            if request.change_to_make
        ],
        "repayments": repayments,
        "budget": budget if live else None,
        "can_repay": user.has_perm(Permission.REQUEST_REPAYMENT, holder),
        # A stop still to take effect, or the one that ended the last budget.
        "stop": stop,
        "stopped": stop is not None and stop.effective_on <= timezone.localdate(),
        # A review due on or after the day the budget stops will not be needed.
        "review_after_stop": review is not None
        and stop is not None
        and review.due_on >= stop.effective_on,
        "can_stop": live and stop is None and user.has_perm(Permission.STOP_BUDGET, holder),
    }


def _stop_of(budget) -> BudgetStop | None:
    # Only a budget stopped early has a stop; the one-to-one row is kept on the budget once
    # read, so the reason and the letters share one query.
    return getattr(budget, "stop", None) if budget.stopped_from is not None else None


def _stopped_because(budget, acting_for: bool) -> str:
    """Why the budget stops, in the words of the stop letter, after "It stops because"."""
    stop = _stop_of(budget)
    if stop is None:
        return ""
    holder = budget.budget_holder
    name = holder.given_name
    if acting_for:
        you, your, you_are = name, f"{name}'s", f"{name} is"
        no_longer_want = f"{name} no longer wants"
    else:
        you, your, you_are = "you", "your", "you are"
        no_longer_want = "you told the team you no longer want"
    return {
        StopReason.CONSENT_WITHDRAWN: f"{no_longer_want} a personal health budget",
        StopReason.NOT_ELIGIBLE: f"{you_are} no longer eligible for a personal health budget",
        StopReason.REPRESENTATIVE: f"the person acting for {you} is no longer suitable or "
        "willing to act, or is no longer nominated",
        StopReason.OUTSIDE_PLAN: "the money was used for things that are not in "
        f"{your} care and support plan",
        StopReason.FRAUD: "the team suspects theft or fraud",
        StopReason.NEEDS_NOT_MET: f"the budget is not meeting {your} health needs",
        StopReason.DEATH: f"{holder.full_name} has died",
    }[stop.reason]


def _budget_letters(budget) -> list[BudgetLetterLink]:
    """The letter that stops the budget and those asking for money back from it, in one
    query: they are about the budget, so its page lists them with its own letters."""
    stop = _stop_of(budget)
    about = Q(pk__in=RepaymentRequest.objects.filter(budget=budget).values("letter"))
    if stop is not None and stop.letter_id is not None:
        about |= Q(pk=stop.letter_id)
    return [
        BudgetLetterLink(
            subject=letter.subject,
            url=reverse("careplans:letter", args=[letter.pk]),
            created_at=letter.created_at,
        )
        for letter in PlanLetter.objects.filter(about).only("pk", "subject", "created_at")
    ]


def _money_asked_back(request, holder) -> dict:
    """Each request for money back from the person's budgets that stands (a withdrawn one
    asks for nothing), with what has been paid back so far, in one query."""
    acting_for = holder.user_id != request.user.pk
    repayments = (
        RepaymentRequest.objects.filter(budget__budget_holder=holder, withdrawn_on=None)
        .annotate(received=Coalesce(Sum("settlements__amount"), Decimal("0.00")))
        .order_by("requested_on", "created_at")
    )
    whose = f"{holder.given_name}'s" if acting_for else "your"
    return {"repayments": [_repayment_words(r, whose) for r in repayments]}


def _repayment_words(repayment, whose: str) -> str:
    """'We have asked for £100.00 back, by 6 January 2027. £10.00 has been paid back so far,
    so £90.00 is still to pay.', true whether nothing, part or all of it is paid back."""
    owed = repayment.amount - repayment.received
    asked = f"£{repayment.amount:,.2f} back from {whose} budget, by {repayment.due_by:%-d %B %Y}"
    if owed <= 0:
        return f"We asked for {asked}. It has all been paid back."
    if repayment.received == 0:
        return f"We have asked for {asked}. Nothing has been paid back yet."
    return (
        f"We have asked for {asked}. £{repayment.received:,.2f} has been paid back so far, so "
        f"£{owed:,.2f} is still to pay."
    )


def _plan_in_use(sender, instance, created, **kwargs):
    if created and instance.to_status == PlanStatus.ACTIVE:
        schedule_first_review(plan=instance.version.plan)


def _payment_schedule_set(sender, instance, created, **kwargs):
    if not created:
        return
    plan = CarePlan.objects.filter(budget_holder_id=instance.portion.budget.budget_holder_id)
    plan = plan.first()
    if plan is not None:
        schedule_first_review(plan=plan)


def register() -> None:
    register_caseload_column(
        CaseloadColumn(
            heading="Review due", annotate=annotate_review_due, cell=review_due_cell, order=20
        )
    )
    register_demo_seeder(seed_reviews)
    register_holder_budget_addition(
        HolderBudgetAddition(stopped_because=_stopped_because, letters=_budget_letters)
    )
    register_record_section(
        RecordSection(
            audience="holder",
            template_name="careplans/reviews/money_asked_back.html",
            context=_money_asked_back,
            order=25,
        )
    )
    register_record_section(
        RecordSection(
            audience="staff",
            template_name="careplans/reviews/section.html",
            context=_staff_section,
            order=30,
        )
    )
    register_navigation_item(
        NavigationItem(
            text="Reviews due",
            url_name="careplans:reviews_due",
            permission=Permission.MANAGE_REVIEWS,
            order=50,
        )
    )
    register_navigation_item(
        NavigationItem(
            text="Reconsideration",
            url_name="careplans:reconsiderations",
            permission=Permission.VIEW_PLAN,
            order=60,
        )
    )
    register_navigation_item(
        NavigationItem(
            text="Quarterly figures",
            url_name="careplans:quarterly_figures",
            permission=Permission.VIEW_QUARTERLY_FIGURES,
            order=70,
        )
    )
    post_save.connect(_plan_in_use, sender=PlanStatusChange, dispatch_uid="review_plan_in_use")
    post_save.connect(
        _payment_schedule_set, sender=PaymentSchedule, dispatch_uid="review_payment_schedule"
    )
