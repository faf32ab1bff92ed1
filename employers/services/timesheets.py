"""Timesheets: a PA (or the employer's side for them) writes down the shifts worked, sends the
timesheet for approval, and the employer or their representative approves it or sends it back.

Shift times are wall-clock times in Europe/London; an end before the start is the next day.
Hours are the time that really passed, so a night shift across the October clock change is an
hour longer than the clock faces suggest (22:00 to 07:00 on 24/25 October 2026 is 10 hours).
A PA's shifts never overlap, on any timesheet, and add up to at most the hours in a calendar
day (24, or 23 and 25 on the days the clocks change); the database refuses overlaps too, as
the backstop when two requests race.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from budgets.models import BudgetStatus, HoldingPortion
from budgets.selectors import current_budget
from budgets.services import Conflict
from careplans.models import SupportCategory
from careplans.models.plans import TIMES_A_YEAR, SupportFrequency
from careplans.plan_selectors import in_use_version, plan_of, versions_of
from employers.models import (
    PayFrequency,
    PersonalAssistant,
    PersonalAssistantStatus,
    Shift,
    ShiftKind,
    Timesheet,
    TimesheetStatus,
)
from phb.audit import user_id_of
from phb.models import User
from phb.permissions import Permission, require
from phb.presenters import display_time

LONDON = ZoneInfo("Europe/London")
# A timesheet covers at most one of the employer's pay periods, so that a pay run never pays
# several periods' work as one period's pay (tax and NI are worked out on the period's
# thresholds) and a week's run never holds more hours than a week has.
LONGEST_DAYS = {
    PayFrequency.WEEKLY: 7,
    PayFrequency.FORTNIGHTLY: 14,
    PayFrequency.FOUR_WEEKLY: 28,
    PayFrequency.MONTHLY: 31,
}
LONGEST_AHEAD = datetime.timedelta(days=365)
# Holiday may be booked ahead in the timesheet that pays it; work and sickness only once done.
AHEAD_ALLOWED = {ShiftKind.HOLIDAY}
TWO_PLACES = Decimal("0.01")
OVERLAP_CONSTRAINT = "shifts_of_a_pa_do_not_overlap"
OVERLAP_MESSAGE = "This shift overlaps another shift {name} worked: {shift}"
OVERLAP_RACE_MESSAGE = (
    "This shift overlaps another shift {name} worked, added just now. Check the shifts and "
    "try again"
)
CHANGEABLE = (TimesheetStatus.DRAFT, TimesheetStatus.RETURNED)
# Holiday taken and time off sick are paid but are not support given.
NOT_SUPPORT = (ShiftKind.HOLIDAY, ShiftKind.SICK)


def _refuse_if_left(assistant: PersonalAssistant, ends_on: datetime.date) -> None:
    """A PA who has left is still paid for the work they did: a new timesheet for them ends by
    their last day. (One started before the leaving was recorded may run past it: see
    `left_before_it_starts`.)"""
    if assistant.status == PersonalAssistantStatus.LEFT and ends_on > assistant.left_on:
        raise ValidationError(
            f"{assistant.full_name} left on {assistant.left_on:%-d %B %Y}: a timesheet for them "
            "can cover days up to then, not after"
        )


def left_before_it_starts(timesheet: Timesheet) -> bool:
    """The PA left before the timesheet's first day, so none of its days is work for them: it
    is not changed, sent or approved. A timesheet that runs past their last day is, with its
    shifts on or before that day (`_build` refuses any later one)."""
    assistant = timesheet.assistant
    return (
        assistant.status == PersonalAssistantStatus.LEFT and timesheet.starts_on > assistant.left_on
    )


def left_before_it_starts_words(timesheet: Timesheet) -> str:
    """ "Priya Shah left on 20 November 2026, before this timesheet starts: it cannot be
    changed, sent or approved"."""
    assistant = timesheet.assistant
    return (
        f"{assistant.full_name} left on {assistant.left_on:%-d %B %Y}, before this timesheet "
        "starts: it cannot be changed, sent or approved"
    )


def _refuse_if_left_before_it_starts(timesheet: Timesheet) -> None:
    if left_before_it_starts(timesheet):
        raise ValidationError(left_before_it_starts_words(timesheet))


