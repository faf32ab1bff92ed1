"""What a decision approves is what will be paid: nothing approved is a decline (told as one,
with the right to ask for reconsideration), and no more than the budget is approved (DOMAIN.md
§4: the plan records the budget and that it is enough). The lead's and the panel's decisions
alike, with worked figures."""

import datetime
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from budgets.models import HoldingMethod
from careplans import services
from careplans.models import (
    ApprovalPolicy,
    DecisionOutcome,
    PlanDecision,
    PlanStatus,
    PlanVersion,
)
from careplans.services import ItemChoice
from tests.budgets.factories import LocalRateSetFactory, chc_package, proposed_budget, staff
from tests.careplans.panel_factories import panel_people, policy, session
from tests.careplans.test_plan_services import complete_draft

pytestmark = pytest.mark.django_db

SWIM = "Swimming sessions"


@pytest.fixture
def budget(phb_lead, holder, icb):
    """£20,000.00 for a whole financial year."""
    LocalRateSetFactory(organisation=icb)
    return proposed_budget(phb_lead, holder, chc_package(phb_lead, holder), amount=D("20000.00"))


def add_item(author, version, description, cost, frequency="once"):
    return services.save_support_item(
        actor=author,
        version=version,
        goals=list(version.goals.all()),
        description=description,
        category="other",
        provider="Northtown Leisure",
        unit_cost=cost,
        quantity=D("1"),
        frequency=frequency,
        portion=version.support_items.first().portion,
    )


def submitted(author, holder, budget, *, extra=(), reason=""):
    """The PA (14 hours a week at £15.00, £10,920.00 a year) and `extra` (description, cost
    once) items."""
    draft = complete_draft(author, holder, budget)
    for description, cost in extra:
        add_item(author, draft, description, cost)
    if reason:
        services.update_sections(actor=author, version=draft, over_budget_justification=reason)
    return services.submit_version(actor=author, version=PlanVersion.objects.get(pk=draft.pk))


def choices(version, **changed):
    """Every item approved, but those named in `changed` (description: choice)."""
    return {
        str(item.pk): changed.get(item.description, ItemChoice(DecisionOutcome.APPROVED))
        for item in version.support_items.all()
    }


# -- nothing approved is a decline --------------------------------------------------------------


def test_approving_an_item_at_nothing_is_refused_as_a_decline(icb, phb_lead, holder, budget):
    """The reviewer's case: 'Approved at £0.00 a year instead of £991.38 a year'."""
    ApprovalPolicy.objects.create(organisation=icb, lead_sign_off_limit=D("30000.00"))
    draft = complete_draft(phb_lead, holder, budget)
    add_item(phb_lead, draft, SWIM, D("19.06"), frequency="weekly")  # £19.06 × 52
    version = services.submit_version(actor=phb_lead, version=PlanVersion.objects.get(pk=draft.pk))
    assert version.support_items.get(description=SWIM).annual_cost == D("991.12")
    lead = staff("phb_lead", icb)
    with pytest.raises(ValidationError) as refused:
        services.decide_plan(
            actor=lead,
            version=version,
            outcome=DecisionOutcome.APPROVED_WITH_CHANGES,
            reasons="Swimming is not needed now.",
            items=choices(
                version,
                **{
                    SWIM: ItemChoice(
                        DecisionOutcome.APPROVED_WITH_CHANGES,
                        reasons="Not needed now.",
                        changed_cost=D("0.00"),
                    )
                },
            ),
        )
    assert refused.value.messages == [f"To approve nothing for {SWIM}, decline it instead"]
    assert not PlanDecision.objects.exists()
    # A penny is a lower cost, and is approved as one.
    decision = services.decide_plan(
        actor=lead,
        version=version,
        outcome=DecisionOutcome.APPROVED_WITH_CHANGES,
        reasons="Swimming is paid for in part.",
        items=choices(
            version,
            **{
                SWIM: ItemChoice(
                    DecisionOutcome.APPROVED_WITH_CHANGES,
                    reasons="Paid in part.",
                    changed_cost=D("0.01"),
                )
            },
        ),
    )
    assert decision.approved_words == "£10,920.01 a year"


