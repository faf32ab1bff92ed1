"""Display-ready data for the panel pages: macro options for the NHS.UK components."""

from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from budgets.presenters import money
from careplans.models import DecisionOutcome, PanelSessionStatus
from careplans.models.plans import cost_words, split_costs
from careplans.services.decisions import APPROVING
from careplans.services.plans import cost_for_period, is_whole_year, written_words
from phb.components import render_component
from phb.presenters import display_date, hidden_caption

SESSION_COLOURS = {
    PanelSessionStatus.PLANNED: "white",
    PanelSessionStatus.IN_PROGRESS: "yellow",
    PanelSessionStatus.CLOSED: "grey",
}
OUTCOME_COLOURS = {
    DecisionOutcome.APPROVED: "green",
    DecisionOutcome.APPROVED_WITH_CHANGES: "aqua-green",
    DecisionOutcome.DECLINED: "red",
    DecisionOutcome.DEFERRED: "orange",
}


def session_tag(session) -> dict:
    return {"text": session.get_status_display(), "colour": SESSION_COLOURS[session.status]}


def outcome_tag(decision) -> dict:
    return {"text": decision.get_outcome_display(), "colour": OUTCOME_COLOURS[decision.outcome]}


def quorum_text(present: int, needed: int, out: int | None = None) -> str:
    """Whether enough members are here: for the session (`out` None), or for one plan, of
    whom `out` cannot decide it (they wrote it, coordinate the person's care or declared a
    conflict of interest)."""
    here = f"{present} member is" if present == 1 else f"{present} members are"
    if out is None:
        if present >= needed:
            return (
                f"{here} here and {needed} are needed, so the panel can start deciding. "
                "Anyone who wrote a plan, is the person's care coordinator or declared a conflict "
                "of interest in it does not count for that plan."
            )
        return (
            f"{here} here and {needed} are needed: the panel cannot decide until enough members "
            "are recorded as here."
        )
    can = present - out
    if not out:
        if can >= needed:
            return f"{here} here and {needed} are needed: the panel can decide this plan."
        return (
            f"{here} here and {needed} are needed: the panel cannot decide this plan until "
            "enough members are recorded as here."
        )
    cannot = f"{out} of them cannot decide this plan" if out > 1 else "1 of them cannot decide it"
    verdict = (
        "the panel can decide it"
        if can >= needed
        else "the panel cannot decide it until enough other members are here"
    )
    return (
        f"{here} here, but {cannot} (they wrote it, coordinate the person's care or declared a "
        f"conflict of interest): {can} can, {needed} are needed, so {verdict}."
    )


AT = "j F Y \\a\\t H:i"  # 14 January 2027 at 10:05


def decided_text(decision) -> str:
    """Who decided the plan and when: "…, by the panel of 6 December 2026 (Morgan Panel) at
    12:37." (the day said once, unless the decision was recorded on another day), or "…, by
    Alex Lead on 6 December 2026 at 12:37." for a lead's own decision."""
    outcome = decision.get_outcome_display().lower()
    decided_at = timezone.localtime(decision.decided_at)
    if not decision.session_id:
        return (
            f"This plan has been decided: {outcome}, by {decision.decided_by.full_name} on "
            f"{display_date(decided_at, AT)}."
        )
    session = decision.session
    when = (
        f"at {decided_at:%H:%M}"
        if decided_at.date() == session.date
        else f"on {display_date(decided_at, AT)}"
    )
    return (
        f"This plan has been decided: {outcome}, by the panel of "
        f"{display_date(session.date, 'j F Y')} ({decision.decided_by.full_name}) {when}."
    )


def just_decided_text(version) -> str:
    decision = version.decision
    return (
        f"{version.plan.budget_holder.full_name}'s plan: "
        f"{decision.get_outcome_display().lower()}. The letter to them has been written."
    )


def when(session) -> str:
    return f"{display_date(session.date, 'l j F Y')} at {session.starts_at:%H:%M}"


def where(session) -> str:
    return " and ".join(
        part for part in (session.place, session.call_link and "video call") if part
    )


def plan_label(version) -> str:
    holder = version.plan.budget_holder
    return f"{holder.full_name}, version {version.number}: {written_words(version)}"


def _money_cell(value) -> dict:
    return {"text": money(value), "format": "numeric", "classes": "phb-money"}


def sessions_table(sessions, *, past: bool) -> dict:
    return {
        "responsive": True,
        "caption": hidden_caption("Past panel sessions" if past else "Upcoming panel sessions"),
        "head": [
            {"text": "When"},
            {"text": "Where"},
            {"text": "Chair"},
            {"text": "Plans", "format": "numeric"},
            {"text": "Decided", "format": "numeric"},
            {"text": "Status"},
        ],
        "rows": [
            [
                {
                    "html": format_html(
                        '<a class="nhsuk-link" href="{}">{}</a>',
                        reverse("careplans:panel_session", args=[s.pk]),
                        when(s),
                    )
                },
                {"text": where(s)},
                {"text": s.chair.full_name},
                {"text": str(s.plans), "format": "numeric"},
                {"text": str(s.decided), "format": "numeric"},
                {"text": s.get_status_display()},
            ]
            for s in sessions
        ],
    }


