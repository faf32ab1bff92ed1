"""The employers' part of the route × role matrix (tests/test_route_matrix.py): the PA
actors, the records their routes name, and each part's routes. Each part (employers and PAs,
timesheets, payroll) adds its routes to its own dict below and its records to `universe`."""

import datetime

from employers.services import timesheets
from tests.employers.factories import EmployerFactory, PaUserFactory, PersonalAssistantFactory
from tests.employers.factories_delegation import delegation_universe
from tests.employers.factories_employers import EmploymentIssueFactory
from tests.employers.factories_payroll import matrix_pay_runs
from tests.employers.factories_training import matrix_training

# A PA of the holder's employer, and a PA of the other holder's: each sees only their own.
PA_ACTORS = ("pa", "other_pa")


def universe(users: dict, holder, other_holder) -> dict:
    """Employers for the matrix's holder and other holder, a PA with a sign-in for each, and
    the records the employers' routes name. Adds the PA actors to `users`."""
    employer = EmployerFactory(budget_holder=holder, created_by=users["pa_support"])
    other_employer = EmployerFactory(budget_holder=other_holder, created_by=users["pa_support"])
    users["pa"] = PaUserFactory()
    users["other_pa"] = PaUserFactory()
    pa = PersonalAssistantFactory(employer=employer, user=users["pa"])
    issue = EmploymentIssueFactory(employer=employer, assistant=pa, recorded_by=users["pa_support"])
    other_pa = PersonalAssistantFactory(employer=other_employer, user=users["other_pa"])
    return {
        "employer": {"pk": employer.pk},
        "other_employer": {"pk": other_employer.pk},
        "assistant": {"pk": pa.pk},
        "other_assistant": {"pk": other_pa.pk},
        "employer_section": {"pk": employer.pk, "section": "paye"},
        "issue": {"pk": issue.pk},
        **timesheets_universe(users, pa),
        **matrix_pay_runs(users, employer, pa),
        **matrix_training(users, pa),
        **delegation_universe(users, holder, pa),
    }


def timesheets_universe(users: dict, pa) -> dict:
    """The PA's draft timesheet with a shift, and one sent for approval."""

    def sheet(first, last, shift_day):
        timesheet = timesheets.start_timesheet(
            actor=users["pa"], assistant=pa, starts_on=first, ends_on=last
        )
        details = timesheets.ShiftDetails(
            kind="day", day=shift_day, starts=datetime.time(9), ends=datetime.time(13)
        )
        shift = timesheets.add_shift(actor=users["pa"], timesheet=timesheet, details=details)
        return timesheet, shift

    draft, shift = sheet(
        datetime.date(2026, 11, 1), datetime.date(2026, 11, 30), datetime.date(2026, 11, 2)
    )
    submitted, _ = sheet(
        datetime.date(2026, 10, 1), datetime.date(2026, 10, 31), datetime.date(2026, 10, 5)
    )
    timesheets.submit_timesheet(actor=users["pa"], timesheet=submitted)
    return {
        "draft_timesheet": {"pk": draft.pk},
        "shift": {"pk": shift.pk},
        "submitted_timesheet": {"pk": submitted.pk},
    }
