"""Pay runs end to end: approved timesheets priced, every figure worked out by the engine and
stored, the Employment Allowance carried across PAs, finalising (once), corrections, what the
database refuses, and the actual PA spend against the budget."""

import csv
import datetime
import re
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, InternalError, transaction
from django.template.loader import render_to_string
from django.urls import reverse

from budgets.models import HoldingMethod
from employers import payroll
from employers import payroll_selectors as selectors
from employers.models import (
    PaidTimesheet,
    PayRun,
    PayRunStatus,
    Payslip,
    PayslipLine,
    PensionChoice,
    ShiftKind,
    StudentLoanPlan,
    TaxYearRateSet,
)
from employers.payroll_presenters import BUREAU_HEADER, bureau_csv, cost_rows, deduction_rows
from employers.services import payruns
from tests.budgets.factories import LocalRateSetFactory, agreed_budget, chc_package
from tests.employers.factories import EmployerFactory, PersonalAssistantFactory
from tests.employers.factories_payroll import approved_timesheet, weeks_of
from tests.employers.test_payroll import FIGURES

APRIL_6 = datetime.date(2026, 4, 6)
FROZEN = (IntegrityError, InternalError)


@pytest.fixture
def month_1(today_is):
    today_is(datetime.date(2026, 4, 20))


@pytest.fixture
def employer(holder, pa_employer_support):
    return EmployerFactory(budget_holder=holder, created_by=pa_employer_support)


@pytest.fixture
def alice(employer):
    """1257L, cumulative, auto-enrolment: 160 day hours at £13.50 in April."""
    return PersonalAssistantFactory(
        employer=employer, full_name="Alice Able", date_of_birth=datetime.date(1990, 6, 1)
    )


@pytest.fixture
def ben(employer):
    """BR, opted out of the pension: 10 nights at £14.50 an hour and 4 sleep-ins at £90."""
    return PersonalAssistantFactory(
        employer=employer,
        full_name="Ben Brown",
        tax_code="BR",
        pension_choice=PensionChoice.OPTED_OUT,
    )


@pytest.fixture
def april_timesheets(alice, ben, pa_employer_support):
    weeks_of(alice, pa_employer_support, APRIL_6, 4, ShiftKind.DAY, "8.00")
    for week in range(2):
        approved_timesheet(
            ben,
            pa_employer_support,
            APRIL_6 + datetime.timedelta(days=7 * week),
            [(ShiftKind.NIGHT, day, "8.00") for day in range(5)]
            + [(ShiftKind.SLEEP_IN, day, "8.00") for day in (5, 6)],
        )


def test_the_seeded_2026_27_figures_are_the_engines_worked_figures(db):
    assert TaxYearRateSet.objects.in_force_on(datetime.date(2026, 11, 23)).figures() == FIGURES
    assert TaxYearRateSet.objects.in_force_on(datetime.date(2026, 4, 5)) is None


@pytest.mark.parametrize(
    ("frequency", "day", "number", "starts", "ends", "tax_period"),
    [
        ("monthly", datetime.date(2026, 4, 6), 1, (2026, 4, 6), (2026, 5, 5), 1),
        ("monthly", datetime.date(2027, 1, 5), 9, (2026, 12, 6), (2027, 1, 5), 9),
        ("monthly", datetime.date(2027, 4, 5), 12, (2027, 3, 6), (2027, 4, 5), 12),
        ("weekly", datetime.date(2026, 4, 12), 1, (2026, 4, 6), (2026, 4, 12), 1),
        ("fortnightly", datetime.date(2026, 4, 20), 2, (2026, 4, 20), (2026, 5, 3), 4),
        ("four_weekly", datetime.date(2027, 4, 5), 14, (2027, 4, 5), (2027, 4, 5), 56),
        ("weekly", datetime.date(2027, 4, 5), 53, (2027, 4, 5), (2027, 4, 5), 53),
    ],
)
def test_pay_periods_count_from_6_april(frequency, day, number, starts, ends, tax_period):
    period = payruns.period_containing(frequency, day)
    assert (period.number, period.starts_on, period.ends_on) == (
        number,
        datetime.date(*starts),
        datetime.date(*ends),
    )
    assert payruns.tax_period_of(frequency, period) == tax_period


