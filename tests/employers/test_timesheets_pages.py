"""Timesheet pages: a PA lands on "Your work" and sees only their own; the employer's side
approves or sends back, with warnings; staff read an employer's timesheets; bad input gives
NHS.UK errors with nothing saved; lists in a fixed number of queries."""

import datetime
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from employers.models import PersonalAssistantStatus, Shift, Timesheet, TimesheetStatus
from employers.services import employers as employer_services
from employers.services import timesheets as services
from phb.models import AccessOutcome, RecordAccess
from tests.budgets.factories import staff
from tests.careplans.review_factories import plan_in_use
from tests.employers.factories import EmployerFactory, PaUserFactory, PersonalAssistantFactory
from tests.employers.timesheet_helpers import seen, submitted_two_long_days

pytestmark = pytest.mark.django_db
T = datetime.time
PROBLEM = "There is a problem"


def page(response) -> str:
    return unescape(response.content.decode())


def date_fields(name: str, day: datetime.date) -> dict:
    return {f"{name}_day": day.day, f"{name}_month": day.month, f"{name}_year": day.year}


@pytest.fixture
def employer(holder, pa_employer_support):
    return EmployerFactory(budget_holder=holder, created_by=pa_employer_support)


@pytest.fixture
def pa_user():
    return PaUserFactory()


@pytest.fixture
def assistant(employer, pa_user):
    return PersonalAssistantFactory(employer=employer, user=pa_user, full_name="Priya Shah")


def timesheet_with_shift(assistant, actor, *, first=datetime.date(2026, 11, 1), submit=False):
    timesheet = services.start_timesheet(
        actor=actor,
        assistant=assistant,
        starts_on=first,
        ends_on=first + datetime.timedelta(days=27),
    )
    services.add_shift(
        actor=actor,
        timesheet=timesheet,
        details=services.ShiftDetails(kind="day", day=first, starts=T(9), ends=T(13)),
    )
    if submit:
        services.submit_timesheet(actor=actor, timesheet=timesheet)
    return timesheet


def shift_data(**changes) -> dict:
    data = {
        "kind": "night",
        **date_fields("day", datetime.date(2026, 11, 10)),
        "starts": "22:00",
        "ends": "07:00",
        "notes": "",
    }
    return data | changes


def test_a_pa_lands_on_their_own_page_after_signing_in(client, assistant, pa_user):
    client.force_login(pa_user)
    assert client.get(reverse("home"))["Location"] == reverse("employers:my_work")
    html = page(client.get(reverse("employers:my_work")))
    assert "Your work" in html
    assert assistant.employer.display_name in html
    assert "Start a timesheet" in html


def test_a_pa_with_two_jobs_sees_whom_each_timesheet_is_for(
    client, assistant, pa_user, other_holder, pa_employer_support
):
    second = PersonalAssistantFactory(
        employer=EmployerFactory(budget_holder=other_holder, created_by=pa_employer_support),
        user=pa_user,
        full_name="Priya Shah",
    )
    timesheet_with_shift(assistant, pa_user)
    timesheet_with_shift(second, pa_user, first=datetime.date(2026, 10, 1))
    client.force_login(pa_user)
    html = page(client.get(reverse("employers:my_work")))
    assert "Work for" in html
    # Each name is in its job's card and in its timesheet's row.
    assert html.count(assistant.employer.display_name) >= 2
    assert html.count(second.employer.display_name) >= 2