def _not_changeable_words(timesheet: Timesheet) -> str:
    return (
        f"This timesheet is {timesheet.get_status_display().lower()}: its shifts cannot "
        "be changed now"
    )


def _refuse_unless_changeable(timesheet: Timesheet) -> None:
    if timesheet.status not in CHANGEABLE:
        raise Conflict(_not_changeable_words(timesheet))


def change_refusal(timesheet: Timesheet) -> str | None:
    """Why the timesheet's shifts cannot be added, changed or removed now, or None: the pages
    offer only what the services allow, and say the same words."""
    if timesheet.status not in CHANGEABLE:
        return _not_changeable_words(timesheet)
    if left_before_it_starts(timesheet):
        return left_before_it_starts_words(timesheet)
    return None


def _at(moment) -> str:
    """In London time, as "4:17pm on 6 December 2026"."""
    local = timezone.localtime(moment)
    return f"{display_time(local)} on {local:%-d %B %Y}"


def _hours_text(hours) -> str:
    return f"{(hours or 0):.2f}"


def shift_words(shift: Shift) -> str:
    """ "Day shift from Tuesday 24 November 2026 09:00 to Wednesday 25 November 2026 09:00,
    24.00 hours": what was recorded, with the day it ended (an end at or before the start is the
    next day, so the person sees when it was taken as a night or a 24-hour shift)."""
    starts = shift.starts_at.astimezone(LONDON)
    ends = shift.ends_at.astimezone(LONDON)
    return (
        f"{shift.get_kind_display()} shift from {starts:%A %-d %B %Y %H:%M} to "
        f"{ends:%A %-d %B %Y %H:%M}, {_hours_text(shift.hours)} hours"
    )


def _shifts_now(timesheet: Timesheet) -> str:
    """ "It now has 1 shift, 12.00 hours"."""
    shifts = list(timesheet.shifts.all())
    hours = sum((shift.hours for shift in shifts), Decimal("0"))
    count = f"{len(shifts)} shift" if len(shifts) == 1 else f"{len(shifts)} shifts"
    return f"It now has {count}, {_hours_text(hours)} hours"


def _changed_since(timesheet: Timesheet, seen: datetime.datetime | None) -> bool:
    """Whether the timesheet changed after the page was drawn from it: `seen` is its
    `updated_at` then (ADR 0042), and a change to any of its shifts changes it too (`_touch`).
    None: no page to compare."""
    return seen is not None and timesheet.updated_at != seen


def _touch(timesheet: Timesheet) -> None:
    """A shift added, changed or removed changes its timesheet, so that a page showing the
    timesheet's shifts (to send, to decide, to change one) is known to be out of date."""
    timesheet.save(update_fields=["updated_at"])


def _lock(timesheet: Timesheet) -> Timesheet:
    """The timesheet as it is now, locked until this transaction ends, so two people acting
    on it at once are served one after the other. Who decided is read after the lock (a
    join read with it could be from before the other's change)."""
    return (
        Timesheet.objects.select_for_update(of=("self",))
        .select_related("assistant__employer__budget_holder")
        .get(pk=timesheet.pk)
    )


def longest_timesheet(assistant: PersonalAssistant) -> str:
    """ "Priya Shah is paid weekly, so a timesheet covers at most 7 days" (no full stop: the
    refusal goes on to say the last day allowed)."""
    frequency = PayFrequency(assistant.employer.pay_frequency)
    return (
        f"{assistant.full_name} is paid {frequency.label.lower()}, so a timesheet covers at most "
        f"{LONGEST_DAYS[frequency]} days"
    )


