"""Pay runs (issue 10): start an employer's run for its next pay period, work out each PA's
payslip from their approved timesheets with the payroll engine (`employers.payroll`), let the
run be reviewed and recalculated as a draft, then finalise it. The only writers of pay runs,
payslips and the timesheets they paid.

Pay periods count from the start of the tax year (6 April): month 1 is 6 April to 5 May; a
weekly, fortnightly or 4-weekly period n starts 7, 14 or 28 x (n - 1) days after 6 April, and
the year's last period ends on 5 April. Each period is paid on its last day.

Runs go in order, oldest period first, so that every figure to date is worked out from the
runs paid before: the next run is for the earliest period, after the employer's latest run,
in which an approved timesheet not yet paid starts (the period after the latest run, or the
one today falls in for a first run, when there is none). A run pays the approved timesheets
not yet paid that start in its own period, so several periods' work is never paid as one
period's pay; the only exception is a timesheet approved after its own period's run was made,
which can no longer go in that run and is paid, as arrears, in the next one (HMRC taxes pay
when it is paid). Only the latest run can be corrected, for the same reason."""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from budgets.calculations import add_months, pa_age
from budgets.models import HoldingMethod, NationalRateSet
from budgets.models.budget import LIVE_STATUSES
from budgets.services import Conflict
from employers import payroll
from employers.models import (
    Employer,
    PaidTimesheet,
    PayFrequency,
    PayRun,
    PayRunStatus,
    Payslip,
    PayslipLine,
    PensionChoice,
    PersonalAssistant,
    Shift,
    ShiftKind,
    TaxBasis,
    TaxYearRateSet,
    Timesheet,
    TimesheetStatus,
)
from employers.services.employers import below_minimum_wage
from phb.audit import changed_by
from phb.permissions import Permission, require
from phb.presenters import display_time

ZERO = Decimal("0.00")
_PERIOD_DAYS = {
    PayFrequency.WEEKLY: 7,
    PayFrequency.FORTNIGHTLY: 14,
    PayFrequency.FOUR_WEEKLY: 28,
}
# Statutory Sick Pay looks back 8 weeks: for the PA's average weekly earnings (SSCBA 1992
# Sch 11; SSP (General) Regulations 1982 reg 19) and for the days of the week they work.
_SSP_WEEKS_BACK = datetime.timedelta(weeks=8)
_SHIFT_PAY = {
    ShiftKind.DAY: (payroll.PayKind.DAY, "day_rate", "Day hours"),
    ShiftKind.NIGHT: (payroll.PayKind.NIGHT, "night_rate", "Night hours"),
    ShiftKind.WAKING_NIGHT: (
        payroll.PayKind.WAKING_NIGHT,
        "waking_night_rate",
        "Waking night hours",
    ),
    ShiftKind.HOLIDAY: (payroll.PayKind.HOLIDAY, "day_rate", "Holiday taken"),
}
# The shifts whose hours count for the minimum wage (holiday and sleep-ins do not).
_WORKED = (ShiftKind.DAY, ShiftKind.NIGHT, ShiftKind.WAKING_NIGHT)
_RATE_WORDS = {
    "day_rate": "day rate",
    "night_rate": "night rate",
    "waking_night_rate": "waking night rate",
    "sleep_in_rate": "sleep-in rate",
}


@dataclass(frozen=True)
class PayPeriod:
    tax_year_start: datetime.date
    number: int
    starts_on: datetime.date
    ends_on: datetime.date

    @property
    def pay_date(self) -> datetime.date:
        return self.ends_on


def tax_year_start(day: datetime.date) -> datetime.date:
    start = datetime.date(day.year, 4, 6)
    return start if day >= start else datetime.date(day.year - 1, 4, 6)


def period_containing(frequency: str, day: datetime.date) -> PayPeriod:
    """The pay period of `frequency` that `day` falls in."""
    year_start = tax_year_start(day)
    year_end = datetime.date(year_start.year + 1, 4, 5)
    if frequency == PayFrequency.MONTHLY:
        number = (day.year - year_start.year) * 12 + day.month - 4 - (day.day < 6) + 1
        starts_on = add_months(year_start, number - 1)
        ends_on = add_months(year_start, number) - datetime.timedelta(days=1)
    else:
        length = _PERIOD_DAYS[PayFrequency(frequency)]
        number = (day - year_start).days // length + 1
        starts_on = year_start + datetime.timedelta(days=length * (number - 1))
        ends_on = min(starts_on + datetime.timedelta(days=length - 1), year_end)
    return PayPeriod(year_start, number, starts_on, ends_on)


