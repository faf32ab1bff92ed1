"""No review is due for a plan whose budget has stopped. A review due before the stop day still
happens; one on or after it is never made due (not by the first-review rule, a payment
schedule, a demo reseed, recording a review nor bringing one forward); a review still due when
the stop takes effect is cancelled, saying why; and the list of reviews due and the reminders
leave out reviews of plans no longer in use.

The suite's today is 23 November 2026. The plan was approved on 20 April 2026 and first paid
on 1 May 2026, so its first review was due by 1 August 2026 (overdue). The budget stops on
18 December 2026, notice given on 20 November 2026 (28 days)."""

import datetime
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from budgets.models import HoldingMethod
from careplans.demo_reviews import seed_reviews
from careplans.models import PlanStatus, Review, ReviewKind, ReviewReminder, ReviewStatus
from careplans.selectors_reviews import reviews_due
from careplans.services import reviews, stopping
from careplans.services.reminders import scan_due_reviews
from careplans.tasks import end_stopped_plans
from tests.budgets.factories import agreed_budget, chc_package, schedule
from tests.careplans.review_factories import plan_in_use

pytestmark = pytest.mark.django_db
D_ = datetime.date
TODAY = D_(2026, 11, 23)
STOPS_ON = D_(2026, 12, 18)


@pytest.fixture
def in_use(phb_lead, holder):
    """First review due by 1 August 2026."""
    return plan_in_use(phb_lead, holder, first_payment=D_(2026, 5, 1), approved_on=D_(2026, 4, 20))


def stop(actor, budget, effective_on=STOPS_ON, reason="not_eligible"):
    return stopping.stop_phb(
        actor=actor,
        budget=budget,
        reason=reason,
        explanation="The assessment on 18 November found you are no longer eligible.",
        notice_given_on=D_(2026, 11, 20),
        effective_on=effective_on,
    )


def due(plan):
    return list(plan.reviews.filter(status=ReviewStatus.DUE).values_list("kind", "due_on"))


def record(actor, review, version, **changes):
    reviews.record_review(
        actor=actor,
        review=review,
        reviewer=actor,
        findings=reviews.Findings(
            completed_on=TODAY,
            plan_still_right=True,
            money_used_well=True,
            amount_enough=True,
            conditions_kept=True,
            **changes,
        ),
        progress={str(goal.pk): ("good", "") for goal in version.goals.all()},
    )


def test_a_first_review_the_stop_cancelled_is_not_made_due_again(phb_lead, holder):
    """Approved and first paid on 23 November 2026: the first review would be due by
    23 February 2027, after the stop. The stop cancels it, saying why; reseeding the demo
    data, or the plan's payment schedule changing, does not bring it back."""
    version, budget, _ = plan_in_use(phb_lead, holder, first_payment=TODAY)
    assert due(version.plan) == [(ReviewKind.FIRST, D_(2027, 2, 23))]
    stop(phb_lead, budget)
    cancelled = Review.objects.get(plan=version.plan)
    assert cancelled.status == ReviewStatus.CANCELLED
    assert cancelled.notes == (
        "Not needed: it was due on or after 18 December 2026, the day the personal health "
        "budget stops (the person is no longer eligible)."
    )
    seed_reviews()
    assert reviews.schedule_first_review(plan=version.plan) is None
    assert due(version.plan) == []
    assert Review.objects.filter(plan=version.plan).count() == 1


def test_a_payment_schedule_set_after_the_stop_makes_no_review_due_after_it(phb_lead, holder):
    """First paid on 23 November 2026; the stop on 18 December 2026 cancels the first review
    (due by 23 February 2027). A new budget is set up from that day (ADR 0043) and its payment
    schedule set from 1 January 2027: that does not make the first review due again."""
    version, budget, _ = plan_in_use(phb_lead, holder, first_payment=TODAY)
    stop(phb_lead, budget)
    new_budget = agreed_budget(
        phb_lead,
        holder,
        chc_package(phb_lead, holder),
        start=STOPS_ON,
        amount=D("10000.00"),
        portions=[(HoldingMethod.DIRECT_PAYMENT, D("10000.00"), "")],
    )
    schedule(phb_lead, new_budget.portions.get(), first=D_(2027, 1, 1))
    assert due(version.plan) == []


def test_recording_a_review_makes_no_review_due_after_the_stop(in_use, care_coordinator, phb_lead):
    """Reviewed on 23 November 2026: the next would be due by 23 November 2027, after the
    budget stops on 18 December 2026, so none is made due."""
    version, budget, _ = in_use
    stop(phb_lead, budget)
    review = Review.objects.get(plan=version.plan, status=ReviewStatus.DUE)
    assert review.due_on == D_(2026, 8, 1)  # before the stop: it still happens
    record(care_coordinator, review, version)
    review.refresh_from_db()
    assert review.status == ReviewStatus.COMPLETED
    assert due(version.plan) == []


