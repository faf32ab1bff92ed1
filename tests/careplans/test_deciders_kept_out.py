"""The author rule cannot be got round: whoever wrote a version or ever submitted it does not
decide it, even after someone else took it back and submitted it again."""

from decimal import Decimal as D
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from budgets.services import Conflict
from careplans import services
from careplans.models import (
    ApprovalPolicy,
    DecisionOutcome,
    PanelSession,
    PlanDecision,
    PlanStatus,
    PlanVersion,
)
from careplans.services import ItemChoice, panels
from careplans.services.decisions import kept_out_of, why_kept_out
from tests.budgets.factories import LocalRateSetFactory, chc_package, proposed_budget, staff
from tests.careplans.panel_factories import panel_people, policy, session, submitted_plan
from tests.careplans.plan_factories import agreement
from tests.careplans.test_plan_services import complete_draft

pytestmark = pytest.mark.django_db


def all_items(version):
    return {
        str(item.pk): ItemChoice(DecisionOutcome.APPROVED) for item in version.support_items.all()
    }


def approve(actor, version):
    return services.decide_plan(
        actor=actor, version=version, outcome=DecisionOutcome.APPROVED, items=all_items(version)
    )


@pytest.fixture
def budget(phb_lead, holder, icb):
    LocalRateSetFactory(organisation=icb)
    return proposed_budget(phb_lead, holder, chc_package(phb_lead, holder), amount=D("20000.00"))


@pytest.fixture
def limit(icb):
    ApprovalPolicy.objects.create(organisation=icb, lead_sign_off_limit=D("15000.00"))


def take_back_and_resubmit(actor, version):
    version = services.take_back(actor=actor, version=version)
    return services.submit_version(actor=actor, version=version)


def test_a_submitter_is_refused_after_a_colleague_takes_it_back_and_resubmits(
    icb, limit, phb_lead, holder, budget
):
    """A writes and submits; B takes it back and submits it again: A still cannot decide it,
    and neither can B. A third lead can."""
    colleague = staff("phb_lead", icb)
    draft = complete_draft(phb_lead, holder, budget)
    version = services.submit_version(actor=phb_lead, version=draft)
    version = take_back_and_resubmit(colleague, version)
    assert version.submitted_by == colleague
    with pytest.raises(ValidationError, match="You wrote this plan, so someone else must decide"):
        approve(phb_lead, version)
    with pytest.raises(
        ValidationError, match="You submitted this plan, so someone else must decide it"
    ):
        approve(colleague, version)
    assert not PlanDecision.objects.exists()
    assert approve(staff("phb_lead", icb), version).outcome == DecisionOutcome.APPROVED


def test_the_reviewers_sequence_the_lead_who_submitted_stays_out(
    icb, limit, phb_lead, care_coordinator, holder, budget
):
    """The coordinator writes; the lead edits and submits; the coordinator takes it back and
    submits it again. The lead submitted this version once, so the lead must still be refused."""
    draft = complete_draft(care_coordinator, holder, budget)
    draft = services.update_sections(
        actor=phb_lead, version=draft, strengths="Determined, and good with people"
    )
    version = services.submit_version(actor=phb_lead, version=draft)
    version = take_back_and_resubmit(care_coordinator, version)
    assert version.submitted_by == care_coordinator
    assert phb_lead.pk in kept_out_of(version)
    # The lead also wrote part of it, which is said first.
    with pytest.raises(
        ValidationError, match="You wrote part of this plan, so someone else must decide it"
    ):
        approve(phb_lead, version)
    version.refresh_from_db()
    assert version.status == PlanStatus.SUBMITTED
    assert not PlanDecision.objects.exists()


def test_the_pages_say_why_the_earlier_submitter_cannot_decide(
    client, icb, limit, phb_lead, care_coordinator, holder, budget
):
    draft = complete_draft(care_coordinator, holder, budget)
    version = services.submit_version(actor=phb_lead, version=draft)
    version = take_back_and_resubmit(care_coordinator, version)
    client.force_login(phb_lead)
    decide_url = reverse("careplans:decide", args=[version.pk])
    text = unescape(client.get(decide_url).content.decode())
    assert "You submitted this plan, so another PHB lead must decide it." in text
    assert "Record the decision" not in text
    text = unescape(client.get(reverse("careplans:version", args=[version.pk])).content.decode())
    assert "Decide this plan" not in text
    # A POST changes nothing and says why.
    response = client.post(decide_url, {"outcome": "approved"}, follow=True)
    assert "You submitted this plan, so another PHB lead must decide it." in unescape(
        response.content.decode()
    )
    assert not PlanDecision.objects.exists()
    # Another lead is offered the decision.
    client.force_login(staff("phb_lead", icb))
    text = unescape(client.get(reverse("careplans:version", args=[version.pk])).content.decode())
    assert "Decide this plan" in text


