"""Review-due reminders, each sent once (ADR 0031).

Every day the scan finds the reviews still due whose next reminder has come: due soon (at
each of the ICB's reminder days before the due date, 28 and 7 unless it chose others), due
today, and overdue (the day after, then every week). For each it claims (review, kind, due
date, step, recipient) by inserting a `ReviewReminder` under its unique constraint, in the
same transaction that records the message. A claim already made (another scan, a duplicate
delivery of the task, a retry) inserts nothing, so records no message: however often the
scan runs, each reminder is recorded and sent once. A claim is a window, not a day: a scan
missed (beat was down) is caught up by the next one.
"""

import datetime
import uuid
from collections import defaultdict
from dataclasses import dataclass, replace

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from careplans.models import (
    ApprovalPolicy,
    PlanStatus,
    ProfessionalContact,
    ReminderKind,
    ReminderRecipient,
    Review,
    ReviewReminder,
    ReviewStatus,
)
from careplans.selectors_reviews import of_plans_in_use
from phb.models import MESSAGE_BODY_LENGTH, Role, RoleAssignment
from phb.notifications import services as notifications
from phb.notifications.claims import LostRace, claim, days_before

DEFAULT_REMINDER_DAYS = (28, 7)
# The most reviews read in one transaction. An ICB's reviews are never shared with another's
# chunk, and its staff get one email a chunk: at 10,000 that is one a day even for the largest
# ICB (about 20,000 people, of whom a few thousand are due within the furthest reminder day).
CHUNK = 10_000
# The most reviews a digest lists one by one (fewer if they would not fit in a message); the
# rest are on the list of reviews due.
DIGEST_LINES = 25


def reminder_days(listed: str) -> tuple[int, ...]:
    """'28,7' as (28, 7): the days before a due date to remind, most first."""
    days = {int(part) for part in listed.split(",") if part.strip().isdigit()}
    return tuple(sorted((day for day in days if day > 0), reverse=True))


def step_for(due_on: datetime.date, today: datetime.date, days) -> tuple[str, int] | None:
    """Which reminder of a review is current on `today`: (kind, step), or None yet."""
    left = (due_on - today).days
    if left > 0:
        step = days_before(due_on, today, days)
        return (ReminderKind.DUE_SOON, step) if step is not None else None
    if left == 0:
        return ReminderKind.DUE_TODAY, 0
    return ReminderKind.OVERDUE, (-left - 1) // 7 + 1


# What a claim is unique on (the `review_reminder_once` constraint).
CLAIM_KEY = ("review_id", "kind", "due_on", "step", "recipient", "recipient_user_id")


@dataclass(frozen=True)
class Reminder:
    review: Review
    kind: str
    step: int
    recipient: str
    message: object  # an unsaved phb Message, its id chosen here
    # The days really left to the due date: a reminder's step says only which one it is (the
    # 28-day one, sent late after a missed scan, may go out with 13 days left).
    days_left: int = 0

    @property
    def key(self) -> tuple:
        return (
            self.review.pk,
            self.kind,
            self.review.due_on,
            self.step,
            self.recipient,
            self.message.recipient_user_id,
        )


def scan_due_reviews(*, today: datetime.date) -> int:
    """Record (and queue) every reminder due on `today` not already recorded. The reviews due
    are found through the `review_due_by_date` index, then read by ICB, at most `CHUNK` at a
    time, with a fixed number of queries each; each chunk is its own transaction. Returns how
    many messages were recorded."""
    days_by_icb = {
        organisation_id: reminder_days(listed)
        for organisation_id, listed in ApprovalPolicy.objects.values_list(
            "organisation_id", "review_reminder_days"
        )
    }
    horizon = max((max(days, default=0) for days in days_by_icb.values()), default=0)
    horizon = max(horizon, *DEFAULT_REMINDER_DAYS)
    leads = _leads_by_icb(today)
    # The ids first, through the index (at most one review due per plan: a few megabytes at
    # national scale), then each chunk's rows by primary key: every query's plan is fixed.
    # Each ICB's reviews are kept together (soonest first within it) and a chunk holds only
    # one ICB's, so that a member of staff gets one email for the day (ADR 0039).
    # Only reviews of plans still in use: none is owed once the budget paying for it stops.
    found = of_plans_in_use(
        Review.objects.filter(
            status=ReviewStatus.DUE, due_on__lte=today + datetime.timedelta(days=horizon)
        ),
        today,
    ).order_by("due_on", "pk")
    by_icb = defaultdict(list)
    for pk, organisation_id in found.values_list("pk", "plan__budget_holder__organisation_id"):
        by_icb[organisation_id].append(pk)
    recorded = 0
    for due in by_icb.values():
        for start in range(0, len(due), CHUNK):
            ids = due[start : start + CHUNK]
            chunk = list(
                Review.objects.filter(pk__in=ids)
                .select_related("plan__budget_holder__organisation")
                .order_by("due_on", "pk")
            )
            recorded += _remind(chunk, today, days_by_icb, leads)
    return recorded