def tax_period_of(frequency: str, period: PayPeriod) -> int:
    """The tax month, or the tax week of the pay day (HMRC: a fortnightly or 4-weekly pay day
    in week 53 counts as week 54 or 56)."""
    if frequency == PayFrequency.MONTHLY:
        return period.number
    week = (period.pay_date - period.tax_year_start).days // 7 + 1
    if week > payroll.WEEKS_IN_A_YEAR:
        return payroll.WEEKS_IN_A_YEAR + _PERIOD_DAYS[PayFrequency(frequency)] // 7
    return week


def _unpaid_approved(employer: Employer):
    return Timesheet.objects.filter(
        assistant__employer=employer, status=TimesheetStatus.APPROVED, payments__isnull=True
    )


def next_period(employer: Employer, today: datetime.date) -> PayPeriod:
    """The earliest period, after the employer's latest run of its pay frequency, in which an
    approved timesheet not yet paid starts; with none, the period after the latest run, or
    for a first run the period that today falls in."""
    frequency = employer.pay_frequency
    latest = (
        PayRun.objects.filter(employer=employer, frequency=frequency)
        .order_by("-period_ends_on")
        .first()
    )
    unpaid = _unpaid_approved(employer)
    if latest is not None:
        unpaid = unpaid.filter(starts_on__gt=latest.period_ends_on)
    earliest = unpaid.order_by("starts_on").values_list("starts_on", flat=True).first()
    if earliest is not None:
        return period_containing(frequency, earliest)
    if latest is None:
        return period_containing(frequency, today)
    return period_containing(frequency, latest.period_ends_on + datetime.timedelta(days=1))


def later_run(run: PayRun) -> PayRun | None:
    """The employer's earliest run in force that was paid after `run`: its figures to date
    were worked out from `run`'s, so `run` can no longer be corrected."""
    return (
        PayRun.objects.in_force()
        .filter(employer=run.employer_id, pay_date__gt=run.pay_date)
        .exclude(pk=run.pk)
        .order_by("pay_date", "period_starts_on")
        .first()
    )


def later_run_words(later: PayRun) -> str:
    return (
        f"This pay run cannot be corrected: the pay run for {later.period_starts_on:%-d %B %Y} "
        f"to {later.period_ends_on:%-d %B %Y}, paid on {later.pay_date:%-d %B %Y}, came after it "
        "and worked out its pay and tax to date from this one. Only the latest pay run can be "
        "corrected: put a mistake in this one right with whoever sends the payroll to HMRC"
    )


def _portion_for(employer: Employer, day: datetime.date):
    """The part of the person's live budget for `day` that pays their PAs: the direct
    payment, else a third party's, else whatever part there is."""
    from budgets.models import HoldingPortion

    portions = HoldingPortion.objects.filter(
        budget__budget_holder=employer.budget_holder,
        budget__status__in=LIVE_STATUSES,
        budget__period_start__lte=day,
        budget__period_end__gte=day,
    )
    for method in (HoldingMethod.DIRECT_PAYMENT, HoldingMethod.THIRD_PARTY):
        portion = portions.filter(method=method).first()
        if portion is not None:
            return portion
    return portions.first()


# --------------------------------------------------------------------------------------------
# Starting, recalculating, finalising, correcting
# --------------------------------------------------------------------------------------------


@transaction.atomic
def start_pay_run(*, actor, employer: Employer, today: datetime.date | None = None) -> PayRun:
    """A draft run for the employer's next pay period, with every PA's payslip worked out."""
    require(actor, Permission.RUN_PAYROLL, employer)
    employer = Employer.objects.select_for_update().get(pk=employer.pk)
    if PayRun.objects.filter(employer=employer, status=PayRunStatus.DRAFT).exists():
        raise ValidationError(
            "There is already a pay run being checked for this employer: finalise it first"
        )
    period = next_period(employer, today or timezone.localdate())
    run = PayRun(
        employer=employer,
        frequency=employer.pay_frequency,
        tax_year_start=period.tax_year_start,
        period_number=period.number,
        tax_period=tax_period_of(employer.pay_frequency, period),
        period_starts_on=period.starts_on,
        period_ends_on=period.ends_on,
        pay_date=period.pay_date,
        created_by=actor,
    )
    return _calculate(run)


