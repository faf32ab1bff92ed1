"""A new version starts from the plan as it was approved, not as it was asked for: a declined
item is left out, an item approved at a lower cost is at that cost, and a deferred item (not
decided) stays as asked for. A reason for costing more than the budget comes only with a plan
that still does."""

import datetime
from decimal import Decimal as D

import pytest

from careplans import services
from careplans.models import ApprovalPolicy, DecisionOutcome, PlanStatus, SupportItem
from careplans.services import ItemChoice
from careplans.services.plans import _as_approved, cost_for_period, over_budget
from tests.budgets.factories import LocalRateSetFactory, chc_package, proposed_budget, staff
from tests.careplans.test_decisions_within_budget import abc_draft, choices

pytestmark = pytest.mark.django_db

REASON = "Two carers are needed at night."


@pytest.fixture
def budget(phb_lead, holder, icb):
    """£2,000.00 for 1 January to 31 March 2027 (90 of 365 days), all held by the ICB; a PHB
    lead may approve plans of up to £30,000.00 a year."""
    LocalRateSetFactory(organisation=icb)
    ApprovalPolicy.objects.create(organisation=icb, lead_sign_off_limit=D("30000.00"))
    return proposed_budget(
        phb_lead,
        holder,
        chc_package(phb_lead, holder),
        amount=D("2000.00"),
        start=datetime.date(2027, 1, 1),
    )


def decided(author, holder, budget, icb, **changed):
    """The plan of A (£1,282.19 for the 90 days), B (£512.88) and C (£300.00 once): £2,095.07,
    £95.07 over the budget, with a reason; submitted, and decided by another lead with every
    item approved but those in `changed`."""
    version = services.submit_version(
        actor=author, version=abc_draft(author, holder, budget, c_cost=D("300.00"))
    )
    assert over_budget(version) == (
        "The plan costs £2,095.07 for the budget's period (1 January 2027 to 31 March 2027), "
        "£95.07 more than the budget of £2,000.00"
    )
    services.decide_plan(
        actor=staff("phb_lead", icb),
        version=version,
        outcome=DecisionOutcome.APPROVED_WITH_CHANGES,
        reasons="Not all of it is needed.",
        items=choices(version, **changed),
    )
    return version


def items_of(version) -> dict:
    return {
        item.description: (item.unit_cost, item.quantity, item.frequency, item.annual_cost)
        for item in version.support_items.all()
    }


def test_a_declined_item_is_left_out_of_the_new_version(phb_lead, holder, budget, icb):
    """The reviewer's case: C declined, so the plan in use costs £1,795.07 (A and B). The new
    version costs the same, within the budget, so it carries no reason for costing more; its
    history says what was left out."""
    first = decided(
        phb_lead, holder, budget, icb, C=ItemChoice(DecisionOutcome.DECLINED, reasons="No.")
    )
    assert first.decision.approved_words == "£7,280.00 a year"
    second = services.new_version(actor=phb_lead, plan=first.plan)
    assert set(items_of(second)) == {"A", "B"}
    assert cost_for_period(second.support_items.all(), budget) == D("1795.07")
    assert over_budget(second) is None
    assert second.over_budget_justification == ""
    assert second.status_changes.get().reason == (
        "Based on version 1. Left out, as the decision on version 1 declined it: C (£300.00 once)."
    )
    # Version 1 stays as it was written and decided.
    assert set(items_of(first)) == {"A", "B", "C"}
    assert first.over_budget_justification == REASON


def test_an_item_approved_at_a_lower_cost_comes_back_at_that_cost(phb_lead, holder, budget, icb):
    """B approved at £1,560.00 a year (£30.00 a week, not £40.00) and C deferred: the new
    version has B at £30.00 × 1 each week, and C as asked for, as it was not decided. A
    £5,200.00 + B £1,560.00 = £6,760.00 a year is £1,666.85 for the 90 days, and C's £300.00
    makes £1,966.85: within the budget, so no reason for costing more."""
    first = decided(
        phb_lead,
        holder,
        budget,
        icb,
        B=ItemChoice(
            DecisionOutcome.APPROVED_WITH_CHANGES, reasons="Less is needed.", changed_cost=D("1560")
        ),
        C=ItemChoice(DecisionOutcome.DEFERRED, reasons="We need the OT's view."),
    )
    second = services.new_version(actor=phb_lead, plan=first.plan, reason="Health changed.")
    assert items_of(second) == {
        "A": (D("100.00"), D("1.00"), "weekly", D("5200.00")),
        "B": (D("30.00"), D("1.00"), "weekly", D("1560.00")),
        "C": (D("300.00"), D("1.00"), "once", D("300.00")),
    }
    assert cost_for_period(second.support_items.all(), budget) == D("1966.85")
    assert second.over_budget_justification == ""
    assert second.status_changes.get().reason == (
        "Health changed. B is at the £1,560.00 a year approved, not the £2,080.00 a year asked for."
    )
    assert second.status == PlanStatus.DRAFT


def test_a_new_version_still_over_its_budget_keeps_its_reason(phb_lead, holder, budget, icb):
    """C deferred, A and B approved (£1,795.07): the new version asks for C again, £2,095.07,
    still £95.07 over, so its reason comes with it."""
    first = decided(
        phb_lead, holder, budget, icb, C=ItemChoice(DecisionOutcome.DEFERRED, reasons="Later.")
    )
    second = services.new_version(actor=phb_lead, plan=first.plan)
    assert set(items_of(second)) == {"A", "B", "C"}
    assert over_budget(second).startswith("The plan costs £2,095.07")
    assert second.over_budget_justification == REASON
    assert second.status_changes.get().reason == "Based on version 1"


@pytest.mark.parametrize(
    ("approved", "unit_cost", "quantity", "frequency"),
    [
        # 14 hours a week at £14.00: £10,192.00 a year, as written but £14.00 an hour.
        (D("10192.00"), D("14.00"), D("14"), "weekly"),
        # £10,036.00 is no whole number of pennies an hour (÷ 728), but £193.00 a week.
        (D("10036.00"), D("193.00"), D("1"), "weekly"),
        # £10,000.00 a year is no whole number of pennies a week: once a year.
        (D("10000.00"), D("10000.00"), D("1"), "yearly"),
    ],
)
def test_a_lower_cost_is_written_so_that_it_adds_up(approved, unit_cost, quantity, frequency):
    """The PA, 14 hours a week at £15.00 (£10,920.00 a year), approved at less."""
    pa = SupportItem(unit_cost=D("15.00"), quantity=D("14"), frequency="weekly")
    assert _as_approved(pa, approved) == {
        "unit_cost": unit_cost,
        "quantity": quantity,
        "frequency": frequency,
    }
