"""What the review, reconsideration and stopping pages and services say in the states the
journeys do not reach: nothing due, nothing to reconsider, a budget not yet agreed, a request
paid in full, a stop before the budget starts."""

import datetime
from decimal import Decimal as D
from html import unescape
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from budgets.models import BudgetStatus
from careplans.demo_reviews import seed_reviews
from careplans.extensions_reviews import review_due_cell
from careplans.models import Review, ReviewKind, ReviewStatus
from careplans.services import reviews, stopping
from careplans.services.letters import write_decision_letter
from tests.budgets.factories import LocalRateSetFactory, chc_package, draft_budget
from tests.careplans.review_factories import plan_in_use

pytestmark = pytest.mark.django_db
D_ = datetime.date
TODAY = D_(2026, 11, 23)


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a: TODAY)


def page(response) -> str:
    return unescape(response.content.decode())


def test_the_caseload_cell_in_each_state():
    assert review_due_cell(SimpleNamespace(review_due_on=None)) == "None due"
    assert review_due_cell(SimpleNamespace(review_due_on=D_(2026, 12, 1))) == "1 Dec 2026"
    assert review_due_cell(SimpleNamespace(review_due_on=D_(2026, 11, 1))) == "Overdue: 1 Nov 2026"


def test_the_demo_seeder_is_idempotent(phb_lead, holder):
    version, _, _ = plan_in_use(phb_lead, holder, first_payment=D_(2026, 5, 1))
    seed_reviews()
    seed_reviews()
    assert Review.objects.filter(plan=version.plan).count() == 1


def test_a_person_without_a_plan_has_no_review_and_nothing_to_reconsider(client, phb_lead, holder):
    client.force_login(phb_lead)
    html = page(client.get(reverse("person_detail", args=[holder.pk])))
    assert (
        "No review is tracked here: reviews start once a care and support plan is in use in "
        "this service."
    ) in html
    assert "Bring the next review forward" not in html
    response = client.get(reverse("careplans:reconsideration_new", args=[holder.pk]), follow=True)
    assert "There is no decision about this person that can be looked at again" in page(response)
    assert client.get(reverse("careplans:review_bring_forward", args=[holder.pk])).status_code == (
        404
    )
    assert "No reviews are due." in page(client.get(reverse("careplans:reviews_due")))
    html = page(client.get(reverse("careplans:reviews_due"), {"show": "overdue"}))
    assert "No reviews are overdue." in html
    assert "No requests are waiting." in page(client.get(reverse("careplans:reconsiderations")))


def test_a_budget_not_agreed_cannot_be_stopped_or_asked_back(client, phb_lead, holder, icb):
    LocalRateSetFactory(organisation=icb)
    budget = draft_budget(phb_lead, holder, chc_package(phb_lead, holder))
    client.force_login(phb_lead)
    response = client.get(reverse("careplans:stop", args=[budget.pk]), follow=True)
    assert "Only an agreed or active budget can be stopped" in page(response)
    response = client.get(reverse("careplans:repayment_new", args=[budget.pk]), follow=True)
    assert "Money can be asked back only from a budget that has been agreed" in page(response)


def test_a_review_with_no_plan_in_use_is_not_offered(client, phb_lead, holder, care_coordinator):
    version, budget, _ = plan_in_use(phb_lead, holder, first_payment=D_(2026, 5, 1))
    review = Review.objects.get(plan=version.plan)
    stopping.stop_phb(
        actor=phb_lead,
        budget=budget,
        reason="death",
        explanation="We are sorry.",
        notice_given_on=TODAY,
        effective_on=TODAY,
    )
    client.force_login(care_coordinator)
    response = client.get(reverse("careplans:review_record", args=[review.pk]), follow=True)
    assert "This review was already cancelled" in page(response)


def test_a_stop_on_or_before_the_budgets_first_day_is_refused(phb_lead, holder):
    _, budget, _ = plan_in_use(phb_lead, holder)
    # Its period starts 1 April 2026: a stop from then would leave a budget of no days. (Only
    # a death can be recorded from a day already past.)
    with pytest.raises(ValidationError) as excinfo:
        stopping.stop_phb(
            actor=phb_lead,
            budget=budget,
            reason="death",
            explanation="We are sorry for your loss.",
            notice_given_on=D_(2026, 3, 1),
            effective_on=D_(2026, 4, 1),
        )
    assert excinfo.value.message_dict == {
        "effective_on": [
            "This budget starts on 1 April 2026: the day it stops must be after that, from "
            "2 April 2026"
        ]
    }
    budget.refresh_from_db()
    assert (budget.status, budget.period_end) == (BudgetStatus.AGREED, D_(2027, 3, 31))


