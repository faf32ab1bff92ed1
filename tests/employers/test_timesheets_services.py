"""Timesheet services: shift hours worked out in London time (across midnight and the clock
change), overlapping shifts and over-long days refused in plain words, a PA who has left
paid for work up to their last day (and from their start date) and refused a shift outside
those dates, two approvals at once giving one winner, and the warnings an approver sees."""

import datetime
import threading
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from budgets.services import Conflict
from employers.models import (
    PayFrequency,
    PersonalAssistantStatus,
    Shift,
    ShiftKind,
    TimesheetStatus,
)
from employers.services import employers as employer_services
from employers.services import timesheets as services
from employers.services.timesheets import ShiftDetails
from phb.permissions import Permission
from tests.careplans.review_factories import plan_in_use
from tests.employers.factories import EmployerFactory, PaUserFactory, PersonalAssistantFactory
from tests.factories import BudgetHolderFactory, HolderUserFactory, RepresentativeFactory

pytestmark = pytest.mark.django_db

T = datetime.time


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


@pytest.fixture
def employer(holder, pa_employer_support):
    return EmployerFactory(budget_holder=holder, created_by=pa_employer_support)


@pytest.fixture
def pa_user():
    return PaUserFactory()


@pytest.fixture
def assistant(employer, pa_user):
    return PersonalAssistantFactory(employer=employer, user=pa_user, full_name="Priya Shah")


def october(assistant, actor):
    return services.start_timesheet(
        actor=actor, assistant=assistant, starts_on=day("2026-10-01"), ends_on=day("2026-10-31")
    )


def november(assistant, actor):
    return services.start_timesheet(
        actor=actor, assistant=assistant, starts_on=day("2026-11-01"), ends_on=day("2026-11-30")
    )


def add(timesheet, actor, when, starts, ends, kind=ShiftKind.DAY):
    return services.add_shift(
        actor=actor,
        timesheet=timesheet,
        details=ShiftDetails(kind=kind, day=day(when), starts=starts, ends=ends),
    )


def test_a_night_shift_that_crosses_midnight_ends_the_next_day(assistant, pa_user):
    timesheet = november(assistant, pa_user)
    shift = add(timesheet, pa_user, "2026-11-10", T(22), T(7), ShiftKind.NIGHT)
    assert shift.hours == D("9.00")
    assert shift.ends_at - shift.starts_at == datetime.timedelta(hours=9)
    assert services.hours_by_day(shift.starts_at, shift.ends_at) == {
        day("2026-11-10"): D("2.00"),
        day("2026-11-11"): D("7.00"),
    }


def test_the_night_the_clocks_go_back_is_an_hour_longer(assistant, pa_user):
    """British Summer Time ends at 02:00 on Sunday 25 October 2026: 22:00 to 07:00 is 10 hours."""
    timesheet = october(assistant, pa_user)
    shift = add(timesheet, pa_user, "2026-10-24", T(22), T(7), ShiftKind.WAKING_NIGHT)
    assert shift.hours == D("10.00")
    assert services.hours_by_day(shift.starts_at, shift.ends_at) == {
        day("2026-10-24"): D("2.00"),
        day("2026-10-25"): D("8.00"),
    }


def test_hours_in_minutes_are_worked_out_to_the_hundredth(assistant, pa_user):
    shift = add(november(assistant, pa_user), pa_user, "2026-11-02", T(9, 10), T(13, 30))
    assert shift.hours == D("4.33")


def test_overlapping_shifts_are_refused_in_plain_words(assistant, pa_user):
    timesheet = november(assistant, pa_user)
    add(timesheet, pa_user, "2026-11-10", T(22), T(7), ShiftKind.NIGHT)
    with pytest.raises(ValidationError) as refused:
        add(timesheet, pa_user, "2026-11-11", T(6), T(10))
    assert refused.value.messages == [
        "This shift overlaps another shift Priya Shah worked: night, 10 November 2026 22:00 "
        "to 07:00"
    ]
    assert Shift.objects.count() == 1