@transaction.atomic
def start_timesheet(
    *, actor, assistant: PersonalAssistant, starts_on: datetime.date, ends_on: datetime.date
) -> Timesheet:
    """A new draft timesheet for `assistant` from `starts_on` to `ends_on` (at most one of the
    employer's pay periods long)."""
    _refuse_if_left(assistant, ends_on)
    require(actor, Permission.ENTER_TIMESHEET, assistant)
    if ends_on < starts_on:
        raise ValidationError({"ends_on": "The last day must be the same as or after the first"})
    if starts_on < assistant.starts_on:
        raise ValidationError(
            {
                "starts_on": f"The first day must be on or after {assistant.starts_on:%-d %B %Y}, "
                f"when {assistant.full_name} started"
            }
        )
    if starts_on > timezone.localdate() + LONGEST_AHEAD:
        raise ValidationError({"starts_on": "The first day must be within a year from today"})
    days = LONGEST_DAYS[assistant.employer.pay_frequency]
    if (ends_on - starts_on).days + 1 > days:
        latest = starts_on + datetime.timedelta(days=days - 1)
        raise ValidationError(
            {
                "ends_on": f"{longest_timesheet(assistant)}: the last day must be on or "
                f"before {latest:%-d %B %Y}"
            }
        )
    # One timesheet for each day a PA works, so that no shift is approved (and paid) twice
    # from two timesheets. The PA's row is locked so that two tabs cannot both start one.
    PersonalAssistant.objects.select_for_update().filter(pk=assistant.pk).first()
    already = (
        Timesheet.objects.filter(
            assistant=assistant, starts_on__lte=ends_on, ends_on__gte=starts_on
        )
        .order_by("starts_on")
        .first()
    )
    if already is not None:
        raise ValidationError(
            {
                "starts_on": f"{assistant.full_name} already has a timesheet for "
                f"{already.starts_on:%-d %B %Y} to {already.ends_on:%-d %B %Y}: add the shifts "
                "to that one, or choose dates it does not cover"
            }
        )
    return Timesheet.objects.create(
        assistant=assistant, starts_on=starts_on, ends_on=ends_on, created_by=actor
    )


def shift_times(
    day: datetime.date, starts: datetime.time, ends: datetime.time
) -> tuple[datetime.datetime, datetime.datetime]:
    """The start and end of a shift that starts on `day`, as London wall-clock times; an end
    at or before the start is on the next day."""
    starts_at = datetime.datetime.combine(day, starts, tzinfo=LONDON)
    end_day = day if ends > starts else day + datetime.timedelta(days=1)
    return starts_at, datetime.datetime.combine(end_day, ends, tzinfo=LONDON)


def hours_between(starts_at: datetime.datetime, ends_at: datetime.datetime) -> Decimal:
    """The hours that really passed (across a clock change too), to the hundredth."""
    # In UTC: Python subtracts two times of the same zone by their clock faces.
    elapsed = ends_at.astimezone(datetime.UTC) - starts_at.astimezone(datetime.UTC)
    seconds = Decimal(elapsed.total_seconds())
    return (seconds / 3600).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def hours_by_day(
    starts_at: datetime.datetime, ends_at: datetime.datetime
) -> dict[datetime.date, Decimal]:
    """A shift's hours in each London calendar day it touches."""
    by_day: dict[datetime.date, Decimal] = {}
    start = starts_at.astimezone(LONDON)
    end = ends_at.astimezone(LONDON)
    while start < end:
        next_day = start.date() + datetime.timedelta(days=1)
        midnight = datetime.datetime.combine(next_day, datetime.time(), tzinfo=LONDON)
        part_end = min(end, midnight)
        by_day[start.date()] = hours_between(start, part_end)
        start = part_end
    return by_day


def hours_in_day(day: datetime.date) -> Decimal:
    """The hours in a calendar day in London: 24, but 23 on the day the clocks go forward in
    March and 25 on the day they go back in October."""
    return hours_between(*shift_times(day, datetime.time(), datetime.time()))


def _describe(shift: Shift) -> str:
    starts = shift.starts_at.astimezone(LONDON)
    ends = shift.ends_at.astimezone(LONDON)
    return f"{shift.get_kind_display().lower()}, {starts:%-d %B %Y %H:%M} to {ends:%H:%M}"


