"""Pay runs: sick days paid late beside this period's (no engine check can lock the run),
a starter's P45 pay and tax in the figures to date, the payslip's pension and year-to-date
words, and a shift outside the PA's employment never paid silently."""

import datetime
from decimal import Decimal as D
from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string

from employers import payroll
from employers import payroll_selectors as selectors
from employers.models import PayRunStatus, PersonalAssistantStatus, ShiftKind, TaxBasis
from employers.payroll_presenters import deduction_rows, detail_rows
from employers.payslip_documents import _context
from employers.services import payruns
from tests.employers.factories import EmployerFactory, PersonalAssistantFactory
from tests.employers.factories_payroll import approved_timesheet, weeks_of

pytestmark = pytest.mark.django_db

JULY_6 = datetime.date(2026, 7, 6)
AUGUST_6 = datetime.date(2026, 8, 6)
OCTOBER_6 = datetime.date(2026, 10, 6)


@pytest.fixture
def employer(holder, pa_employer_support):
    return EmployerFactory(budget_holder=holder, created_by=pa_employer_support)


def weekdays(first: datetime.date, last: datetime.date) -> list[int]:
    """The day offsets from `first` of the weekdays up to `last`."""
    return [
        offset
        for offset in range((last - first).days + 1)
        if (first + datetime.timedelta(days=offset)).weekday() < 5
    ]


def rows(found) -> dict:
    return {row["key"]["text"]: row["value"]["text"] for row in found}


def test_sick_days_paid_late_do_not_lock_the_next_run(employer, pa_employer_support):
    """Monthly. Month 4 (6 July to 5 August 2026) is run and finalised for Ben. Then Alice's
    timesheet for 6 July to 5 August, 23 weekdays off sick, is approved (too late for month 4),
    and her timesheet for 6 August to 5 September, 22 weekdays off sick. Month 5's run pays
    both: before the fix it showed "Sick days in this pay period must be from 0 to 25" and could
    never be finalised.

    No payslips before, so her average weekly earnings are her 20 contracted hours x £13.50 =
    £270.00; 80% is £216.00, more than £123.25: £123.25 a week over 5 qualifying days, £24.65 a
    day. Arrears 23 x 24.65 = £566.95; this month 22 x 24.65 = £542.30; £1,109.25 in all."""
    alice = PersonalAssistantFactory(employer=employer, full_name="Alice Able")
    ben = PersonalAssistantFactory(employer=employer, full_name="Ben Brown")
    weeks_of(ben, pa_employer_support, JULY_6, 1, ShiftKind.DAY, "8.00")
    month_4 = payruns.start_pay_run(actor=pa_employer_support, employer=employer)
    assert (month_4.period_starts_on, month_4.period_ends_on) == (
        JULY_6,
        datetime.date(2026, 8, 5),
    )
    payruns.finalise_pay_run(actor=pa_employer_support, run=month_4)
    late = weekdays(JULY_6, datetime.date(2026, 8, 5))
    this = weekdays(AUGUST_6, datetime.date(2026, 9, 5))
    assert (len(late), len(this)) == (23, 22)
    approved_timesheet(
        alice, pa_employer_support, JULY_6, [(ShiftKind.SICK, d, "8.00") for d in late], days=30
    )
    approved_timesheet(
        alice, pa_employer_support, AUGUST_6, [(ShiftKind.SICK, d, "8.00") for d in this], days=30
    )
    month_5 = payruns.start_pay_run(actor=pa_employer_support, employer=employer)
    assert month_5.period_number == 5
    assert month_5.problems == ""
    slip = month_5.payslips.get(assistant=alice)
    assert slip.statutory_sick_pay == D("1109.25")
    assert slip.gross_pay == D("1109.25")
    assert [(line.description, line.amount) for line in slip.lines.order_by("position")] == [
        ("Statutory Sick Pay paid late, for earlier pay periods (23 days)", D("566.95")),
        ("Statutory Sick Pay (22 days)", D("542.30")),
    ]
    assert (
        "Includes the timesheet for 6 July 2026 to 5 August 2026, approved after that period's "
        "pay run: paid now, as arrears" in slip.warnings
    )
    finalised = payruns.finalise_pay_run(actor=pa_employer_support, run=month_5)
    assert finalised.status == PayRunStatus.FINALISED


