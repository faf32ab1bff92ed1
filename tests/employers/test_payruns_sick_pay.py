"""Pay runs: Statutory Sick Pay's average weekly earnings (from the pay of the 8 weeks before
the sickness, else the PA's contract, and never a silent £0) and its qualifying days (the days
of the week the PA works, not only those on this period's timesheets). 2026/27: the lower of
£123.25 a week and 80% of average weekly earnings, from the first day."""

import datetime
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from employers.models import ShiftKind
from employers.services import payruns
from tests.employers.factories import EmployerFactory, PersonalAssistantFactory
from tests.employers.factories_payroll import approved_timesheet, weeks_of

pytestmark = pytest.mark.django_db

APRIL_6 = datetime.date(2026, 4, 6)  # a Monday
MAY_11 = datetime.date(2026, 5, 11)  # a Monday, in month 2 (6 May to 5 June)
JUNE_8 = datetime.date(2026, 6, 8)  # a Monday, in month 3 (6 June to 5 July)
JULY_6 = datetime.date(2026, 7, 6)  # a Monday, in month 4 (6 July to 5 August)


@pytest.fixture
def employer(holder, pa_employer_support):
    return EmployerFactory(budget_holder=holder, created_by=pa_employer_support)


def two_days_worked_two_sick(shift=ShiftKind.DAY):
    """Monday to Wednesday worked (8 hours each), off sick on Thursday and Friday."""
    return [(shift, day, "8.00") for day in range(3)] + [
        (ShiftKind.SICK, 3, "8.00"),
        (ShiftKind.SICK, 4, "8.00"),
    ]


def run_and_finalise(actor, employer):
    return payruns.finalise_pay_run(
        actor=actor, run=payruns.start_pay_run(actor=actor, employer=employer)
    )


def lines(slip) -> list:
    return [(line.description, line.amount) for line in slip.lines.order_by("position")]


@pytest.mark.parametrize(
    ("blank", "words"),
    [
        ({"contracted_hours": None}, "hours a week"),
        ({"contracted_hours": D("0.00")}, "hours a week"),
        ({"day_rate": None}, "day rate"),
        ({"contracted_hours": None, "day_rate": None}, "hours a week and day rate"),
    ],
)
def test_sick_pay_that_cannot_be_worked_out_stops_the_run(
    employer, pa_employer_support, blank, words
):
    """No pay through this service before the sickness, so average weekly earnings come from
    the contract: hours a week x the hourly rate. With the hours a week blank (or 0), or no
    hourly rate for them, they cannot be worked out (off sick Thursday and Friday, 9 and 10
    April, nothing worked): the run says what to enter and cannot be
    finalised, instead of paying £0.00 sick pay with no line and no warning."""
    alice = PersonalAssistantFactory(
        employer=employer, full_name="Alice Able", night_rate=None, waking_night_rate=None, **blank
    )
    sick = [(ShiftKind.SICK, 3, "8.00"), (ShiftKind.SICK, 4, "8.00")]
    approved_timesheet(alice, pa_employer_support, APRIL_6, sick)
    run = payruns.start_pay_run(actor=pa_employer_support, employer=employer)
    assert run.problem_list == [
        "Alice Able: their Statutory Sick Pay cannot be worked out. This service has not paid "
        "them for long enough before they were off sick to average their pay, so it comes from "
        f"their contract: enter their {words} on their record, then recalculate"
    ]
    assert not run.payslips.exists()
    with pytest.raises(ValidationError, match="cannot be finalised"):
        payruns.finalise_pay_run(actor=pa_employer_support, run=run)


def test_a_pa_paid_only_by_night_has_sick_pay_from_their_night_rate(employer, pa_employer_support):
    """No day rate; 30 hours a week at the night rate, £14.50, their only hourly rate:
    £435.00 a week, 80% is £348.00, more than £123.25. Nights Monday to Wednesday, off sick
    Thursday and Friday: 123.25 x 2 / 5 = £49.30."""
    ben = PersonalAssistantFactory(
        employer=employer,
        full_name="Ben Brown",
        contracted_hours=D("30.00"),
        day_rate=None,
        waking_night_rate=None,
    )
    approved_timesheet(ben, pa_employer_support, APRIL_6, two_days_worked_two_sick(ShiftKind.NIGHT))
    run = payruns.start_pay_run(actor=pa_employer_support, employer=employer)
    assert run.problems == ""
    slip = run.payslips.get()
    assert lines(slip) == [
        ("Night hours", D("348.00")),  # 24 hours x £14.50
        ("Statutory Sick Pay (2 days)", D("49.30")),
    ]


def test_sick_pay_divides_by_the_days_a_week_the_pa_works_not_this_periods_timesheet(
    employer, pa_employer_support
):
    """Alice works Monday to Friday: 4 weeks of it from 6 April, paid in month 1. In month 2
    her only timesheet, for the week of 11 May, shows Monday and Tuesday worked and Wednesday
    off sick. Her qualifying days are the days of the week she worked in the 8 weeks to the end
    of the pay period (11 April to 5 June): Monday to Friday, 5, not the 3 on this timesheet.
    Average weekly earnings from her contract (this service did not pay her for the 8 weeks
    before 13 May): 20 hours x £13.50 = £270.00, 80% is £216.00, more than £123.25.
    SSP = 123.25 / 5 = £24.65, not 123.25 / 3 = £41.09."""
    alice = PersonalAssistantFactory(employer=employer, full_name="Alice Able")
    weeks_of(alice, pa_employer_support, APRIL_6, 4, ShiftKind.DAY, "8.00")
    run_and_finalise(pa_employer_support, employer)
    approved_timesheet(
        alice,
        pa_employer_support,
        MAY_11,
        [(ShiftKind.DAY, 0, "8.00"), (ShiftKind.DAY, 1, "8.00"), (ShiftKind.SICK, 2, "8.00")],
    )
    slip = payruns.start_pay_run(actor=pa_employer_support, employer=employer).payslips.get()
    assert lines(slip) == [
        ("Day hours", D("216.00")),
        ("Statutory Sick Pay (1 day)", D("24.65")),
    ]


