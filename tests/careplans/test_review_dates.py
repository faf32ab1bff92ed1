"""The dates a review can have: brought forward only to a date no later than the rules would
set (and only for a plan in use), the first review never later than the first-review date,
and a review never dated before the plan it reviews was approved. Today is 23 November 2026."""

import datetime
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from careplans.models import ApprovalPolicy, Review, ReviewKind, ReviewStatus
from careplans.services import reviews
from careplans.services.reviews import Findings
from tests.careplans.panel_factories import submitted_plan
from tests.careplans.review_factories import plan_in_use

pytestmark = pytest.mark.django_db
D_ = datetime.date


def findings(completed_on) -> Findings:
    return Findings(
        completed_on=completed_on,
        plan_still_right=True,
        money_used_well=True,
        amount_enough=True,
        conditions_kept=True,
    )


def progress(version):
    return {str(goal.pk): ("good", "Walks most days") for goal in version.goals.all()}


def record(actor, version, completed_on):
    review = Review.objects.get(plan=version.plan, status=ReviewStatus.DUE)
    return reviews.record_review(
        actor=actor,
        review=review,
        reviewer=actor,
        findings=findings(completed_on),
        progress=progress(version),
    )


def cancel_the_due_review(plan) -> None:
    Review.objects.filter(plan=plan, status=ReviewStatus.DUE).update(status=ReviewStatus.CANCELLED)


def bring_forward(actor, plan, due_on):
    return reviews.bring_forward(actor=actor, plan=plan, due_on=due_on, reason="A fall at home")


def messages(excinfo) -> dict:
    return excinfo.value.message_dict


# -- bringing a review forward when none is due -----------------------------------------------


@pytest.fixture
def paid_from_january(phb_lead, holder):
    """First payment 1 January 2027: the rules set the first review by 1 April 2027."""
    version, _, _ = plan_in_use(phb_lead, holder, first_payment=D_(2027, 1, 1))
    cancel_the_due_review(version.plan)
    return version


def test_with_none_due_a_far_date_is_refused_and_nothing_changes(
    paid_from_january, care_coordinator
):
    plan = paid_from_january.plan
    for far in (D_(9999, 12, 31), D_(2027, 4, 2)):
        with pytest.raises(ValidationError) as excinfo:
            bring_forward(care_coordinator, plan, far)
        assert messages(excinfo) == {
            "due_on": [
                "The new date must be on or before 1 April 2027: the first review is due "
                "within 3 months of the first payment, on 1 January 2027"
            ]
        }
    assert not Review.objects.filter(plan=plan, status=ReviewStatus.DUE).exists()
    review = bring_forward(care_coordinator, plan, D_(2027, 4, 1))
    assert (review.kind, review.due_on) == (ReviewKind.BROUGHT_FORWARD, D_(2027, 4, 1))


def test_with_none_due_after_a_review_the_bound_is_the_next_by_the_rules(
    phb_lead, holder, care_coordinator
):
    version, _, _ = plan_in_use(
        phb_lead, holder, first_payment=D_(2026, 5, 1), approved_on=D_(2026, 4, 20)
    )
    record(care_coordinator, version, D_(2026, 7, 20))
    cancel_the_due_review(version.plan)
    with pytest.raises(ValidationError) as excinfo:
        bring_forward(care_coordinator, version.plan, D_(2027, 7, 21))
    assert messages(excinfo) == {
        "due_on": [
            "The new date must be on or before 20 July 2027: the next review is due at most "
            "12 months after the last one, on 20 July 2026"
        ]
    }
    assert bring_forward(care_coordinator, version.plan, D_(2027, 7, 20)).due_on == D_(2027, 7, 20)


def test_with_none_due_and_the_first_review_overdue_only_today_will_do(
    phb_lead, holder, care_coordinator
):
    """Approved on 20 April 2026 and paid from 1 May 2026: the first review was due by 1
    August 2026."""
    version, _, _ = plan_in_use(
        phb_lead, holder, first_payment=D_(2026, 5, 1), approved_on=D_(2026, 4, 20)
    )
    cancel_the_due_review(version.plan)
    with pytest.raises(ValidationError) as excinfo:
        bring_forward(care_coordinator, version.plan, D_(2026, 11, 24))
    assert messages(excinfo) == {
        "due_on": ["The review was due by 1 August 2026, so the new date must be today"]
    }
    assert bring_forward(care_coordinator, version.plan, D_(2026, 11, 23)).due_on == D_(
        2026, 11, 23
    )


def test_without_a_plan_in_use_nothing_is_brought_forward(client, phb_lead, care_coordinator):
    version = submitted_plan(phb_lead)
    holder = version.plan.budget_holder
    with pytest.raises(ValidationError) as excinfo:
        bring_forward(care_coordinator, version.plan, D_(2026, 12, 1))
    assert excinfo.value.messages == [
        "This person has no plan in use, so there is no review to bring forward"
    ]
    assert not Review.objects.filter(plan=version.plan).exists()
    client.force_login(care_coordinator)
    url = reverse("careplans:review_bring_forward", args=[holder.pk])
    response = client.post(
        url,
        {"due_on_day": "1", "due_on_month": "12", "due_on_year": "2026", "reason": "A fall"},
        follow=True,
    )
    assert "This person has no plan in use, so there is no review to bring forward" in unescape(
        response.content.decode()
    )
    assert not Review.objects.filter(plan=version.plan).exists()


