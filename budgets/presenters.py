"""Display-ready explanations of budgets and calculations, in plain English.

The same data feeds the staff pages, the budget holder's "Your budget" page and
(later) the printed documents, so the person and the team always see the same
figures worded the same way.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.template.defaultfilters import floatformat, pluralize
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from budgets.calculations import (
    HOLIDAY_DAYS_MAX,
    WEEKS_PER_YEAR,
    financial_year,
    financial_year_label,
    holiday_weeks,
    pa_age,
    pension_thresholds,
    points_text,
)
from budgets.in_force import Amounts, overtaken
from budgets.models import (
    Budget,
    CalculationBasis,
    ChcPackage,
    LocalRateSet,
    NationalRateSet,
    PaCosting,
    RasAssessment,
    RasQuestionnaire,
)
from budgets.models.budget import BudgetStatus
from budgets.models.calculations import ChcProviderType
from budgets.models.ras import QuestionnaireStatus
from phb.components import render_component
from phb.links import links_to
from phb.presenters import display_date, hidden_caption


def money(value: Decimal | None) -> str:
    if value is None:
        return ""
    sign = "−" if value < 0 else ""
    return f"{sign}£{abs(value):,.2f}"


def percent(rate: Decimal) -> str:
    """0.15 -> '15%', 0.1207 -> '12.07%'."""
    return f"{(rate * 100).normalize():f}%"


def day(value) -> str:
    return f"{value:%-d %B %Y}"


def from_day(when) -> str:
    """ " from 7 January 2027" for an amount from a change's day ("" for the amount now)."""
    return f" from {day(when)}" if when else ""


def _stop_verb(budget: Budget, today=None) -> str:
    """ "stops" or "stopped" for a budget stopped early ("" for any other)."""
    if budget.stopped_from is None:
        return ""
    return "stopped" if budget.stopped_from <= (today or timezone.localdate()) else "stops"


def stop_words(budget: Budget, today=None) -> str:
    """ "It stops on 18 December 2026" or "It stopped on …" for a budget stopped early ("" for
    any other): from that day no payment is made from it."""
    verb = _stop_verb(budget, today)
    return f"It {verb} on {day(budget.stopped_from)}" if verb else ""


def sentence(text: str) -> str:
    """Free text someone wrote, ending as a sentence does: a full stop is added unless it
    already ends with one (or a question or exclamation mark), so the next sentence does not
    run on from it."""
    text = text.strip()
    return text if not text or text.endswith((".", "!", "?")) else f"{text}."


def number(value: Decimal) -> str:
    return f"{value.normalize():f}"


@dataclass
class Line:
    """One line of an explanation: what, how it was worked out, and the amount."""

    text: str
    detail: str = ""
    amount: str = ""


@dataclass
class Explanation:
    """How a figure was worked out: a heading, lines, and the result.

    Weekly and yearly amounts never share a column: `weekly` lines (and their
    `weekly_total`) are shown in a table of their own, headed "A week"; `lines` and `total`
    are amounts for a year. `notes` are sentences shown after the tables.
    """

    title: str
    intro: str
    lines: list[Line] = field(default_factory=list)
    total_label: str = ""
    total: str = ""
    notes: list[str] = field(default_factory=list)
    weekly: list[Line] = field(default_factory=list)
    weekly_total_label: str = ""
    weekly_total: str = ""


def explain_ras(assessment: RasAssessment) -> Explanation:
    answers = assessment.answers.all()
    return Explanation(
        title="Resource allocation (needs questionnaire)",
        intro=(
            f"We asked about needs in {len(answers)} areas. Each answer scores points. "
            f"For {assessment.questionnaire.financial_year_label}, each point is worth "
            f"{money(assessment.price_per_point)} a year."
        ),
        lines=[
            Line(
                text=answer.domain.name,
                detail=f"‘{answer.option.text}’: {points_text(answer.points)}",
                amount=money(answer.amount),
            )
            for answer in answers
        ],
        total_label=(
            f"{points_text(assessment.total_points)} × {money(assessment.price_per_point)} "
            "= the amount for a year"
        ),
        total=money(assessment.annual_amount),
    )


# What a CHC package line's units are, from the local rate it is costed at (hours of agency
# care or nursing, nights of sleeping-night care); other lines are counted as units.
LINE_UNITS = {
    ChcProviderType.AGENCY_DAY: ("hours", "an hour"),
    ChcProviderType.AGENCY_WAKING_NIGHT: ("hours", "an hour"),
    ChcProviderType.NURSING: ("hours", "an hour"),
    ChcProviderType.AGENCY_NIGHT: ("nights", "a night"),
}


def chc_line_detail(line) -> str:
    """'42 hours a week at £28.50 an hour', not '42 a week at £28.50 each'."""
    units, each = LINE_UNITS.get(line.provider_type, ("", "each"))
    counted = f"{number(line.units_per_week)} {units}".strip()
    if units and line.units_per_week == 1:
        counted = counted[:-1]
    return f"{counted} a week at {money(line.unit_cost)} {each}"


def explain_chc(package: ChcPackage) -> Explanation:
    return Explanation(
        title="Cost of the care the NHS would otherwise arrange (the cap)",
        intro=(
            "We worked out what the care would cost if the NHS arranged it. "
            "The budget is not more than this unless a clinician agrees there is a clinical "
            "reason for it."
        ),
        weekly=[
            Line(
                text=line.service,
                detail=chc_line_detail(line),
                amount=money(line.weekly_cost),
            )
            for line in package.lines.all()
        ],
        weekly_total_label="Total for a week",
        weekly_total=money(package.weekly_cost),
        total_label=(
            f"{money(package.weekly_cost)} a week × {WEEKS_PER_YEAR} weeks = the cap for a year"
        ),
        total=money(package.annual_cost),
    )