def test_a_shift_overlapping_one_on_another_timesheet_is_refused(assistant, pa_user):
    add(october(assistant, pa_user), pa_user, "2026-10-31", T(22), T(8), ShiftKind.NIGHT)
    with pytest.raises(ValidationError, match="overlaps another shift Priya Shah worked"):
        add(november(assistant, pa_user), pa_user, "2026-11-01", T(7), T(12))


def test_the_same_hours_for_a_second_employer_are_refused(assistant, pa_user, other_holder):
    """A PA who works for two people has a PA record with each; the same hours are not
    claimed from both (by their sign-in, or their NI number when one record has no sign-in).
    The second employer's side is not told what the other shift was."""
    add(november(assistant, pa_user), pa_user, "2026-11-10", T(9), T(13))
    second_job = PersonalAssistantFactory(
        employer=EmployerFactory(budget_holder=other_holder), user=pa_user, full_name="Priya Shah"
    )
    second_sheet = november(second_job, pa_user)
    with pytest.raises(ValidationError) as refused:
        add(second_sheet, pa_user, "2026-11-10", T(12), T(15))
    assert refused.value.messages == [
        "This shift overlaps a shift Priya Shah worked for another employer: the same hours "
        "cannot be claimed twice"
    ]
    # By NI number: a third record with no sign-in, entered by that employer.
    assistant.ni_number = "QQ123456C"
    assistant.save()
    third_employer = EmployerFactory(
        budget_holder=BudgetHolderFactory(
            organisation=other_holder.organisation, user=HolderUserFactory()
        )
    )
    third_job = PersonalAssistantFactory(
        employer=third_employer, user=None, full_name="Priya Shah", ni_number="QQ 12 34 56 C"
    )
    employer_user = third_job.employer.budget_holder.user
    with pytest.raises(ValidationError, match="worked for another employer"):
        add(november(third_job, employer_user), employer_user, "2026-11-10", T(8), T(10))
    # Other hours are fine.
    assert add(second_sheet, pa_user, "2026-11-10", T(14), T(17)).hours == 3


def test_a_whole_day_shift_on_the_day_the_clocks_go_back_is_25_hours(assistant, pa_user):
    """25 October 2026 has 25 hours in London (the clocks go back at 2am): a Day shift from
    00:00 to 00:00 is the whole day, 25 hours, and is accepted. Before the fix it was refused:
    "This shift would make 25 hours on Sunday 25 October 2026: a day has at most 24 hours"."""
    timesheet = october(assistant, pa_user)
    shift = add(timesheet, pa_user, "2026-10-25", T(0), T(0))
    assert shift.hours == D("25.00")
    assert services.hours_by_day(shift.starts_at, shift.ends_at) == {day("2026-10-25"): D(25)}


def test_a_day_has_the_hours_it_really_has_in_london():
    """24 hours, but 23 on 29 March 2026 (the clocks go forward) and 25 on 25 October 2026."""
    assert services.hours_in_day(day("2026-10-25")) == D("25.00")
    assert services.hours_in_day(day("2026-03-29")) == D("23.00")
    assert services.hours_in_day(day("2026-10-24")) == D("24.00")


def test_a_whole_day_shift_when_the_clocks_go_forward_is_23_hours(employer, pa_user, today_is):
    """29 March 2026: 00:00 to 00:00 is 23 hours; with it, the day is full and any other shift
    on it overlaps."""
    today_is(day("2026-04-01"))
    assistant = PersonalAssistantFactory(employer=employer, user=pa_user, full_name="Priya Shah")
    timesheet = services.start_timesheet(
        actor=pa_user, assistant=assistant, starts_on=day("2026-03-23"), ends_on=day("2026-03-29")
    )
    assert add(timesheet, pa_user, "2026-03-29", T(0), T(0)).hours == D("23.00")
    with pytest.raises(ValidationError, match="overlaps another shift"):
        add(timesheet, pa_user, "2026-03-29", T(12), T(13))