def test_a_part_month_first_payslip_is_not_the_pas_average_weekly_earnings(
    employer, pa_employer_support
):
    """Cleo starts on Monday 27 April 2026, 30 hours a week at £12.71. Month 1 pays her 4
    days of 4 hours: 16 x £12.71 = £203.36. In month 2 she works Monday to Wednesday, 11 to
    13 May (12 hours, £152.52), and is off sick Thursday and Friday. She has not been paid for
    the 8 weeks before her sickness (pay days 5 March to 5 May), so her average weekly earnings
    are her contract's, 30 x £12.71 = £381.30 (not £203.36 / (52 / 12) = £46.93); 80% is
    £305.04, more than £123.25. Qualifying days Monday to Friday: 123.25 x 2 / 5 = £49.30
    (not 80% of £46.93 x 2 / 5 = £15.02)."""
    cleo = PersonalAssistantFactory(
        employer=employer,
        full_name="Cleo Cole",
        starts_on=datetime.date(2026, 4, 27),
        contracted_hours=D("30.00"),
        day_rate=D("12.71"),
    )
    approved_timesheet(
        cleo,
        pa_employer_support,
        datetime.date(2026, 4, 27),
        [(ShiftKind.DAY, day, "4.00") for day in range(4)],
    )
    first = run_and_finalise(pa_employer_support, employer)
    assert first.payslips.get().gross_pay == D("203.36")
    approved_timesheet(
        cleo,
        pa_employer_support,
        MAY_11,
        [(ShiftKind.DAY, day, "4.00") for day in range(3)]
        + [(ShiftKind.SICK, 3, "4.00"), (ShiftKind.SICK, 4, "4.00")],
    )
    slip = payruns.start_pay_run(actor=pa_employer_support, employer=employer).payslips.get()
    assert lines(slip) == [
        ("Day hours", D("152.52")),
        ("Statutory Sick Pay (2 days)", D("49.30")),
    ]


def test_average_weekly_earnings_are_the_pay_of_the_8_weeks_before_the_sickness(
    employer, pa_employer_support
):
    """Alice is paid £540.00 in month 1 (pay day 5 May) and £540.00 in month 3 (5 July), and
    nothing in month 2. She is off sick on Monday 6 and Tuesday 7 July, in month 4. The last pay
    day before the sickness is 5 July; the last one at least 8 weeks before that is 5 May, so
    the 8 weeks are the pay days after 5 May up to 5 July: months 2 and 3, £0 + £540.00 =
    £540.00 over 2 months, x 12 / 52 / 2 = £62.31 a week (not the last two payslips',
    £1,080.00 over 2 months, £124.62). 80% is £49.848, less than £123.25; worked Wednesday to
    Friday, so 5 qualifying days: 49.848 x 2 / 5 = 19.9392, rounded up to £19.94."""
    alice = PersonalAssistantFactory(employer=employer, full_name="Alice Able")
    weeks_of(alice, pa_employer_support, APRIL_6, 1, ShiftKind.DAY, "8.00")
    run_and_finalise(pa_employer_support, employer)
    weeks_of(alice, pa_employer_support, JUNE_8, 1, ShiftKind.DAY, "8.00")
    assert run_and_finalise(pa_employer_support, employer).period_number == 3
    approved_timesheet(
        alice,
        pa_employer_support,
        JULY_6,
        [(ShiftKind.SICK, 0, "8.00"), (ShiftKind.SICK, 1, "8.00")]
        + [(ShiftKind.DAY, day, "8.00") for day in (2, 3, 4)],
    )
    run = payruns.start_pay_run(actor=pa_employer_support, employer=employer)
    assert run.period_number == 4
    assert lines(run.payslips.get()) == [
        ("Day hours", D("324.00")),
        ("Statutory Sick Pay (2 days)", D("19.94")),
    ]


def test_no_pay_in_the_8_weeks_before_the_sickness_is_said_not_paid_silently(
    employer, pa_employer_support
):
    """Alice is paid in month 1 (pay day 5 May), then nothing until she is off sick on Monday 6
    and Tuesday 7 July. Her pay in the 8 weeks before (pay days 6 May to 5 July) is £0, so 80%
    of it is £0 and no sick pay is due: the payslip has no sick pay line, and says why."""
    alice = PersonalAssistantFactory(employer=employer, full_name="Alice Able")
    weeks_of(alice, pa_employer_support, APRIL_6, 1, ShiftKind.DAY, "8.00")
    run_and_finalise(pa_employer_support, employer)
    approved_timesheet(
        alice,
        pa_employer_support,
        JULY_6,
        [(ShiftKind.SICK, 0, "8.00"), (ShiftKind.SICK, 1, "8.00"), (ShiftKind.DAY, 2, "8.00")],
    )
    run = payruns.start_pay_run(actor=pa_employer_support, employer=employer)
    slip = run.payslips.get()
    assert lines(slip) == [("Day hours", D("108.00"))]
    assert slip.warning_list == [
        "No Statutory Sick Pay for 2 sick days: it is 80% of their average weekly earnings, "
        "and this service paid them nothing from 6 May 2026 to 5 July 2026, the period their "
        "average is taken over"
    ]
