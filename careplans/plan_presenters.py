"""What the plan pages say, chosen by the version's state: worked figures and plain words."""

from itertools import pairwise

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from budgets.in_force import Amounts
from budgets.presenters import from_day, money
from careplans.models import (
    ApprovalPolicy,
    DecisionOutcome,
    PanelSessionStatus,
    PlanLetterKind,
    PlanStatus,
    Review,
)
from careplans.models.plans import SupportCategory, cost_words, split_costs
from careplans.models.reviews import ReviewStatus
from careplans.plan_selectors import (
    due_review_of,
    in_use_version,
    letters_for,
    plan_agreed_outside,
    plan_of,
    stop_of,
    version_detail_queryset,
    versions_of,
)
from careplans.services.decisions import APPROVING, kept_out_of, policy_for, route_for
from careplans.services.letters import ask_again_by
from careplans.services.plans import (
    IN_PROGRESS_STATUSES,
    cost_for_period_of,
    is_whole_year,
    problems_before_submitting,
    written_words,
)
from phb.models import Representative
from phb.permissions import Permission
from phb.presenters import display_date, hidden_caption, letter_links


def totals(version) -> dict:
    """The plan's cost (what falls every year and what is paid once), and its cost for its
    budget's period against the budget, from the prefetched items (no query). Once the plan is
    approved (as it was, or with changes) these are what was approved, and `submitted` is what
    it cost as written. For a budget of a whole financial year the period's cost is the yearly
    cost and the one-off items; for part of a year the recurring items are pro rata."""
    items = list(version.support_items.all())
    as_written = [(item, item.annual_cost) for item in items]
    decision = getattr(version, "decision", None)
    approved = decision is not None and decision.outcome in APPROVING
    costs = decision.approved_costs() if approved else as_written
    yearly, once = split_costs(costs)
    words = cost_words(yearly, once)
    budget = version.budget
    period_cost = cost_for_period_of(costs, budget) if budget is not None else None
    # The amount in force today and from each change still to come: a change of amount writes
    # the budget's amount at once, long before its day (budgets.in_force).
    steps = budget_steps(budget) if budget is not None else []
    amount = steps[0][0] if steps else None
    over = period_cost - amount if budget is not None else None
    later = []
    for (before, _), (after, when) in pairwise(steps):
        difference = period_cost - after
        later.append(
            {
                "amount": after,
                "when": when,
                "direction": "up" if after > before else "down",
                "over": difference if difference > 0 else None,
                "under": -difference if difference <= 0 else None,
            }
        )
    return {
        "total": yearly + once,
        "words": words,
        "approved": approved,
        # What it cost as written, when the decision changed that.
        "submitted": written if approved and (written := written_words(version)) != words else None,
        "budget_amount": amount,
        "part_year": budget is not None and not is_whole_year(budget),
        "period_cost": period_cost,
        "budget": budget,
        "over": over if over is not None and over > 0 else None,
        "under": -over if over is not None and over <= 0 else None,
        "later": later,
        # More than the budget now or once a change to come has happened.
        "ever_over": (over is not None and over > 0) or any(step["over"] for step in later),
        # A PA's employer costs (holiday pay, National Insurance, pension) are in the budget
        # but not in the plan's items, so the person is told why the budget can be more.
        "pays_a_pa": any(item.category == SupportCategory.PA_SUPPORT for item, _ in costs),
    }


def panel_needed(version) -> str:
    words = totals(version)["words"]
    limit = policy_for(version.plan.budget_holder.organisation).lead_sign_off_limit
    return (
        f"This plan costs {words}, more than the {money(limit)} a PHB lead may approve: a panel "
        "must decide it."
    )


def items_table(version, *, decisions=None) -> dict:
    rows = []
    for item in version.support_items.all():
        goals = "; ".join(goal.description for goal in item.goals.all()) or "None"
        what = item.description
        if item.pays_family_member:
            what += (
                " (pays a family member or friend in the household: "
                f"{item.family_member_justification})"
            )
        row = [
            {"text": what},
            {"text": item.get_category_display()},
            {"text": item.provider},
            {
                "text": f"{money(item.unit_cost)} × {item.quantity.normalize():f} "
                f"{item.get_frequency_display().lower()}"
            },
            {"text": item.cost_text, "format": "numeric"},
            {"text": goals},
            {"text": paid_from(version, item)},
        ]
        if decisions is not None:
            decided = decisions.get(item.pk)
            row.append({"text": item_decision_words(item, decided) if decided else "–"})
        rows.append(row)
    head = [
        {"text": "What"},
        {"text": "Category"},
        {"text": "Who provides it"},
        {"text": "Cost each time × how many"},
        {"text": "Cost", "format": "numeric"},
        {"text": "Goals it helps with"},
        {"text": "Paid from"},
    ]
    if decisions is not None:
        head.append({"text": "Decision"})
    return {
        "caption": hidden_caption("What the budget pays for"),
        "head": head,
        "rows": rows,
        "responsive": True,
    }