@pytest.mark.django_db
def test_a_monthly_run_for_two_pas_from_approved_timesheets(
    month_1, employer, alice, ben, april_timesheets, pa_employer_support
):
    """Month 1 (6 April to 5 May 2026), the employer claiming the Employment Allowance.

    Alice: 160 hours x £13.50 = £2,160.00. Tax 1257L: free pay £1,048.26, taxable 1,111.74
    down to £1,111, x 20% = £222.20. NI (2,160 - 1,048) x 8% = £88.96; employer
    (2,160 - 417) x 15% = £261.45, all set against the allowance. Pension: enrolled now,
    qualifying 2,160 - 520 = 1,640: PA 5% £82.00 less relief at source = £65.60 deducted,
    employer 3% £49.20. Net 2,160 - 222.20 - 88.96 - 65.60 = £1,783.24; cost
    2,160 + 0 + 49.20 = £2,209.20.

    Ben: 80 night hours x £14.50 = £1,160.00 + 4 sleep-ins x £90 = £360.00: £1,520.00. BR:
    1,520 x 20% = £304.00. NI (1,520 - 1,048) x 8% = £37.76; employer (1,520 - 417) x 15%
    = £165.45, against what is left of the allowance. Opted out. Net £1,178.24; cost £1,520.00.
    """
    run = payruns.start_pay_run(actor=pa_employer_support, employer=employer)
    assert (run.period_number, run.tax_period, run.pay_date) == (1, 1, datetime.date(2026, 5, 5))
    assert run.problems == ""
    a = run.payslips.get(assistant=alice)
    assert a.gross_pay == D("2160.00")
    assert a.tax == D("222.20")
    assert a.employee_ni == D("88.96")
    assert a.employer_ni_before_allowance == D("261.45")
    assert a.employment_allowance_used == D("261.45")
    assert a.employer_ni == D("0.00")
    assert a.pension_employee_deduction == D("65.60")
    assert a.pension_employer_contribution == D("49.20")
    assert a.pension_enrolled_now
    assert a.net_pay == D("1783.24")
    assert a.employer_cost == D("2209.20")
    assert a.hours_worked == D("160.00")
    assert (a.ni_earnings_up_to_lel, a.ni_earnings_lel_to_pt, a.ni_earnings_pt_to_uel) == (
        D("559.00"),
        D("489.00"),
        D("1112.00"),
    )
    b = run.payslips.get(assistant=ben)
    assert [(line.description, line.amount) for line in b.lines.order_by("position")] == [
        ("Night hours", D("1160.00")),
        ("Sleep-ins (4 nights)", D("360.00")),
    ]
    assert b.gross_pay == D("1520.00")
    assert b.tax == D("304.00")
    assert b.employee_ni == D("37.76")
    assert b.employment_allowance_used == D("165.45")
    assert b.pension_employee_deduction == D("0.00")
    assert b.net_pay == D("1178.24")
    assert b.employer_cost == D("1520.00")

    run = payruns.finalise_pay_run(actor=pa_employer_support, run=run)
    assert run.status == PayRunStatus.FINALISED
    assert run.finalised_by == pa_employer_support


@pytest.mark.django_db
def test_the_employment_allowance_left_is_carried_across_pas(
    month_1, employer, alice, ben, april_timesheets, pa_employer_support
):
    """With £300.00 of allowance in the year: Alice uses £261.45, Ben the £38.55 left, so
    his employer NI is 165.45 - 38.55 = £126.90."""
    TaxYearRateSet.objects.update(employment_allowance_annual=D("300.00"))
    run = payruns.start_pay_run(actor=pa_employer_support, employer=employer)
    b = run.payslips.get(assistant=ben)
    assert b.employment_allowance_used == D("38.55")
    assert b.employer_ni == D("126.90")
    assert b.employer_cost == D("1646.90")


