"""The database keeps a decided plan as it was decided, and each decision made once."""

from decimal import Decimal as D

import pytest
from django.db import IntegrityError, ProgrammingError, transaction
from django.utils import timezone

from careplans.models import (
    CarePlan,
    DecisionOutcome,
    Goal,
    PlanDecision,
    PlanStatus,
    PlanVersion,
    SupportItem,
)
from careplans.models.plans import yearly_cost

pytestmark = pytest.mark.django_db

FROZEN = "A plan version that has been submitted cannot be changed: make a new version"


@pytest.fixture
def version(holder, phb_lead):
    plan = CarePlan.objects.create(budget_holder=holder, created_by=phb_lead)
    version = PlanVersion.objects.create(
        plan=plan, number=1, created_by=phb_lead, what_matters="Being at home with my dog"
    )
    goal = Goal.objects.create(version=version, description="Walk to the park", importance="very")
    item = SupportItem.objects.create(
        version=version,
        description="Personal assistant, mornings",
        category="pa_support",
        provider="Employed PA",
        unit_cost=D("15.00"),
        quantity=D("14"),
        frequency="weekly",
        annual_cost=yearly_cost(D("15.00"), D("14"), "weekly"),
    )
    item.goals.add(goal)
    return version


def _submit(version, user):
    PlanVersion.objects.filter(pk=version.pk).update(
        status=PlanStatus.SUBMITTED, submitted_by=user, submitted_at=timezone.now()
    )


def test_yearly_cost_is_unit_cost_times_quantity_times_frequency():
    assert yearly_cost(D("15.00"), D("14"), "weekly") == D("10920.00")  # 15 x 14 x 52
    assert yearly_cost(D("33.33"), D("1.5"), "monthly") == D("599.94")  # 49.995 x 12 = 599.94
    assert yearly_cost(D("0.01"), D("0.5"), "once") == D("0.01")  # half a penny rounds up


def test_a_submitted_version_cannot_be_edited(version, phb_lead):
    _submit(version, phb_lead)
    with pytest.raises(IntegrityError, match=FROZEN), transaction.atomic():
        PlanVersion.objects.filter(pk=version.pk).update(what_matters="Something else")
    with pytest.raises(IntegrityError, match=FROZEN), transaction.atomic():
        SupportItem.objects.filter(version=version).update(unit_cost=D("1.00"))
    with pytest.raises(IntegrityError, match=FROZEN), transaction.atomic():
        Goal.objects.create(version=version, description="Another", importance="quite")


def test_a_version_moves_only_as_the_workflow_allows(version, phb_lead):
    with pytest.raises(ProgrammingError, match="Invalid transition"), transaction.atomic():
        PlanVersion.objects.filter(pk=version.pk).update(status=PlanStatus.ACTIVE)


def test_a_version_is_decided_once(version, phb_lead, clinician):
    _submit(version, phb_lead)
    PlanDecision.objects.create(
        version=version,
        outcome=DecisionOutcome.APPROVED,
        approved_annual_amount=D("10920.00"),
        decided_by=clinician,
    )
    with pytest.raises(IntegrityError, match="decision"), transaction.atomic():
        PlanDecision.objects.create(
            version=version,
            outcome=DecisionOutcome.DECLINED,
            reasons="No",
            approved_annual_amount=D("0"),
            decided_by=phb_lead,
        )


def test_a_decline_needs_reasons_for_the_person(version, phb_lead):
    _submit(version, phb_lead)
    with (
        pytest.raises(IntegrityError, match="plan_decision_reasons_unless_approved"),
        transaction.atomic(),
    ):
        PlanDecision.objects.create(
            version=version,
            outcome=DecisionOutcome.DECLINED,
            approved_annual_amount=D("0"),
            decided_by=phb_lead,
        )


def test_paying_a_family_member_must_be_justified(version):
    with (
        pytest.raises(IntegrityError, match="support_family_member_justified"),
        transaction.atomic(),
    ):
        SupportItem.objects.create(
            version=version,
            description="My daughter's help",
            category="pa_support",
            provider="Daughter",
            unit_cost=D("12.71"),
            quantity=D("10"),
            frequency="weekly",
            annual_cost=D("6609.20"),
            pays_family_member=True,
        )


def test_one_version_in_progress_at_a_time(version, phb_lead):
    with pytest.raises(IntegrityError, match="plan_one_version_in_progress"), transaction.atomic():
        PlanVersion.objects.create(plan=version.plan, number=2, created_by=phb_lead)


def test_text_has_a_limit_in_the_database(version):
    with (
        pytest.raises(IntegrityError, match="plan_version_what_matters_at_most_5000"),
        transaction.atomic(),
    ):
        PlanVersion.objects.filter(pk=version.pk).update(what_matters="x" * 5001)