def test_the_lead_is_told_on_the_page_to_decline_instead(client, icb, phb_lead, holder, budget):
    ApprovalPolicy.objects.create(organisation=icb, lead_sign_off_limit=D("30000.00"))
    version = submitted(phb_lead, holder, budget, extra=[(SWIM, D("400.00"))])
    client.force_login(staff("phb_lead", icb))
    data = {"outcome": DecisionOutcome.APPROVED_WITH_CHANGES, "reasons": "Less swimming."}
    data["lock_version"] = version.lock_version
    for item in version.support_items.all():
        changed = item.description == SWIM
        data[f"item_{item.pk}"] = (
            DecisionOutcome.APPROVED_WITH_CHANGES if changed else DecisionOutcome.APPROVED
        )
        data[f"item_{item.pk}_reasons"] = "Not needed now." if changed else ""
        data[f"item_{item.pk}_cost"] = "0.00" if changed else ""
    response = client.post(reverse("careplans:decide", args=[version.pk]), data)
    assert f"To approve nothing for {SWIM}, decline it instead" in response.content.decode()
    assert not PlanDecision.objects.exists()


def test_a_panel_cannot_approve_an_item_at_nothing(icb, phb_lead, holder, budget):
    policy(icb)
    version = submitted(phb_lead, holder, budget, extra=[(SWIM, D("400.00"))])
    members = panel_people(icb)
    panel = session(phb_lead, members, versions=[version], present=members, start=True)
    with pytest.raises(ValidationError) as refused:
        services.decide_plan(
            actor=members[0],
            version=version,
            outcome=DecisionOutcome.APPROVED_WITH_CHANGES,
            reasons="Swimming is not needed now.",
            items=choices(
                version,
                **{
                    SWIM: ItemChoice(
                        DecisionOutcome.APPROVED_WITH_CHANGES,
                        reasons="Not needed now.",
                        changed_cost=D("0.00"),
                    )
                },
            ),
            session=panel,
        )
    assert refused.value.messages == [f"To approve nothing for {SWIM}, decline it instead"]


# -- no more than the budget ----------------------------------------------------------------------


def test_a_plan_over_its_budget_is_not_approved_whatever_the_reason(icb, phb_lead, holder, budget):
    """The reviewer's case: two one-off items of £9,000,000.00 and the reason 'Test'. The PA's
    £10,920.00 a year and £18,000,000.00 once = £18,010,920.00 for the year, £17,990,920.00
    more than the £20,000.00 budget. Declining the two items leaves £10,920.00: approved."""
    policy(icb)
    version = submitted(
        phb_lead,
        holder,
        budget,
        extra=[("A boat", D("9000000.00")), ("A second boat", D("9000000.00"))],
        reason="Test",
    )
    members = panel_people(icb)
    panel = session(phb_lead, members, versions=[version], present=members, start=True)
    with pytest.raises(ValidationError) as refused:
        services.decide_plan(
            actor=members[0],
            version=version,
            outcome=DecisionOutcome.APPROVED,
            items=choices(version),
            session=panel,
        )
    assert refused.value.message_dict["outcome"] == [
        "What would be approved costs £18,010,920.00 a year, £17,990,920.00 more than the "
        "budget of £20,000.00. The budget must be increased, or items cut (approved at a lower "
        "cost or declined), before the plan can be approved"
    ]
    assert PlanVersion.objects.get(pk=version.pk).status == PlanStatus.SUBMITTED
    declined = ItemChoice(DecisionOutcome.DECLINED, reasons="A boat does not meet a need.")
    decision = services.decide_plan(
        actor=members[0],
        version=version,
        outcome=DecisionOutcome.APPROVED_WITH_CHANGES,
        reasons="The boats are not needed.",
        items=choices(version, **{"A boat": declined, "A second boat": declined}),
        session=panel,
    )
    assert decision.approved_words == "£10,920.00 a year"