@pytest.mark.django_db
def test_student_and_postgraduate_loans_come_off_the_payslip(
    month_1, employer, alice, pa_employer_support
):
    """Alice on plan 5 with a postgraduate loan, paid £2,160.00 in month 1 (as above).

    Plan 5: 25,000 / 12 = 2,083.33 a month; (2,160 - 2,083.33) x 9% = 6.9003, down to £6.
    Postgraduate: 21,000 / 12 = 1,750; (2,160 - 1,750) x 6% = 24.60, down to £24. Take-home
    1,783.24 - 6 - 24 = £1,753.24. The employer's cost is still £2,209.20. To pay HMRC: tax
    £222.20 + employee NI £88.96 + employer NI £0.00 (all against the allowance) + loans
    £30.00 = £341.16."""
    alice.student_loan_plan = StudentLoanPlan.PLAN_5
    alice.postgraduate_loan = True
    alice.save()
    weeks_of(alice, pa_employer_support, APRIL_6, 4, ShiftKind.DAY, "8.00")
    run = payruns.start_pay_run(actor=pa_employer_support, employer=employer)
    slip = run.payslips.get()
    assert (slip.student_loan_plan, slip.student_loan, slip.postgraduate_loan) == (
        "plan_5",
        D("6.00"),
        D("24.00"),
    )
    assert slip.net_pay == D("1753.24")
    assert slip.employer_cost == D("2209.20")

    def rows(found):
        return {row["key"]["text"]: row["value"]["text"] for row in found}

    deductions = rows(deduction_rows(slip))
    assert (deductions["Student loan"], deductions["Postgraduate loan"]) == ("£6.00", "£24.00")
    costs = rows(cost_rows(selectors.run_totals(run)))
    assert costs["Tax, National Insurance and student loans to pay HMRC"] == "£341.16"
    header, line = csv.reader(bureau_csv(run, [slip]).splitlines())
    assert header == BUREAU_HEADER
    values = dict(zip(header, line, strict=True))
    assert (values["Student loan plan"], values["Student loan"]) == ("Plan 5", "6.00")
    assert values["Postgraduate loan"] == "24.00"
    printed = render_to_string(
        "employers/payroll/documents/payslip.html",
        {"payslip": slip, "run": run, "lines": list(slip.lines.all())},
    )
    assert re.search(r"Student loan \(Plan 5\)</th><td>£6.00<", printed)
    assert re.search(r"Postgraduate loan</th><td>£24.00<", printed)


@pytest.mark.django_db
def test_an_apprentice_under_25_is_paid_as_category_h(
    month_1, employer, alice, pa_employer_support
):
    """Alice as an apprentice of 23 (born 1 June 2002), paid £2,160.00 in month 1: category H,
    so no employer NI below the apprentice upper secondary threshold (£4,189 a month), where
    as category A it was £261.45, all of it set against the Employment Allowance. Her own NI is
    the same, (2,160 - 1,048) x 8% = £88.96, and the allowance is left for others."""
    alice.date_of_birth = datetime.date(2002, 6, 1)
    alice.apprentice = True
    alice.apprenticeship_started_on = datetime.date(2025, 9, 1)
    alice.save()
    weeks_of(alice, pa_employer_support, APRIL_6, 4, ShiftKind.DAY, "8.00")
    run = payruns.start_pay_run(actor=pa_employer_support, employer=employer)
    slip = run.payslips.get()
    assert slip.ni_category == "H"
    assert slip.gross_pay == D("2160.00")
    assert slip.employee_ni == D("88.96")
    assert (slip.employer_ni_before_allowance, slip.employment_allowance_used) == (
        D("0.00"),
        D("0.00"),
    )
    assert slip.employer_cost == D("2209.20")


@pytest.mark.django_db
def test_without_loans_the_payslip_and_run_say_nothing_of_them(
    month_1, employer, alice, pa_employer_support
):
    weeks_of(alice, pa_employer_support, APRIL_6, 4, ShiftKind.DAY, "8.00")
    run = payruns.start_pay_run(actor=pa_employer_support, employer=employer)
    slip = run.payslips.get()
    keys = [row["key"]["text"] for row in deduction_rows(slip)]
    assert "Student loan" not in keys and "Postgraduate loan" not in keys
    costs = [row["key"]["text"] for row in cost_rows(selectors.run_totals(run))]
    assert "Tax and National Insurance to pay HMRC" in costs


@pytest.mark.django_db
def test_a_k_code_pa(month_1, employer, alice, pa_employer_support):
    """K475 month 1: additional pay (4,759 / 12) up to £396.59; taxable 2,160 + 396.59 =
    2,556.59 down to £2,556, x 20% = £511.20 (under the 50% limit of £1,080.00)."""
    alice.tax_code = "K475"
    alice.save()
    weeks_of(alice, pa_employer_support, APRIL_6, 4, ShiftKind.DAY, "8.00")
    run = payruns.start_pay_run(actor=pa_employer_support, employer=employer)
    assert run.payslips.get().tax == D("511.20")