WAGE_BANDS = {
    "21_plus": ("the National Living Wage", "21 or over"),
    "18_20": ("the National Minimum Wage", "18 to 20"),
    "16_17": ("the National Minimum Wage", "16 or 17"),
}
APPRENTICE_WAGE = ("the National Minimum Wage", "apprentices")


def _minimum_wage(pa, rates) -> str:
    """'at least £10.85 an hour, the National Minimum Wage for someone aged 18 to 20'."""
    minimum = money(rates.as_figures().minimum_hourly_rate(pa.age_band))
    if pa.apprentice:
        return f"at least {minimum} an hour, the National Minimum Wage for apprentices"
    name, ages = WAGE_BANDS[pa.age_band]
    return f"at least {minimum} an hour, {name} for someone aged {ages}"


def _age_words(pa, on) -> str:
    """What was known of a PA's age, and the least they can be paid because of it."""
    if pa.age_source == "assumed":
        # Only what is known: no age was given, which says nothing of whether the PA was
        # recruited. Costed as an adult, the least they can be paid is the adult's.
        return (
            f"No age was given for {pa.label}, so they are costed as aged 21 or over: "
            f"{_minimum_wage(pa, pa.costing.national_rates)}."
        )
    return (
        f"Aged {pa.age_on_effective_date} on {day(on)}: "
        f"{_minimum_wage(pa, pa.costing.national_rates)}."
    )


def _pension_words(pa, rates, thresholds, period: str) -> str:
    """Whether the PA is in a workplace pension, and why, in a sentence or two."""
    band = (
        f"{percent(rates.pension_employer_min_rate)} of pay between "
        f"{money(thresholds.lower)} and {money(thresholds.upper)} a {period}"
    )
    if pa.pension == "opted_out":
        return f"Not in a workplace pension: {pa.label} chose to leave it."
    if pa.pension == "opted_in":
        if pa.pension_enrolled:
            return f"{band}. {pa.label} chose to join the pension."
        return (
            f"Not paid into: {pa.label} chose to join the pension, but is paid "
            f"{money(thresholds.lower)} a {period} or less, so the employer does not have to "
            "pay in."
        )
    category = pa.pension_category
    if pa.pension_enrolled:
        if pa.age_source == "assumed":
            return (
                f"{band}. With no age given, {pa.label} is costed as aged 22 or over and under "
                f"State Pension age, so paid more than {money(thresholds.trigger)} a {period} "
                "they must be enrolled."
            )
        if pa.state_pension_uncertain:
            return (
                f"{band}. We cannot tell from {pa.label}'s age alone whether they have reached "
                "State Pension age, so we assumed they have not and must be enrolled."
            )
        if category == "eligible":
            return (
                f"{band}. Aged 22 or over, under State Pension age and paid more than "
                f"{money(thresholds.trigger)} a {period}, they must be enrolled."
            )
        return f"{band}."
    join = (
        f"They can ask to join, and the employer must then pay {band}; "
        "this costing does not include it."
    )
    if category == "not_covered":
        return (
            f"Not in a workplace pension: aged 75 or over, so the employer has no pension "
            f"duties for {pa.label}."
        )
    if category == "entitled":
        return (
            f"Not in a workplace pension: paid {money(thresholds.lower)} a {period} or less. "
            f"{pa.label} can ask to join one, but the employer does not have to pay into it."
        )
    if category == "non_eligible":
        facts = _age_facts(pa)
        if facts.age is not None and facts.age < 22:
            why = "under 22, so not enrolled automatically"
        elif facts.state_pension_reached:
            why = "State Pension age reached, so not enrolled automatically"
        else:
            why = (
                f"paid {money(thresholds.trigger)} a {period} or less, so not enrolled "
                "automatically"
            )
        return f"Not in a workplace pension: {why}. {join}"
    return "Not in a workplace pension"


# Why the employer pays no NI up to the upper secondary threshold, by NI category.
NI_RELIEF_WORDS = {
    "M": "is under 21",
    "H": "is an apprentice under 25",
}


def _ni_words(pa, rates, period: str) -> str:
    """How the employer's NI for a PA was worked out, and for a PA under 21 or an apprentice
    under 25 why there is none (or none up to the upper secondary threshold)."""
    if pa.ni_category in NI_RELIEF_WORDS:
        upper = (
            rates.upper_secondary_threshold_weekly
            if period == "week"
            else rates.upper_secondary_threshold_monthly
        )
        why = (
            f"{pa.label} {NI_RELIEF_WORDS[pa.ni_category]}, so the employer pays no National "
            f"Insurance on their pay up to {money(upper)} a {period} (the upper secondary "
            "threshold)"
        )
        if pa.employer_ni_weekly == 0:
            return f"None: {why}"
        return f"{percent(rates.employer_ni_rate)} of pay above {money(upper)} a {period}: {why}"
    threshold = _ni_threshold(rates, period)
    return f"{percent(rates.employer_ni_rate)} of pay above {threshold} a {period}"


def _age_facts(pa):
    """The PA's age on the costing's date, worked out again from what was recorded by the
    same rule the costing used (`budgets.calculations.pa_age`)."""
    return pa_age(
        label=pa.label,
        on=pa.costing.effective_date,
        date_of_birth=pa.date_of_birth,
        age=pa.stated_age,
        apprentice=pa.apprentice,
    )


