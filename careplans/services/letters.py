"""Letters about plans: written when the decision is made, stored exactly as issued.

A letter goes to each of the person's representatives and nominees (about the person), and to
the person when nobody acts for them or they asked for copies (as the letters about a change of
amount do, `budgets.services.changes`). It says what was decided, the reasons, what happens
next, how to contact the team, and how to ask for the decision to be looked at again.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from budgets.models import BudgetStatus
from budgets.services.changes import ask_again_by, letter_recipients
from careplans.models import (
    DecisionOutcome,
    PlanLetter,
    PlanLetterKind,
    PlanStatus,
    PlanVersion,
    Review,
    ReviewStatus,
)
from careplans.plan_selectors import stop_of

SUBJECTS = {
    DecisionOutcome.APPROVED: "Your care and support plan has been approved",
    DecisionOutcome.APPROVED_WITH_CHANGES: (
        "Your care and support plan has been approved with changes"
    ),
    DecisionOutcome.DECLINED: "Your care and support plan has not been approved",
    DecisionOutcome.DEFERRED: "We need more information about your care and support plan",
}


def subject_for(subject: str, holder, representative) -> str:
    """A letter's subject as its reader reads it: "Your care and support plan…" to the person,
    "Isla Quint's care and support plan…" to someone who acts for them."""
    if not representative:
        return subject
    return subject.replace("your ", f"{holder.full_name}'s ").replace(
        "Your ", f"{holder.full_name}'s "
    )


def recipients(holder) -> list[tuple[str, object | None]]:
    """(addressed to, representative) for each letter about `holder`, by the rule the letters
    about a change of amount follow (`letter_recipients`)."""
    return [(name, rep) for _, rep, name in letter_recipients(holder)]


def write_decision_letter(*, actor, decision) -> PlanLetter:
    """One letter to each reader (`recipients`); returns the first."""
    # Imported here: the presenters read the decision services, which write these letters.
    from careplans.plan_presenters import totals

    version = decision.version
    holder = version.plan.budget_holder
    items = [
        (item_decision.item, item_decision)
        for item_decision in decision.items.select_related("item").order_by("item__order")
    ]
    # A version declined or deferred leaves the one already in use as it was: it stays in use
    # and goes on being paid for (until its budget stops, if it is stopping).
    in_use = None
    if decision.outcome in (DecisionOutcome.DECLINED, DecisionOutcome.DEFERRED):
        in_use = (
            PlanVersion.objects.filter(plan=version.plan, status=PlanStatus.ACTIVE)
            .exclude(pk=version.pk)
            .select_related("decision")
            .first()
        )
    in_use_decision = getattr(in_use, "decision", None) if in_use is not None else None
    context = {
        "holder": holder,
        "decision": decision,
        "version": version,
        "in_use": in_use,
        "in_use_approved_at": in_use_decision.decided_at if in_use_decision else None,
        "in_use_stop": stop_of(in_use) if in_use is not None else None,
        "approved": [(i, d) for i, d in items if d.outcome == DecisionOutcome.APPROVED],
        "changed": [(i, d) for i, d in items if d.outcome == DecisionOutcome.APPROVED_WITH_CHANGES],
        "declined": [(i, d) for i, d in items if d.outcome == DecisionOutcome.DECLINED],
        "deferred": [(i, d) for i, d in items if d.outcome == DecisionOutcome.DEFERRED],
        # What was approved costs, beside the budget (the budget can be more: a PA's employer
        # costs are not items of the plan).
        "totals": totals(version),
        "today": timezone.localdate(),
        "reconsideration_days": settings.PHB_RECONSIDERATION_DAYS,
        "ask_again_by": ask_again_by(timezone.localdate()),
        # Support the budget already pays for goes on: the letter does not talk of
        # starting it, nor of a first review.
        "already_paid": version.budget.status == BudgetStatus.ACTIVE,
        # A plan already reviewed has a next review, not a first one.
        "reviewed_before": Review.objects.filter(
            plan=version.plan, status=ReviewStatus.COMPLETED
        ).exists(),
    }
    letters = [
        PlanLetter.objects.create(
            budget_holder=holder,
            version=version,
            kind=PlanLetterKind.DECISION,
            addressed_to=addressed_to,
            subject=subject_for(SUBJECTS[decision.outcome], holder, representative),
            body_html=render_to_string(
                "careplans/letters/decision.html",
                context
                | {
                    "addressed_to": addressed_to,
                    "representative": representative,
                    "whose": f"{holder.given_name}'s" if representative else "Your",
                },
            ),
            created_by=actor,
        )
        for addressed_to, representative in recipients(holder)
    ]
    return letters[0]
