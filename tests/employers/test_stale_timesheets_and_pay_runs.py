"""Timesheets, pay runs and a PA's leaving acted on from an out-of-date page (ADR 0042): a
decision, a send, a shift's change or removal and a pay run's finalising carry when the record
had last changed as the page showed it, and a page drawn before a colleague's change is refused
in words saying what happened, with nothing changed. A second "record leaving" says when and
why the PA left, and who recorded it when."""

import datetime
import re
from decimal import Decimal as D
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from budgets.services import Conflict
from employers.models import PayRunStatus, PersonalAssistantStatus, ShiftKind, TimesheetStatus
from employers.services import payruns
from employers.services import timesheets as services
from phb.models import Role
from phb.nhsuk_forms import STALE_PAGE
from phb.presenters import display_time
from tests.employers.factories import EmployerFactory, PaUserFactory, PersonalAssistantFactory
from tests.employers.factories_payroll import weeks_of
from tests.employers.timesheet_helpers import seen
from tests.factories import UserFactory, add_totp

pytestmark = pytest.mark.django_db
T = datetime.time
NOVEMBER_2 = datetime.date(2026, 11, 2)


def page(response) -> str:
    return " ".join(unescape(response.content.decode()).split())


def hidden_seen(response) -> dict:
    """The version the page carries, as a browser sends it back."""
    (value,) = re.findall(r'name="seen" value="([^"]*)"', response.content.decode())
    return {"seen": unescape(value)}


def at(moment) -> str:
    local = timezone.localtime(moment)
    return f"{display_time(local)} on {local:%-d %B %Y}"


def shift_fields(starts: str, ends: str, day=NOVEMBER_2) -> dict:
    return {
        "kind": "day",
        "day_day": day.day,
        "day_month": day.month,
        "day_year": day.year,
        "starts": starts,
        "ends": ends,
        "notes": "",
    }


@pytest.fixture
def employer(holder, pa_employer_support):
    return EmployerFactory(budget_holder=holder, created_by=pa_employer_support)


@pytest.fixture
def pa_user():
    return PaUserFactory(full_name="Dana Brooks")


@pytest.fixture
def assistant(employer, pa_user):
    # Day rate £13.50: 8 hours is £108.00 of pay, 12 hours £162.00.
    return PersonalAssistantFactory(
        employer=employer, user=pa_user, full_name="Dana Brooks", day_rate=D("13.50")
    )


@pytest.fixture
def timesheet(assistant, pa_user):
    """Dana's timesheet for 2 to 8 November 2026: one day shift of 8 hours, 9am to 5pm."""
    timesheet = services.start_timesheet(
        actor=pa_user,
        assistant=assistant,
        starts_on=NOVEMBER_2,
        ends_on=NOVEMBER_2 + datetime.timedelta(days=6),
    )
    services.add_shift(
        actor=pa_user,
        timesheet=timesheet,
        details=services.ShiftDetails(kind="day", day=NOVEMBER_2, starts=T(9), ends=T(17)),
    )
    return timesheet


def staff(role, organisation, full_name):
    user = UserFactory(role=role, organisation=organisation, full_name=full_name)
    add_totp(user)
    return user


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- Deciding ---------------------------------------------------------------------------


