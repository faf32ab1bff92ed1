"""Writing a plan with the person: versions, their sections and rows, submitting for a decision.

Every function takes the version's `lock_version` the page showed where a stale page could
overwrite someone else's change; a mismatch is a `Conflict` that says what happened.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone

from budgets.calculations import add_months, amount_for_period, financial_year
from budgets.models import BudgetStatus
from budgets.money import check_money
from budgets.services import Conflict
from budgets.services.plan_approval import APPROVABLE
from careplans.models import (
    CarePlan,
    DecisionOutcome,
    Goal,
    GoalAction,
    PanelSessionStatus,
    PersonalContact,
    PlanDecision,
    PlanStatus,
    PlanStatusChange,
    PlanVersion,
    ProfessionalContact,
    Risk,
    SupportItem,
)
from careplans.models.plans import (
    IN_PROGRESS_STATUSES,
    TIMES_A_YEAR,
    SupportFrequency,
    cost_words,
    split_costs,
    yearly_cost,
)
from phb.models import BudgetHolder, Representative, RepresentativeKind, User
from phb.permissions import Permission, require
from phb.services import only_fields

SECTION_FIELDS = (
    "what_matters",
    "strengths",
    "communication_needs",
    "health_needs",
    "outcomes_evidence",
    "crisis_plan",
    "relapse_plan",
    "pa_absence_plan",
    "over_budget_justification",
    "budget",
    "representative",
    "representative_agreed_on",
    "person_agreed_on",
)
GOAL_FIELDS = ("description", "importance")
ACTION_FIELDS = ("what", "who", "when", "status", "confidence")
PROFESSIONAL_FIELDS = (
    "user",
    "name",
    "role",
    "organisation",
    "phone",
    "email",
    "is_care_coordinator",
    "has_clinical_responsibility",
)
PERSONAL_FIELDS = ("name", "relationship", "phone", "email")
ITEM_FIELDS = (
    "description",
    "category",
    "provider",
    "unit_cost",
    "quantity",
    "frequency",
    "portion",
    "pays_family_member",
    "family_member_justification",
)
RISK_FIELDS = ("risk", "consequence", "mitigation")


def status_change(version, *, to_status: str, by, reason: str = "") -> None:
    PlanStatusChange.objects.create(
        version=version, from_status=version.status, to_status=to_status, by=by, reason=reason
    )
    version.status = to_status


def how_to_change(version) -> str:
    """What someone can do to change a version that is no longer a draft."""
    if version.status == PlanStatus.SUBMITTED:
        return "Take it back to change it (unless it is on a panel's agenda)."
    return "Make a new version to change it."


def lock(version, *, lock_version: int | None, doing: str, editable: bool = True):
    """The version, locked for this transaction; refused if it moved on since the page."""
    locked = PlanVersion.objects.select_for_update(of=("self",)).get(pk=version.pk)
    if editable and locked.status != PlanStatus.DRAFT:
        raise Conflict(
            f"You cannot {doing}: version {locked.number} of this plan is "
            f"{locked.get_status_display().lower()}, so it can no longer be changed. "
            f"{how_to_change(locked)}"
        )
    if lock_version is not None and locked.lock_version != lock_version:
        raise Conflict(
            f"You cannot {doing}: someone changed this plan while you were looking at it. "
            "Check the latest version and try again."
        )
    return locked


def touch(version) -> PlanVersion:
    version.lock_version += 1
    version.save(update_fields=["lock_version", "updated_at", "status"])
    return version


# -- versions ---------------------------------------------------------------------------------


@transaction.atomic
def start_plan(*, actor, budget_holder, budget=None) -> PlanVersion:
    """The person's first plan: version 1, a draft."""
    require(actor, Permission.EDIT_PLAN, budget_holder)
    # Locked so that a second request at the same moment waits for the first and finds its plan.
    BudgetHolder.objects.select_for_update().filter(pk=budget_holder.pk).first()
    if CarePlan.objects.filter(budget_holder=budget_holder).exists():
        raise ValidationError(f"{budget_holder.full_name} already has a care and support plan")
    if budget is not None and budget.budget_holder_id != budget_holder.pk:
        raise ValidationError({"budget": "Choose one of this person's budgets"})
    plan = CarePlan.objects.create(budget_holder=budget_holder, created_by=actor)
    version = PlanVersion.objects.create(plan=plan, number=1, budget=budget, created_by=actor)
    PlanStatusChange.objects.create(
        version=version, from_status="", to_status=PlanStatus.DRAFT, by=actor, reason="Started"
    )
    return version