def test_a_care_coordinator_named_by_their_email_is_linked_and_kept_out(
    icb, limit, care_coordinator, holder, budget, other_icb_lead
):
    """A professional contact whose email address is a member of the ICB's staff's sign-in is
    linked to them: named as care coordinator, that lead cannot decide the plan. An address
    of another ICB's staff, or of nobody's, links no one."""
    lead = staff("phb_lead", icb)
    draft = complete_draft(care_coordinator, holder, budget)
    coordinator = draft.professional_contacts.get(is_care_coordinator=True)
    contact = services.save_professional_contact(
        actor=care_coordinator,
        version=draft,
        contact=coordinator,
        name=lead.full_name,
        role="Care coordinator",
        email=lead.email.upper(),
        is_care_coordinator=True,
    )
    assert contact.user == lead
    version = services.submit_version(actor=care_coordinator, version=draft)
    with pytest.raises(
        ValidationError, match="You are this person's care coordinator, so someone else"
    ):
        approve(lead, version)
    for email in (other_icb_lead.email, "someone@example.nhs.uk", ""):
        other = services.save_professional_contact(
            actor=care_coordinator,
            version=services.take_back(actor=care_coordinator, version=version),
            name="A nurse",
            role="District nurse",
            email=email,
        )
        assert other.user is None
        version = services.submit_version(actor=care_coordinator, version=other.version)


# -- whoever wrote part of the version ------------------------------------------------------------
# The reviewer's case: the care coordinator starts the version; the PHB lead adds an item and
# writes the sections; the coordinator submits; the lead must not approve it (DOMAIN.md §5).
# Each kind of change a draft can have is tried on its own.


def _goal(version):
    return version.goals.first()