def _changes_in_the_year(pa, costing, thresholds, period: str, within=None) -> list[str]:
    """What changes for a PA within a year of the costing because of a birthday or State
    Pension age (known only from a date of birth), so a review can be planned. For a budget,
    `within` is its first and last day: nothing before it starts or after it ends is said."""
    if pa.date_of_birth is None:
        return []
    figures = costing.national_rates
    notes = []
    for when, kind in _age_facts(pa).changes:
        if within is not None and not within[0] <= when <= within[1]:
            continue
        on = f"On {day(when)}, {pa.label}"
        if kind == "ni_25" and pa.ni_category == "H":
            notes.append(
                f"{on} turns 25: from then the employer must pay National Insurance of "
                f"{percent(figures.employer_ni_rate)} on their pay above "
                f"{_ni_threshold(figures, period)} a {period}. This costing does not include "
                "that: review the budget then."
            )
        elif kind == "wage_21" and pa.ni_category == "M":
            minimum = figures.nlw_21_plus
            pay = (
                f"the least they can be paid goes up to {money(minimum)} an hour, which their "
                f"rate of {money(pa.hourly_rate)} already meets, and"
                if pa.hourly_rate >= minimum
                else f"they must be paid at least {money(minimum)} an hour, and"
            )
            notes.append(
                f"{on} turns 21: from then {pay} the employer must pay National Insurance of "
                f"{percent(figures.employer_ni_rate)} on their pay above "
                f"{_ni_threshold(figures, period)} a {period}. This costing does not include "
                "that: review the budget then."
            )
        elif kind in ("wage_18", "wage_21"):
            minimum = figures.nmw_18_20 if kind == "wage_18" else figures.nlw_21_plus
            turns = "18" if kind == "wage_18" else "21"
            if pa.hourly_rate >= minimum:
                notes.append(
                    f"{on} turns {turns}: the least they can be paid goes up to "
                    f"{money(minimum)} an hour, which their rate of {money(pa.hourly_rate)} "
                    "already meets."
                )
            else:
                notes.append(
                    f"{on} turns {turns}: from then they must be paid at least "
                    f"{money(minimum)} an hour. This costing does not include that: review "
                    "the budget then."
                )
        elif pa.pension != "auto":
            continue  # they chose: their birthdays do not change it
        elif kind == "pension_22" and not pa.pension_enrolled:
            notes.append(
                f"{on} turns 22: if they are paid more than {money(thresholds.trigger)} a "
                f"{period} they must then be enrolled in a workplace pension. This costing "
                "does not include that: review the budget then."
            )
        elif kind == "state_pension_age" and pa.pension_enrolled:
            notes.append(
                f"{on} reaches State Pension age: from then the employer no longer has to "
                "enrol them, but they may stay in the pension."
            )
    return notes


def _ni_threshold(figures, period: str) -> str:
    threshold = (
        figures.ni_secondary_threshold_weekly
        if period == "week"
        else figures.ni_secondary_threshold_monthly
    )
    return money(threshold)


def explain_pa_costing(costing: PaCosting, within=None, indicative=None) -> Explanation:
    """The costing line by line. For a budget, `within` is its first and last day, so that
    what changes in the year is said only for days in its period, and `indicative` its
    indicative amount, so that how the Employment Allowance was set against the National
    Insurance of its days is said when the amount was worked out so."""
    rates = costing.national_rates
    thresholds = pension_thresholds(rates.as_figures(), costing.pay_frequency)
    period = "week" if costing.pay_frequency == "weekly" else "month"
    weekly = []
    notes = []
    for pa in costing.lines.all():
        pa.costing = costing  # the lines were fetched through it
        weekly.append(
            Line(
                text=f"{pa.label}: wages",
                detail=(
                    f"{number(pa.hours_per_week)} hours a week{_over_days(pa)} at "
                    f"{money(pa.hourly_rate)} an hour. {_age_words(pa, costing.effective_date)}"
                ),
                amount=money(pa.gross_weekly),
            )
        )
        if pa.holiday_method == "rolled_up":
            holiday_detail = (
                f"Holiday pay of {percent(rates.holiday_accrual_rate)} of wages, because the "
                "hours are irregular"
            )
        else:
            holiday_detail = _holiday_cover_words(pa, rates)
        weekly.append(Line(f"{pa.label}: holiday", holiday_detail, money(pa.holiday_weekly)))
        weekly.append(
            Line(
                f"{pa.label}: employer's National Insurance",
                _ni_words(pa, rates, period),
                money(pa.employer_ni_weekly),
            )
        )
        weekly.append(
            Line(
                f"{pa.label}: workplace pension",
                _pension_words(pa, rates, thresholds, period),
                money(pa.pension_weekly),
            )
        )
        notes += _changes_in_the_year(pa, costing, thresholds, period, within)
    notes += _allowance_for_the_period(costing, within, indicative)
    yearly = [
        Line("Wages", f"{WEEKS_PER_YEAR} weeks", money(costing.wages_annual)),
        Line("Holiday", "", money(costing.holiday_annual)),
        _national_insurance_line(costing, rates),
        Line("Workplace pension", "", money(costing.pension_annual)),
        Line(
            "Employer's liability insurance",
            "A legal requirement for employers",
            money(costing.insurance_annual),
        ),
        Line(
            "Payroll service",
            "Working out pay, tax and payslips",
            money(costing.payroll_fee_annual),
        ),
    ]
    if costing.contingency_annual:
        yearly.append(
            Line(
                "Contingency",
                f"{percent(costing.contingency_rate)} set aside for the unexpected, "
                "such as sick pay",
                money(costing.contingency_annual),
            )
        )
    return Explanation(
        title="Cost of employing personal assistants",
        intro=(
            "Employing personal assistants (PAs) costs more than their wages. We added what an "
            f"employer must pay on top, using the national figures for {rates.name}."
        ),
        weekly=weekly,
        lines=yearly,
        total_label=f"Total for a year (about {money(costing.total_weekly)} a week)",
        total=money(costing.total_annual),
        notes=notes,
    )


def _over_days(pa) -> str:
    """ " over 6 days" when the days a week were given."""
    if pa.days_per_week is None:
        return ""
    return f" over {pa.days_per_week} day{pluralize(pa.days_per_week)}"