def test_approving_from_a_page_drawn_before_the_timesheet_was_changed_and_sent_again(
    holder, pa_user, timesheet
):
    """The reviewer's case: tab A shows 8.00 hours (£108.00); tab B sends it back; Dana makes
    the shift 12 hours (£162.00) and sends it again; tab A's approval is refused, saying so."""
    services.submit_timesheet(actor=pa_user, timesheet=timesheet)
    decide_url = reverse("employers:timesheet_decide", args=[timesheet.pk])
    tab_a = as_user(holder.user)
    drawn = tab_a.get(decide_url)
    assert "8.00" in page(drawn)
    seen_by_a = hidden_seen(drawn)

    tab_b = as_user(holder.user)
    sent_back = {"decision": "return", "reason": "The shift ended at 9pm"}
    assert tab_b.post(decide_url, sent_back | hidden_seen(tab_b.get(decide_url))).status_code == 302

    pa = as_user(pa_user)
    change_url = reverse("employers:shift_change", args=[timesheet.shifts.get().pk])
    changed = shift_fields("09:00", "21:00") | hidden_seen(pa.get(change_url))
    assert pa.post(change_url, changed).status_code == 302
    send_url = reverse("employers:timesheet_submit", args=[timesheet.pk])
    assert pa.post(send_url, {"confirm": "on"} | hidden_seen(pa.get(send_url))).status_code == 302

    response = tab_a.post(decide_url, {"decision": "approve"} | seen_by_a, follow=True)
    timesheet.refresh_from_db()
    assert (
        f"Dana Brooks changed this timesheet and sent it again at {at(timesheet.submitted_at)}, "
        "after you opened this page. It now has 1 shift, 12.00 hours. Check it, then decide "
        "again. Nothing was changed."
    ) in page(response)
    assert response.redirect_chain[-1][0] == reverse("employers:timesheet", args=[timesheet.pk])
    assert timesheet.status == TimesheetStatus.SUBMITTED
    assert timesheet.shifts.get().hours == D("12.00")

    # Drawn again, the page approves what it shows: 12 hours.
    again = tab_a.get(decide_url)
    assert "12.00" in page(again)
    assert tab_a.post(decide_url, {"decision": "approve"} | hidden_seen(again)).status_code == 302
    timesheet.refresh_from_db()
    assert timesheet.status == TimesheetStatus.APPROVED


def test_a_timesheet_sent_again_unchanged_is_not_said_to_have_changed(holder, pa_user, timesheet):
    services.submit_timesheet(actor=pa_user, timesheet=timesheet)
    version = seen(timesheet)["seen"]
    services.return_timesheet(actor=holder.user, timesheet=timesheet, reason="Check the times")
    services.submit_timesheet(actor=pa_user, timesheet=timesheet)
    with pytest.raises(Conflict) as refused:
        services.return_timesheet(
            actor=holder.user,
            timesheet=timesheet,
            reason="Wrong",
            seen=datetime.datetime.fromisoformat(version),
        )
    timesheet.refresh_from_db()
    assert str(refused.value) == (
        f"Dana Brooks sent this timesheet again at {at(timesheet.submitted_at)}, after you "
        "opened this page. It now has 1 shift, 8.00 hours. Check it, then decide again. "
        "Nothing was changed."
    )
    assert timesheet.status == TimesheetStatus.SUBMITTED


# --- Sending ----------------------------------------------------------------------------


def test_sending_from_a_page_drawn_before_a_shift_was_added_is_refused(pa_user, timesheet):
    """The send page showed one shift of 8 hours; another tab added 4 hours on 3 November:
    the timesheet is not sent with a shift the PA did not confirm."""
    pa = as_user(pa_user)
    send_url = reverse("employers:timesheet_submit", args=[timesheet.pk])
    drawn = hidden_seen(pa.get(send_url))
    services.add_shift(
        actor=pa_user,
        timesheet=timesheet,
        details=services.ShiftDetails(
            kind="day", day=datetime.date(2026, 11, 3), starts=T(9), ends=T(13)
        ),
    )
    response = pa.post(send_url, {"confirm": "on"} | drawn, follow=True)
    assert (
        "Someone changed this timesheet after you opened this page. It now has 2 shifts, 12.00 "
        "hours. Check the shifts, then send it again. The timesheet was not sent."
    ) in page(response)
    timesheet.refresh_from_db()
    assert timesheet.status == TimesheetStatus.DRAFT


# --- Changing and removing a shift ------------------------------------------------------


def test_a_shift_changed_from_a_second_tab_does_not_undo_a_colleagues_change(
    pa_user, holder, timesheet
):
    """Tab A opens the 9am to 5pm shift; the employer makes it 9am to 3pm (6 hours); tab A's
    9am to 4pm is refused, and the employer's change stands."""
    shift = timesheet.shifts.get()
    change_url = reverse("employers:shift_change", args=[shift.pk])
    tab_a = as_user(pa_user)
    drawn = hidden_seen(tab_a.get(change_url))
    colleague = as_user(holder.user)
    theirs = shift_fields("09:00", "15:00") | hidden_seen(colleague.get(change_url))
    assert colleague.post(change_url, theirs).status_code == 302

    response = tab_a.post(change_url, shift_fields("09:00", "16:00") | drawn, follow=True)
    assert (
        "Someone changed this timesheet after you opened this page. The shift is now: Day shift "
        "from Monday 2 November 2026 09:00 to Monday 2 November 2026 15:00, 6.00 hours. Check "
        "it, then change it again. Nothing was changed."
    ) in page(response)
    shift.refresh_from_db()
    assert shift.hours == D("6.00")


