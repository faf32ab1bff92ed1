"""Staff on the timesheet pages: staff of the person's ICB who see employers open each
timesheet (logged on the person's record); PA employer support staff and PHB leads enter a
timesheet for a PA through the PA's own forms and services, and approve it only where a
managed-account organisation employs. Each reader (the PA, the employer's side, staff) reads
only sentences that are true for them; other ICBs' staff get 404."""

import datetime
from html import unescape

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from employers.models import EmployerKind, PersonalAssistantStatus, Timesheet, TimesheetStatus
from employers.services import employers as employer_services
from employers.services import timesheets as services
from phb.models import AccessOutcome, RecordAccess
from tests.careplans.review_factories import plan_in_use
from tests.employers.factories import EmployerFactory, PaUserFactory, PersonalAssistantFactory
from tests.employers.timesheet_helpers import seen, submitted_two_long_days
from tests.factories import BudgetHolderFactory, HolderUserFactory

pytestmark = pytest.mark.django_db
T = datetime.time
PROBLEM = "There is a problem"
NOT_FOR_STAFF = "PA employer support staff approve timesheets only where a managed-account"


def page(response) -> str:
    return unescape(response.content.decode())


def date_fields(name: str, day: datetime.date) -> dict:
    return {f"{name}_day": day.day, f"{name}_month": day.month, f"{name}_year": day.year}


def shift_data(**changes) -> dict:
    data = {
        "kind": "day",
        **date_fields("day", datetime.date(2026, 11, 10)),
        "starts": "09:00",
        "ends": "17:00",
        "notes": "",
    }
    return data | changes


@pytest.fixture
def pa_user():
    return PaUserFactory()


@pytest.fixture
def employer(holder, pa_employer_support):
    """The budget holder employs their own PAs."""
    return EmployerFactory(budget_holder=holder, created_by=pa_employer_support)


@pytest.fixture
def assistant(employer, pa_user):
    return PersonalAssistantFactory(employer=employer, user=pa_user, full_name="Priya Shah")


@pytest.fixture
def account_holder(icb):
    return BudgetHolderFactory(
        organisation=icb, user=HolderUserFactory(), given_name="Ann", family_name="Lee"
    )


@pytest.fixture
def managed(account_holder, pa_employer_support):
    """A managed-account organisation employs for the person."""
    return EmployerFactory(
        budget_holder=account_holder,
        kind=EmployerKind.MANAGED_ACCOUNT,
        employer_name="Care Accounts Ltd",
        created_by=pa_employer_support,
    )


@pytest.fixture
def managed_pa(managed):
    return PersonalAssistantFactory(employer=managed, user=PaUserFactory(), full_name="Tom Reid")


def submitted(assistant, actor, *, first=datetime.date(2026, 11, 1)):
    timesheet = services.start_timesheet(
        actor=actor, assistant=assistant, starts_on=first, ends_on=first + datetime.timedelta(27)
    )
    services.add_shift(
        actor=actor,
        timesheet=timesheet,
        details=services.ShiftDetails(kind="day", day=first, starts=T(9), ends=T(13)),
    )
    return services.submit_timesheet(actor=actor, timesheet=timesheet)


def test_staff_open_each_timesheet_from_the_employers_list_read_only(
    client, holder, employer, assistant, pa_user, care_coordinator
):
    timesheet = submitted(assistant, pa_user)
    url = reverse("employers:timesheet", args=[timesheet.pk])
    client.force_login(care_coordinator)
    html = page(client.get(reverse("employers:employer_timesheets", args=[employer.pk])))
    assert f'href="{url}"' in html
    # A care coordinator sees employers but enters and approves nothing.
    assert "Enter a timesheet" not in html
    html = page(client.get(url))
    assert "Timesheet from 1 November 2026 to 28 November 2026" in html
    assert "Add a shift" not in html and "Approve or send back" not in html
    assert f"Waiting for {holder.full_name} or their representative to approve it." in html
    assert NOT_FOR_STAFF in html
    assert reverse("employers:employer_timesheets", args=[employer.pk]) in html
    for name in ("shift_add", "timesheet_submit", "timesheet_decide"):
        assert client.get(reverse(f"employers:{name}", args=[timesheet.pk])).status_code == 404
    assert client.get(reverse("employers:timesheet_new", args=[assistant.pk])).status_code == 404
    log = RecordAccess.objects.filter(budget_holder_id=holder.pk, what="timesheet")
    assert [(entry.user, entry.outcome) for entry in log.order_by("at")] == [
        (care_coordinator, AccessOutcome.VIEWED),
        *[(care_coordinator, AccessOutcome.REFUSED)] * 4,
    ]


