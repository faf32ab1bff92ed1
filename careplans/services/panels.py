"""Approval panels: setting a session up, its agenda and attendance, declared conflicts,
closing it, and the ICB's approval policy (ADR 0023).

Every function is keyword-only, atomic and checks permission; the database triggers on the
audited models record every change with who and when. Deciding a plan at a panel is
`careplans.services.decisions.decide_plan(session=...)`.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from budgets.money import check_money
from budgets.services import Conflict
from careplans.models import (
    AgendaItem,
    ApprovalPolicy,
    ConflictOfInterest,
    PanelMembership,
    PanelSession,
    PanelSessionStatus,
    PlanStatus,
    PlanVersion,
    ProfessionalContact,
)
from careplans.services.decisions import kept_out_of, policy_for, route_for
from phb.audit import changed_by
from phb.models import Organisation, Role, RoleAssignment, User
from phb.permissions import Permission, require

# Who may sit on a panel and decide (the roles DECIDE_AT_PANEL allows).
PANEL_ROLES = (Role.PANEL_MEMBER, Role.PHB_LEAD, Role.CLINICIAN)
COORDINATOR_CONFLICT = "They are this person's care coordinator"
MAX_AGENDA = 40


def eligible_members(organisation):
    """Staff of the ICB who may sit on its panels today, by name."""
    holders = RoleAssignment.objects.current().filter(
        organisation=organisation, role__in=PANEL_ROLES
    )
    return User.objects.filter(pk__in=holders.values("user_id")).order_by("full_name")


def _lock(session, *, open_only: bool = True) -> PanelSession:
    locked = PanelSession.objects.select_for_update().get(pk=session.pk)
    if open_only and locked.status == PanelSessionStatus.CLOSED:
        raise Conflict(f"{_closed(locked)}. Nothing was changed.")
    return locked


def _when(moment) -> str:
    return f"{timezone.localtime(moment):%-d %B %Y at %H:%M}"


def _events(session):
    """The session's audit events, latest first: what it was after each change, and who made
    it (when the change came from a page)."""
    return (
        PanelSession.pgh_event_model.objects.filter(pgh_obj_id=session.pk)
        .select_related("pgh_context")
        .order_by("-pgh_id")
    )


def _by(event) -> str:
    """' by <name>' for whoever made the change the audit event records ("" if not known)."""
    user = changed_by(event)
    return f" by {user.full_name}" if user is not None else ""


def _closed(session, *, already: str = "") -> str:
    """Who closed the session, and when."""
    event = _events(session).filter(status=PanelSessionStatus.CLOSED).last()  # the first
    if event is None:
        return f"This panel session is {already}closed"
    return f"This panel session was {already}closed{_by(event)} on {_when(event.updated_at)}"


# What a session's page shows of it: record_attendance marks the session as changed and
# changes none of these.
_DETAILS = ("date", "starts_at", "place", "call_link", "chair_id", "quorum", "status")


def _was_attendance(session, latest, earlier) -> bool:
    """Whether the session's latest change (`latest`, after `earlier`) recorded who is here:
    its details stayed, and the last change to its members was to who is here, made by the
    same request (from a page) as the session's."""
    if earlier is None or any(getattr(latest, f) != getattr(earlier, f) for f in _DETAILS):
        return False
    last = (
        PanelMembership.pgh_event_model.objects.filter(session_id=session.pk)
        .order_by("-pgh_id")
        .first()
    )
    if last is None or last.pgh_label != "update":
        return False  # members were added or taken off: the session was changed
    return latest.pgh_context_id is None or last.pgh_context_id == latest.pgh_context_id


