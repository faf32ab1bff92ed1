"""Two identical "create" requests at the same moment (two sessions posting at once): one
creates, and the other is refused in the same words as a second request sent after the first,
never a server error from the database's unique constraint.

Each race is real: two threads, each with its own connection to the real PostgreSQL, start
together. The new record's insert is slowed by 0.3 seconds, so that without a lock (or a
savepoint) both requests pass the service's check before either saves, as the reviewer's two
sessions did."""

import datetime
import threading
import time
from decimal import Decimal as D

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection

from budgets import services as budget_services
from budgets.models import BudgetPolicy, LocalRateSet, NationalRateSet
from budgets.services import Conflict
from careplans.models import CarePlan
from careplans.services import plans as plan_services
from employers.models import Competence, Delegation, Employer
from employers.services import delegation as delegation_services
from employers.services import employers as employer_services
from phb import services as phb_services
from phb.models import BudgetHolder, Role, RoleAssignment, User
from tests.budgets.factories import NATIONAL_2027_28
from tests.employers.factories import EmployerFactory, PersonalAssistantFactory
from tests.employers.factories_delegation import DelegatedTaskFactory, DelegationFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

TODAY = datetime.date(2026, 11, 23)
DONE = "done"


def slow_inserts(monkeypatch, model) -> None:
    """Each new `model` row waits 0.3 seconds before it is inserted."""
    save = model.save

    def slowly(self, *args, **kwargs):
        if self._state.adding:
            time.sleep(0.3)
        return save(self, *args, **kwargs)

    monkeypatch.setattr(model, "save", slowly)


def fresh(instance):
    """The row again, for one thread's own use."""
    return type(instance).objects.get(pk=instance.pk)


