"""Reads for the panel pages, scoped to the user, in a fixed number of queries."""

from django.db.models import Count, Prefetch, Q, Sum, prefetch_related_objects

from budgets.models import ClinicalCheck
from careplans.models import (
    AgendaItem,
    ConflictOfInterest,
    Goal,
    ItemDecision,
    PanelMembership,
    PanelSession,
    PanelSessionStatus,
    PlanDecision,
    PlanLetter,
    PlanLetterKind,
    PlanStatus,
    PlanVersion,
    SupportFrequency,
    SupportItem,
)
from careplans.services.decisions import policy_for

UPCOMING, PAST = "upcoming", "past"


def sessions(user, when: str):
    """The ICB's sessions: upcoming (not closed, soonest first) or past (closed, latest first)."""
    rows = PanelSession.objects.visible_to(user)
    if when == PAST:
        return rows.filter(status=PanelSessionStatus.CLOSED).order_by("-date", "-starts_at", "pk")
    return rows.exclude(status=PanelSessionStatus.CLOSED).order_by("date", "starts_at", "pk")


def session_rows(ids: list):
    """The sessions with these ids, in that order, with their chair and counts."""
    rows = PanelSession.objects.filter(pk__in=ids).select_related("chair")
    rows = rows.annotate(
        plans=Count("agenda", distinct=True),
        decided=Count("decisions", distinct=True),
        member_count=Count("memberships", distinct=True),
    )
    by_id = {row.pk: row for row in rows}
    return [by_id[pk] for pk in ids if pk in by_id]


def session_for(user, pk) -> PanelSession | None:
    """One session of the user's ICB, with its members and declared conflicts, or None."""
    return (
        PanelSession.objects.visible_to(user)
        .select_related("chair", "organisation")
        .prefetch_related(
            Prefetch(
                "memberships",
                PanelMembership.objects.select_related("member").order_by("member__full_name"),
            ),
            Prefetch(
                "conflicts",
                ConflictOfInterest.objects.select_related("member", "version__plan__budget_holder"),
            ),
        )
        .filter(pk=pk)
        .first()
    )


def agenda(session) -> list[AgendaItem]:
    """The agenda in order: each plan's person, total, budget and any decision."""
    return list(
        session.agenda.select_related(
            "version__plan__budget_holder",
            "version__budget",
            "version__decision__decided_by",
        )
        .annotate(
            yearly=Sum(
                "version__support_items__annual_cost",
                filter=~Q(version__support_items__frequency=SupportFrequency.ONCE),
                default=0,
            ),
            once=Sum(
                "version__support_items__annual_cost",
                filter=Q(version__support_items__frequency=SupportFrequency.ONCE),
                default=0,
            ),
        )
        .order_by("position")
    )


def waiting_for_a_panel(session) -> list[PlanVersion]:
    """Submitted plans of the session's ICB that need a panel and are on no open agenda."""
    versions = (
        PlanVersion.objects.filter(
            status=PlanStatus.SUBMITTED,
            plan__budget_holder__organisation_id=session.organisation_id,
        )
        .exclude(
            agenda_items__session__status__in=[
                PanelSessionStatus.PLANNED,
                PanelSessionStatus.IN_PROGRESS,
            ]
        )
        .select_related("plan__budget_holder__organisation")
        .prefetch_related("support_items")
        .order_by("submitted_at", "pk")
    )
    limit = policy_for(session.organisation).lead_sign_off_limit
    return [v for v in versions if sum(i.annual_cost for i in v.support_items.all()) > limit]


def agenda_item(session, version_pk) -> AgendaItem | None:
    return session.agenda.filter(version_id=version_pk).select_related("version").first()


def pack_version(session, version_pk) -> PlanVersion | None:
    """A plan on this session's agenda, with everything its panel pack shows."""
    return (
        PlanVersion.objects.filter(pk=version_pk, agenda_items__session=session)
        .select_related(
            "plan__budget_holder__organisation",
            "budget__ras_assessment",
            "budget__chc_package",
            "budget__pa_costing",
            "budget__created_by",
            "budget__agreed_by",
        )
        .prefetch_related(
            Prefetch("goals", Goal.objects.prefetch_related("actions")),
            Prefetch(
                "support_items",
                SupportItem.objects.select_related("portion").prefetch_related("goals"),
            ),
            "risks",
            "professional_contacts",
            Prefetch(
                "budget__clinical_checks",
                ClinicalCheck.objects.select_related("clinician").order_by("-at"),
            ),
            "budget__portions",
        )
        .first()
    )


def previous_decisions(version) -> list[PlanDecision]:
    """Decisions on the plan's earlier versions, latest first, with their items."""
    return list(
        PlanDecision.objects.filter(version__plan_id=version.plan_id)
        .exclude(version=version)
        .select_related("version", "decided_by", "session")
        .prefetch_related(
            Prefetch("items", ItemDecision.objects.select_related("item").order_by("item__order"))
        )
        .order_by("-decided_at")
    )


def decision_version(session, version_pk) -> PlanVersion | None:
    """A plan on this agenda as the decision screen needs it."""
    return (
        PlanVersion.objects.filter(pk=version_pk, agenda_items__session=session)
        .select_related(
            "plan__budget_holder", "budget", "decision__decided_by", "decision__session"
        )
        .prefetch_related("support_items")
        .first()
    )


def next_to_decide(session, after_position: int | None = None) -> AgendaItem | None:
    """The next plan on the agenda still waiting for a decision (after a position, then from
    the top)."""
    waiting = session.agenda.filter(version__status=PlanStatus.SUBMITTED).order_by("position")
    if after_position is not None:
        later = waiting.filter(position__gt=after_position).first()
        if later is not None:
            return later
    return waiting.first()


def summary(session) -> dict:
    """What the session decided, what it left, and the letters each decision wrote (one to
    each reader)."""
    items = agenda(session)
    decided = [i for i in items if getattr(i.version, "decision", None) is not None]
    decided = [i for i in decided if i.version.decision.session_id == session.pk]
    # What each approved, item by item (one-off items apart from the yearly cost).
    prefetch_related_objects(
        [i.version.decision for i in decided],
        Prefetch("items", ItemDecision.objects.select_related("item")),
    )
    # A decision writes a letter to each reader (each representative, and the person when
    # nobody acts for them or they asked for copies): every one is listed.
    letters = {}
    for letter in PlanLetter.objects.filter(
        version_id__in=[i.version_id for i in decided], kind=PlanLetterKind.DECISION
    ).order_by("created_at", "pk"):
        letters.setdefault(letter.version_id, []).append(letter)
    counts = {}
    for item in decided:
        outcome = item.version.decision.get_outcome_display()
        counts[outcome] = counts.get(outcome, 0) + 1
    return {
        "decided": [(i, letters.get(i.version_id, [])) for i in decided],
        "not_decided": [i for i in items if i not in decided],
        "counts": counts,
        "letters": sum(len(written) for written in letters.values()),
    }


def decision_progress(session) -> tuple[int, int]:
    """(plans decided by this session, plans on its agenda)."""
    return (
        session.agenda.filter(Q(version__decision__session=session)).count(),
        session.agenda.count(),
    )
