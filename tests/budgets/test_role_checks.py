"""Budget checks read role assignments: the above-cap trigger and the work queues."""

import datetime
from decimal import Decimal as D

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from budgets import services as budget_services
from budgets.models import Budget, BudgetStatus, ClinicalCheck
from phb.models import Role, RoleAssignment
from tests.budgets.factories import JUSTIFICATION, proposed_budget, ras_assessment, reload
from tests.factories import UserFactory, add_totp, give_role

pytestmark = pytest.mark.django_db

YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)


def test_caseload_and_work_queue_queries_do_not_grow_with_roles(
    client, icb, other_icb, phb_lead, care_coordinator, other_holder, ras_version, above_cap
):
    ready = ras_assessment(care_coordinator, other_holder, ras_version)
    proposed_budget(care_coordinator, other_holder, ready)
    client.force_login(phb_lead)
    client.get(reverse("caseload"))
    with CaptureQueriesContext(connection) as one_role:
        client.get(reverse("caseload"))
    for role in (Role.CLINICIAN, Role.FINANCE_OFFICER, Role.PANEL_MEMBER, Role.ICB_ADMIN):
        give_role(phb_lead, role, icb)
        give_role(phb_lead, role, other_icb)
    with CaptureQueriesContext(connection) as many_roles:
        page = client.get(reverse("caseload")).content.decode()
    assert "waiting for a clinical check" in page and ": waiting to be agreed<" in page
    # Each extra kind of work queue is one query (a clinician's two: checks and increases; a
    # finance officer's one), and one more for the people of the budgets it finds (the
    # clinician's checks here); the roles themselves add none.
    assert len(many_roles) <= len(one_role) + 4


ABOVE_CAP_REFUSAL = "Above its indicative amount, a budget needs a supporting check by another"


def _force_agree(budget, *, by, check):
    with transaction.atomic():
        Budget.objects.filter(pk=budget.pk).update(
            status=BudgetStatus.AGREED, agreed_by=by, agreed_at=timezone.now(), clinical_check=check
        )


def test_the_database_refuses_a_check_by_a_clinician_whose_role_had_ended(
    phb_lead, clinician, above_cap
):
    check = budget_services.record_clinical_check(
        actor=clinician, budget=above_cap, supported=True, notes=JUSTIFICATION
    )
    RoleAssignment.objects.filter(user=clinician).update(
        starts_on=datetime.date(2019, 1, 1), ends_on=YESTERDAY - datetime.timedelta(days=1)
    )
    # The check was made today, when they no longer held the role in the person's ICB.
    with pytest.raises(DatabaseError, match=ABOVE_CAP_REFUSAL):
        _force_agree(above_cap, by=phb_lead, check=check)
    assert reload(above_cap).status == BudgetStatus.PROPOSED


def test_the_database_refuses_a_check_by_a_clinician_of_another_icb(phb_lead, other_icb, above_cap):
    outsider = UserFactory(role=Role.CLINICIAN, organisation=other_icb)
    add_totp(outsider)
    check = ClinicalCheck.objects.create(
        budget=above_cap, clinician=outsider, amount=D("9000.00"), supported=True, notes="x"
    )
    with pytest.raises(DatabaseError, match=ABOVE_CAP_REFUSAL):
        _force_agree(above_cap, by=phb_lead, check=check)
    assert reload(above_cap).status == BudgetStatus.PROPOSED
