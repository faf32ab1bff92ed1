"""Delegated tasks and sign-off: every refusal of the issue's "Bad input", the "Done when"
(sign-off seen by the holder and the PA; past the review date nobody is current and the cover
shows a gap; revocation at once), the race between two sign-offs, and reminders sent once."""

import datetime
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import ProgrammingError, connection

from budgets.services import Conflict
from employers import delegation_selectors as selectors
from employers.models import (
    Competence,
    CompetenceChange,
    CompetenceReminder,
    CompetenceStatus,
    EmployerKind,
)
from employers.services import delegation as services
from employers.services.delegation_reminders import scan_competence_reviews
from employers.services.employers import record_leaving
from employers.views.delegation import sign_off_sentence, state_means
from phb.models import Message, Role
from tests.employers.factories import EmployerFactory, PaUserFactory, PersonalAssistantFactory
from tests.employers.factories_delegation import (
    DelegatedTaskFactory,
    DelegationFactory,
    TrainingModuleFactory,
    TrainingRecordFactory,
    ready_competence,
)
from tests.factories import UserFactory

TODAY = datetime.date(2026, 11, 23)
IN_SIX_MONTHS = datetime.date(2027, 5, 23)


@pytest.fixture
def employer(holder, pa_employer_support):
    return EmployerFactory(budget_holder=holder, created_by=pa_employer_support)


@pytest.fixture
def pa_user():
    return PaUserFactory(full_name="Priya Shah")


@pytest.fixture
def assistant(employer, pa_user):
    return PersonalAssistantFactory(employer=employer, user=pa_user, full_name="Priya Shah")


@pytest.fixture
def module(icb):
    return TrainingModuleFactory(organisation=icb, name="PEG feeding training")


@pytest.fixture
def task(icb, module):
    task = DelegatedTaskFactory(organisation=icb, name="PEG feeding", review_months=6)
    task.required_training.set([module])
    return task


@pytest.fixture
def delegation(task, holder, clinician):
    return DelegationFactory(task=task, budget_holder=holder, practitioner=clinician)


@pytest.fixture
def trained(assistant, module, clinician):
    return TrainingRecordFactory(assistant=assistant, module=module, recorded_by=clinician)


@pytest.fixture
def ready(delegation, assistant, holder, trained):
    return ready_competence(delegation, assistant, employer_user=holder.user)


def sign(competence, clinician, review_on=IN_SIX_MONTHS):
    return services.sign_off(
        actor=clinician,
        competence=competence,
        review_on=review_on,
        lock_version=competence.lock_version,
    )


# --- The journey ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_clinician_takes_a_pa_from_start_to_sign_off(
    delegation, assistant, clinician, holder, pa_user, trained
):
    competence = services.start_competence(
        actor=clinician, delegation=delegation, assistant=assistant
    )
    services.confirm_agreement(actor=clinician, competence=competence, party="practitioner")
    services.confirm_agreement(actor=holder.user, competence=competence, party="employer")
    services.confirm_agreement(actor=pa_user, competence=competence, party="pa")
    services.record_training(
        actor=clinician, competence=competence, delivered_on=TODAY, delivered_by="Nurse Jones"
    )
    services.record_assessment(
        actor=clinician, competence=competence, assessed_on=TODAY, observations="Safe", passed=True
    )
    competence.refresh_from_db()
    competence = sign(competence, clinician)
    assert competence.status == CompetenceStatus.SIGNED_OFF
    assert competence.employer_agreed_by == holder.user
    assert Competence.objects.current(TODAY).filter(pk=competence.pk).exists()
    assert competence.changes.first().what == "Started"
    assert competence.changes.count() == 7
    # The holder's side and the PA both see it.
    assert selectors.competences_of_employer(holder.employer).get() == competence
    assert selectors.own_competences(pa_user).get() == competence