@transaction.atomic
def start_correction(*, actor, run: PayRun) -> PayRun:
    """A draft run for the same period that replaces `run` once it is finalised: it pays the
    same timesheets again with the PAs' details as they are now."""
    require(actor, Permission.RUN_PAYROLL, run)
    run = PayRun.objects.select_for_update().get(pk=run.pk)
    if run.status != PayRunStatus.FINALISED:
        raise ValidationError("Only a finalised pay run can be corrected")
    if PayRun.objects.filter(corrects=run).exists():
        raise ValidationError("This pay run has already been corrected")
    if PayRun.objects.filter(employer=run.employer, status=PayRunStatus.DRAFT).exists():
        raise ValidationError(
            "There is already a pay run being checked for this employer: finalise it first"
        )
    if (later := later_run(run)) is not None:
        raise ValidationError(later_run_words(later))
    correction = PayRun(
        employer=run.employer,
        frequency=run.frequency,
        tax_year_start=run.tax_year_start,
        period_number=run.period_number,
        tax_period=run.tax_period,
        period_starts_on=run.period_starts_on,
        period_ends_on=run.period_ends_on,
        pay_date=run.pay_date,
        corrects=run,
        created_by=actor,
    )
    return _calculate(correction)


@transaction.atomic
def recalculate_pay_run(*, actor, run: PayRun) -> PayRun:
    """Work a draft's payslips out again (timesheets approved since, PA details changed)."""
    require(actor, Permission.RUN_PAYROLL, run)
    run = PayRun.objects.select_for_update().get(pk=run.pk)
    if run.status != PayRunStatus.DRAFT:
        raise ValidationError(already_finalised(run))
    run.payslips.all().delete()
    return _calculate(run)


def _worked_out_by(run: PayRun) -> str:
    """Who worked the run's payslips out as they are now, by name, from its audit events (""
    if not recorded): "Work it out again" records nobody on the run itself."""
    event = (
        PayRun.pgh_event_model.objects.filter(pgh_obj_id=run.pk, calculated_at=run.calculated_at)
        .select_related("pgh_context")
        .order_by("pgh_id")
        .first()
    )
    user = changed_by(event)
    return user.full_name if user is not None else ""


def worked_out_again(run: PayRun, seen: datetime.datetime) -> Conflict:
    """The refusal of a finalise from a page drawn before the run was worked out again: who
    did it and when, and what the run holds now ("Sam Patel worked this pay run out again at
    4:17pm on 6 December 2026, after you opened this page. It now has 1 payslip, with gross
    pay of £229.50. Check every payslip, then finalise it. Nothing was changed.")."""
    then = "Check every payslip, then finalise it. Nothing was changed."
    if run.calculated_at <= seen:
        return Conflict(f"Someone changed this pay run after you opened this page. {then}")
    who = _worked_out_by(run)
    local = timezone.localtime(run.calculated_at)
    when = f"{display_time(local)} on {local:%-d %B %Y}"
    what = (
        f"{who} worked this pay run out again at {when}"
        if who
        else f"This pay run was worked out again at {when}"
    )
    totals = run.payslips.aggregate(count=Count("pk"), gross=Sum("gross_pay"))
    count = totals["count"]
    holds = (
        f"It now has {count} payslip{'' if count == 1 else 's'}, with gross pay of "
        f"£{totals['gross']:,.2f}"
        if count
        else "It now has no payslips"
    )
    return Conflict(f"{what}, after you opened this page. {holds}. {then}")


@transaction.atomic
def finalise_pay_run(*, actor, run: PayRun, seen: datetime.datetime | None = None) -> PayRun:
    """Finalise a reviewed draft: from now on it never changes. Payslip PDFs are made in the
    background. Refused when a PA's payslip could not be worked out or there is nothing to
    pay, when someone else finalised it first, and when it was worked out again after the
    page was drawn: `seen` is the run's `updated_at` then (None: no page to compare), so
    that only the payslips that were checked are finalised."""
    require(actor, Permission.RUN_PAYROLL, run)
    run = (
        PayRun.objects.select_for_update(of=("self",)).select_related("finalised_by").get(pk=run.pk)
    )
    if run.status != PayRunStatus.DRAFT:
        raise ValidationError(already_finalised(run))
    if seen is not None and run.updated_at != seen:
        raise worked_out_again(run, seen)
    if run.problems:
        raise ValidationError(
            ["This pay run cannot be finalised until these are put right:", *run.problem_list]
        )
    if not run.payslips.exists():
        raise ValidationError("There is nothing to pay in this pay run")
    run.status = PayRunStatus.FINALISED
    run.finalised_by = actor
    run.finalised_at = timezone.now()
    run.save(update_fields=["status", "finalised_by", "finalised_at", "updated_at"])
    from employers.payslip_documents import request_payslip_pdfs

    request_payslip_pdfs(actor=actor, run=run)
    return run