def _check_shift(*, timesheet: Timesheet, starts_at, ends_at, exclude: Shift | None = None) -> None:
    """Refuse, in plain words, a shift that overlaps another of the PA's shifts, or one that
    takes a day past 24 hours. A PA who works for two people has a PA record with each: their
    shifts for both count (the same person, by their sign-in or National Insurance number),
    so the same hours are never paid twice. Of a shift for the other employer, this one's side
    is told only that it overlaps, not what it was."""
    assistant = timesheet.assistant
    same_person = Q(pk=assistant.pk)
    if assistant.user_id:
        same_person |= Q(user_id=assistant.user_id)
    if assistant.ni_number:
        same_person |= Q(ni_number=assistant.ni_number)
    # Their PA records first (a few), then the shifts by the index on each PA's shifts.
    records = list(PersonalAssistant.objects.filter(same_person).values_list("pk", flat=True))
    others = Shift.objects.filter(assistant_id__in=records)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    overlapping = others.filter(starts_at__lt=ends_at, ends_at__gt=starts_at).first()
    if overlapping is not None and overlapping.assistant_id == assistant.pk:
        raise ValidationError(
            OVERLAP_MESSAGE.format(name=assistant.full_name, shift=_describe(overlapping))
        )
    if overlapping is not None:
        raise ValidationError(
            f"This shift overlaps a shift {assistant.full_name} worked for another employer: the "
            "same hours cannot be claimed twice"
        )
    new_hours = hours_by_day(starts_at, ends_at)
    window_start = datetime.datetime.combine(min(new_hours), datetime.time(), tzinfo=LONDON)
    window_end = datetime.datetime.combine(
        max(new_hours) + datetime.timedelta(days=1), datetime.time(), tzinfo=LONDON
    )
    totals = defaultdict(Decimal, new_hours)
    for other in others.filter(starts_at__lt=window_end, ends_at__gt=window_start):
        for other_day, hours in hours_by_day(other.starts_at, other.ends_at).items():
            totals[other_day] += hours
    for busy_day in sorted(new_hours):
        most = hours_in_day(busy_day)
        if totals[busy_day] > most:
            raise ValidationError(
                f"This shift would make {totals[busy_day].normalize():f} hours on "
                f"{busy_day:%A %-d %B %Y}: that day has {most.normalize():f} hours"
            )


def _save_shift(shift: Shift) -> Shift:
    """Save, turning the database's refusal of an overlap (two requests at once) into the
    same plain message."""
    try:
        with transaction.atomic():
            shift.save()
    except IntegrityError as error:
        if OVERLAP_CONSTRAINT in str(error):
            raise ValidationError(
                OVERLAP_RACE_MESSAGE.format(name=shift.assistant.full_name)
            ) from error
        raise
    return shift


@dataclass(frozen=True)
class ShiftDetails:
    """What was worked: the kind of shift, the day it started, and its clock times."""

    kind: str
    day: datetime.date
    starts: datetime.time
    ends: datetime.time
    notes: str = ""


def _build(timesheet: Timesheet, details: ShiftDetails, *, exclude: Shift | None = None):
    """The shift's start, end and hours, once it is known to fit: within the timesheet's
    dates (checked first, so that the times are worked out only for sensible days)."""
    if not timesheet.starts_on <= details.day <= timesheet.ends_on:
        raise ValidationError(
            {
                "day": f"The shift must start between {timesheet.starts_on:%-d %B %Y} and "
                f"{timesheet.ends_on:%-d %B %Y}, the dates of this timesheet"
            }
        )
    assistant = timesheet.assistant
    if details.day < assistant.starts_on:
        raise ValidationError(
            {
                "day": f"The shift must start on or after {assistant.starts_on:%-d %B %Y}, when "
                f"{assistant.full_name} started"
            }
        )
    # A timesheet may run past the PA's last day (started before the leaving was recorded):
    # its shifts may not.
    if assistant.left_on is not None and details.day > assistant.left_on:
        raise ValidationError(
            {
                "day": f"The shift must start on or before {assistant.left_on:%-d %B %Y}, when "
                f"{assistant.full_name} left"
            }
        )
    if details.kind not in AHEAD_ALLOWED and details.day > timezone.localdate():
        raise ValidationError(
            {"day": "The shift must be today or before: a timesheet claims work already done"}
        )
    starts_at, ends_at = shift_times(details.day, details.starts, details.ends)
    _check_shift(timesheet=timesheet, starts_at=starts_at, ends_at=ends_at, exclude=exclude)
    return starts_at, ends_at, hours_between(starts_at, ends_at)


def _prepare_change(actor, timesheet: Timesheet) -> Timesheet:
    locked = _lock(timesheet)
    _refuse_if_left_before_it_starts(locked)
    require(actor, Permission.ENTER_TIMESHEET, locked)
    _refuse_unless_changeable(locked)
    return locked


