"""A person with a plan in use and a budget agreed by approving it, for the tests of
reviews, reconsideration, stopping and repayment."""

import datetime
from decimal import Decimal as D

import time_machine
from django.utils import timezone

from budgets.models import HoldingMethod
from careplans import services
from careplans.models import ApprovalPolicy, DecisionOutcome, PlanVersion
from careplans.services import ItemChoice
from phb.today import fix_database_today
from tests.budgets.factories import (
    LocalRateSetFactory,
    chc_package,
    proposed_budget,
    schedule,
    staff,
)
from tests.careplans.plan_factories import OUTCOMES, add_risk, agreement, first_portion


def plan_in_use(
    lead,
    holder,
    *,
    first_payment: datetime.date | None = None,
    coordinator=None,
    approved_on: datetime.date | None = None,
):
    """`lead` prepares a budget of £20,000.00 (£12,000.00 of it a direct payment) and writes a
    plan with one goal and one item (£10,920.00 a year, paid from the direct payment), its
    outcomes, a risk, and the agreement of the person and whoever acts for them; a second PHB
    lead approves it, which agrees the budget. With `first_payment`, the direct payment's
    schedule starts then. The care coordinator is Casey (no sign-in), or `coordinator` (a
    member of staff). With `approved_on` (a day before today), the budget and plan are written
    and approved on that day, so reviews of it can be dated from then; the schedule is still
    set today.

    Returns (version in use, budget, the lead who decided)."""
    if approved_on is None:
        version, budget, decider = _approved_plan(lead, holder, coordinator)
    else:
        today = timezone.localdate()
        travel = time_machine.travel(
            timezone.now() - datetime.timedelta(days=(today - approved_on).days), tick=True
        )
        travel.start()
        fix_database_today(approved_on)
        try:
            version, budget, decider = _approved_plan(lead, holder, coordinator)
        finally:
            travel.stop()
            fix_database_today(today)
    if first_payment is not None:
        schedule(
            lead, budget.portions.get(method=HoldingMethod.DIRECT_PAYMENT), first=first_payment
        )
        budget.refresh_from_db()
    return PlanVersion.objects.get(pk=version.pk), budget, decider


def _approved_plan(lead, holder, coordinator):
    icb = holder.organisation
    ApprovalPolicy.objects.get_or_create(
        organisation=icb, defaults={"lead_sign_off_limit": D("15000.00")}
    )
    if not icb.local_rates.exists():
        LocalRateSetFactory(organisation=icb)
    budget = proposed_budget(
        lead,
        holder,
        chc_package(lead, holder),
        amount=D("20000.00"),
        portions=[
            (HoldingMethod.NOTIONAL, D("8000.00"), ""),
            (HoldingMethod.DIRECT_PAYMENT, D("12000.00"), ""),
        ],
    )
    version = services.start_plan(actor=lead, budget_holder=holder, budget=budget)
    services.update_sections(
        actor=lead,
        version=version,
        what_matters="Staying at home with my dog, Biscuit",
        health_needs="Motor neurone disease; needs help to move, wash and eat",
        outcomes_evidence=OUTCOMES,
        crisis_plan="Call the community nursing team, then 111",
        **agreement(holder, min(budget.period_start, timezone.localdate())),
    )
    add_risk(lead, version)
    goal = services.save_goal(
        actor=lead, version=version, description="Walk Biscuit to the park", importance="very"
    )
    services.save_action(
        actor=lead, goal=goal, what="A PA comes every morning", who="PA", when="May", confidence=8
    )
    services.save_professional_contact(
        actor=lead,
        version=version,
        user=coordinator,
        name=coordinator.full_name if coordinator else "Casey",
        role="Care coordinator",
        is_care_coordinator=True,
    )
    services.save_professional_contact(
        actor=lead, version=version, name="Dr Robin", role="GP", has_clinical_responsibility=True
    )
    services.save_support_item(
        actor=lead,
        version=version,
        goals=[goal],
        description="Personal assistant, mornings",
        category="pa_support",
        provider="Employed PA",
        unit_cost=D("15.00"),
        quantity=D("14"),
        frequency="weekly",
        portion=first_portion(budget, HoldingMethod.DIRECT_PAYMENT),
    )
    version = services.submit_version(actor=lead, version=PlanVersion.objects.get(pk=version.pk))
    decider = staff("phb_lead", icb)
    services.decide_plan(
        actor=decider,
        version=version,
        outcome=DecisionOutcome.APPROVED,
        items={
            str(item.pk): ItemChoice(DecisionOutcome.APPROVED)
            for item in version.support_items.all()
        },
    )
    budget.refresh_from_db()
    return version, budget, decider
