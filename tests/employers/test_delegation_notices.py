"""When a PA must stop a delegated task (their competence suspended or revoked, or the
delegation ended), the PA, the person's side and the practitioner are sent a message at once,
in the same transaction; a refused change tells nobody."""

import datetime
from html import unescape

import pytest
from django.db import transaction
from django.urls import reverse

from budgets.services import Conflict
from employers.models import Competence, CompetenceStatus
from employers.services import delegation as services
from employers.services.employers import record_leaving
from phb.models import ContactMethod, Message, Role
from tests.employers.factories import PaUserFactory, PersonalAssistantFactory
from tests.employers.test_delegation_pages import setup_ready
from tests.factories import RepresentativeFactory, UserFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 23)


@pytest.fixture
def signed_off(icb, holder, clinician, today_is):
    """Priya signed off for the task, with a sign-in; Sam being assessed, with no sign-in and
    an email address; the person's son as their representative."""
    today_is(TODAY)
    competence = setup_ready(icb, holder, clinician, PaUserFactory(email="priya@example.org"))
    competence = services.sign_off(
        actor=clinician,
        competence=competence,
        review_on=datetime.date(2027, 5, 1),
        lock_version=competence.lock_version,
    )
    sam = PersonalAssistantFactory(
        employer=holder.employer, full_name="Sam Okafor", email="sam@example.org"
    )
    services.start_competence(actor=clinician, delegation=competence.delegation, assistant=sam)
    RepresentativeFactory(budget_holder=holder, user__full_name="Jo Rep", user__email="jo@x.org")
    return competence


def sent() -> dict[str, Message]:
    return {message.to_address: message for message in Message.objects.order_by("created_at")}


def test_suspending_tells_the_pa_and_the_persons_side(signed_off, clinician, holder):
    competence = services.stop_competence(
        actor=clinician, competence=signed_off, revoke=False, reason="A missed feed on Friday"
    )
    messages = sent()
    assert set(messages) == {"priya@example.org", holder.user.email, "jo@x.org"}
    task, person = signed_off.delegation.task.name, holder.full_name
    to_pa = messages["priya@example.org"]
    assert to_pa.subject == f"Suspended: Priya Shah must not do {task}"
    assert (to_pa.recipient_role, to_pa.recipient_user_id) == ("PA", signed_off.assistant.user_id)
    assert to_pa.body.startswith(
        f"{clinician.full_name} suspended your competence for {task} for {person} at "
    )
    assert "The reason given: A missed feed on Friday" in to_pa.body
    assert (
        "You must not do this task until a clinician reassesses you and signs you off again."
        in to_pa.body
    )
    assert to_pa.body.endswith(reverse("employers:competence", args=[signed_off.pk]))
    to_person = messages[holder.user.email]
    assert to_person.recipient_role == "The person"
    assert "suspended Priya Shah's competence" in to_person.body
    assert (
        "Priya Shah must not do this task until a clinician reassesses them and signs them off "
        "again."
    ) in to_person.body
    # The clinician who acted is not told what they did themselves.
    assert clinician.email not in messages
    assert competence.told == ["Priya Shah", holder.full_name, "Jo Rep"]
    assert {m.status for m in messages.values()} == {"queued"}


def test_revoking_says_it_is_not_restored(signed_off, clinician, holder):
    services.stop_competence(actor=clinician, competence=signed_off, revoke=True, reason="Unsafe")
    to_pa = sent()["priya@example.org"]
    assert to_pa.subject.startswith("Revoked: Priya Shah must not do ")
    assert (
        "You must not do this task. A revoked competence is not restored: before you may do "
        "the task again, a clinician has to start a new competence record and sign it off."
        in to_pa.body
    )


def test_another_clinician_acting_tells_the_practitioner_who_delegated(signed_off, clinician, icb):
    colleague = UserFactory(role=Role.CLINICIAN, organisation=icb, full_name="Dr Lee")
    services.stop_competence(actor=colleague, competence=signed_off, revoke=False, reason="Audit")
    to_practitioner = sent()[clinician.email]
    assert to_practitioner.recipient_role == "Practitioner"
    assert to_practitioner.body.startswith("Dr Lee suspended Priya Shah's competence")


def test_the_person_is_told_as_they_prefer(signed_off, clinician, holder):
    holder.preferred_contact, holder.phone = ContactMethod.TEXT, "07700 900123"
    holder.save()
    services.stop_competence(actor=clinician, competence=signed_off, revoke=False, reason="Why")
    to_person = [m for m in sent().values() if m.recipient_role == "The person"]
    assert [(m.channel, m.to_address) for m in to_person] == [("text", "07700 900123")]


