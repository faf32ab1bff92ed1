"""Demo data for approval panels: the North ICB's approval policy, three submitted plans that
need a panel, and a panel session next week with them on its agenda. Built through the
services; run again, it adds nothing."""

import datetime
from decimal import Decimal

from django.utils import timezone

from budgets.demo import _staff
from careplans import services
from careplans.demo import _agreement
from careplans.models import CarePlan, PanelSession, PlanVersion
from careplans.services import panels
from phb.models import BudgetHolder, Organisation, Role

# Plans costing more than £5,000.00 a year go to a panel of three.
LIMIT = Decimal("5000.00")
QUORUM = 3


def _plan(author, coordinator, holder, budget) -> PlanVersion:
    """A complete plan for `holder`: 10 hours of PA support a week at £15.00 (£7,800.00 a
    year) and a gym membership at £30.00 a month (£360.00 a year), each paid from the budget's
    first way of holding the money that is paid out (else from what the ICB holds)."""
    portions = sorted(budget.portions.all(), key=lambda p: (not p.is_paid_out, p.method))
    version = services.start_plan(actor=author, budget_holder=holder, budget=budget)
    version = services.update_sections(
        actor=author,
        version=version,
        what_matters=f"{holder.given_name} wants to stay living at home and see friends",
        health_needs="Needs help to wash, dress and get out of the house",
        outcomes_evidence=f"{holder.given_name} gets out to the gym twice most weeks",
        crisis_plan="Call the community team, then 111",
        **_agreement(holder, min(budget.period_start, timezone.localdate())),
    )
    services.save_risk(
        actor=author,
        version=version,
        risk="A fall on the way to the gym",
        consequence="An injury, and losing confidence to go out",
        mitigation="The PA goes too; a falls assessment is booked",
    )
    goal = services.save_goal(
        actor=author,
        version=version,
        description="Go to the gym with a friend twice a week",
        importance="very",
    )
    services.save_professional_contact(
        actor=author,
        version=version,
        user=coordinator,
        name=coordinator.full_name,
        role="Care coordinator",
        is_care_coordinator=True,
    )
    services.save_professional_contact(
        actor=author,
        version=version,
        name="Dr Robin Clinician",
        role="GP",
        has_clinical_responsibility=True,
    )
    for description, category, cost, quantity, frequency in (
        ("Personal assistant", "pa_support", Decimal("15.00"), Decimal("10"), "weekly"),
        ("Gym membership", "wellbeing", Decimal("30.00"), Decimal("1"), "monthly"),
    ):
        services.save_support_item(
            actor=author,
            version=version,
            goals=[goal],
            description=description,
            category=category,
            provider="Employed PA" if category == "pa_support" else "Northtown Leisure",
            unit_cost=cost,
            quantity=quantity,
            frequency=frequency,
            portion=portions[0] if portions else None,
        )
    version = PlanVersion.objects.get(pk=version.pk)
    if services.plan_total(version) > budget.agreed_amount:
        version = services.update_sections(
            actor=author,
            version=version,
            over_budget_justification="The PA hours in the assessment cost more than the "
            "indicative amount allows.",
        )
    return services.submit_version(actor=author, version=version)


def seed_panels() -> None:
    north = Organisation.objects.get(ods_code="QZA")
    if PanelSession.objects.filter(organisation=north).exists():
        return
    admin, lead = _staff(north, Role.ICB_ADMIN), _staff(north, Role.PHB_LEAD)
    coordinator = _staff(north, Role.CARE_COORDINATOR)
    panels.save_approval_policy(actor=admin, lead_sign_off_limit=LIMIT, panel_quorum=QUORUM)
    usable = ("proposed", "agreed", "active")
    holders = (
        BudgetHolder.objects.filter(organisation=north, budgets__status__in=usable)
        .exclude(pk__in=CarePlan.objects.values("budget_holder_id"))
        .distinct()
        .order_by("family_name")
    )
    plans = [
        _plan(
            coordinator,
            coordinator,
            holder,
            holder.budgets.filter(status__in=usable).order_by("-period_start").first(),
        )
        for holder in holders[:3]
    ]
    members = [
        _staff(north, Role.PANEL_MEMBER),
        _staff(north, Role.CLINICIAN),
        lead,  # the North lead also sits on panels
    ]
    session = panels.set_up_session(
        actor=lead,
        date=timezone.localdate() + datetime.timedelta(days=7),
        starts_at=datetime.time(10, 0),
        place="Room 4, Example House",
        call_link="https://meet.example.nhs.uk/north-panel",
        chair=members[0],
        members=members[1:],
    )
    for version in plans:
        panels.add_to_agenda(actor=lead, session=session, version=version)
