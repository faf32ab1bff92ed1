"""The ICB's quarterly figures: who has a personal health budget, who is new to one and which
budgets were stopped, by quarter of the financial year (DOMAIN.md, "Reporting": ICBs report PHB
counts to NHS England every quarter, by type and group).

Each figure is one grouped query, whatever the size of the ICB. They count the records as they
stand today: a budget agreed after a quarter ended that started within it is counted in it.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Case, Count, F, Min, OuterRef, Subquery, Value, When

from budgets.calculations import financial_year, financial_year_label
from budgets.models import Budget, HoldingMethod, HoldingPortion
from careplans.models import BudgetStop
from phb.models import BudgetHolder, EligibilityGroup

MIXED = "mixed"
# How a budget's money is held: one way, or more than one.
HOLDINGS = [*HoldingMethod.values, MIXED]
HOLDING_NAMES = {
    HoldingMethod.NOTIONAL: "Notional",
    HoldingMethod.THIRD_PARTY: "Third party",
    HoldingMethod.DIRECT_PAYMENT: "Direct payment",
    MIXED: "Mixed (more than one way)",
}
# The groups as the figures name them (the form's labels say which are rights).
GROUP_NAMES = {
    EligibilityGroup.CHC: "NHS Continuing Healthcare",
    EligibilityGroup.CHILDRENS_CONTINUING_CARE: "Children's continuing care",
    EligibilityGroup.S117: "Section 117 aftercare",
    EligibilityGroup.WHEELCHAIR: "Wheelchair services",
    EligibilityGroup.EHCP: "Education, health and care plan",
    EligibilityGroup.LOCAL_OFFER: "Local offer",
}
# How many quarters back the page offers.
QUARTERS_OFFERED = 12


@dataclass(frozen=True)
class Quarter:
    """A quarter of the financial year that starts in April of `year`: 1 is April to June."""

    year: int
    number: int

    @classmethod
    def containing(cls, day: datetime.date) -> "Quarter":
        return cls(financial_year(day)[0].year, (day.month - 4) % 12 // 3 + 1)

    @property
    def starts_on(self) -> datetime.date:
        month = 4 + 3 * (self.number - 1)
        return datetime.date(self.year + (month > 12), (month - 1) % 12 + 1, 1)

    @property
    def ends_on(self) -> datetime.date:
        return self.following().starts_on - datetime.timedelta(days=1)

    def following(self) -> "Quarter":
        if self.number == 4:
            return Quarter(self.year + 1, 1)
        return Quarter(self.year, self.number + 1)

    def previous(self) -> "Quarter":
        if self.number == 1:
            return Quarter(self.year - 1, 4)
        return Quarter(self.year, self.number - 1)

    @property
    def key(self) -> str:
        return f"{self.year}-q{self.number}"

    @property
    def financial_year(self) -> str:
        return financial_year_label(self.starts_on)

    @property
    def name(self) -> str:
        return f"Quarter {self.number} of {self.financial_year}"

    @property
    def label(self) -> str:
        # A quarter never spans two calendar years.
        return f"{self.name} ({self.starts_on:%-d %B} to {self.ends_on:%-d %B %Y})"


def quarters_offered(today: datetime.date) -> list[Quarter]:
    """The quarter under way, then the ones before it, newest first."""
    quarters = [Quarter.containing(today)]
    while len(quarters) < QUARTERS_OFFERED:
        quarters.append(quarters[-1].previous())
    return quarters


@dataclass(frozen=True)
class QuarterlyFigures:
    quarter: Quarter
    # The day the figures are counted on: the quarter's last day, or today if it is under way.
    as_at: datetime.date
    # (group, holding) -> people with a budget in place on `as_at`.
    in_place: dict
    # group -> people whose first budget started in the quarter.
    new: dict
    # group -> people with a budget in place on any day of the quarter (so far).
    held: dict
    # stop reason -> budgets stopped in the quarter.
    stopped: dict

    @property
    def under_way(self) -> bool:
        return self.as_at < self.quarter.ends_on


def _ways_held():
    """Each budget's number of ways of holding its money, and its first (its only one when
    there is one)."""
    portions = HoldingPortion.objects.filter(budget=OuterRef("pk")).order_by().values("budget")
    return {
        "ways": Subquery(portions.annotate(n=Count("pk")).values("n")),
        "way": Subquery(portions.annotate(first=Min("method")).values("first")),
    }


def in_place(organisation, on: datetime.date) -> dict:
    """People with a budget in place on the day, by group and how the money is held. A budget
    is in place when it started (its amount agreed and its plan approved: a budget waiting for
    its plan is not yet a budget anyone holds), its period covers the day and it was not
    stopped by then (a stop moves the end of the period; a stop from its first day leaves one
    day)."""
    rows = (
        Budget.objects.filter(
            organisation=organisation,
            agreed_at__isnull=False,
            plan_approved_at__isnull=False,
            period_start__lte=on,
            period_end__gte=on,
        )
        .exclude(stop__effective_on__lte=on)
        .annotate(**_ways_held())
        .annotate(holding=Case(When(ways__gt=1, then=Value(MIXED)), default=F("way")))
        .order_by()
        .values("budget_holder__eligibility", "holding")
        .annotate(people=Count("budget_holder", distinct=True))
    )
    return {(row["budget_holder__eligibility"], row["holding"]): row["people"] for row in rows}


def held_during(organisation, starts_on: datetime.date, ends_on: datetime.date) -> dict:
    """People who had a budget in place on any day between the two days, by group: those in
    place at the end, and those whose budget ended or was stopped within the quarter (a
    budget stopped from its first day was never in place)."""
    rows = (
        Budget.objects.filter(
            organisation=organisation,
            agreed_at__isnull=False,
            plan_approved_at__isnull=False,
            period_start__lte=ends_on,
            period_end__gte=starts_on,
        )
        .exclude(stop__effective_on__lte=starts_on)
        .exclude(stop__effective_on__lte=F("period_start"))
        .order_by()
        .values("budget_holder__eligibility")
        .annotate(people=Count("budget_holder", distinct=True))
    )
    return {row["budget_holder__eligibility"]: row["people"] for row in rows}


def new_in(organisation, starts_on: datetime.date, ends_on: datetime.date) -> dict:
    """People whose first budget that started (agreed, its plan approved, and not stopped
    before it began) started between the two days, by group."""
    firsts = (
        Budget.objects.filter(
            organisation=organisation, agreed_at__isnull=False, plan_approved_at__isnull=False
        )
        .exclude(stop__effective_on__lte=F("period_start"))
        .order_by()
        .values("budget_holder")
        .annotate(first=Min("period_start"))
        .filter(first__gte=starts_on, first__lte=ends_on)
        .values("budget_holder")
    )
    rows = (
        BudgetHolder.objects.filter(pk__in=firsts)
        .order_by()
        .values("eligibility")
        .annotate(people=Count("pk"))
    )
    return {row["eligibility"]: row["people"] for row in rows}


def stopped_in(organisation, starts_on: datetime.date, ends_on: datetime.date) -> dict:
    """Budgets that stopped between the two days (the day a stop takes effect), by reason."""
    rows = (
        BudgetStop.objects.filter(
            budget__organisation=organisation,
            effective_on__gte=starts_on,
            effective_on__lte=ends_on,
        )
        .order_by()
        .values("reason")
        .annotate(budgets=Count("pk"))
    )
    return {row["reason"]: row["budgets"] for row in rows}


def quarterly_figures(organisation, quarter: Quarter, today: datetime.date) -> QuarterlyFigures:
    as_at = min(quarter.ends_on, today)
    return QuarterlyFigures(
        quarter=quarter,
        as_at=as_at,
        in_place=in_place(organisation, as_at),
        new=new_in(organisation, quarter.starts_on, as_at),
        held=held_during(organisation, quarter.starts_on, as_at),
        stopped=stopped_in(organisation, quarter.starts_on, as_at),
    )