def session_rows(session) -> list[dict]:
    rows = [
        ("When", {"text": when(session)}),
        ("Room or place", {"text": session.place or "None: by video call"}),
    ]
    if session.call_link:
        rows.append(
            (
                "Video call",
                {
                    "html": format_html(
                        '<a class="nhsuk-link" href="{}">{}</a>',
                        session.call_link,
                        session.call_link,
                    )
                },
            )
        )
    rows += [
        ("Chair", {"text": session.chair.full_name}),
        ("Quorum", {"text": f"{session.quorum} members present, less any with a conflict"}),
    ]
    return [{"key": {"text": key}, "value": value} for key, value in rows]


def members_table(session) -> dict:
    conflicts = {}
    for conflict in session.conflicts.all():
        conflicts.setdefault(conflict.member_id, []).append(conflict)
    return {
        "responsive": True,
        "caption": hidden_caption("Members and attendance"),
        "head": [{"text": "Member"}, {"text": "Here"}, {"text": "Conflicts declared"}],
        "rows": [
            [
                {
                    "text": m.member.full_name
                    + (" (chair)" if m.member_id == session.chair_id else "")
                },
                {"text": "Yes" if m.present else "No"},
                {"text": str(len(conflicts.get(m.member_id, [])))},
            ]
            for m in session.memberships.all()
        ],
    }


def _button_form(url: str, request_token: str, action: str, text: str, label: str) -> str:
    button = render_component(
        "button",
        {
            "html": format_html('{}<span class="nhsuk-u-visually-hidden"> {}</span>', text, label),
            "variant": "secondary",
            "small": True,
            "name": "action",
            "value": action,
            "classes": "nhsuk-u-margin-bottom-1 nhsuk-u-margin-right-1",
        },
    )
    return format_html(
        '<form method="post" action="{}" class="phb-inline-form">'
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">{}</form>',
        url,
        request_token,
        button,
    )


def agenda_table(session, items, *, can_manage: bool, request=None) -> dict:
    """The agenda in order: who, version, yearly cost, the budget, and the decision if made."""
    open_ = session.status != PanelSessionStatus.CLOSED
    head = [
        {"text": "No.", "format": "numeric"},
        {"text": "Person and plan"},
        {"text": "Cost", "format": "numeric"},
        {"text": "Budget", "format": "numeric"},
        {"text": "Decision"},
    ]
    token = get_token(request) if (request is not None and can_manage and open_) else ""
    if token:
        head.append({"text": "Agenda"})
    rows = []
    for number, item in enumerate(items, start=1):
        version = item.version
        holder = version.plan.budget_holder
        decision = getattr(version, "decision", None)
        pack = reverse("careplans:panel_pack", args=[session.pk, version.pk])
        row = [
            {"text": str(number), "format": "numeric"},
            {
                "html": format_html(
                    '<a class="nhsuk-link" href="{}">{}</a>, version {}',
                    pack,
                    holder.full_name,
                    version.number,
                )
            },
            # Words, not one figure ("£5,720.00 a year and £120.00 once"): they may wrap on a
            # phone, so not kept on one line as a single amount is.
            {"text": cost_words(item.yearly, item.once), "format": "numeric"},
            _money_cell(version.budget.agreed_amount) if version.budget else {"text": "None"},
            {
                "text": decision.get_outcome_display()
                if decision is not None
                else version.get_status_display()
            },
        ]
        if token:
            url = reverse("careplans:panel_agenda_item", args=[session.pk, version.pk])
            label = f"{holder.full_name}'s plan"
            buttons = []
            if number > 1:
                buttons.append(_button_form(url, token, "up", "Move up", label))
            if number < len(items):
                buttons.append(_button_form(url, token, "down", "Move down", label))
            if decision is None:
                buttons.append(_button_form(url, token, "remove", "Take off", label))
            row.append({"html": format_html_join("", "{}", ((b,) for b in buttons))})
        rows.append(row)
    return {
        "responsive": True,
        "caption": hidden_caption("The agenda, in order"),
        "head": head,
        "rows": rows,
    }