CHANGES = {
    "sections": lambda lead, v: services.update_sections(
        actor=lead, version=v, strengths="Determined, and good with people"
    ),
    "a goal": lambda lead, v: services.save_goal(
        actor=lead, version=v, description="Go to the seaside", importance="important"
    ),
    "a goal changed": lambda lead, v: services.save_goal(
        actor=lead, version=v, goal=_goal(v), description="Walk Biscuit to the park daily"
    ),
    "an action": lambda lead, v: services.save_action(
        actor=lead, goal=_goal(v), what="Book the taxi", who="PA", when="Weekly", confidence=7
    ),
    "a professional contact": lambda lead, v: services.save_professional_contact(
        actor=lead, version=v, name="Pat Physio", role="Physiotherapist"
    ),
    "a personal contact": lambda lead, v: services.save_personal_contact(
        actor=lead, version=v, name="Sam Sister", relationship="Sister"
    ),
    "a risk": lambda lead, v: services.save_risk(
        actor=lead, version=v, risk="Choking", consequence="Hospital", mitigation="Soft food"
    ),
    "an item": lambda lead, v: services.save_support_item(
        actor=lead,
        version=v,
        goals=[_goal(v)],
        description="Swimming sessions",
        category="other",
        provider="Northtown Leisure",
        unit_cost=D("6.50"),
        quantity=D("1"),
        frequency="weekly",
        portion=v.support_items.first().portion,
    ),
    "a row removed": lambda lead, v: services.remove_row(actor=lead, row=v.personal_contacts.get()),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_lead_who_wrote_part_of_the_plan_cannot_decide_it(
    change, icb, limit, phb_lead, care_coordinator, holder, budget
):
    draft = complete_draft(care_coordinator, holder, budget)
    if change == "a row removed":
        services.save_personal_contact(
            actor=care_coordinator, version=draft, name="Sam Sister", relationship="Sister"
        )
    CHANGES[change](phb_lead, PlanVersion.objects.get(pk=draft.pk))
    version = services.submit_version(
        actor=care_coordinator, version=PlanVersion.objects.get(pk=draft.pk)
    )
    assert version.submitted_by == care_coordinator
    assert phb_lead.pk in kept_out_of(version)
    with pytest.raises(
        ValidationError, match="You wrote part of this plan, so someone else must decide it"
    ):
        approve(phb_lead, version)
    assert not PlanDecision.objects.exists()
    assert approve(staff("phb_lead", icb), version).outcome == DecisionOutcome.APPROVED


def test_a_change_refused_does_not_make_its_maker_a_writer(
    icb, limit, phb_lead, care_coordinator, holder, budget
):
    """A lead whose change was refused (a stale page) wrote nothing, and may decide."""
    draft = complete_draft(care_coordinator, holder, budget)
    with pytest.raises(Conflict):
        services.update_sections(
            actor=phb_lead, version=draft, lock_version=draft.lock_version - 1, strengths="Kind"
        )
    version = services.submit_version(actor=care_coordinator, version=draft)
    assert phb_lead.pk not in kept_out_of(version)
    assert why_kept_out(version, phb_lead) is None


def test_the_writers_of_an_earlier_version_are_not_the_writers_of_a_new_one(
    icb, limit, phb_lead, care_coordinator, holder, budget
):
    """What the lead wrote in version 1 was decided with version 1; version 2, started and
    written by the coordinator, is the lead's to decide."""
    draft = complete_draft(care_coordinator, holder, budget)
    services.update_sections(actor=phb_lead, version=draft, strengths="Kind")
    first = services.submit_version(actor=care_coordinator, version=draft)
    approve(staff("phb_lead", icb), first)
    second = services.new_version(actor=care_coordinator, plan=first.plan)
    services.update_sections(
        actor=care_coordinator,
        version=second,
        strengths="Kind, funny",
        **agreement(holder, timezone.localdate()),
    )
    second = services.submit_version(actor=care_coordinator, version=second)
    assert phb_lead.pk not in kept_out_of(second)


def test_the_pages_say_why_a_lead_who_wrote_part_cannot_decide(
    client, icb, limit, phb_lead, care_coordinator, holder, budget
):
    draft = complete_draft(care_coordinator, holder, budget)
    services.update_sections(actor=phb_lead, version=draft, strengths="Kind")
    version = services.submit_version(
        actor=care_coordinator, version=PlanVersion.objects.get(pk=draft.pk)
    )
    client.force_login(phb_lead)
    decide_url = reverse("careplans:decide", args=[version.pk])
    text = unescape(client.get(decide_url).content.decode())
    assert "You wrote part of this plan, so another PHB lead must decide it." in text
    text = unescape(client.get(reverse("careplans:version", args=[version.pk])).content.decode())
    assert "Decide this plan" not in text


def test_a_panel_member_who_wrote_part_of_the_plan_is_kept_out_of_its_quorum(icb, phb_lead):
    """One PHB lead writes and submits; another, on the panel, added a risk while it was a
    draft. Of three members present, two can decide it: not quorate for a quorum of three,
    and the second lead's own decision is refused in words."""
    policy(icb)
    version = submitted_plan(phb_lead)
    version = services.take_back(actor=phb_lead, version=version)
    writer = staff("phb_lead", icb)
    services.save_risk(
        actor=writer,
        version=version,
        risk="Choking",
        consequence="Hospital",
        mitigation="Soft food",
    )
    version = services.submit_version(
        actor=phb_lead, version=PlanVersion.objects.get(pk=version.pk)
    )
    members = [*panel_people(icb, 2), writer]
    panel = session(phb_lead, members, versions=[version], present=members, start=True)
    assert panels.quorum_for(PanelSession.objects.get(pk=panel.pk), version) == (3, 1, 3)
    with pytest.raises(
        ValidationError, match="You wrote part of this plan, so someone else must decide it"
    ):
        services.decide_plan(
            actor=writer,
            version=version,
            outcome=DecisionOutcome.APPROVED,
            items=all_items(version),
            session=panel,
        )
    with pytest.raises(ValidationError, match="not quorate for this plan: 2 of the 3"):
        services.decide_plan(
            actor=members[0],
            version=version,
            outcome=DecisionOutcome.APPROVED,
            items=all_items(version),
            session=panel,
        )
    assert not PlanDecision.objects.exists()
