"""National and local rate tables: dated data that calculations keep a link to."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import capfirst

from budgets.models import (
    LocalRateSet,
    NationalRateSet,
)
from budgets.models.fields import MoneyField
from budgets.models.rates import LOCAL_NUMBER_FIELDS, NATIONAL_NUMBER_FIELDS
from budgets.money import check_money
from phb.permissions import Permission, require
from phb.services import only_fields


def national_rates_on(day: datetime.date) -> NationalRateSet:
    rates = NationalRateSet.objects.in_force_on(day)
    if rates is None:
        raise ValidationError(
            {"effective_date": f"There are no national rates in force on {day:%-d %B %Y}"}
        )
    return rates


def local_rates_on(organisation, day: datetime.date) -> LocalRateSet:
    rates = LocalRateSet.objects.filter(organisation=organisation).in_force_on(day)
    if rates is None:
        raise ValidationError(
            {"effective_date": f"Your ICB has no local rates in force on {day:%-d %B %Y}"}
        )
    return rates


NATIONAL_RATE_FIELDS = ("name", "effective_from", *NATIONAL_NUMBER_FIELDS)
LOCAL_RATE_FIELDS = ("effective_from", *LOCAL_NUMBER_FIELDS)


def _save_rate_set(*, queryset, rate_set, new, figures):
    if rate_set is not None:
        rate_set = queryset.select_for_update().get(pk=rate_set.pk)
        if rate_set.in_use:
            raise ValidationError(
                "These rates have been used in a calculation, so they cannot be changed. "
                "Add a new set with a later date instead."
            )
    else:
        rate_set = new
    for field, value in figures.items():
        model_field = rate_set._meta.get_field(field)
        if isinstance(model_field, MoneyField):
            value = check_money(value, what=capfirst(model_field.verbose_name), field=field)
        setattr(rate_set, field, value)
    effective_from = figures.get("effective_from", rate_set.effective_from)
    _refuse_same_day(queryset, rate_set, effective_from)
    rate_set.full_clean()
    try:
        with transaction.atomic():
            rate_set.save()
    except IntegrityError:
        # Rates from the same day were saved at the same moment (national rates have no row
        # to lock first): they are there now, so refuse as if they had been earlier.
        _refuse_same_day(queryset, rate_set, effective_from)
        raise
    return rate_set


def _refuse_same_day(queryset, rate_set, effective_from) -> None:
    same_day = queryset.filter(effective_from=effective_from).exclude(pk=rate_set.pk).first()
    if same_day is not None:
        # A set a calculation has used cannot be changed: say so, not "change those".
        then = "choose another date" if same_day.in_use else "change those, or choose another date"
        raise ValidationError(
            {
                "effective_from": f"There are already rates in force from "
                f"{effective_from:%-d %B %Y}: {then}"
            }
        )


@transaction.atomic
def save_national_rates(*, actor, rate_set: NationalRateSet | None = None, **figures):
    """Add a new national rate set, or correct one that no calculation has used yet. Only
    the service administrator may: every ICB's PA costings use these figures."""
    require(actor, Permission.EDIT_NATIONAL_RATES)
    return _save_rate_set(
        queryset=NationalRateSet.objects.all(),
        rate_set=rate_set,
        new=NationalRateSet(),
        figures=only_fields(figures, NATIONAL_RATE_FIELDS, what="National rates"),
    )


@transaction.atomic
def save_local_rates(*, actor, rate_set: LocalRateSet | None = None, **figures):
    """Add a new set of local rates for the ICB the actor acts for, or correct an unused one."""
    organisation = actor.acting_organisation
    require(actor, Permission.EDIT_LOCAL_RATES, rate_set or organisation)
    # A PA is paid at least the National Living Wage in force then (a younger PA's lower rate
    # is for their own costing, not the ICB's usual rate).
    effective_from = figures.get("effective_from") or (rate_set and rate_set.effective_from)
    pa_hourly = figures.get("pa_hourly")
    national = NationalRateSet.objects.in_force_on(effective_from) if effective_from else None
    if national is not None and pa_hourly is not None and pa_hourly < national.nlw_21_plus:
        raise ValidationError(
            {
                "pa_hourly": f"The PA hourly rate must be at least £{national.nlw_21_plus:,.2f}, "
                f"the National Living Wage in force on {effective_from:%-d %B %Y}"
            }
        )
    return _save_rate_set(
        queryset=LocalRateSet.objects.filter(organisation=organisation),
        rate_set=rate_set,
        new=LocalRateSet(organisation=organisation),
        figures=only_fields(figures, LOCAL_RATE_FIELDS, what="Local rates"),
    )