def paid_from(version, item) -> str:
    """Which way of holding the budget's money pays for an item. A draft's item may have none
    yet, or one of a budget the draft no longer uses; a fixed version's says what it recorded."""
    if version.status == PlanStatus.DRAFT and (
        item.portion_id is None or item.portion.budget_id != version.budget_id
    ):
        return "Not chosen yet"
    if item.portion_id is None:
        return "Not included in this plan"
    return item.portion.get_method_display()


def budget_steps(budget, on=None) -> list[tuple]:
    """(amount, from when) for the budget's amount in force on `on` (today; when is None) and
    for each change of amount still to come."""
    amounts = Amounts(budget)
    return [
        (amounts.amount(index), when) for index, when in amounts.steps(on or timezone.localdate())
    ]


def holding(version) -> list[str]:
    """The ways the plan's budget holds its money, each with its amount in force today and
    from each change still to come ("£943.06, then £800.00 from 7 January 2027"), as the
    budget's pages say it (from the prefetched portions)."""
    if version.budget is None:
        return []
    shares = Amounts(version.budget).portion_amounts(timezone.localdate())
    return [
        f"{portion.short_method}"
        + (f", held by {portion.held_by}" if portion.held_by else "")
        + ": "
        + ", then ".join(f"{money(amount)}{from_day(when)}" for amount, when in shares[portion.pk])
        for portion in version.budget.portions.all()
    ]


def _policy(organisation) -> ApprovalPolicy:
    # Read, not made: a page or PDF writes nothing (an ICB without a policy has the defaults).
    return ApprovalPolicy.objects.filter(organisation=organisation).first() or ApprovalPolicy(
        organisation=organisation
    )


def _months(count: int) -> str:
    return f"{count} month{'' if count == 1 else 's'}"


def review_words(version, *, printed_on=None) -> str:
    """When the plan's next review is due and who is responsible for it, in words true for the
    version's state. A PDF is a record made on `printed_on`: it says what was so that day."""
    status = version.status
    if status == PlanStatus.DECLINED:
        return "No review is set: this version was not approved."
    if status == PlanStatus.DEFERRED:
        return "No review is set: this version was deferred for more information, not approved."
    if status == PlanStatus.WITHDRAWN:
        return "No review is set: this version was withdrawn."
    if status in (PlanStatus.SUPERSEDED, PlanStatus.ENDED):
        return "This version is no longer in use, so no review of it is due."
    coordinator = next(
        (c for c in version.professional_contacts.all() if c.is_care_coordinator), None
    )
    plan = version.plan
    review = due_review_of(version)
    first_within = (
        f"within {_months(_policy(plan.budget_holder.organisation).first_review_months)} of "
        "the first payment, or of the plan's approval if that is later"
    )
    if status in IN_PROGRESS_STATUSES:
        if review is None:
            said = f"The first review is set when the plan is approved: {first_within}."
            who = "will be responsible for it"
        else:
            said = (
                "The next review of the plan in use is due by "
                f"{display_date(review.due_on, 'j F Y')}."
            )
            who = "will be responsible for reviews once this version is approved"
        if coordinator is not None:
            said += f" {coordinator.name}, the named care coordinator, {who}."
        return said
    # Approved: the plan in use (or about to be).
    today = timezone.localdate()
    if review is None:
        reviewed = plan.reviews.filter(status=ReviewStatus.COMPLETED).exists()
        when = "" if reviewed else f": the first review is due {first_within}"
        said = (
            f"When this plan was printed on {display_date(printed_on, 'j F Y')}, no review "
            f"date was set{when}."
            if printed_on
            else f"No review date is set yet{when}."
        )
    else:
        due = display_date(review.due_on, "j F Y")
        overdue = review.due_on < (printed_on or today)
        if printed_on:
            said = f"When this plan was printed on {display_date(printed_on, 'j F Y')}, " + (
                f"the review due by {due} had not been done."
                if overdue
                else f"the next review was due by {due}."
            )
        else:
            said = (
                f"The review was due by {due} and has not been done yet."
                if overdue
                else f"The next review is due by {due}."
            )
    if coordinator is not None:
        said += f" {coordinator.name}, the named care coordinator, is responsible for it."
    return said