def already_finalised(run: PayRun) -> str:
    """ "This pay run was already finalised by Sam Patel at 4:17pm on 6 December 2026"."""
    who = run.finalised_by.full_name if run.finalised_by else ""
    when = timezone.localtime(run.finalised_at) if run.finalised_at else None
    if when is None:
        return "This pay run was already finalised"
    return (
        f"This pay run was already finalised by {who} at {display_time(when)} on {when:%-d %B %Y}"
    )


# --------------------------------------------------------------------------------------------
# Working the payslips out
# --------------------------------------------------------------------------------------------


def _calculate(run: PayRun) -> PayRun:
    rate_set = TaxYearRateSet.objects.in_force_on(run.pay_date)
    if rate_set is None or rate_set.tax_year_start != run.tax_year_start:
        year = run.tax_year_start.year
        raise ValidationError(
            f"The {year}/{str(year + 1)[-2:]} tax year's figures have not been added yet"
        )
    figures = rate_set.figures()
    run.rate_set = rate_set
    run.portion = _portion_for(run.employer, run.pay_date)
    run.calculated_at = timezone.now()
    run.problems = ""
    run.save()
    earlier = Payslip.objects.filter(
        run__in=PayRun.objects.in_force().filter(
            employer=run.employer, tax_year_start=run.tax_year_start
        )
    )
    if run.corrects_id:
        earlier = earlier.exclude(run_id=run.corrects_id)
    allowance_left = ZERO
    if run.employer.employment_allowance_claimed:
        used = earlier.aggregate(total=Sum("employment_allowance_used"))["total"] or ZERO
        allowance_left = max(ZERO, figures.employment_allowance_annual - used)
    wage_rates = NationalRateSet.objects.in_force_on(run.period_starts_on)
    wage_figures = wage_rates.as_figures() if wage_rates is not None else None
    problems = []
    for assistant, timesheets in _timesheets_to_pay(run).items():
        try:
            slip_input, warnings = _payslip_input(
                run, assistant, timesheets, allowance_left, wage_figures
            )
            result = payroll.calculate_payslip(slip_input, figures)
        except ValueError as error:
            # A tax code is the PA's record's, in plain words; any other refusal by the engine
            # is of its own inputs.
            plain = not isinstance(error, payroll.PayrollInputError) or isinstance(
                error, payroll.InvalidTaxCode | payroll.UnsupportedTaxCode
            )
            problems.append(
                f"{assistant.full_name}: {error}" if plain else engine_refusal(assistant, error)
            )
            continue
        allowance_left -= result.ni.employment_allowance_used
        _store(run, assistant, timesheets, result, warnings)
    run.problems = "\n".join(problems)[:2000]
    run.save(update_fields=["problems"])
    return run


def engine_refusal(assistant, error) -> str:
    """What the run says when the payroll engine refuses what this service gave it: never the
    engine's words alone, which describe its inputs, not anything a person entered. The
    service's own checks keep every input the engine accepts, so this is a fault to report."""
    return (
        f"{assistant.full_name}: this service could not work out their pay for this period "
        f"(the payroll engine said: {error}). Nothing on their record or timesheets needs "
        "changing: ask the PHB team to report it, and meanwhile pay them through a payroll "
        "bureau"
    )


def _timesheets_to_pay(run: PayRun) -> dict[PersonalAssistant, list[Timesheet]]:
    if run.corrects_id:
        timesheets = Timesheet.objects.filter(payments__payslip__run_id=run.corrects_id).distinct()
    else:
        # This period's timesheets, and any approved after their own period's run was made
        # (they start on or before the end of the latest earlier run).
        run_before = (
            PayRun.objects.filter(employer=run.employer, period_ends_on__lt=run.period_starts_on)
            .order_by("-period_ends_on")
            .values_list("period_ends_on", flat=True)
            .first()
        )
        own_period = Q(starts_on__gte=run.period_starts_on)
        if run_before is not None:
            own_period |= Q(starts_on__lte=run_before)
        timesheets = _unpaid_approved(run.employer).filter(
            own_period, starts_on__lte=run.period_ends_on
        )
    by_pa: dict[PersonalAssistant, list[Timesheet]] = defaultdict(list)
    for timesheet in (
        timesheets.select_related("assistant")
        .prefetch_related("shifts")
        .order_by("assistant__full_name", "starts_on")
    ):
        by_pa[timesheet.assistant].append(timesheet)
    return by_pa


def _previous_payslips(run: PayRun, assistant: PersonalAssistant):
    slips = Payslip.objects.filter(assistant=assistant, run__in=PayRun.objects.in_force()).exclude(
        run=run
    )
    if run.corrects_id:
        slips = slips.exclude(run_id=run.corrects_id)
    return slips