def at_once(*calls) -> list:
    """Run each call in its own thread, with its own database connection, all at the same
    moment. Each outcome is DONE or the refusal (any other error, such as an IntegrityError,
    is kept too, for the assertion to show)."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            call()
            outcomes[index] = DONE
        except Exception as error:
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def the_refusal(outcomes):
    """The one refusal beside the one success."""
    assert outcomes.count(DONE) == 1, outcomes
    (refusal,) = [outcome for outcome in outcomes if outcome != DONE]
    assert isinstance(refusal, ValidationError | Conflict), repr(refusal)
    return refusal


# --- /people/new/ -----------------------------------------------------------------------

ADA = {
    "given_name": "Ada",
    "family_name": "Lovelace",
    "nhs_number": "943 476 5919",
    "date_of_birth": datetime.date(1960, 12, 10),
    "address_line_1": "1 Analytical Row",
    "town": "London",
    "postcode": "ZZ9 9ZZ",
    "eligibility": "chc",
    "preferred_contact": "letter",
}


def test_two_people_adding_the_same_nhs_number_at_once(monkeypatch, phb_lead, icb):
    other_lead = UserFactory(role=Role.PHB_LEAD, organisation=icb)
    slow_inserts(monkeypatch, BudgetHolder)
    outcomes = at_once(
        *(
            lambda lead=lead: phb_services.create_budget_holder(actor=fresh(lead), **ADA)
            for lead in (phb_lead, other_lead)
        )
    )
    assert the_refusal(outcomes).message_dict == {
        "nhs_number": ["Ada Lovelace already has this NHS number on your caseload"]
    }
    assert BudgetHolder.objects.filter(nhs_number="9434765919").count() == 1


def test_two_icbs_adding_the_same_nhs_number_at_once(monkeypatch, phb_lead, other_icb_lead):
    """No one row is shared by two ICBs' requests: the second's insert fails on the unique NHS
    number, and is refused as a later request is, without saying which ICB has them."""
    slow_inserts(monkeypatch, BudgetHolder)
    outcomes = at_once(
        *(
            lambda lead=lead: phb_services.create_budget_holder(actor=fresh(lead), **ADA)
            for lead in (phb_lead, other_icb_lead)
        )
    )
    refusal = the_refusal(outcomes)
    assert isinstance(refusal, phb_services.AlreadyRegistered)
    assert refusal.budget_holder_id == BudgetHolder.objects.get(nhs_number="9434765919").pk
    assert refusal.message_dict == {
        "nhs_number": [
            "You cannot add this person here: someone with this NHS number is already "
            "registered by another personal health budget team"
        ]
    }


# --- /staff/new/ ------------------------------------------------------------------------


def add_jo(admin, organisation):
    return lambda: phb_services.add_staff_member(
        actor=fresh(admin),
        organisation=organisation,
        email="jo.bloggs@north.example.nhs.uk",
        full_name="Jo Bloggs",
        roles=[Role.CLINICIAN],
    )


def test_two_administrators_adding_the_same_email_at_once(monkeypatch, icb_admin, icb):
    other_admin = UserFactory(role=Role.ICB_ADMIN, organisation=icb)
    slow_inserts(monkeypatch, User)
    outcomes = at_once(add_jo(icb_admin, icb), add_jo(other_admin, icb))
    assert the_refusal(outcomes).message_dict == {
        "role": ["Jo Bloggs already has the role Clinician for those dates"]
    }
    jo = User.objects.get(email="jo.bloggs@north.example.nhs.uk")
    assert RoleAssignment.objects.filter(user=jo).count() == 1


def test_two_icbs_adding_the_same_email_at_once_share_one_sign_in(
    monkeypatch, icb_admin, icb, other_icb
):
    """As one after the other: the second ICB's roles go to the sign-in the first made, and
    only the first sends a link to set a password."""
    south_admin = UserFactory(role=Role.ICB_ADMIN, organisation=other_icb)
    slow_inserts(monkeypatch, User)
    results = []

    def add(admin, organisation):
        results.append(add_jo(admin, organisation)())

    outcomes = at_once(lambda: add(icb_admin, icb), lambda: add(south_admin, other_icb))
    assert outcomes == [DONE, DONE]
    jo = User.objects.get(email="jo.bloggs@north.example.nhs.uk")
    assert sorted(created for _, created in results) == [False, True]
    assert {user.pk for user, _ in results} == {jo.pk}
    assert set(RoleAssignment.objects.filter(user=jo).values_list("organisation", flat=True)) == {
        icb.pk,
        other_icb.pk,
    }
    assert [email.to for email in mail.outbox] == [["jo.bloggs@north.example.nhs.uk"]]


# --- /employers/person/<id>/set-up/ -----------------------------------------------------


def test_two_set_ups_of_the_same_employer_at_once(monkeypatch, pa_employer_support, holder):
    slow_inserts(monkeypatch, Employer)
    outcomes = at_once(
        *(
            lambda: employer_services.set_up_employer(
                actor=fresh(pa_employer_support), holder=fresh(holder), kind="holder"
            )
            for _ in range(2)
        )
    )
    assert the_refusal(outcomes).message_dict == {
        "__all__": ["This person is already set up as an employer. Nothing was changed."]
    }
    assert Employer.objects.filter(budget_holder=holder).count() == 1


# --- /plans/person/<id>/start/ ----------------------------------------------------------


def test_two_starts_of_a_plan_at_once(monkeypatch, care_coordinator, holder):
    slow_inserts(monkeypatch, CarePlan)
    outcomes = at_once(
        *(
            lambda: plan_services.start_plan(
                actor=fresh(care_coordinator), budget_holder=fresh(holder)
            )
            for _ in range(2)
        )
    )
    assert the_refusal(outcomes).messages == [
        f"{holder.full_name} already has a care and support plan"
    ]
    assert CarePlan.objects.filter(budget_holder=holder).count() == 1


# --- /employers/people/<id>/delegations/new/ --------------------------------------------


def test_two_delegations_of_the_same_task_at_once(monkeypatch, clinician, holder, icb):
    task = DelegatedTaskFactory(organisation=icb, name="PEG feeding")
    details = delegation_services.DelegationDetails(
        task=task,
        how_it_applies="Overnight feeds through the PEG tube",
        persons_choice="Wants their PAs to do it",
        consent_given_on=TODAY,
        stability="Stable for a year",
        complexity="Routine",
        risk_level="low",
        benefits="Fewer nurse visits at night",
        professional_body="NMC",
        registration_number="12A3456B",
    )
    slow_inserts(monkeypatch, Delegation)
    outcomes = at_once(
        *(
            lambda: delegation_services.delegate_task(
                actor=fresh(clinician), budget_holder=fresh(holder), details=details
            )
            for _ in range(2)
        )
    )
    assert the_refusal(outcomes).message_dict == {
        "task": [f"PEG feeding is already delegated for {holder.full_name}"]
    }
    assert Delegation.objects.filter(budget_holder=holder, task=task).count() == 1


# --- /employers/delegations/<id>/competences/new/ ---------------------------------------


def test_two_competence_records_for_the_same_pa_at_once(monkeypatch, clinician, holder, icb):
    employer = EmployerFactory(budget_holder=holder)
    pa = PersonalAssistantFactory(employer=employer, full_name="Priya Shah")
    delegation = DelegationFactory(
        task=DelegatedTaskFactory(organisation=icb), budget_holder=holder, practitioner=clinician
    )
    slow_inserts(monkeypatch, Competence)
    outcomes = at_once(
        *(
            lambda: delegation_services.start_competence(
                actor=fresh(clinician), delegation=fresh(delegation), assistant=fresh(pa)
            )
            for _ in range(2)
        )
    )
    assert the_refusal(outcomes).message_dict == {
        "assistant": ["Priya Shah already has a competence record for this task"]
    }
    assert Competence.objects.filter(delegation=delegation, assistant=pa).count() == 1


# --- /budgets/policy/ -------------------------------------------------------------------


def test_two_first_saves_of_the_budget_policy_at_once(monkeypatch, icb_admin, icb):
    """Both pages showed no policy (seen None); the first to save makes it, and the second is
    told it changed since, as it would be a moment later."""
    other_admin = UserFactory(role=Role.ICB_ADMIN, organisation=icb)
    slow_inserts(monkeypatch, BudgetPolicy)
    outcomes = at_once(
        lambda: budget_services.save_budget_policy(
            actor=fresh(icb_admin),
            preparer_may_agree=True,
            preparer_may_agree_below=D("5000.00"),
            seen_updated_at=None,
        ),
        lambda: budget_services.save_budget_policy(
            actor=fresh(other_admin), preparer_may_agree=False, seen_updated_at=None
        ),
    )
    assert the_refusal(outcomes).messages == [
        "Someone changed the budget policy after you opened this page. The page now shows it "
        "as it is: make your change again. Nothing was changed."
    ]
    assert BudgetPolicy.objects.filter(organisation=icb).count() == 1


# --- /budgets/rates/local/new/ (and the national rates, which share the code) -----------

LOCAL_FROM_APRIL_2027 = {
    "effective_from": datetime.date(2027, 4, 1),
    "pa_hourly": D("13.50"),
    "agency_day_hourly": D("28.50"),
    "agency_night_hourly": D("120.00"),
    "agency_waking_night_hourly": D("30.00"),
    "nursing_hourly": D("55.00"),
    "employer_liability_insurance_annual": D("150.00"),
    "payroll_fee_annual": D("240.00"),
    "contingency_rate": D("0.05"),
}


def test_two_sets_of_local_rates_from_the_same_day_at_once(monkeypatch, icb_admin, icb):
    other_admin = UserFactory(role=Role.ICB_ADMIN, organisation=icb)
    slow_inserts(monkeypatch, LocalRateSet)
    outcomes = at_once(
        *(
            lambda admin=admin: budget_services.save_local_rates(
                actor=fresh(admin), **LOCAL_FROM_APRIL_2027
            )
            for admin in (icb_admin, other_admin)
        )
    )
    assert the_refusal(outcomes).message_dict == {
        "effective_from": [
            "There are already rates in force from 1 April 2027: change those, or choose "
            "another date"
        ]
    }
    assert LocalRateSet.objects.filter(organisation=icb).count() == 1


def test_two_sets_of_national_rates_from_the_same_day_at_once(monkeypatch, service_admin):
    slow_inserts(monkeypatch, NationalRateSet)
    outcomes = at_once(
        *(
            lambda: budget_services.save_national_rates(
                actor=fresh(service_admin), **NATIONAL_2027_28
            )
            for _ in range(2)
        )
    )
    assert the_refusal(outcomes).message_dict == {
        "effective_from": [
            "There are already rates in force from 1 April 2027: change those, or choose "
            "another date"
        ]
    }
    assert NationalRateSet.objects.filter(effective_from=datetime.date(2027, 4, 1)).count() == 1