def item_decision_words(item, decided) -> str:
    if decided.outcome == DecisionOutcome.APPROVED:
        return "Approved"
    if decided.outcome == DecisionOutcome.APPROVED_WITH_CHANGES:
        return (
            f"Approved at {decided.approved_cost_text} instead of {item.cost_text}: "
            f"{decided.reasons}"
        )
    return f"{decided.get_outcome_display()}: {decided.reasons}"


def version_page(version, versions, user) -> dict:
    holder = version.plan.budget_holder
    draft = version.status == PlanStatus.DRAFT
    may_edit = user.has_perm(Permission.EDIT_PLAN, holder)
    decision = getattr(version, "decision", None)
    decisions = {d.item_id: d for d in decision.items.all()} if decision else None
    in_progress = any(v.status in IN_PROGRESS_STATUSES for v in versions)
    may_decide = (
        version.status == PlanStatus.SUBMITTED
        and user.has_perm(Permission.DECIDE_PLAN, holder)
        and user.pk not in kept_out_of(version)
    )
    # A panel's to decide until a PHB lead takes it off the agenda; a closed session's agenda
    # holds nothing (a plan it did not decide can be taken back, withdrawn or go elsewhere).
    on_agenda = next(
        (
            item
            for item in version.agenda_items.all()
            if item.session.status != PanelSessionStatus.CLOSED
        ),
        None,
    )
    # Above the lead's limit a panel decides: the lead is told so, not offered a button that
    # leads only to saying it.
    panel_note = panel_needed(version) if may_decide and route_for(version) != "lead" else None
    return {
        "panel_note": panel_note,
        "holder": holder,
        "versions": versions,
        "totals": totals(version),
        "problems": problems_before_submitting(version) if draft else [],
        "draft": draft,
        "about_rows": about_rows(version),
        "items_table": items_table(version, decisions=decisions),
        "holding": holding(version),
        "review": review_words(version),
        "decision": decision,
        "status_table": status_table(version),
        "on_agenda": on_agenda,
        # The last closed panel that had it on its agenda and did not decide it.
        "left_by_panel": next(
            (
                item
                for item in sorted(
                    version.agenda_items.all(), key=lambda i: i.session.date, reverse=True
                )
                if item.session.status == PanelSessionStatus.CLOSED
            ),
            None,
        )
        if version.status == PlanStatus.SUBMITTED and on_agenda is None
        else None,
        "letters": list(version.letters.all()) if versions else [],
        "can": {
            "edit": draft and may_edit,
            "submit": draft and may_edit,
            "take_back": version.status == PlanStatus.SUBMITTED and may_edit and on_agenda is None,
            "withdraw": version.status in IN_PROGRESS_STATUSES and may_edit and on_agenda is None,
            "new_version": not in_progress
            and may_edit
            and bool(versions)
            and version.pk == versions[0].pk
            and version.status not in IN_PROGRESS_STATUSES,
            "decide": may_decide and panel_note is None,
        },
    }


def plan_document(version) -> dict:
    """The approved plan's PDF: what its page shows, without the staff's buttons and links."""
    decision = getattr(version, "decision", None)
    decisions = {d.item_id: d for d in decision.items.all()} if decision else None
    return {
        "version": version,
        "draft": version.status == PlanStatus.DRAFT,
        "totals": totals(version),
        "about_rows": about_rows(version),
        "items_table": items_table(version, decisions=decisions),
        "holding": holding(version),
        # A PDF is a record of the day it was made: it says what was due then.
        "review": review_words(version, printed_on=timezone.localdate()),
        "decision": decision,
        # A stop still to come: the plan is in use until then, and its PDF says so.
        "stop": stop_of(version) if version.status == PlanStatus.ACTIVE else None,
        "can": {},
    }


