"""Deciding a plan: by a PHB lead under the ICB's limit, or by a panel with a quorum.

One decision per version stands. The version row is locked while deciding, so a second
decider waits and is then told who decided and when; the one-to-one decision row is the
database's own guarantee. Approving a plan agrees its budget (ADR 0024) and makes it the plan
in use; every decision writes the letter to the person.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from budgets import services as budget_services
from budgets.models import BudgetStatus
from budgets.services import Conflict
from careplans.models import (
    ApprovalPolicy,
    DecisionOutcome,
    ItemDecision,
    PanelSessionStatus,
    PlanDecision,
    PlanStatus,
    PlanVersion,
)
from careplans.services.letters import write_decision_letter
from careplans.services.plans import (
    budget_cannot_take_the_plan,
    cost_for_period_of,
    period_words,
    plan_total,
    problems_with_parts_of,
    status_change,
    written_words,
)
from phb.permissions import Permission, require
from phb.validators import shows_nothing

# The outcomes that put the plan in use, and so approve it for its budget.
APPROVING = (DecisionOutcome.APPROVED, DecisionOutcome.APPROVED_WITH_CHANGES)


@dataclass(frozen=True)
class ItemChoice:
    """What the decider chose for one support item."""

    outcome: str
    reasons: str = ""
    changed_cost: Decimal | None = None


def policy_for(organisation) -> ApprovalPolicy:
    policy, _ = ApprovalPolicy.objects.get_or_create(organisation=organisation)
    return policy


def route_for(version) -> str:
    """'lead' when a PHB lead may sign the plan off, 'panel' when a panel must decide."""
    policy = policy_for(version.plan.budget_holder.organisation)
    return "lead" if plan_total(version) <= policy.lead_sign_off_limit else "panel"


def _already_decided(version) -> Conflict:
    decision = PlanDecision.objects.filter(version=version).select_related("decided_by").first()
    if decision is None:
        return Conflict(
            f"You cannot decide this plan: it is {version.get_status_display().lower()}."
        )
    when = timezone.localtime(decision.decided_at)
    return Conflict(
        f"This plan was already decided ({decision.get_outcome_display().lower()}) by "
        f"{decision.decided_by.full_name} on {when:%-d %B %Y at %H:%M}. Nothing was changed."
    )


def _check_panel(actor, version, session) -> None:
    require(actor, Permission.DECIDE_AT_PANEL, session)
    if session.organisation_id != version.plan.budget_holder.organisation_id:
        raise PermissionDenied
    if session.status != PanelSessionStatus.IN_PROGRESS:
        raise ValidationError("The panel can decide only while its session is in progress")
    if not session.agenda.filter(version=version).exists():
        raise ValidationError("This plan is not on this panel's agenda")
    present = set(session.memberships.filter(present=True).values_list("member_id", flat=True))
    conflicted = set(session.conflicts.filter(version=version).values_list("member_id", flat=True))
    if actor.pk in conflicted:
        raise ValidationError("You declared a conflict of interest, so you cannot decide this plan")
    if actor.pk not in present:
        raise ValidationError("Only members recorded as present can decide")
    deciding = present - conflicted - kept_out_of(version)
    if len(deciding) < session.quorum:
        raise ValidationError(
            f"The panel is not quorate for this plan: {len(deciding)} of the "
            f"{session.quorum} members needed can decide it"
        )


def submitters_of(version) -> set:
    """Everyone who has submitted this version for a decision: a version taken back and
    submitted again by someone else keeps its earlier submitters (its status changes are the
    record; `submitted_by` names only the last)."""
    people = {
        change.by_id
        for change in version.status_changes.all()
        if change.to_status == PlanStatus.SUBMITTED
    }
    return (people | {version.submitted_by_id}) - {None}


def _coordinators_of(version) -> set:
    return {
        contact.user_id
        for contact in version.professional_contacts.all()
        if contact.is_care_coordinator and contact.user_id is not None
    }


def writers_of(version) -> set:
    """Everyone who changed what this version says (its sections or any of its rows)."""
    return {user.pk for user in version.written_by.all()}


def kept_out_of(version) -> set:
    """Who may not decide this plan whatever panel it is at: whoever started this version,
    wrote any part of it or ever submitted it, and the person's named care coordinator (the
    panel's declared conflicts come on top). Reads the prefetched status changes, writers and
    contacts when the page has them."""
    people = (
        {version.created_by_id}
        | writers_of(version)
        | submitters_of(version)
        | _coordinators_of(version)
    )
    return people - {None}


def why_kept_out(version, user, *, someone: str = "someone else") -> str | None:
    """Why `user` may not decide this plan, in plain words; None when they may (as far as
    writing, submitting and coordinating go). `someone` is who must decide it instead."""
    if user.pk == version.created_by_id:
        return f"You wrote this plan, so {someone} must decide it"
    if user.pk in writers_of(version):
        return f"You wrote part of this plan, so {someone} must decide it"
    if user.pk in submitters_of(version):
        return f"You submitted this plan, so {someone} must decide it"
    if user.pk in _coordinators_of(version):
        return f"You are this person's care coordinator, so {someone} must decide it"
    return None


def _check_items(
    version, outcome: str, items: dict, plan_reasons: str = ""
) -> tuple[list, Decimal]:
    """Each item's decision, and the yearly amount of what is approved. A declined, deferred
    or changed item needs its own reason written for the person."""
    support_items = list(version.support_items.all())
    missing = [item.description for item in support_items if str(item.pk) not in items]
    if outcome in (DecisionOutcome.DECLINED, DecisionOutcome.DEFERRED):
        # Every item shares the plan's outcome; an item's own reason (if the decider wrote
        # one) is kept, otherwise the plan's reasons are the item's.
        choices = {
            str(i.pk): ItemChoice(
                outcome,
                reasons=getattr(items.get(str(i.pk)), "reasons", "").strip() or plan_reasons,
            )
            for i in support_items
        }
    else:
        if missing:
            raise ValidationError(f"Decide every item. Not decided: {', '.join(missing)}")
        choices = {str(pk): choice for pk, choice in items.items()}
    errors = []
    rows, approved = [], Decimal("0.00")
    for item in support_items:
        choice = choices[str(item.pk)]
        if choice.outcome not in DecisionOutcome.values:
            raise ValidationError(f"Choose a decision for {item.description}")
        if choice.outcome != DecisionOutcome.APPROVED and shows_nothing(choice.reasons):
            errors.append(f"Give the reason for {item.description}, written for the person")
        cost = None
        if choice.outcome == DecisionOutcome.APPROVED_WITH_CHANGES:
            if choice.changed_cost is None or choice.changed_cost < 0:
                errors.append(item.new_cost_missing)
                continue
            # Nothing approved is a decline, and must be told as one (with the right to ask
            # for reconsideration under regulation 8), not as an approval at £0.00.
            if choice.changed_cost == 0:
                errors.append(f"To approve nothing for {item.description}, decline it instead")
                continue
            if choice.changed_cost >= item.annual_cost:
                errors.append(
                    f"The new cost for {item.description} must be less than {item.cost_text}"
                )
                continue
            cost = choice.changed_cost
            approved += cost
        elif choice.outcome == DecisionOutcome.APPROVED:
            approved += item.annual_cost
        rows.append((item, choice, cost))
    if errors:
        raise ValidationError(errors)
    outcomes = {choice.outcome for _, choice, _ in rows}
    # Said against the decision on the whole plan, so the summary links to it; in words that
    # fit both the lead's and the panel's labels for it.
    if outcome == DecisionOutcome.APPROVED and outcomes != {DecisionOutcome.APPROVED}:
        raise ValidationError(
            {
                "outcome": "Some items are not approved as they are, so approve the plan with "
                "changes, or approve every item"
            }
        )
    if outcome == DecisionOutcome.APPROVED_WITH_CHANGES and not (
        outcomes & {DecisionOutcome.APPROVED, DecisionOutcome.APPROVED_WITH_CHANGES}
    ):
        raise ValidationError(
            {"outcome": "No item is approved, so decline the plan or defer it instead"}
        )
    if outcome == DecisionOutcome.APPROVED_WITH_CHANGES and outcomes == {DecisionOutcome.APPROVED}:
        raise ValidationError(
            {"outcome": "Every item is approved as it is, so approve the plan as it is"}
        )
    return rows, approved


@transaction.atomic
def decide_plan(
    *,
    actor,
    version,
    outcome: str,
    reasons: str = "",
    items: dict | None = None,
    session=None,
    lock_version: int | None = None,
) -> PlanDecision:
    """Decide a submitted version. `items` maps each support item's id to an `ItemChoice`
    (not needed to decline or defer the whole plan)."""
    # Lock the version row alone (its budget is optional: no outer join may be locked), then
    # read what it links to.
    list(PlanVersion.objects.select_for_update().filter(pk=version.pk).values_list("pk"))
    version = PlanVersion.objects.select_related("plan__budget_holder__organisation", "budget").get(
        pk=version.pk
    )
    holder = version.plan.budget_holder
    if version.status != PlanStatus.SUBMITTED:
        raise _already_decided(version)
    if lock_version is not None and version.lock_version != lock_version:
        raise Conflict(
            "Someone changed this plan while you were looking at it. "
            "Check the latest version and decide again."
        )
    if outcome not in DecisionOutcome.values:
        raise ValidationError({"outcome": "Choose a decision"})
    if outcome in APPROVING and budget_cannot_take_the_plan(version.budget):
        raise ValidationError(
            {
                "outcome": f"{budget_cannot_take_the_plan(version.budget)}. Until then the plan "
                "can only be deferred or declined"
            }
        )
    kept_out = why_kept_out(version, actor)
    if kept_out is not None:
        raise ValidationError(kept_out)
    if session is None:
        require(actor, Permission.DECIDE_PLAN, holder)
        if route_for(version) != "lead":
            limit = policy_for(holder.organisation).lead_sign_off_limit
            raise ValidationError(
                f"This plan costs {written_words(version)}, more than the £{limit:,.2f} a PHB "
                "lead may approve: a panel must decide it"
            )
    else:
        _check_panel(actor, version, session)
    if outcome != DecisionOutcome.APPROVED and shows_nothing(reasons):
        raise ValidationError(
            {"reasons": "Give the reasons for the decision, written for the person"}
        )
    rows, approved = _check_items(version, outcome, items or {}, reasons.strip())
    if outcome in APPROVING:
        _check_within_budget(version, rows)
    try:
        with transaction.atomic():
            decision = PlanDecision.objects.create(
                version=version,
                session=session,
                outcome=outcome,
                reasons=reasons.strip(),
                approved_annual_amount=approved,
                decided_by=actor,
            )
    except IntegrityError as error:  # someone decided it in another transaction meanwhile
        raise _already_decided(version) from error
    ItemDecision.objects.bulk_create(
        ItemDecision(
            decision=decision,
            item=item,
            outcome=choice.outcome,
            approved_annual_cost=cost,
            reasons=choice.reasons.strip(),
        )
        for item, choice, cost in rows
    )
    status_change(version, to_status=outcome, by=actor, reason=reasons.strip())
    version.lock_version += 1
    version.save(update_fields=["status", "lock_version"])
    if outcome in APPROVING:
        _put_in_use(actor, version, decision, session)
    write_decision_letter(actor=actor, decision=decision)
    return decision


def _check_within_budget(version, rows) -> None:
    """A plan records that its budget is enough (DOMAIN.md §4): what is approved may not cost
    more, for the budget's period, than the budget (the figure the plan's page and letter set
    against it). A reason written for costing more explains the plan to whoever decides it;
    it does not let an approval go over the budget, nor over any part of it (a direct payment
    holds only its part)."""
    budget = version.budget
    if budget is None:
        return
    approved = [
        (item, item.annual_cost if cost is None else cost)
        for item, choice, cost in rows
        if choice.outcome in APPROVING
    ]
    cost = cost_for_period_of(approved, budget)
    problems = []
    if cost > budget.agreed_amount:
        problems.append(
            f"What would be approved costs £{cost:,.2f} {period_words(budget)}, "
            f"£{cost - budget.agreed_amount:,.2f} more than the budget of "
            f"£{budget.agreed_amount:,.2f}. The budget must be increased, or items cut "
            "(approved at a lower cost or declined), before the plan can be approved"
        )
    # Nor more from any one way of holding the money than it holds, in the words of the
    # check made when the plan was submitted.
    problems += problems_with_parts_of(approved, budget)
    if problems:
        raise ValidationError({"outcome": problems})


def _put_in_use(actor, version, decision, session=None) -> None:
    """The approved version becomes the plan in use, and its approval agrees the budget: the
    budget records the approval (so it may start paying) and, if it was still proposed, is
    agreed (ADR 0024) — a panel's on the panel's authority."""
    budget = version.budget
    if budget is not None:
        budget_services.record_plan_approval(
            actor=actor,
            budget=budget,
            approved_at=decision.decided_at,
            reference=f"Care and support plan, version {version.number}",
        )
        # A PHB lead (or a panel) agrees a proposed budget with the plan; someone else who may
        # decide a plan but not agree budgets leaves it for a PHB lead; the approval is recorded
        # either way. The budget's own checks (a clinician's check above the indicative amount,
        # separation of duties) still apply: if one refuses, nothing is decided.
        holder = version.plan.budget_holder
        if budget.status == BudgetStatus.PROPOSED:
            if session is not None:
                budget_services.agree_budget(
                    actor=actor, budget=budget, authority=(Permission.DECIDE_AT_PANEL, session)
                )
            elif actor.has_perm(Permission.AGREE_BUDGET, holder):
                budget_services.agree_budget(actor=actor, budget=budget)
    previous = version.plan.versions.filter(status=PlanStatus.ACTIVE).exclude(pk=version.pk)
    for old in previous.select_for_update():
        status_change(
            old, to_status=PlanStatus.SUPERSEDED, by=actor, reason="A new version is in use"
        )
        old.save(update_fields=["status"])
    status_change(version, to_status=PlanStatus.ACTIVE, by=actor)
    version.save(update_fields=["status"])