def test_a_settlement_dated_wrongly_or_paid_in_full_is_refused(client, phb_lead, holder):
    _, budget, _ = plan_in_use(phb_lead, holder, first_payment=D_(2026, 5, 1))
    repayment = stopping.request_repayment(
        actor=phb_lead,
        budget=budget,
        ground="death",
        amount=D("50.00"),
        explanation="We are sorry to ask.",
        due_by=D_(2027, 1, 31),
        who_repays="The estate of the person",
    )
    with pytest.raises(ValidationError) as excinfo:
        stopping.record_settlement(
            actor=phb_lead, repayment=repayment, amount=D("0"), received_on=D_(2026, 12, 1)
        )
    assert excinfo.value.message_dict == {
        "amount": ["The amount must be £0.01 or more"],
        "received_on": ["The date the money was received must be today or in the past"],
    }
    with pytest.raises(ValidationError, match="before it was asked for"):
        stopping.record_settlement(
            actor=phb_lead, repayment=repayment, amount=D("1.00"), received_on=D_(2026, 1, 1)
        )
    stopping.record_settlement(
        actor=phb_lead, repayment=repayment, amount=D("50.00"), received_on=TODAY
    )
    client.force_login(phb_lead)
    html = page(client.get(reverse("careplans:repayment_settle", args=[repayment.pk]), follow=True))
    assert "This repayment has been paid in full" in html


def test_a_review_can_be_brought_forward_when_none_is_due(phb_lead, holder, care_coordinator):
    """First payment 1 January 2027: the rules set the first review by 1 April 2027, so with
    none due a review can be brought forward to that date or sooner (but not before the first
    payment)."""
    version, _, _ = plan_in_use(phb_lead, holder, first_payment=D_(2027, 1, 1))
    plan = version.plan
    Review.objects.filter(plan=plan).update(status=ReviewStatus.CANCELLED)
    review = reviews.bring_forward(
        actor=care_coordinator, plan=plan, due_on=D_(2027, 2, 15), reason="A concern was raised"
    )
    assert (review.kind, review.due_on) == (ReviewKind.BROUGHT_FORWARD, D_(2027, 2, 15))
    # The first review is not made again once another is due, and this one is sooner.
    assert reviews.schedule_first_review(plan=plan) is None
    review.refresh_from_db()
    assert review.due_on == D_(2027, 2, 15)


def test_the_record_shows_the_review_due_and_the_last_one_done(client, phb_lead, holder):
    version, _, _ = plan_in_use(phb_lead, holder, first_payment=D_(2026, 5, 1))
    plan = version.plan
    Review.objects.filter(plan=plan).update(due_on=D_(2026, 11, 30))
    for completed_on in (D_(2025, 6, 2), D_(2026, 5, 14), D_(2025, 12, 1)):
        Review.objects.create(
            plan=plan,
            kind=ReviewKind.SCHEDULED,
            status=ReviewStatus.COMPLETED,
            due_on=completed_on,
            completed_on=completed_on,
            completed_by=phb_lead,
            plan_still_right=True,
            money_used_well=True,
            amount_enough=True,
            conditions_kept=True,
        )
    client.force_login(phb_lead)
    html = " ".join(page(client.get(reverse("person_detail", args=[holder.pk]))).split())
    assert "due by <strong>30 November 2026</strong>." in html
    assert "Last reviewed on 14 May 2026." in html
    assert "No review is due." not in html

    Review.objects.filter(plan=plan, status=ReviewStatus.DUE).update(status=ReviewStatus.CANCELLED)
    html = " ".join(page(client.get(reverse("person_detail", args=[holder.pk]))).split())
    assert "No review is due." in html
    assert "Last reviewed on 14 May 2026." in html


def test_a_decision_letter_speaks_of_the_first_review_only_before_any_review(phb_lead, holder):
    version, _, decider = plan_in_use(phb_lead, holder)
    first = version.letters.order_by("created_at").first()
    assert "the first review, which is within 3 months of the first payment" in unescape(
        first.body_html
    )
    Review.objects.create(
        plan=version.plan,
        kind=ReviewKind.SCHEDULED,
        status=ReviewStatus.COMPLETED,
        due_on=D_(2026, 11, 1),
        completed_on=D_(2026, 11, 1),
        completed_by=phb_lead,
        plan_still_right=True,
        money_used_well=True,
        amount_enough=True,
        conditions_kept=True,
    )
    again = write_decision_letter(actor=decider, decision=version.decision)
    text = unescape(again.body_html)
    assert "about starting the support, and about the next review." in text
    assert "first review" not in text