@transaction.atomic
def add_shift(*, actor, timesheet: Timesheet, details: ShiftDetails) -> Shift:
    timesheet = _prepare_change(actor, timesheet)
    starts_at, ends_at, hours = _build(timesheet, details)
    shift = _save_shift(
        Shift(
            timesheet=timesheet,
            assistant=timesheet.assistant,
            kind=details.kind,
            starts_at=starts_at,
            ends_at=ends_at,
            hours=hours,
            notes=details.notes,
        )
    )
    _touch(timesheet)
    return shift


def _lock_shift(timesheet: Timesheet, shift: Shift, seen, *, again: str) -> Shift:
    """The shift, locked, if the page it was changed or removed from is not out of date:
    `seen` is when the timesheet had last changed as that page showed it (None: no page to
    compare). A change since, to this shift or another, is refused rather than undone."""
    locked = Shift.objects.select_for_update().filter(pk=shift.pk, timesheet=timesheet).first()
    if locked is None:
        raise Conflict(
            "Someone removed this shift after you opened this page. Nothing was changed."
        )
    if _changed_since(timesheet, seen):
        raise Conflict(
            "Someone changed this timesheet after you opened this page. The shift is now: "
            f"{shift_words(locked)}. Check it, then {again}. Nothing was changed."
        )
    return locked


@transaction.atomic
def change_shift(
    *, actor, shift: Shift, details: ShiftDetails, seen: datetime.datetime | None = None
) -> Shift:
    """Change a shift. `seen` is the timesheet's `updated_at` as the page showed it."""
    timesheet = _prepare_change(actor, shift.timesheet)
    shift = _lock_shift(timesheet, shift, seen, again="change it again")
    shift.starts_at, shift.ends_at, shift.hours = _build(timesheet, details, exclude=shift)
    shift.kind = details.kind
    shift.notes = details.notes
    shift.timesheet = timesheet
    shift = _save_shift(shift)
    _touch(timesheet)
    return shift


@transaction.atomic
def remove_shift(*, actor, shift: Shift, seen: datetime.datetime | None = None) -> None:
    """Take a shift off. `seen` is the timesheet's `updated_at` as the page showed it."""
    timesheet = _prepare_change(actor, shift.timesheet)
    shift = _lock_shift(timesheet, shift, seen, again="say again whether to remove it")
    shift.delete()
    _touch(timesheet)


@transaction.atomic
def submit_timesheet(
    *, actor, timesheet: Timesheet, seen: datetime.datetime | None = None
) -> Timesheet:
    """Send the timesheet for approval (by the PA, or by the employer's side who entered it):
    the shifts the page showed, `seen` being the timesheet's `updated_at` then (None: no page
    to compare). Shifts changed since are not sent unseen."""
    timesheet = _prepare_change(actor, timesheet)
    if _changed_since(timesheet, seen):
        raise Conflict(
            "Someone changed this timesheet after you opened this page. "
            f"{_shifts_now(timesheet)}. Check the shifts, then send it again. The timesheet "
            "was not sent."
        )
    problem = _send_problem(timesheet)
    if problem:
        raise ValidationError(problem)
    timesheet.status = TimesheetStatus.SUBMITTED
    timesheet.submitted_by = actor
    timesheet.submitted_at = timezone.now()
    timesheet.save(update_fields=["status", "submitted_by", "submitted_at", "updated_at"])
    return timesheet


def shift_outside_employment(timesheet: Timesheet) -> str | None:
    """The first shift on the timesheet before the PA started or after they left, in words
    ("This timesheet has a shift on 21 November 2026, after Priya Shah left on 20 November
    2026"), or None. Such a shift is never sent or approved (so never paid): their dates are
    refused when they would leave out a shift already entered, and `_build` refuses a shift
    outside them, so only records made before those checks can have one."""
    assistant = timesheet.assistant
    for shift in timesheet.shifts.order_by("starts_at"):
        day = _local_day(shift.starts_at)
        if day < assistant.starts_on:
            return (
                f"This timesheet has a shift on {day:%-d %B %Y}, before {assistant.full_name} "
                f"started on {assistant.starts_on:%-d %B %Y}"
            )
        if assistant.left_on is not None and day > assistant.left_on:
            return (
                f"This timesheet has a shift on {day:%-d %B %Y}, after {assistant.full_name} "
                f"left on {assistant.left_on:%-d %B %Y}"
            )
    return None