def test_a_pa_with_no_budget_of_their_own_is_sent_from_your_budget_to_their_work(
    client, assistant, pa_user
):
    client.force_login(pa_user)
    response = client.get(reverse("holder_home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("employers:my_work")


def test_a_pa_sees_their_point_of_contact_for_each_employer(client, assistant, pa_user):
    client.force_login(pa_user)
    html = page(client.get(reverse("employers:my_work")))
    assert (
        "If something goes wrong at work, your point of contact is Sam Adviser, on 0300 123 4567."
    ) in html
    assistant.employer.pa_contact_name = ""  # recorded before a name was needed
    assistant.employer.save()
    html = page(client.get(reverse("employers:my_work")))
    assert (
        "If something goes wrong at work, contact your employer's point of contact for PAs on "
        "0300 123 4567."
    ) in html
    assistant.employer.pa_contact_phone = ""
    assistant.employer.save()
    html = page(client.get(reverse("employers:my_work")))
    assert "Your employer has not named a point of contact for you yet" in html


def test_work_not_yet_done_and_a_second_timesheet_for_the_same_days_are_refused(
    client, assistant, pa_user
):
    """Today is 23 November 2026: a shift on the 24th has not been worked, and a second
    timesheet over November would let the same day be claimed twice."""
    client.force_login(pa_user)
    timesheet = timesheet_with_shift(assistant, pa_user)
    add_url = reverse("employers:shift_add", args=[timesheet.pk])
    tomorrow = shift_data(kind="day", starts="09:00", ends="12:00")
    tomorrow |= date_fields("day", datetime.date(2026, 11, 24))
    html = unescape(page(client.post(add_url, tomorrow)))
    assert "The shift must be today or before: a timesheet claims work already done" in html
    booked = client.post(add_url, tomorrow | {"kind": "holiday", "notes": "Booked in October"})
    assert booked.status_code == 302  # holiday may be booked ahead
    html = page(client.get(reverse("employers:timesheet", args=[timesheet.pk])))
    assert "Booked in October" in html  # the notes are there for whoever approves it
    again = client.post(
        reverse("employers:timesheet_new", args=[assistant.pk]),
        date_fields("starts_on", datetime.date(2026, 11, 20))
        | date_fields("ends_on", datetime.date(2026, 12, 10)),
    )
    assert (
        f"{assistant.full_name} already has a timesheet for 1 November 2026 to 28 November 2026"
    ) in unescape(page(again))
    assert Timesheet.objects.count() == 1


def test_the_pa_is_told_when_a_shift_was_taken_to_end_the_next_day(client, assistant, pa_user):
    """09:00 to 09:00 is a 24-hour shift and 22:00 to 07:00 a night: the message says so, with
    the day and time it ended, so a slip in a time is seen at once."""
    client.force_login(pa_user)
    timesheet = timesheet_with_shift(assistant, pa_user)
    add_url = reverse("employers:shift_add", args=[timesheet.pk])
    whole_day = shift_data(kind="day", starts="09:00", ends="09:00")
    whole_day |= date_fields("day", datetime.date(2026, 11, 3))
    html = page(client.post(add_url, whole_day, follow=True))
    assert (
        "The shift has been added: Day shift from Tuesday 3 November 2026 09:00 to "
        "Wednesday 4 November 2026 09:00, 24.00 hours"
    ) in html
    shift = Shift.objects.get(hours=24)
    night = shift_data(starts="22:00", ends="07:00") | date_fields(
        "day", datetime.date(2026, 11, 5)
    )
    change_url = reverse("employers:shift_change", args=[shift.pk])
    html = page(client.post(change_url, night | seen(timesheet), follow=True))
    assert (
        "The shift has been changed: Night shift from Thursday 5 November 2026 22:00 to "
        "Friday 6 November 2026 07:00, 9.00 hours"
    ) in html


def test_a_budget_holder_still_lands_on_their_own_page(client, holder, assistant):
    client.force_login(holder.user)
    assert client.get(reverse("home"))["Location"] == reverse("holder_home")


def test_a_pa_starts_a_timesheet_adds_shifts_and_sends_it(client, assistant, pa_user):
    client.force_login(pa_user)
    url = reverse("employers:timesheet_new", args=[assistant.pk])
    bad = client.post(
        url,
        date_fields("starts_on", datetime.date(2026, 11, 1))
        | date_fields("ends_on", datetime.date(2026, 12, 15)),
    )
    assert PROBLEM in page(bad) and "so a timesheet covers at most 31 days" in page(bad)
    assert not Timesheet.objects.exists()
    response = client.post(
        url,
        date_fields("starts_on", datetime.date(2026, 11, 1))
        | date_fields("ends_on", datetime.date(2026, 11, 30)),
    )
    timesheet = Timesheet.objects.get()
    assert response["Location"] == reverse("employers:timesheet", args=[timesheet.pk])
    add_url = reverse("employers:shift_add", args=[timesheet.pk])
    assert client.post(add_url, shift_data()).status_code == 302
    assert Shift.objects.get().hours == 9
    # An overlapping shift: the NHS.UK error summary says so, nothing is saved.
    overlapping = client.post(
        add_url,
        shift_data(kind="day", starts="06:00", ends="10:00")
        | date_fields("day", datetime.date(2026, 11, 11)),
    )
    html = page(overlapping)
    assert PROBLEM in html
    assert "This shift overlaps another shift Priya Shah worked" in html
    typo = page(client.post(add_url, shift_data(starts="25:00")))
    assert "Enter the start time as a 24-hour clock time" in typo
    assert Shift.objects.count() == 1
    html = page(client.get(reverse("employers:timesheet", args=[timesheet.pk])))
    assert "Tue 10 Nov 2026, 22:00" in html and "Wed 11 Nov 2026, 07:00" in html
    submit_url = reverse("employers:timesheet_submit", args=[timesheet.pk])
    assert "Confirm that these shifts are right" in page(client.post(submit_url, {}))
    assert client.post(submit_url, {"confirm": "on"} | seen(timesheet)).status_code == 302
    timesheet.refresh_from_db()
    assert timesheet.status == TimesheetStatus.SUBMITTED
    # Sent: its shifts cannot be changed now.
    response = client.get(add_url, follow=True)
    assert "cannot be changed now" in page(response)


def test_a_pa_sees_nothing_of_another_pas(client, employer, assistant, other_holder):
    other_user = PaUserFactory()
    other = PersonalAssistantFactory(
        employer=EmployerFactory(budget_holder=other_holder), user=other_user
    )
    theirs = timesheet_with_shift(other, other_user)
    colleague_user = PaUserFactory()
    colleague = PersonalAssistantFactory(employer=employer, user=colleague_user)
    colleagues = timesheet_with_shift(colleague, colleague_user)
    client.force_login(assistant.user)
    for sheet in (theirs, colleagues):
        for name in ("timesheet", "shift_add", "timesheet_submit", "timesheet_decide"):
            assert client.get(reverse(f"employers:{name}", args=[sheet.pk])).status_code == 404
        shift = sheet.shifts.get()
        assert client.get(reverse("employers:shift_change", args=[shift.pk])).status_code == 404
        assert client.post(reverse("employers:shift_remove", args=[shift.pk])).status_code == 404
    for pa in (other, colleague):
        url = reverse("employers:timesheet_new", args=[pa.pk])
        assert client.get(url).status_code == 404
    assert (
        client.get(reverse("employers:timesheets_to_approve", args=[employer.pk])).status_code
        == 404
    )
    html = page(client.get(reverse("employers:my_work")))
    assert colleague.full_name not in html


def test_a_user_with_no_pa_record_has_no_work_page(client, holder):
    client.force_login(holder.user)
    assert client.get(reverse("employers:my_work")).status_code == 404


def test_the_holder_approves_from_the_list(client, holder, employer, assistant, pa_user):
    timesheet = timesheet_with_shift(assistant, pa_user, submit=True)
    client.force_login(holder.user)
    html = page(client.get(reverse("employers:timesheets_to_approve", args=[employer.pk])))
    assert "Timesheets to approve" in html and "Priya Shah" in html
    url = reverse("employers:timesheet_decide", args=[timesheet.pk])
    assert "Choose whether to approve the timesheet or send it back" in page(client.post(url, {}))
    assert "Say why you are sending the timesheet back" in page(
        client.post(url, {"decision": "return", "reason": ""})
    )
    timesheet.refresh_from_db()
    assert timesheet.status == TimesheetStatus.SUBMITTED
    assert client.post(url, {"decision": "approve"} | seen(timesheet)).status_code == 302
    timesheet.refresh_from_db()
    assert timesheet.status == TimesheetStatus.APPROVED
    # Someone acting on the page they opened before: told what happened.
    response = client.post(url, {"decision": "return", "reason": "Wrong"}, follow=True)
    assert f"This timesheet was already approved by {holder.user}" in page(response)


def test_the_approval_page_warns_beyond_the_plans_hours(
    client, phb_lead, holder, employer, assistant, pa_user
):
    plan_in_use(phb_lead, holder)
    timesheet = submitted_two_long_days(pa_user, assistant)
    client.force_login(holder.user)
    html = page(client.get(reverse("employers:timesheet_decide", args=[timesheet.pk])))
    assert "Before you approve" in html
    assert "PAs would have worked 16 hours" in html
    assert "The care and support plan has 14 hours of PA support a week." in html
    assert (
        client.post(
            reverse("employers:timesheet_decide", args=[timesheet.pk]),
            {"decision": "approve"} | seen(timesheet),
        ).status_code
        == 302
    )


def week_with_a_shift(assistant, actor, *, on=datetime.date(2026, 11, 17)):
    """A timesheet for 16 to 22 November 2026 with a day shift, 09:00 to 13:00, on `on`."""
    timesheet = services.start_timesheet(
        actor=actor,
        assistant=assistant,
        starts_on=datetime.date(2026, 11, 16),
        ends_on=datetime.date(2026, 11, 22),
    )
    services.add_shift(
        actor=actor,
        timesheet=timesheet,
        details=services.ShiftDetails(kind="day", day=on, starts=T(9), ends=T(13)),
    )
    return timesheet


def leaves(assistant, actor, on=datetime.date(2026, 11, 20)):
    return employer_services.record_leaving(
        actor=actor, assistant=assistant, left_on=on, reason="Moved away"
    )


def test_work_before_leaving_is_sent_and_approved_on_the_pages(
    client, holder, assistant, pa_user, pa_employer_support
):
    """The demo's defect: Priya's timesheet for 16 to 22 November has a shift on 17 November;
    her leaving on 20 November is recorded. Before, the page said it could not be changed,
    sent or approved, yet the send page offered its button, which was refused."""
    timesheet = week_with_a_shift(assistant, pa_user)
    leaves(assistant, pa_employer_support)
    url = reverse("employers:timesheet", args=[timesheet.pk])
    send_url = reverse("employers:timesheet_submit", args=[timesheet.pk])
    client.force_login(pa_user)
    html = page(client.get(url))
    assert (
        "Priya Shah left on 20 November 2026, before this timesheet ends: shifts can be added up "
        "to that day, not after." in html
    )
    assert "cannot be changed, sent or approved" not in html
    assert "Add a shift" in html and send_url in html
    html = page(
        client.post(
            reverse("employers:shift_add", args=[timesheet.pk]),
            shift_data(**date_fields("day", datetime.date(2026, 11, 21))),
        )
    )
    assert PROBLEM in html
    assert "The shift must start on or before 20 November 2026, when Priya Shah left" in html
    assert "Send for approval" in page(client.get(send_url))
    response = client.post(send_url, {"confirm": "on"} | seen(timesheet))
    assert response.status_code == 302
    timesheet.refresh_from_db()
    assert timesheet.status == TimesheetStatus.SUBMITTED
    client.force_login(holder.user)
    html = page(client.get(url))
    assert "Priya Shah left on 20 November 2026, before this timesheet ends." in html
    assert "Approve or send back this timesheet" in html
    decide_url = reverse("employers:timesheet_decide", args=[timesheet.pk])
    assert "Approve it" in page(client.get(decide_url))
    assert client.post(decide_url, {"decision": "approve"} | seen(timesheet)).status_code == 302
    timesheet.refresh_from_db()
    assert timesheet.status == TimesheetStatus.APPROVED


def test_a_timesheet_that_starts_after_the_pa_left_offers_nothing(
    client, holder, assistant, pa_user, pa_employer_support
):
    """A timesheet for 21 and 22 November, started empty before Priya's leaving on 20 November
    was recorded: its page says so and offers nothing; its forms refuse in the same words."""
    timesheet = services.start_timesheet(
        actor=pa_user,
        assistant=assistant,
        starts_on=datetime.date(2026, 11, 21),
        ends_on=datetime.date(2026, 11, 22),
    )
    leaves(assistant, pa_employer_support)
    message = (
        "Priya Shah left on 20 November 2026, before this timesheet starts: it cannot be "
        "changed, sent or approved"
    )
    client.force_login(pa_user)
    html = page(client.get(reverse("employers:timesheet", args=[timesheet.pk])))
    assert f"{message}." in html
    assert "Add a shift" not in html and "Send the timesheet" not in html
    for name in ("shift_add", "timesheet_submit"):
        response = client.get(reverse(f"employers:{name}", args=[timesheet.pk]), follow=True)
        assert message in page(response) and "Send for approval" not in page(response)


def test_a_shift_after_the_leaving_day_is_neither_sent_nor_approved_on_the_pages(
    client, holder, assistant, pa_user
):
    """A record from before the leaving date was checked: shifts on 17 and 21 November, sent,
    then Priya's leaving on 20 November recorded. The approver is offered only sending it back;
    the PA is told to take the 21 November shift off, and no send button is offered until then."""
    timesheet = week_with_a_shift(assistant, pa_user)
    late = services.add_shift(
        actor=pa_user,
        timesheet=timesheet,
        details=services.ShiftDetails(
            kind="day", day=datetime.date(2026, 11, 21), starts=T(9), ends=T(13)
        ),
    )
    services.submit_timesheet(actor=pa_user, timesheet=timesheet)
    assistant.status = PersonalAssistantStatus.LEFT
    assistant.left_on = datetime.date(2026, 11, 20)
    assistant.left_reason = "Moved away"
    assistant.save()
    shift = (
        "This timesheet has a shift on 21 November 2026, after Priya Shah left on 20 November 2026"
    )
    decide_url = reverse("employers:timesheet_decide", args=[timesheet.pk])
    client.force_login(holder.user)
    html = page(client.get(reverse("employers:timesheet", args=[timesheet.pk])))
    assert f"{shift}: send it back to have that shift taken off." in html
    html = page(client.get(decide_url))
    assert f"{shift}: send it back to have that shift taken off." in html
    assert "Approve it" not in html and "Send it back for changes" in html
    html = page(client.post(decide_url, {"decision": "approve"}))
    assert "This timesheet cannot be approved: choose to send it back" in html
    client.post(decide_url, {"decision": "return", "reason": "Not the 21st"} | seen(timesheet))
    timesheet.refresh_from_db()
    assert timesheet.status == TimesheetStatus.RETURNED
    client.force_login(pa_user)
    send_url = reverse("employers:timesheet_submit", args=[timesheet.pk])
    html = page(client.get(reverse("employers:timesheet", args=[timesheet.pk])))
    assert f"{shift}: take that shift off before sending the timesheet." in html
    assert send_url not in html
    response = client.get(send_url, follow=True)
    assert f"{shift}: take that shift off before sending the timesheet" in page(response)
    remove_url = reverse("employers:shift_remove", args=[late.pk])
    client.post(remove_url, {"remove": "yes"} | seen(timesheet))
    assert send_url in page(client.get(reverse("employers:timesheet", args=[timesheet.pk])))


def test_a_timesheet_that_begins_before_the_start_date_says_so(client, employer, pa_user):
    """Priya's start date was moved from 1 October to 7 October 2026 after her timesheet for 6
    to 12 October was started: shifts from 7 October are added and sent."""
    assistant = PersonalAssistantFactory(
        employer=employer,
        user=pa_user,
        full_name="Priya Shah",
        starts_on=datetime.date(2026, 10, 1),
    )
    timesheet = services.start_timesheet(
        actor=pa_user,
        assistant=assistant,
        starts_on=datetime.date(2026, 10, 6),
        ends_on=datetime.date(2026, 10, 12),
    )
    assistant.starts_on = datetime.date(2026, 10, 7)
    assistant.save()
    client.force_login(pa_user)
    url = reverse("employers:timesheet", args=[timesheet.pk])
    assert (
        "Priya Shah started on 7 October 2026, after this timesheet begins: shifts can be added "
        "from that day, not before." in page(client.get(url))
    )
    add_url = reverse("employers:shift_add", args=[timesheet.pk])
    html = page(client.post(add_url, shift_data(**date_fields("day", datetime.date(2026, 10, 6)))))
    assert "The shift must start on or after 7 October 2026, when Priya Shah started" in html
    client.post(add_url, shift_data(**date_fields("day", datetime.date(2026, 10, 7))))
    send_url = reverse("employers:timesheet_submit", args=[timesheet.pk])
    assert send_url in page(client.get(url))
    assert client.post(send_url, {"confirm": "on"} | seen(timesheet)).status_code == 302
    timesheet.refresh_from_db()
    assert timesheet.status == TimesheetStatus.SUBMITTED


def test_the_employer_enters_a_timesheet_for_a_pa(client, holder, assistant):
    client.force_login(holder.user)
    response = client.post(
        reverse("employers:timesheet_new", args=[assistant.pk]),
        date_fields("starts_on", datetime.date(2026, 11, 1))
        | date_fields("ends_on", datetime.date(2026, 11, 30)),
    )
    timesheet = Timesheet.objects.get()
    assert timesheet.created_by == holder.user
    assert response.status_code == 302
    client.post(reverse("employers:shift_add", args=[timesheet.pk]), shift_data())
    shift = timesheet.shifts.get()
    change_url = reverse("employers:shift_change", args=[shift.pk])
    assert 'value="22:00"' in page(client.get(change_url))
    client.post(change_url, shift_data(starts="21:00") | seen(timesheet))
    shift.refresh_from_db()
    assert shift.hours == 10
    remove_url = reverse("employers:shift_remove", args=[shift.pk])
    assert "Say whether to remove this shift" in page(client.post(remove_url, {}))
    client.post(remove_url, {"remove": "no"})
    assert timesheet.shifts.exists()
    client.post(remove_url, {"remove": "yes"} | seen(timesheet))
    assert not timesheet.shifts.exists()


def test_staff_read_an_employers_timesheets_and_other_icbs_get_404(
    client, employer, assistant, pa_user, pa_employer_support, other_icb_lead
):
    timesheet_with_shift(assistant, pa_user, submit=True)
    url = reverse("employers:employer_timesheets", args=[employer.pk])
    client.force_login(pa_employer_support)
    html = page(client.get(url))
    assert "Priya Shah" in html and "Waiting for approval" in html
    client.force_login(other_icb_lead)
    assert client.get(url).status_code == 404


def test_the_holders_page_and_the_record_link_to_the_timesheets(
    client, holder, employer, assistant, pa_user, phb_lead
):
    timesheet_with_shift(assistant, pa_user, submit=True)
    client.force_login(holder.user)
    html = page(client.get(reverse("holder_home"), follow=True))
    assert "1 timesheet waiting for you to approve." in html
    client.force_login(phb_lead)
    html = page(client.get(reverse("person_detail", args=[holder.pk])))
    assert "1 timesheet waiting for approval." in html


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_list_pages_take_the_same_queries_for_more_timesheets(
    client, holder, employer, assistant, pa_user, pa_employer_support
):
    def add_sheets(first_month, count):
        for index in range(count):
            timesheet_with_shift(
                assistant,
                pa_user,
                first=datetime.date(2026, first_month + index, 1),
                submit=index % 2 == 0,
            )

    add_sheets(1, 2)
    urls = {
        pa_user: reverse("employers:my_work"),
        holder.user: reverse("employers:timesheets_to_approve", args=[employer.pk]),
        pa_employer_support: reverse("employers:employer_timesheets", args=[employer.pk]),
    }
    before = {}
    for user, url in urls.items():
        client.force_login(user)
        before[url] = queries(client, url)
    add_sheets(3, 6)
    for user, url in urls.items():
        client.force_login(user)
        assert queries(client, url) <= before[url], url
        assert before[url] <= 20, url


def test_staff_without_the_right_role_get_404(client, employer, assistant, pa_user, icb):
    timesheet = timesheet_with_shift(assistant, pa_user)
    client.force_login(staff("clinician", icb))
    assert (
        client.get(reverse("employers:employer_timesheets", args=[employer.pk])).status_code == 404
    )
    assert client.get(reverse("employers:timesheet", args=[timesheet.pk])).status_code == 404


@pytest.mark.parametrize(
    ("first", "last", "message"),
    [
        (datetime.date(9999, 12, 31), datetime.date(9999, 12, 31), "within a year from today"),
        (datetime.date(1000, 1, 1), datetime.date(1000, 1, 2), "on or after 3 March 2025"),
        (datetime.date(2026, 11, 1), datetime.date(9999, 12, 31), "at most 31 days"),
    ],
)
def test_dates_at_the_ends_of_the_calendar_are_refused_in_words(
    client, assistant, pa_user, first, last, message
):
    client.force_login(pa_user)
    response = client.post(
        reverse("employers:timesheet_new", args=[assistant.pk]),
        date_fields("starts_on", first) | date_fields("ends_on", last),
    )
    assert response.status_code == 200
    assert PROBLEM in page(response) and message in page(response)
    assert not Timesheet.objects.exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"starts": "99:99"},
        {"ends": "0" * 5000},
        {"starts": "\x00"},
        {"kind": "overtime"},
        {"day_year": "9999"},
        {"day_year": "0001"},
        {"notes": "x" * 301},
    ],
)
def test_hostile_shifts_are_refused_in_words(client, assistant, pa_user, changes):
    timesheet = services.start_timesheet(
        actor=pa_user,
        assistant=assistant,
        starts_on=datetime.date(2026, 11, 1),
        ends_on=datetime.date(2026, 11, 30),
    )
    client.force_login(pa_user)
    response = client.post(
        reverse("employers:shift_add", args=[timesheet.pk]), shift_data(**changes)
    )
    assert response.status_code == 200
    assert PROBLEM in page(response)
    assert not Shift.objects.exists()