def _rate(assistant: PersonalAssistant, field: str) -> Decimal:
    rate = getattr(assistant, field)
    if rate is None:
        raise ValueError(f"add their {_RATE_WORDS[field]} to their record, then recalculate")
    return rate


def _check_minimum_wage_in_period(run, assistant, hours, wage_figures) -> None:
    """Refuse to pay hours worked below the minimum wage for the PA as they are at the start of
    this pay period (National Minimum Wage Regulations 2015 reg 7: a birthday counts from the
    next pay reference period), at the rates in force then (`wage_figures`, None when this
    service holds none). The PA's record is checked on their start date only: a PA who has
    turned 21, or an apprentice past their first year and aged 19, would otherwise be paid last
    year's lawful rate. Holiday and sleep-ins are not time the minimum wage is counted on, so
    only worked hours are checked."""
    fields = [_SHIFT_PAY[kind][1] for kind in _WORKED if hours[kind]]
    if wage_figures is None or not fields:
        return
    below = below_minimum_wage(assistant, run.period_starts_on, wage_figures, fields)
    if below:
        field, error = next(iter(below.items()))
        raise ValueError(
            f"the {_RATE_WORDS[field]} is too low from this pay period: {error}. Raise it on "
            "their record, then recalculate"
        ) from error


def _pay_lines(assistant, shifts, late: str = "") -> tuple[list, dict[ShiftKind, Decimal]]:
    """The pay lines for `shifts` at the PA's rates, one a kind (sleep-ins a line of nights),
    with `late` after each line's words for work paid late; and the hours of each kind."""
    hours: dict[ShiftKind, Decimal] = defaultdict(Decimal)
    sleep_ins = 0
    for shift in shifts:
        if shift.kind == ShiftKind.SLEEP_IN:
            sleep_ins += 1
        elif shift.kind != ShiftKind.SICK:
            hours[ShiftKind(shift.kind)] += shift.hours
    lines = []
    for kind, (pay_kind, field, words) in _SHIFT_PAY.items():
        if not hours[kind]:
            continue
        if kind == ShiftKind.HOLIDAY and assistant.holiday_basis == payroll.HolidayBasis.ROLLED_UP:
            continue
        lines.append(
            payroll.PayLine(f"{words}{late}", pay_kind, hours[kind], _rate(assistant, field))
        )
    if sleep_ins:
        lines.append(
            payroll.PayLine(
                f"Sleep-ins ({sleep_ins} night{'' if sleep_ins == 1 else 's'}){late}",
                payroll.PayKind.SLEEP_IN,
                Decimal(sleep_ins),
                _rate(assistant, "sleep_in_rate"),
            )
        )
    return lines, hours


def _late_words(timesheet) -> str:
    return f", {timesheet.starts_on:%-d %B} to {timesheet.ends_on:%-d %B %Y}, paid late"


def _worked_lines(run, assistant, timesheets):
    """The PA's pay lines and hours of each kind. Timesheets paid late (arrears) have lines of
    their own, one set a timesheet, so that no line holds more than one period's hours; so do
    this period's when together they hold more hours of a kind than a pay period can (a
    timesheet may run past the period's end)."""
    late = [t for t in timesheets if t.starts_on < run.period_starts_on]
    own = [t for t in timesheets if t.starts_on >= run.period_starts_on]
    hours: dict[ShiftKind, Decimal] = defaultdict(Decimal)
    lines = []
    groups = [(list(t.shifts.all()), _late_words(t)) for t in late]
    own_lines, _ = _pay_lines(assistant, [s for t in own for s in t.shifts.all()])
    most = payroll.hours_in_period(payroll.PayFrequency(run.frequency))
    if any(line.hours > most for line in own_lines if line.kind is not payroll.PayKind.SLEEP_IN):
        groups += [
            (list(t.shifts.all()), f", {t.starts_on:%-d %B} to {t.ends_on:%-d %B %Y}") for t in own
        ]
    else:
        groups.append(([s for t in own for s in t.shifts.all()], ""))
    for shifts, words in groups:
        group_lines, group_hours = _pay_lines(assistant, shifts, words)
        lines += group_lines
        for kind, count in group_hours.items():
            hours[kind] += count
    return lines, hours


def _outside_employment(assistant, shifts) -> list[str]:
    """Warnings for shifts before the PA started or after they left: the timesheet services
    and the PA's dates refuse them, so only records made before those checks can have them."""
    warnings = []
    for shift in sorted(shifts, key=lambda s: s.starts_at):
        day = timezone.localtime(shift.starts_at).date()
        if day < assistant.starts_on:
            warnings.append(
                f"Pays a shift on {day:%-d %B %Y}, before they started on "
                f"{assistant.starts_on:%-d %B %Y}: check it with them"
            )
        elif assistant.left_on is not None and day > assistant.left_on:
            warnings.append(
                f"Pays a shift on {day:%-d %B %Y}, after they left on "
                f"{assistant.left_on:%-d %B %Y}: check it with them"
            )
    return warnings