def _holiday_cover_words(pa, rates) -> str:
    """The holiday cover: 5.6 weeks, or 28 days for a PA who works 6 or 7 days a week."""
    weeks = holiday_weeks(rates.holiday_weeks, pa.days_per_week)
    if weeks == rates.holiday_weeks:
        return (
            f"Paying someone to cover {number(rates.holiday_weeks)} weeks of paid holiday "
            "a year, spread over the year"
        )
    return (
        f"Paying someone to cover {HOLIDAY_DAYS_MAX} days of paid holiday a year "
        f"({number(weeks.quantize(Decimal('0.01')))} weeks of {pa.days_per_week} days), spread "
        f"over the year. Paid holiday is {number(rates.holiday_weeks)} weeks a year, but no "
        f"more than {HOLIDAY_DAYS_MAX} days"
    )


def _allowance_for_the_period(costing: PaCosting, within, indicative) -> list[str]:
    """For a budget whose amount was worked out with the Employment Allowance set against the
    National Insurance of its days (`PaCosting.for_period`), rather than a year's NI after the
    allowance in proportion: the NI of its days, what the allowance covers, and what is left.
    Nothing when all of a year's NI is covered, as then all of any period's is."""
    if (
        within is None
        or not costing.claims_employment_allowance
        or costing.employer_ni_annual <= costing.employment_allowance_annual
    ):
        return []
    period = costing.for_period(*within)
    if indicative != period.amount or period.amount == period.pro_rata:
        return []
    (part,) = period.parts
    limit = money(costing.national_rates.employment_allowance_annual)
    covers = "all" if part.allowance == part.ni else money(part.allowance)
    said = (
        f"The employer's National Insurance for {day(part.start)} to {day(part.end)} is "
        f"{money(part.ni)}. The Employment Allowance covers {covers} of it: the employer can "
        f"claim up to {limit} a year, from its first payroll, so it is not shared out over "
        "the year."
    )
    payable = period.ni_payable
    left = f"{money(payable)} of National Insurance" if payable else "no National Insurance"
    return [f"{said} So the budget includes {left}."]


def _national_insurance_line(costing: PaCosting, rates) -> Line:
    """Employer's National Insurance for a year, less the Employment Allowance the employer
    claims, in one line with a sentence that says how."""
    ni, allowance = costing.employer_ni_annual, costing.employment_allowance_annual
    payable = ni - allowance
    if not costing.claims_employment_allowance:
        detail = "The employer does not claim the Employment Allowance, so pays all of it"
    elif payable == 0:
        detail = (
            f"The employer's National Insurance of {money(ni)} a year is all covered by the "
            f"Employment Allowance (up to {money(rates.employment_allowance_annual)} a year), "
            "which the employer claims, so there is nothing to pay"
        )
    else:
        detail = (
            f"{money(ni)} a year, less the Employment Allowance of {money(allowance)} that the "
            "employer claims"
        )
    return Line("Employer's National Insurance", detail, money(payable))


def explain_calculation(calculation, within=None, indicative=None) -> Explanation:
    """How a calculation was worked out; `within`, a budget's first and last day, and
    `indicative`, its indicative amount."""
    if isinstance(calculation, RasAssessment):
        return explain_ras(calculation)
    if isinstance(calculation, ChcPackage):
        explanation = explain_chc(calculation)
    else:
        explanation = explain_pa_costing(calculation, within, indicative)
    explanation.notes[:0] = rates_from_an_earlier_year(calculation)
    return explanation


def _rates_for_the_year(rate_sets, used, on) -> str:
    """'' when the rate set `used` on `on` came into force in that financial year (or
    earlier, with none in the service for the year until after `on`); otherwise "missing"
    (none for the year yet) or "added" (one in force on `on` has been added since)."""
    start, end = financial_year(on)
    if used.effective_from >= start:
        return ""
    newer = (
        rate_sets.filter(effective_from__gt=used.effective_from, effective_from__lte=end)
        .order_by("effective_from")
        .first()
    )
    if newer is None:
        return "missing"
    return "added" if newer.effective_from <= on else ""


def rates_from_an_earlier_year(calculation) -> list[str]:
    """What the explanation of a CHC package or PA costing must say when it was worked out
    with rates from before its financial year, because none for that year were in the service
    (the latest set is used until they are, `national_rates_on`, `local_rates_on`): which
    were used, and that it should be worked out again once that year's are in, or now. (A
    resource allocation is refused without its year's questionnaire.)"""
    if isinstance(calculation, RasAssessment):
        return []
    on = calculation.effective_date
    year = financial_year_label(on)
    said = []
    if isinstance(calculation, PaCosting):
        used = calculation.national_rates
        state = _rates_for_the_year(NationalRateSet.objects.all(), used, on)
        if state == "missing":
            said.append(
                f"There are no national figures for {year} in the service yet, so this uses "
                f"those for {used.name}. It should be worked out again once they are in."
            )
        elif state == "added":
            said.append(
                f"There were no national figures for {year} in the service when this was "
                f"worked out, so it uses those for {used.name}. They are in now, so it should "
                "be worked out again."
            )
    used = calculation.local_rates
    local = LocalRateSet.objects.filter(organisation_id=used.organisation_id)
    state = _rates_for_the_year(local, used, on)
    if state == "missing":
        said.append(
            f"There are no local rates for {year} in the service yet, so where this uses "
            f"local rates they are those from {day(used.effective_from)}. It should be worked "
            "out again once there are."
        )
    elif state == "added":
        said.append(
            f"There were no local rates for {year} in the service when this was worked out, "
            f"so where this uses local rates they are those from {day(used.effective_from)}. "
            "They are in now, so it should be worked out again."
        )
    return said


def went(change) -> str:
    """A change in the tense that is true today: one still to come "goes" up or down."""
    if change.effective_from > timezone.localdate():
        return "goes up" if change.is_increase else "goes down"
    return "went up" if change.is_increase else "went down"