def test_ending_tells_each_pa_and_the_persons_side_once(signed_off, clinician, holder):
    delegation = services.end_delegation(
        actor=clinician, delegation=signed_off.delegation, reason="A district nurse now"
    )
    messages = sent()
    assert set(messages) == {"priya@example.org", "sam@example.org", holder.user.email, "jo@x.org"}
    task = signed_off.delegation.task.name
    lead = (
        f"{clinician.full_name} ended the delegation of {task} for {holder.full_name} on "
        "23 November 2026.\n\nThe reason given: A district nurse now\n\n"
    )
    priya = messages["priya@example.org"]
    assert priya.body.startswith(lead + "Your competence for this task is revoked")
    assert priya.body.endswith(reverse("employers:competence", args=[signed_off.pk]))
    # Sam has no sign-in: no link they could not follow.
    sam = messages["sam@example.org"]
    assert sam.recipient_user_id is None and "http" not in sam.body
    to_rep = messages["jo@x.org"]
    assert to_rep.body == (
        lead + "The competence of Priya Shah and Sam Okafor for this task is revoked: from now "
        "Priya Shah and Sam Okafor must not do it.\n\n"
        + to_rep.body.rsplit("\n\n", 1)[1]  # the link
    )
    assert to_rep.body.endswith(reverse("employers:delegation", args=[delegation.pk]))
    subject = f"Delegation ended: {task} for {holder.full_name}"
    assert all(m.subject == subject for m in messages.values())
    assert delegation.told == ["Priya Shah", "Sam Okafor", holder.full_name, "Jo Rep"]


def test_a_refused_change_tells_nobody(signed_off, clinician, icb):
    services.end_delegation(actor=clinician, delegation=signed_off.delegation, reason="Ended")
    before = Message.objects.count()
    with pytest.raises(Conflict):
        services.end_delegation(actor=clinician, delegation=signed_off.delegation, reason="Again")
    with pytest.raises(Conflict):
        services.stop_competence(actor=clinician, competence=signed_off, revoke=True, reason="X")
    assert Message.objects.count() == before


def test_a_change_rolled_back_sends_nothing(signed_off, clinician):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.stop_competence(actor=clinician, competence=signed_off, revoke=True, reason="X")
        raise RuntimeError
    assert not Message.objects.exists()
    signed_off.refresh_from_db()
    assert signed_off.status == CompetenceStatus.SIGNED_OFF


def test_the_page_says_who_was_told(client, signed_off, clinician, holder):
    client.force_login(clinician)
    response = client.post(
        reverse("employers:competence_stop", args=[signed_off.pk]),
        {"action": "suspend", "reason": "A missed feed", "lock_version": signed_off.lock_version},
        follow=True,
    )
    text = unescape(response.content.decode())
    assert (
        "The competence has been stopped: the PA must not do this task now. A message has been "
        f"sent to Priya Shah, {holder.full_name} and Jo Rep" in text
    )


def test_with_nobody_to_reach_the_page_says_so(client, signed_off, clinician, holder):
    holder.user.is_active = False
    holder.user.save()
    signed_off.assistant.user.is_active = False
    signed_off.assistant.user.save()
    for representative in holder.representatives.all():
        representative.user.is_active = False
        representative.user.save()
    client.force_login(clinician)
    response = client.post(
        reverse("employers:delegation_end", args=[signed_off.delegation_id]),
        {"reason": "Moved away"},
        follow=True,
    )
    text = unescape(response.content.decode())
    # Sam still has the email address their employer gave.
    assert "A message has been sent to Sam Okafor" in text


def test_a_pa_never_signed_off_is_not_to_be_signed_off_again(signed_off, clinician, holder):
    Competence.objects.filter(pk=signed_off.pk).update(
        status=CompetenceStatus.IN_PROGRESS, signed_off_at=None
    )
    competence = services.stop_competence(
        actor=clinician,
        competence=Competence.objects.get(pk=signed_off.pk),
        revoke=False,
        reason="Not ready",
    )
    (body,) = [
        m.body
        for m in Message.objects.filter(recipient_user_id=holder.user_id)
        if "Not ready" in m.body
    ]
    assert "until a clinician reassesses them and signs them off.\n" in body + "\n"
    assert "signs them off again" not in body
    assert competence.status == CompetenceStatus.SUSPENDED