@pytest.mark.django_db
def test_only_a_clinician_of_the_icb_delegates(holder, task, phb_lead, other_icb):
    details = services.DelegationDetails(
        task=task,
        how_it_applies="x",
        persons_choice="x",
        consent_given_on=TODAY,
        stability="x",
        complexity="x",
        risk_level="low",
        benefits="x",
        professional_body="NMC",
        registration_number="1",
    )
    with pytest.raises(PermissionDenied):
        services.delegate_task(actor=phb_lead, budget_holder=holder, details=details)
    other = UserFactory(role=Role.CLINICIAN, organisation=other_icb)
    with pytest.raises(PermissionDenied):
        services.delegate_task(actor=other, budget_holder=holder, details=details)


# --- Bad input --------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_non_clinician_cannot_sign_off(ready, phb_lead):
    with pytest.raises(PermissionDenied):
        sign(ready, phb_lead)


@pytest.mark.django_db
def test_a_clinician_of_another_icb_cannot_see_or_sign_off(ready, other_icb):
    other = UserFactory(role=Role.CLINICIAN, organisation=other_icb)
    assert selectors.competence_for(other, ready.pk) is None
    with pytest.raises(PermissionDenied):
        sign(ready, other)


@pytest.mark.django_db
def test_missing_training_refuses_the_sign_off(delegation, assistant, holder, clinician):
    competence = ready_competence(delegation, assistant, employer_user=holder.user)
    with pytest.raises(Conflict, match="no current training record for PEG feeding training"):
        sign(competence, clinician)


@pytest.mark.django_db
def test_expired_training_refuses_the_sign_off(delegation, assistant, holder, clinician, module):
    TrainingRecordFactory(
        assistant=assistant,
        module=module,
        completed_on=datetime.date(2025, 1, 1),
        expires_on=datetime.date(2026, 1, 1),
    )
    competence = ready_competence(delegation, assistant, employer_user=holder.user)
    with pytest.raises(Conflict, match="no current training record"):
        sign(competence, clinician)


@pytest.mark.django_db
def test_a_missing_agreement_refuses_the_sign_off(ready, clinician):
    Competence.objects.filter(pk=ready.pk).update(pa_agreed_at=None)
    ready.refresh_from_db()
    with pytest.raises(Conflict, match="The PA has not confirmed the agreement"):
        sign(ready, clinician)


@pytest.mark.django_db
def test_a_failed_assessment_refuses_the_sign_off(ready, clinician):
    services.record_assessment(
        actor=clinician, competence=ready, assessed_on=TODAY, observations="Unsure", passed=False
    )
    ready.refresh_from_db()
    with pytest.raises(Conflict, match="No passed competence assessment"):
        sign(ready, clinician)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("review_on", "message"),
    [
        (datetime.date(2026, 11, 22), "must be in the future"),
        (TODAY, "must be in the future"),
        (datetime.date(2027, 5, 24), "on or before 23 May 2027, 6 months from today"),
    ],
)
def test_the_review_date_is_in_the_future_and_within_the_interval(
    ready, clinician, review_on, message
):
    with pytest.raises(ValidationError, match=message):
        sign(ready, clinician, review_on)
    ready.refresh_from_db()
    assert ready.status == CompetenceStatus.IN_PROGRESS


@pytest.mark.django_db
def test_after_revocation_it_cannot_be_signed_off_again(ready, clinician):
    sign(ready, clinician)
    ready.refresh_from_db()
    services.stop_competence(actor=clinician, competence=ready, revoke=True, reason="Unsafe")
    ready.refresh_from_db()
    assert not Competence.objects.current(TODAY).filter(pk=ready.pk).exists()
    with pytest.raises(Conflict, match="revoked"):
        sign(ready, clinician)
    with pytest.raises(Conflict, match="revoked"):
        services.record_assessment(
            actor=clinician, competence=ready, assessed_on=TODAY, observations="x", passed=True
        )


