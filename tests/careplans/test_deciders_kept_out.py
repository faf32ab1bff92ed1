"""The author rule cannot be got round: whoever wrote a version or ever submitted it does not
decide it, even after someone else took it back and submitted it again."""

from decimal import Decimal as D
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from careplans import services
from careplans.models import ApprovalPolicy, DecisionOutcome, PlanDecision, PlanStatus
from careplans.services import ItemChoice
from careplans.services.decisions import kept_out_of
from tests.budgets.factories import LocalRateSetFactory, chc_package, proposed_budget, staff
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
    with pytest.raises(
        ValidationError, match="You submitted this plan, so someone else must decide it"
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