def _leads_by_icb(today) -> dict:
    leads = defaultdict(list)
    for assignment in (
        RoleAssignment.objects.current(today)
        .filter(role=Role.PHB_LEAD, user__is_active=True)
        .select_related("user")
        .order_by("organisation_id", "user__email")
    ):
        if assignment.user not in leads[assignment.organisation_id]:
            leads[assignment.organisation_id].append(assignment.user)
    return leads


def _remind(chunk, today, days_by_icb, leads) -> int:
    """Record one chunk's reminders. A concurrent scan that claims some of them first makes
    this chunk's transaction roll back (its messages with it) and read the claims again."""
    for _ in range(5):
        try:
            return _remind_once(chunk, today, days_by_icb, leads)
        except LostRace:
            continue
    raise LostRace(f"Reviews from {chunk[0].pk}: claimed by others five times running")


@transaction.atomic
def _remind_once(chunk, today, days_by_icb, leads) -> int:
    coordinators = {
        contact.version.plan_id: contact
        for contact in ProfessionalContact.objects.filter(
            is_care_coordinator=True,
            version__status=PlanStatus.ACTIVE,
            version__plan_id__in=[review.plan_id for review in chunk],
        ).select_related("version", "user")
    }
    claimed = set(ReviewReminder.objects.filter(review__in=chunk).values_list(*CLAIM_KEY))
    reminders = []
    for review in chunk:
        holder = review.plan.budget_holder
        step = step_for(
            review.due_on, today, days_by_icb.get(holder.organisation_id, DEFAULT_REMINDER_DAYS)
        )
        if step is not None:
            reminders += _reminders_of(
                review,
                *step,
                coordinators.get(review.plan_id),
                leads[holder.organisation_id],
                claimed,
                days_left=(review.due_on - today).days,
            )
    if not reminders:
        return 0
    reminders = digested(reminders)
    messages = {r.message.pk: r.message for r in reminders}  # a digest once
    notifications.record_messages(messages=list(messages.values()))
    claims = [(*r.key, r.message.pk) for r in reminders]
    if len(claim(ReviewReminder, CLAIM_KEY, claims)) != len(reminders):
        raise LostRace
    return len(reminders)


def digested(reminders: list[Reminder]) -> list[Reminder]:
    """One email for each member of staff, not one for each review: a PHB lead of an ICB with
    thousands of people would otherwise get hundreds a day. A member of staff with several
    reminders in this batch gets one message listing every review, and each reminder is
    claimed with it (so each is still recorded, and sent, once). One reminder keeps its own
    words; the person's reminders are always their own."""
    staff = defaultdict(list)
    for reminder in reminders:
        if reminder.recipient != ReminderRecipient.PERSON:
            message = reminder.message
            staff[(message.recipient_user_id, message.to_address)].append(reminder)
    replaced = {}
    for group in staff.values():
        if len(group) > 1:
            digest = _digest(group)
            replaced.update({id(reminder): digest for reminder in group})
    return [
        replace(reminder, message=replaced[id(reminder)]) if id(reminder) in replaced else reminder
        for reminder in reminders
    ]


def _digest(group: list[Reminder]):
    first = group[0].message
    roles = sorted({reminder.message.recipient_role for reminder in group})
    ordered = sorted(group, key=lambda r: (r.review.due_on, r.review.plan.budget_holder.full_name))
    every = settings.PHB_SITE_URL.rstrip("/") + reverse("careplans:reviews_due")
    opening = "These care and support plan reviews are coming due or overdue, soonest first:"
    closing = "Record each review when it is done, from its link."
    # Room for the opening, the closing and the line naming how many more (at most 200).
    room = MESSAGE_BODY_LENGTH - len(opening) - len(closing) - len(every) - 200
    lines = []
    for reminder in ordered[:DIGEST_LINES]:
        line = f"- {_staff_line(reminder.review, reminder.kind, reminder.days_left)}"
        if len(line) + 1 > room:
            break
        lines.append(line)
        room -= len(line) + 1
    listed = "\n".join(lines)
    if len(ordered) > len(lines):
        listed += f"\n\nAnd {len(ordered) - len(lines)} more, on the list of reviews due: {every}"
    message = notifications.new_message(
        organisation_id=first.organisation_id,
        recipient_user_id=first.recipient_user_id,
        recipient_name=first.recipient_name,
        recipient_role=" and ".join(roles),
        channel=first.channel,
        to_address=first.to_address,
        subject=f"{len(group)} care and support plan reviews to do",
        body=f"{opening}\n\n{listed}\n\n{closing}",
    )
    message.pk = uuid.uuid4()
    return message


