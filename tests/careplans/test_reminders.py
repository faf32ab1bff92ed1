"""Review-due reminders: who is reminded of what and when, each exactly once, in a bounded
number of queries."""

import datetime
import re
import threading
import zoneinfo

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from careplans.models import ApprovalPolicy, ReminderKind, ReviewReminder, ReviewStatus
from careplans.services import reminders
from careplans.services.reminders import scan_due_reviews, step_for
from phb.models import MESSAGE_BODY_LENGTH, Message, MessageChannel, Role, RoleAssignment
from tests.careplans.reminder_factories import bare_reviews, messages_claimed, reviewed_person

D = datetime.date
LONDON = zoneinfo.ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("days_left", "expected"),
    [
        (40, None),
        (29, None),
        (28, (ReminderKind.DUE_SOON, 28)),
        (8, (ReminderKind.DUE_SOON, 28)),
        (7, (ReminderKind.DUE_SOON, 7)),
        (1, (ReminderKind.DUE_SOON, 7)),
        (0, (ReminderKind.DUE_TODAY, 0)),
        (-1, (ReminderKind.OVERDUE, 1)),
        (-7, (ReminderKind.OVERDUE, 1)),
        (-8, (ReminderKind.OVERDUE, 2)),
        (-15, (ReminderKind.OVERDUE, 3)),
    ],
)
def test_which_reminder_is_current(days_left, expected):
    today = D(2027, 3, 1)
    assert step_for(today + datetime.timedelta(days=days_left), today, (28, 7)) == expected


def _leads(icb):
    return {
        a.user.email
        for a in RoleAssignment.objects.current().filter(organisation=icb, role=Role.PHB_LEAD)
    }


@pytest.mark.django_db
def test_the_coordinator_the_leads_and_the_person_who_asked_are_reminded_once(
    phb_lead, care_coordinator, icb, django_capture_on_commit_callbacks
):
    today = D(2027, 1, 4)
    holder = reviewed_person(
        phb_lead, care_coordinator, icb, due_on=today + datetime.timedelta(days=7), reminders=True
    )
    with django_capture_on_commit_callbacks() as queued:
        recorded = scan_due_reviews(today=today)
    messages = Message.objects.filter(budget_holder=holder)
    assert recorded == messages.count() == 2 + len(_leads(icb))
    assert len(queued) == 1  # one callback queues every message of the chunk
    to = {(m.recipient_role, m.to_address, m.channel) for m in messages}
    assert ("Care coordinator", care_coordinator.email, MessageChannel.EMAIL) in to
    assert ("The person", "person@example.org", MessageChannel.EMAIL) in to
    assert {m.to_address for m in messages if m.recipient_role == "PHB lead"} == _leads(icb)
    assert all(m.status == "queued" for m in messages)
    staff = messages.get(recipient_role="Care coordinator")
    assert staff.subject == f"Review due in 7 days: {holder.full_name}"
    assert "11 January 2027" in staff.body
    # Again that day (a retry, a second beat) and the next: nothing more.
    assert scan_due_reviews(today=today) == 0
    assert scan_due_reviews(today=today + datetime.timedelta(days=1)) == 0
    assert Message.objects.filter(budget_holder=holder).count() == recorded


@pytest.mark.django_db
def test_a_reminder_sent_late_says_the_days_really_left(phb_lead, care_coordinator, icb):
    """The 28-day reminder of a review due in 13 days (the scan missed its day, or the review
    was set 13 days ahead) says 13 days, not 28; the last day before says "tomorrow"."""
    today = D(2027, 1, 4)
    holder = reviewed_person(
        phb_lead, care_coordinator, icb, due_on=today + datetime.timedelta(days=13)
    )
    scan_due_reviews(today=today)
    staff = Message.objects.get(budget_holder=holder, recipient_role="Care coordinator")
    assert staff.subject == f"Review due in 13 days: {holder.full_name}"
    assert "due in 13 days, by 17 January 2027" in staff.body
    scan_due_reviews(today=D(2027, 1, 16))
    last = Message.objects.filter(budget_holder=holder, recipient_role="Care coordinator")
    assert last.order_by("-created_at").first().subject == (
        f"Review due tomorrow: {holder.full_name}"
    )