def test_a_shift_outside_the_timesheets_dates_is_refused(assistant, pa_user):
    with pytest.raises(ValidationError) as refused:
        add(november(assistant, pa_user), pa_user, "2026-12-01", T(9), T(12))
    assert refused.value.message_dict == {
        "day": [
            "The shift must start between 1 November 2026 and 30 November 2026, the dates of "
            "this timesheet"
        ]
    }


def test_a_timesheet_covers_at_most_one_pay_period(assistant, pa_user):
    """Paid monthly, at most 31 days; paid weekly, 7: a weekly run never pays a month's work
    as one week's pay (with one week's tax and NI thresholds)."""
    with pytest.raises(ValidationError, match="at most 31 days"):
        services.start_timesheet(
            actor=pa_user,
            assistant=assistant,
            starts_on=day("2026-11-01"),
            ends_on=day("2026-12-02"),
        )
    assistant.employer.pay_frequency = PayFrequency.WEEKLY
    assistant.employer.save()
    with pytest.raises(ValidationError) as refused:
        services.start_timesheet(
            actor=pa_user,
            assistant=assistant,
            starts_on=day("2026-11-02"),
            ends_on=day("2026-11-09"),
        )
    assert refused.value.message_dict == {
        "ends_on": [
            f"{assistant.full_name} is paid weekly, so a timesheet covers at most 7 days: the "
            "last day must be on or before 8 November 2026"
        ]
    }
    week = services.start_timesheet(
        actor=pa_user, assistant=assistant, starts_on=day("2026-11-02"), ends_on=day("2026-11-08")
    )
    assert (week.ends_on - week.starts_on).days == 6
    with pytest.raises(ValidationError, match="same as or after the first"):
        services.start_timesheet(
            actor=pa_user,
            assistant=assistant,
            starts_on=day("2026-11-02"),
            ends_on=day("2026-11-01"),
        )


def test_changing_a_shift_checks_it_against_the_others_but_not_itself(assistant, pa_user):
    timesheet = november(assistant, pa_user)
    shift = add(timesheet, pa_user, "2026-11-02", T(9), T(13))
    add(timesheet, pa_user, "2026-11-02", T(14), T(17))
    changed = services.change_shift(
        actor=pa_user,
        shift=shift,
        details=ShiftDetails(kind=ShiftKind.DAY, day=day("2026-11-02"), starts=T(8), ends=T(13)),
    )
    assert changed.hours == D("5.00")
    with pytest.raises(ValidationError, match="overlaps"):
        services.change_shift(
            actor=pa_user,
            shift=shift,
            details=ShiftDetails(
                kind=ShiftKind.DAY, day=day("2026-11-02"), starts=T(8), ends=T(15)
            ),
        )


