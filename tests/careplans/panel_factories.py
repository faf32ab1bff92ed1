"""Plans that need a panel, and panel sessions, built only through the services."""

import datetime
from decimal import Decimal as D

from django.utils import timezone

from budgets.models import LocalRateSet
from careplans import services
from careplans.models import ApprovalPolicy, PanelSession, PlanVersion
from careplans.services import panels
from phb.models import Role
from tests.budgets.factories import LocalRateSetFactory, chc_package, proposed_budget, staff
from tests.careplans.plan_factories import OUTCOMES, add_risk, agreement, first_portion
from tests.factories import BudgetHolderFactory

PANEL_DAY = datetime.date(2027, 1, 14)
TEN_AM = datetime.time(10, 0)
PLAN_REASON = "The plan does not yet show how the support meets the health needs."


def policy(organisation, *, limit=D("5000.00"), quorum=3) -> ApprovalPolicy:
    """Plans over £5,000.00 a year go to a panel of three."""
    row, _ = ApprovalPolicy.objects.update_or_create(
        organisation=organisation,
        defaults={"lead_sign_off_limit": limit, "panel_quorum": quorum},
    )
    return row


def submitted_plan(
    author, holder=None, *, organisation=None, coordinator=None, items=None
) -> PlanVersion:
    """A complete plan, submitted. By default one item: a PA 14 hours a week at £15.00 an hour,
    £10,920.00 a year, and a second of £35.75 a week for equipment hire, £1,859.00 a year:
    £12,779.00 in all, against a budget of £20,000.00 held notionally, with outcomes, a risk
    and the agreement of the person and whoever acts for them."""
    organisation = organisation or author.acting_organisation
    holder = holder or BudgetHolderFactory(organisation=organisation)
    if not LocalRateSet.objects.filter(organisation=organisation).exists():
        LocalRateSetFactory(organisation=organisation)
    budget = proposed_budget(author, holder, chc_package(author, holder), amount=D("20000.00"))
    version = services.start_plan(actor=author, budget_holder=holder, budget=budget)
    version = services.update_sections(
        actor=author,
        version=version,
        what_matters="Staying at home with my dog, Biscuit",
        health_needs="Motor neurone disease; needs help to move, wash and eat",
        outcomes_evidence=OUTCOMES,
        crisis_plan="Call the community nursing team, then 111",
        **agreement(holder, min(budget.period_start, timezone.localdate())),
    )
    add_risk(author, version)
    goal = services.save_goal(
        actor=author, version=version, description="Walk Biscuit to the park", importance="very"
    )
    services.save_professional_contact(
        actor=author,
        version=version,
        name=coordinator.full_name if coordinator else "Casey Coordinator",
        user=coordinator,
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
    for description, category, cost, quantity in items or [
        ("Personal assistant, mornings", "pa_support", D("15.00"), D("14")),
        ("Hoist hire", "equipment", D("35.75"), D("1")),
    ]:
        services.save_support_item(
            actor=author,
            version=version,
            goals=[goal],
            description=description,
            category=category,
            provider="Employed PA" if category == "pa_support" else "Mobility Hire Ltd",
            unit_cost=cost,
            quantity=quantity,
            frequency="weekly",
            portion=first_portion(budget),
        )
    return services.submit_version(actor=author, version=PlanVersion.objects.get(pk=version.pk))


def panel_people(organisation, count=3) -> list:
    """Panel members of the ICB (the first is the chair)."""
    return [staff(Role.PANEL_MEMBER, organisation) for _ in range(count)]


def session(lead, members, *, date=None, versions=(), present=None, start=False):
    """A session chaired by the first member, with `versions` on its agenda: on PANEL_DAY, or
    today for one that starts (a panel starts only on its own date)."""
    if date is None:
        date = timezone.localdate() if start else PANEL_DAY
    # The same day, time and place twice is one session (set_up_session refuses the second):
    # a second session that day meets in the next room.
    taken = PanelSession.objects.filter(organisation=lead.acting_organisation, date=date).count()
    row = panels.set_up_session(
        actor=lead,
        date=date,
        starts_at=TEN_AM,
        place=f"Room {4 + taken}, Quayside House",
        chair=members[0],
        members=members[1:],
    )
    for version in versions:
        panels.add_to_agenda(actor=lead, session=row, version=version)
    if present is not None:
        panels.record_attendance(actor=lead, session=row, present=present)
    if start:
        row = panels.start_session(actor=lead, session=row)
    return row


def panel_universe(users: dict, organisation) -> dict:
    """For the route matrix: a panel session in progress, chaired by the panel member, with the
    clinician and the PHB lead as members (all present) and a submitted plan on its agenda."""
    policy(organisation)
    lead = users["lead"]
    version = submitted_plan(lead, organisation=organisation)
    members = [users["panel"], users["clinician"], lead]
    row = session(lead, members, versions=[version], present=members, start=True)
    return {
        "session": {"pk": row.pk},
        "agenda_plan": {"pk": row.pk, "version": version.pk},
    }