def previous_jobs_to_date(run, assistant) -> tuple[Decimal, Decimal]:
    """The pay and tax from the PA's previous jobs this tax year, from their P45, counted in
    the figures to date of every run in the tax year they started in (HMRC: a P45's figures
    are added to the pay and tax to date when the code is used cumulatively). None on a week 1
    or month 1 basis, or in a later tax year."""
    if (
        assistant.tax_basis == TaxBasis.NON_CUMULATIVE
        or tax_year_start(assistant.starts_on) != run.tax_year_start
    ):
        return ZERO, ZERO
    return assistant.previous_pay or ZERO, assistant.previous_tax or ZERO


def _payslip_input(run, assistant, timesheets, allowance_left, wage_figures):
    """The engine's input for one PA: their shifts priced at their rates, holiday on their
    holiday basis, sick days as Statutory Sick Pay (those of earlier periods paid late as
    arrears), and their pay and tax to date."""
    warnings = [
        f"Includes the timesheet for {timesheet.starts_on:%-d %B %Y} to "
        f"{timesheet.ends_on:%-d %B %Y}, approved after that period's pay run: paid now, "
        "as arrears"
        for timesheet in timesheets
        if timesheet.starts_on < run.period_starts_on
    ]
    shifts = [shift for timesheet in timesheets for shift in timesheet.shifts.all()]
    sick_days: set[datetime.date] = set()
    late_sick_days: set[datetime.date] = set()
    days_worked: set[int] = set()
    for shift in shifts:
        day = timezone.localtime(shift.starts_at).date()
        if shift.kind == ShiftKind.SICK:
            (late_sick_days if day < run.period_starts_on else sick_days).add(day)
        days_worked.add(day.weekday())
    lines, hours = _worked_lines(run, assistant, timesheets)
    if hours[ShiftKind.HOLIDAY] and assistant.holiday_basis == payroll.HolidayBasis.ROLLED_UP:
        warnings.append(
            f"{hours[ShiftKind.HOLIDAY].normalize():f} hours of holiday taken are not paid "
            "again: their holiday pay is rolled up into their pay"
        )
    warnings += _outside_employment(assistant, shifts)
    _check_minimum_wage_in_period(run, assistant, hours, wage_figures)
    previous = _previous_payslips(run, assistant)
    sickness = None
    if sick_days or late_sick_days:
        first_sick_day = min(sick_days | late_sick_days)
        days_a_week = _qualifying_days_a_week(run, assistant, days_worked)
        most = payroll.SSP_MOST_WEEKS * days_a_week
        paid_before = payroll.ssp_days_in_linked_spell(
            _sick_days_paid_before(previous), first_sick_day
        )
        earnings = _average_weekly_earnings(run, assistant, previous, first_sick_day)
        sickness = payroll.SicknessInput(
            average_weekly_earnings=earnings,
            qualifying_days_per_week=days_a_week,
            sick_days=len(sick_days),
            arrears_days=len(late_sick_days),
            days_paid_before=min(paid_before, most),
        )
        payable = payroll.ssp_days_payable(sickness)
        if payable and not earnings:
            after, last = _ssp_relevant_period(run.frequency, first_sick_day)
            warnings.append(
                f"No Statutory Sick Pay for {payable} sick day{'' if payable == 1 else 's'}: it "
                "is 80% of their average weekly earnings, and this service paid them nothing "
                f"from {after + datetime.timedelta(days=1):%-d %B %Y} to {last:%-d %B %Y}, the "
                "period their average is taken over"
            )
        unpaid = len(sick_days) + len(late_sick_days) - payable
        if unpaid:
            warnings.append(
                f"{unpaid} sick day{'' if unpaid == 1 else 's'} not paid: Statutory Sick Pay "
                f"has been paid for {payroll.SSP_MOST_WEEKS} weeks in this spell of sickness. "
                "Give them form SSP1 within 7 days so that they can claim other benefits"
            )
    this_year = previous.filter(run__tax_year_start=run.tax_year_start)
    to_date = this_year.aggregate(pay=Sum("taxable_pay"), tax=Sum("tax"))
    previous_pay, previous_tax = previous_jobs_to_date(run, assistant)
    was_member = previous.filter(pension_member=True).exists()
    membership = {
        PensionChoice.OPTED_OUT: payroll.PensionMembership.OPTED_OUT,
        PensionChoice.OPTED_IN: payroll.PensionMembership.MEMBER,
    }.get(
        assistant.pension_choice,
        payroll.PensionMembership.MEMBER if was_member else payroll.PensionMembership.NOT_MEMBER,
    )
    return (
        payroll.PayslipInput(
            label=assistant.full_name,
            frequency=payroll.PayFrequency(run.frequency),
            tax_period=run.tax_period,
            lines=tuple(lines),
            tax_code=assistant.tax_code,
            age=pa_age(
                label=assistant.full_name,
                on=run.pay_date,
                date_of_birth=assistant.date_of_birth,
                apprentice=assistant.apprentice,
            ),
            week1_month1=assistant.tax_basis == TaxBasis.NON_CUMULATIVE,
            taxable_pay_to_date=(to_date["pay"] or ZERO) + previous_pay,
            tax_paid_to_date=(to_date["tax"] or ZERO) + previous_tax,
            holiday_basis=payroll.HolidayBasis(assistant.holiday_basis),
            sickness=sickness,
            pension_membership=membership,
            claims_employment_allowance=run.employer.employment_allowance_claimed,
            employment_allowance_remaining=allowance_left,
            student_loan_plan=payroll.StudentLoanPlan(assistant.student_loan_plan)
            if assistant.student_loan_plan
            else None,
            postgraduate_loan=assistant.postgraduate_loan,
        ),
        warnings,
    )