def overtaken_by_stop(change) -> str:
    """For a change dated on or after the day its budget stops: the sentence that says it does
    not happen ("" for any other change). No payment is made from the budget from that day, so
    a change from then on never takes effect, whenever it was issued."""
    if not overtaken(change):
        return ""
    budget = change.budget
    return (
        f"That change does not happen: the budget {_stop_verb(budget)} on "
        f"{day(budget.stopped_from)}, before it was due."
    )


def change_words(change) -> str:
    if overtaken := overtaken_by_stop(change):
        return (
            f"From {day(change.effective_from)} the budget was to "
            f"{'go up' if change.is_increase else 'go down'} from "
            f"{money(change.previous_amount)} to {money(change.new_amount)}, because: "
            f"{change.reason.strip().rstrip('.')}. {overtaken}"
        )
    return (
        f"From {day(change.effective_from)} the budget {went(change)} from "
        f"{money(change.previous_amount)} to {money(change.new_amount)}, because: {change.reason}"
    )


def _amount_steps(budget: Budget, amount: Decimal, *, changed: bool) -> list[str]:
    """How the amount compares with the indicative amount, in words true of the budget's state
    and written for staff (the holder's page has its own, `holder_presenters`): only a budget
    that was agreed says "agreed", and only a supporting clinical check of the amount says a
    clinician supported it."""
    more = amount - budget.indicative_amount
    if budget.in_preparation or budget.status == BudgetStatus.WITHDRAWN:
        said = "The amount proposed is" if budget.in_preparation else "The amount proposed was"
        if more > 0:
            latest = budget.latest_check()
            if budget.earlier_check() is not None:
                checked = "A clinician checked it before it was last changed" + (
                    ", so a clinician must check it again." if budget.in_preparation else "."
                )
            elif latest is None:
                checked = "A clinician has not checked this amount yet."
            elif latest.supported:
                checked = "A clinician checked and supported this."
            else:
                checked = "A clinician checked this amount and did not support it."
            return [
                f"{said} {money(amount)}, which is {money(more)} more, because: "
                f"{sentence(budget.clinical_justification)} {checked}"
            ]
        if more < 0:
            return [f"{said} {money(amount)}, {money(-more)} less than the indicative amount."]
        return []
    said = "The amount first agreed was" if changed else "The amount agreed is"
    if more > 0:
        checked = " A clinician checked and supported this." if budget.clinical_check_id else ""
        return [
            f"{said} {money(amount)}, which is {money(more)} more, because: "
            f"{sentence(budget.clinical_justification)}{checked}"
        ]
    if more < 0:
        # Not "enough for the care in the plan": a plan may cost more, with a reason.
        return [f"{said} {money(amount)}, {money(-more)} less than the indicative amount."]
    return []


def explain_budget_calculation(budget: Budget) -> Explanation:
    """How the budget's calculation was worked out, said for the budget's period."""
    return explain_calculation(
        budget.calculation,
        within=(budget.period_start, budget.full_period_end),
        indicative=budget.indicative_amount,
    )


def period_step(budget: Budget, annual: Decimal) -> list[str]:
    """From the calculation's yearly figure to the budget's indicative amount, when they
    differ: part of a year, and for a PA costing the Employment Allowance set against the
    National Insurance of the budget's days (`PaCosting.for_period`)."""
    if budget.indicative_amount == annual:
        return []
    start, end = budget.period_start, budget.full_period_end
    days = (end - start).days + 1
    becomes = f"the yearly {money(annual)} becomes {money(budget.indicative_amount)}"
    allowance = ""
    if budget.pa_costing_id is not None:
        period = budget.calculation.for_period(start, end)
        if period.amount == budget.indicative_amount != period.pro_rata:
            allowance = (
                ", with the Employment Allowance set against the employer's National Insurance "
                "for those days"
            )
    return [
        f"The budget is for {days} days ({day(start)} to {day(end)}), not a whole year, so "
        f"{becomes}{allowance}."
    ]


def explain_budget(budget: Budget) -> dict:
    """Everything the staff's "How the budget was worked out" says, from the calculation to
    the amount."""
    calculation = budget.calculation
    explanation = explain_budget_calculation(budget)
    annual = {
        CalculationBasis.RAS: lambda c: c.annual_amount,
        CalculationBasis.CHC_CAP: lambda c: c.annual_cost,
        CalculationBasis.PA_COSTING: lambda c: c.total_annual,
    }[budget.basis](calculation)
    steps = period_step(budget, annual)
    # Oldest first, from the budget's prefetched changes where the page fetched them.
    changes = sorted(budget.changes.all(), key=lambda change: change.at)
    agreed_at_first = changes[0].previous_amount if changes else budget.agreed_amount
    steps += _amount_steps(budget, agreed_at_first, changed=bool(changes))
    steps += [change_words(change) for change in changes]
    return {
        "explanation": explanation,
        "steps": steps,
    }


# --- Macro options for the NHS.UK components on the budget pages ------------------------------

STATUS_COLOURS = {
    BudgetStatus.DRAFT: "white",
    BudgetStatus.PROPOSED: "yellow",
    BudgetStatus.AGREED: "aqua-green",
    BudgetStatus.ACTIVE: "green",
    BudgetStatus.WITHDRAWN: "purple",
    BudgetStatus.REDUCED: "orange",
    BudgetStatus.ENDED: "grey",
}
QUESTIONNAIRE_COLOURS = {
    QuestionnaireStatus.DRAFT: "white",
    QuestionnaireStatus.PUBLISHED: "green",
    QuestionnaireStatus.RETIRED: "grey",
}


def status_tag(budget: Budget) -> dict:
    """A budget's status as an NHS.UK tag."""
    return {"text": budget.get_status_display(), "colour": STATUS_COLOURS[budget.status]}


def questionnaire_status_tag(questionnaire: RasQuestionnaire) -> dict:
    return {
        "text": questionnaire.get_status_display(),
        "colour": QUESTIONNAIRE_COLOURS[questionnaire.status],
    }