@pytest.mark.django_db
def test_a_scottish_code_stops_the_run_being_finalised(
    month_1, employer, alice, pa_employer_support
):
    alice.tax_code = "S1257L"
    alice.save()
    weeks_of(alice, pa_employer_support, APRIL_6, 1, ShiftKind.DAY, "8.00")
    run = payruns.start_pay_run(actor=pa_employer_support, employer=employer)
    assert "S1257L is a Scottish tax code" in run.problems
    with pytest.raises(ValidationError, match="cannot be finalised"):
        payruns.finalise_pay_run(actor=pa_employer_support, run=run)


@pytest.mark.django_db
def test_nothing_to_pay_is_refused(month_1, employer, alice, pa_employer_support):
    run = payruns.start_pay_run(actor=pa_employer_support, employer=employer)
    with pytest.raises(ValidationError, match="nothing to pay"):
        payruns.finalise_pay_run(actor=pa_employer_support, run=run)


@pytest.mark.django_db
def test_finalising_twice_is_refused_with_who_did_it(
    month_1, employer, alice, pa_employer_support, finance_officer
):
    weeks_of(alice, pa_employer_support, APRIL_6, 1, ShiftKind.DAY, "8.00")
    run = payruns.start_pay_run(actor=pa_employer_support, employer=employer)
    stale = PayRun.objects.get(pk=run.pk)
    payruns.finalise_pay_run(actor=pa_employer_support, run=run)
    with pytest.raises(ValidationError, match=r"already finalised by .* on 20 April 2026"):
        payruns.finalise_pay_run(actor=finance_officer, run=stale)


@pytest.mark.django_db
def test_a_finalised_run_cannot_be_changed_in_the_database(
    month_1, employer, alice, pa_employer_support
):
    weeks_of(alice, pa_employer_support, APRIL_6, 1, ShiftKind.DAY, "8.00")
    run = payruns.start_pay_run(actor=pa_employer_support, employer=employer)
    payruns.finalise_pay_run(actor=pa_employer_support, run=run)
    payslip = run.payslips.get()
    changes = [
        lambda: Payslip.objects.filter(pk=payslip.pk).update(net_pay=D("1.00")),
        lambda: PayslipLine.objects.filter(payslip=payslip).update(amount=D("1.00")),
        lambda: PayRun.objects.filter(pk=run.pk).update(pay_date=datetime.date(2026, 5, 1)),
        lambda: PaidTimesheet.objects.filter(payslip=payslip).delete(),
        lambda: PayRun.objects.filter(pk=run.pk).delete(),
    ]
    for change in changes:
        with (
            pytest.raises(FROZEN, match="finalised pay run cannot be changed"),
            transaction.atomic(),
        ):
            change()


@pytest.mark.django_db
def test_a_timesheet_is_paid_once(month_1, employer, alice, pa_employer_support, today_is):
    (timesheet,) = weeks_of(alice, pa_employer_support, APRIL_6, 1, ShiftKind.DAY, "8.00")
    first = payruns.start_pay_run(actor=pa_employer_support, employer=employer)
    payruns.finalise_pay_run(actor=pa_employer_support, run=first)
    second = payruns.start_pay_run(actor=pa_employer_support, employer=employer)
    assert second.period_number == 2
    assert not second.payslips.exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        payslip = Payslip.objects.create(
            **{
                field.name: getattr(first.payslips.get(), field.name)
                for field in Payslip._meta.concrete_fields
                if field.name not in ("id", "run")
            },
            run=second,
        )
        PaidTimesheet.objects.create(timesheet=timesheet, payslip=payslip)


@pytest.mark.django_db
def test_a_correction_replaces_the_run_it_corrects(month_1, employer, alice, pa_employer_support):
    """Alice should have been on BR: the correction pays the same timesheets again, and only
    the correction counts towards pay to date and spend."""
    weeks_of(alice, pa_employer_support, APRIL_6, 4, ShiftKind.DAY, "8.00")
    run = payruns.start_pay_run(actor=pa_employer_support, employer=employer)
    payruns.finalise_pay_run(actor=pa_employer_support, run=run)
    alice.tax_code = "BR"
    alice.save()
    correction = payruns.start_correction(actor=pa_employer_support, run=run)
    assert correction.corrects == run
    slip = correction.payslips.get()
    assert slip.tax == D("432.00")  # 2,160 x 20%
    assert slip.timesheets.count() == 4
    assert set(PayRun.objects.in_force()) == {run}
    payruns.finalise_pay_run(actor=pa_employer_support, run=correction)
    assert set(PayRun.objects.in_force()) == {correction}
    with pytest.raises(ValidationError, match="already been corrected"):
        payruns.start_correction(actor=pa_employer_support, run=run)
    # The next month's to-date figures come from the correction.
    weeks_of(alice, pa_employer_support, datetime.date(2026, 5, 6), 1, ShiftKind.DAY, "8.00")
    may = payruns.start_pay_run(actor=pa_employer_support, employer=employer)
    assert may.payslips.get().taxable_pay_to_date == D("2160.00") + D("540.00")