@transaction.atomic
def new_version(
    *, actor, plan, reason: str = "", seen=None, lock_version: int | None = None
) -> PlanVersion:
    """A new draft copying the latest version (an approved plan stays as it was approved).

    From a page (`seen`, the version it showed, at `lock_version`): refused if that version
    changed since, or is no longer the latest, as the copy would not be of what the page
    showed."""
    require(actor, Permission.EDIT_PLAN, plan.budget_holder)
    plan = CarePlan.objects.select_for_update().get(pk=plan.pk)
    in_progress = plan.versions.filter(status__in=IN_PROGRESS_STATUSES).first()
    if in_progress is not None:
        raise ValidationError(
            f"Version {in_progress.number} is still {in_progress.get_status_display().lower()}: "
            "finish or withdraw it before starting another"
        )
    latest = plan.versions.order_by("-number").first()
    if latest is None:
        raise ValidationError("This plan has no version to start from")
    if seen is not None:
        lock(seen, lock_version=lock_version, doing="start a new version", editable=False)
        if seen.pk != latest.pk:
            raise Conflict(
                f"You cannot start a new version from version {seen.number}: version "
                f"{latest.number} is the latest. Start the new version from its page."
            )
    # The new version must be agreed again, so the dates of agreement are not carried over.
    carried = [
        f for f in SECTION_FIELDS if f not in ("person_agreed_on", "representative_agreed_on")
    ]
    version = PlanVersion.objects.create(
        plan=plan,
        number=latest.number + 1,
        based_on=latest,
        created_by=actor,
        **{field: getattr(latest, field) for field in carried},
    )
    left_out = _copy_rows(latest, version)
    # A reason for costing more than the budget belongs to a plan that does.
    if version.over_budget_justification and over_budget(version) is None:
        version.over_budget_justification = ""
        version.save(update_fields=["over_budget_justification"])
    said = reason.strip() or f"Based on version {latest.number}"
    if left_out:
        said = f"{said.rstrip('.')}. {left_out}"
    PlanStatusChange.objects.create(
        version=version, from_status="", to_status=PlanStatus.DRAFT, by=actor, reason=said
    )
    return version


def _as_approved(item, cost: Decimal) -> dict:
    """An item's cost each time, how many and how often that come to `cost` a year exactly:
    as written but at a lower cost each time when that comes to the penny, else one each
    time, else `cost` once a year (or once, for a one-off item)."""
    tries = [(item.quantity, item.frequency), (Decimal("1"), item.frequency)]
    tries.append((Decimal("1"), SupportFrequency.ONCE if item.is_once else SupportFrequency.YEARLY))
    for quantity, frequency in tries:
        unit_cost = (cost / (quantity * TIMES_A_YEAR[frequency])).quantize(Decimal("0.01"))
        if yearly_cost(unit_cost, quantity, frequency) == cost:
            break
    return {"unit_cost": unit_cost, "quantity": quantity, "frequency": frequency}


def _decided_items(source: PlanVersion) -> dict:
    """Each item's decision (by the item's key) when `source` was approved, as it was or with
    changes; {} when it was not (a declined or deferred plan is rewritten as it was asked for).
    """
    decision = PlanDecision.objects.filter(version=source).first()
    if decision is None or decision.outcome not in (
        DecisionOutcome.APPROVED,
        DecisionOutcome.APPROVED_WITH_CHANGES,
    ):
        return {}
    return {choice.item_id: choice for choice in decision.items.all()}


