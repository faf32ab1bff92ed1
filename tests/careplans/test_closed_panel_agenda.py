"""A closed panel's agenda holds no plan: a plan it did not decide stays submitted and can be
taken back, withdrawn, or put on another panel's agenda, and its page says so."""

from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from careplans.models import AgendaItem, PlanStatus
from careplans.services import panels
from careplans.services import plans as plan_services
from tests.careplans.panel_factories import (
    PANEL_DAY,
    panel_people,
    policy,
    session,
    submitted_plan,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def members(icb):
    policy(icb)
    return panel_people(icb)


@pytest.fixture
def left_undecided(phb_lead, members):
    """A plan on the agenda of today's panel, which closed without deciding it."""
    plan = submitted_plan(phb_lead)
    panel = session(phb_lead, members, versions=[plan], present=members, start=True)
    panels.close_session(actor=phb_lead, session=panel)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED
    return plan


def test_an_open_agenda_still_holds_the_plan(phb_lead, members):
    plan = submitted_plan(phb_lead)
    session(phb_lead, members, versions=[plan])
    with pytest.raises(ValidationError, match="on the agenda of the approval panel on 14 Jan"):
        plan_services.take_back(actor=phb_lead, version=plan)
    with pytest.raises(ValidationError, match="on the agenda of the approval panel on 14 Jan"):
        plan_services.withdraw_version(actor=phb_lead, version=plan, reason="Not needed")


def test_a_plan_a_closed_panel_did_not_decide_can_be_taken_back(phb_lead, left_undecided):
    version = plan_services.take_back(actor=phb_lead, version=left_undecided)
    assert version.status == PlanStatus.DRAFT


def test_a_plan_a_closed_panel_did_not_decide_can_be_withdrawn(phb_lead, left_undecided):
    version = plan_services.withdraw_version(
        actor=phb_lead, version=left_undecided, reason="The person moved away"
    )
    assert version.status == PlanStatus.WITHDRAWN


def test_a_plan_a_closed_panel_did_not_decide_goes_to_another_panel(
    phb_lead, members, left_undecided
):
    later = session(phb_lead, members, date=PANEL_DAY)
    panels.add_to_agenda(actor=phb_lead, session=later, version=left_undecided)
    assert AgendaItem.objects.filter(version=left_undecided).count() == 2
    # Now the later panel's agenda holds it.
    with pytest.raises(ValidationError, match="approval panel on 14 January 2027"):
        plan_services.take_back(actor=phb_lead, version=left_undecided)


def test_the_plan_page_offers_what_can_be_done_after_the_panel_closed(
    client, phb_lead, left_undecided
):
    client.force_login(phb_lead)
    url = reverse("careplans:version", args=[left_undecided.pk])
    text = unescape(client.get(url).content.decode())
    assert "It is on the agenda of the approval panel" not in text
    assert "did not decide it, and it is on no panel's agenda now." in text
    assert "Take it back to change it" in text
    assert "Withdraw this version" in text
    response = client.post(
        reverse("careplans:take_back", args=[left_undecided.pk]),
        {"lock_version": left_undecided.lock_version},
        follow=True,
    )
    assert response.status_code == 200
    left_undecided.refresh_from_db()
    assert left_undecided.status == PlanStatus.DRAFT


def test_the_plan_page_while_an_open_panel_holds_it(client, phb_lead, members):
    plan = submitted_plan(phb_lead)
    session(phb_lead, members, versions=[plan])
    client.force_login(phb_lead)
    text = unescape(client.get(reverse("careplans:version", args=[plan.pk])).content.decode())
    assert "It is on the agenda of the approval panel on 14 January 2027." in text
    assert "Take it back to change it" not in text
    assert "Withdraw this version" not in text
    assert "did not decide it" not in text
