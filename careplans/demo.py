"""Demo care and support plans for `manage.py seed_demo` (after the demo budgets).

Built only through `careplans.services`, as the demo staff: Alex's plan, written by the care
coordinator and approved by the PHB lead with one item declined (so his page and letter show
a reason), and a draft for Margaret. Idempotent: people who already have a plan are left.
"""

from decimal import Decimal

from django.utils import timezone

from budgets.models import Budget
from careplans import services
from careplans.models import ApprovalPolicy, CarePlan, DecisionOutcome
from careplans.plan_selectors import representatives_of
from careplans.services import ItemChoice
from phb.models import BudgetHolder, Organisation, Role, User


def _staff(icb, role) -> User:
    user = (
        User.objects.filter(
            is_demo=True, role_assignments__organisation=icb, role_assignments__role=role
        )
        .order_by("email")
        .first()
    )
    user.chosen_organisation_id = icb.pk
    return user


def _agreement(holder, on) -> dict:
    """The person agreed the plan; so did whoever acts for them now (a representative for
    someone who lacks capacity, or a nominee)."""
    acting = representatives_of(holder).order_by("-kind").first()  # a representative first
    if acting is None:
        return {"person_agreed_on": on}
    return {"person_agreed_on": on, "representative": acting, "representative_agreed_on": on}


def _write(author, holder, budget, *, items):
    """A complete plan: each item is paid from the budget's first way of holding the money
    that is paid out (a direct payment or third party), or else from what the ICB holds."""
    portions = sorted(budget.portions.all(), key=lambda p: (not p.is_paid_out, p.method))
    version = services.start_plan(actor=author, budget_holder=holder, budget=budget)
    version = services.update_sections(
        actor=author,
        version=version,
        what_matters="Living in my own flat and getting to my football club on Saturdays",
        strengths="I know what helps me and I can tell people",
        health_needs="Spinal cord injury (C5): help to move, wash, dress and eat, day and night",
        outcomes_evidence="I get to football most weeks; no pressure sores",
        crisis_plan="Call the spinal injuries nurse, then 111",
        pa_absence_plan="The agency covers within four hours",
        **_agreement(holder, min(budget.period_start, timezone.localdate())),
    )
    goal = services.save_goal(
        actor=author,
        version=version,
        description="Get to my football club every Saturday",
        importance="very",
    )
    services.save_action(
        actor=author,
        goal=goal,
        what="A PA comes with me",
        who="PA 1",
        when="From April",
        confidence=8,
    )
    services.save_professional_contact(
        actor=author,
        version=version,
        user=author,  # their sign-in: reminders of the person's reviews go to them
        name=author.full_name,
        role="Care coordinator",
        is_care_coordinator=True,
    )
    services.save_professional_contact(
        actor=author,
        version=version,
        name="Dr Priti Shah",
        role="GP",
        has_clinical_responsibility=True,
    )
    services.save_risk(
        actor=author,
        version=version,
        risk="Pressure sores",
        consequence="A stay in hospital",
        mitigation="Turning every four hours; the district nurse checks weekly",
    )
    for description, category, unit_cost, quantity, frequency in items:
        services.save_support_item(
            actor=author,
            version=version,
            goals=[goal],
            description=description,
            category=category,
            provider="Employed PAs" if category == "pa_support" else "Local provider",
            unit_cost=unit_cost,
            quantity=quantity,
            frequency=frequency,
            portion=portions[0] if portions else None,
        )
    return version


def seed_plans() -> None:
    north = Organisation.objects.get(ods_code="QZA")
    ApprovalPolicy.objects.get_or_create(
        organisation=north, defaults={"lead_sign_off_limit": Decimal("60000.00")}
    )
    people = {h.nhs_number: h for h in BudgetHolder.objects.filter(organisation=north)}
    with_plans = set(CarePlan.objects.values_list("budget_holder__nhs_number", flat=True))
    coordinator = _staff(north, Role.CARE_COORDINATOR)
    lead = _staff(north, Role.PHB_LEAD)

    alex = people["9990004110"]
    budget = Budget.objects.filter(budget_holder=alex).order_by("-period_start").first()
    if alex.nhs_number not in with_plans and budget is not None:
        version = _write(
            coordinator,
            alex,
            budget,
            items=[
                (
                    "Personal assistants, days",
                    "pa_support",
                    Decimal("13.50"),
                    Decimal("30"),
                    "weekly",
                ),
                ("Gym membership", "wellbeing", Decimal("30.00"), Decimal("1"), "monthly"),
            ],
        )
        version = services.submit_version(actor=coordinator, version=version)
        pa, gym = version.support_items.order_by("order")
        services.decide_plan(
            actor=lead,
            version=version,
            outcome=DecisionOutcome.APPROVED_WITH_CHANGES,
            reasons="We approved the personal assistants. We did not approve the gym.",
            items={
                str(pa.pk): ItemChoice(DecisionOutcome.APPROVED),
                str(gym.pk): ItemChoice(
                    DecisionOutcome.DECLINED,
                    reasons="The physiotherapy in your NHS care already meets this need.",
                ),
            },
        )

    margaret = people["9990009864"]
    budget = Budget.objects.filter(budget_holder=margaret).order_by("-period_start").first()
    if margaret.nhs_number not in with_plans and budget is not None:
        _write(
            coordinator,
            margaret,
            budget,
            items=[("Third-party care", "agency_care", Decimal("24.00"), Decimal("10"), "weekly")],
        )