def _copy_rows(source: PlanVersion, target: PlanVersion) -> str:
    """Copy `source`'s rows into `target`. An approved plan's items are copied as approved: a
    declined item is left out, one approved at a lower cost is at that cost (a deferred item
    was not decided, so stays as asked for). Returns what that left out or changed, in words.
    """
    goals = {}
    for goal in source.goals.prefetch_related("actions"):
        copy = Goal.objects.create(
            version=target,
            order=goal.order,
            description=goal.description,
            importance=goal.importance,
        )
        goals[goal.pk] = copy
        GoalAction.objects.bulk_create(
            GoalAction(goal=copy, **{f: getattr(a, f) for f in ("order", *ACTION_FIELDS)})
            for a in goal.actions.all()
        )
    ProfessionalContact.objects.bulk_create(
        ProfessionalContact(version=target, **{f: getattr(c, f) for f in PROFESSIONAL_FIELDS})
        for c in source.professional_contacts.all()
    )
    PersonalContact.objects.bulk_create(
        PersonalContact(version=target, **{f: getattr(c, f) for f in PERSONAL_FIELDS})
        for c in source.personal_contacts.all()
    )
    Risk.objects.bulk_create(
        Risk(version=target, **{f: getattr(r, f) for f in ("order", *RISK_FIELDS)})
        for r in source.risks.all()
    )
    decided = _decided_items(source)
    declined, lowered = [], []
    for item in source.support_items.prefetch_related("goals"):
        choice = decided.get(item.pk)
        if choice is not None and choice.outcome == DecisionOutcome.DECLINED:
            declined.append(f"{item.description} ({item.cost_text})")
            continue
        fields = {f: getattr(item, f) for f in ITEM_FIELDS}
        cost = item.annual_cost
        if choice is not None and choice.outcome == DecisionOutcome.APPROVED_WITH_CHANGES:
            cost = choice.approved_annual_cost
            fields |= _as_approved(item, cost)
            lowered.append(
                f"{item.description} is at the {item.cost_text_of(cost)} approved, not the "
                f"{item.cost_text} asked for"
            )
        copy = SupportItem.objects.create(
            version=target, order=item.order, annual_cost=cost, **fields
        )
        copy.goals.set([goals[g.pk] for g in item.goals.all() if g.pk in goals])
    said = []
    if declined:
        said.append(
            f"Left out, as the decision on version {source.number} declined "
            f"{'it' if len(declined) == 1 else 'them'}: {'; '.join(declined)}"
        )
    said += lowered
    return ". ".join(said) + ("." if said else "")


@transaction.atomic
def update_sections(*, actor, version, lock_version: int | None = None, **changes) -> PlanVersion:
    """Change what the plan says about the person (about me, health, contingency, agreement)."""
    require(actor, Permission.EDIT_PLAN, version.plan.budget_holder)
    changes = only_fields(changes, SECTION_FIELDS, what="A plan's sections")
    version = lock(version, lock_version=lock_version, doing="change this plan")
    holder = version.plan.budget_holder
    if changes.get("budget") is not None and changes["budget"].budget_holder_id != holder.pk:
        raise ValidationError({"budget": "Choose one of this person's budgets"})
    representative = changes.get("representative")
    if representative is not None and representative.budget_holder_id != holder.pk:
        raise ValidationError({"representative": "Choose someone who acts for this person"})
    today = timezone.localdate()
    # A plan is agreed while it is written: a date long before this version was started (a
    # year typed wrong) is not when anyone agreed it.
    started = timezone.localdate(version.created_at)
    earliest = max(add_months(started, -12), holder.date_of_birth)
    for field, who in (("person_agreed_on", "the person"), ("representative_agreed_on", "they")):
        if changes.get(field) is not None and changes[field] > today:
            raise ValidationError(
                {field: f"The date {who} agreed the plan must be today or in the past"}
            )
        if changes.get(field) is not None and changes[field] < earliest:
            raise ValidationError(
                {
                    field: f"The date {who} agreed the plan must be on or after "
                    f"{earliest:%-d %B %Y}, no more than a year before this version was started"
                }
            )
    for field, value in changes.items():
        setattr(version, field, value.strip() if isinstance(value, str) else value)
    if version.representative_agreed_on is not None and version.representative_id is None:
        raise ValidationError({"representative": "Choose the representative who agreed the plan"})
    version.full_clean(exclude=["plan", "created_by"])
    version.lock_version += 1
    version.save()
    version.written_by.add(actor)
    return version