def _reminders_of(
    review, kind, step, coordinator, leads, claimed, *, days_left: int
) -> list[Reminder]:
    """The reminders of this review at this step not yet claimed, with their messages."""
    holder = review.plan.budget_holder
    reminders = []

    def add(recipient, *, name, role, channel, address, user=None, person=False):
        key = (review.pk, kind, review.due_on, step, recipient, user.pk if user else None)
        if key in claimed:
            return
        if person:
            subject, body = _person_words(review, kind)
        else:
            subject, body = _staff_words(review, kind, step, days_left)
        message = notifications.message_about(
            holder,
            name=name,
            role=role,
            channel=channel,
            address=address,
            subject=subject,
            body=body,
            user=user,
        )
        message.pk = uuid.uuid4()
        reminders.append(Reminder(review, kind, step, recipient, message, days_left))

    first_notice = kind != ReminderKind.OVERDUE or step == 1
    coordinator_user = coordinator.user if coordinator is not None else None
    if coordinator is not None and first_notice:
        add(
            ReminderRecipient.CARE_COORDINATOR,
            name=coordinator_user.full_name if coordinator_user else coordinator.name,
            role="Care coordinator",
            channel="email",
            address=coordinator_user.email if coordinator_user else coordinator.email,
            user=coordinator_user,
        )
    for lead in leads:
        if lead != coordinator_user:
            add(
                ReminderRecipient.PHB_LEAD,
                name=lead.full_name,
                role="PHB lead",
                channel="email",
                address=lead.email,
                user=lead,
            )
    reachable = notifications.person_channel(holder)
    if holder.review_reminders and kind != ReminderKind.OVERDUE and reachable is not None:
        add(
            ReminderRecipient.PERSON,
            name=holder.full_name,
            role=notifications.PERSON_ROLE,
            channel=reachable[0],
            address=reachable[1],
            person=True,
        )
    return reminders


def _when(review, kind, days_left: int) -> str:
    if kind == ReminderKind.DUE_SOON:
        if days_left == 1:
            return f"due tomorrow, {review.due_on:%-d %B %Y}"
        return f"due in {days_left} days, by {review.due_on:%-d %B %Y}"
    if kind == ReminderKind.DUE_TODAY:
        return f"due today, {review.due_on:%-d %B %Y}"
    return f"overdue: it was due by {review.due_on:%-d %B %Y}"


def _review_link(review) -> str:
    return settings.PHB_SITE_URL.rstrip("/") + reverse("careplans:review_record", args=[review.pk])


def _staff_line(review, kind, days_left: int) -> str:
    """One review in a digest: "Alex Morgan: first review due in 7 days, by 11 January 2027.
    <its link>"."""
    holder = review.plan.budget_holder
    when = _when(review, kind, days_left)
    return f"{holder.full_name}: {review.get_kind_display().lower()} {when}. {_review_link(review)}"


def _staff_words(review, kind, step, days_left: int) -> tuple[str, str]:
    holder = review.plan.budget_holder
    when = _when(review, kind, days_left)
    link = _review_link(review)
    heading = {
        ReminderKind.DUE_SOON: "Review due tomorrow"
        if days_left == 1
        else f"Review due in {days_left} days",
        ReminderKind.DUE_TODAY: "Review due today",
        ReminderKind.OVERDUE: "Review overdue" if step == 1 else f"Review overdue, week {step}",
    }[kind]
    return (
        f"{heading}: {holder.full_name}",
        f"The {review.get_kind_display().lower()} of {holder.full_name}'s care and support "
        f"plan is {when}.\n\nRecord the review when it is done: {link}",
    )


def _person_words(review, kind) -> tuple[str, str]:
    holder = review.plan.budget_holder
    icb = holder.organisation
    contact = f" on {icb.phone}" if icb.phone else ""
    when = (
        f"due by {review.due_on:%-d %B %Y}"
        if kind == ReminderKind.DUE_SOON
        else f"due today, {review.due_on:%-d %B %Y}"
    )
    return (
        "Your care and support plan review",
        f"Dear {holder.given_name},\n\nThe review of your care and support plan is {when}. "
        "It is a chance to talk about how your plan and budget are working for you.\n\n"
        f"If you have questions, contact the personal health budget team at {icb.name}"
        f"{contact}.",
    )
