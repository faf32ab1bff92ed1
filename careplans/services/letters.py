"""Letters about plans: written when the decision is made, stored exactly as issued.

A letter goes to the person's representative when they have one (about the person), otherwise
to the person. It says what was decided, the reasons, what happens next, how to contact the
team, and how to ask for the decision to be looked at again.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from budgets.models import BudgetStatus
from careplans.models import DecisionOutcome, PlanLetter, PlanLetterKind
from phb.models import Representative

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


def recipient(holder) -> tuple[str, object | None]:
    """Who a letter about `holder` is addressed to: their representative if they have one."""
    representative = (
        Representative.objects.current().filter(budget_holder=holder).select_related("user").first()
    )
    if representative is not None:
        return representative.user.full_name, representative
    return holder.full_name, None


def write_decision_letter(*, actor, decision) -> PlanLetter:
    version = decision.version
    holder = version.plan.budget_holder
    addressed_to, representative = recipient(holder)
    items = [
        (item_decision.item, item_decision)
        for item_decision in decision.items.select_related("item").order_by("item__order")
    ]
    body = render_to_string(
        "careplans/letters/decision.html",
        {
            "holder": holder,
            "addressed_to": addressed_to,
            "representative": representative,
            "decision": decision,
            "version": version,
            "approved": [(i, d) for i, d in items if d.outcome == DecisionOutcome.APPROVED],
            "changed": [
                (i, d) for i, d in items if d.outcome == DecisionOutcome.APPROVED_WITH_CHANGES
            ],
            "declined": [(i, d) for i, d in items if d.outcome == DecisionOutcome.DECLINED],
            "deferred": [(i, d) for i, d in items if d.outcome == DecisionOutcome.DEFERRED],
            "today": timezone.localdate(),
            "reconsideration_days": settings.PHB_RECONSIDERATION_DAYS,
            # Support the budget already pays for goes on: the letter does not talk of
            # starting it, nor of a first review.
            "already_paid": version.budget.status == BudgetStatus.ACTIVE,
        },
    )
    return PlanLetter.objects.create(
        budget_holder=holder,
        version=version,
        kind=PlanLetterKind.DECISION,
        addressed_to=addressed_to,
        subject=subject_for(SUBJECTS[decision.outcome], holder, representative),
        body_html=body,
        created_by=actor,
    )