@pytest.mark.django_db(transaction=True)
def test_the_database_refusing_an_overlap_gives_the_same_plain_message(icb):
    """Two shifts that overlap, on two timesheets, added at the same moment by two
    connections: one is saved and the other is refused in words, never a server error."""
    employer = EmployerFactory(budget_holder__organisation=icb)
    pa_user = PaUserFactory()
    assistant = PersonalAssistantFactory(employer=employer, user=pa_user, full_name="Priya Shah")
    sheets = [october(assistant, pa_user), november(assistant, pa_user)]
    barrier = threading.Barrier(2)
    results = {}

    def add_night(index):
        try:
            barrier.wait(timeout=10)
            add(
                sheets[index],
                pa_user,
                ["2026-10-31", "2026-11-01"][index],
                *[
                    (T(20), T(8)),
                    (T(6), T(10)),
                ][index],
            )
            results[index] = "saved"
        except ValidationError as error:
            results[index] = error.messages[0]
        finally:
            connection.close()

    threads = [threading.Thread(target=add_night, args=(index,)) for index in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == [0, 1]
    assert list(results.values()).count("saved") == 1
    (refusal,) = [result for result in results.values() if result != "saved"]
    assert refusal.startswith("This shift overlaps another shift Priya Shah worked")
    assert Shift.objects.count() == 1


def test_the_pa_submits_and_the_budget_holder_approves(assistant, pa_user, holder):
    timesheet = november(assistant, pa_user)
    add(timesheet, pa_user, "2026-11-02", T(9), T(13))
    services.submit_timesheet(actor=pa_user, timesheet=timesheet)
    timesheet.refresh_from_db()
    assert timesheet.status == TimesheetStatus.SUBMITTED
    assert timesheet.submitted_by == pa_user
    with pytest.raises(Conflict, match="cannot be changed now"):
        add(timesheet, pa_user, "2026-11-03", T(9), T(13))
    with pytest.raises(PermissionDenied):
        services.approve_timesheet(actor=pa_user, timesheet=timesheet)
    services.approve_timesheet(actor=holder.user, timesheet=timesheet)
    timesheet.refresh_from_db()
    assert timesheet.status == TimesheetStatus.APPROVED
    assert timesheet.decided_by == holder.user


def test_a_timesheet_with_no_shifts_is_not_sent(assistant, pa_user):
    with pytest.raises(ValidationError, match="Add at least one shift"):
        services.submit_timesheet(actor=pa_user, timesheet=november(assistant, pa_user))


def test_the_employer_enters_and_submits_and_a_representative_sends_it_back(
    assistant, holder, representative
):
    timesheet = november(assistant, holder.user)
    add(timesheet, holder.user, "2026-11-02", T(9), T(13))
    services.submit_timesheet(actor=holder.user, timesheet=timesheet)
    with pytest.raises(ValidationError, match="Say why"):
        services.return_timesheet(actor=representative, timesheet=timesheet, reason="  ")
    services.return_timesheet(
        actor=representative, timesheet=timesheet, reason="Monday was 10 till 2"
    )
    timesheet.refresh_from_db()
    assert timesheet.status == TimesheetStatus.RETURNED
    assert timesheet.returned_reason == "Monday was 10 till 2"
    # Sent back: it can be put right and sent again.
    add(timesheet, holder.user, "2026-11-03", T(9), T(13))
    services.submit_timesheet(actor=holder.user, timesheet=timesheet)


def test_another_pa_and_another_holder_may_not_enter_shifts(assistant, pa_user, other_holder):
    timesheet = november(assistant, pa_user)
    for stranger in (PaUserFactory(), other_holder.user, HolderUserFactory()):
        with pytest.raises(PermissionDenied):
            add(timesheet, stranger, "2026-11-02", T(9), T(13))


def leaves(assistant, actor, on: str):
    """The PA's leaving recorded, as PA employer support staff record it."""
    return employer_services.record_leaving(
        actor=actor, assistant=assistant, left_on=day(on), reason="Moved away"
    )


def test_work_before_leaving_on_a_timesheet_that_runs_past_it_is_sent_and_approved(
    employer, pa_user, holder, pa_employer_support
):
    """The demo's defect. Priya starts on 1 October 2026. Her timesheet for 16 to 22 November
    has a day shift on 17 November, 09:00 to 13:00, not sent, when her leaving on 20 November
    is recorded. Before, the timesheet could never be changed, sent or approved (it ends after
    she left), nor could another one for those days be started: her 4 hours were never paid.
    Now it is changed (shifts up to 20 November only), sent and approved."""
    assistant = PersonalAssistantFactory(
        employer=employer, user=pa_user, full_name="Priya Shah", starts_on=day("2026-10-01")
    )
    timesheet = services.start_timesheet(
        actor=pa_user, assistant=assistant, starts_on=day("2026-11-16"), ends_on=day("2026-11-22")
    )
    add(timesheet, pa_user, "2026-11-17", T(9), T(13))
    assistant = leaves(assistant, pa_employer_support, "2026-11-20")
    timesheet.refresh_from_db()
    assert pa_user.has_perm(Permission.ENTER_TIMESHEET, timesheet)
    assert services.change_refusal(timesheet) is None
    assert services.send_refusal(timesheet) is None
    with pytest.raises(ValidationError) as refused:
        add(timesheet, pa_user, "2026-11-21", T(9), T(13))
    assert refused.value.message_dict == {
        "day": ["The shift must start on or before 20 November 2026, when Priya Shah left"]
    }
    # Her last day is still hers: a shift on it is added, changed and taken off again.
    last = add(timesheet, pa_user, "2026-11-20", T(9), T(11))
    services.change_shift(
        actor=pa_user,
        shift=last,
        details=ShiftDetails(kind=ShiftKind.DAY, day=day("2026-11-20"), starts=T(9), ends=T(12)),
    )
    services.remove_shift(actor=pa_user, shift=last)
    # A second timesheet for those days is still refused: this one holds them.
    with pytest.raises(ValidationError, match="already has a timesheet for 16 November 2026"):
        services.start_timesheet(
            actor=pa_user,
            assistant=assistant,
            starts_on=day("2026-11-16"),
            ends_on=day("2026-11-20"),
        )
    services.submit_timesheet(actor=pa_user, timesheet=timesheet)
    services.approve_timesheet(actor=holder.user, timesheet=timesheet)
    timesheet.refresh_from_db()
    assert timesheet.status == TimesheetStatus.APPROVED
    assert [
        (s.starts_at.astimezone(services.LONDON).date(), s.hours) for s in timesheet.shifts.all()
    ] == [(day("2026-11-17"), D("4.00"))]


def test_a_timesheet_sent_before_the_pa_left_is_approved_or_sent_back(
    assistant, pa_user, holder, pa_employer_support
):
    """Priya's November timesheet (1 to 30 November) has a shift on 2 November and is sent;
    she leaves on 20 November. It is sent back, put right (a shift on 21 November refused)
    and approved; her October timesheet, which ends before she left, is started and sent."""
    timesheet = november(assistant, pa_user)
    add(timesheet, pa_user, "2026-11-02", T(9), T(13))
    services.submit_timesheet(actor=pa_user, timesheet=timesheet)
    leaves(assistant, pa_employer_support, "2026-11-20")
    services.return_timesheet(actor=holder.user, timesheet=timesheet, reason="Add the 19th")
    timesheet.refresh_from_db()
    with pytest.raises(ValidationError, match="on or before 20 November 2026, when Priya Shah"):
        add(timesheet, pa_user, "2026-11-21", T(9), T(13))
    add(timesheet, pa_user, "2026-11-19", T(9), T(13))
    services.submit_timesheet(actor=pa_user, timesheet=timesheet)
    services.approve_timesheet(actor=holder.user, timesheet=timesheet)
    timesheet.refresh_from_db()
    assert timesheet.status == TimesheetStatus.APPROVED
    last = october(assistant, holder.user)
    add(last, holder.user, "2026-10-05", T(9), T(13))
    services.submit_timesheet(actor=holder.user, timesheet=last)


def test_a_new_timesheet_for_a_pa_who_has_left_ends_by_their_last_day(
    assistant, pa_user, pa_employer_support
):
    assistant = leaves(assistant, pa_employer_support, "2026-11-20")
    with pytest.raises(ValidationError) as refused:
        services.start_timesheet(
            actor=pa_user,
            assistant=assistant,
            starts_on=day("2026-11-16"),
            ends_on=day("2026-11-22"),
        )
    assert refused.value.messages == [
        "Priya Shah left on 20 November 2026: a timesheet for them can cover days up to then, "
        "not after"
    ]
    services.start_timesheet(
        actor=pa_user, assistant=assistant, starts_on=day("2026-11-16"), ends_on=day("2026-11-20")
    )


def test_a_timesheet_that_starts_after_the_pa_left_is_not_changed_sent_or_approved(
    assistant, pa_user, holder, pa_employer_support
):
    """A timesheet for 21 and 22 November, started empty before Priya's leaving on 20
    November was recorded: none of its days is work for her."""
    timesheet = services.start_timesheet(
        actor=pa_user, assistant=assistant, starts_on=day("2026-11-21"), ends_on=day("2026-11-22")
    )
    leaves(assistant, pa_employer_support, "2026-11-20")
    timesheet.refresh_from_db()
    message = (
        "Priya Shah left on 20 November 2026, before this timesheet starts: it cannot be "
        "changed, sent or approved"
    )
    assert services.change_refusal(timesheet) == message
    assert services.send_refusal(timesheet) == message
    assert not pa_user.has_perm(Permission.ENTER_TIMESHEET, timesheet)
    assert not holder.user.has_perm(Permission.APPROVE_TIMESHEET, timesheet)
    for act in (
        lambda: add(timesheet, pa_user, "2026-11-21", T(9), T(13)),
        lambda: services.submit_timesheet(actor=pa_user, timesheet=timesheet),
    ):
        with pytest.raises(ValidationError) as refused:
            act()
        assert refused.value.messages == [message]


def test_a_shift_after_the_leaving_day_is_never_sent_or_approved(assistant, pa_user, holder):
    """A record from before the leaving date was checked against the shifts: Priya's timesheet
    for 16 to 22 November has shifts on 17 and 21 November and is sent; her leaving on 20
    November was recorded anyway. It is not approved but sent back, not sent again until the
    21 November shift is taken off, and then approved with the 17 November shift."""
    timesheet = services.start_timesheet(
        actor=pa_user, assistant=assistant, starts_on=day("2026-11-16"), ends_on=day("2026-11-22")
    )
    add(timesheet, pa_user, "2026-11-17", T(9), T(13))
    late = add(timesheet, pa_user, "2026-11-21", T(9), T(13))
    services.submit_timesheet(actor=pa_user, timesheet=timesheet)
    assistant.status = PersonalAssistantStatus.LEFT
    assistant.left_on = day("2026-11-20")
    assistant.left_reason = "Moved away"
    assistant.save()
    timesheet.refresh_from_db()
    shift_words = (
        "This timesheet has a shift on 21 November 2026, after Priya Shah left on 20 November 2026"
    )
    assert services.approval_refusal(timesheet) == (
        f"{shift_words}: send it back to have that shift taken off"
    )
    with pytest.raises(ValidationError) as refused:
        services.approve_timesheet(actor=holder.user, timesheet=timesheet)
    assert refused.value.messages == [f"{shift_words}: send it back to have that shift taken off"]
    services.return_timesheet(actor=holder.user, timesheet=timesheet, reason="The 21st")
    timesheet.refresh_from_db()
    sending = f"{shift_words}: take that shift off before sending the timesheet"
    assert services.send_refusal(timesheet) == sending
    with pytest.raises(ValidationError) as refused:
        services.submit_timesheet(actor=pa_user, timesheet=timesheet)
    assert refused.value.messages == [sending]
    services.remove_shift(actor=pa_user, shift=late)
    services.submit_timesheet(actor=pa_user, timesheet=timesheet)
    services.approve_timesheet(actor=holder.user, timesheet=timesheet)
    timesheet.refresh_from_db()
    assert timesheet.status == TimesheetStatus.APPROVED
    assert timesheet.shifts.get().hours == D("4.00")


def test_a_timesheet_that_begins_before_the_start_date_is_sent_and_approved(
    employer, pa_user, holder
):
    """Priya's start date was 1 October 2026 when her timesheet for 6 to 12 October was
    started; it was then corrected to 7 October (no shift before it). A shift on 6 October is
    refused; her shifts from 7 October are sent and approved."""
    assistant = PersonalAssistantFactory(
        employer=employer, user=pa_user, full_name="Priya Shah", starts_on=day("2026-10-01")
    )
    timesheet = services.start_timesheet(
        actor=pa_user, assistant=assistant, starts_on=day("2026-10-06"), ends_on=day("2026-10-12")
    )
    assistant.starts_on = day("2026-10-07")
    assistant.save()
    timesheet.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        add(timesheet, pa_user, "2026-10-06", T(9), T(13))
    assert refused.value.message_dict == {
        "day": ["The shift must start on or after 7 October 2026, when Priya Shah started"]
    }
    add(timesheet, pa_user, "2026-10-07", T(9), T(13))
    add(timesheet, pa_user, "2026-10-08", T(9), T(13))
    assert services.send_refusal(timesheet) is None
    services.submit_timesheet(actor=pa_user, timesheet=timesheet)
    services.approve_timesheet(actor=holder.user, timesheet=timesheet)
    timesheet.refresh_from_db()
    assert timesheet.status == TimesheetStatus.APPROVED


def test_a_shift_before_the_pa_started_is_refused_and_never_approved(assistant, pa_user, holder):
    """Priya's November timesheet has a shift on 2 November 2026; her start date was then moved
    to 3 November (before that was checked against her shifts). A shift on 2 November can no
    longer be added, and the timesheet is not approved (so never paid) until that shift is
    taken off: the approver is told which shift."""
    timesheet = november(assistant, pa_user)
    add(timesheet, pa_user, "2026-11-02", T(9), T(13))
    services.submit_timesheet(actor=pa_user, timesheet=timesheet)
    assistant.starts_on = day("2026-11-03")
    assistant.save()
    with pytest.raises(ValidationError) as refused:
        services.approve_timesheet(actor=holder.user, timesheet=timesheet)
    assert refused.value.messages == [
        "This timesheet has a shift on 2 November 2026, before Priya Shah started on 3 November "
        "2026: send it back to have that shift taken off"
    ]
    services.return_timesheet(actor=holder.user, timesheet=timesheet, reason="2 November")
    timesheet.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        add(timesheet, pa_user, "2026-11-02", T(14), T(16))
    assert refused.value.message_dict == {
        "day": ["The shift must start on or after 3 November 2026, when Priya Shah started"]
    }
    with pytest.raises(ValidationError) as refused:
        services.submit_timesheet(actor=pa_user, timesheet=timesheet)
    assert refused.value.messages == [
        "This timesheet has a shift on 2 November 2026, before Priya Shah started on 3 November "
        "2026: take that shift off before sending the timesheet"
    ]


@pytest.mark.django_db(transaction=True)
def test_two_approvals_at_once_one_wins_and_the_other_is_told(icb):
    employer = EmployerFactory(
        budget_holder__organisation=icb, budget_holder__user=HolderUserFactory()
    )
    holder = employer.budget_holder
    representative = RepresentativeFactory(budget_holder=holder).user
    pa_user = PaUserFactory()
    assistant = PersonalAssistantFactory(employer=employer, user=pa_user)
    timesheet = november(assistant, pa_user)
    add(timesheet, pa_user, "2026-11-02", T(9), T(13))
    services.submit_timesheet(actor=pa_user, timesheet=timesheet)
    actors = {"holder": holder.user, "representative": representative}
    barrier = threading.Barrier(2)
    results = {}

    def approve(name):
        try:
            barrier.wait(timeout=10)
            services.approve_timesheet(actor=actors[name], timesheet=timesheet)
            results[name] = "approved"
        except Conflict as error:
            results[name] = str(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(name,)) for name in actors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == ["holder", "representative"]
    assert list(results.values()).count("approved") == 1
    (winner,) = [name for name, result in results.items() if result == "approved"]
    (refusal,) = [result for result in results.values() if result != "approved"]
    assert refusal.startswith(f"This timesheet was already approved by {actors[winner]} at ")
    timesheet.refresh_from_db()
    assert timesheet.decided_by == actors[winner]


def test_sending_back_after_approval_says_who_approved(assistant, pa_user, holder):
    timesheet = november(assistant, pa_user)
    add(timesheet, pa_user, "2026-11-02", T(9), T(13))
    services.submit_timesheet(actor=pa_user, timesheet=timesheet)
    services.approve_timesheet(actor=holder.user, timesheet=timesheet)
    with pytest.raises(Conflict, match=f"already approved by {holder.user}"):
        services.return_timesheet(actor=holder.user, timesheet=timesheet, reason="Wrong day")


def test_totals_by_kind(assistant, pa_user):
    timesheet = november(assistant, pa_user)
    add(timesheet, pa_user, "2026-11-02", T(9), T(13))
    add(timesheet, pa_user, "2026-11-03", T(9), T(12, 30))
    add(timesheet, pa_user, "2026-11-03", T(22), T(7), ShiftKind.SLEEP_IN)
    assert services.totals_by_kind(timesheet.shifts.all()) == [
        ("Day", D("7.50"), 2),
        ("Sleep-in", D("9.00"), 1),
    ]


# --- Warnings on approval ---------------------------------------------------------------


@pytest.fixture
def planned(phb_lead, holder):
    """The plan in use has 14 hours of PA support a week; the budget's direct payment of
    £12,000.00 pays for the PAs."""
    return plan_in_use(phb_lead, holder)


def test_no_warnings_within_the_plans_hours_and_the_budget(planned, assistant, pa_user):
    timesheet = november(assistant, pa_user)
    add(timesheet, pa_user, "2026-11-09", T(9), T(13))
    add(timesheet, pa_user, "2026-11-10", T(9), T(13))
    assert services.approval_warnings(timesheet) == []


def test_hours_beyond_the_plans_pa_hours_in_a_week_are_warned_of(
    planned, assistant, pa_user, holder, employer
):
    """An approved 6 hours from another PA, and 10 hours on this timesheet, in the week of
    Monday 9 November 2026: 16 hours, beyond the plan's 14 hours a week."""
    other_user = PaUserFactory()
    other = PersonalAssistantFactory(employer=employer, user=other_user)
    earlier = november(other, other_user)
    add(earlier, other_user, "2026-11-13", T(9), T(15))
    services.submit_timesheet(actor=other_user, timesheet=earlier)
    services.approve_timesheet(actor=holder.user, timesheet=earlier)
    timesheet = november(assistant, pa_user)
    add(timesheet, pa_user, "2026-11-09", T(9), T(14))
    add(timesheet, pa_user, "2026-11-10", T(9), T(14))
    add(timesheet, pa_user, "2026-11-16", T(9), T(14))  # the next week: 5 hours, within
    add(timesheet, pa_user, "2026-11-11", T(9), T(14), ShiftKind.HOLIDAY)  # not support
    assert services.approval_warnings(timesheet) == [
        "In the week starting Monday 9 November 2026, PAs would have worked 16 hours "
        "(10 hours on this timesheet, 6 hours already approved). The care and support plan "
        "has 14 hours of PA support a week."
    ]


def test_pay_beyond_the_budget_portion_for_pas_is_warned_of(planned, employer):
    """At £1,000 an hour, two 7-hour days cost £14,000.00: more than the £12,000.00 direct
    payment (and 14 hours is within the plan's hours)."""
    _version, budget, _lead = planned
    pa_user = PaUserFactory()
    assistant = PersonalAssistantFactory(employer=employer, user=pa_user, day_rate=D("1000.00"))
    timesheet = november(assistant, pa_user)
    add(timesheet, pa_user, "2026-11-09", T(9), T(16))
    add(timesheet, pa_user, "2026-11-10", T(9), T(16))
    assert services.approval_warnings(timesheet) == [
        f"PA pay from {budget.period_start:%-d %B %Y} to {budget.period_end:%-d %B %Y} would "
        "be £14,000.00 (£14,000.00 on this timesheet, £0.00 already approved), more than the "
        "£12,000.00 of the direct payment that pays for PAs. This is pay before the "
        "employer's National Insurance and pension."
    ]


def test_no_plan_in_use_means_nothing_to_warn_against(assistant, pa_user):
    timesheet = november(assistant, pa_user)
    add(timesheet, pa_user, "2026-11-09", T(0), T(23))
    assert services.approval_warnings(timesheet) == []


def test_shift_cost_by_kind(assistant):
    def shift(kind, hours):
        return Shift(kind=kind, hours=D(hours))

    assert services.shift_cost(shift(ShiftKind.DAY, "4"), assistant) == D("54.00")
    assert services.shift_cost(shift(ShiftKind.NIGHT, "9"), assistant) == D("130.50")
    assert services.shift_cost(shift(ShiftKind.WAKING_NIGHT, "10"), assistant) == D("150.00")
    assert services.shift_cost(shift(ShiftKind.SLEEP_IN, "9"), assistant) == D("90.00")
    assert services.shift_cost(shift(ShiftKind.HOLIDAY, "4"), assistant) == D("54.00")
    assert services.shift_cost(shift(ShiftKind.SICK, "4"), assistant) == D("0")
