"""A plan is in use until the day the budget that pays for it stops: then it ends (at once
for a stop from today, by the daily task for a stop to come), with a status change that says
why, and the person's page and the PDF panel say what is true on each side of that day."""

import datetime
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from careplans.models import PlanStatus
from careplans.services import stopping
from careplans.tasks import end_stopped_plans
from phb.documents import services as documents
from phb.documents.sources import source_for
from tests.careplans.review_factories import plan_in_use

pytestmark = pytest.mark.django_db
D_ = datetime.date
TODAY = D_(2026, 11, 23)
STOPS_ON = D_(2026, 12, 18)


@pytest.fixture
def in_use(phb_lead, holder, today_is):
    today_is(TODAY)
    return plan_in_use(phb_lead, holder, first_payment=D_(2026, 5, 1))


def stop(actor, budget, effective_on):
    return stopping.stop_phb(
        actor=actor,
        budget=budget,
        reason="consent_withdrawn",
        explanation="You told us on 20 November that you no longer want a budget.",
        notice_given_on=D_(2026, 11, 20),
        effective_on=effective_on,
    )


def your_plan(client, holder) -> str:
    client.force_login(holder.user)
    url = reverse("careplans:your_plan", args=[holder.pk])
    return unescape(client.get(url).content.decode())


def test_a_stop_from_today_ends_the_plan_at_once(in_use, phb_lead):
    version, budget, _ = in_use
    stop(phb_lead, budget, TODAY)
    version.refresh_from_db()
    assert version.status == PlanStatus.ENDED
    change = version.status_changes.order_by("-at").first()
    assert (change.from_status, change.to_status, change.by) == (
        PlanStatus.ACTIVE,
        PlanStatus.ENDED,
        phb_lead,
    )
    assert change.reason == (
        "The personal health budget it pays for stopped from 23 November 2026: "
        "The person no longer consents"
    )


def test_a_stop_to_come_leaves_the_plan_in_use_until_its_day(
    client, in_use, phb_lead, holder, today_is
):
    version, budget, _ = in_use
    stop(phb_lead, budget, STOPS_ON)
    version.refresh_from_db()
    assert version.status == PlanStatus.ACTIVE
    text = your_plan(client, holder)
    assert "This is your care and support plan." in text
    assert "Your personal health budget stops on 18 December 2026. This plan is in use until" in (
        text
    )
    assert "a year for it" not in text
    # The day before, the daily task leaves it alone; on the day, it ends it, once.
    assert end_stopped_plans(on="2026-12-17") == 0
    today_is(STOPS_ON)
    assert end_stopped_plans() == 1
    assert end_stopped_plans() == 0
    version.refresh_from_db()
    assert version.status == PlanStatus.ENDED
    text = your_plan(client, holder)
    assert "This is your care and support plan." not in text
    assert "It is no longer in use: your personal health budget stopped from 18 December 2026." in (
        text
    )


def test_on_the_day_the_page_is_true_before_the_task_has_run(
    client, in_use, phb_lead, holder, today_is
):
    _, budget, _ = in_use
    stop(phb_lead, budget, STOPS_ON)
    today_is(STOPS_ON)
    text = your_plan(client, holder)
    assert "This is your care and support plan." not in text
    assert "your personal health budget stopped from 18 December 2026" in text


def test_a_plan_without_a_stop_is_never_ended(in_use, other_holder, phb_lead):
    version, _, _ = in_use
    assert end_stopped_plans(on="2030-01-01") == 0
    version.refresh_from_db()
    assert version.status == PlanStatus.ACTIVE


def test_an_ended_plan_is_not_printed_and_says_why(in_use, phb_lead):
    version, budget, _ = in_use
    stop(phb_lead, budget, TODAY)
    version.refresh_from_db()
    assert source_for("plan").refusal(version) == (
        "The personal health budget this plan pays for has been stopped (from 23 November 2026), "
        "so the plan is no longer printed. The letter about the stop can be."
    )


def staff_page(client, user, version) -> str:
    client.force_login(user)
    return unescape(client.get(reverse("careplans:version", args=[version.pk])).content.decode())


MAKE_A_PDF = "Make a PDF of this care and support plan"


def test_a_plan_in_use_until_a_stop_to_come_is_still_printed(client, in_use, phb_lead, holder):
    """A stop from 18 December 2026, today 23 November: the plan is in use until then, so its
    PDF can be made from the version page and from the person's own page, and says so."""
    version, budget, _ = in_use
    stop(phb_lead, budget, STOPS_ON)
    version.refresh_from_db()
    source = source_for("plan")
    assert source.refusal(version) is None
    assert MAKE_A_PDF in staff_page(client, phb_lead, version)
    assert MAKE_A_PDF in your_plan(client, holder)
    document = documents.request_document(actor=holder.user, source=source, subject=version)
    html = unescape(documents.render_html(source, version, document))
    assert "is the plan in use" in html
    assert (
        "The personal health budget that pays for it stops on 18 December 2026, and the plan is "
        "in use until then."
    ) in html


def test_once_the_stop_has_taken_effect_the_plan_is_not_printed(
    client, in_use, phb_lead, holder, today_is
):
    """On 18 December 2026 (before the daily task has ended the plan) the stop has taken
    effect: no PDF, and the reason says it has been stopped."""
    version, budget, _ = in_use
    stop(phb_lead, budget, STOPS_ON)
    today_is(STOPS_ON)
    version.refresh_from_db()
    assert version.status == PlanStatus.ACTIVE
    assert source_for("plan").refusal(version) == (
        "The personal health budget this plan pays for has been stopped (from 18 December 2026), "
        "so the plan is no longer printed. The letter about the stop can be."
    )
    assert MAKE_A_PDF not in staff_page(client, phb_lead, version)
    assert MAKE_A_PDF not in your_plan(client, holder)
    with pytest.raises(ValidationError, match="has been stopped"):
        documents.request_document(actor=holder.user, source=source_for("plan"), subject=version)