def _changed_since_page(session, *, then: str) -> Conflict:
    """The refusal of a page opened before the session's last change: who made it and when,
    and, when it was attendance, who is here now."""
    latest, *earlier = list(_events(session)[:2])
    if _was_attendance(session, latest, earlier[0] if earlier else None):
        here = sorted(
            session.memberships.filter(present=True).values_list("member__full_name", flat=True)
        )
        now = (
            f"{_names(here)} {'are' if len(here) > 1 else 'is'} here now"
            if here
            else "nobody is recorded as here now"
        )
        return Conflict(
            f"Attendance was recorded{_by(latest)} on {_when(session.updated_at)}, after this "
            f"page was opened: {now}. Nothing was changed: {then}."
        )
    return Conflict(
        f"This panel session was changed{_by(latest)} on {_when(session.updated_at)}, after "
        f"this page was opened. Nothing was changed: {then}."
    )


def _names(names) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


class SameSession(Conflict):
    """The session being set up already is one: the same ICB, day, time and place."""

    def __init__(self, session):
        self.session = session
        when = f"{session.date:%A %-d %B %Y} at {session.starts_at:%H:%M}"
        where = " and ".join(p for p in (session.place, session.call_link and "video call") if p)
        super().__init__(
            f"A panel session on {when} ({where}) was already set up by "
            f"{session.created_by.full_name} on "
            f"{timezone.localtime(session.created_at):%-d %B %Y at %H:%M}. Nothing was "
            "changed: this is that session."
        )


# How far ahead a panel may be set up.
FURTHEST_AHEAD_YEARS = 2


def _check_details(
    organisation, *, date, starts_at, place, call_link, chair, members, was=None
) -> list:
    """The session's members (the chair first), or a ValidationError naming every problem.
    `was` is the date it had (a date left as it was is not checked again)."""
    errors = {}
    today = timezone.localdate()
    if not isinstance(date, datetime.date):
        errors["date"] = "Enter the date of the panel"
    elif date != was and date < today:
        errors["date"] = "The date of the panel must be today or in the future"
    elif date != was and date.year > today.year + FURTHEST_AHEAD_YEARS:
        errors["date"] = (
            f"The date of the panel must be no later than {today.year + FURTHEST_AHEAD_YEARS}"
        )
    if not isinstance(starts_at, datetime.time):
        errors["starts_at"] = "Enter the time the panel starts"
    if not (place or "").strip() and not (call_link or "").strip():
        errors["place"] = "Enter a room or place, or a video call link"
    eligible = set(eligible_members(organisation).values_list("pk", flat=True))
    if chair is None or chair.pk not in eligible:
        errors["chair"] = "Choose a chair who is a panel member, PHB lead or clinician in your ICB"
    people = [chair] if chair is not None else []
    for member in members:
        if member.pk not in eligible:
            errors["members"] = (
                "Choose members who are panel members, PHB leads or clinicians in your ICB"
            )
        elif member not in people:
            people.append(member)
    quorum = policy_for(organisation).panel_quorum
    if "chair" not in errors and "members" not in errors and len(people) < quorum:
        errors["members"] = (
            f"Your ICB's panels need {quorum} members to decide: choose at least "
            f"{quorum} people, counting the chair"
        )
    if errors:
        raise ValidationError(errors)
    return people


@transaction.atomic
def set_up_session(
    *, actor, date, starts_at, place: str = "", call_link: str = "", chair, members
) -> PanelSession:
    """A panel session of the ICB the actor acts for. Its quorum is the ICB's policy today.

    The same session twice (the button pressed twice, or set up from two tabs: the same day,
    time and place) is refused with a `SameSession` naming the one already set up."""
    organisation = actor.acting_organisation
    require(actor, Permission.MANAGE_PANELS, organisation)
    # Two set-ups at once are taken one after the other, so the second sees the first.
    Organisation.objects.select_for_update().filter(pk=organisation.pk).exists()
    same = (
        PanelSession.objects.filter(
            organisation=organisation,
            date=date,
            starts_at=starts_at,
            place__iexact=(place or "").strip(),
            call_link=(call_link or "").strip(),
        )
        .select_related("created_by")
        .first()
        if isinstance(date, datetime.date) and isinstance(starts_at, datetime.time)
        else None
    )
    if same is not None:
        raise SameSession(same)
    people = _check_details(
        organisation,
        date=date,
        starts_at=starts_at,
        place=place,
        call_link=call_link,
        chair=chair,
        members=members,
    )
    session = PanelSession.objects.create(
        organisation=organisation,
        date=date,
        starts_at=starts_at,
        place=place.strip(),
        call_link=call_link.strip(),
        chair=chair,
        quorum=policy_for(organisation).panel_quorum,
        created_by=actor,
    )
    PanelMembership.objects.bulk_create(
        PanelMembership(session=session, member=person) for person in people
    )
    return session