def test_worked_hours_paid_late_have_lines_of_their_own(employer, pa_employer_support):
    """Month 4 is run for Ben; then Alice's timesheet for 6 to 12 July (5 days of 8 hours) is
    approved late, and one for 6 to 12 August (the same). Month 5 pays 40 hours late and 40
    this month, each at £13.50 = £540.00, on their own lines: £1,080.00."""
    alice = PersonalAssistantFactory(employer=employer, full_name="Alice Able")
    ben = PersonalAssistantFactory(employer=employer, full_name="Ben Brown")
    weeks_of(ben, pa_employer_support, JULY_6, 1, ShiftKind.DAY, "8.00")
    payruns.finalise_pay_run(
        actor=pa_employer_support,
        run=payruns.start_pay_run(actor=pa_employer_support, employer=employer),
    )
    weeks_of(alice, pa_employer_support, JULY_6, 1, ShiftKind.DAY, "8.00")
    weeks_of(alice, pa_employer_support, AUGUST_6, 1, ShiftKind.DAY, "8.00")
    slip = payruns.start_pay_run(actor=pa_employer_support, employer=employer).payslips.get()
    assert [
        (line.description, line.hours, line.amount) for line in slip.lines.order_by("position")
    ] == [
        ("Day hours, 6 July to 12 July 2026, paid late", D("40.00"), D("540.00")),
        ("Day hours", D("40.00"), D("540.00")),
    ]
    assert slip.gross_pay == D("1080.00")


def test_an_engine_refusal_is_explained_in_plain_words(employer, pa_employer_support, monkeypatch):
    """Should the engine ever refuse what the service gives it, the run says what happened
    and what to do, not the engine's words alone."""
    alice = PersonalAssistantFactory(employer=employer, full_name="Alice Able")
    weeks_of(alice, pa_employer_support, JULY_6, 1, ShiftKind.DAY, "8.00")

    def refuse(*args, **kwargs):
        raise payroll.PayrollInputError("Sick days in this pay period must be from 0 to 25")

    monkeypatch.setattr(payroll, "calculate_payslip", refuse)
    run = payruns.start_pay_run(actor=pa_employer_support, employer=employer)
    assert run.problem_list == [
        "Alice Able: this service could not work out their pay for this period (the payroll "
        "engine said: Sick days in this pay period must be from 0 to 25). Nothing on their "
        "record or timesheets needs changing: ask the PHB team to report it, and meanwhile pay "
        "them through a payroll bureau"
    ]


@pytest.fixture
def starter(employer):
    """Started on 6 October 2026 (month 7) on 1257L cumulative, with a P45 showing £15,000 pay
    and £1,800 tax in earlier jobs this tax year."""
    return PersonalAssistantFactory(
        employer=employer,
        full_name="Sam Starter",
        starts_on=OCTOBER_6,
        previous_pay=D("15000.00"),
        previous_tax=D("1800.00"),
    )