def _money_cell(value, *, strong: bool = False) -> dict:
    text = value if isinstance(value, str) else money(value)
    cell = {"html": format_html("<strong>{}</strong>", text)} if strong else {"text": text}
    return {**cell, "format": "numeric", "classes": "phb-money"}


def _row(key: str, value: dict, classes: str = "") -> dict:
    return {"key": {"text": key}, "value": {**value, "classes": classes or None}}


def budget_amount_rows(budget: Budget) -> list[dict]:
    """The 'Amount' summary on the staff budget page."""
    set_up_on = display_date(budget.created_at, "j F Y")
    rows = [
        _row(
            "Indicative amount or cap for the period",
            {"text": money(budget.indicative_amount)},
            "phb-money",
        ),
        _row("How it was worked out", {"text": budget.get_basis_display()}),
        _row("Clinical justification", {"text": budget.clinical_justification or "None needed"}),
        _row("Set up by", {"text": f"{budget.created_by.full_name} on {set_up_on}"}),
    ]
    if budget.backdating_reason:
        rows.append(_row("Why it is backdated", {"text": budget.backdating_reason}))
    if budget.agreed_by:
        agreed_on = display_date(budget.agreed_at, "j F Y")
        rows.append(_row("Agreed by", {"text": f"{budget.agreed_by.full_name} on {agreed_on}"}))
    return rows


def budget_summary_rows(budget: Budget, today=None) -> list[dict]:
    """What the budget is, when, how the money is held and who pays, for staff: the amount in
    force today and from each change still to come, not the one a change wrote early (one the
    budget's stop overtook never happens), as the holder's page says it."""
    today = today or timezone.localdate()
    amounts = Amounts(budget)
    shares = amounts.portion_amounts(today)
    portions = format_html_join(
        "",
        "<li>{}: {}{}</li>",
        (
            (
                portion.get_method_display(),
                _amounts_html(shares[portion.pk]),
                f" (held by {portion.held_by})" if portion.held_by else "",
            )
            for portion in budget.portions.all()
        ),
    )
    streams = format_html_join(
        "",
        "<li>{}: {}%</li>",
        (
            (stream.get_kind_display(), floatformat(stream.share_percent, "-2"))
            for stream in budget.funding_streams.all()
        ),
    )
    amount_rows = [
        _row(f"Amount{from_day(when)}", {"text": money(amounts.amount(index))}, "phb-money")
        for index, when in amounts.steps(today)
    ]
    return [
        *amount_rows,
        _row("Period", {"text": period_words(budget, today=today)}),
        _row("How the money is held", _list_html(portions)),
        _row("Who pays for it", _list_html(streams)),
    ]


def _amounts_html(amounts) -> str:
    """ "£943.06, then £800.00 from 7 January 2027", each amount kept on one line."""
    return format_html_join(
        ", then ",
        '<span class="phb-money">{}</span>{}',
        ((money(amount), from_day(when)) for amount, when in amounts),
    )


def _list_html(items) -> dict:
    return {"html": format_html('<ul class="nhsuk-list">{}</ul>', items)}


def schedule_table(portion) -> dict:
    """A paid-out portion's payment dates and amounts."""
    return {
        "caption": hidden_caption("Payment dates and amounts"),
        "head": [{"text": "Payment"}, {"text": "Date"}, {"text": "Amount", "format": "numeric"}],
        "rows": [
            [
                {"text": str(instalment.number)},
                {"text": display_date(instalment.due_date, "j F Y")},
                _money_cell(instalment.amount),
            ]
            for instalment in portion.schedule.instalments.all()
        ],
    }


def _explanation_rows(lines: list[Line], total_label: str, total: str) -> list[list[dict]]:
    rows = []
    for line in lines:
        what = (
            {
                "html": format_html(
                    '{}<br><span class="nhsuk-body-s nhsuk-u-secondary-text-colour '
                    'nhsuk-u-font-weight-normal">{}</span>',
                    line.text,
                    line.detail,
                )
            }
            if line.detail
            else {"text": line.text}
        )
        rows.append([what, _money_cell(line.amount)])
    if total_label:
        rows.append([{"text": total_label}, _money_cell(total, strong=True)])
    return rows


def explanation_tables(explanation: Explanation) -> list[dict]:
    """An explanation line by line, each line's text heading its row, the total last: one
    table of weekly amounts (if any) and one of yearly amounts, so that weekly and yearly
    figures never share a column."""
    tables = []
    if explanation.weekly:
        tables.append(
            {
                "caption": hidden_caption(f"{explanation.title}: each week, line by line"),
                "firstCellIsHeader": True,
                "head": [{"text": "Each week"}, {"text": "A week", "format": "numeric"}],
                "rows": _explanation_rows(
                    explanation.weekly,
                    explanation.weekly_total_label,
                    explanation.weekly_total,
                ),
            }
        )
    tables.append(
        {
            "caption": hidden_caption(f"{explanation.title}: for a year, line by line"),
            "firstCellIsHeader": True,
            "head": [{"text": "For a year"}, {"text": "A year", "format": "numeric"}],
            "rows": _explanation_rows(
                explanation.lines, explanation.total_label, explanation.total
            ),
        }
    )
    return tables


def status_history_table(budget: Budget) -> dict:
    return {
        "caption": hidden_caption("Every change of status"),
        "head": [{"text": "When"}, {"text": "Who"}, {"text": "Change"}, {"text": "Why"}],
        "rows": [
            [
                {"text": display_date(change.at, "j M Y H:i")},
                {"text": change.by.full_name},
                {
                    "text": f"{change.get_from_status_display() or 'New'} → "
                    f"{change.get_to_status_display()}"
                },
                {"text": change.reason or "–"},
            ]
            for change in budget.status_changes.all()
        ],
    }