@transaction.atomic
def edit_session(
    *,
    actor,
    session,
    date,
    starts_at,
    place: str = "",
    call_link: str = "",
    chair,
    members,
    seen_updated_at: datetime.datetime | None = None,
) -> PanelSession:
    """Change when and where, the chair and the members. Whoever stays keeps their attendance;
    the quorum stays as it was set up. `seen_updated_at` is when the session the page showed
    was last changed: a change since (from another tab, or someone else) is refused rather
    than written over."""
    require(actor, Permission.MANAGE_PANELS, session)
    session = _lock(session)
    if seen_updated_at is not None and session.updated_at != seen_updated_at:
        raise _changed_since_page(
            session, then="check the session as it is now, then make your change again"
        )
    people = _check_details(
        session.organisation,
        was=session.date,
        date=date,
        starts_at=starts_at,
        place=place,
        call_link=call_link,
        chair=chair,
        members=members,
    )
    if len(people) < session.quorum:
        raise ValidationError(
            {"members": f"This panel needs {session.quorum} members to decide: choose more"}
        )
    _check_decisions_stand(session, date=date, chair=chair, people=people)
    session.date, session.starts_at = date, starts_at
    session.place, session.call_link = place.strip(), call_link.strip()
    session.chair = chair
    session.save()
    keep = {person.pk for person in people}
    session.memberships.exclude(member_id__in=keep).delete()
    existing = set(session.memberships.values_list("member_id", flat=True))
    PanelMembership.objects.bulk_create(
        PanelMembership(session=session, member=person)
        for person in people
        if person.pk not in existing
    )
    _declare_coordinator_conflicts(session)
    return session


def _check_decisions_stand(session, *, date, chair, people) -> None:
    """A session's decisions say which panel made them, on its date, chaired by its chair and
    decided by its members: once it has made one, its date and chair stay, and so does each
    member who decided a plan."""
    decisions = list(session.decisions.select_related("decided_by").order_by("decided_at"))
    if not decisions:
        return
    plans = f"{len(decisions)} plan{'s' if len(decisions) > 1 else ''}"
    made = f"This panel has already decided {plans}"
    errors = {}
    if date != session.date:
        errors["date"] = f"{made} on {session.date:%-d %B %Y}, so its date cannot change"
    if chair.pk != session.chair_id:
        errors["chair"] = (
            f"{made} with {session.chair.full_name} as chair, so the chair cannot change"
        )
    staying = {person.pk for person in people}
    gone = sorted({d.decided_by.full_name for d in decisions if d.decided_by_id not in staying})
    if gone:
        errors["members"] = (
            f"{' and '.join(gone)} decided a plan at this panel, so they must stay "
            f"{'members' if len(gone) > 1 else 'a member'}"
        )
    if errors:
        raise ValidationError(errors)


def _check_can_go_to_panel(session, version) -> None:
    if version.plan.budget_holder.organisation_id != session.organisation_id:
        raise PermissionDenied
    if version.status != PlanStatus.SUBMITTED:
        raise ValidationError(
            f"Only a plan submitted for a decision can go on the agenda: this one is "
            f"{version.get_status_display().lower()}"
        )
    if route_for(version) != "panel":
        raise ValidationError(
            "A PHB lead can sign this plan off: it costs no more than your ICB's limit"
        )


