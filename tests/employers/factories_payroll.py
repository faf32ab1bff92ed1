"""Approved timesheets and their shifts for the pay-run tests, made directly (the timesheet
pages and services are tested on their own)."""

import datetime
from decimal import Decimal as D

from django.utils import timezone

from employers.models import Shift, ShiftKind, Timesheet, TimesheetStatus


def approved_timesheet(assistant, approver, starts_on: datetime.date, shifts, *, days=6):
    """An approved timesheet from `starts_on`, with `shifts`: (kind, day offset, hours) each,
    starting at 9am (nights and sleep-ins at 10pm)."""
    timesheet = Timesheet.objects.create(
        assistant=assistant,
        starts_on=starts_on,
        ends_on=starts_on + datetime.timedelta(days=days),
        status=TimesheetStatus.APPROVED,
        created_by=approver,
        decided_by=approver,
        decided_at=timezone.now(),
    )
    for kind, offset, hours in shifts:
        night = kind in (ShiftKind.NIGHT, ShiftKind.WAKING_NIGHT, ShiftKind.SLEEP_IN)
        starts_at = timezone.make_aware(
            datetime.datetime.combine(
                starts_on + datetime.timedelta(days=offset), datetime.time(22 if night else 9)
            )
        )
        Shift.objects.create(
            timesheet=timesheet,
            assistant=assistant,
            kind=kind,
            starts_at=starts_at,
            ends_at=starts_at + datetime.timedelta(hours=float(hours)),
            hours=D(hours),
        )
    return timesheet


def weeks_of(assistant, approver, first_day: datetime.date, weeks: int, kind, hours, days=5):
    """`weeks` approved weekly timesheets of `days` shifts of `hours` each."""
    return [
        approved_timesheet(
            assistant,
            approver,
            first_day + datetime.timedelta(days=7 * week),
            [(kind, offset, hours) for offset in range(days)],
        )
        for week in range(weeks)
    ]


def matrix_pay_runs(users: dict, employer, assistant) -> dict:
    """For the route matrix: a finalised run paying `assistant` for the pay period of today,
    and the next period's run being checked."""
    from employers.services import payruns

    staff = users["pa_support"]
    period = payruns.period_containing(employer.pay_frequency, timezone.localdate())
    approved_timesheet(
        assistant, staff, period.starts_on, [(ShiftKind.DAY, day, "8.00") for day in range(5)]
    )
    finalised = payruns.start_pay_run(actor=staff, employer=employer)
    finalised = payruns.finalise_pay_run(actor=staff, run=finalised)
    draft = payruns.start_pay_run(actor=staff, employer=employer)
    return {
        "pay_run": {"pk": finalised.pk},
        "draft_pay_run": {"pk": draft.pk},
        "payslip": {"pk": finalised.payslips.get().pk},
    }