def test_a_failed_reassessment_tells_the_pa_and_the_persons_side(
    client, signed_off, clinician, holder
):
    """Priya, signed off, is reassessed on 23 November 2026 and is not yet competent: she is
    off the task at once, so she, the person and their representative are told, as for a
    suspension."""
    client.force_login(clinician)
    response = client.post(
        reverse("employers:competence_assessment", args=[signed_off.pk]),
        {
            "assessed_on_day": "23",
            "assessed_on_month": "11",
            "assessed_on_year": "2026",
            "observations": "Did not flush the tube before the feed",
            "passed": "no",
            "lock_version": signed_off.lock_version,
        },
        follow=True,
    )
    text = unescape(response.content.decode())
    assert (
        "The assessment has been recorded. A message has been sent to Priya Shah, "
        f"{holder.full_name} and Jo Rep" in text
    )
    signed_off.refresh_from_db()
    assert signed_off.status == CompetenceStatus.IN_PROGRESS
    messages = sent()
    assert set(messages) == {"priya@example.org", holder.user.email, "jo@x.org"}
    task, person = signed_off.delegation.task.name, holder.full_name
    to_pa = messages["priya@example.org"]
    assert to_pa.subject == f"Not yet competent: Priya Shah must not do {task}"
    assert to_pa.body.startswith(
        f"{clinician.full_name} reassessed you for {task} for {person} on 23 November 2026: "
        "not yet competent."
    )
    assert "What was observed: Did not flush the tube before the feed" in to_pa.body
    assert (
        "You must not do this task until a clinician reassesses you and signs you off again."
        in to_pa.body
    )
    to_person = messages[holder.user.email]
    assert to_person.body.startswith(f"{clinician.full_name} reassessed Priya Shah for {task}")
    assert (
        "Priya Shah must not do this task until a clinician reassesses them and signs them off "
        "again." in to_person.body
    )


def test_a_failed_first_assessment_tells_nobody(signed_off, clinician):
    """Sam was never signed off: a "not yet" changes nothing they may do, so nobody is told."""
    sam = Competence.objects.exclude(pk=signed_off.pk).get()
    Competence.objects.filter(pk=sam.pk).update(training_delivered_on=datetime.date(2026, 11, 2))
    competence = services.record_assessment(
        actor=clinician,
        competence=Competence.objects.get(pk=sam.pk),
        assessed_on=TODAY,
        observations="Needs more practice",
        passed=False,
    )
    assert not Message.objects.exists()
    assert competence.told == []


def test_a_pa_leaving_tells_as_a_revocation_does(
    signed_off, clinician, holder, pa_employer_support
):
    """Priya leaves: her competence is revoked, and she, the person, their representative and
    the practitioner (someone else acted) are told, as when a clinician revokes it. Sam stays
    and is told nothing."""
    record_leaving(
        actor=pa_employer_support,
        assistant=signed_off.assistant,
        left_on=TODAY,
        reason="Moved to Leeds",
    )
    messages = sent()
    assert set(messages) == {"priya@example.org", holder.user.email, "jo@x.org", clinician.email}
    task, person = signed_off.delegation.task.name, holder.full_name
    assert {m.subject for m in messages.values()} == {f"Revoked: Priya Shah must not do {task}"}
    to_person = messages[holder.user.email]
    assert to_person.body.startswith(
        f"{pa_employer_support.full_name} revoked Priya Shah's competence for {task} for "
        f"{person} at "
    )
    assert "The reason given: Priya Shah left on 23 November 2026" in to_person.body
    assert (
        "Priya Shah must not do this task. A revoked competence is not restored: before they "
        "may do the task again, a clinician has to start a new competence record and sign it off."
    ) in to_person.body
    assert messages["priya@example.org"].body.startswith(
        f"{pa_employer_support.full_name} revoked your competence for {task}"
    )
    assert messages[clinician.email].recipient_role == "Practitioner"


def test_the_leaving_page_says_who_was_told(
    client, signed_off, clinician, holder, pa_employer_support
):
    client.force_login(pa_employer_support)
    response = client.post(
        reverse("employers:pa_leaving", args=[signed_off.assistant_id]),
        {
            "left_on_day": "23",
            "left_on_month": "11",
            "left_on_year": "2026",
            "reason": "Moved to Leeds",
        },
        follow=True,
    )
    text = unescape(response.content.decode())
    task = signed_off.delegation.task.name
    assert (
        f"The PA's leaving has been recorded. Priya Shah's competence for {task} has been "
        f"revoked. A message has been sent to Priya Shah, {holder.full_name}, Jo Rep and "
        f"{clinician.full_name}"
    ) in text