def _send_problem(timesheet: Timesheet) -> str | None:
    if not timesheet.shifts.exists():
        return "Add at least one shift before sending the timesheet"
    outside = shift_outside_employment(timesheet)
    if outside:
        return f"{outside}: take that shift off before sending the timesheet"
    return None


def send_refusal(timesheet: Timesheet) -> str | None:
    """Why the timesheet cannot be sent for approval now, or None: the same words as
    `submit_timesheet` refuses with, for the pages to offer sending only when it can be done."""
    return change_refusal(timesheet) or _send_problem(timesheet)


def approval_refusal(timesheet: Timesheet) -> str | None:
    """Why the sent timesheet cannot be approved (it can still be sent back), or None."""
    outside = shift_outside_employment(timesheet)
    if outside:
        return f"{outside}: send it back to have that shift taken off"
    return None


def already_decided(timesheet: Timesheet) -> Conflict:
    by = f" by {timesheet.decided_by}" if timesheet.decided_by else ""
    when = f" at {_at(timesheet.decided_at)}" if timesheet.decided_at else ""
    if timesheet.status == TimesheetStatus.APPROVED:
        return Conflict(f"This timesheet was already approved{by}{when}")
    if timesheet.status == TimesheetStatus.RETURNED:
        return Conflict(f"This timesheet was already sent back{by}{when}")
    return Conflict("This timesheet has not been sent for approval")


def _changed_by(timesheet: Timesheet, seen: datetime.datetime) -> set[str | None] | None:
    """Who added, changed or removed the timesheet's shifts after it was as the page saw it
    (`seen`, its `updated_at` then): the users (ids; None for a change with nobody signed in)
    of its audit events that changed nothing but `updated_at`, which a change to a shift
    makes (`_touch`). Empty if nobody did; None if its history does not reach back to `seen`."""
    events = list(
        Timesheet.pgh_event_model.objects.filter(pgh_obj_id=timesheet.pk, updated_at__gte=seen)
        .select_related("pgh_context")
        .order_by("pgh_id")
    )
    if not events or events[0].updated_at != seen:
        return None
    fields = [
        field.attname for field in Timesheet._meta.concrete_fields if field.name != "updated_at"
    ]
    return {
        user_id_of(after)
        for before, after in pairwise(events)
        if all(getattr(before, name) == getattr(after, name) for name in fields)
    }


def sent_again(timesheet: Timesheet, seen: datetime.datetime) -> Conflict:
    """The refusal of a decision from a page drawn before the timesheet last changed: who
    sent it again and when, whether its shifts changed meanwhile and what it holds now
    ("Dana Brooks changed this timesheet and sent it again at 4:17pm on 6 December 2026, after
    you opened this page. It now has 1 shift, 12.00 hours. Check it, then decide again.
    Nothing was changed.")."""
    then = "Check it, then decide again. Nothing was changed."
    sender = timesheet.submitted_by
    if sender is None or timesheet.submitted_at is None or timesheet.submitted_at <= seen:
        return Conflict(f"Someone changed this timesheet after you opened this page. {then}")
    changers = _changed_by(timesheet, seen)
    when = _at(timesheet.submitted_at)
    if not changers:  # unchanged, or not known to have changed: "It now has" says what it has
        what = f"{sender.full_name} sent this timesheet again at {when}"
    elif changers == {str(sender.pk)}:
        what = f"{sender.full_name} changed this timesheet and sent it again at {when}"
    else:
        names = sorted(User.objects.filter(pk__in=changers - {None}).values_list("full_name"))
        who = " and ".join(name for (name,) in names)
        changed = (
            f"{who} changed this timesheet"
            if who and None not in changers
            else "This timesheet was changed"
        )
        what = f"{changed} and {sender.full_name} sent it again at {when}"
    return Conflict(f"{what}, after you opened this page. {_shifts_now(timesheet)}. {then}")


def _prepare_decision(actor, timesheet: Timesheet, seen=None) -> Timesheet:
    """The timesheet, locked, if it is still waiting for a decision as the page showed it:
    `seen` is its `updated_at` then (None: no page to compare)."""
    locked = _lock(timesheet)
    _refuse_if_left_before_it_starts(locked)
    require(actor, Permission.APPROVE_TIMESHEET, locked)
    if locked.status != TimesheetStatus.SUBMITTED:
        raise already_decided(locked)
    if _changed_since(locked, seen):
        raise sent_again(locked, seen)
    return locked