def period_words(budget: Budget, *, short: bool = False, today=None) -> str:
    """The period, and for a budget stopped early the day it stops ("1 Apr 2026 to 31 Mar
    2027 (stops on 18 Dec 2026)" in a table, `short`), in the tense true on `today`."""
    written = display_date if short else day
    period = f"{written(budget.period_start)} to {written(budget.full_period_end)}"
    verb = _stop_verb(budget, today)
    return f"{period} ({verb} on {written(budget.stopped_from)})" if verb else period


def budgets_table(holder, budgets, today=None) -> dict:
    """A person's budgets, each linking to its page, with the amount in force today."""
    today = today or timezone.localdate()
    return {
        "caption": hidden_caption(f"{holder.full_name}'s budgets"),
        "head": [
            {"text": "Period"},
            {"text": "Status"},
            {"text": "Indicative", "format": "numeric"},
            # Proposed or agreed, as the status says: not "Agreed" over a proposal.
            {"text": "Amount", "format": "numeric"},
        ],
        "rows": [
            [
                {
                    "text": period_words(budget, short=True),
                    "href": reverse("budgets:budget", args=[budget.pk]),
                },
                {"html": render_component("tag", status_tag(budget))},
                _money_cell(budget.indicative_amount),
                _money_cell(Amounts(budget).on(today)),
            ]
            for budget in budgets
        ],
    }


def questionnaires_table(questionnaires) -> dict:
    return {
        "caption": hidden_caption("Questionnaire versions"),
        "head": [
            {"text": "Year"},
            {"text": "Version"},
            {"text": "Status"},
            {"text": "Price per point"},
            {"text": "Assessments"},
        ],
        "rows": [
            [
                {
                    "text": questionnaire.financial_year_label,
                    "href": reverse("budgets:questionnaire", args=[questionnaire.pk]),
                },
                {"text": str(questionnaire.version)},
                {"html": render_component("tag", questionnaire_status_tag(questionnaire))},
                {"text": money(questionnaire.price_per_point)},
                {"text": str(questionnaire.assessment_count)},
            ]
            for questionnaire in questionnaires
        ],
    }


def unused_rates_change_link(rates, url_name: str, hidden_text: str, can_change: bool) -> dict:
    """A set nobody has used may be corrected, by whoever keeps that kind of rates."""
    if rates.uses or not can_change:
        return {}
    return {
        "text": "Change",
        "href": reverse(url_name, args=[rates.pk]),
        "visuallyHiddenText": hidden_text,
    }


ACTION_HEADER = {"visuallyHiddenText": "Action"}


def national_rates_table(national, can_change=False) -> dict:
    return {
        "caption": hidden_caption("National figures by date"),
        "head": [
            {"text": "Name"},
            {"text": "In force from"},
            {"text": "National Living Wage"},
            {"text": "Used"},
            ACTION_HEADER,
        ],
        "rows": [
            [
                {"text": rates.name},
                {"text": display_date(rates.effective_from, "j F Y")},
                {"text": f"{money(rates.nlw_21_plus)} an hour"},
                {"text": f"{rates.uses} calculation{pluralize(rates.uses)}"},
                unused_rates_change_link(
                    rates, "budgets:national_rates_edit", rates.name, can_change
                ),
            ]
            for rates in national
        ],
    }


def local_rates_table(local, can_change=False) -> dict:
    return {
        "caption": hidden_caption("Local rates by date"),
        "head": [
            {"text": "In force from"},
            {"text": "PA"},
            {"text": "Agency day"},
            {"text": "Nursing"},
            {"text": "Used"},
            ACTION_HEADER,
        ],
        "rows": [
            [
                {"text": display_date(rates.effective_from, "j F Y")},
                {"text": money(rates.pa_hourly)},
                {"text": money(rates.agency_day_hourly)},
                {"text": money(rates.nursing_hourly)},
                {"text": str(rates.uses)},
                unused_rates_change_link(
                    rates,
                    "budgets:local_rates_edit",
                    f"rates from {display_date(rates.effective_from, 'j F Y')}",
                    can_change,
                ),
            ]
            for rates in local
        ],
    }


# --- Payments -------------------------------------------------------------------------------


def _paid_words(instalment) -> str:
    return f"Paid on {display_date(instalment.paid_on, 'j F Y')}"


def staff_schedule_table(portion, can_record: bool = False) -> dict:
    """A paid-out portion's payments for staff: each one paid (when, and the reference) or not
    yet, with a link to record it as paid for those who record payments."""
    rows = []
    record_payment = links_to("budgets:record_payment", portion.budget_id) if can_record else None
    for instalment in portion.schedule.instalments.all():
        when = display_date(instalment.due_date, "j F Y")
        if instalment.is_paid:
            paid = {"text": f"{_paid_words(instalment)}, reference {instalment.payment_reference}"}
        elif can_record:
            url = record_payment(instalment.pk)
            paid = {
                "html": format_html(
                    '<a href="{}">Record as paid<span class="nhsuk-u-visually-hidden"> '
                    "(payment {}, due on {})</span></a>",
                    url,
                    instalment.number,
                    when,
                )
            }
        else:
            paid = {"text": "Not paid yet"}
        rows.append(
            [
                {"text": str(instalment.number)},
                {"text": when},
                _money_cell(instalment.amount),
                paid,
            ]
        )
    return {
        "caption": hidden_caption("Payment dates and amounts"),
        "head": [
            {"text": "Payment"},
            {"text": "Date"},
            {"text": "Amount", "format": "numeric"},
            {"text": "Paid"},
        ],
        "rows": rows,
    }