def about_rows(version) -> list[dict]:
    """The plan's own sections, each with its words. What a draft has not said yet is "Not
    written yet"; what a submitted or decided version left out is not in it, and never will be.
    """
    draft = version.status == PlanStatus.DRAFT
    missing = "Not written yet" if draft else "Not included in this plan"
    rows = [
        (label, getattr(version, field) or missing)
        for field, label in SECTION_LABELS
        if field != "over_budget_justification"
    ]
    representative = version.representative
    agreed_on = display_date(version.representative_agreed_on, "j F Y")
    if representative is None:
        acting = "None named in the plan"
    else:
        kind = representative.get_kind_display().split(" (")[0].lower()
        acting = f"{representative.user.full_name} ({kind}), " + (
            f"agreed {agreed_on}"
            if agreed_on
            else "agreement not recorded yet"
            if draft
            else "no agreement recorded in this plan"
        )
    rows += [
        (
            "The person agreed the plan",
            display_date(version.person_agreed_on, "j F Y")
            if version.person_agreed_on
            else ("Not recorded yet" if draft else "Not recorded in this plan"),
        ),
        ("Their representative or nominee", acting),
    ]
    return [{"key": {"text": label}, "value": {"text": value}} for label, value in rows]


def status_table(version) -> dict:
    return {
        "caption": hidden_caption("Every change of status"),
        "head": [{"text": "When"}, {"text": "Who"}, {"text": "Change"}, {"text": "Why"}],
        "rows": [
            [
                {"text": display_date(change.at, "j M Y H:i")},
                {"text": change.by.full_name},
                {
                    "text": f"{change.get_from_status_display() or 'New'} → "
                    f"{change.get_to_status_display()}"
                },
                {"text": change.reason or "–"},
            ]
            for change in version.status_changes.all()
        ],
    }


SECTION_LABELS = [
    ("what_matters", "What matters to me"),
    ("strengths", "My strengths"),
    ("communication_needs", "How I communicate and what helps me"),
    ("health_needs", "My health needs"),
    ("outcomes_evidence", "How we will know the plan is working"),
    ("crisis_plan", "If I am in crisis"),
    ("relapse_plan", "If my health gets worse"),
    ("pa_absence_plan", "If my personal assistant cannot come"),
    ("over_budget_justification", "Why the plan costs more than the budget"),
]


def _asked_for_again(older, new_items: dict) -> list[str]:
    """What the newer version asks for that the decision on the older one declined, or
    approved at a lower cost: the same description and cost reads as "no change", and a
    decider must not miss it."""
    decision = getattr(older, "decision", None)
    if decision is None:
        return []
    said = []
    on = f"the decision on version {older.number} ({display_date(decision.decided_at, 'j F Y')})"
    for item_decision in decision.items.all():
        name = item_decision.item.description
        after = new_items.get(name)
        if after is None:
            continue
        if item_decision.outcome == DecisionOutcome.DECLINED:
            said.append(f"Asked for again: {name}, {after.cost_text}. It was declined in {on}.")
        elif (
            item_decision.outcome == DecisionOutcome.APPROVED_WITH_CHANGES
            and after.annual_cost > item_decision.approved_annual_cost
        ):
            approved = after.cost_text_of(item_decision.approved_annual_cost)
            said.append(
                f"Asked for again at more than was approved: {name}, {after.cost_text}. "
                f"{on[0].upper()}{on[1:]} approved {approved}."
            )
    return said


def differences(older, newer) -> dict:
    """What changed from one version to another: sections, goals, items, contacts, risks."""
    sections = [
        (label, getattr(older, field) or "(empty)", getattr(newer, field) or "(empty)")
        for field, label in SECTION_LABELS
        if getattr(older, field) != getattr(newer, field)
    ]

    def keyed(rows, key):
        return {key(row): row for row in rows}

    old_items = keyed(older.support_items.all(), lambda i: i.description)
    new_items = keyed(newer.support_items.all(), lambda i: i.description)
    items = []
    for name in sorted(set(old_items) | set(new_items)):
        before, after = old_items.get(name), new_items.get(name)
        if before is None:
            items.append(f"Added: {name}, {after.cost_text}")
        elif after is None:
            items.append(f"Removed: {name}, {before.cost_text}")
        elif before.cost_text != after.cost_text:
            items.append(f"Changed: {name}, from {before.cost_text} to {after.cost_text}")
    items += _asked_for_again(older, new_items)
    lists = {}
    for label, attribute, key in (
        ("Goals", "goals", lambda g: g.description),
        ("Professional contacts", "professional_contacts", lambda c: f"{c.name} ({c.role})"),
        ("Personal contacts", "personal_contacts", lambda c: f"{c.name} ({c.relationship})"),
        ("Risks", "risks", lambda r: r.risk),
    ):
        before = set(keyed(getattr(older, attribute).all(), key))
        after = set(keyed(getattr(newer, attribute).all(), key))
        changes = [f"Added: {k}" for k in sorted(after - before)]
        changes += [f"Removed: {k}" for k in sorted(before - after)]
        if changes:
            lists[label] = changes
    old_total, new_total = written_words(older), written_words(newer)
    return {
        "sections": sections,
        "items": items,
        "lists": lists,
        "totals": (old_total, new_total) if old_total != new_total else None,
        "nothing": not (sections or items or lists or old_total != new_total),
    }