def test_the_page_says_the_latest_date_when_none_is_due(client, paid_from_january, phb_lead):
    client.force_login(phb_lead)
    holder = paid_from_january.plan.budget_holder
    url = reverse("careplans:review_bring_forward", args=[holder.pk])
    text = unescape(client.get(url).content.decode())
    assert (
        "No review is due yet. Without one brought forward, the next would be due by 1 April 2027."
    ) in text


# -- the first review is never later than the first-review date --------------------------------


def test_a_first_review_brought_forward_is_due_by_the_earlier_date(
    paid_from_january, care_coordinator, icb
):
    """Brought forward to 20 March 2027 with none due; the ICB's first review is then 1 month
    after the first payment (1 February 2027): the review is due by 1 February 2027."""
    plan = paid_from_january.plan
    review = bring_forward(care_coordinator, plan, D_(2027, 3, 20))
    ApprovalPolicy.objects.filter(organisation=icb).update(first_review_months=1)
    assert reviews.schedule_first_review(plan=plan) == review
    review.refresh_from_db()
    assert (review.kind, review.status, review.due_on) == (
        ReviewKind.BROUGHT_FORWARD,
        ReviewStatus.DUE,
        D_(2027, 2, 1),
    )
    assert Review.objects.filter(plan=plan, status=ReviewStatus.DUE).count() == 1


def test_a_first_review_brought_forward_sooner_keeps_its_date(paid_from_january, care_coordinator):
    plan = paid_from_january.plan
    review = bring_forward(care_coordinator, plan, D_(2027, 1, 15))
    assert reviews.schedule_first_review(plan=plan) is None
    review.refresh_from_db()
    assert review.due_on == D_(2027, 1, 15)


def test_a_review_is_not_brought_forward_to_before_the_first_payment(
    paid_from_january, care_coordinator
):
    """Paid from 1 January 2027: a review on 7 December 2026 would look at money not yet paid,
    and could not be recorded then."""
    plan = paid_from_january.plan
    with pytest.raises(ValidationError) as excinfo:
        bring_forward(care_coordinator, plan, D_(2026, 12, 7))
    assert messages(excinfo) == {
        "due_on": ["The new date must be on or after 1 January 2027, the date of the first payment"]
    }
    assert not Review.objects.filter(plan=plan, status=ReviewStatus.DUE).exists()
    assert bring_forward(care_coordinator, plan, D_(2027, 1, 1)).due_on == D_(2027, 1, 1)


# -- a review is not dated before the plan it reviews was approved -----------------------------


def test_a_review_before_the_first_payment_is_refused(phb_lead, holder, care_coordinator):
    """Approved on 20 April 2026, first paid on 1 May 2026: the first review is due by 1 August
    2026. One dated 30 April (after the approval, before any money was paid) is refused: it
    would set the next review for 30 April 2027, and the review 3 months after the first
    payment would never happen. Dated 1 May, the next is due by 1 May 2027."""
    version, _, _ = plan_in_use(
        phb_lead, holder, first_payment=D_(2026, 5, 1), approved_on=D_(2026, 4, 20)
    )
    for before in (D_(2026, 4, 19), D_(2026, 4, 30)):
        with pytest.raises(ValidationError) as excinfo:
            record(care_coordinator, version, before)
        assert messages(excinfo) == {
            "completed_on": [
                "The date of the review must be on or after 1 May 2026, the date of the first "
                "payment"
            ]
        }
    assert not Review.objects.filter(plan=version.plan, status=ReviewStatus.COMPLETED).exists()
    assert Review.objects.get(plan=version.plan, status=ReviewStatus.DUE).due_on == D_(2026, 8, 1)
    assert record(care_coordinator, version, D_(2026, 5, 1)).status == ReviewStatus.COMPLETED
    assert Review.objects.get(plan=version.plan, status=ReviewStatus.DUE).due_on == D_(2027, 5, 1)


def test_the_reviewers_case_a_review_dated_before_the_year_of_approval(
    phb_lead, holder, care_coordinator
):
    """Approved today, 23 November 2026: a review dated 2 January 2026 is refused."""
    version, _, _ = plan_in_use(phb_lead, holder, first_payment=D_(2026, 5, 1))
    with pytest.raises(ValidationError) as excinfo:
        record(care_coordinator, version, D_(2026, 1, 2))
    assert messages(excinfo) == {
        "completed_on": [
            "The date of the review must be on or after 23 November 2026, when the plan in use "
            "was approved"
        ]
    }