@pytest.mark.django_db
def test_a_member_of_staff_gets_one_email_listing_their_reviews(phb_lead, care_coordinator, icb):
    """Three reviews due for the leads in one scan: each lead gets one message naming all
    three, soonest first, each reminder claimed with it; the coordinator, with one review,
    and the person keep their own words. Scanning again records nothing more."""
    today = D(2027, 1, 4)
    holder = reviewed_person(
        phb_lead, care_coordinator, icb, due_on=today + datetime.timedelta(days=7), reminders=True
    )
    later, overdue = bare_reviews(
        icb, phb_lead, [today + datetime.timedelta(days=28), today - datetime.timedelta(days=3)]
    )
    leads = _leads(icb)
    assert scan_due_reviews(today=today) == 3 * len(leads) + 2
    digests = Message.objects.filter(recipient_role="PHB lead")
    assert {m.to_address for m in digests} == leads
    assert digests.count() == len(leads)
    digest = digests.get(to_address=phb_lead.email)
    assert digest.subject == "3 care and support plan reviews to do"
    assert digest.budget_holder_id is None
    assert digest.organisation_id == icb.pk
    names = [
        overdue.plan.budget_holder.full_name,
        holder.full_name,
        later.plan.budget_holder.full_name,
    ]
    positions = [digest.body.index(f"- {name}: ") for name in names]
    assert positions == sorted(positions)  # soonest first
    assert "overdue: it was due by 1 January 2027" in digest.body
    assert "due in 7 days, by 11 January 2027" in digest.body
    assert "due in 28 days, by 1 February 2027" in digest.body
    assert digest.review_reminders.count() == 3
    coordinator = Message.objects.get(recipient_role="Care coordinator")
    assert coordinator.subject == f"Review due in 7 days: {holder.full_name}"
    assert coordinator.budget_holder_id == holder.pk
    assert Message.objects.get(recipient_role="The person").budget_holder_id == holder.pk
    assert scan_due_reviews(today=today) == 0
    assert Message.objects.count() == len(leads) + 2


@pytest.mark.django_db
def test_a_long_digest_lists_the_first_reviews_and_links_to_the_rest(phb_lead, icb, monkeypatch):
    monkeypatch.setattr(reminders, "DIGEST_LINES", 2)
    today = D(2027, 1, 4)
    bare_reviews(icb, phb_lead, [today + datetime.timedelta(days=7)] * 5)
    scan_due_reviews(today=today)
    digest = Message.objects.get(to_address=phb_lead.email)
    assert digest.subject == "5 care and support plan reviews to do"
    assert digest.body.count("\n- ") == 2
    assert re.search(r"And 3 more, on the list of reviews due: http\S+/reviews/\n", digest.body)


@pytest.mark.django_db
def test_a_digest_never_runs_past_a_messages_length(phb_lead, icb, monkeypatch):
    """However many reviews are listed, the message fits (5,000 characters): those that do not
    fit are counted and linked instead."""
    monkeypatch.setattr(reminders, "DIGEST_LINES", 1000)
    today = D(2027, 1, 4)
    bare_reviews(icb, phb_lead, [today + datetime.timedelta(days=7)] * 60)
    scan_due_reviews(today=today)
    digest = Message.objects.get(to_address=phb_lead.email)
    listed = digest.body.count("\n- ")
    assert 0 < listed < 60
    assert len(digest.body) <= MESSAGE_BODY_LENGTH
    assert f"And {60 - listed} more, on the list of reviews due: " in digest.body


@pytest.mark.django_db
def test_overdue_reviews_escalate_weekly_to_the_leads_only(phb_lead, care_coordinator, icb):
    due = D(2027, 1, 4)
    holder = reviewed_person(phb_lead, care_coordinator, icb, due_on=due, reminders=True)
    scan_due_reviews(today=due + datetime.timedelta(days=1))
    first = set(
        Message.objects.filter(budget_holder=holder).values_list("recipient_role", flat=True)
    )
    assert first == {"Care coordinator", "PHB lead"}  # the person is not nagged
    before = list(Message.objects.values_list("pk", flat=True))
    scan_due_reviews(today=due + datetime.timedelta(days=8))
    week_two = Message.objects.filter(budget_holder=holder).exclude(pk__in=before)
    assert {m.recipient_role for m in week_two} == {"PHB lead"}
    assert {m.subject for m in week_two} == {f"Review overdue, week 2: {holder.full_name}"}


@pytest.mark.django_db
def test_a_review_done_or_cancelled_is_not_reminded(phb_lead, icb):
    today = D(2027, 1, 4)
    (review,) = bare_reviews(icb, phb_lead, [today])
    review.status = ReviewStatus.CANCELLED
    review.save()
    assert scan_due_reviews(today=today) == 0


@pytest.mark.django_db
def test_each_icb_chooses_its_reminder_days(phb_lead, icb):
    ApprovalPolicy.objects.create(organisation=icb, review_reminder_days="14")
    today = D(2027, 1, 4)
    bare_reviews(icb, phb_lead, [today + datetime.timedelta(days=20)])
    assert scan_due_reviews(today=today) == 0
    assert scan_due_reviews(today=today + datetime.timedelta(days=6)) == len(_leads(icb))
    assert {claim.step for claim in ReviewReminder.objects.all()} == {14}


