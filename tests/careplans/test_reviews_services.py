"""Review due dates with worked dates, bringing a review forward, and recording a review."""

import datetime
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from careplans.models import (
    ApprovalPolicy,
    GoalProgress,
    PlanStatus,
    Review,
    ReviewKind,
    ReviewStatus,
    RiskLevel,
)
from careplans.services import reviews
from careplans.services.reviews import Findings
from tests.budgets.factories import schedule
from tests.careplans.review_factories import plan_in_use

pytestmark = pytest.mark.django_db
D_ = datetime.date


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D_(2026, 5, 1), 3, D_(2026, 8, 1)),
        (D_(2026, 11, 30), 3, D_(2027, 2, 28)),  # February is shorter: its last day
        (D_(2027, 11, 30), 3, D_(2028, 2, 29)),  # a leap year
        (D_(2026, 12, 15), 12, D_(2027, 12, 15)),
        (D_(2026, 1, 31), 1, D_(2026, 2, 28)),
    ],
)
def test_months_are_added_as_calendar_months(day, months, expected):
    assert reviews.add_months(day, months) == expected


def test_the_first_review_is_due_3_months_after_the_first_payment(phb_lead, holder):
    """Approved on 20 April 2026, first payment 1 May 2026: the first review is due by 1
    August 2026."""
    version, _, _ = plan_in_use(
        phb_lead, holder, first_payment=D_(2026, 5, 1), approved_on=D_(2026, 4, 20)
    )
    review = Review.objects.get(plan=version.plan)
    assert (review.kind, review.status, review.due_on) == (
        ReviewKind.FIRST,
        ReviewStatus.DUE,
        D_(2026, 8, 1),
    )


def test_a_plan_approved_after_the_first_payment_is_reviewed_from_its_approval(phb_lead, holder):
    """First payment 1 May 2026, but the plan approved today, 23 November 2026: the first
    review is due by 23 February 2027, not 1 August 2026 (before the plan existed)."""
    version, _, _ = plan_in_use(phb_lead, holder, first_payment=D_(2026, 5, 1))
    assert Review.objects.get(plan=version.plan).due_on == D_(2027, 2, 23)


def test_a_direct_payment_without_a_schedule_waits_for_its_first_payment(phb_lead, holder):
    """£8,000.00 held by the ICB and £12,000.00 as a direct payment, from 1 April 2026: not
    held by the ICB alone, so nothing is due until the direct payment's first payment is set.
    Approved on 20 April 2026 and first paid on 15 June 2026: due by 15 September 2026."""
    version, budget, _ = plan_in_use(phb_lead, holder, approved_on=D_(2026, 4, 20))
    assert not Review.objects.filter(plan=version.plan).exists()
    schedule(phb_lead, budget.portions.get(method="direct_payment"), first=D_(2026, 6, 15))
    assert Review.objects.get(plan=version.plan).due_on == D_(2026, 9, 15)


def test_an_icb_may_choose_a_sooner_first_review(phb_lead, holder, icb):
    ApprovalPolicy.objects.create(
        organisation=icb, lead_sign_off_limit=D("15000.00"), first_review_months=2
    )
    version, _, _ = plan_in_use(
        phb_lead, holder, first_payment=D_(2026, 5, 1), approved_on=D_(2026, 4, 20)
    )
    assert Review.objects.get(plan=version.plan).due_on == D_(2026, 7, 1)


def findings(**changes) -> Findings:
    values = {
        "completed_on": D_(2026, 7, 20),
        "plan_still_right": True,
        "money_used_well": True,
        "amount_enough": True,
        "conditions_kept": True,
    }
    return Findings(**(values | changes))


def progress(version, rating="good"):
    return {str(goal.pk): (rating, "Walks most days") for goal in version.goals.all()}


@pytest.fixture
def in_use(phb_lead, holder):
    """Approved on 20 April 2026 (a review cannot be dated before its plan was approved)."""
    return plan_in_use(phb_lead, holder, first_payment=D_(2026, 5, 1), approved_on=D_(2026, 4, 20))


def test_the_next_review_is_at_most_12_months_after_the_last(in_use, care_coordinator):
    version, _, _ = in_use
    review = Review.objects.get(plan=version.plan)
    reviews.record_review(
        actor=care_coordinator,
        review=review,
        reviewer=care_coordinator,
        findings=findings(),
        progress=progress(version),
    )
    review.refresh_from_db()
    assert review.status == ReviewStatus.COMPLETED
    assert review.reviewed_version == version
    assert GoalProgress.objects.get(review=review).rating == "good"
    following = Review.objects.get(plan=version.plan, status=ReviewStatus.DUE)
    # Reviewed 20 July 2026: the next is due by 20 July 2027.
    assert (following.kind, following.due_on) == (ReviewKind.SCHEDULED, D_(2027, 7, 20))