@transaction.atomic
def approve_timesheet(
    *, actor, timesheet: Timesheet, seen: datetime.datetime | None = None
) -> Timesheet:
    """Approve the timesheet: the shifts the page showed, `seen` being the timesheet's
    `updated_at` then (None: no page to compare)."""
    timesheet = _prepare_decision(actor, timesheet, seen)
    refusal = approval_refusal(timesheet)
    if refusal:
        raise ValidationError(refusal)
    timesheet.status = TimesheetStatus.APPROVED
    timesheet.decided_by = actor
    timesheet.decided_at = timezone.now()
    timesheet.returned_reason = ""
    timesheet.save(
        update_fields=["status", "decided_by", "decided_at", "returned_reason", "updated_at"]
    )
    return timesheet


@transaction.atomic
def return_timesheet(
    *, actor, timesheet: Timesheet, reason: str, seen: datetime.datetime | None = None
) -> Timesheet:
    """Send the timesheet back to be put right, saying why (`seen` as for approving)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why you are sending the timesheet back"})
    timesheet = _prepare_decision(actor, timesheet, seen)
    timesheet.status = TimesheetStatus.RETURNED
    timesheet.decided_by = actor
    timesheet.decided_at = timezone.now()
    timesheet.returned_reason = reason
    timesheet.save(
        update_fields=["status", "decided_by", "decided_at", "returned_reason", "updated_at"]
    )
    return timesheet


# --- Figures and warnings ---------------------------------------------------------------


def totals_by_kind(shifts) -> list[tuple[str, Decimal, int]]:
    """(kind of shift, hours, how many shifts) for each kind worked, in the kinds' order."""
    hours: dict[str, Decimal] = defaultdict(Decimal)
    counts: dict[str, int] = defaultdict(int)
    for shift in shifts:
        hours[shift.kind] += shift.hours
        counts[shift.kind] += 1
    return [
        (label, hours[kind], counts[kind]) for kind, label in ShiftKind.choices if kind in hours
    ]