@transaction.atomic
def add_to_agenda(*, actor, session, version) -> AgendaItem:
    """Put a submitted plan that needs a panel at the end of the session's agenda."""
    require(actor, Permission.MANAGE_PANELS, session)
    session = _lock(session)
    # Locked, so that it is not taken back or withdrawn while it goes on the agenda.
    version = (
        PlanVersion.objects.select_for_update(of=("self",))
        .select_related("plan__budget_holder")
        .get(pk=version.pk)
    )
    _check_can_go_to_panel(session, version)
    elsewhere = (
        AgendaItem.objects.filter(version=version)
        .exclude(session__status=PanelSessionStatus.CLOSED)
        .select_related("session")
        .first()
    )
    if elsewhere is not None:
        raise ValidationError(
            f"This plan is already on the agenda of the {elsewhere.session}"
            if elsewhere.session_id != session.pk
            else "This plan is already on this panel's agenda"
        )
    if session.agenda.count() >= MAX_AGENDA:
        raise ValidationError(f"A panel's agenda can have up to {MAX_AGENDA} plans")
    last = session.agenda.aggregate(last=Max("position"))["last"] or 0
    item = AgendaItem.objects.create(session=session, version=version, position=last + 1)
    _declare_coordinator_conflicts(session)
    return item


@transaction.atomic
def add_all_to_agenda(*, actor, session, versions) -> list[AgendaItem]:
    """Add several plans, in order: all of them, or (if one cannot go) none."""
    return [add_to_agenda(actor=actor, session=session, version=v) for v in versions]


def _renumber(session) -> None:
    """Positions 1, 2, 3... in the current order (the unique constraint waits for the commit)."""
    for number, item in enumerate(session.agenda.order_by("position"), start=1):
        if item.position != number:
            item.position = number
            item.save(update_fields=["position"])


@transaction.atomic
def remove_from_agenda(*, actor, session, item) -> None:
    """Take a plan off the agenda, unless this panel has decided it."""
    require(actor, Permission.MANAGE_PANELS, session)
    session = _lock(session)
    item = AgendaItem.objects.filter(pk=item.pk, session=session).first()
    if item is None:
        raise Conflict("That plan is no longer on this agenda. Nothing was changed.")
    if session.decisions.filter(version_id=item.version_id).exists():
        raise ValidationError("This panel has decided this plan, so it stays on the agenda")
    item.delete()
    _renumber(session)


@transaction.atomic
def move_on_agenda(*, actor, session, item, direction: str) -> None:
    """Move a plan one place up or down the agenda."""
    require(actor, Permission.MANAGE_PANELS, session)
    if direction not in ("up", "down"):
        raise ValidationError("Choose up or down")
    session = _lock(session)
    items = list(session.agenda.order_by("position"))
    index = next((i for i, row in enumerate(items) if row.pk == item.pk), None)
    if index is None:
        raise Conflict("That plan is no longer on this agenda. Nothing was changed.")
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(items):
        return
    first, second = items[index], items[other]
    first.position, second.position = second.position, first.position
    first.save(update_fields=["position"])
    second.save(update_fields=["position"])