def _sick_days_paid_before(previous) -> set[datetime.date]:
    """The days of sickness on the timesheets the PA's earlier payslips paid (in runs still in
    force), for the 28-week limit on Statutory Sick Pay."""
    starts = Shift.objects.filter(
        kind=ShiftKind.SICK, timesheet__payments__payslip__in=previous
    ).values_list("starts_at", flat=True)
    return {timezone.localtime(start).date() for start in starts}


def _qualifying_days_a_week(run, assistant, days_worked: set[int]) -> int:
    """The PA's qualifying days for Statutory Sick Pay: the days of the week they normally
    work (SSCBA 1992 s.154). Their record holds no working pattern, so the rule is: the days of
    the week on which they had a shift of any kind (worked, holiday or sick) on an approved
    timesheet in the 8 weeks up to the end of this pay period, with this run's own shifts
    (`days_worked`, weekday numbers), which may be earlier. Never fewer than 1. A week's
    timesheet with fewer days on it than usual (a Monday to Friday PA off sick on the
    Wednesday of a week whose timesheet shows Monday to Wednesday) does not make each sick day
    worth more."""
    window_ends = run.period_ends_on + datetime.timedelta(days=1)
    starts = Shift.objects.filter(
        assistant=assistant,
        timesheet__status=TimesheetStatus.APPROVED,
        starts_at__gte=_midnight(window_ends - _SSP_WEEKS_BACK),
        starts_at__lt=_midnight(window_ends),
    ).values_list("starts_at", flat=True)
    weekdays = days_worked | {timezone.localtime(start).weekday() for start in starts}
    return max(1, len(weekdays))


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def _last_pay_day_by(frequency: str, day: datetime.date) -> datetime.date:
    """The last pay day (a pay period's last day) on or before `day`."""
    period = period_containing(frequency, day)
    return day if period.ends_on == day else period.starts_on - datetime.timedelta(days=1)


def _ssp_relevant_period(frequency: str, first_sick_day: datetime.date):
    """The 8 weeks before the sickness, as pay days (SSP (General) Regulations 1982 reg 19):
    (the last pay day at least 8 weeks before the last one, which is not in the period; the
    last pay day before the first sick day). Monthly, 5 March to 5 May for sickness from
    13 May: the pay days of 5 April and 5 May."""
    last = _last_pay_day_by(frequency, first_sick_day - datetime.timedelta(days=1))
    return _last_pay_day_by(frequency, last - _SSP_WEEKS_BACK), last