@pytest.mark.django_db
def test_400_days_across_the_clock_changes_give_every_reminder_once(phb_lead, icb):
    """Reviews due around both clock changes and in between, the scan run as beat runs it (at
    7am London time, on the London date; twice a day, as two beat processes would) every day
    for 400 days: each reminder is recorded once, on its day."""
    start = D(2026, 10, 1)
    due_dates = [
        D(2026, 10, 25),  # clocks go back
        D(2026, 11, 20),
        D(2027, 3, 28),  # clocks go forward
        D(2027, 3, 29),
        D(2027, 6, 30),
        D(2027, 10, 31),  # clocks go back
    ]
    reviews = bare_reviews(icb, phb_lead, due_dates)
    leads = len(_leads(icb))
    claimed_on = {}
    for offset in range(400):
        day = start + datetime.timedelta(days=offset)
        beat = datetime.datetime.combine(day, datetime.time(7, 0), tzinfo=LONDON)
        today = timezone.localdate(beat.astimezone(datetime.UTC))
        assert today == day
        before = set(ReviewReminder.objects.values_list("pk", flat=True))
        scan_due_reviews(today=today)
        scan_due_reviews(today=today)
        for claim in ReviewReminder.objects.exclude(pk__in=before):
            key = (claim.review_id, claim.kind, claim.step, claim.recipient_user_id)
            assert key not in claimed_on, f"{key} claimed twice"
            claimed_on[key] = day
    end = start + datetime.timedelta(days=399)
    expected = {}
    for review in reviews:
        due = review.due_on
        # A reminder's window opens on its day; one open when the scans start is caught up.
        if due - datetime.timedelta(days=7) > start:
            expected[(review.pk, ReminderKind.DUE_SOON, 28)] = max(
                start, due - datetime.timedelta(days=28)
            )
        expected[(review.pk, ReminderKind.DUE_SOON, 7)] = due - datetime.timedelta(days=7)
        expected[(review.pk, ReminderKind.DUE_TODAY, 0)] = due
        week = 1
        while due + datetime.timedelta(days=7 * (week - 1) + 1) <= end:
            expected[(review.pk, ReminderKind.OVERDUE, week)] = due + datetime.timedelta(
                days=7 * (week - 1) + 1
            )
            week += 1
    by_step = {}
    for (review_id, kind, step, _), day in claimed_on.items():
        by_step.setdefault((review_id, kind, step), set()).add(day)
    assert {key: days.pop() for key, days in by_step.items()} == expected
    assert all(len(days) == 0 for days in by_step.values())
    assert len(claimed_on) == len(expected) * leads
    assert ReviewReminder.objects.count() == len(claimed_on)
    assert Message.objects.count() == messages_claimed()


@pytest.mark.django_db
def test_the_scan_needs_the_same_queries_for_more_reviews(phb_lead, icb, monkeypatch):
    """A fixed number of queries per chunk of reviews (here chunks of 10): reading the
    reviews, their coordinators and claims, then two inserts (and the savepoints of the
    transactions); none per review."""
    monkeypatch.setattr(reminders, "CHUNK", 10)
    today = D(2027, 1, 4)
    soon = today + datetime.timedelta(days=7)
    bare_reviews(icb, phb_lead, [soon] * 10)
    with CaptureQueriesContext(connection) as one_chunk:
        scan_due_reviews(today=today)
    bare_reviews(icb, phb_lead, [soon] * 30)
    with CaptureQueriesContext(connection) as four_chunks:
        assert scan_due_reviews(today=today) == 30 * len(_leads(icb))
    assert len(one_chunk) <= 14
    assert len(four_chunks) <= len(one_chunk) + 3 * 10


@pytest.mark.django_db
def test_each_lead_gets_one_email_a_day_however_the_reviews_fall_in_chunks(
    phb_lead, icb, other_icb_lead, other_icb, monkeypatch
):
    """Chunks of 10 and two ICBs of 6 reviews each: a chunk never mixes ICBs, so neither ICB's
    reviews are split across two chunks, and each lead gets one digest of their 6."""
    monkeypatch.setattr(reminders, "CHUNK", 10)
    today = D(2027, 1, 4)
    soon = today + datetime.timedelta(days=7)
    bare_reviews(icb, phb_lead, [soon] * 6)
    bare_reviews(other_icb, other_icb_lead, [soon] * 6)
    scan_due_reviews(today=today)
    for lead in (phb_lead, other_icb_lead):
        (digest,) = Message.objects.filter(to_address=lead.email)
        assert digest.subject == "6 care and support plan reviews to do"


@pytest.mark.django_db(transaction=True)
def test_concurrent_scans_record_each_reminder_once(phb_lead, icb):
    """Eight scans of the same day at once, each in its own transaction and connection: the
    claims' unique constraint lets one record each reminder."""
    today = D(2027, 1, 4)
    bare_reviews(icb, phb_lead, [today + datetime.timedelta(days=7)] * 5 + [today] * 5)
    barrier = threading.Barrier(8)
    errors = []

    def scan():
        try:
            barrier.wait()
            scan_due_reviews(today=today)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=scan) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert ReviewReminder.objects.count() == 10 * len(_leads(icb))
    assert Message.objects.count() == messages_claimed()
