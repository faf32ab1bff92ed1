"""Pay runs pay the work a PA did up to their leaving day on a timesheet that runs past it,
and from their start date on a timesheet that begins before it: made through the timesheet
services as a person makes them on the pages. Today is 23 November 2026; the employer pays
monthly (tax months from the 6th), Priya at £13.50 an hour by day."""

import datetime
from decimal import Decimal as D

import pytest

from employers.models import PaidTimesheet, ShiftKind, TimesheetStatus
from employers.services import employers as employer_services
from employers.services import payruns
from employers.services import timesheets as services
from tests.employers.factories import EmployerFactory, PaUserFactory, PersonalAssistantFactory

pytestmark = pytest.mark.django_db
T = datetime.time


@pytest.fixture
def employer(holder, pa_employer_support):
    return EmployerFactory(budget_holder=holder, created_by=pa_employer_support)


@pytest.fixture
def pa_user():
    return PaUserFactory()


@pytest.fixture
def priya(employer, pa_user):
    return PersonalAssistantFactory(
        employer=employer,
        user=pa_user,
        full_name="Priya Shah",
        starts_on=datetime.date(2026, 10, 1),
    )


def add(timesheet, actor, day: datetime.date):
    services.add_shift(
        actor=actor,
        timesheet=timesheet,
        details=services.ShiftDetails(kind=ShiftKind.DAY, day=day, starts=T(9), ends=T(13)),
    )


def day_lines(slip) -> list:
    return [
        (line.description, line.hours, line.amount)
        for line in slip.lines.order_by("position")
        if line.description.startswith("Day hours")
    ]


def test_work_before_leaving_on_a_timesheet_that_runs_past_it_is_paid(
    employer, priya, pa_user, holder, pa_employer_support
):
    """Priya's timesheet for 16 to 22 November 2026 has a day shift on 17 November, 09:00 to
    13:00; her leaving on 20 November is recorded, then the timesheet is sent and approved.
    Month 8 (6 November to 5 December) pays it: 4 hours x £13.50 = £54.00, with no warning
    of a shift outside her employment. Before, it could never be sent, so never paid."""
    timesheet = services.start_timesheet(
        actor=pa_user,
        assistant=priya,
        starts_on=datetime.date(2026, 11, 16),
        ends_on=datetime.date(2026, 11, 22),
    )
    add(timesheet, pa_user, datetime.date(2026, 11, 17))
    employer_services.record_leaving(
        actor=pa_employer_support,
        assistant=priya,
        left_on=datetime.date(2026, 11, 20),
        reason="Moved away",
    )
    services.submit_timesheet(actor=pa_user, timesheet=timesheet)
    services.approve_timesheet(actor=holder.user, timesheet=timesheet)
    run = payruns.start_pay_run(actor=pa_employer_support, employer=employer)
    assert (run.period_starts_on, run.period_ends_on) == (
        datetime.date(2026, 11, 6),
        datetime.date(2026, 12, 5),
    )
    assert run.problems == ""
    slip = run.payslips.get()
    assert slip.assistant == priya
    assert day_lines(slip) == [("Day hours", D("4.00"), D("54.00"))]
    assert not [w for w in slip.warning_list if w.startswith("Pays a shift")]
    assert PaidTimesheet.objects.filter(payslip=slip, timesheet=timesheet).exists()
    timesheet.refresh_from_db()
    assert timesheet.status == TimesheetStatus.APPROVED


def test_work_from_the_start_date_on_a_timesheet_that_begins_before_it_is_paid(
    employer, priya, pa_user, holder, pa_employer_support
):
    """Priya's timesheet for 6 to 12 October 2026 was started while her start date was 1
    October; it was then corrected to 7 October. Her shifts on 7 and 8 October (4 hours each)
    are sent, approved and paid in month 7 (6 October to 5 November): 8 hours x £13.50 =
    £108.00, with no warning."""
    timesheet = services.start_timesheet(
        actor=pa_user,
        assistant=priya,
        starts_on=datetime.date(2026, 10, 6),
        ends_on=datetime.date(2026, 10, 12),
    )
    priya.starts_on = datetime.date(2026, 10, 7)
    priya.save()
    timesheet.refresh_from_db()
    add(timesheet, pa_user, datetime.date(2026, 10, 7))
    add(timesheet, pa_user, datetime.date(2026, 10, 8))
    services.submit_timesheet(actor=pa_user, timesheet=timesheet)
    services.approve_timesheet(actor=holder.user, timesheet=timesheet)
    run = payruns.start_pay_run(actor=pa_employer_support, employer=employer)
    assert (run.period_starts_on, run.period_ends_on) == (
        datetime.date(2026, 10, 6),
        datetime.date(2026, 11, 5),
    )
    assert run.problems == ""
    slip = run.payslips.get()
    assert day_lines(slip) == [("Day hours", D("8.00"), D("108.00"))]
    assert not [w for w in slip.warning_list if w.startswith("Pays a shift")]