def test_a_person_at_high_risk_is_reviewed_as_often_as_the_icb_sets(in_use, care_coordinator, icb):
    ApprovalPolicy.objects.filter(organisation=icb).update(high_risk_review_months=4)
    version, _, _ = in_use
    reviews.record_review(
        actor=care_coordinator,
        review=Review.objects.get(plan=version.plan),
        reviewer=care_coordinator,
        findings=findings(risk_level=RiskLevel.HIGH),
        progress=progress(version),
    )
    # Reviewed 20 July 2026, high risk every 4 months: next by 20 November 2026.
    assert Review.objects.get(plan=version.plan, status=ReviewStatus.DUE).due_on == D_(2026, 11, 20)


def test_a_chosen_next_date_cannot_be_later_than_the_rule(in_use, care_coordinator):
    version, _, _ = in_use
    review = Review.objects.get(plan=version.plan)
    with pytest.raises(ValidationError) as excinfo:
        reviews.record_review(
            actor=care_coordinator,
            review=review,
            reviewer=care_coordinator,
            findings=findings(next_due_on=D_(2027, 7, 21)),
            progress=progress(version),
        )
    assert excinfo.value.message_dict == {
        "next_due_on": ["The next review must be by 20 July 2027: at most 12 months after this one"]
    }
    review.refresh_from_db()
    assert review.status == ReviewStatus.DUE
    assert not GoalProgress.objects.exists()


def test_a_sooner_next_date_is_kept(in_use, care_coordinator):
    version, _, _ = in_use
    reviews.record_review(
        actor=care_coordinator,
        review=Review.objects.get(plan=version.plan),
        reviewer=care_coordinator,
        findings=findings(next_due_on=D_(2027, 1, 10)),
        progress=progress(version),
    )
    assert Review.objects.get(plan=version.plan, status=ReviewStatus.DUE).due_on == D_(2027, 1, 10)


def test_a_reviewer_from_another_icb_is_refused(in_use, care_coordinator, other_icb_lead):
    version, _, _ = in_use
    review = Review.objects.get(plan=version.plan)
    with pytest.raises(ValidationError) as excinfo:
        reviews.record_review(
            actor=care_coordinator,
            review=review,
            reviewer=other_icb_lead,
            findings=findings(),
            progress=progress(version),
        )
    assert excinfo.value.message_dict["reviewer"] == [
        "The reviewer must be a care coordinator, PHB lead or clinician at "
        f"{version.plan.budget_holder.organisation.name}"
    ]
    review.refresh_from_db()
    assert review.status == ReviewStatus.DUE


def test_only_coordinators_leads_and_clinicians_carry_out_reviews(
    in_use, care_coordinator, phb_lead, clinician, finance_officer, icb
):
    version, _, _ = in_use
    assert set(reviews.reviewers_for(icb)) >= {care_coordinator, phb_lead, clinician}
    assert finance_officer not in reviews.reviewers_for(icb)
    review = Review.objects.get(plan=version.plan)
    with pytest.raises(ValidationError) as excinfo:
        reviews.record_review(
            actor=care_coordinator,
            review=review,
            reviewer=finance_officer,
            findings=findings(),
            progress=progress(version),
        )
    assert "must be a care coordinator, PHB lead or clinician" in str(excinfo.value)
    review.refresh_from_db()
    assert review.status == ReviewStatus.DUE


def test_staff_of_another_icb_cannot_record_a_review(in_use, other_icb_lead):
    version, _, _ = in_use
    with pytest.raises(PermissionDenied):
        reviews.record_review(
            actor=other_icb_lead,
            review=Review.objects.get(plan=version.plan),
            reviewer=other_icb_lead,
            findings=findings(),
            progress=progress(version),
        )


def test_every_goal_needs_its_progress_and_a_wrong_plan_says_what_changes(in_use, care_coordinator):
    version, _, _ = in_use
    with pytest.raises(ValidationError) as excinfo:
        reviews.record_review(
            actor=care_coordinator,
            review=Review.objects.get(plan=version.plan),
            reviewer=care_coordinator,
            findings=findings(plan_still_right=False, completed_on=D_(2099, 1, 1)),
            progress={},
        )
    assert excinfo.value.message_dict == {
        "completed_on": ["The date of the review must be today or in the past"],
        "changes_needed": ["Say what needs to change in the plan"],
        "__all__": ["Say how the goal is going: Walk Biscuit to the park"],
    }