def test_a_shift_removed_from_a_page_drawn_before_its_change_is_kept(pa_user, holder, timesheet):
    shift = timesheet.shifts.get()
    remove_url = reverse("employers:shift_remove", args=[shift.pk])
    tab_a = as_user(pa_user)
    drawn = hidden_seen(tab_a.get(remove_url))
    timesheet.refresh_from_db()
    services.change_shift(
        actor=holder.user,
        shift=shift,
        details=services.ShiftDetails(kind="day", day=NOVEMBER_2, starts=T(9), ends=T(15)),
        seen=timesheet.updated_at,
    )
    response = tab_a.post(remove_url, {"remove": "yes"} | drawn, follow=True)
    assert (
        "Someone changed this timesheet after you opened this page. The shift is now: Day shift "
        "from Monday 2 November 2026 09:00 to Monday 2 November 2026 15:00, 6.00 hours. Check "
        "it, then say again whether to remove it. Nothing was changed."
    ) in page(response)
    assert timesheet.shifts.get().hours == D("6.00")


@pytest.mark.parametrize("sent", [None, "", "yesterday", "2026-11-23T10:00:00"])
def test_a_missing_or_garbled_version_says_the_page_is_out_of_date(
    holder, pa_user, timesheet, sent
):
    version = {} if sent is None else {"seen": sent}
    shift = timesheet.shifts.get()
    pa = as_user(pa_user)
    changing = pa.post(
        reverse("employers:shift_change", args=[shift.pk]),
        shift_fields("09:00", "16:00") | version,
    )
    removing = pa.post(
        reverse("employers:shift_remove", args=[shift.pk]), {"remove": "yes"} | version
    )
    sending = pa.post(
        reverse("employers:timesheet_submit", args=[timesheet.pk]), {"confirm": "on"} | version
    )
    for response in (changing, removing, sending):
        assert STALE_PAGE in page(response)
    shift.refresh_from_db()
    assert shift.hours == D("8.00")
    timesheet.refresh_from_db()
    assert timesheet.status == TimesheetStatus.DRAFT

    services.submit_timesheet(actor=pa_user, timesheet=timesheet)
    deciding = as_user(holder.user).post(
        reverse("employers:timesheet_decide", args=[timesheet.pk]),
        {"decision": "approve"} | version,
    )
    assert STALE_PAGE in page(deciding)
    timesheet.refresh_from_db()
    assert timesheet.status == TimesheetStatus.SUBMITTED


# --- Finalising a pay run ---------------------------------------------------------------


APRIL_6 = datetime.date(2026, 4, 6)


@pytest.fixture
def month_1_run(today_is, employer, assistant, pa_employer_support):
    """Month 1 (6 April to 5 May 2026): Dana's four weeks of 5 days of 8 hours, 160 hours at
    £13.50, and Kim's of 5 days of 2 hours, 40 hours at £13.50: gross £2,160.00 and £540.00."""
    today_is(datetime.date(2026, 4, 20))
    kim = PersonalAssistantFactory(employer=employer, full_name="Kim Lee", day_rate=D("13.50"))
    weeks_of(assistant, pa_employer_support, APRIL_6, 4, ShiftKind.DAY, "8.00")
    weeks_of(kim, pa_employer_support, APRIL_6, 4, ShiftKind.DAY, "2.00")
    run = payruns.start_pay_run(actor=pa_employer_support, employer=employer)
    assert [slip.gross_pay for slip in run.payslips.order_by("assistant__full_name")] == [
        D("2160.00"),
        D("540.00"),
    ]
    return run, kim