def test_a_part_year_budget_is_compared_with_the_plans_cost_for_its_days(icb, phb_lead, holder):
    """A budget of £3,900.00 from 1 December 2026 to 31 March 2027 (121 of 365 days): the PA
    costs £10,920.00 × 121 / 365 = £3,620.05 for those days, and a £400.00 hoist is paid in
    full: £4,020.05, £120.05 over. Approving the hoist at £279.95 makes it exactly £3,900.00."""
    ApprovalPolicy.objects.create(organisation=icb, lead_sign_off_limit=D("30000.00"))
    LocalRateSetFactory(organisation=icb)
    budget = proposed_budget(
        phb_lead,
        holder,
        chc_package(phb_lead, holder),
        amount=D("3900.00"),
        start=datetime.date(2026, 12, 1),
    )
    version = submitted(phb_lead, holder, budget, extra=[("Hoist", D("400.00"))], reason="Test")
    lead = staff("phb_lead", icb)
    with pytest.raises(ValidationError) as refused:
        services.decide_plan(
            actor=lead, version=version, outcome=DecisionOutcome.APPROVED, items=choices(version)
        )
    assert refused.value.message_dict["outcome"] == [
        "What would be approved costs £4,020.05 for the budget's period (1 December 2026 to "
        "31 March 2027), £120.05 more than the budget of £3,900.00. The budget must be "
        "increased, or items cut (approved at a lower cost or declined), before the plan can "
        "be approved"
    ]
    hoist = ItemChoice(
        DecisionOutcome.APPROVED_WITH_CHANGES, reasons="A cheaper hoist.", changed_cost=D("279.95")
    )
    decision = services.decide_plan(
        actor=lead,
        version=version,
        outcome=DecisionOutcome.APPROVED_WITH_CHANGES,
        reasons="A cheaper hoist does the same.",
        items=choices(version, Hoist=hoist),
    )
    assert decision.approved_words == "£10,920.00 a year and £279.95 once"


# -- no more than each part of the budget ------------------------------------------------------


@pytest.fixture
def mixed_budget(phb_lead, holder, icb):
    """£2,000.00 for 1 January to 31 March 2027 (90 of 365 days): £1,000.00 as a direct
    payment and £1,000.00 held by the ICB."""
    LocalRateSetFactory(organisation=icb)
    return proposed_budget(
        phb_lead,
        holder,
        chc_package(phb_lead, holder),
        amount=D("2000.00"),
        start=datetime.date(2027, 1, 1),
        portions=[
            (HoldingMethod.DIRECT_PAYMENT, D("1000.00"), ""),
            (HoldingMethod.NOTIONAL, D("1000.00"), ""),
        ],
    )


def abc_draft(author, holder, budget, *, c_cost):
    """A: £100.00 a week from the direct payment (£5,200.00 a year, £1,282.19 for the 90
    days); B: £40.00 a week held by the ICB (£2,080.00 a year, £512.88); C: `c_cost` once, held
    by the ICB. Over the budget, with a reason. (With no direct payment, A is the ICB's too.)"""
    draft = complete_draft(author, holder, budget)
    goals = list(draft.goals.all())
    by = {p.method: p for p in budget.portions.all()}
    by.setdefault(HoldingMethod.DIRECT_PAYMENT, by[HoldingMethod.NOTIONAL])
    services.save_support_item(
        actor=author,
        version=draft,
        item=draft.support_items.get(),
        description="A",
        unit_cost=D("100.00"),
        quantity=D("1"),
        frequency="weekly",
        portion=by[HoldingMethod.DIRECT_PAYMENT],
    )
    for description, cost, frequency in (("B", D("40.00"), "weekly"), ("C", c_cost, "once")):
        services.save_support_item(
            actor=author,
            version=draft,
            goals=goals,
            description=description,
            category="other",
            provider="Northtown Care",
            unit_cost=cost,
            quantity=D("1"),
            frequency=frequency,
            portion=by[HoldingMethod.NOTIONAL],
        )
    services.update_sections(
        actor=author, version=draft, over_budget_justification="Two carers are needed at night."
    )
    return PlanVersion.objects.get(pk=draft.pk)