@transaction.atomic
def record_attendance(
    *, actor, session, present: list, seen_updated_at: datetime.datetime | None = None
) -> PanelSession:
    """Who came: the members in `present` (users or ids) are present, the others are not.
    `seen_updated_at` is when the session the page showed was last changed: attendance
    recorded since (from another tab, or by someone else) is refused, not written over."""
    require(actor, Permission.MANAGE_PANELS, session)
    session = _lock(session)
    if seen_updated_at is not None and session.updated_at != seen_updated_at:
        raise _changed_since_page(session, then="check who is here, then save again")
    present_ids = {str(getattr(person, "pk", person)) for person in present}
    # Attendance is recorded when the panel meets, and someone records it: a panel with
    # nobody here has nothing to record, and clearing it once deciding began would leave
    # decisions made by nobody.
    if not present_ids:
        raise ValidationError({"present": "Select who is here"})
    members = {str(pk) for pk in session.memberships.values_list("member_id", flat=True)}
    if not present_ids <= members:
        raise ValidationError({"present": "Choose only members of this panel"})
    if session.decisions.exists():
        # The panel's decisions were made by those here then: someone who arrives later is
        # marked as here, but nobody who was here is taken off the record.
        leaving = sorted(
            session.memberships.filter(present=True)
            .exclude(member_id__in=present_ids)
            .values_list("member__full_name", flat=True)
        )
        if leaving:
            raise ValidationError(
                {
                    "present": f"{' and '.join(leaving)} "
                    f"{'were' if len(leaving) > 1 else 'was'} here when the panel decided a "
                    "plan, so cannot be marked as not here"
                }
            )
    # Only the rows that change, so the audit shows who was marked as here or not.
    arrived = session.memberships.filter(member_id__in=present_ids, present=False).update(
        present=True
    )
    left = (
        session.memberships.exclude(member_id__in=present_ids)
        .filter(present=True)
        .update(present=False)
    )
    if arrived or left:
        # The session changed with who is here: a page opened before this is out of date.
        session.save(update_fields=["updated_at"])
    return session


@transaction.atomic
def start_session(*, actor, session) -> PanelSession:
    """The panel meets: from now on, members present decide the plans on the agenda."""
    require(actor, Permission.MANAGE_PANELS, session)
    session = _lock(session)
    if session.status != PanelSessionStatus.PLANNED:
        raise Conflict("This panel session has already started. Nothing was changed.")
    if not session.agenda.exists():
        raise ValidationError("Add at least one plan to the agenda before the panel starts")
    # Its decisions say the panel met on its date: that must be the day it meets.
    if session.date != timezone.localdate():
        raise ValidationError(
            f"This panel is planned for {session.date:%-d %B %Y}, so it can start only on that "
            "day. If it is meeting today, change its date first."
        )
    session.status = PanelSessionStatus.IN_PROGRESS
    session.save(update_fields=["status", "updated_at"])
    return session


@transaction.atomic
def close_session(*, actor, session) -> PanelSession:
    """The panel has finished. Plans it did not decide stay submitted for another panel."""
    require(actor, Permission.MANAGE_PANELS, session)
    session = _lock(session, open_only=False)
    if session.status == PanelSessionStatus.CLOSED:
        raise Conflict(f"{_closed(session, already='already ')}. Nothing was changed.")
    if session.status != PanelSessionStatus.IN_PROGRESS:
        raise Conflict("Only a panel session in progress can be closed. Nothing was changed.")
    session.status = PanelSessionStatus.CLOSED
    session.save(update_fields=["status", "updated_at"])
    return session


def _declare(session, member_id, version_id, reason: str) -> ConflictOfInterest | None:
    try:
        with transaction.atomic():
            return ConflictOfInterest.objects.create(
                session=session, member_id=member_id, version_id=version_id, reason=reason
            )
    except IntegrityError:  # declared already
        return None


def _declare_coordinator_conflicts(session) -> None:
    """A member who is the person's care coordinator has a conflict: it is declared for them."""
    coordinators = ProfessionalContact.objects.filter(
        version__agenda_items__session=session,
        is_care_coordinator=True,
        user_id__in=session.memberships.values("member_id"),
    ).values_list("user_id", "version_id")
    declared = set(session.conflicts.values_list("member_id", "version_id"))
    for member_id, version_id in coordinators:
        if (member_id, version_id) not in declared:
            _declare(session, member_id, version_id, COORDINATOR_CONFLICT)