def test_staff_of_another_icb_get_404_on_every_timesheet_page(
    client, employer, assistant, pa_user, other_icb_lead
):
    timesheet = submitted(assistant, pa_user)
    shift = timesheet.shifts.get()
    client.force_login(other_icb_lead)
    urls = [
        reverse("employers:employer_timesheets", args=[employer.pk]),
        reverse("employers:timesheet_new", args=[assistant.pk]),
        *(
            reverse(f"employers:{name}", args=[timesheet.pk])
            for name in ("timesheet", "shift_add", "timesheet_submit", "timesheet_decide")
        ),
        reverse("employers:shift_change", args=[shift.pk]),
        reverse("employers:shift_remove", args=[shift.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"decision": "approve"}).status_code == 404, url
    timesheet.refresh_from_db()
    assert timesheet.status == TimesheetStatus.SUBMITTED


def test_support_staff_enter_a_timesheet_for_a_pa_through_the_pas_forms(
    client, holder, employer, assistant, pa_employer_support
):
    left = PersonalAssistantFactory(
        employer=employer,
        full_name="Lee Gone",
        status=PersonalAssistantStatus.LEFT,
        left_on=datetime.date(2026, 10, 1),
        left_reason="Moved away",
    )
    client.force_login(pa_employer_support)
    html = page(client.get(reverse("employers:employer_timesheets", args=[employer.pk])))
    assert "Enter a timesheet for a PA" in html
    assert reverse("employers:timesheet_new", args=[assistant.pk]) in html
    assert reverse("employers:timesheet_new", args=[left.pk]) not in html
    new_url = reverse("employers:timesheet_new", args=[assistant.pk])
    bad = page(
        client.post(
            new_url,
            date_fields("starts_on", datetime.date(2026, 11, 1))
            | date_fields("ends_on", datetime.date(2026, 12, 15)),
        )
    )
    assert PROBLEM in bad and "so a timesheet covers at most 31 days" in bad
    client.post(
        new_url,
        date_fields("starts_on", datetime.date(2026, 11, 1))
        | date_fields("ends_on", datetime.date(2026, 11, 30)),
    )
    timesheet = Timesheet.objects.get()
    assert timesheet.created_by == pa_employer_support
    add_url = reverse("employers:shift_add", args=[timesheet.pk])
    assert client.post(add_url, shift_data()).status_code == 302
    overlap = page(client.post(add_url, shift_data(starts="16:00", ends="18:00")))
    assert PROBLEM in overlap and "This shift overlaps another shift Priya Shah worked" in overlap
    shift = timesheet.shifts.get()
    change_url = reverse("employers:shift_change", args=[shift.pk])
    assert client.post(change_url, shift_data(ends="15:00") | seen(timesheet)).status_code == 302
    shift.refresh_from_db()
    assert shift.hours == 6
    second = services.add_shift(
        actor=pa_employer_support,
        timesheet=timesheet,
        details=services.ShiftDetails(
            kind="day", day=datetime.date(2026, 11, 20), starts=T(9), ends=T(10)
        ),
    )
    remove_url = reverse("employers:shift_remove", args=[second.pk])
    assert client.post(remove_url, {"remove": "yes"} | seen(timesheet)).status_code == 302
    assert timesheet.shifts.count() == 1
    submit_url = reverse("employers:timesheet_submit", args=[timesheet.pk])
    assert "Confirm that these shifts are right" in page(client.post(submit_url, {}))
    assert client.post(submit_url, {"confirm": "on"} | seen(timesheet)).status_code == 302
    timesheet.refresh_from_db()
    assert timesheet.status == TimesheetStatus.SUBMITTED
    assert timesheet.submitted_by == pa_employer_support


def test_support_staff_cannot_approve_for_a_budget_holder_who_employs(
    client, holder, employer, assistant, pa_user, pa_employer_support, phb_lead
):
    timesheet = submitted(assistant, pa_user)
    decide_url = reverse("employers:timesheet_decide", args=[timesheet.pk])
    for user in (pa_employer_support, phb_lead):
        client.force_login(user)
        html = page(client.get(reverse("employers:timesheet", args=[timesheet.pk])))
        assert "Approve or send back" not in html
        assert f"Waiting for {holder.full_name} or their representative to approve it." in html
        assert NOT_FOR_STAFF in html
        assert client.get(decide_url).status_code == 404
        assert client.post(decide_url, {"decision": "approve"}).status_code == 404
        with pytest.raises(PermissionDenied):
            services.approve_timesheet(actor=user, timesheet=timesheet)
    timesheet.refresh_from_db()
    assert timesheet.status == TimesheetStatus.SUBMITTED


def test_support_staff_approve_for_a_managed_account_with_the_plans_warning(
    client, account_holder, managed, managed_pa, pa_employer_support, phb_lead
):
    plan_in_use(phb_lead, account_holder)
    timesheet = submitted_two_long_days(pa_employer_support, managed_pa)
    client.force_login(pa_employer_support)
    html = page(client.get(reverse("employers:employer_timesheets", args=[managed.pk])))
    assert (
        "PA employer support staff (for Care Accounts Ltd), Ann Lee or their representative "
        "approve them." in html
    )
    html = page(client.get(reverse("employers:timesheet", args=[timesheet.pk])))
    assert "Approve or send back this timesheet" in html and "to approve it." not in html
    assert "Before you approve" in html and "PAs would have worked 16 hours" in html
    decide_url = reverse("employers:timesheet_decide", args=[timesheet.pk])
    html = page(client.get(decide_url))
    assert "Before you approve" in html and "The care and support plan has 14 hours" in html
    assert "your PA employer support officer" not in html
    response = client.post(decide_url, {"decision": "approve"} | seen(timesheet))
    assert response["Location"] == reverse("employers:employer_timesheets", args=[managed.pk])
    timesheet.refresh_from_db()
    assert timesheet.status == TimesheetStatus.APPROVED
    assert timesheet.decided_by == pa_employer_support
    # The lead acts on the page they opened before: told who decided.
    client.force_login(phb_lead)
    response = client.post(decide_url, {"decision": "return", "reason": "Wrong"}, follow=True)
    assert f"This timesheet was already approved by {pa_employer_support}" in page(response)
    timesheet.refresh_from_db()
    assert timesheet.status == TimesheetStatus.APPROVED


def test_a_coordinator_reads_who_approves_a_managed_accounts_timesheet(
    client, managed_pa, pa_employer_support, care_coordinator
):
    timesheet = submitted(managed_pa, pa_employer_support)
    client.force_login(care_coordinator)
    html = page(client.get(reverse("employers:timesheet", args=[timesheet.pk])))
    assert "Approve or send back" not in html and NOT_FOR_STAFF not in html
    assert (
        "Waiting for PA employer support staff (for Care Accounts Ltd), Ann Lee or their "
        "representative to approve it." in html
    )


def test_each_reader_reads_only_what_is_true_for_them(
    client, holder, employer, assistant, pa_user, pa_employer_support
):
    timesheet = submitted(assistant, pa_user)
    url = reverse("employers:timesheet", args=[timesheet.pk])
    client.force_login(pa_user)
    html = page(client.get(url))
    assert f"Waiting for {holder.full_name} or their representative to approve it." in html
    assert NOT_FOR_STAFF not in html and "Approve or send back" not in html
    assert reverse("employers:my_work") in html
    client.force_login(holder.user)
    html = page(client.get(url))
    assert "Approve or send back this timesheet" in html and "to approve it." not in html
    assert reverse("employers:timesheets_to_approve", args=[employer.pk]) in html
    html = page(client.get(reverse("employers:timesheet_decide", args=[timesheet.pk])))
    assert "Approve or send back the timesheet" in html
    client.force_login(pa_employer_support)
    html = page(client.get(url))
    assert "Your PAs" not in html and "your PA" not in html
    assert NOT_FOR_STAFF in html


def test_a_form_staff_opened_before_the_pa_left_says_so_in_words(
    client, employer, assistant, pa_employer_support
):
    """Staff opened the form to add a shift on 21 November to Priya's November timesheet; her
    leaving on 20 November is recorded before they save it: the day is refused in words. Her
    shift on 10 November is still added and the timesheet sent (she is paid for it)."""
    timesheet = services.start_timesheet(
        actor=pa_employer_support,
        assistant=assistant,
        starts_on=datetime.date(2026, 11, 1),
        ends_on=datetime.date(2026, 11, 30),
    )
    client.force_login(pa_employer_support)
    add_url = reverse("employers:shift_add", args=[timesheet.pk])
    assert client.get(add_url).status_code == 200
    employer_services.record_leaving(
        actor=pa_employer_support,
        assistant=assistant,
        left_on=datetime.date(2026, 11, 20),
        reason="Moved away",
    )
    html = page(client.post(add_url, shift_data(**date_fields("day", datetime.date(2026, 11, 21)))))
    assert PROBLEM in html
    assert "The shift must start on or before 20 November 2026, when Priya Shah left" in html
    assert not timesheet.shifts.exists()
    client.post(add_url, shift_data())
    assert timesheet.shifts.count() == 1
    send_url = reverse("employers:timesheet_submit", args=[timesheet.pk])
    assert send_url in page(client.get(reverse("employers:timesheet", args=[timesheet.pk])))
    assert client.post(send_url, {"confirm": "on"} | seen(timesheet)).status_code == 302
    timesheet.refresh_from_db()
    assert timesheet.status == TimesheetStatus.SUBMITTED
    html = page(client.get(reverse("employers:employer_timesheets", args=[employer.pk])))
    assert "Enter a timesheet for a PA" not in html


def test_the_employers_timesheets_take_the_same_queries_for_more_pas(
    client, employer, assistant, pa_user, pa_employer_support
):
    submitted(assistant, pa_user)
    url = reverse("employers:employer_timesheets", args=[employer.pk])
    client.force_login(pa_employer_support)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert "Enter a timesheet for a PA" in page(client.get(url))
        return len(captured)

    before = queries()
    for number in range(4):
        other = PersonalAssistantFactory(employer=employer, full_name=f"PA number {number}")
        submitted(other, pa_employer_support)
    assert queries() <= before <= 20