# -- rows ---------------------------------------------------------------------------------------


def _next_order(queryset) -> int:
    return (queryset.aggregate(top=Max("order"))["top"] or 0) + 1


def _save_row(row, changes: dict, allowed, what: str):
    for field, value in only_fields(changes, allowed, what=what).items():
        setattr(row, field, value.strip() if isinstance(value, str) else value)
    row.full_clean()
    row.save()
    return row


def _row_version(actor, version, lock_version):
    """The draft a row of is changed, locked, with `actor` recorded as one of its writers (the
    change is refused, and so not recorded, if it cannot be made)."""
    require(actor, Permission.EDIT_PLAN, version.plan.budget_holder)
    version = lock(version, lock_version=lock_version, doing="change this plan")
    version.written_by.add(actor)
    return version


@transaction.atomic
def save_goal(*, actor, version, goal=None, lock_version=None, **changes) -> Goal:
    version = _row_version(actor, version, lock_version)
    goal = goal or Goal(version=version, order=_next_order(version.goals))
    goal = _save_row(goal, changes, GOAL_FIELDS, "A goal")
    touch(version)
    return goal


@transaction.atomic
def save_action(*, actor, goal, action=None, lock_version=None, **changes) -> GoalAction:
    version = _row_version(actor, goal.version, lock_version)
    action = action or GoalAction(goal=goal, order=_next_order(goal.actions))
    action = _save_row(action, changes, ACTION_FIELDS, "An action")
    touch(version)
    return action


@transaction.atomic
def save_professional_contact(
    *, actor, version, contact=None, lock_version=None, **changes
) -> ProfessionalContact:
    version = _row_version(actor, version, lock_version)
    contact = contact or ProfessionalContact(version=version)
    for flag, words in (
        ("is_care_coordinator", "the named care coordinator"),
        ("has_clinical_responsibility", "the person who holds clinical responsibility"),
    ):
        if changes.get(flag):
            other = version.professional_contacts.filter(**{flag: True}).exclude(pk=contact.pk)
            if other.exists():
                raise ValidationError(
                    {flag: f"{other.first().name} is already {words}. Change them first"}
                )
    if "user" not in changes:
        email = changes.get("email", contact.email)
        changes["user"] = staff_member_signing_in_as(email, version.plan.budget_holder)
    contact = _save_row(contact, changes, PROFESSIONAL_FIELDS, "A professional contact")
    touch(version)
    return contact


def staff_member_signing_in_as(email: str, holder):
    """The member of the person's ICB's staff whose sign-in is `email`, if any. A contact
    who is one is linked to their account: a care coordinator then cannot decide their own
    person's plan, and is sent its review reminders."""
    if not email:
        return None
    return (
        User.objects.filter(
            email__iexact=email.strip(), role_assignments__organisation=holder.organisation_id
        )
        .distinct()
        .first()
    )


@transaction.atomic
def save_personal_contact(
    *, actor, version, contact=None, lock_version=None, **changes
) -> PersonalContact:
    version = _row_version(actor, version, lock_version)
    contact = _save_row(
        contact or PersonalContact(version=version), changes, PERSONAL_FIELDS, "A contact"
    )
    touch(version)
    return contact


@transaction.atomic
def save_risk(*, actor, version, row=None, lock_version=None, **changes) -> Risk:
    """A significant risk; `row` is the risk being changed (its field `risk` is the words)."""
    version = _row_version(actor, version, lock_version)
    row = row or Risk(version=version, order=_next_order(version.risks))
    row = _save_row(row, changes, RISK_FIELDS, "A risk")
    touch(version)
    return row