@pytest.mark.django_db
def test_actual_pa_spend_is_the_finalised_runs_employer_cost(
    month_1, icb, phb_lead, holder, employer, alice, ben, april_timesheets, pa_employer_support
):
    LocalRateSetFactory(organisation=icb)
    budget = agreed_budget(
        phb_lead,
        holder,
        chc_package(phb_lead, holder),
        amount=D("20000.01"),
        portions=[
            (HoldingMethod.NOTIONAL, D("8000.00"), ""),
            (HoldingMethod.DIRECT_PAYMENT, D("12000.01"), ""),
        ],
    )
    run = payruns.start_pay_run(actor=pa_employer_support, employer=employer)
    assert run.portion.method == HoldingMethod.DIRECT_PAYMENT
    assert selectors.actual_pa_spend(budget)["total"] == D("0.00")
    payruns.finalise_pay_run(actor=pa_employer_support, run=run)
    spend = selectors.actual_pa_spend(budget)
    assert spend["total"] == D("2209.20") + D("1520.00")
    assert spend["by_portion"] == {run.portion_id: D("3729.20")}


@pytest.mark.django_db
def test_only_payroll_staff_run_payroll(month_1, employer, holder, phb_lead):
    from django.core.exceptions import PermissionDenied

    for user in (holder.user, phb_lead):
        with pytest.raises(PermissionDenied):
            payruns.start_pay_run(actor=user, employer=employer)


@pytest.mark.django_db
def test_the_demo_pay_run_is_seeded_once(icb, holder, pa_employer_support):
    from employers import demo_payroll

    demo_payroll.seed()  # no demo employer: nothing
    assert not PayRun.objects.exists()
    holder.user.is_demo = True
    holder.user.save()
    pa_employer_support.is_demo = True
    pa_employer_support.save()
    employer = EmployerFactory(budget_holder=holder, created_by=pa_employer_support)
    PersonalAssistantFactory(employer=employer, full_name="Alice Able")
    PersonalAssistantFactory(employer=employer, full_name="Ben Brown")
    demo_payroll.seed()
    demo_payroll.seed()
    run = PayRun.objects.get()
    assert run.status == PayRunStatus.FINALISED
    assert run.period_number == 7
    assert [slip.gross_pay for slip in run.payslips.order_by("assistant__full_name")] == [
        D("1620.00"),  # 4 weeks of 5 days of 6 hours at £13.50
        D("1080.00"),  # of 4 hours
    ]


@pytest.mark.django_db
def test_sick_days_are_paid_as_ssp_and_holiday_at_the_day_rate(
    month_1, employer, alice, pa_employer_support
):
    """2 days worked (16 hours x £13.50 = £216.00), a day of holiday (8 x £13.50 = £108.00)
    and 2 sick days. No payslips before, so average weekly earnings are the contracted 20
    hours x £13.50 = £270.00; 80% is £216.00, above the £123.25 rate. Qualifying days: the 5
    days of the week their shifts fall on. SSP = 123.25 x 2 / 5 = £49.30."""
    approved_timesheet(
        alice,
        pa_employer_support,
        APRIL_6,
        [(ShiftKind.DAY, day, "8.00") for day in range(2)]
        + [(ShiftKind.HOLIDAY, 2, "8.00")]
        + [(ShiftKind.SICK, 3, "8.00"), (ShiftKind.SICK, 4, "8.00")],
    )
    run = payruns.start_pay_run(actor=pa_employer_support, employer=employer)
    slip = run.payslips.get()
    assert [(line.description, line.amount) for line in slip.lines.order_by("position")] == [
        ("Day hours", D("216.00")),
        ("Holiday taken", D("108.00")),
        ("Statutory Sick Pay (2 days)", D("49.30")),
    ]
    assert slip.statutory_sick_pay == D("49.30")
    assert slip.holiday_pay == D("108.00")
    assert slip.gross_pay == D("373.30")