def test_a_plan_approved_over_a_year_ago_is_reviewed_within_the_last_year(
    phb_lead, holder, care_coordinator, today_is
):
    """Approved on 20 April 2026; today is 1 June 2027: the earliest date is 1 June 2026."""
    version, _, _ = plan_in_use(
        phb_lead, holder, first_payment=D_(2026, 5, 1), approved_on=D_(2026, 4, 20)
    )
    today_is(D_(2027, 6, 1))
    with pytest.raises(ValidationError) as excinfo:
        record(care_coordinator, version, D_(2026, 5, 31))
    assert messages(excinfo) == {
        "completed_on": [
            "The date of the review must be within the last year, on or after 1 June 2026"
        ]
    }


def test_the_page_says_when_the_review_due_is_overdue(client, phb_lead, holder):
    """A review due by 20 November 2026 (three days ago) is overdue, and the page says so."""
    version, _, _ = plan_in_use(phb_lead, holder, first_payment=D_(2026, 5, 1))
    Review.objects.filter(plan=version.plan, status=ReviewStatus.DUE).update(
        due_on=D_(2026, 11, 20)
    )
    client.force_login(phb_lead)
    url = reverse("careplans:review_bring_forward", args=[holder.pk])
    text = unescape(client.get(url).content.decode())
    assert "The next review was due by 20 November 2026: it is overdue." in text
    Review.objects.filter(plan=version.plan, status=ReviewStatus.DUE).update(
        due_on=D_(2026, 11, 23)
    )
    text = unescape(client.get(url).content.decode())
    assert "The next review is due by 23 November 2026." in text


# -- the first review is never due before the plan was approved ------------------------------------


def _approved_today(lead, holder, portions):
    """A budget backdated to 1 April 2026, held as `portions`, and its plan approved today,
    23 November 2026 (no payment schedule is set)."""
    from decimal import Decimal as D

    from budgets.models import HoldingMethod
    from careplans import services
    from careplans.models import DecisionOutcome, PlanVersion
    from careplans.services import ItemChoice
    from tests.budgets.factories import LocalRateSetFactory, chc_package, proposed_budget, staff
    from tests.careplans.test_plan_services import complete_draft

    ApprovalPolicy.objects.get_or_create(
        organisation=holder.organisation, defaults={"lead_sign_off_limit": D("15000.00")}
    )
    LocalRateSetFactory(organisation=holder.organisation)
    budget = proposed_budget(
        lead,
        holder,
        chc_package(lead, holder),
        amount=D("20000.00"),
        start=D_(2026, 4, 1),
        portions=[(HoldingMethod(method), D(amount), "") for method, amount in portions],
    )
    draft = complete_draft(lead, holder, budget)
    version = services.submit_version(actor=lead, version=PlanVersion.objects.get(pk=draft.pk))
    services.decide_plan(
        actor=staff("phb_lead", holder.organisation),
        version=version,
        outcome=DecisionOutcome.APPROVED,
        items={
            str(i.pk): ItemChoice(DecisionOutcome.APPROVED) for i in version.support_items.all()
        },
    )
    return PlanVersion.objects.get(pk=version.pk)


def test_a_direct_payment_not_yet_scheduled_sets_no_first_review(phb_lead, holder, client):
    """The reviewer's case: backdated to 1 April 2026, held as a direct payment with no payment
    schedule, approved today. Nothing has been paid, so the first review waits for the first
    payment; the plan page says so (it said it was overdue since 1 July 2026)."""
    version = _approved_today(phb_lead, holder, [("direct_payment", "20000.00")])
    assert reviews.first_payment_date(holder) is None
    assert not Review.objects.filter(plan=version.plan).exists()
    client.force_login(phb_lead)
    text = unescape(client.get(reverse("careplans:version", args=[version.pk])).content.decode())
    assert (
        "No review date is set yet: the first review is due within 3 months of the first "
        "payment, or of the plan's approval if that is later."
    ) in text
    assert "1 July 2026" not in text


def test_a_budget_held_by_the_icb_is_reviewed_within_3_months_of_the_approval(phb_lead, holder):
    """Held entirely by the ICB from 1 April 2026, so its start counts as the first payment;
    but the plan was approved today, 23 November 2026, so the first review is due by 23
    February 2027, not 1 July 2026."""
    version = _approved_today(phb_lead, holder, [("notional", "20000.00")])
    assert reviews.first_payment_date(holder) == D_(2026, 4, 1)
    review = Review.objects.get(plan=version.plan)
    assert (review.kind, review.due_on) == (ReviewKind.FIRST, D_(2027, 2, 23))
    policy = ApprovalPolicy.objects.get(organisation=holder.organisation)
    assert reviews.review_by_the_rules(version.plan, policy, D_(2026, 11, 23)) == (
        D_(2027, 2, 23),
        "the first review is due within 3 months of the plan's approval, on 23 November 2026",
    )


def test_a_mixed_budget_waits_for_its_direct_payments_first_payment(phb_lead, holder):
    """£8,000.00 held by the ICB and £12,000.00 as a direct payment with no schedule yet:
    not held by the ICB alone, so no first payment is known and no review is due."""
    version = _approved_today(
        phb_lead, holder, [("notional", "8000.00"), ("direct_payment", "12000.00")]
    )
    assert reviews.first_payment_date(holder) is None
    assert not Review.objects.filter(plan=version.plan).exists()
