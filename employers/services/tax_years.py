"""The tax year figures payroll works from: each year's set, added (and, until a pay run has
used it, corrected) by the service administrator."""

from django.core.exceptions import ValidationError
from django.db import transaction

from employers.models import PayRun, TaxYearRateSet
from employers.models.payroll import TAX_YEAR_FIELDS
from phb.permissions import Permission, require
from phb.services import only_fields

TAX_YEAR_SET_FIELDS = ("name", *TAX_YEAR_FIELDS)


def used_by_pay_runs(rate_set: TaxYearRateSet) -> bool:
    return PayRun.objects.filter(rate_set=rate_set).exists()


def used_message(rate_set: TaxYearRateSet) -> str:
    return (
        f"Pay runs have used the {rate_set.name} figures, so they cannot be changed. "
        "Nothing was changed."
    )


@transaction.atomic
def save_tax_year_figures(*, actor, rate_set: TaxYearRateSet | None = None, **figures):
    """Add a tax year's figures, or correct a set no pay run has used. Only the service
    administrator may: every employer's payroll uses them."""
    require(actor, Permission.EDIT_NATIONAL_RATES)
    figures = only_fields(figures, TAX_YEAR_SET_FIELDS, what="Tax year figures")
    if rate_set is not None:
        rate_set = TaxYearRateSet.objects.select_for_update().get(pk=rate_set.pk)
        if used_by_pay_runs(rate_set):
            raise ValidationError(used_message(rate_set))
    else:
        rate_set = TaxYearRateSet()
    start = figures.get("tax_year_start", rate_set.tax_year_start)
    if start is None or (start.month, start.day) != (4, 6):
        raise ValidationError({"tax_year_start": "A tax year starts on 6 April"})
    same_year = TaxYearRateSet.objects.filter(tax_year_start=start).exclude(pk=rate_set.pk)
    if (taken := same_year.first()) is not None:
        then = "choose another year" if used_by_pay_runs(taken) else "change those instead"
        raise ValidationError(
            {
                "tax_year_start": f"There are already figures for the tax year from "
                f"{start:%-d %B %Y}: {then}"
            }
        )
    for field, value in figures.items():
        setattr(rate_set, field, value)
    rate_set.save()
    return rate_set