def payments_for_holder(budget: Budget, *, today=None) -> list[dict]:
    """What the budget holder (or their representative) is told about their payments, for each
    way of holding the money that is paid out: which have been paid, and when the next one comes.

    Worded so that it reads right to the person and to someone acting for them ("The next
    payment", never "your"), and says only what the record shows: a payment that is due but not
    recorded as paid is "not recorded as paid yet", not "late" or "missed".
    """
    today = today or timezone.localdate()
    sections = []
    for portion in budget.portions.all():
        if not portion.is_paid_out:
            continue
        schedule = getattr(portion, "schedule", None)
        section = {"heading": portion.short_method, "lines": [], "table": None}
        sections.append(section)
        if schedule is None:
            section["lines"].append(
                f"The payment dates have not been set yet. The payments will add up to "
                f"{money(portion.amount)}."
            )
            continue
        instalments = list(schedule.instalments.all())
        paid = [i for i in instalments if i.is_paid]
        unpaid = [i for i in instalments if not i.is_paid]
        paid_total = sum((i.amount for i in paid), Decimal("0.00"))
        count = len(instalments)
        if paid:
            section["lines"].append(
                f"{len(paid)} of {count} payment{pluralize(count)} "
                f"{'has' if len(paid) == 1 else 'have'} been paid: {money(paid_total)} of "
                f"{money(portion.amount)}."
            )
        else:
            section["lines"].append(
                f"No payments have been paid yet. There {'is' if count == 1 else 'are'} "
                f"{count} payment{pluralize(count)}, adding up to {money(portion.amount)}."
            )
        overdue = [i for i in unpaid if i.due_date < today]
        for instalment in overdue:
            section["lines"].append(
                f"The payment of {money(instalment.amount)} due on "
                f"{day(instalment.due_date)} has not been recorded as paid yet. If it has not "
                "arrived, contact the personal health budget team."
            )
        coming = [i for i in unpaid if i.due_date >= today]
        if coming:
            following = coming[0]
            when = "today" if following.due_date == today else f"on {day(following.due_date)}"
            section["lines"].append(f"The next payment, {money(following.amount)}, is due {when}.")
        elif not unpaid:
            section["lines"].append("All the payments have been paid.")
        section["table"] = {
            "caption": hidden_caption(f"{portion.short_method} payments"),
            "head": [
                {"text": "Date"},
                {"text": "Amount", "format": "numeric"},
                {"text": "Paid"},
            ],
            "rows": [
                [
                    {"text": display_date(i.due_date, "j F Y")},
                    _money_cell(i.amount),
                    {"text": _paid_words(i) if i.is_paid else "Not paid yet"},
                ]
                for i in instalments
            ],
        }
    return sections


def change_payments_table(portion_change) -> dict:
    """In a letter about a change of amount: each payment that changes, now and after."""
    return {
        "caption": {
            "text": f"{portion_change.portion.short_method} payments that change",
            "classes": "nhsuk-u-visually-hidden",
        },
        "firstCellIsHeader": True,
        "head": [
            {"text": "Payment date"},
            {"text": "Amount now", "format": "numeric"},
            {"text": "New amount", "format": "numeric"},
        ],
        "rows": [
            [
                {"text": display_date(row.due_date, "j F Y")},
                # A further payment the change adds was not a payment of £0.00 before.
                _money_cell("No payment") if row.added else _money_cell(row.old_amount),
                _money_cell(row.new_amount),
            ]
            for row in portion_change.rows
        ],
    }


def payment_run_table(run, instalments) -> dict:
    """The payments a payment run recorded as paid, with the total."""
    rows = [
        [
            {
                "text": instalment.schedule.portion.budget.budget_holder.full_name,
                "href": reverse("budgets:budget", args=[instalment.schedule.portion.budget_id]),
            },
            {"text": instalment.schedule.portion.short_method},
            {"text": display_date(instalment.due_date, "j F Y")},
            _money_cell(instalment.amount),
        ]
        for instalment in instalments
    ]
    rows.append(
        [
            {"text": f"Total of {run.count} payment{pluralize(run.count)}"},
            {"text": ""},
            {"text": ""},
            _money_cell(run.total, strong=True),
        ]
    )
    return {
        "caption": hidden_caption("Payments in this run"),
        "head": [
            {"text": "Person"},
            {"text": "Paid as"},
            {"text": "Due"},
            {"text": "Amount", "format": "numeric"},
        ],
        "rows": rows,
    }


def payment_runs_table(runs) -> dict:
    return {
        "caption": hidden_caption("Recent payment runs"),
        "head": [
            {"text": "Paid on"},
            {"text": "Reference"},
            {"text": "Payments", "format": "numeric"},
            {"text": "Total", "format": "numeric"},
            {"text": "Recorded by"},
        ],
        "rows": [
            [
                {
                    "text": display_date(run.paid_on, "j F Y"),
                    "href": reverse("budgets:payment_run", args=[run.pk]),
                },
                {"text": run.reference},
                {"text": str(run.count), "format": "numeric"},
                _money_cell(run.total),
                {"text": run.recorded_by.full_name},
            ]
            for run in runs
        ],
    }


def instalment_choice_label(instalment) -> str:
    """A payment due, as a checkbox on the payments due page reads it."""
    portion = instalment.schedule.portion
    holder = portion.budget.budget_holder
    ended = " (the budget has ended)" if portion.budget.status == BudgetStatus.ENDED else ""
    return (
        f"{holder.full_name} (NHS number {holder.formatted_nhs_number}): "
        f"{portion.short_method.lower()} of {money(instalment.amount)} due "
        f"{day(instalment.due_date)}{ended}"
    )


def payment_run_rows(run) -> list[dict]:
    """A payment run's summary: when it was paid, its reference, how many and how much, and who
    recorded it when."""
    at = display_date(run.recorded_at, "j F Y \\a\\t H:i")
    recorded = f"{run.recorded_by.full_name} on {at}"
    return [
        _row("Paid on", {"text": display_date(run.paid_on, "j F Y")}),
        _row("Payment reference", {"text": run.reference}),
        _row("Payments", {"text": str(run.count)}),
        _row("Total", {"text": money(run.total)}, "phb-money"),
        _row("Chosen from payments due up to", {"text": display_date(run.due_up_to, "j F Y")}),
        _row("Recorded by", {"text": recorded}),
    ]
