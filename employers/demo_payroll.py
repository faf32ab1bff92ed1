"""Demo pay run (`manage.py seed_demo`): for the demo employer, a month of approved timesheets
for two of its PAs and a finalised monthly pay run that pays them. Nothing when the demo
employer is missing or already has a pay run (so seeding again changes nothing)."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from employers.models import (
    Employer,
    PayFrequency,
    PayrollArrangement,
    PayRun,
    Shift,
    ShiftKind,
    Timesheet,
    TimesheetStatus,
)
from employers.services import payruns
from phb.models import Role, User

# The demo month: 6 October to 5 November 2026 (tax month 7), four weeks of shifts in it.
DEMO_MONTH_STARTS = datetime.date(2026, 10, 6)


def _support_officer(employer) -> User | None:
    user = (
        User.objects.filter(
            is_demo=True,
            role_assignments__organisation=employer.budget_holder.organisation,
            role_assignments__role=Role.PA_EMPLOYER_SUPPORT,
        )
        .order_by("email")
        .first()
    )
    if user is not None:
        user.chosen_organisation_id = employer.budget_holder.organisation_id
    return user


def _timesheet(assistant, approver, week_starts: datetime.date, hours_a_day: Decimal):
    ends = week_starts + datetime.timedelta(days=6)
    timesheet = Timesheet.objects.create(
        assistant=assistant,
        starts_on=week_starts,
        ends_on=ends,
        status=TimesheetStatus.APPROVED,
        created_by=approver,
        decided_by=approver,
        decided_at=timezone.now(),
    )
    for offset in range(5):
        starts_at = timezone.make_aware(
            datetime.datetime.combine(
                week_starts + datetime.timedelta(days=offset), datetime.time(9)
            )
        )
        ends_at = starts_at + datetime.timedelta(hours=float(hours_a_day))
        taken = Shift.objects.filter(
            assistant=assistant, starts_at__lt=ends_at, ends_at__gt=starts_at
        ).exists()
        if taken:  # the demo timesheets already have a shift then
            continue
        Shift.objects.create(
            timesheet=timesheet,
            assistant=assistant,
            kind=ShiftKind.DAY,
            starts_at=starts_at,
            ends_at=ends_at,
            hours=hours_a_day,
        )


@transaction.atomic
def seed() -> None:
    employer = (
        Employer.objects.filter(
            payroll_arrangement=PayrollArrangement.THIS_SERVICE,
            budget_holder__user__is_demo=True,
        )
        .order_by("created_at")
        .first()
    )
    if employer is None or PayRun.objects.filter(employer=employer).exists():
        return
    assistants = list(employer.assistants.employed().order_by("full_name")[:2])
    staff = _support_officer(employer)
    if len(assistants) < 2 or staff is None:
        return
    if employer.pay_frequency != PayFrequency.MONTHLY:
        return
    for assistant, hours in zip(assistants, (Decimal("6.00"), Decimal("4.00")), strict=True):
        for week in range(4):
            _timesheet(
                assistant,
                staff,
                DEMO_MONTH_STARTS + datetime.timedelta(days=7 * week),
                hours,
            )
    run = payruns.start_pay_run(actor=staff, employer=employer, today=DEMO_MONTH_STARTS)
    if not run.problems and run.payslips.exists():
        payruns.finalise_pay_run(actor=staff, run=run)