@transaction.atomic
def save_support_item(
    *, actor, version, item=None, goals=None, lock_version=None, **changes
) -> SupportItem:
    """An item the budget pays for; its yearly cost is worked out here, to the penny."""
    version = _row_version(actor, version, lock_version)
    item = item or SupportItem(version=version, order=_next_order(version.support_items))
    changes = only_fields(changes, ITEM_FIELDS, what="A support item")
    if "unit_cost" in changes:
        changes["unit_cost"] = check_money(
            changes["unit_cost"], what="The cost each time", field="unit_cost"
        )
    for field, value in changes.items():
        setattr(item, field, value.strip() if isinstance(value, str) else value)
    errors = {}
    if item.quantity is not None and not Decimal(item.quantity) > 0:
        errors["quantity"] = "How many each time must be more than 0"
    if item.pays_family_member and not (item.family_member_justification or "").strip():
        errors["family_member_justification"] = (
            "Explain why paying a family member or friend who lives with the person is justified"
        )
    if item.portion_id and item.portion.budget_id != version.budget_id:
        errors["portion"] = "Choose a part of this plan's budget"
    if errors:
        raise ValidationError(errors)
    if item.unit_cost is not None and item.quantity and item.frequency:
        item.annual_cost = yearly_cost(item.unit_cost, item.quantity, item.frequency)
        check_money(item.annual_cost, what="The cost a year", field="unit_cost")
    item.full_clean(exclude=["version"])
    item.save()
    if goals is not None:
        if any(goal.version_id != version.pk for goal in goals):
            raise ValidationError({"goals": "Choose goals from this plan"})
        item.goals.set(goals)
    touch(version)
    return item


@transaction.atomic
def remove_row(*, actor, row, lock_version=None) -> None:
    """Remove a goal, action, contact, item or risk from a draft."""
    version = row.goal.version if isinstance(row, GoalAction) else row.version
    version = _row_version(actor, version, lock_version)
    row.delete()
    touch(version)


# -- submitting ---------------------------------------------------------------------------------


def plan_total(version) -> Decimal:
    return version.support_items.aggregate(total=Sum("annual_cost"))["total"] or Decimal("0.00")


def written_words(version) -> str:
    """What the plan's items cost as written, in words (from the prefetched items)."""
    return cost_words(*split_costs((i, i.annual_cost) for i in version.support_items.all()))


def cost_for_period(items, budget) -> Decimal:
    """What `items` cost over the budget's period, to set against its amount: the recurring
    items' yearly cost pro rata for the period (by days, as a part-year budget is worked out;
    a whole financial year is the yearly cost exactly), and one-off items in full."""
    return cost_for_period_of([(item, item.annual_cost) for item in items], budget)


def cost_for_period_of(costs, budget) -> Decimal:
    """`cost_for_period` of (item, cost) pairs: the items at other costs (as approved)."""
    recurring, once = split_costs(costs)
    return once + amount_for_period(recurring, budget.period_start, budget.full_period_end)


def is_whole_year(budget) -> bool:
    start, end = financial_year(budget.period_start)
    return (budget.period_start, budget.full_period_end) == (start, end)


def period_words(budget) -> str:
    """The time a plan's cost is set against `budget` for, in words: "a year" for a whole
    financial year, else the budget's own period."""
    if is_whole_year(budget):
        return "a year"
    return (
        f"for the budget's period ({budget.period_start:%-d %B %Y} to "
        f"{budget.full_period_end:%-d %B %Y})"
    )


def over_budget(version) -> str | None:
    """How much more than its budget the plan costs as written, in words (from the prefetched
    items); None when it costs no more, or has no budget. Such a plan cannot be approved as it
    is: only with items cut, or once the budget is increased."""
    budget = version.budget
    if budget is None:
        return None
    cost = cost_for_period(version.support_items.all(), budget)
    if cost <= budget.agreed_amount:
        return None
    return (
        f"The plan costs £{cost:,.2f} {period_words(budget)}, £{cost - budget.agreed_amount:,.2f} "
        f"more than the budget of £{budget.agreed_amount:,.2f}"
    )


OVER_BUDGET_NEXT = (
    "It can be approved only for no more than the budget: increase the budget first, or "
    "approve some items at a lower cost or decline them"
)