@pytest.mark.django_db
def test_sick_days_paid_earlier_in_the_same_spell_count_towards_the_28_weeks(
    month_1, employer, alice, pa_employer_support, monkeypatch
):
    """Off sick on Thursday 9 and Friday 10 April (paid in month 1), then Monday to Wednesday
    11 to 13 May: 31 days apart, so one spell of sickness, with 2 days paid before. With the
    limit made one week for the test (3 qualifying days, as her shifts in the 8 weeks to the
    end of month 2, 11 April to 5 June, fall on 3 days of the week), only 1 of the 3 days in
    May is paid, and the run says why and what to do."""
    april = [(ShiftKind.SICK, 3, "8.00"), (ShiftKind.SICK, 4, "8.00")]
    approved_timesheet(alice, pa_employer_support, APRIL_6, april)
    first = payruns.start_pay_run(actor=pa_employer_support, employer=employer)
    payruns.finalise_pay_run(actor=pa_employer_support, run=first)
    approved_timesheet(
        alice,
        pa_employer_support,
        datetime.date(2026, 5, 11),
        [(ShiftKind.SICK, day, "8.00") for day in range(3)],
    )
    monkeypatch.setattr(payroll, "SSP_MOST_WEEKS", 1)
    second = payruns.start_pay_run(actor=pa_employer_support, employer=employer)
    slip = second.payslips.get()
    assert [line.description for line in slip.lines.all()] == ["Statutory Sick Pay (1 day)"]
    assert slip.warning_list[0].startswith("2 sick days not paid: Statutory Sick Pay has been paid")
    assert "Give them form SSP1 within 7 days" in slip.warning_list[0]


@pytest.mark.django_db
def test_a_rate_below_the_minimum_wage_for_the_pa_as_they_are_now_stops_the_run(
    month_1, employer, national_rates, pa_employer_support
):
    """Both PAs are paid £10.85 an hour, the 2026/27 rate for 18 to 20 year olds, and both
    were 20 when their records were made. Pay period 1 starts on 6 April 2026. Jo turned 21 on
    1 April, before it: she is owed the National Living Wage, £12.71, so the run cannot be
    finalised until her rate is raised. Kit turns 21 on 20 April, during the period: a
    birthday counts from the next period, so he is paid this month as he is."""
    jo = PersonalAssistantFactory(
        employer=employer,
        full_name="Jo Young",
        date_of_birth=datetime.date(2005, 4, 1),
        day_rate=D("10.85"),
    )
    kit = PersonalAssistantFactory(
        employer=employer,
        full_name="Kit Young",
        date_of_birth=datetime.date(2005, 4, 20),
        day_rate=D("10.85"),
    )
    for pa in (jo, kit):
        weeks_of(pa, pa_employer_support, APRIL_6, 1, ShiftKind.DAY, "8.00")
    run = payruns.start_pay_run(actor=pa_employer_support, employer=employer)
    [problem] = run.problem_list
    assert problem.startswith("Jo Young: the day rate is too low from this pay period: ")
    assert "below the National Living Wage of £12.71" in problem
    assert run.payslips.get().assistant == kit
    with pytest.raises(ValidationError, match="cannot be finalised until"):
        payruns.finalise_pay_run(actor=pa_employer_support, run=run)


WEEK_1, WEEK_2, WEEK_3 = APRIL_6, datetime.date(2026, 4, 13), datetime.date(2026, 4, 20)


@pytest.fixture
def weekly_employer(employer):
    employer.pay_frequency = "weekly"
    employer.save()
    return employer


