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
from django.core.exceptions import ValidationError
from django.db import connection

from budgets import services as budget_services
from budgets.models import BudgetPolicy
from budgets.services import Conflict
from careplans.models import CarePlan
from careplans.services import plans as plan_services
from employers.models import Competence, Delegation, Employer
from employers.services import delegation as delegation_services
from employers.services import employers as employer_services
from phb.models import Role
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