def test_a_starters_p45_counts_in_the_tax_to_date(employer, starter, pa_employer_support):
    """Month 7: 160 hours x £13.50 = £2,160. Pay to date 15,000 + 2,160 = £17,160; free pay
    1,048.26 x 7 = £7,337.82; taxable 9,822.18 -> £9,822 x 20% = £1,964.40 (within the basic
    band to date, 37,700 x 7 / 12 -> £21,992); less £1,800 paid = £164.40. Before the fix the
    P45 could not be entered: £2,160 to date is under the £7,337.82 of free pay, so tax was
    £0.00.

    Month 8, the same pay: pay to date 17,160 + 2,160 = £19,320; free pay 1,048.26 x 8 =
    £8,386.08; taxable £10,933 x 20% = £2,186.60 less 1,964.40 = £222.20, the P45 counted
    again (it is part of every to-date figure of the tax year)."""
    weeks_of(starter, pa_employer_support, OCTOBER_6, 4, ShiftKind.DAY, "8.00")
    month_7 = payruns.start_pay_run(actor=pa_employer_support, employer=employer)
    slip = month_7.payslips.get()
    assert (month_7.tax_period, slip.gross_pay, slip.tax) == (7, D("2160.00"), D("164.40"))
    assert (slip.taxable_pay_to_date, slip.tax_paid_to_date) == (D("17160.00"), D("1964.40"))
    assert (slip.previous_pay, slip.previous_tax) == (D("15000.00"), D("1800.00"))
    details = rows(detail_rows(slip))
    assert details["Taxable pay this tax year, including £15,000.00 from previous jobs"] == (
        "£17,160.00"
    )
    assert details["Tax paid this tax year, including £1,800.00 in previous jobs"] == "£1,964.40"
    payruns.finalise_pay_run(actor=pa_employer_support, run=month_7)
    weeks_of(starter, pa_employer_support, datetime.date(2026, 11, 6), 4, ShiftKind.DAY, "8.00")
    month_8 = payruns.start_pay_run(actor=pa_employer_support, employer=employer)
    assert month_8.payslips.get().tax == D("222.20")


def test_p45_figures_are_not_used_on_week_1_basis_or_in_a_later_tax_year(starter):
    run = SimpleNamespace(tax_year_start=datetime.date(2026, 4, 6))
    assert payruns.previous_jobs_to_date(run, starter) == (D("15000.00"), D("1800.00"))
    run.tax_year_start = datetime.date(2027, 4, 6)
    assert payruns.previous_jobs_to_date(run, starter) == (D("0.00"), D("0.00"))
    run.tax_year_start = datetime.date(2026, 4, 6)
    starter.tax_basis = TaxBasis.NON_CUMULATIVE
    assert payruns.previous_jobs_to_date(run, starter) == (D("0.00"), D("0.00"))


def test_the_payslip_shows_the_whole_pension_contribution_and_the_relief(
    employer, pa_employer_support
):
    """£2,160 in month 1: qualifying earnings 2,160 - 520 = £1,640; the PA's 5% is £82.00, of
    which £16.40 is basic-rate relief the scheme claims from HMRC, so £65.60 comes off pay.
    The page and the PDF say so; before, they showed only 'Workplace pension £65.60'."""
    alice = PersonalAssistantFactory(employer=employer, full_name="Alice Able")
    weeks_of(alice, pa_employer_support, datetime.date(2026, 4, 6), 4, ShiftKind.DAY, "8.00")
    run = payruns.start_pay_run(actor=pa_employer_support, employer=employer)
    run = payruns.finalise_pay_run(actor=pa_employer_support, run=run)
    slip = selectors.payslip_by_id(run.payslips.get().pk)
    words = (
        "Workplace pension (5%, £82.00, less tax relief of £16.40 that the scheme claims from HMRC)"
    )
    assert rows(deduction_rows(slip))[words] == "£65.60"
    pdf = " ".join(
        render_to_string("employers/payroll/documents/payslip.html", _context(slip, None)).split()
    )
    assert f'<th scope="row">{words}</th><td>£65.60</td>' in pdf
    assert "Taxable pay this tax year: £2,160.00. Tax paid this tax year: £222.20." in pdf


def test_a_shift_after_the_leaving_date_is_not_paid_silently(employer, pa_employer_support):
    """A shift on 8 June 2026 approved before the PA's leaving on 7 June was recorded (before
    the leaving date was checked against the shifts): the run pays it but says so."""
    alice = PersonalAssistantFactory(employer=employer, full_name="Alice Able")
    approved_timesheet(
        alice, pa_employer_support, datetime.date(2026, 6, 6), [(ShiftKind.DAY, 2, "8.00")]
    )
    alice.status = PersonalAssistantStatus.LEFT
    alice.left_on = datetime.date(2026, 6, 7)
    alice.left_reason = "Moved"
    alice.save()
    slip = payruns.start_pay_run(actor=pa_employer_support, employer=employer).payslips.get()
    assert (
        "Pays a shift on 8 June 2026, after they left on 7 June 2026: check it with them"
        in slip.warning_list
    )