def _average_weekly_earnings(run, assistant, previous, first_sick_day) -> Decimal:
    """The PA's average weekly earnings for Statutory Sick Pay, to the penny.

    From their pay in the 8 weeks before the sickness (`_ssp_relevant_period`): the gross
    pay of their payslips paid in it, over its weeks (monthly: x 12 / 52 / its months). That
    needs this service to have paid them on or before the period's first pay day, so that no
    pay in it went unrecorded; until then (a new PA, or one paid elsewhere before), from their
    contract: hours a week x their day rate, or with no day rate their only hourly rate (a PA
    paid only for nights). Where neither can be worked out the PA is not paid with £0.00 sick
    pay: a `ValueError` says what to enter, and the run cannot be finalised."""
    after, last = _ssp_relevant_period(run.frequency, first_sick_day)
    if previous.filter(run__pay_date__lte=after).exists():
        paid = previous.filter(run__pay_date__gt=after, run__pay_date__lte=last).aggregate(
            total=Sum("gross_pay")
        )["total"]
        if run.frequency == PayFrequency.MONTHLY:
            months = (last.year - after.year) * 12 + last.month - after.month
            weekly = (paid or ZERO) * 12 / (52 * months)
        else:
            weekly = (paid or ZERO) * 7 / (last - after).days
        return weekly.quantize(payroll.PENNY, rounding=ROUND_HALF_UP)
    hours = assistant.contracted_hours
    rate = assistant.day_rate
    if rate is None:
        night_rates = [r for r in (assistant.night_rate, assistant.waking_night_rate) if r]
        rate = night_rates[0] if len(night_rates) == 1 else None
    missing = [words for words, value in (("hours a week", hours), ("day rate", rate)) if not value]
    if missing:
        raise ValueError(
            "their Statutory Sick Pay cannot be worked out. This service has not paid them for "
            "long enough before they were off sick to average their pay, so it comes from their "
            f"contract: enter their {' and '.join(missing)} on their record, then recalculate"
        )
    return (hours * rate).quantize(payroll.PENNY, rounding=ROUND_HALF_UP)


def _store(run, assistant, timesheets, result: payroll.PayslipResult, warnings) -> Payslip:
    pay = result.pay
    if result.tax.tax_held_back:
        warnings.append(
            f"£{result.tax.tax_held_back:,} of tax was not taken this time because of the "
            "K code limit: it will be collected later"
        )
    if result.pension.enrolled_now:
        warnings.append("Enrolled into the workplace pension this pay period: tell them in writing")
    holiday = sum((line.amount for line in pay.lines if line.kind is payroll.PayKind.HOLIDAY), ZERO)
    previous_pay, previous_tax = previous_jobs_to_date(run, assistant)
    payslip = Payslip.objects.create(
        run=run,
        assistant=assistant,
        tax_code=result.tax.tax_code,
        tax_basis=result.tax.basis.value,
        ni_category=result.ni.category.value,
        pension_category=str(result.pension.category.value)[:40],
        pension_member=result.pension.member,
        pension_enrolled_now=result.pension.enrolled_now,
        hours_worked=pay.hours_worked,
        holiday_hours_accrued=pay.holiday_hours_accrued,
        gross_pay=result.gross_pay,
        holiday_pay=holiday,
        rolled_up_holiday_pay=pay.rolled_up_holiday_pay,
        statutory_sick_pay=pay.statutory_sick_pay,
        taxable_pay=result.taxable_pay,
        tax=result.tax.tax,
        taxable_pay_to_date=result.taxable_pay_to_date,
        tax_paid_to_date=result.tax_paid_to_date,
        previous_pay=previous_pay,
        previous_tax=previous_tax,
        ni_earnings_up_to_lel=result.ni.earnings_up_to_lel,
        ni_earnings_lel_to_pt=result.ni.earnings_lel_to_pt,
        ni_earnings_pt_to_uel=result.ni.earnings_pt_to_uel,
        employee_ni=result.ni.employee,
        employer_ni_before_allowance=result.ni.employer_before_allowance,
        employment_allowance_used=result.ni.employment_allowance_used,
        employer_ni=result.ni.employer,
        pension_qualifying_earnings=result.pension.qualifying_earnings,
        pension_employee_contribution=result.pension.employee_contribution,
        pension_employee_deduction=result.pension.employee_deduction,
        pension_employer_contribution=result.pension.employer_contribution,
        student_loan_plan=result.loans.plan.value if result.loans.plan else "",
        student_loan=result.loans.student_loan,
        postgraduate_loan=result.loans.postgraduate_loan,
        net_pay=result.net_pay,
        employer_cost=result.employer_cost,
        warnings="\n".join(warnings)[:1000],
    )
    PayslipLine.objects.bulk_create(
        PayslipLine(
            payslip=payslip,
            position=position,
            description=line.description[:200],
            kind=line.kind.value,
            hours=line.hours,
            rate=line.hourly_rate,
            amount=line.amount,
        )
        for position, line in enumerate(pay.lines, start=1)
    )
    PaidTimesheet.objects.bulk_create(
        PaidTimesheet(timesheet=timesheet, payslip=payslip, correction=run.corrects_id is not None)
        for timesheet in timesheets
    )
    return payslip