@pytest.mark.django_db
def test_a_second_sign_off_with_the_old_version_is_told_who_signed(ready, clinician, icb):
    """The practitioner signs off in one tab, then presses "Sign off" in another."""
    seen = ready.lock_version
    sign(ready, clinician)
    with pytest.raises(Conflict, match=f"already signed off by {clinician.full_name} at"):
        services.sign_off(
            actor=clinician, competence=ready, review_on=IN_SIX_MONTHS, lock_version=seen
        )
    assert CompetenceChange.objects.filter(competence=ready, what__startswith="Signed").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_sign_offs_at_once_are_served_one_after_the_other(icb, clinician, holder, pa_user):
    """The practitioner presses "Sign off" in two tabs together: one signs, the other is told
    who did."""
    employer = EmployerFactory(budget_holder=holder)
    pa = PersonalAssistantFactory(employer=employer, user=pa_user)
    module = TrainingModuleFactory(organisation=icb)
    task = DelegatedTaskFactory(organisation=icb, review_months=6)
    task.required_training.set([module])
    TrainingRecordFactory(assistant=pa, module=module)
    delegation = DelegationFactory(task=task, budget_holder=holder, practitioner=clinician)
    competence = ready_competence(delegation, pa, employer_user=holder.user)
    barrier = threading.Barrier(2)
    outcomes = []

    def press(user):
        try:
            barrier.wait()
            services.sign_off(
                actor=user, competence=competence, review_on=IN_SIX_MONTHS, lock_version=0
            )
            outcomes.append("signed")
        except Conflict as error:
            outcomes.append(str(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=press, args=(clinician,)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("signed") == 1
    refused = next(outcome for outcome in outcomes if outcome != "signed")
    assert refused.startswith("This was already signed off by ")
    assert (
        CompetenceChange.objects.filter(competence=competence, what__startswith="Signed").count()
        == 1
    )


@pytest.mark.django_db
def test_each_party_confirms_only_for_themselves(delegation, assistant, clinician, holder, pa_user):
    competence = services.start_competence(
        actor=clinician, delegation=delegation, assistant=assistant
    )
    with pytest.raises(PermissionDenied):
        services.confirm_agreement(actor=pa_user, competence=competence, party="employer")
    with pytest.raises(PermissionDenied):
        services.confirm_agreement(actor=holder.user, competence=competence, party="pa")
    with pytest.raises(PermissionDenied):
        services.confirm_agreement(actor=holder.user, competence=competence, party="practitioner")


@pytest.mark.django_db
def test_only_the_persons_pas_are_started(delegation, clinician, other_holder):
    stranger = PersonalAssistantFactory(employer=EmployerFactory(budget_holder=other_holder))
    with pytest.raises(ValidationError, match="Choose one of the person's PAs"):
        services.start_competence(actor=clinician, delegation=delegation, assistant=stranger)


# --- Done when --------------------------------------------------------------------------


@pytest.mark.django_db
def test_past_the_review_date_the_pa_is_not_current_and_the_cover_shows_a_gap(
    ready, clinician, holder, today_is
):
    sign(ready, clinician, review_on=datetime.date(2026, 12, 1))
    assert selectors.cover(holder, on=TODAY)[0]["competent"] == [ready.assistant]
    today_is(datetime.date(2026, 12, 2))
    assert selectors.cover(holder, on=datetime.date(2026, 12, 2))[0]["competent"] == []
    assert not Competence.objects.current(datetime.date(2026, 12, 2)).exists()


@pytest.mark.django_db
def test_a_pa_who_has_left_gives_no_cover_and_is_told_so(
    ready, clinician, holder, pa_employer_support
):
    sign(ready, clinician, review_on=datetime.date(2027, 5, 1))
    assert selectors.cover(holder, on=TODAY)[0]["competent"] == [ready.assistant]
    record_leaving(
        actor=pa_employer_support, assistant=ready.assistant, left_on=TODAY, reason="Moved away"
    )
    ready.refresh_from_db()
    assert selectors.cover(holder, on=TODAY)[0]["competent"] == []
    assert not Competence.objects.current(TODAY).exists()
    task = ready.delegation.task.name
    assert sign_off_sentence(ready, TODAY, to_pa=True) == (
        f"You left this job on 23 November 2026: you must not do {task} there any more."
    )
    assert state_means(ready, TODAY).startswith(
        f"{ready.assistant.full_name} left on 23 November 2026, so they no longer do {task}"
    )
    # Leaving revokes the competence, so nothing more is recorded on it: no reassessment or
    # sign-off again, no certificate, no work queue.
    assert ready.status == CompetenceStatus.REVOKED
    assert ready.changes.order_by("at").last().what == "Revoked: the PA left"
    with pytest.raises(Conflict, match="revoked"):
        services.record_assessment(
            actor=clinician, competence=ready, assessed_on=TODAY, observations="x", passed=True
        )
    with pytest.raises(Conflict, match="revoked"):
        sign(ready, clinician)


@pytest.mark.django_db
def test_a_sign_off_lasts_no_longer_than_the_training_it_needs(ready, clinician, trained):
    """The PEG feeding training runs out on 1 March 2027: a review by 23 May 2027 (within the
    task's 6 months) is refused, one by 1 March 2027 is accepted."""
    type(trained).objects.filter(pk=trained.pk).update(expires_on=datetime.date(2027, 3, 1))
    with pytest.raises(ValidationError) as excinfo:
        sign(ready, clinician, IN_SIX_MONTHS)
    assert excinfo.value.message_dict == {
        "review_on": [
            "The review date must be on or before 1 March 2027, when Priya Shah's training "
            "record for PEG feeding training runs out"
        ]
    }
    ready.refresh_from_db()
    assert sign(ready, clinician, datetime.date(2027, 3, 1)).review_on == datetime.date(2027, 3, 1)


@pytest.mark.django_db
def test_reassessment_and_a_new_sign_off_extend_the_review_date(ready, clinician, today_is):
    sign(ready, clinician, review_on=datetime.date(2027, 1, 10))
    today_is(datetime.date(2027, 1, 5))
    ready.refresh_from_db()
    with pytest.raises(Conflict, match="No passed competence assessment"):
        sign(ready, clinician, review_on=datetime.date(2027, 6, 1))
    ready.refresh_from_db()
    services.record_assessment(
        actor=clinician,
        competence=ready,
        assessed_on=datetime.date(2027, 1, 5),
        observations="Still safe",
        passed=True,
    )
    ready.refresh_from_db()
    sign(ready, clinician, review_on=datetime.date(2027, 7, 5))
    ready.refresh_from_db()
    assert ready.review_on == datetime.date(2027, 7, 5)
    assert ready.changes.filter(what__startswith="Signed off again").exists()


@pytest.mark.django_db
def test_suspension_takes_effect_at_once_and_needs_a_reassessment(ready, clinician, holder):
    sign(ready, clinician)
    ready.refresh_from_db()
    services.stop_competence(actor=clinician, competence=ready, revoke=False, reason="Incident")
    assert selectors.cover(holder, on=TODAY)[0]["competent"] == []
    ready.refresh_from_db()
    with pytest.raises(Conflict, match="No passed competence assessment"):
        sign(ready, clinician)


@pytest.mark.django_db
def test_nothing_is_deleted(ready, clinician):
    change = CompetenceChange.objects.create(
        competence=ready, what="x", by=clinician, at=ready.created_at
    )
    with pytest.raises(ProgrammingError, match="Cannot update or delete"):
        change.delete()


# --- Reminders --------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("days", "step"), [(28, 28), (7, 7), (0, 0)])
def test_review_reminders_go_once_to_the_practitioner_and_the_employer(
    ready, clinician, holder, days, step
):
    sign(ready, clinician, review_on=TODAY + datetime.timedelta(days=days or 1))
    Competence.objects.filter(pk=ready.pk).update(review_on=TODAY + datetime.timedelta(days=days))
    assert scan_competence_reviews(today=TODAY) == 2
    assert scan_competence_reviews(today=TODAY) == 0
    claims = CompetenceReminder.objects.filter(competence=ready, step=step)
    assert {claim.recipient_user for claim in claims} == {clinician, holder.user}
    assert Message.objects.filter(subject__startswith="Competence review due").count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("days", "words"),
    [
        (13, "is due in 13 days, by 6 December 2026."),
        (28, "is due in 28 days, by 21 December 2026."),
        (1, "is due tomorrow, 24 November 2026."),
        (0, "is due today, 23 November 2026."),
    ],
)
def test_a_review_reminder_gives_the_days_really_left(ready, clinician, days, words):
    """Signed off on 23 November with the review by 6 December: the 28-day reminder goes out
    at once and says 13 days, not 28."""
    sign(ready, clinician, review_on=TODAY + datetime.timedelta(days=days or 1))
    Competence.objects.filter(pk=ready.pk).update(review_on=TODAY + datetime.timedelta(days=days))
    assert scan_competence_reviews(today=TODAY) == 2
    for message in Message.objects.filter(subject__startswith="Competence review due"):
        assert f"PEG feeding for {ready.delegation.budget_holder.full_name} {words}" in message.body


@pytest.mark.django_db
def test_no_reminder_between_the_steps(ready, clinician):
    sign(ready, clinician, review_on=TODAY + datetime.timedelta(days=60))
    assert scan_competence_reviews(today=TODAY) == 0


@pytest.mark.django_db
def test_a_stale_suspend_or_revoke_page_is_told_and_changes_nothing(ready, clinician):
    """Suspended from one tab, the other tab's "revoke" (made on the version before) is
    refused with what the competence is now."""
    seen = ready.lock_version
    services.stop_competence(
        actor=clinician, competence=ready, revoke=False, reason="Incident", lock_version=seen
    )
    with pytest.raises(Conflict, match=r"changed while you were looking at it: .* suspended it"):
        services.stop_competence(
            actor=clinician, competence=ready, revoke=True, reason="Unsafe", lock_version=seen
        )
    ready.refresh_from_db()
    assert ready.status == "suspended"


AT_3_34PM = datetime.datetime(2026, 11, 23, 15, 34, tzinfo=ZoneInfo("Europe/London"))


@pytest.mark.django_db
def test_a_second_suspend_says_who_suspended_it_and_when(ready, clinician, icb):
    """Dr Lee suspends Priya at 3:34pm; the practitioner's tab, opened before, sends
    "suspend" too: they are told who suspended it and when, in the product's time words."""
    colleague = UserFactory(role=Role.CLINICIAN, organisation=icb, full_name="Dr Lee")
    seen = ready.lock_version
    with time_machine.travel(AT_3_34PM, tick=False):
        services.stop_competence(
            actor=colleague, competence=ready, revoke=False, reason="Incident", lock_version=seen
        )
    with pytest.raises(Conflict) as refused:
        services.stop_competence(
            actor=clinician, competence=ready, revoke=False, reason="Missed feed", lock_version=seen
        )
    assert str(refused.value) == (
        "This competence changed while you were looking at it: Dr Lee suspended it at 3:34pm "
        "on 23 November 2026. Check it, then decide again. Nothing was changed."
    )
    with pytest.raises(Conflict) as refused:
        services.stop_competence(
            actor=clinician, competence=ready, revoke=False, reason="Missed feed"
        )
    assert str(refused.value) == (
        "This competence is already suspended: Dr Lee suspended it at 3:34pm on 23 November 2026"
    )


@pytest.mark.django_db
def test_a_second_sign_off_says_when_in_the_products_words(ready, clinician):
    seen = ready.lock_version
    with time_machine.travel(AT_3_34PM, tick=False):
        sign(ready, clinician)
    with pytest.raises(Conflict) as refused:
        services.sign_off(
            actor=clinician, competence=ready, review_on=IN_SIX_MONTHS, lock_version=seen
        )
    assert str(refused.value) == (
        f"This was already signed off by {clinician.full_name} at 3:34pm on 23 November 2026"
    )


@pytest.mark.django_db
def test_support_staff_confirm_for_a_managed_account_organisation_and_for_no_one_else(
    delegation, assistant, employer, pa_employer_support, clinician, holder
):
    """A managed-account organisation employs the PA: its support staff act for it, so they
    give the employer's side of the agreement (as they approve its timesheets). For an employer
    who is the person, only the person (or their representative) can."""
    competence = services.start_competence(
        actor=clinician, delegation=delegation, assistant=assistant
    )
    with pytest.raises(PermissionDenied):
        services.confirm_agreement(
            actor=pa_employer_support, competence=competence, party="employer"
        )
    employer.kind = EmployerKind.MANAGED_ACCOUNT
    employer.employer_name = "Northtown Managed Accounts Ltd"
    employer.save()
    competence = Competence.objects.get(pk=competence.pk)
    agreed = services.confirm_agreement(
        actor=pa_employer_support, competence=competence, party="employer"
    )
    assert agreed.employer_agreed_by == pa_employer_support
    assert agreed.employer_agreed_at is not None
    with pytest.raises(PermissionDenied):
        services.confirm_agreement(actor=clinician, competence=agreed, party="employer")


# --- Dates the sign-off relies on -------------------------------------------------------


@pytest.mark.django_db
def test_a_reassessment_dated_before_the_suspension_does_not_lift_it(ready, clinician, today_is):
    """Signed off on 23 November 2026, suspended on 6 December 2026: an assessment dated
    5 December saw the PA before whatever led to the suspension, so it is refused; one dated
    6 December (the day of the suspension) or later is what the sign-off needs."""
    sign(ready, clinician, review_on=datetime.date(2027, 5, 1))
    today_is(datetime.date(2026, 12, 6))
    ready.refresh_from_db()
    services.stop_competence(actor=clinician, competence=ready, revoke=False, reason="Incident")
    with pytest.raises(ValidationError) as error:
        services.record_assessment(
            actor=clinician,
            competence=ready,
            assessed_on=datetime.date(2026, 12, 5),
            observations="Safe",
            passed=True,
        )
    assert error.value.message_dict == {
        "assessed_on": [
            "The date of the assessment must be on or after 6 December 2026, when the "
            "competence was suspended"
        ]
    }
    ready.refresh_from_db()
    assert ready.assessed_on == datetime.date(2026, 11, 3)
    services.record_assessment(
        actor=clinician,
        competence=ready,
        assessed_on=datetime.date(2026, 12, 6),
        observations="Safe again",
        passed=True,
    )
    ready.refresh_from_db()
    assert sign(ready, clinician, review_on=datetime.date(2027, 5, 1)).status == "signed_off"


@pytest.mark.django_db
def test_a_review_needs_an_assessment_on_or_after_the_last_sign_off(ready, clinician, today_is):
    """Signed off on 23 November 2026 on an assessment of 3 November; at the review (5 January
    2027) a reassessment dated 20 November, before that sign-off, is refused."""
    sign(ready, clinician, review_on=datetime.date(2027, 1, 10))
    today_is(datetime.date(2027, 1, 5))
    ready.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.record_assessment(
            actor=clinician,
            competence=ready,
            assessed_on=datetime.date(2026, 11, 20),
            observations="Safe",
            passed=True,
        )
    assert error.value.message_dict == {
        "assessed_on": [
            "The date of the assessment must be on or after 23 November 2026, when "
            "Priya Shah was last signed off"
        ]
    }


@pytest.mark.django_db
def test_an_assessment_dated_before_the_suspension_is_not_waiting_for_sign_off(
    ready, clinician, today_is
):
    """An assessment already recorded (before this was checked) after the suspension but
    dated before it lifts nothing: the sign-off and the work queue go by its date."""
    sign(ready, clinician, review_on=datetime.date(2027, 5, 1))
    today_is(datetime.date(2026, 12, 6))
    ready.refresh_from_db()
    services.stop_competence(actor=clinician, competence=ready, revoke=False, reason="Incident")
    Competence.objects.filter(pk=ready.pk).update(
        assessed_on=datetime.date(2026, 12, 5),
        assessment_passed=True,
        assessment_recorded_at=ready.created_at.replace(year=2027),
    )
    ready.refresh_from_db()
    gaps = services.sign_off_gaps(ready, on=datetime.date(2026, 12, 6))
    assert "No passed competence assessment is waiting for sign-off" in gaps
    queue = selectors.work_queue(clinician, on=datetime.date(2026, 12, 6))
    assert ready not in queue["waiting"]
    assert ready in queue["in_progress"]


@pytest.mark.django_db
def test_task_training_given_after_the_assessment_needs_a_new_assessment(
    ready, clinician, today_is
):
    """Assessed (and passed) on 3 November 2026, then task training recorded as given on
    20 November. The training is accepted (a practitioner retrains a PA, at a review or after
    a suspension, before assessing them again), but the sign-off is refused until the PA is
    assessed on or after it: a clinician signs off what they saw the PA do after the training
    the PA now relies on, and the certificate never reads "Assessed on 3 November. Task
    training given on 20 November"."""
    services.record_training(
        actor=clinician,
        competence=ready,
        delivered_on=datetime.date(2026, 11, 20),
        delivered_by="Nurse Jones",
    )
    ready.refresh_from_db()
    gap = "The PA has not been assessed since the task training given on 20 November 2026"
    assert services.sign_off_gaps(ready, on=TODAY) == [gap]
    with pytest.raises(Conflict, match=gap):
        sign(ready, clinician)
    assert ready not in selectors.work_queue(clinician, on=TODAY)["waiting"]
    services.record_assessment(
        actor=clinician,
        competence=ready,
        assessed_on=datetime.date(2026, 11, 21),
        observations="Safe",
        passed=True,
    )
    ready.refresh_from_db()
    assert ready in selectors.work_queue(clinician, on=TODAY)["waiting"]
    assert sign(ready, clinician).status == CompetenceStatus.SIGNED_OFF


@pytest.mark.django_db
def test_the_review_date_is_limited_by_the_training_record_in_force(
    ready, clinician, assistant, module
):
    """Two current records of the PEG feeding training: one completed 1 January 2026 and
    running out on 1 January 2027, the other (the fixture's) completed 23 October 2026 and
    running out on 23 October 2027. The one in force is the longer-lasting, so a review by
    23 May 2027 (six months) is accepted and not limited to 1 January 2027."""
    TrainingRecordFactory(
        assistant=assistant,
        module=module,
        completed_on=datetime.date(2026, 1, 1),
        expires_on=datetime.date(2027, 1, 1),
    )
    assert services.training_expiring_first(ready, on=TODAY).expires_on == datetime.date(
        2027, 10, 23
    )
    assert sign(ready, clinician, IN_SIX_MONTHS).review_on == IN_SIX_MONTHS


@pytest.mark.django_db
def test_training_that_never_runs_out_sets_no_limit(ready, clinician, assistant, module):
    """A record of the module with no expiry is the one in force: it never runs out, so the
    earlier-expiring record of the same module limits nothing."""
    TrainingRecordFactory(
        assistant=assistant, module=module, completed_on=datetime.date(2026, 9, 1), expires_on=None
    )
    assert services.training_expiring_first(ready, on=TODAY) is None


# --- The practitioner who delegates signs off -------------------------------------------


@pytest.mark.django_db
def test_only_the_delegating_practitioner_agrees_and_signs_off(
    delegation, assistant, clinician, icb, ready
):
    """Another clinician of the ICB may see the competence, record training and assessments,
    and suspend it, but only the practitioner who delegated the task (and stays accountable
    for it) confirms the practitioner's side of the agreement and signs the PA off."""
    colleague = UserFactory(role=Role.CLINICIAN, organisation=icb, full_name="Dr Lee")
    who = (
        f"Only {clinician.full_name}, who delegated PEG feeding for "
        f"{delegation.budget_holder.full_name} and is accountable for it,"
    )
    with pytest.raises(Conflict, match=f"{who} can sign off a PA for it"):
        sign(ready, colleague)
    ready.refresh_from_db()
    assert ready.status == CompetenceStatus.IN_PROGRESS
    Competence.objects.filter(pk=ready.pk).update(practitioner_agreed_at=None)
    ready.refresh_from_db()
    with pytest.raises(Conflict, match=f"{who} can confirm the practitioner's agreement"):
        services.confirm_agreement(actor=colleague, competence=ready, party="practitioner")
    services.confirm_agreement(actor=clinician, competence=ready, party="practitioner")
    ready.refresh_from_db()
    assert sign(ready, clinician).signed_off_by == clinician