def test_opening_a_timesheet_is_logged_on_the_persons_record(
    client, holder, assistant, pa_user, pa_employer_support, employer
):
    timesheet = timesheet_with_shift(assistant, pa_user)
    client.force_login(pa_user)
    client.get(reverse("employers:timesheet", args=[timesheet.pk]))
    client.force_login(pa_employer_support)
    client.get(reverse("employers:employer_timesheets", args=[employer.pk]))
    client.get(reverse("employers:timesheet", args=[timesheet.pk]))
    clinician = staff("clinician", holder.organisation)
    client.force_login(clinician)
    client.get(reverse("employers:timesheet", args=[timesheet.pk]))  # not theirs to open
    log = RecordAccess.objects.filter(budget_holder_id=holder.pk).order_by("at")
    assert [(entry.user, entry.what, entry.outcome) for entry in log] == [
        (pa_user, "timesheet", AccessOutcome.VIEWED),
        (pa_employer_support, "timesheets", AccessOutcome.VIEWED),
        (pa_employer_support, "timesheet", AccessOutcome.VIEWED),
        (clinician, "timesheet", AccessOutcome.REFUSED),
    ]


def test_each_timesheet_page_is_titled_with_its_pa_and_days(client, assistant, pa_user):
    timesheet = timesheet_with_shift(assistant, pa_user)
    client.force_login(pa_user)
    title = "Timesheet from 1 November 2026 to 28 November 2026 – Priya Shah"
    shown = page(client.get(reverse("employers:timesheet", args=[timesheet.pk])))
    assert f"<title>{title} –" in shown
    add = page(client.get(reverse("employers:shift_add", args=[timesheet.pk])))
    assert "<title>Add a shift – Priya Shah, 1 November 2026 to 28 November 2026 –" in add
    new = page(client.get(reverse("employers:timesheet_new", args=[assistant.pk])))
    assert "<title>Start a timesheet – Priya Shah –" in new