def budget_cannot_take_the_plan(budget) -> str | None:
    """Why a plan cannot be approved for `budget` as it stands (a plan is approved only for a
    budget being agreed, agreed or paying: `budgets.services.plan_approval.APPROVABLE`), in
    plain words; None when it can."""
    if budget is None or budget.status in APPROVABLE:
        return None
    if budget.status == BudgetStatus.DRAFT:
        return "The budget that pays for the plan is still a draft: propose the budget first"
    return (
        f"The budget that pays for the plan is {budget.get_status_display().lower()}: choose a "
        "budget that is being agreed, agreed or paying"
    )


def problems_before_submitting(version) -> list[str]:
    """What a version still needs before it can go for a decision, in plain words."""
    problems = []
    if not version.goals.exists():
        problems.append("Add at least one goal, in the person's words")
    contacts = list(version.professional_contacts.all())
    if not any(c.is_care_coordinator for c in contacts):
        problems.append("Name the care coordinator")
    if not any(c.has_clinical_responsibility for c in contacts):
        problems.append("Name who holds clinical responsibility")
    items = list(version.support_items.all())
    if not items:
        problems.append("Add what the budget will pay for")
    if any(item.annual_cost <= 0 for item in items):
        problems.append("Give every item its cost")
    if version.support_items.filter(goals__isnull=True).exists():
        problems.append("Say which goal each item helps with")
    budget = version.budget
    cannot_take = budget_cannot_take_the_plan(budget) if budget is not None else None
    if budget is None:
        problems.append("Choose the budget that pays for the plan")
    else:
        # A part of this budget; one of a budget chosen before (since changed) is not.
        parts = {portion.pk for portion in budget.portions.all()}
        problems += [
            f"Choose how {item.description} is paid for"
            for item in items
            if item.portion_id not in parts
        ]
    if cannot_take:
        problems.append(cannot_take)
    elif budget is not None:
        cost = cost_for_period(items, budget)
        if cost > budget.agreed_amount and not version.over_budget_justification.strip():
            problems.append(
                f"The plan costs £{cost:,.2f} {period_words(budget)}, more than the budget of "
                f"£{budget.agreed_amount:,.2f}: explain why"
            )
        problems += problems_with_parts(items, budget)
    if not version.health_needs.strip():
        problems.append("Describe the person's health needs")
    if not version.outcomes_evidence.strip():
        problems.append("Say how we will know the plan is working: the outcomes the person wants")
    if not version.risks.exists():
        problems.append("Add at least one risk, with what could happen and how it is reduced")
    if not (version.crisis_plan.strip() or version.relapse_plan.strip()):
        problems.append("Say what happens in a crisis or if their health gets worse")
    problems += problems_with_agreement(version)
    return problems


def problems_with_parts(items, budget) -> list[str]:
    """`problems_with_parts_of` the items at the costs written."""
    return problems_with_parts_of([(item, item.annual_cost) for item in items], budget)


def problems_with_parts_of(costs, budget) -> list[str]:
    """Each way of holding the money pays for no more than its part of the budget: a plan
    within its budget in all may still ask one part (a direct payment, say) for more than it
    holds. Of (item, cost) pairs, so a decision's approved costs are checked as the plan was.

    A plan over its budget in all (explained, and cut or the budget increased before it is
    approved) is over in some part too: a part is refused only when it is over by more than
    the plan is over in all, as no increase of the whole would then cover its items. Within
    the budget, any part over is refused."""
    over_in_all = max(cost_for_period_of(costs, budget) - budget.agreed_amount, Decimal("0.00"))
    problems = []
    for portion in budget.portions.all():
        cost = cost_for_period_of(
            [(item, cost) for item, cost in costs if item.portion_id == portion.pk], budget
        )
        if cost - portion.amount > over_in_all:
            way = portion.short_method.lower()
            problems.append(
                f"The items paid from the {way} cost £{cost:,.2f} {period_words(budget)}, "
                f"£{cost - portion.amount:,.2f} more than the £{portion.amount:,.2f} of the budget "
                f"held as the {way}: pay for some of them another way, or change how the "
                "budget is held"
            )
    return problems


