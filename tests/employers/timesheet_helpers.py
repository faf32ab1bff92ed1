"""Timesheets made through the services, as a person makes them on the pages."""

import datetime

from employers.services import timesheets as services


def submitted_two_long_days(actor, assistant):
    """A timesheet for the week of 9 November 2026 with two 8-hour days (8am to 4pm on the 9th
    and 10th: 16 hours, beyond a plan of 14 PA hours a week), sent for approval by `actor`."""
    timesheet = services.start_timesheet(
        actor=actor,
        assistant=assistant,
        starts_on=datetime.date(2026, 11, 9),
        ends_on=datetime.date(2026, 11, 15),
    )
    for day in (9, 10):
        services.add_shift(
            actor=actor,
            timesheet=timesheet,
            details=services.ShiftDetails(
                kind="day",
                day=datetime.date(2026, 11, day),
                starts=datetime.time(8),
                ends=datetime.time(16),
            ),
        )
    services.submit_timesheet(actor=actor, timesheet=timesheet)
    return timesheet


def seen(timesheet) -> dict:
    """What a timesheet's pages (to change or remove a shift, send it, decide) carry hidden:
    when the timesheet had last changed as the page shows it (ADR 0042)."""
    timesheet.refresh_from_db()
    return {"seen": timesheet.updated_at.isoformat()}
