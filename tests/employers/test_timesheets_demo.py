"""The demo timesheets: approved ones for last month for each PA of a demo employer, one
waiting for approval, nothing without a demo employer, and the same again on a second run."""

import pytest

from employers.demo_timesheets import seed_timesheets
from employers.models import Timesheet, TimesheetStatus
from tests.employers.factories import EmployerFactory, PaUserFactory, PersonalAssistantFactory
from tests.factories import BudgetHolderFactory, HolderUserFactory

pytestmark = pytest.mark.django_db


def test_nothing_is_made_without_a_demo_employer(icb):
    EmployerFactory(budget_holder=BudgetHolderFactory(organisation=icb, user=HolderUserFactory()))
    seed_timesheets()
    assert not Timesheet.objects.exists()


def test_the_demo_employers_pas_have_timesheets_once(icb):
    holder = BudgetHolderFactory(organisation=icb, user=HolderUserFactory(is_demo=True))
    employer = EmployerFactory(budget_holder=holder)
    PersonalAssistantFactory(employer=employer, user=PaUserFactory(), full_name="Amy Able")
    PersonalAssistantFactory(employer=employer, full_name="Ben Best")
    seed_timesheets()
    seed_timesheets()
    approved = Timesheet.objects.filter(status=TimesheetStatus.APPROVED)
    # Today is 23 November 2026: last month is October.
    assert sorted((t.assistant.full_name, str(t.starts_on), str(t.ends_on)) for t in approved) == [
        ("Amy Able", "2026-10-01", "2026-10-31"),
        ("Ben Best", "2026-10-01", "2026-10-31"),
    ]
    waiting = Timesheet.objects.get(status=TimesheetStatus.SUBMITTED)
    assert waiting.assistant.full_name == "Amy Able"
    assert waiting.submitted_by == waiting.assistant.user
    assert str(waiting.starts_on) == "2026-11-01"
    assert Timesheet.objects.count() == 3
    # Mondays, Wednesdays and Fridays 9 to 1, Tuesday waking nights 10 to 7: October 2026
    # (to the 30th) has 13 such mornings and 4 Tuesdays.
    october = approved.get(assistant__full_name="Ben Best")
    assert october.shifts.count() == 17
    assert sum(shift.hours for shift in october.shifts.all()) == 13 * 4 + 4 * 9
