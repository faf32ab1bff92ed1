"""Refused attempts on employment pages are in the person's access log, under the person
whose record the address names (not the payslip's or competence's own id), and a page that
shows nothing (a draft run's export, a record without evidence) is neither a view nor a
refusal."""

import datetime
import uuid

import pytest
from django.urls import reverse

from employers.models import ShiftKind
from employers.services import payruns
from phb.models import AccessOutcome, RecordAccess, Role
from tests.employers.factories import EmployerFactory, PaUserFactory, PersonalAssistantFactory
from tests.employers.factories_delegation import DelegationFactory, ready_competence
from tests.employers.factories_payroll import weeks_of
from tests.employers.factories_training import module, record
from tests.factories import UserFactory, add_totp

pytestmark = pytest.mark.django_db

APRIL_6 = datetime.date(2026, 4, 6)


@pytest.fixture
def employer(holder, pa_employer_support):
    return EmployerFactory(budget_holder=holder, created_by=pa_employer_support)


@pytest.fixture
def pa_user():
    return PaUserFactory()


@pytest.fixture
def alice(employer, pa_user):
    return PersonalAssistantFactory(employer=employer, full_name="Alice Able", user=pa_user)


@pytest.fixture
def draft(today_is, employer, alice, pa_employer_support):
    today_is(datetime.date(2026, 4, 20))
    weeks_of(alice, pa_employer_support, APRIL_6, 4, ShiftKind.DAY, "8.00")
    return payruns.start_pay_run(actor=pa_employer_support, employer=employer)


@pytest.fixture
def finalised(draft, pa_employer_support):
    return payruns.finalise_pay_run(actor=pa_employer_support, run=draft)


def south_staff(other_icb, role):
    user = UserFactory(role=role, organisation=other_icb)
    add_totp(user)
    return user


def log_of(holder) -> list[tuple]:
    return list(
        RecordAccess.objects.filter(budget_holder_id=holder.pk).values_list(
            "user", "outcome", "what"
        )
    )


def test_a_pa_opening_another_pas_payslip_is_refused_in_the_persons_log(
    client, finalised, employer, holder
):
    payslip = finalised.payslips.get()
    bob = PaUserFactory()
    PersonalAssistantFactory(employer=employer, user=bob)
    client.force_login(bob)
    assert client.get(reverse("employers:payslip", args=[payslip.pk])).status_code == 404
    assert log_of(holder) == [(bob.pk, AccessOutcome.REFUSED, "payslip")]
    assert not RecordAccess.objects.filter(budget_holder_id=payslip.pk).exists()


def test_south_staff_opening_a_north_payslip_are_refused_in_the_north_persons_log(
    client, finalised, holder, other_icb
):
    payslip = finalised.payslips.get()
    south = south_staff(other_icb, Role.PA_EMPLOYER_SUPPORT)
    client.force_login(south)
    assert client.get(reverse("employers:payslip", args=[payslip.pk])).status_code == 404
    assert client.get(reverse("employers:pay_run", args=[finalised.pk])).status_code == 404
    assert log_of(holder) == [
        (south.pk, AccessOutcome.REFUSED, "pay"),
        (south.pk, AccessOutcome.REFUSED, "payslip"),
    ]


def test_refusals_on_a_competence_sign_offs_and_a_new_timesheet_are_in_the_persons_log(
    client, holder, employer, alice, clinician, other_icb
):
    delegation = DelegationFactory(budget_holder=holder, practitioner=clinician)
    competence = ready_competence(delegation, alice, employer_user=holder.user)
    south = south_staff(other_icb, Role.CLINICIAN)
    client.force_login(south)
    assert client.get(reverse("employers:competence", args=[competence.pk])).status_code == 404
    assert client.get(reverse("employers:delegation", args=[delegation.pk])).status_code == 404
    assert client.get(reverse("employers:employer_sign_offs", args=[employer.pk])).status_code == (
        404
    )
    other_pa = PaUserFactory()
    client.force_login(other_pa)
    new_timesheet = reverse("employers:timesheet_new", args=[alice.pk])
    assert client.get(new_timesheet).status_code == 404
    refused = {(user, what) for user, outcome, what in log_of(holder)}
    assert refused == {
        (south.pk, "delegated task"),
        (south.pk, "sign-offs"),
        (other_pa.pk, "timesheet"),
    }
    assert len(log_of(holder)) == 4
    assert {outcome for _, outcome, _ in log_of(holder)} == {AccessOutcome.REFUSED}


def test_an_address_that_names_nothing_is_logged_under_its_own_id(client, pa_user):
    made_up = uuid.uuid4()
    client.force_login(pa_user)
    assert client.get(reverse("employers:payslip", args=[made_up])).status_code == 404
    refused = RecordAccess.objects.get()
    assert (refused.budget_holder_id, refused.outcome) == (made_up, AccessOutcome.REFUSED)


def test_an_allowed_page_does_not_look_up_whose_record_the_address_names(
    client, finalised, pa_user, holder, monkeypatch
):
    def must_not_be_asked(ids):
        raise AssertionError("looked up for an allowed page")

    monkeypatch.setattr("phb.views.mixins.holder_id_named_by", must_not_be_asked)
    client.force_login(pa_user)
    payslip = finalised.payslips.get()
    assert client.get(reverse("employers:payslip", args=[payslip.pk])).status_code == 200
    assert log_of(holder) == [(pa_user.pk, AccessOutcome.VIEWED, "payslip")]


def test_a_draft_runs_export_is_neither_a_view_nor_a_refusal(
    client, draft, pa_employer_support, holder
):
    url = reverse("employers:pay_run_export", args=[draft.pk])
    client.force_login(pa_employer_support)
    assert client.get(url).status_code == 404
    assert log_of(holder) == []
    # Someone not entitled to export is refused, draft or not.
    client.force_login(holder.user)
    assert client.get(url).status_code == 404
    assert log_of(holder) == [(holder.user.pk, AccessOutcome.REFUSED, "pay run export")]


def test_a_finalised_runs_export_is_a_view(client, finalised, pa_employer_support, holder):
    client.force_login(pa_employer_support)
    response = client.get(reverse("employers:pay_run_export", args=[finalised.pk]))
    assert response.status_code == 200
    assert log_of(holder) == [(pa_employer_support.pk, AccessOutcome.VIEWED, "pay run export")]


def test_a_record_without_evidence_is_neither_a_view_nor_a_refusal(
    client, icb, alice, pa_employer_support, holder, other_icb
):
    done = record(
        alice, pa_employer_support, module(icb, "Food hygiene"), datetime.date(2026, 6, 1)
    )
    url = reverse("employers:training_evidence", args=[done.pk])
    client.force_login(pa_employer_support)
    assert client.get(url).status_code == 404
    assert log_of(holder) == []
    south = south_staff(other_icb, Role.PA_EMPLOYER_SUPPORT)
    client.force_login(south)
    assert client.get(url).status_code == 404
    assert log_of(holder) == [(south.pk, AccessOutcome.REFUSED, "training evidence")]