def test_finalising_from_a_page_drawn_before_the_run_was_worked_out_again_is_refused(
    month_1_run, icb, pa_employer_support
):
    """Finance opens "Finalise" (2 payslips, gross £2,700.00); Kim's day rate is put right to
    £12.75 and employer support works the run out again (gross £2,670.00); finance's finalise
    from the first page is refused, naming who worked it out again and when."""
    run, kim = month_1_run
    finance = staff(Role.FINANCE_OFFICER, icb, "Fay Finance")
    finalise_url = reverse("employers:pay_run_finalise", args=[run.pk])
    finance_tab = as_user(finance)
    drawn = finance_tab.get(finalise_url)
    assert "£2,700.00" in page(drawn)
    seen_by_finance = hidden_seen(drawn)

    kim.day_rate = D("12.75")
    kim.save()
    support = as_user(pa_employer_support)
    recalculate = reverse("employers:pay_run_recalculate", args=[run.pk])
    assert support.post(recalculate).status_code == 302
    run.refresh_from_db()
    assert sum(slip.gross_pay for slip in run.payslips.all()) == D("2670.00")

    response = finance_tab.post(finalise_url, {"checked": "on"} | seen_by_finance, follow=True)
    assert (
        f"{pa_employer_support.full_name} worked this pay run out again at "
        f"{at(run.calculated_at)}, after you opened this page. It now has 2 payslips, with "
        "gross pay of £2,670.00. Check every payslip, then finalise it. Nothing was changed."
    ) in page(response)
    assert response.redirect_chain[-1][0] == reverse("employers:pay_run", args=[run.pk])
    run.refresh_from_db()
    assert run.status == PayRunStatus.DRAFT

    again = finance_tab.get(finalise_url)
    assert "£2,670.00" in page(again)
    assert finance_tab.post(finalise_url, {"checked": "on"} | hidden_seen(again)).status_code == 302
    run.refresh_from_db()
    assert run.status == PayRunStatus.FINALISED
    assert run.finalised_by == finance


@pytest.mark.parametrize("sent", [None, "", "yesterday"])
def test_finalising_without_the_pages_version_says_the_page_is_out_of_date(
    month_1_run, pa_employer_support, sent
):
    run, _ = month_1_run
    version = {} if sent is None else {"seen": sent}
    response = as_user(pa_employer_support).post(
        reverse("employers:pay_run_finalise", args=[run.pk]), {"checked": "on"} | version
    )
    assert STALE_PAGE in page(response)
    run.refresh_from_db()
    assert run.status == PayRunStatus.DRAFT


def test_working_a_run_out_again_keeps_every_pas_payslip(month_1_run, pa_employer_support):
    """What the reviewer saw (2 payslips, then 1) is not what working out again does with the
    same approved timesheets: both PAs are paid again, to the penny."""
    run, _ = month_1_run
    run = payruns.recalculate_pay_run(actor=pa_employer_support, run=run)
    assert [
        (slip.assistant.full_name, slip.gross_pay)
        for slip in run.payslips.order_by("assistant__full_name")
    ] == [("Dana Brooks", D("2160.00")), ("Kim Lee", D("540.00"))]


# --- Recording leaving twice -------------------------------------------------------------


def test_a_second_record_leaving_says_when_and_why_and_who_recorded_it(
    employer, pa_employer_support
):
    kim = PersonalAssistantFactory(employer=employer, full_name="Kim Lee")
    url = reverse("employers:pa_leaving", args=[kim.pk])
    older_tab = as_user(pa_employer_support)
    assert older_tab.get(url).status_code == 200
    colleague = staff(Role.PA_EMPLOYER_SUPPORT, employer.budget_holder.organisation, "Sam Patel")
    left = {
        "left_on_day": "20",
        "left_on_month": "11",
        "left_on_year": "2026",
        "reason": "Moved to Leeds",
    }
    assert as_user(colleague).post(url, left).status_code == 302
    kim.refresh_from_db()
    assert kim.status == PersonalAssistantStatus.LEFT

    again = left | {"left_on_day": "21", "reason": "Resigned"}
    response = older_tab.post(url, again, follow=True)
    assert (
        f"Kim Lee has already left: Sam Patel recorded their leaving at {at(kim.updated_at)}. "
        "They left on 20 November 2026. Why they left: Moved to Leeds. Nothing was changed."
    ) in page(response)
    kim.refresh_from_db()
    assert (kim.left_on, kim.left_reason) == (datetime.date(2026, 11, 20), "Moved to Leeds")