def pack(version) -> dict:
    """The panel pack's sections, from the prefetched version."""
    holder = version.plan.budget_holder
    items = list(version.support_items.all())
    coordinator = next(
        (c for c in version.professional_contacts.all() if c.is_care_coordinator), None
    )
    clinical = next(
        (c for c in version.professional_contacts.all() if c.has_clinical_responsibility), None
    )
    words = cost_words(*split_costs((item, item.annual_cost) for item in items))
    person = [
        ("Name", holder.full_name),
        ("Date of birth", display_date(holder.date_of_birth, "j F Y")),
        ("Why they can have a personal health budget", holder.get_eligibility_display()),
        ("What matters to them", version.what_matters or "Not recorded"),
        ("Their health needs", version.health_needs or "Not recorded"),
        ("How they communicate", version.communication_needs or "Not recorded"),
        ("Care coordinator", coordinator.name if coordinator else "Not named"),
        ("Clinical responsibility", clinical.name if clinical else "Not named"),
    ]
    budget = version.budget
    money_rows = [("Plan costs", words)]
    if budget is not None:
        money_rows += [
            ("Budget", f"{money(budget.agreed_amount)} ({budget.get_status_display().lower()})"),
            (
                "Budget period",
                f"{display_date(budget.period_start)} to {display_date(budget.full_period_end)}",
            ),
            ("How it was set", budget.get_basis_display()),
            ("Indicative amount", money(budget.indicative_amount)),
        ]
        cost = cost_for_period(items, budget)
        if not is_whole_year(budget):
            money_rows.append(("Plan costs for the budget period", money(cost)))
        if cost > budget.agreed_amount:
            money_rows.append(("Over budget by", money(cost - budget.agreed_amount)))
            money_rows.append(
                ("Why it costs more", version.over_budget_justification or "Not given")
            )
    else:
        money_rows.append(("Budget", "No budget is linked to this plan"))
    return {
        "person": _summary(person),
        "money": _summary(money_rows),
        "items": items_table(items),
        "total": words,
        "checks": list(budget.clinical_checks.all()) if budget is not None else [],
        "clinical_justification": budget.clinical_justification if budget is not None else "",
        "goals": list(version.goals.all()),
        "risks": list(version.risks.all()),
    }


def _summary(rows) -> list[dict]:
    return [{"key": {"text": key}, "value": {"text": value}} for key, value in rows]


def items_table(items) -> dict:
    return {
        "responsive": True,
        "caption": hidden_caption("What the budget will pay for"),
        "head": [
            {"text": "Item"},
            {"text": "Provider"},
            {"text": "Goals it serves"},
            {"text": "Cost", "format": "numeric"},
        ],
        "rows": [
            [
                {
                    "html": format_html(
                        '{}<br><span class="nhsuk-body-s">{} × {} {}</span>{}',
                        item.description,
                        money(item.unit_cost),
                        item.quantity.normalize(),
                        item.get_frequency_display().lower(),
                        format_html(
                            "<br><strong>Pays a family member:</strong> {}",
                            item.family_member_justification,
                        )
                        if item.pays_family_member
                        else "",
                    )
                },
                {"text": item.provider},
                {"text": "; ".join(goal.description for goal in item.goals.all()) or "None"},
                {"text": item.cost_text, "format": "numeric", "classes": "phb-money"},
            ]
            for item in items
        ],
    }


def decision_fields(form, field_component) -> dict:
    """Macro options for the decision form's fields. Nothing takes the focus as the page opens:
    the heading, the cost against the budget and any warning come first (WCAG 2.4.3)."""
    _, outcome = field_component(form["outcome"])
    outcome["classes"] = "nhsuk-radios--inline"
    items = []
    for item, choice, reasons, cost in form.item_fields():
        _, choice_options = field_component(choice)
        choice_options["classes"] = "nhsuk-radios--inline nhsuk-radios--small"
        choice_options["fieldset"]["legend"]["classes"] = "nhsuk-fieldset__legend--s"
        items.append(
            {
                "item": item,
                "choice": choice_options,
                "reasons": field_component(reasons)[1],
                "cost": field_component(cost)[1],
            }
        )
    return {
        "outcome": outcome,
        "reasons": field_component(form["reasons"])[1],
        "items": items,
    }


def _plan_name(version) -> str:
    return f"{version.plan.budget_holder.full_name}, version {version.number}"


def summary_table(decided) -> dict:
    return {
        "responsive": True,
        "caption": hidden_caption("Plans decided"),
        "head": [
            {"text": "Person and plan"},
            {"text": "Decision"},
            {"text": "Approved", "format": "numeric"},
            {"text": "Letters"},
        ],
        "rows": [
            [
                {"text": _plan_name(item.version)},
                {"text": item.version.decision.get_outcome_display()},
                # As the version's page says it: one-off items are not a yearly cost.
                {
                    "text": item.version.decision.approved_words
                    if item.version.decision.outcome in APPROVING
                    else "None",
                    "format": "numeric",
                    "classes": "phb-money",
                },
                {
                    "html": format_html_join(
                        mark_safe("<br>"),
                        'Written: <a class="nhsuk-link" href="{}">{}</a>, to {}',
                        (
                            (
                                reverse("careplans:letter", args=[letter.pk]),
                                letter.subject,
                                letter.addressed_to,
                            )
                            for letter in letters
                        ),
                    )
                }
                if letters
                else {"text": "No letter"},
            ]
            for item, letters in decided
        ],
    }