DIRECT_PAYMENT_OVER = (
    "The items paid from the direct payment cost £1,282.19 for the budget's period (1 January "
    "2027 to 31 March 2027), £282.19 more than the £1,000.00 of the budget held as the direct "
    "payment: pay for some of them another way, or change how the budget is held"
)


def test_a_plan_over_its_budget_is_still_refused_a_part_over_by_more(
    phb_lead, holder, mixed_budget
):
    """The reviewer's plan: A £1,282.19 + B £512.88 + C £300.00 = £2,095.07, £95.07 over the
    budget, explained. A alone puts £282.19 more on the direct payment than it holds: more
    than the £95.07, so no increase of the whole explains it."""
    draft = abc_draft(phb_lead, holder, mixed_budget, c_cost=D("300.00"))
    with pytest.raises(ValidationError) as refused:
        services.submit_version(actor=phb_lead, version=draft)
    assert refused.value.messages == [DIRECT_PAYMENT_OVER]


def test_a_part_over_by_no_more_than_the_whole_goes_with_its_reason(phb_lead, holder, icb, budget):
    """All £20,000.00 held by the ICB: the PA's £10,920.00 and a £10,000.00 hoist are £920.00
    over the budget and as much over its one part, so the plan goes for a decision with its
    reason (it is cut, or the budget increased, before it is approved)."""
    version = submitted(
        phb_lead, holder, budget, extra=[("Hoist", D("10000.00"))], reason="A ceiling hoist."
    )
    assert version.status == PlanStatus.SUBMITTED


def test_a_panel_cannot_approve_more_than_the_direct_payment_holds(
    icb, phb_lead, holder, mixed_budget
):
    """C at £600.00 once: £2,395.07 in all, £395.07 over, and the direct payment £282.19 over,
    so the plan goes to the panel with its reason. Approving A and B and declining C costs
    £1,795.07, within the £2,000.00, but A's £1,282.19 is £282.19 more than the £1,000.00 direct
    payment: refused in the words of the submission's check. Approving A at £4,055.00 a year
    (£999.86 for the 90 days) fits the direct payment, and the plan is approved."""
    policy(icb)
    draft = abc_draft(phb_lead, holder, mixed_budget, c_cost=D("600.00"))
    version = services.submit_version(actor=phb_lead, version=draft)
    members = panel_people(icb)
    panel = session(phb_lead, members, versions=[version], present=members, start=True)
    declined = ItemChoice(DecisionOutcome.DECLINED, reasons="C is not needed.")
    with pytest.raises(ValidationError) as refused:
        services.decide_plan(
            actor=members[0],
            version=version,
            outcome=DecisionOutcome.APPROVED_WITH_CHANGES,
            reasons="C is not needed.",
            items=choices(version, C=declined),
            session=panel,
        )
    assert refused.value.message_dict["outcome"] == [DIRECT_PAYMENT_OVER]
    assert PlanVersion.objects.get(pk=version.pk).status == PlanStatus.SUBMITTED
    lower = ItemChoice(
        DecisionOutcome.APPROVED_WITH_CHANGES,
        reasons="A is paid for up to the direct payment.",
        changed_cost=D("4055.00"),
    )
    decision = services.decide_plan(
        actor=members[0],
        version=version,
        outcome=DecisionOutcome.APPROVED_WITH_CHANGES,
        reasons="C is not needed, and A costs less.",
        items=choices(version, A=lower, C=declined),
        session=panel,
    )
    assert decision.approved_words == "£6,135.00 a year"