def test_a_review_can_start_the_next_version_of_the_plan(in_use, care_coordinator):
    version, _, _ = in_use
    reviews.record_review(
        actor=care_coordinator,
        review=Review.objects.get(plan=version.plan),
        reviewer=care_coordinator,
        findings=findings(plan_still_right=False, changes_needed="More PA hours in the evening"),
        progress=progress(version, "some"),
        start_new_version=True,
    )
    draft = version.plan.versions.get(status=PlanStatus.DRAFT)
    assert draft.number == 2
    assert draft.based_on == version


def test_a_review_is_recorded_once(in_use, care_coordinator):
    version, _, _ = in_use
    review = Review.objects.get(plan=version.plan)
    for _ in range(2):
        try:
            reviews.record_review(
                actor=care_coordinator,
                review=review,
                reviewer=care_coordinator,
                findings=findings(),
                progress=progress(version),
            )
        except ValidationError as error:
            assert error.messages == ["This review was already completed. Nothing was saved."]
    assert Review.objects.filter(plan=version.plan).count() == 2


def test_bringing_a_review_forward_says_why(in_use, care_coordinator, monkeypatch):
    version, _, _ = in_use
    plan = version.plan
    review = Review.objects.get(plan=plan)
    with pytest.raises(ValidationError) as excinfo:
        reviews.bring_forward(actor=care_coordinator, plan=plan, due_on=D_(2020, 1, 1), reason=" ")
    assert excinfo.value.message_dict == {
        "reason": ["Say why the review is being brought forward"],
        "due_on": ["The new date must be today or later"],
    }
    # Recorded on 20 July: the next is due 20 July 2027; bring it forward to a date before it.
    reviews.record_review(
        actor=care_coordinator,
        review=review,
        reviewer=care_coordinator,
        findings=findings(),
        progress=progress(version),
    )
    soon = D_(2027, 1, 4)
    moved = reviews.bring_forward(
        actor=care_coordinator, plan=plan, due_on=soon, reason="Health changed: a fall at home"
    )
    assert (moved.kind, moved.due_on) == (ReviewKind.BROUGHT_FORWARD, soon)
    with pytest.raises(ValidationError, match="already due by 4 January 2027"):
        reviews.bring_forward(
            actor=care_coordinator, plan=plan, due_on=D_(2027, 2, 1), reason="Later"
        )


def test_a_review_is_dated_within_the_last_year_and_not_before_the_last_one(
    in_use, care_coordinator
):
    """Today is 23 November 2026: a review dated 2 March 1999 (a year typed wrong) is refused,
    and so is one dated before the last review of the plan. (A plan approved more than a year
    ago is reviewed within the last year: the earliest date is a year ago.)"""
    version, _, _ = in_use
    review = Review.objects.get(plan=version.plan)

    def record(completed_on):
        return reviews.record_review(
            actor=care_coordinator,
            review=review,
            reviewer=care_coordinator,
            findings=findings(completed_on=completed_on),
            progress=progress(version),
        )

    # The plan was approved on 20 April 2026 and first paid on 1 May 2026, within the last
    # year: the later of the two is the earliest date.
    with pytest.raises(ValidationError) as excinfo:
        record(D_(1999, 3, 2))
    assert excinfo.value.message_dict == {
        "completed_on": [
            "The date of the review must be on or after 1 May 2026, the date of the first payment"
        ]
    }
    record(D_(2026, 7, 20))
    review = Review.objects.get(plan=version.plan, status=ReviewStatus.DUE)
    with pytest.raises(ValidationError) as excinfo:
        record(D_(2026, 7, 19))
    assert excinfo.value.message_dict == {
        "completed_on": [
            "The date of the review must be on or after the last review, on 20 July 2026"
        ]
    }


@pytest.mark.parametrize(
    ("finding", "message"),
    [
        ("amount_enough", "Say what needs to change, as the amount is not enough"),
        ("money_used_well", "Say what needs to change, as the money was not used well"),
        ("conditions_kept", "Say what needs to change, as the conditions were not kept"),
    ],
)
def test_each_finding_of_no_says_what_needs_to_change(in_use, care_coordinator, finding, message):
    """DOMAIN §6: money that is not enough, not used well or conditions broken are findings
    that something must change; the review records what."""
    version, _, _ = in_use
    review = Review.objects.get(plan=version.plan)
    with pytest.raises(ValidationError) as excinfo:
        reviews.record_review(
            actor=care_coordinator,
            review=review,
            reviewer=care_coordinator,
            findings=findings(**{finding: False}),
            progress=progress(version),
        )
    assert excinfo.value.message_dict == {"changes_needed": [message]}
    reviews.record_review(
        actor=care_coordinator,
        review=review,
        reviewer=care_coordinator,
        findings=findings(**{finding: False}, changes_needed="Two more PA hours a week"),
        progress=progress(version),
    )
    review.refresh_from_db()
    assert review.changes_needed == "Two more PA hours a week"
