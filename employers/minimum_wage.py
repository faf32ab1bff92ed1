"""The minimum wage a PA must be paid: for their age (and whether the apprentice rate applies)
on the day that counts, from the national rates in force then. Shared by the PA's details
(employers.services.employers), the duties checklist (employers.selectors) and pay runs."""

import datetime

from budgets.calculations import APPRENTICE_RATE_AGE, age_on, birthday, pa_age
from budgets.models import NationalRateSet
from employers.models import PersonalAssistant
from employers.payroll import BelowMinimumWage, check_minimum_wage

HOURLY_RATES = {
    "day_rate": "day rate",
    "night_rate": "night rate",
    "waking_night_rate": "waking night rate",
}


def apprentice_rate_applies(assistant: PersonalAssistant, on: datetime.date) -> bool:
    """Whether the apprentice rate of the minimum wage may be paid on `on`: to an apprentice
    under 19, or 19 or over in the first year of their apprenticeship (GOV.UK, "National
    Minimum Wage and National Living Wage rates")."""
    started = assistant.apprenticeship_started_on
    if not assistant.apprentice or started is None:
        return False
    if age_on(assistant.date_of_birth, on) < APPRENTICE_RATE_AGE:
        return True
    # The first year ends a year after the start; a start in the last year a date can hold
    # has no such day, and its first year has not ended.
    return started.year >= datetime.MAXYEAR or on < birthday(started, 1)


def below_minimum_wage(
    assistant: PersonalAssistant, on: datetime.date, figures, rate_fields
) -> dict[str, BelowMinimumWage]:
    """Which of the PA's hourly rates (`rate_fields`, those set) are below the minimum wage for
    them as they are on `on` (their age, and whether the apprentice rate applies), with the
    national `figures` in force then. Raises ValueError for an age no PA can be."""
    age = pa_age(
        label=assistant.full_name or "The PA",
        on=on,
        date_of_birth=assistant.date_of_birth,
        apprentice=apprentice_rate_applies(assistant, on),
    )
    below = {}
    for field in rate_fields:
        rate = getattr(assistant, field)
        if rate is None:
            continue
        try:
            check_minimum_wage(
                label=assistant.full_name or "The PA",
                hourly_rate=rate,
                age_band=age.band,
                figures=figures,
            )
        except BelowMinimumWage as error:
            below[field] = error
    return below


def paid_from(assistant: PersonalAssistant, today: datetime.date) -> datetime.date:
    """The day the hourly rates recorded are checked on: they are what the PA is paid now, so
    today, or their first day if they have not started yet. A birthday since they started
    (18, or 21) raises the minimum."""
    return max(assistant.starts_on, today)


def all_rate_sets() -> list[NationalRateSet]:
    """Every set of national rates, earliest first: a few rows, read once for a page."""
    return list(NationalRateSet.objects.order_by("effective_from"))


def rates_on(day: datetime.date, rate_sets) -> tuple[NationalRateSet | None, datetime.date]:
    """The national rates in force on `day`, and the day to check a PA's age on. Before the
    earliest rates this service holds, the earliest rates and their first day are used: rates
    only rise, so this never lets pay below the minimum through. (None, day): no rates."""
    in_force = [rates for rates in rate_sets if rates.effective_from <= day]
    if in_force:
        return in_force[-1], day
    if rate_sets:
        return rate_sets[0], rate_sets[0].effective_from
    return None, day


def shortfalls(
    assistant: PersonalAssistant, today: datetime.date, rate_sets, fields=tuple(HOURLY_RATES)
) -> dict[str, BelowMinimumWage] | None:
    """The PA's hourly rates (of `fields`) below the minimum wage for them now (or on their
    first day, if later), with the rates in force then. None: there are no national rates to
    check against. Raises ValueError for an age no PA can be."""
    rates, on = rates_on(paid_from(assistant, today), rate_sets)
    if rates is None:
        return None
    return below_minimum_wage(assistant, on, rates.as_figures(), fields)
