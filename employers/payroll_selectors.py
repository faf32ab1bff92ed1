"""Reads of pay runs and payslips, scoped to the user (other ICBs' and other PAs' are None)."""

from decimal import Decimal

from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Subquery, Sum
from django.db.models.functions import Coalesce

from employers.models import (
    Employer,
    PayRun,
    PayRunStatus,
    Payslip,
    PayslipLine,
    TaxYearRateSet,
)

ZERO = Decimal("0.00")


def employer_for(user, pk) -> Employer | None:
    return Employer.objects.visible_to(user).select_related("budget_holder").filter(pk=pk).first()


def pay_runs_of(employer):
    """The employer's runs, latest first, with their totals (one query)."""
    return (
        PayRun.objects.filter(employer=employer)
        .select_related("corrects", "corrected_by")
        .annotate(
            payslip_count=Count("payslips"),
            total_net=Sum("payslips__net_pay"),
            total_cost=Sum("payslips__employer_cost"),
        )
        .order_by("-pay_date", "-created_at")
    )


def pay_run_for(user, pk) -> PayRun | None:
    return (
        PayRun.objects.visible_to(user)
        .select_related(
            "employer__budget_holder",
            "finalised_by",
            "created_by",
            "corrects",
            "corrected_by",
            "portion__budget",
            "rate_set",
        )
        .filter(pk=pk)
        .first()
    )


def payslips_of(run):
    return run.payslips.select_related("assistant").prefetch_related(
        Prefetch("lines", queryset=PayslipLine.objects.order_by("position"))
    )


def run_totals(run) -> dict:
    fields = (
        "gross_pay",
        "tax",
        "employee_ni",
        "employer_ni",
        "employment_allowance_used",
        "pension_employee_deduction",
        "pension_employer_contribution",
        "student_loan",
        "postgraduate_loan",
        "net_pay",
        "employer_cost",
    )
    totals = run.payslips.aggregate(**{name: Sum(name) for name in fields})
    return {name: value or ZERO for name, value in totals.items()}


def payslip_for(user, pk) -> Payslip | None:
    return (
        Payslip.objects.visible_to(user)
        .select_related("run__employer__budget_holder", "run__rate_set", "assistant")
        .prefetch_related(Prefetch("lines", queryset=PayslipLine.objects.order_by("position")))
        .filter(pk=pk)
        .first()
    )


def payslip_by_id(pk) -> Payslip | None:
    return (
        Payslip.objects.select_related("run__employer__budget_holder", "run__rate_set", "assistant")
        .prefetch_related(Prefetch("lines", queryset=PayslipLine.objects.order_by("position")))
        .filter(pk=pk)
        .first()
    )


def own_payslips(user):
    """A signed-in PA's payslips from finalised runs, latest first; each says whether a
    finalised correction has replaced it (`replaced`)."""
    return (
        Payslip.objects.filter(assistant__user_id=user.pk, run__status=PayRunStatus.FINALISED)
        .select_related("run__employer__budget_holder", "run__rate_set", "assistant")
        .annotate(
            replaced=Exists(
                PayRun.objects.filter(corrects=OuterRef("run_id"), status=PayRunStatus.FINALISED)
            )
        )
        .order_by("-run__pay_date", "-run__created_at")
    )


def actual_pa_spend(budget) -> dict:
    """What each part of the budget has paid for PAs: the employer cost of the finalised pay
    runs it pays for (a finalised correction in place of the run it corrects), by portion."""
    rows = (
        Payslip.objects.filter(run__in=PayRun.objects.in_force(), run__portion__budget=budget)
        .values("run__portion_id")
        .annotate(total=Sum("employer_cost"))
    )
    by_portion = {row["run__portion_id"]: row["total"] for row in rows}
    return {"by_portion": by_portion, "total": sum(by_portion.values(), ZERO)}


def pa_spend_for(employer) -> dict | None:
    """Planned against actual PA spend for the person's current budget: what the budget holds
    for PAs for its period (the PA costing's yearly total in proportion, its indicative
    amount: a budget for 90 days holds 90/365 of it) against the employer cost of the
    finalised runs it paid. None without a budget."""
    from budgets.selectors import current_budget

    budget = current_budget(employer.budget_holder)
    if budget is None:
        return None
    budget = type(budget).objects.select_related("pa_costing").get(pk=budget.pk)
    planned = budget.indicative_amount if budget.pa_costing else None
    yearly = budget.pa_costing.total_annual if budget.pa_costing else None
    actual = actual_pa_spend(budget)["total"]
    left = planned - actual if planned is not None else None
    return {
        "budget": budget,
        "period_start": budget.period_start,
        "period_end": budget.full_period_end,
        "yearly": yearly if yearly != planned else None,
        "days": (budget.full_period_end - budget.period_start).days + 1,
        "planned": planned,
        "actual": actual,
        "left": left,
        "over": -left if left is not None and left < 0 else None,
    }


def tax_year_sets():
    """Every tax year's figures, newest first, each with how many pay runs used it (`uses`):
    one query, however many years."""
    runs = (
        PayRun.objects.filter(rate_set=OuterRef("pk"))
        .order_by()
        .values("rate_set")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return TaxYearRateSet.objects.annotate(
        uses=Coalesce(Subquery(runs, output_field=IntegerField()), 0)
    ).order_by("-tax_year_start")