def test_a_next_review_chosen_before_the_stop_is_made_due(in_use, care_coordinator, phb_lead):
    version, budget, _ = in_use
    stop(phb_lead, budget)
    review = Review.objects.get(plan=version.plan, status=ReviewStatus.DUE)
    record(care_coordinator, review, version, next_due_on=D_(2026, 12, 10))
    assert due(version.plan) == [(ReviewKind.SCHEDULED, D_(2026, 12, 10))]


def test_no_review_is_brought_forward_to_the_stop_day_or_later(phb_lead, holder, care_coordinator):
    """No review is due (the stop cancelled the first, due by 23 February 2027): one can be
    brought forward to 17 December 2026, not to 18 December 2026, the day the budget stops."""
    version, budget, _ = plan_in_use(phb_lead, holder, first_payment=TODAY)
    stop(phb_lead, budget)
    assert due(version.plan) == []
    with pytest.raises(ValidationError) as excinfo:
        reviews.bring_forward(
            actor=care_coordinator, plan=version.plan, due_on=STOPS_ON, reason="A fall"
        )
    assert excinfo.value.message_dict == {
        "due_on": [
            "The new date must be before 18 December 2026, the day the budget stops: no review "
            "is needed from then"
        ]
    }
    reviews.bring_forward(
        actor=care_coordinator, plan=version.plan, due_on=D_(2026, 12, 17), reason="A fall"
    )
    assert due(version.plan) == [(ReviewKind.BROUGHT_FORWARD, D_(2026, 12, 17))]


def test_a_review_still_due_when_the_stop_takes_effect_is_cancelled(
    in_use, care_coordinator, phb_lead, today_is
):
    """Due by 1 August 2026 and not done: on 18 December 2026 the daily task ends the plan and
    cancels the review, saying why; it cannot be recorded, and nothing makes it due again."""
    version, budget, _ = in_use
    stop(phb_lead, budget)
    review = Review.objects.get(plan=version.plan, status=ReviewStatus.DUE)
    today_is(STOPS_ON)
    assert end_stopped_plans() == 1
    review.refresh_from_db()
    assert review.status == ReviewStatus.CANCELLED
    assert review.notes == (
        "Not needed: the personal health budget stopped from 18 December 2026 (the person is "
        "no longer eligible), so the plan is no longer in use."
    )
    with pytest.raises(ValidationError, match="This review was already cancelled"):
        record(care_coordinator, review, version)
    seed_reviews()
    budget.refresh_from_db()
    assert due(version.plan) == []


def test_a_stop_from_today_cancels_the_review_at_once(in_use, phb_lead):
    version, budget, _ = in_use
    stop(phb_lead, budget, effective_on=TODAY, reason="death")
    version.refresh_from_db()
    assert version.status == PlanStatus.ENDED
    review = Review.objects.get(plan=version.plan)
    assert review.status == ReviewStatus.CANCELLED
    assert review.notes == (
        "Not needed: the personal health budget stopped from 23 November 2026 (the person has "
        "died), so the plan is no longer in use."
    )


def test_the_lists_and_reminders_leave_out_reviews_of_plans_no_longer_in_use(
    in_use, phb_lead, icb, other_holder, today_is
):
    """Three reviews: one of a plan in use (due by 1 December 2026), one of a plan whose
    budget's stop day has come before the daily task ran, one left due on a plan already
    ended. Only the first is on the list of reviews due and reminded; the daily task then
    cancels the one left due."""
    version, budget, _ = in_use
    stop(phb_lead, budget)
    other, _, _ = plan_in_use(phb_lead, other_holder, first_payment=D_(2026, 5, 1))
    Review.objects.filter(plan=other.plan).update(due_on=D_(2026, 12, 1))
    kept = Review.objects.get(plan=other.plan)
    stopping_review = Review.objects.get(plan=version.plan, status=ReviewStatus.DUE)
    today_is(STOPS_ON)
    assert list(reviews_due(icb)) == [kept]
    scan_due_reviews(today=STOPS_ON)
    assert ReviewReminder.objects.filter(review=kept).exists()
    assert not ReviewReminder.objects.filter(review=stopping_review).exists()
    # Ended by the daily task; a review left due on it, as before this was put right.
    end_stopped_plans()
    left = Review.objects.create(plan=version.plan, kind=ReviewKind.FIRST, due_on=D_(2026, 12, 1))
    assert list(reviews_due(icb)) == [kept]
    scan_due_reviews(today=STOPS_ON)
    assert not ReviewReminder.objects.filter(review=left).exists()
    assert end_stopped_plans() == 0
    left.refresh_from_db()
    assert left.status == ReviewStatus.CANCELLED
    assert left.notes.startswith("Not needed: the personal health budget stopped from 18 Dec")
    kept.refresh_from_db()
    assert kept.status == ReviewStatus.DUE
