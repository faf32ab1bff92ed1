"""Demo timesheets: for each PA of the demo employers, approved timesheets for last month (one
for each pay period: a month, or the weeks of a weekly employer), and for the first of them the
ones sent this month and waiting for approval. Employers come from
the employer pages' demo data (a demo budget holder's); with none, nothing is made.
Idempotent: a PA who already has a timesheet starting on the same day keeps it."""

import datetime

from django.utils import timezone

from employers.models import PersonalAssistant, ShiftKind, Timesheet
from employers.services import timesheets as services

# Mornings on Monday, Wednesday and Friday; a waking night on Tuesdays.
PATTERN = {
    0: (ShiftKind.DAY, datetime.time(9), datetime.time(13)),
    1: (ShiftKind.WAKING_NIGHT, datetime.time(22), datetime.time(7)),
    2: (ShiftKind.DAY, datetime.time(9), datetime.time(13)),
    4: (ShiftKind.DAY, datetime.time(9), datetime.time(13)),
}


def _days(first: datetime.date, last: datetime.date):
    day = first
    while day <= last:
        yield day
        day += datetime.timedelta(days=1)


def _timesheet(assistant, actor, first, last, shift_days) -> Timesheet | None:
    if Timesheet.objects.filter(assistant=assistant, starts_on=first).exists():
        return None
    timesheet = services.start_timesheet(
        actor=actor, assistant=assistant, starts_on=first, ends_on=last
    )
    for day in shift_days:
        if day.weekday() in PATTERN:
            kind, starts, ends = PATTERN[day.weekday()]
            details = services.ShiftDetails(kind=kind, day=day, starts=starts, ends=ends)
            services.add_shift(actor=actor, timesheet=timesheet, details=details)
    if not timesheet.shifts.exists():
        details = services.ShiftDetails(
            kind=ShiftKind.DAY, day=first, starts=datetime.time(9), ends=datetime.time(13)
        )
        services.add_shift(actor=actor, timesheet=timesheet, details=details)
    services.submit_timesheet(actor=actor, timesheet=timesheet)
    return timesheet


def _pay_periods(assistant, first: datetime.date, last: datetime.date):
    """(first, last) of each timesheet from `first` to `last`, each no longer than the
    employer's pay period (a weekly employer's month is five timesheets)."""
    length = datetime.timedelta(days=services.LONGEST_DAYS[assistant.employer.pay_frequency] - 1)
    while first <= last:
        yield first, min(first + length, last)
        first = min(first + length, last) + datetime.timedelta(days=1)


def seed_timesheets() -> None:
    today = timezone.localdate()
    this_month = today.replace(day=1)
    last_month_end = this_month - datetime.timedelta(days=1)
    last_month = last_month_end.replace(day=1)
    next_month = (this_month + datetime.timedelta(days=32)).replace(day=1)
    assistants = (
        PersonalAssistant.objects.employed()
        .filter(employer__budget_holder__user__is_demo=True)
        .select_related("employer__budget_holder__user", "user")
        .order_by("employer__created_at", "full_name")
    )
    for number, assistant in enumerate(assistants):
        holder_user = assistant.employer.budget_holder.user
        actor = assistant.user or holder_user
        for first, last in _pay_periods(assistant, last_month, last_month_end):
            # The shifts end the day before the last, so a night shift stays within it.
            days = _days(first, last - datetime.timedelta(days=1))
            approved = _timesheet(assistant, actor, first, last, days)
            if approved is not None:
                services.approve_timesheet(actor=holder_user, timesheet=approved)
        if number == 0:
            for first, last in _pay_periods(
                assistant, this_month, next_month - datetime.timedelta(days=1)
            ):
                if first < today:
                    days = _days(first, min(last, today - datetime.timedelta(days=1)))
                    _timesheet(assistant, actor, first, last, days)
