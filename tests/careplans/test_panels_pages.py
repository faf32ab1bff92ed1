"""The panel pages through the Django test client: lists and the agenda in a fixed number of
queries, the pack, the fast decision screen and what it says when a decision is stale."""

import datetime
import html
from decimal import Decimal as D

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from careplans import panel_presenters as present
from careplans.models import (
    ApprovalPolicy,
    DecisionOutcome,
    PanelSession,
    PlanDecision,
    PlanStatus,
)
from careplans.services import ItemChoice, decide_plan, panels
from phb.models import AccessOutcome, RecordAccess, User
from tests.careplans.panel_factories import (
    PLAN_REASON,
    panel_people,
    policy,
    session,
    submitted_plan,
)

pytestmark = pytest.mark.django_db


def text(response) -> str:
    """The page's markup with entities decoded (a name such as O'Brien is escaped in it)."""
    return html.unescape(response.content.decode())


def flashed(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


@pytest.fixture
def members(icb):
    policy(icb)
    return panel_people(icb)


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_sessions_list_is_paginated_in_a_fixed_number_of_queries(client, phb_lead, members):
    client.force_login(phb_lead)
    url = reverse("careplans:panel_sessions")
    session(phb_lead, members)
    client.get(url)  # warm the session and permission caches
    one = queries(client, url)
    for day in range(1, 25):
        session(phb_lead, members, date=datetime.date(2027, 2, day))
    assert queries(client, url) == one
    response = client.get(url)
    assert response.context["page"].paginator.count == 25
    assert "Monday 1 February 2027 at 10:00" in text(response)
    assert "Thursday 14 January 2027 at 10:00" in text(response)  # the first, soonest
    assert queries(client, url + "?page=2") == one


def test_past_sessions_are_the_closed_ones(client, phb_lead, members):
    plan = submitted_plan(phb_lead)
    closed = session(phb_lead, members, versions=[plan], start=True)
    panels.close_session(actor=phb_lead, session=closed)
    session(phb_lead, members, date=datetime.date(2027, 3, 1))
    client.force_login(phb_lead)
    upcoming = text(client.get(reverse("careplans:panel_sessions")))
    past = text(client.get(reverse("careplans:panel_sessions") + "?when=past"))
    met_on = f"{closed.date:%-d %B %Y}"  # a panel that started met on its own date: today
    assert "1 March 2027" in upcoming and met_on not in upcoming
    assert met_on in past and "1 March 2027" not in past


def test_the_agenda_of_20_plans_renders_in_a_fixed_number_of_queries(client, phb_lead, members):
    plans = [submitted_plan(phb_lead) for _ in range(20)]
    small = session(phb_lead, members, versions=plans[:2], present=members)
    large = session(phb_lead, members, versions=plans[2:], present=members)
    client.force_login(phb_lead)
    client.get(reverse("careplans:panel_session", args=[small.pk]))
    two = queries(client, reverse("careplans:panel_session", args=[small.pk]))
    eighteen = queries(client, reverse("careplans:panel_session", args=[large.pk]))
    assert two == eighteen == 9
    response = client.get(reverse("careplans:panel_session", args=[large.pk]))
    page = text(response)
    assert page.count("£12,779.00") == 18  # each plan: £10,920.00 + £1,859.00 a year
    assert "3 members are here and 3 are needed, so the panel can start deciding." in page


def test_the_pack_shows_the_person_the_money_items_risks_checks_and_earlier_decisions(
    client, phb_lead, members, holder
):
    plan = submitted_plan(phb_lead, holder)
    panel = session(phb_lead, members, versions=[plan])
    client.force_login(members[1])
    response = client.get(reverse("careplans:panel_pack", args=[panel.pk, plan.pk]))
    page = text(response)
    assert f"Panel pack: {holder.full_name}" in page
    assert "Staying at home with my dog, Biscuit" in page
    assert "£12,779.00" in page  # the plan's total
    assert "£20,000.00" in page  # the budget
    assert "Personal assistant, mornings" in page and "£10,920.00" in page
    assert "£15.00 × 14 each week" in page
    assert "Walk Biscuit to the park" in page
    assert "A fall when moving from bed to chair" in page
    assert "Two people help with every transfer; a hoist is in place" in page
    assert "Clinical check" in page
    assert "This plan has not been decided before." in page
    assert RecordAccess.objects.get(user=members[1]).budget_holder_id == holder.pk


def test_a_pack_for_a_plan_not_on_the_agenda_is_neither_a_view_nor_a_refusal(
    client, phb_lead, members, holder, other_holder
):
    on_agenda = submitted_plan(phb_lead, holder)
    elsewhere = submitted_plan(phb_lead, other_holder)
    panel = session(phb_lead, members, versions=[on_agenda])
    client.force_login(members[1])
    response = client.get(reverse("careplans:panel_pack", args=[panel.pk, elsewhere.pk]))
    assert response.status_code == 404
    assert not RecordAccess.objects.exists()


def test_another_icbs_attempt_on_a_pack_is_refused_in_the_persons_log(
    client, phb_lead, members, holder, other_icb_lead
):
    plan = submitted_plan(phb_lead, holder)
    panel = session(phb_lead, members, versions=[plan])
    client.force_login(other_icb_lead)
    response = client.get(reverse("careplans:panel_pack", args=[panel.pk, plan.pk]))
    assert response.status_code == 404
    refused = RecordAccess.objects.get()
    assert (refused.budget_holder_id, refused.outcome, refused.what) == (
        holder.pk,
        AccessOutcome.REFUSED,
        "panel pack",
    )


def decide_url(panel, plan) -> str:
    return reverse("careplans:panel_decide", args=[panel.pk, plan.pk])


def test_approving_goes_straight_to_the_next_plan(client, phb_lead, members):
    first, second = submitted_plan(phb_lead), submitted_plan(phb_lead)
    panel = session(phb_lead, members, versions=[first, second], present=members, start=True)
    client.force_login(members[0])
    page = text(client.get(decide_url(panel, first)))
    assert "Plan 1 of 2: 0 decided" in page
    # Nothing skips the heading, the cost and any warning by taking the focus (WCAG 2.4.3).
    assert "autofocus" not in page
    response = client.post(
        decide_url(panel, first),
        {"lock_version": first.lock_version, "outcome": DecisionOutcome.APPROVED, "reasons": ""},
    )
    assert response["Location"] == decide_url(panel, second) + f"?decided={first.pk}"
    decision = PlanDecision.objects.get(version=first)
    assert (decision.outcome, decision.session, decision.approved_annual_amount) == (
        DecisionOutcome.APPROVED,
        PanelSession.objects.get(pk=panel.pk),
        D("12779.00"),
    )
    page = text(client.get(response["Location"]))
    holder = first.plan.budget_holder
    assert holder.full_name in page
    assert "s plan: approved. The letter to them has been written." in page
    assert "Plan 2 of 2: 1 decided" in page
    # The last plan decided, the summary follows.
    response = client.post(
        decide_url(panel, second),
        {
            "lock_version": second.lock_version,
            "outcome": DecisionOutcome.DECLINED,
            "reasons": PLAN_REASON,
        },
    )
    assert response["Location"] == reverse("careplans:panel_summary", args=[panel.pk])
    summary = text(client.get(response["Location"]))
    assert "Approved: 1" in summary and "Declined: 1" in summary
    assert "2 letters, each ready to print or send from its page." in summary
    assert "Written: <a" in summary
    assert "Your care and support plan has not been approved</a>" in summary


def test_approving_with_changes_needs_each_item(client, phb_lead, members):
    plan = submitted_plan(phb_lead)
    pa, hoist = plan.support_items.order_by("order")
    panel = session(phb_lead, members, versions=[plan], present=members, start=True)
    client.force_login(members[0])
    data = {
        "lock_version": plan.lock_version,
        "outcome": DecisionOutcome.APPROVED_WITH_CHANGES,
        "reasons": "Ten hours a week meet the needs in the assessment.",
        f"item_{pa.pk}": DecisionOutcome.APPROVED_WITH_CHANGES,
        f"item_{pa.pk}_reasons": "Ten hours a week rather than fourteen.",
    }
    response = client.post(decide_url(panel, plan), data)
    assert response.status_code == 200
    # Every problem at once: the item not decided and the new cost not given.
    assert "Choose a decision for Hoist hire" in text(response)
    assert "Give the new cost a year for Personal assistant" in text(response)
    data |= {f"item_{pa.pk}_cost": "7,800.00", f"item_{hoist.pk}": DecisionOutcome.APPROVED}
    response = client.post(decide_url(panel, plan), data)
    assert response.status_code == 302
    # £7,800.00 for the PA and £1,859.00 for the hoist.
    assert PlanDecision.objects.get(version=plan).approved_annual_amount == D("9659.00")


def test_every_problem_with_a_decision_shows_at_once(client, phb_lead, members):
    """A new cost that is not money and no reasons: both are said the first time."""
    plan = submitted_plan(phb_lead)
    pa, hoist = plan.support_items.order_by("order")
    panel = session(phb_lead, members, versions=[plan], present=members, start=True)
    client.force_login(members[0])
    data = {
        "lock_version": plan.lock_version,
        "outcome": DecisionOutcome.APPROVED_WITH_CHANGES,
        "reasons": "",
        f"item_{pa.pk}": DecisionOutcome.APPROVED_WITH_CHANGES,
        f"item_{pa.pk}_reasons": "Ten hours a week rather than fourteen.",
        f"item_{pa.pk}_cost": "abc",
        f"item_{hoist.pk}": DecisionOutcome.DECLINED,
        f"item_{hoist.pk}_reasons": "\u200b",
    }
    response = client.post(decide_url(panel, plan), data)
    assert response.status_code == 200
    page = text(response)
    assert "Give the reasons for the decision, written for the person" in page
    assert "Give the reason for Hoist hire, written for the person" in page
    assert "Give the new cost a year for Personal assistant" not in page  # one message a box
    assert page.count("must be an amount of money, like 125.50") == 2  # summary and box
    assert not PlanDecision.objects.exists()


def test_declining_without_a_reason_is_refused_in_words(client, phb_lead, members):
    plan = submitted_plan(phb_lead)
    panel = session(phb_lead, members, versions=[plan], present=members, start=True)
    client.force_login(members[0])
    response = client.post(
        decide_url(panel, plan),
        {"lock_version": plan.lock_version, "outcome": DecisionOutcome.DECLINED},
    )
    assert response.status_code == 200
    assert "Give the reasons for the decision, written for the person" in text(response)
    assert not PlanDecision.objects.exists()


def test_a_plan_someone_else_decided_says_who_and_when(client, phb_lead, members):
    plan = submitted_plan(phb_lead)
    panel = session(phb_lead, members, versions=[plan], present=members, start=True)
    client.force_login(members[0])
    seen = plan.lock_version
    decide_plan(
        actor=members[1],
        version=plan,
        outcome=DecisionOutcome.APPROVED,
        items={str(i.pk): ItemChoice(DecisionOutcome.APPROVED) for i in plan.support_items.all()},
        session=panel,
    )
    response = client.post(
        decide_url(panel, plan),
        {"lock_version": seen, "outcome": DecisionOutcome.DECLINED, "reasons": PLAN_REASON},
    )
    assert response["Location"] == decide_url(panel, plan)
    assert f"This plan was already decided (approved) by {members[1].full_name}" in flashed(
        response
    )
    page = text(client.get(decide_url(panel, plan)))
    decided_at = timezone.localtime(plan.decision.decided_at)
    assert (
        f"This plan has been decided: approved, by the panel of {panel.date:%-d %B %Y} "
        f"({members[1].full_name}) at {decided_at:%H:%M}."
    ) in page
    assert "Save the decision" not in page


def test_who_decided_a_plan_says_the_day_once():
    """Decided by the panel of 6 December 2026 at 12:37 that day: the day is said once. One
    recorded the next morning says when; a lead's own decision names the lead."""
    morgan = User(full_name="Morgan Panel")
    session = PanelSession(date=datetime.date(2026, 12, 6))
    at = timezone.make_aware(datetime.datetime(2026, 12, 6, 12, 37))
    decision = PlanDecision(
        session=session,
        outcome=DecisionOutcome.APPROVED_WITH_CHANGES,
        decided_by=morgan,
        decided_at=at,
    )
    assert present.decided_text(decision) == (
        "This plan has been decided: approved with changes, by the panel of 6 December 2026 "
        "(Morgan Panel) at 12:37."
    )
    decision.decided_at = at + datetime.timedelta(hours=21)
    assert present.decided_text(decision) == (
        "This plan has been decided: approved with changes, by the panel of 6 December 2026 "
        "(Morgan Panel) on 7 December 2026 at 09:37."
    )
    alone = PlanDecision(
        outcome=DecisionOutcome.DECLINED, decided_by=User(full_name="Alex Lead"), decided_at=at
    )
    assert present.decided_text(alone) == (
        "This plan has been decided: declined, by Alex Lead on 6 December 2026 at 12:37."
    )


def test_pages_with_nothing_to_choose_offer_no_form(client, phb_lead, members):
    """A decided plan is not offered for a conflict of interest, and with no plan waiting the
    agenda page has no button whose error would link to a box not shown."""
    plan = submitted_plan(phb_lead)
    panel = session(phb_lead, members, versions=[plan], present=members, start=True)
    decide_plan(
        actor=members[1],
        version=plan,
        outcome=DecisionOutcome.APPROVED,
        items={str(i.pk): ItemChoice(DecisionOutcome.APPROVED) for i in plan.support_items.all()},
        session=panel,
    )
    client.force_login(members[0])
    page = text(client.get(reverse("careplans:panel_conflict", args=[panel.pk])))
    assert "There are no plans on the agenda still to be decided." in page
    assert "Declare the conflict" not in page
    client.force_login(phb_lead)
    page = text(client.get(reverse("careplans:panel_agenda_add", args=[panel.pk])))
    assert "No plans are waiting for a panel." in page
    assert "Add to the agenda" not in page


def test_a_page_opened_before_the_plan_changed_is_refused(client, phb_lead, members):
    plan = submitted_plan(phb_lead)
    panel = session(phb_lead, members, versions=[plan], present=members, start=True)
    client.force_login(members[0])
    response = client.post(
        decide_url(panel, plan),
        {"lock_version": plan.lock_version - 1, "outcome": DecisionOutcome.APPROVED},
    )
    assert "Someone changed this plan while you were looking at it" in flashed(response)
    assert plan.status == PlanStatus.SUBMITTED


def test_without_quorum_the_screen_says_so(client, phb_lead, members):
    plan = submitted_plan(phb_lead)
    panel = session(phb_lead, members, versions=[plan], present=members[:1], start=True)
    client.force_login(members[0])
    page = text(client.get(decide_url(panel, plan)))
    assert "The panel cannot decide this plan yet" in page
    # The warning follows the h1, so its heading is an h2: no level is skipped.
    heading = page.index("The panel cannot decide this plan yet")
    assert page.rindex("<h", 0, heading) == page.rindex("<h2", 0, heading)
    response = client.post(
        decide_url(panel, plan),
        {"lock_version": plan.lock_version, "outcome": DecisionOutcome.APPROVED},
    )
    assert "1 of the 3 members needed can decide it" in text(response)


def test_a_member_with_a_conflict_sees_no_form(client, phb_lead, members):
    plan = submitted_plan(phb_lead)
    panel = session(phb_lead, members, versions=[plan], present=members, start=True)
    client.force_login(members[2])
    response = client.post(
        reverse("careplans:panel_conflict", args=[panel.pk]),
        {"version": str(plan.pk), "reason": "The person is my neighbour"},
    )
    assert response.status_code == 302
    page = text(client.get(decide_url(panel, plan)))
    assert "You declared a conflict of interest in this plan" in page
    assert "Save the decision" not in page


def test_setting_up_a_session_and_its_agenda_through_the_pages(client, phb_lead, members):
    plan = submitted_plan(phb_lead)
    client.force_login(phb_lead)
    today = timezone.localdate()  # a panel starts on its own date
    response = client.post(
        reverse("careplans:panel_session_new"),
        {
            "date_day": str(today.day),
            "date_month": str(today.month),
            "date_year": str(today.year),
            "starts_at": "10:00",
            "place": "Room 4",
            "chair": str(members[0].pk),
            "members": [str(m.pk) for m in members[1:]],
        },
    )
    panel = PanelSession.objects.get()
    assert response["Location"] == reverse("careplans:panel_session", args=[panel.pk])
    response = client.post(
        reverse("careplans:panel_agenda_add", args=[panel.pk]), {"versions": [str(plan.pk)]}
    )
    assert panel.agenda.get().version_id == plan.pk
    # The same plan again, from a second tab opened before: told what happened, in words.
    again = client.post(
        reverse("careplans:panel_agenda_add", args=[panel.pk]), {"versions": [str(plan.pk)]}
    )
    assert "it was added to an agenda or decided since this page was opened" in (
        again.content.decode()
    )
    assert panel.agenda.count() == 1
    response = client.post(
        reverse("careplans:panel_attendance", args=[panel.pk]),
        {"present": [str(m.pk) for m in members], "seen_updated_at": seen(panel)},
    )
    assert panel.memberships.filter(present=True).count() == 3
    client.post(reverse("careplans:panel_start", args=[panel.pk]))
    assert PanelSession.objects.get().status == "in_progress"
    client.post(
        reverse("careplans:panel_agenda_item", args=[panel.pk, plan.pk]), {"action": "remove"}
    )
    assert not panel.agenda.exists()
    client.post(reverse("careplans:panel_close", args=[panel.pk]))
    assert PanelSession.objects.get().status == "closed"


def seen(panel) -> str:
    """When the session was last changed, as its pages carry it."""
    return PanelSession.objects.get(pk=panel.pk).updated_at.isoformat()


def policy_seen(client) -> str:
    """The hidden time the policy page was drawn with, as a browser sends it back."""
    import re

    html = client.get(reverse("careplans:approval_policy")).content.decode()
    return re.search(r'name="seen" value="([^"]*)"', html).group(1)


def test_the_policy_page_saves_the_limit_and_quorum(client, icb_admin, icb):
    client.force_login(icb_admin)
    response = client.post(
        reverse("careplans:approval_policy"),
        {
            "lead_sign_off_limit": "£7,500.00",
            "panel_quorum": "4",
            "review_reminder_days": "7 30,14",
            "seen": policy_seen(client),
        },
    )
    assert response.status_code == 302
    saved = ApprovalPolicy.objects.get(organisation=icb)
    assert (saved.lead_sign_off_limit, saved.panel_quorum) == (D("7500.00"), 4)
    assert saved.review_reminder_days == "30,14,7"
    response = client.post(
        reverse("careplans:approval_policy"), {"lead_sign_off_limit": "", "panel_quorum": "40"}
    )
    assert "There is a problem" in text(response)


def test_a_policy_saved_from_an_older_tab_is_refused(client, icb_admin, icb):
    """North's page, saved after another administrator's change, does not put back what
    they changed."""
    client.force_login(icb_admin)
    stale = policy_seen(client)
    data = {"lead_sign_off_limit": "5000.00", "panel_quorum": "3", "review_reminder_days": "28,7"}
    assert (
        client.post(reverse("careplans:approval_policy"), data | {"seen": stale}).status_code == 302
    )
    response = client.post(
        reverse("careplans:approval_policy"),
        data | {"panel_quorum": "7", "seen": stale},
        follow=True,
    )
    assert "Someone changed the approval policy after you opened this page" in text(response)
    assert ApprovalPolicy.objects.get(organisation=icb).panel_quorum == 3
    missing = client.post(reverse("careplans:approval_policy"), data | {"panel_quorum": "7"})
    assert missing.status_code == 200
    assert ApprovalPolicy.objects.get(organisation=icb).panel_quorum == 3


@pytest.mark.parametrize("days", ["", "0", "400", "1,2,3,4,5,6", "seven", "٧", "28;7"])
def test_reminder_days_that_make_no_sense_are_refused_in_words(client, icb_admin, icb, days):
    client.force_login(icb_admin)
    response = client.post(
        reverse("careplans:approval_policy"),
        {"lead_sign_off_limit": "0.00", "panel_quorum": "3", "review_reminder_days": days},
    )
    assert response.status_code == 200
    assert "There is a problem" in text(response)
    assert ApprovalPolicy.objects.get(organisation=icb).review_reminder_days == "28,7"


def test_changes_through_the_pages_are_recorded_with_who_and_where(client, phb_lead, members):
    plan = submitted_plan(phb_lead)
    panel = session(phb_lead, members, versions=[plan])
    client.force_login(phb_lead)
    url = reverse("careplans:panel_attendance", args=[panel.pk])
    client.post(url, {"present": [str(members[0].pk)], "seen_updated_at": seen(panel)})
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT e.member_id, e.present, c.metadata->>'user', c.metadata->>'url'
            FROM careplans_panelmembershipevent e
            JOIN pghistory_context c ON c.id = e.pgh_context_id
            WHERE e.session_id = %s AND e.pgh_label = 'update'
            """,
            [panel.pk],
        )
        rows = cursor.fetchall()
    assert rows == [(members[0].pk, True, str(phb_lead.pk), url)]


def test_odd_addresses_and_buttons_change_nothing(client, phb_lead, members):
    first, second = submitted_plan(phb_lead), submitted_plan(phb_lead)
    panel = session(phb_lead, members, versions=[first, second], present=members, start=True)
    client.force_login(members[0])
    # A made-up "just decided" id says nothing.
    page = text(client.get(decide_url(panel, first) + "?decided=not-an-id"))
    assert "The letter to them has been written" not in page
    client.force_login(phb_lead)
    item_url = reverse("careplans:panel_agenda_item", args=[panel.pk, second.pk])
    response = client.post(item_url, {"action": "sideways"})
    assert "Choose up or down" in flashed(response)
    client.post(item_url, {"action": "up"})
    assert list(panel.agenda.order_by("position").values_list("version_id", flat=True)) == [
        second.pk,
        first.pk,
    ]
    other = reverse("careplans:panel_agenda_item", args=[panel.pk, members[0].pk])
    assert client.post(other, {"action": "up"}).status_code == 404


def session_data(members, **changes) -> dict:
    return {
        "date_day": "14",
        "date_month": "1",
        "date_year": "2027",
        "starts_at": "10:00",
        "place": "Room 4",
        "chair": str(members[0].pk),
        "members": [str(m.pk) for m in members[1:]],
    } | changes


def test_setting_up_the_same_session_twice_sets_it_up_once(client, phb_lead, members):
    client.force_login(phb_lead)
    url = reverse("careplans:panel_session_new")
    client.post(url, session_data(members))
    first = PanelSession.objects.get()
    # The button pressed twice: the second is told about the first, and shown it.
    again = client.post(url, session_data(members, place=" room 4 "))
    assert again["Location"] == reverse("careplans:panel_session", args=[first.pk])
    assert (
        f"A panel session on Thursday 14 January 2027 at 10:00 (Room 4) was already set up by "
        f"{phb_lead.full_name} on {timezone.localtime(first.created_at):%-d %B %Y at %H:%M}. "
        "Nothing was changed: this is that session."
    ) in flashed(again)
    assert PanelSession.objects.count() == 1
    # Another time, or another place, the same day is another session.
    client.post(url, session_data(members, starts_at="14:00"))
    client.post(url, session_data(members, place="Room 5"))
    assert PanelSession.objects.count() == 3


def edit_data(panel, members, **changes) -> dict:
    return session_data(members, **changes) | {
        "seen_updated_at": PanelSession.objects.get(pk=panel.pk).updated_at.isoformat()
    }


def test_a_session_changed_from_an_older_tab_is_refused(client, phb_lead, members):
    panel = session(phb_lead, members)
    client.force_login(phb_lead)
    url = reverse("careplans:panel_session_edit", args=[panel.pk])
    seen = PanelSession.objects.get(pk=panel.pk).updated_at.isoformat()
    assert f'name="seen_updated_at" value="{seen}"' in text(client.get(url))
    # One tab moves the panel to the afternoon...
    response = client.post(url, edit_data(panel, members, starts_at="14:30"))
    assert response.status_code == 302
    changed = PanelSession.objects.get(pk=panel.pk)
    # ...then a tab opened before it saves a new place: refused in words, nothing written.
    stale = client.post(url, session_data(members, place="Room 9") | {"seen_updated_at": seen})
    assert stale["Location"] == reverse("careplans:panel_session", args=[panel.pk])
    assert (
        f"This panel session was changed by {phb_lead.full_name} on "
        f"{timezone.localtime(changed.updated_at):%-d %B %Y at %H:%M}, after this page was "
        "opened. Nothing was changed"
    ) in flashed(stale)
    panel = PanelSession.objects.get(pk=panel.pk)
    assert (panel.starts_at, panel.place) == (datetime.time(14, 30), "Room 4")


@pytest.mark.parametrize("seen", [None, "", "yesterday", "2027-01-14T10:00:00"])
def test_a_session_change_without_the_page_version_is_refused(client, phb_lead, members, seen):
    panel = session(phb_lead, members)
    client.force_login(phb_lead)
    url = reverse("careplans:panel_session_edit", args=[panel.pk])
    data = session_data(members, place="Room 9")
    if seen is not None:
        data["seen_updated_at"] = seen
    response = client.post(url, data)
    assert response.status_code == 200
    assert "This page is out of date. Go back, reload the page and try again" in text(response)
    assert PanelSession.objects.get(pk=panel.pk).place == "Room 4, Quayside House"


def test_the_summary_counts_and_links_every_letter_each_decision_wrote(
    client, phb_lead, members, holder
):
    """Two plans decided: one person has nobody acting for them (one letter); the other has
    two representatives and asked for copies (three letters). The summary says 4 letters and
    links each."""
    from careplans.models import PlanLetter
    from tests.factories import RepresentativeFactory

    first = submitted_plan(phb_lead)
    second = submitted_plan(phb_lead, holder)
    reps = [
        RepresentativeFactory(budget_holder=holder, agreed_on=datetime.date(2026, 4, day))
        for day in (1, 2)
    ]
    holder.copy_letters_to_person = True
    holder.save(update_fields=["copy_letters_to_person"])
    panel = session(phb_lead, members, versions=[first, second], present=members, start=True)
    client.force_login(members[0])
    for plan in (first, second):
        client.post(
            decide_url(panel, plan),
            {"lock_version": plan.lock_version, "outcome": DecisionOutcome.APPROVED, "reasons": ""},
        )
    letters = PlanLetter.objects.filter(version=second)
    assert letters.count() == 3
    summary = text(client.get(reverse("careplans:panel_summary", args=[panel.pk])))
    assert "4 letters, each ready to print or send from its page." in summary
    for letter in [*letters, PlanLetter.objects.get(version=first)]:
        assert reverse("careplans:letter", args=[letter.pk]) in summary
    for rep in reps:
        assert f"to {rep.user.full_name}" in summary
    assert f"to {holder.full_name}" in summary


def test_the_summary_says_what_was_approved_a_year_and_once(client, phb_lead, members):
    """Approved: the PA £10,920.00 and hoist hire £1,859.00 a year, and a £1.00 one-off grab
    rail: "£12,779.00 a year and £1.00 once", never £12,780.00 as if all were yearly. A plan
    declined approves nothing."""
    from careplans import services as plan_services
    from careplans.models import PlanVersion

    first = submitted_plan(phb_lead)
    draft = plan_services.take_back(actor=phb_lead, version=first)
    plan_services.save_support_item(
        actor=phb_lead,
        version=draft,
        goals=list(draft.goals.all()),
        description="Grab rail",
        category="equipment",
        provider="Mobility Hire Ltd",
        unit_cost=D("1.00"),
        quantity=D("1"),
        frequency="once",
        portion=draft.support_items.first().portion,
    )
    first = plan_services.submit_version(
        actor=phb_lead, version=PlanVersion.objects.get(pk=draft.pk)
    )
    second = submitted_plan(phb_lead)
    panel = session(phb_lead, members, versions=[first, second], present=members, start=True)
    client.force_login(members[0])
    client.post(
        decide_url(panel, first),
        {"lock_version": first.lock_version, "outcome": DecisionOutcome.APPROVED, "reasons": ""},
    )
    decide_plan(
        actor=members[0],
        version=second,
        outcome=DecisionOutcome.DECLINED,
        reasons=PLAN_REASON,
        session=panel,
    )
    summary = text(client.get(reverse("careplans:panel_summary", args=[panel.pk])))
    assert "£12,779.00 a year and £1.00 once" in summary
    assert "£12,780.00" not in summary
    assert summary.count('aria-hidden="true">Approved </span>None') == 1


def test_attendance_with_nobody_ticked_is_refused(client, phb_lead, members):
    """Two of three members are here; a page sent with nobody ticked keeps those two and
    says what to do, rather than a green 'Attendance has been recorded' with nobody here."""
    plan = submitted_plan(phb_lead)
    panel = session(phb_lead, members, versions=[plan], present=members[:2])
    client.force_login(phb_lead)
    response = client.post(reverse("careplans:panel_attendance", args=[panel.pk]), {})
    assert response.status_code == 200
    page = text(response)
    assert "There is a problem" in page and "Select who is here" in page
    assert "Attendance has been recorded" not in flashed(response)
    assert panel.memberships.filter(present=True).count() == 2


def test_attendance_saved_from_an_older_tab_is_refused_in_words(client, phb_lead, members):
    """The reviewer's case: tab B records all three members as here ("3 members are here ...
    the panel can start deciding"); tab A, opened before with one ticked, then saves. It is
    refused, naming who recorded attendance, when, and who is here: the quorum stays."""
    panel = session(phb_lead, members, present=members[:1])
    client.force_login(phb_lead)
    url = reverse("careplans:panel_attendance", args=[panel.pk])
    opened = seen(panel)
    assert f'name="seen_updated_at" value="{opened}"' in text(client.get(url))
    everyone = {"present": [str(m.pk) for m in members], "seen_updated_at": opened}
    assert client.post(url, everyone).status_code == 302  # tab B
    recorded = PanelSession.objects.get(pk=panel.pk).updated_at
    page = text(client.get(reverse("careplans:panel_session", args=[panel.pk])))
    assert "3 members are here and 3 are needed, so the panel can start deciding" in page
    stale = client.post(url, {"present": [str(members[0].pk)], "seen_updated_at": opened})
    assert stale["Location"] == reverse("careplans:panel_session", args=[panel.pk])
    names = sorted(m.full_name for m in members)
    assert (
        f"Attendance was recorded by {phb_lead.full_name} on "
        f"{timezone.localtime(recorded):%-d %B %Y at %H:%M}, after this page was opened: "
        f"{names[0]}, {names[1]} and {names[2]} are here now. Nothing was changed: check who "
        "is here, then save again."
    ) in flashed(stale)
    assert "Attendance has been recorded" not in flashed(stale)
    assert panel.memberships.filter(present=True).count() == 3


@pytest.mark.parametrize("sent", [None, "", "yesterday", "2027-01-14T10:00:00"])
def test_attendance_without_the_page_version_is_refused(client, phb_lead, members, sent):
    panel = session(phb_lead, members, present=members)
    client.force_login(phb_lead)
    data = {"present": [str(members[0].pk)]}
    if sent is not None:
        data["seen_updated_at"] = sent
    response = client.post(reverse("careplans:panel_attendance", args=[panel.pk]), data)
    assert response.status_code == 200
    assert "This page is out of date. Go back, reload the page and try again" in text(response)
    assert panel.memberships.filter(present=True).count() == 3


def test_a_session_closed_twice_says_who_closed_it_and_when(client, phb_lead, members):
    plan = submitted_plan(phb_lead)
    panel = session(phb_lead, members, versions=[plan], present=members, start=True)
    client.force_login(phb_lead)
    url = reverse("careplans:panel_close", args=[panel.pk])
    assert client.post(url).status_code == 302
    closed = PanelSession.objects.get(pk=panel.pk).updated_at
    again = client.post(url)
    assert again["Location"] == reverse("careplans:panel_session", args=[panel.pk])
    assert (
        f"This panel session was already closed by {phb_lead.full_name} on "
        f"{timezone.localtime(closed):%-d %B %Y at %H:%M}. Nothing was changed."
    ) in flashed(again)


def test_attendance_after_a_change_to_the_session_names_the_change(client, phb_lead, members):
    """Attendance was recorded, then the session saved from its change page (its details as
    they were): a page opened before both is told the session was changed, not that
    attendance was recorded last."""
    panel = session(phb_lead, members)
    client.force_login(phb_lead)
    url = reverse("careplans:panel_attendance", args=[panel.pk])
    opened = seen(panel)
    client.post(url, {"present": [str(m.pk) for m in members], "seen_updated_at": opened})
    edit = reverse("careplans:panel_session_edit", args=[panel.pk])
    same = edit_data(panel, members, place="Room 4, Quayside House")
    assert client.post(edit, same).status_code == 302
    changed = PanelSession.objects.get(pk=panel.pk).updated_at
    stale = client.post(url, {"present": [str(members[0].pk)], "seen_updated_at": opened})
    assert (
        f"This panel session was changed by {phb_lead.full_name} on "
        f"{timezone.localtime(changed):%-d %B %Y at %H:%M}, after this page was opened. "
        "Nothing was changed: check who is here, then save again."
    ) in flashed(stale)
    assert panel.memberships.filter(present=True).count() == 3