@pytest.mark.django_db
def test_runs_pay_a_backlog_one_period_at_a_time_oldest_first(
    weekly_employer, alice, pa_employer_support, today_is, client
):
    """Paid weekly, first run on 4 May 2026 (week 5), with weeks 1 to 3 approved: 40 hours a
    week at £13.50 = £540.00 each. The first run is week 1 (6 to 12 April) and pays week 1's
    timesheet only, not the three as one week's pay: tax 1257L week 1, free pay £241.92,
    taxable 540 - 241.92 = 298.08 -> £298 x 20% = £59.60. Week 2: pay to date 1,080, free
    pay 241.92 x 2 = 483.84, taxable 596.16 -> £596, tax due £119.20 - 59.60 = £59.60. With
    weeks 1 to 3 paid and nothing else approved, the next run is week 4."""
    today_is(datetime.date(2026, 5, 4))
    for first_day in (WEEK_1, WEEK_2, WEEK_3):
        weeks_of(alice, pa_employer_support, first_day, 1, ShiftKind.DAY, "8.00")
    client.force_login(pa_employer_support)
    page = " ".join(
        client.get(reverse("employers:pay_runs", args=[weekly_employer.pk]))
        .content.decode()
        .split()
    )
    assert "The next pay run is for 6 April 2026 to 12 April 2026, paid on 12 April 2026." in page

    runs = []
    for week in (1, 2, 3):
        run = payruns.start_pay_run(actor=pa_employer_support, employer=weekly_employer)
        assert (run.period_number, run.tax_period) == (week, week)
        slip = run.payslips.get()
        assert slip.gross_pay == D("540.00")
        assert slip.timesheets.count() == 1
        assert slip.tax == D("59.60")
        runs.append(payruns.finalise_pay_run(actor=pa_employer_support, run=run))
    assert runs[1].payslips.get().taxable_pay_to_date == D("1080.00")
    week_4 = payruns.next_period(weekly_employer, datetime.date(2026, 5, 4))
    assert (week_4.number, week_4.starts_on) == (4, datetime.date(2026, 4, 27))


@pytest.mark.django_db
def test_a_timesheet_approved_after_its_periods_run_is_paid_next_as_arrears(
    weekly_employer, alice, pa_employer_support, today_is
):
    """Week 1's run paid 6 to 10 April; a timesheet for 11 April (8 hours, £108.00) approved
    after it cannot go in that run, so week 2's run pays it with week 2's £540.00: £648.00,
    and says so on the payslip."""
    today_is(datetime.date(2026, 4, 20))
    weeks_of(alice, pa_employer_support, WEEK_1, 1, ShiftKind.DAY, "8.00")
    weeks_of(alice, pa_employer_support, WEEK_2, 1, ShiftKind.DAY, "8.00")
    week_1 = payruns.start_pay_run(actor=pa_employer_support, employer=weekly_employer)
    payruns.finalise_pay_run(actor=pa_employer_support, run=week_1)
    late_day = datetime.date(2026, 4, 11)
    approved_timesheet(alice, pa_employer_support, late_day, [(ShiftKind.DAY, 0, "8.00")], days=1)
    week_2 = payruns.start_pay_run(actor=pa_employer_support, employer=weekly_employer)
    slip = week_2.payslips.get()
    assert week_2.period_number == 2
    assert slip.gross_pay == D("648.00")
    assert (
        "Includes the timesheet for 11 April 2026 to 12 April 2026, approved after that "
        "period's pay run: paid now, as arrears" in slip.warnings
    )


@pytest.mark.django_db
def test_only_the_latest_run_can_be_corrected(
    month_1, employer, alice, pa_employer_support, client
):
    """April's run is finalised, then May's: May's pay and tax to date were worked out from
    April's, so correcting April is refused, saying which run came after and what to do, and
    nothing is made; the April page offers no correction. May's run can still be corrected."""
    weeks_of(alice, pa_employer_support, APRIL_6, 4, ShiftKind.DAY, "8.00")
    april = payruns.start_pay_run(actor=pa_employer_support, employer=employer)
    payruns.finalise_pay_run(actor=pa_employer_support, run=april)
    weeks_of(alice, pa_employer_support, datetime.date(2026, 5, 6), 1, ShiftKind.DAY, "8.00")
    may = payruns.start_pay_run(actor=pa_employer_support, employer=employer)
    payruns.finalise_pay_run(actor=pa_employer_support, run=may)
    message = (
        "This pay run cannot be corrected: the pay run for 6 May 2026 to 5 June 2026, paid on "
        "5 June 2026, came after it and worked out its pay and tax to date from this one. Only "
        "the latest pay run can be corrected"
    )
    with pytest.raises(ValidationError, match=re.escape(message)):
        payruns.start_correction(actor=pa_employer_support, run=april)
    assert PayRun.objects.count() == 2
    client.force_login(pa_employer_support)
    page = " ".join(
        client.get(reverse("employers:pay_run", args=[april.pk])).content.decode().split()
    )
    assert message in page
    assert "Start a correction run" not in page
    may_page = client.get(reverse("employers:pay_run", args=[may.pk])).content.decode()
    assert "Start a correction run" in may_page
    correction = payruns.start_correction(actor=pa_employer_support, run=may)
    assert correction.corrects == may
