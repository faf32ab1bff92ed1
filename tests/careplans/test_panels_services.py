"""Panel sessions: setting up, the agenda, attendance, conflicts, quorum, closing; and deciding
at a panel, with worked cases."""

import datetime
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from budgets.services import Conflict
from careplans.models import (
    AgendaItem,
    ConflictOfInterest,
    DecisionOutcome,
    PanelSession,
    PanelSessionStatus,
    PlanLetter,
    PlanStatus,
    PlanVersion,
)
from careplans.services import ItemChoice, decide_plan, panels
from careplans.services import plans as plan_services
from phb.models import Role
from tests.budgets.factories import staff
from tests.careplans.panel_factories import (
    PANEL_DAY,
    PLAN_REASON,
    TEN_AM,
    panel_people,
    policy,
    session,
    submitted_plan,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def members(icb):
    policy(icb)
    return panel_people(icb)


@pytest.fixture
def plan(phb_lead):
    return submitted_plan(phb_lead)


def approve(actor, version, panel):
    return decide_plan(
        actor=actor,
        version=version,
        outcome=DecisionOutcome.APPROVED,
        items={
            str(i.pk): ItemChoice(DecisionOutcome.APPROVED) for i in version.support_items.all()
        },
        session=panel,
    )


def test_a_session_copies_the_icb_quorum_and_its_chair_is_a_member(phb_lead, members, icb):
    panel = session(phb_lead, members)
    assert panel.quorum == 3
    assert panel.status == PanelSessionStatus.PLANNED
    assert set(panel.memberships.values_list("member_id", flat=True)) == {m.pk for m in members}
    # A later change to the policy leaves the session as it was set up.
    panels.save_approval_policy(
        actor=staff(Role.ICB_ADMIN, icb), lead_sign_off_limit=D("0"), panel_quorum=5
    )
    assert PanelSession.objects.get(pk=panel.pk).quorum == 3


def test_a_session_needs_a_place_a_chair_and_enough_members(phb_lead, members, care_coordinator):
    with pytest.raises(ValidationError) as excinfo:
        panels.set_up_session(
            actor=phb_lead,
            date=PANEL_DAY,
            starts_at=TEN_AM,
            chair=care_coordinator,
            members=members[:1],
        )
    assert excinfo.value.message_dict == {
        "place": ["Enter a room or place, or a video call link"],
        "chair": ["Choose a chair who is a panel member, PHB lead or clinician in your ICB"],
    }
    with pytest.raises(ValidationError) as excinfo:
        panels.set_up_session(
            actor=phb_lead,
            date=PANEL_DAY,
            starts_at=TEN_AM,
            call_link="https://meet.example.nhs.uk/panel",
            chair=members[0],
            members=members[1:2],
        )
    assert excinfo.value.message_dict == {
        "members": [
            "Your ICB's panels need 3 members to decide: choose at least 3 people, "
            "counting the chair"
        ]
    }
    assert not PanelSession.objects.exists()


@pytest.mark.parametrize(
    ("days", "message"),
    [
        (-1, "The date of the panel must be today or in the future"),
        (365 * 4, "The date of the panel must be no later than {year}"),
    ],
)
def test_a_session_is_set_up_for_a_date_it_can_meet_on(phb_lead, members, days, message):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as excinfo:
        panels.set_up_session(
            actor=phb_lead,
            date=today + datetime.timedelta(days=days),
            starts_at=TEN_AM,
            place="Room 1",
            chair=members[0],
            members=members[1:],
        )
    assert excinfo.value.message_dict == {"date": [message.format(year=today.year + 2)]}


def test_only_a_phb_lead_sets_up_a_session(members, panel_member):
    with pytest.raises(PermissionDenied):
        session(panel_member, members)


def test_editing_a_session_keeps_who_came(phb_lead, members, icb, plan):
    panel = session(phb_lead, members, versions=[plan], present=members)
    newcomer = staff(Role.CLINICIAN, icb)
    panels.edit_session(
        actor=phb_lead,
        session=panel,
        date=PANEL_DAY + datetime.timedelta(days=7),
        starts_at=datetime.time(14, 30),
        place="",
        call_link="https://meet.example.nhs.uk/panel",
        chair=members[1],
        members=[members[0], newcomer],
    )
    panel = PanelSession.objects.get(pk=panel.pk)
    assert (panel.date, panel.starts_at, panel.place) == (
        datetime.date(2027, 1, 21),
        datetime.time(14, 30),
        "",
    )
    attendance = dict(panel.memberships.values_list("member_id", "present"))
    assert attendance == {members[0].pk: True, members[1].pk: True, newcomer.pk: False}


def test_only_submitted_plans_over_the_limit_go_on_the_agenda(phb_lead, members, icb):
    panel = session(phb_lead, members)
    small = submitted_plan(
        phb_lead, items=[("Gym membership", "wellbeing", D("30.00"), D("1"))]
    )  # £30.00 x 52 = £1,560.00 a year, under the £5,000.00 limit
    with pytest.raises(ValidationError, match="A PHB lead can sign this plan off"):
        panels.add_to_agenda(actor=phb_lead, session=panel, version=small)
    big = submitted_plan(phb_lead)
    panels.add_to_agenda(actor=phb_lead, session=panel, version=big)
    with pytest.raises(ValidationError, match="already on this panel's agenda"):
        panels.add_to_agenda(actor=phb_lead, session=panel, version=big)
    other = session(phb_lead, members)
    with pytest.raises(ValidationError, match="already on the agenda of the Panel on 14 January"):
        panels.add_to_agenda(actor=phb_lead, session=other, version=big)


def test_a_plan_on_an_agenda_is_not_taken_back_or_withdrawn_until_it_is_off_it(
    client, phb_lead, members
):
    version = submitted_plan(phb_lead)
    session(phb_lead, members, versions=[version])
    with pytest.raises(ValidationError) as excinfo:
        plan_services.take_back(actor=phb_lead, version=version)
    assert excinfo.value.messages == [
        "You cannot take this plan back: it is on the agenda of the approval panel on 14 "
        "January 2027. A PHB lead can take it off the agenda first"
    ]
    with pytest.raises(ValidationError, match="You cannot withdraw this plan: it is on the"):
        plan_services.withdraw_version(actor=phb_lead, version=version, reason="Not needed")
    client.force_login(phb_lead)
    page = client.get(reverse("careplans:version", args=[version.pk])).content.decode()
    assert "It is on the agenda of the approval panel on 14 January 2027." in page
    assert "Take it back to change it" not in page
    assert "Withdraw this version" not in page
    # A page opened before it went on the agenda: the button says why, with no other words.
    seen = PlanVersion.objects.get(pk=version.pk).lock_version
    response = client.post(
        reverse("careplans:take_back", args=[version.pk]), {"lock_version": seen}, follow=True
    )
    assert "cannot be submitted" not in response.content.decode()
    assert "You cannot take this plan back: it is on the agenda" in response.content.decode()


def test_a_plan_of_another_icb_cannot_go_on_the_agenda(phb_lead, members, other_icb_lead):
    panel = session(phb_lead, members)
    theirs = submitted_plan(other_icb_lead)
    with pytest.raises(PermissionDenied):
        panels.add_to_agenda(actor=phb_lead, session=panel, version=theirs)


def test_the_agenda_is_ordered_moved_and_renumbered(phb_lead, members):
    plans = [submitted_plan(phb_lead) for _ in range(3)]
    panel = session(phb_lead, members, versions=plans)
    third = AgendaItem.objects.get(session=panel, version=plans[2])
    panels.move_on_agenda(actor=phb_lead, session=panel, item=third, direction="up")
    order = list(panel.agenda.order_by("position").values_list("version_id", flat=True))
    assert order == [plans[0].pk, plans[2].pk, plans[1].pk]
    first = AgendaItem.objects.get(session=panel, version=plans[0])
    panels.move_on_agenda(actor=phb_lead, session=panel, item=first, direction="up")  # stays
    panels.remove_from_agenda(actor=phb_lead, session=panel, item=first)
    rows = list(panel.agenda.order_by("position").values_list("position", "version_id"))
    assert rows == [(1, plans[2].pk), (2, plans[1].pk)]


def test_without_quorum_present_the_panel_cannot_decide(phb_lead, members, plan):
    panel = session(phb_lead, members, versions=[plan], present=members[:2], start=True)
    with pytest.raises(ValidationError) as excinfo:
        approve(members[0], plan, panel)
    assert excinfo.value.messages == [
        "The panel is not quorate for this plan: 2 of the 3 members needed can decide it"
    ]
    assert PlanVersion.objects.get(pk=plan.pk).status == PlanStatus.SUBMITTED
    panels.record_attendance(actor=phb_lead, session=panel, present=members)
    approve(members[0], plan, panel)
    assert PlanVersion.objects.get(pk=plan.pk).status == PlanStatus.ACTIVE


def test_a_member_who_is_the_care_coordinator_has_a_conflict_and_does_not_decide(
    phb_lead, members, icb
):
    coordinator = staff(Role.CLINICIAN, icb)
    plan = submitted_plan(phb_lead, coordinator=coordinator)
    four = [*members, coordinator]
    panel = session(phb_lead, four, versions=[plan], present=four, start=True)
    conflict = ConflictOfInterest.objects.get(session=panel, version=plan)
    assert (conflict.member, conflict.reason) == (coordinator, panels.COORDINATOR_CONFLICT)
    with pytest.raises(ValidationError, match="You are this person's care coordinator"):
        approve(coordinator, plan, panel)
    # Three others present are still a quorum for the plan: 4 here, 1 who cannot, 3 needed.
    assert panels.quorum_for(PanelSession.objects.get(pk=panel.pk), plan) == (4, 1, 3)
    approve(members[1], plan, panel)


def test_who_wrote_the_plan_does_not_count_towards_its_quorum(phb_lead, members, plan):
    """The PHB lead who wrote the plan sits on the panel with two members: three are here,
    but only two can decide the plan, and three are needed."""
    three = [*members[:2], phb_lead]
    panel = session(phb_lead, three, versions=[plan], present=three, start=True)
    assert panels.quorum_for(PanelSession.objects.get(pk=panel.pk), plan) == (3, 1, 3)
    with pytest.raises(ValidationError) as excinfo:
        approve(members[0], plan, panel)
    assert excinfo.value.messages == [
        "The panel is not quorate for this plan: 2 of the 3 members needed can decide it"
    ]


def test_a_declared_conflict_can_leave_the_panel_without_quorum(phb_lead, members, plan):
    panel = session(phb_lead, members, versions=[plan], present=members, start=True)
    panels.declare_conflict(
        actor=members[2], session=panel, version=plan, reason="The person is my neighbour"
    )
    with pytest.raises(Conflict, match="already declared a conflict"):
        panels.declare_conflict(actor=members[2], session=panel, version=plan, reason="Again")
    with pytest.raises(ValidationError, match="2 of the 3 members needed can decide it"):
        approve(members[0], plan, panel)


def test_deciding_twice_tells_the_second_member_who_decided(phb_lead, members, plan):
    panel = session(phb_lead, members, versions=[plan], present=members, start=True)
    approve(members[0], plan, panel)
    with pytest.raises(Conflict) as excinfo:
        approve(members[1], plan, panel)
    assert str(excinfo.value).startswith(
        f"This plan was already decided (approved) by {members[0].full_name} on "
    )
    assert PlanLetter.objects.filter(version=plan).count() == 1


def test_a_member_of_another_icb_cannot_decide(phb_lead, members, plan, other_icb):
    panel = session(phb_lead, members, versions=[plan], present=members, start=True)
    outsider = staff(Role.PANEL_MEMBER, other_icb)
    with pytest.raises(PermissionDenied):
        approve(outsider, plan, panel)
    with pytest.raises(ValidationError):  # and cannot be made a member
        panels.edit_session(
            actor=phb_lead,
            session=panel,
            date=PANEL_DAY,
            starts_at=TEN_AM,
            place="Room 4",
            chair=members[0],
            members=[*members[1:], outsider],
        )


def test_a_member_not_on_this_panel_cannot_decide(phb_lead, members, plan, panel_member):
    panel = session(phb_lead, members, versions=[plan], present=members, start=True)
    with pytest.raises(PermissionDenied):
        approve(panel_member, plan, panel)


def test_a_panel_decides_only_while_in_progress(phb_lead, members, plan):
    today = timezone.localdate()
    panel = session(phb_lead, members, date=today, versions=[plan], present=members)
    with pytest.raises(ValidationError, match="only while its session is in progress"):
        approve(members[0], plan, panel)
    panel = panels.start_session(actor=phb_lead, session=panel)
    panel = panels.close_session(actor=phb_lead, session=panel)
    with pytest.raises(ValidationError, match="only while its session is in progress"):
        approve(members[0], plan, panel)
    with pytest.raises(Conflict) as refused:
        panels.record_attendance(actor=phb_lead, session=panel, present=[])
    # No page made these changes, so nobody is named; the time is when it closed.
    assert str(refused.value) == (
        "This panel session was closed on "
        f"{timezone.localtime(panel.updated_at):%-d %B %Y at %H:%M}. Nothing was changed."
    )


def test_a_panel_starts_only_on_its_own_date(phb_lead, members, plan):
    """Its decisions say the panel met on its date: a panel planned for 14 January 2027 does
    not start on 23 November 2026, and its date is not changed behind anyone's back."""
    panel = session(phb_lead, members, versions=[plan], present=members)
    with pytest.raises(ValidationError) as error:
        panels.start_session(actor=phb_lead, session=panel)
    assert error.value.messages == [
        "This panel is planned for 14 January 2027, so it can start only on that day. If it is "
        "meeting today, change its date first."
    ]
    panel.refresh_from_db()
    assert (panel.status, panel.date) == (PanelSessionStatus.PLANNED, PANEL_DAY)


def test_a_session_starts_only_with_an_agenda_and_closes_once(phb_lead, members):
    panel = session(phb_lead, members)
    with pytest.raises(ValidationError, match="Add at least one plan"):
        panels.start_session(actor=phb_lead, session=panel)
    with pytest.raises(Conflict, match="Only a panel session in progress can be closed"):
        panels.close_session(actor=phb_lead, session=panel)


def test_closing_a_closed_session_says_when_it_was_closed(phb_lead, members, plan):
    panel = session(phb_lead, members, versions=[plan], present=members, start=True)
    closed = panels.close_session(actor=phb_lead, session=panel)
    with pytest.raises(Conflict) as refused:
        panels.close_session(actor=phb_lead, session=panel)
    assert str(refused.value) == (
        "This panel session was already closed on "
        f"{timezone.localtime(closed.updated_at):%-d %B %Y at %H:%M}. Nothing was changed."
    )


def test_attendance_from_a_stale_page_changes_nothing(phb_lead, members):
    """Tab B records all three members as here; tab A, opened before with one ticked, is
    refused, naming who is here now: the quorum is not lost without a word."""
    panel = session(phb_lead, members)
    seen = PanelSession.objects.get(pk=panel.pk).updated_at
    panels.record_attendance(actor=phb_lead, session=panel, present=members, seen_updated_at=seen)
    recorded = PanelSession.objects.get(pk=panel.pk).updated_at
    assert recorded > seen
    with pytest.raises(Conflict) as refused:
        panels.record_attendance(
            actor=phb_lead, session=panel, present=members[:1], seen_updated_at=seen
        )
    names = sorted(m.full_name for m in members)
    assert str(refused.value) == (
        f"Attendance was recorded on {timezone.localtime(recorded):%-d %B %Y at %H:%M}, after "
        f"this page was opened: {names[0]}, {names[1]} and {names[2]} are here now. Nothing "
        "was changed: check who is here, then save again."
    )
    assert panel.memberships.filter(present=True).count() == 3
    # The same attendance again changes nothing, so a page drawn before it is not out of date.
    panels.record_attendance(
        actor=phb_lead, session=panel, present=members, seen_updated_at=recorded
    )
    assert PanelSession.objects.get(pk=panel.pk).updated_at == recorded


def test_a_decided_plan_stays_on_the_agenda(phb_lead, members, plan):
    panel = session(phb_lead, members, versions=[plan], present=members, start=True)
    decide_plan(
        actor=members[0],
        version=plan,
        outcome=DecisionOutcome.DECLINED,
        reasons=PLAN_REASON,
        session=panel,
    )
    item = AgendaItem.objects.get(session=panel)
    with pytest.raises(ValidationError, match="stays on the agenda"):
        panels.remove_from_agenda(actor=phb_lead, session=panel, item=item)
    with pytest.raises(Conflict, match="already decided this plan"):
        panels.declare_conflict(actor=members[1], session=panel, version=plan, reason="Late")


def test_attendance_only_names_members(phb_lead, members, panel_member):
    panel = session(phb_lead, members)
    with pytest.raises(ValidationError, match="Choose only members of this panel"):
        panels.record_attendance(actor=phb_lead, session=panel, present=[panel_member])


def test_the_approval_policy_is_kept_by_the_icb_administrator(icb_admin, phb_lead, icb):
    saved = panels.save_approval_policy(
        actor=icb_admin, lead_sign_off_limit=D("7500.50"), panel_quorum=4
    )
    assert (saved.lead_sign_off_limit, saved.panel_quorum) == (D("7500.50"), 4)
    with pytest.raises(ValidationError, match="between 1 and 20"):
        panels.save_approval_policy(actor=icb_admin, lead_sign_off_limit=D("1"), panel_quorum=0)
    with pytest.raises(PermissionDenied):
        panels.save_approval_policy(actor=phb_lead, lead_sign_off_limit=D("1"), panel_quorum=3)


def test_plans_are_added_together_or_not_at_all(phb_lead, members):
    panel = session(phb_lead, members)
    big = submitted_plan(phb_lead)
    small = submitted_plan(phb_lead, items=[("Gym membership", "wellbeing", D("30.00"), D("1"))])
    with pytest.raises(ValidationError):
        panels.add_all_to_agenda(actor=phb_lead, session=panel, versions=[big, small])
    assert not panel.agenda.exists()


def test_the_same_session_is_set_up_once(phb_lead, members):
    first = session(phb_lead, members)
    with pytest.raises(panels.SameSession) as excinfo:
        panels.set_up_session(
            actor=phb_lead,
            date=first.date,
            starts_at=first.starts_at,
            place=first.place.upper(),
            chair=members[0],
            members=members[1:],
        )
    assert excinfo.value.session == first
    assert "Room 4, Quayside House" in str(excinfo.value)
    assert isinstance(excinfo.value, Conflict)
    assert PanelSession.objects.count() == 1


def test_a_session_edit_from_a_stale_page_changes_nothing(phb_lead, members):
    panel = session(phb_lead, members)
    seen = PanelSession.objects.get(pk=panel.pk).updated_at
    details = {
        "date": PANEL_DAY,
        "starts_at": TEN_AM,
        "place": "Room 4",
        "chair": members[0],
        "members": members[1:],
    }
    panels.edit_session(actor=phb_lead, session=panel, seen_updated_at=seen, **details)
    with pytest.raises(Conflict, match="This panel session was changed"):
        panels.edit_session(
            actor=phb_lead, session=panel, seen_updated_at=seen, **details | {"place": "Room 9"}
        )
    assert PanelSession.objects.get(pk=panel.pk).place == "Room 4"


def test_once_a_session_has_decided_its_date_chair_and_deciders_stay(phb_lead, icb):
    """The reviewer's case: a panel meeting today decided a plan; re-dating it a fortnight on
    and changing its chair would make its decision say it was made by another panel on another
    day. Refused, as is removing the member who decided; its place and the other members can
    still change."""
    policy(icb)
    members = panel_people(icb, 4)
    plan = submitted_plan(phb_lead)
    panel = session(phb_lead, members, versions=[plan], present=members, start=True)
    approve(members[1], plan, panel)
    today = timezone.localdate()
    details = {
        "date": today,
        "starts_at": TEN_AM,
        "place": "Room 4",
        "chair": members[0],
        "members": members[1:],
    }
    with pytest.raises(ValidationError) as refused:
        panels.edit_session(
            actor=phb_lead,
            session=panel,
            **details
            | {
                "date": today + datetime.timedelta(days=14),
                "chair": members[2],
                "members": [members[0], members[3]],
            },
        )
    assert refused.value.message_dict == {
        "date": [
            f"This panel has already decided 1 plan on {today:%-d %B %Y}, so its date cannot change"
        ],
        "chair": [
            f"This panel has already decided 1 plan with {members[0].full_name} as chair, so "
            "the chair cannot change"
        ],
        "members": [
            f"{members[1].full_name} decided a plan at this panel, so they must stay a member"
        ],
    }
    unchanged = PanelSession.objects.get(pk=panel.pk)
    assert (unchanged.date, unchanged.chair_id) == (today, members[0].pk)
    panels.edit_session(
        actor=phb_lead,
        session=panel,
        **details | {"place": "Room 9", "members": members[1:3]},
    )
    changed = PanelSession.objects.get(pk=panel.pk)
    assert changed.place == "Room 9"
    assert set(changed.memberships.values_list("member_id", flat=True)) == {
        m.pk for m in members[:3]
    }


def test_once_a_session_has_decided_nobody_here_is_marked_absent(phb_lead, icb):
    """The panel decided a plan with four members here: marking three of them absent would
    leave a decision made without its quorum on the record. Someone arriving later may still
    be marked as here."""
    policy(icb)
    members = panel_people(icb, 4)
    plan = submitted_plan(phb_lead)
    panel = session(phb_lead, members, versions=[plan], present=members[:3], start=True)
    approve(members[1], plan, panel)
    with pytest.raises(ValidationError) as refused:
        panels.record_attendance(actor=phb_lead, session=panel, present=[members[0]])
    names = sorted(m.full_name for m in members[1:3])
    assert refused.value.message_dict == {
        "present": [
            f"{names[0]} and {names[1]} were here when the panel decided a plan, so cannot be "
            "marked as not here"
        ]
    }
    assert panel.memberships.filter(present=True).count() == 3
    panels.record_attendance(actor=phb_lead, session=panel, present=members)
    assert panel.memberships.filter(present=True).count() == 4


def test_attendance_of_nobody_is_refused_before_and_after_deciding(phb_lead, members, plan):
    """Three members here: recording nobody is refused by the service too, whether the panel
    has decided a plan yet or not, and the three stay recorded as here."""
    panel = session(phb_lead, members, versions=[plan], present=members, start=True)
    with pytest.raises(ValidationError) as refused:
        panels.record_attendance(actor=phb_lead, session=panel, present=[])
    assert refused.value.message_dict == {"present": ["Select who is here"]}
    approve(members[0], plan, panel)
    with pytest.raises(ValidationError, match="Select who is here"):
        panels.record_attendance(actor=phb_lead, session=panel, present=[])
    assert panel.memberships.filter(present=True).count() == 3