def _letter_url(letter) -> str:
    return reverse("careplans:letter", args=[letter.pk])


def your_plan(holder, user) -> dict:
    """The holder's own page: their plan in use, what was decided and why, letters."""
    own = holder.user_id == user.pk
    representative = (
        None
        if own
        else Representative.objects.current().filter(user=user, budget_holder=holder).first()
    )
    plan = plan_of(holder)
    versions = versions_of(plan)
    in_use = in_use_version(versions)
    undecided = (*IN_PROGRESS_STATUSES, PlanStatus.WITHDRAWN)
    latest_decided = next((v for v in versions if v.status not in undecided), None)
    shown = None
    if in_use or latest_decided:
        shown = version_detail_queryset().get(pk=(in_use or latest_decided).pk)
    decision = getattr(shown, "decision", None) if shown else None
    item_words = []
    if decision is not None:
        for item_decision in decision.items.all():
            item_words.append((item_decision.item, item_decision))
    review = (
        Review.objects.filter(plan=plan, status=ReviewStatus.DUE).order_by("due_on").first()
        if plan is not None
        else None
    )
    letters = list(letters_for(holder))
    decision_letter = next(
        (
            letter
            for letter in sorted(letters, key=lambda letter: letter.created_at)
            if shown is not None
            and letter.version_id == shown.pk
            and letter.kind == PlanLetterKind.DECISION
        ),
        None,
    )
    # The stop of the budget the plan shown pays for, and whether its day has come.
    stop = stop_of(shown) if shown is not None else None
    stopped = stop is not None and stop.effective_on <= timezone.localdate()
    return {
        "own": own,
        "representative": representative,
        # Someone who acts for the person reads about them by name, as on the budget page.
        "your": "your" if own else f"{holder.given_name}'s",
        "you": "you" if own else "they",
        "them": "you" if own else "them",
        "shown": shown,
        # In use until the day the budget that pays for it stops (then the daily task ends it).
        "in_use": shown is not None and shown.status == PlanStatus.ACTIVE and not stopped,
        "decision": decision,
        "approved_items": [(i, d) for i, d in item_words if d.outcome == DecisionOutcome.APPROVED],
        "changed_items": [
            (i, d) for i, d in item_words if d.outcome == DecisionOutcome.APPROVED_WITH_CHANGES
        ],
        "declined_items": [(i, d) for i, d in item_words if d.outcome == DecisionOutcome.DECLINED],
        "deferred_items": [(i, d) for i, d in item_words if d.outcome == DecisionOutcome.DEFERRED],
        "totals": totals(shown) if shown else None,
        # With no plan decided here, the plan its budget records as approved elsewhere.
        "agreed_outside": plan_agreed_outside(holder) if shown is None else None,
        "being_written": any(v.status in IN_PROGRESS_STATUSES for v in versions),
        "next_review": review.due_on if review else None,
        # No review comes after the budget stops.
        "review_after_stop": stop is not None
        and (review is None or review.due_on >= stop.effective_on),
        # As staff see it: a review is overdue once the day it was due by has passed.
        "review_overdue": review is not None and review.due_on < timezone.localdate(),
        "stop": stop,
        "stopped": stopped,
        "letters": letter_links(letters, _letter_url),
        "reconsideration_days": settings.PHB_RECONSIDERATION_DAYS,
        # The last day to ask again, from the date of the decision's own letter.
        "ask_again_by": ask_again_by(timezone.localtime(decision_letter.created_at).date())
        if decision_letter is not None
        else None,
        "today": timezone.localdate(),
    }