@transaction.atomic
def declare_conflict(*, actor, session, version, reason: str, member=None) -> ConflictOfInterest:
    """A member declares a conflict of interest in one plan, and takes no part in deciding it.
    A member declares for themself; whoever manages panels may record it for any member."""
    member = member or actor
    if member.pk == actor.pk:
        require(actor, Permission.DECIDE_AT_PANEL, session)
    else:
        require(actor, Permission.MANAGE_PANELS, session)
    session = _lock(session)
    if not session.memberships.filter(member=member).exists():
        raise ValidationError("Only a member of this panel can declare a conflict of interest")
    if not session.agenda.filter(version=version).exists():
        raise ValidationError("This plan is not on this panel's agenda")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say what the conflict of interest is"})
    if len(reason) > 1000:
        raise ValidationError({"reason": "The conflict must be 1000 characters or fewer"})
    if session.decisions.filter(version=version).exists():
        raise Conflict("The panel has already decided this plan. Nothing was changed.")
    conflict = _declare(session, member.pk, version.pk, reason)
    if conflict is None:
        raise Conflict(f"{member.full_name} has already declared a conflict in this plan.")
    return conflict


def quorum_for(session, version=None) -> tuple[int, int, int]:
    """(members present, of them those who cannot decide this plan, members needed). For one
    plan, its declared conflicts and whoever wrote it or is the person's care coordinator
    cannot decide it."""
    present = {m.member_id for m in session.memberships.all() if m.present}
    out = set()
    if version is not None:
        out = {c.member_id for c in session.conflicts.all() if c.version_id == version.pk}
        out |= kept_out_of(version)
    return len(present), len(present & out), session.quorum


REMINDER_DAYS_MESSAGE = (
    "Enter up to 5 numbers of days from 1 to 365, separated by commas, like 28, 7"
)


def _reminder_days(listed: str) -> str:
    """'28, 7' (or '7,28', '28 7') as stored: '28,7', most days first."""
    parts = [part for part in listed.replace(",", " ").split() if part]
    if not parts or len(parts) > 5 or not all(p.isascii() and p.isdigit() for p in parts):
        raise ValidationError({"review_reminder_days": REMINDER_DAYS_MESSAGE})
    days = sorted({int(part) for part in parts}, reverse=True)
    if not all(1 <= day <= 365 for day in days):
        raise ValidationError({"review_reminder_days": REMINDER_DAYS_MESSAGE})
    return ",".join(str(day) for day in days)


@transaction.atomic
def save_approval_policy(
    *,
    actor,
    lead_sign_off_limit: Decimal,
    panel_quorum: int,
    review_reminder_days: str | None = None,
    seen_updated_at=None,
) -> ApprovalPolicy:
    """The ICB's limit for a PHB lead's sign-off, its panels' quorum and (given) the days
    before a review is due that staff are reminded (its administrator). Sessions already set
    up keep the quorum they were set up with. `seen_updated_at` is when the policy last
    changed as the page showed it: if it has changed since, nothing is written."""
    organisation = actor.acting_organisation
    require(actor, Permission.EDIT_APPROVAL_POLICY, organisation)
    if seen_updated_at is not None:
        now = (
            ApprovalPolicy.objects.select_for_update()
            .filter(organisation=organisation)
            .values_list("updated_at", flat=True)
            .first()
        )
        if now is not None and now != seen_updated_at:
            raise ValidationError(
                "Someone changed the approval policy after you opened this page. The page now "
                "shows it as it is: make your change again. Nothing was changed."
            )
    limit = check_money(lead_sign_off_limit, what="The limit", field="lead_sign_off_limit")
    if not isinstance(panel_quorum, int) or isinstance(panel_quorum, bool):
        raise TypeError("panel_quorum must be a whole number")
    if not 1 <= panel_quorum <= 20:
        raise ValidationError({"panel_quorum": "The quorum must be between 1 and 20 members"})
    policy = ApprovalPolicy.objects.select_for_update().filter(
        organisation=organisation
    ).first() or ApprovalPolicy(organisation=organisation)
    policy.lead_sign_off_limit = limit
    policy.panel_quorum = panel_quorum
    if review_reminder_days is not None:
        policy.review_reminder_days = _reminder_days(review_reminder_days)
    policy.save()
    return policy