def shift_cost(shift: Shift, assistant: PersonalAssistant) -> Decimal:
    """What a shift costs in pay, at the PA's rates: hours at the day, night or waking night
    rate, a sleep-in at its rate per night, holiday at the day rate. Sick pay is worked out
    by the pay run (Statutory Sick Pay), so it is not counted here."""
    rate = {
        ShiftKind.DAY: assistant.day_rate,
        ShiftKind.NIGHT: assistant.night_rate,
        ShiftKind.WAKING_NIGHT: assistant.waking_night_rate,
        ShiftKind.HOLIDAY: assistant.day_rate,
    }
    if shift.kind == ShiftKind.SLEEP_IN:
        return assistant.sleep_in_rate or Decimal("0")
    if shift.kind not in rate or rate[shift.kind] is None:
        return Decimal("0")
    return (shift.hours * rate[shift.kind]).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def _monday(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def _local_day(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(LONDON).date()


def _plan_pa_items(holder):
    version = in_use_version(versions_of(plan_of(holder)))
    if version is None:
        return None
    return list(version.support_items.filter(category=SupportCategory.PA_SUPPORT))


def plan_hours_a_week(items) -> Decimal:
    """The PA hours a week in the plan: each PA support line's quantity, spread over the 52
    weeks of the year the plan counts (ADR 0005). A one-off line is not regular hours."""
    hours = sum(
        (
            item.quantity * TIMES_A_YEAR[SupportFrequency(item.frequency)] / 52
            for item in items
            if item.frequency != SupportFrequency.ONCE
        ),
        Decimal("0"),
    )
    return hours.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def _pounds(amount: Decimal) -> str:
    return f"£{amount:,.2f}"


def _hours(amount: Decimal) -> str:
    text = f"{amount.normalize():f}"
    return f"{text} hour" if amount == 1 else f"{text} hours"


def approval_warnings(timesheet: Timesheet) -> list[str]:
    """What the approver should know before approving (these do not stop approval): weeks in
    which the PAs' approved hours, with this timesheet's, run beyond the PA hours a week of
    the person's plan in use; and PA pay in the budget's year running beyond the part of the
    budget that pays for PAs."""
    assistant = timesheet.assistant
    employer = assistant.employer
    holder = employer.budget_holder
    shifts = list(timesheet.shifts.all())
    if not shifts:
        return []
    items = _plan_pa_items(holder)
    warnings = []
    if items:
        warnings += _hours_warnings(timesheet, shifts, employer, plan_hours_a_week(items))
        warnings += _cost_warnings(timesheet, shifts, assistant, employer, holder, items)
    return warnings


def _approved_shifts(employer, timesheet, **filters):
    return (
        Shift.objects.filter(
            timesheet__assistant__employer=employer,
            timesheet__status=TimesheetStatus.APPROVED,
            **filters,
        )
        .exclude(timesheet=timesheet)
        .select_related("assistant")
    )


def _hours_warnings(timesheet, shifts, employer, weekly_hours) -> list[str]:
    weeks: dict[datetime.date, Decimal] = defaultdict(Decimal)
    for shift in shifts:
        if shift.kind not in NOT_SUPPORT:
            weeks[_monday(_local_day(shift.starts_at))] += shift.hours
    if not weeks:
        return []
    first = datetime.datetime.combine(min(weeks), datetime.time(), tzinfo=LONDON)
    last = datetime.datetime.combine(
        max(weeks) + datetime.timedelta(days=7), datetime.time(), tzinfo=LONDON
    )
    earlier = _approved_shifts(
        employer, timesheet, starts_at__gte=first, starts_at__lt=last
    ).exclude(kind__in=NOT_SUPPORT)
    approved: dict[datetime.date, Decimal] = defaultdict(Decimal)
    for shift in earlier:
        approved[_monday(_local_day(shift.starts_at))] += shift.hours
    warnings = []
    for monday in sorted(weeks):
        total = weeks[monday] + approved[monday]
        if total > weekly_hours:
            warnings.append(
                f"In the week starting {monday:%A %-d %B %Y}, PAs would have worked "
                f"{_hours(total)} ({_hours(weeks[monday])} on this timesheet, "
                f"{_hours(approved[monday])} already approved). "
                + (
                    f"The care and support plan has {_hours(weekly_hours)} of PA support a week."
                    if weekly_hours
                    else "The care and support plan has no regular hours of PA support, only "
                    "one-off PA costs."
                )
            )
    return warnings


def _pa_portions(holder, items):
    budget = current_budget(holder)
    if budget is None or budget.status not in (BudgetStatus.AGREED, BudgetStatus.ACTIVE):
        return None, []
    portions = HoldingPortion.objects.filter(budget=budget)
    named = portions.filter(pk__in={item.portion_id for item in items if item.portion_id})
    if named.exists():
        return budget, list(named)
    # The plan names no portion: PAs are paid from the money paid out (a direct payment, or a
    # third party that employs for the person).
    return budget, [portion for portion in portions if portion.is_paid_out]


def _cost_warnings(timesheet, shifts, assistant, employer, holder, items) -> list[str]:
    budget, portions = _pa_portions(holder, items)
    if not portions:
        return []
    start = datetime.datetime.combine(budget.period_start, datetime.time(), tzinfo=LONDON)
    end = datetime.datetime.combine(
        budget.period_end + datetime.timedelta(days=1), datetime.time(), tzinfo=LONDON
    )
    this_cost = sum(
        (shift_cost(shift, assistant) for shift in shifts if start <= shift.starts_at < end),
        Decimal("0"),
    )
    earlier = _approved_shifts(employer, timesheet, starts_at__gte=start, starts_at__lt=end)
    approved_cost = sum((shift_cost(shift, shift.assistant) for shift in earlier), Decimal("0"))
    available = sum((portion.amount for portion in portions), Decimal("0"))
    total = this_cost + approved_cost
    if total <= available:
        return []
    names = " and ".join(portion.short_method.lower() for portion in portions)
    return [
        f"PA pay from {budget.period_start:%-d %B %Y} to {budget.period_end:%-d %B %Y} would "
        f"be {_pounds(total)} ({_pounds(this_cost)} on this timesheet, {_pounds(approved_cost)} "
        f"already approved), more than the {_pounds(available)} of the {names} that pays for "
        "PAs. This is pay before the employer's National Insurance and pension."
    ]