def problems_with_agreement(version) -> list[str]:
    """Who must have agreed the plan. Someone who lacks capacity has a representative, who
    agrees it for them; someone with a nominee agrees it themself, and the nominee, who will
    act on it, agrees it too. The plan names whoever acts for the person now."""
    acting = list(
        Representative.objects.current()
        .filter(budget_holder_id=version.plan.budget_holder_id)
        .select_related("user")
        .order_by("user__full_name")
    )
    for_capacity = [r for r in acting if r.kind == RepresentativeKind.REPRESENTATIVE]
    nominees = [r for r in acting if r.kind == RepresentativeKind.NOMINEE]
    problems = []
    if not for_capacity and version.person_agreed_on is None:
        problems.append("Record when the person agreed the plan")
    needed = for_capacity or nominees
    if not needed:
        return problems
    kind = "representative" if for_capacity else "nominee"
    named = next((r for r in needed if r.pk == version.representative_id), None)
    if named is None:
        names = " or ".join(r.user.full_name for r in needed)
        who = (
            f"{names}, the person's {kind},"
            if len(needed) == 1
            else f"the person's {kind} ({names})"
        )
        problems.append(f"Name {who} in the plan and record the date they agreed it")
    elif version.representative_agreed_on is None:
        problems.append(f"Record the date {named.user.full_name} agreed the plan")
    return problems


@transaction.atomic
def submit_version(*, actor, version, lock_version: int | None = None) -> PlanVersion:
    """Send a complete draft for a decision. After this nothing in it changes."""
    require(actor, Permission.EDIT_PLAN, version.plan.budget_holder)
    version = lock(version, lock_version=lock_version, doing="submit this plan")
    problems = problems_before_submitting(version)
    if problems:
        raise ValidationError(problems)
    status_change(version, to_status=PlanStatus.SUBMITTED, by=actor)
    version.submitted_by = actor
    version.submitted_at = timezone.now()
    version.lock_version += 1
    version.save(update_fields=["status", "submitted_by", "submitted_at", "lock_version"])
    return version


def _not_on_an_agenda(version, *, doing: str) -> None:
    """A plan on a panel's agenda is the panel's to decide until a PHB lead takes it off. Once
    a session is closed, a plan it did not decide is no longer its: it is on no agenda."""
    item = (
        version.agenda_items.exclude(session__status=PanelSessionStatus.CLOSED)
        .select_related("session")
        .first()
    )
    if item is not None:
        raise ValidationError(
            f"You cannot {doing}: it is on the agenda of the approval panel on "
            f"{item.session.date:%-d %B %Y}. A PHB lead can take it off the agenda first"
        )


@transaction.atomic
def take_back(*, actor, version, lock_version: int | None = None) -> PlanVersion:
    """Return a submitted version to draft before anyone has decided it."""
    require(actor, Permission.EDIT_PLAN, version.plan.budget_holder)
    version = lock(version, lock_version=lock_version, doing="take this plan back", editable=False)
    if version.status != PlanStatus.SUBMITTED:
        raise Conflict(
            f"You cannot take this plan back: it is {version.get_status_display().lower()}."
        )
    _not_on_an_agenda(version, doing="take this plan back")
    status_change(version, to_status=PlanStatus.DRAFT, by=actor, reason="Taken back to change")
    return touch(version)


@transaction.atomic
def withdraw_version(*, actor, version, reason: str, lock_version: int | None = None):
    require(actor, Permission.EDIT_PLAN, version.plan.budget_holder)
    version = lock(version, lock_version=lock_version, doing="withdraw this plan", editable=False)
    if version.status not in IN_PROGRESS_STATUSES:
        raise Conflict(
            f"You cannot withdraw this plan: it is {version.get_status_display().lower()}."
        )
    if not reason.strip():
        raise ValidationError({"reason": "Say why the plan is being withdrawn"})
    _not_on_an_agenda(version, doing="withdraw this plan")
    status_change(version, to_status=PlanStatus.WITHDRAWN, by=actor, reason=reason.strip())
    return touch(version)
