"""Ending a delegation: only whoever may delegate the task for the person, with a reason; it
takes effect at once, revokes every PA's competence under it with a history entry, gives no
more cover on the record, the plan and the holder's page, and a second attempt is told who
ended it and when."""

import datetime
from html import unescape

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from budgets.services import Conflict
from employers.models import CompetenceStatus, Delegation
from employers.services import delegation as services
from phb.models import RecordAccess, Role
from tests.employers.factories import PaUserFactory, PersonalAssistantFactory
from tests.employers.factories_delegation import DelegationFactory
from tests.employers.test_delegation_pages import setup_ready
from tests.factories import UserFactory, add_totp

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 23)
REASON = "Alex now has a district nurse for the overnight feed"


def page(response) -> str:
    return unescape(response.content.decode())


@pytest.fixture
def signed_off(icb, holder, clinician, today_is):
    """Priya signed off for the task, and Sam still being assessed for it."""
    today_is(TODAY)
    competence = setup_ready(icb, holder, clinician, PaUserFactory())
    competence = services.sign_off(
        actor=clinician,
        competence=competence,
        review_on=datetime.date(2027, 5, 1),
        lock_version=competence.lock_version,
    )
    sam = PersonalAssistantFactory(employer=holder.employer, full_name="Sam Okafor")
    services.start_competence(actor=clinician, delegation=competence.delegation, assistant=sam)
    return competence


def test_ending_revokes_every_competence_with_a_history_entry(signed_off, clinician):
    delegation = services.end_delegation(
        actor=clinician, delegation=signed_off.delegation, reason=f"  {REASON}  "
    )
    assert (delegation.ended_on, delegation.ended_by, delegation.ended_reason) == (
        TODAY,
        clinician,
        REASON,
    )
    for competence in delegation.competences.all():
        assert competence.status == CompetenceStatus.REVOKED
        assert competence.stopped_by == clinician
        assert competence.stopped_reason == REASON
        latest = competence.changes.order_by("at").last()
        assert (latest.what, latest.reason, latest.by) == (
            "Revoked: the delegation ended",
            REASON,
            clinician,
        )
    assert delegation.competences.count() == 2
    # The delegation's own change is in its audit trail (pghistory).
    assert delegation.events.filter(ended_on=TODAY).exists()


def test_ending_twice_says_who_ended_it_and_changes_nothing(signed_off, clinician, icb):
    services.end_delegation(actor=clinician, delegation=signed_off.delegation, reason=REASON)
    second = UserFactory(role=Role.CLINICIAN, organisation=icb)
    with pytest.raises(Conflict) as error:
        services.end_delegation(
            actor=second, delegation=signed_off.delegation, reason="Something else"
        )
    assert str(error.value) == (
        f"This delegation was already ended by {clinician.full_name} on 23 November 2026"
    )
    delegation = Delegation.objects.get(pk=signed_off.delegation_id)
    assert (delegation.ended_by, delegation.ended_reason) == (clinician, REASON)


def test_a_reason_is_needed(signed_off, clinician):
    with pytest.raises(ValidationError) as error:
        services.end_delegation(actor=clinician, delegation=signed_off.delegation, reason="   ")
    assert error.value.message_dict == {"reason": ["Enter why the delegation is ending"]}
    signed_off.refresh_from_db()
    assert signed_off.status == CompetenceStatus.SIGNED_OFF


@pytest.mark.parametrize("who", ["phb_lead", "care_coordinator", "pa_employer_support"])
def test_only_a_clinician_of_the_persons_icb_ends_it(signed_off, who, request):
    with pytest.raises(PermissionDenied):
        services.end_delegation(
            actor=request.getfixturevalue(who), delegation=signed_off.delegation, reason=REASON
        )


def test_the_database_refuses_an_end_without_who(signed_off):
    delegation = signed_off.delegation
    with pytest.raises(IntegrityError), transaction.atomic():
        Delegation.objects.filter(pk=delegation.pk).update(ended_on=TODAY, ended_reason=REASON)


def test_the_page_ends_it_and_every_page_then_says_so(
    client, signed_off, clinician, holder, phb_lead
):
    from tests.careplans.review_factories import plan_in_use

    version, _, _ = plan_in_use(phb_lead, holder)
    delegation = signed_off.delegation
    task = delegation.task.name
    client.force_login(holder.user)
    assert "PAs signed off now" in page(client.get(reverse("holder_home")))
    client.force_login(clinician)
    detail = reverse("employers:delegation", args=[delegation.pk])
    url = reverse("employers:delegation_end", args=[delegation.pk])
    assert url in page(client.get(detail))
    form = page(client.get(url))
    assert "The competence records of Priya Shah and Sam Okafor for this task are revoked" in form
    response = client.post(url, {"reason": REASON})
    assert response.url == detail
    text = page(client.get(detail))
    assert "The delegation has ended: no PA may do the task under it" in text
    assert (
        f"{clinician.full_name} ended this delegation on 23 November 2026: {REASON}. "
        f"No PA may do {task} for {holder.full_name} under it."
    ) in text
    assert url not in text
    assert "Start a PA&#x27;s competence record" not in text
    assert "Start a PA's competence record" not in text
    assert RecordAccess.objects.filter(
        user=clinician, budget_holder_id=holder.pk, what="delegated task", path=url
    ).exists()
    # No cover from it on the person's delegated tasks, record, plan or own page.
    person = page(client.get(reverse("employers:person_delegations", args=[holder.pk])))
    assert "No healthcare tasks are delegated for this person." in person
    assert "Delegations that have ended" in person
    assert detail in person
    client.force_login(phb_lead)
    for url_ in (
        reverse("person_detail", args=[holder.pk]),
        reverse("careplans:version", args=[version.pk]),
    ):
        text = page(client.get(url_))
        assert "PAs signed off now" not in text
        assert task not in text
    client.force_login(holder.user)
    assert "PAs signed off now" not in page(client.get(reverse("holder_home")))
    sign_offs = page(client.get(reverse("employers:employer_sign_offs", args=[holder.employer.pk])))
    assert f"Priya Shah must not do {task}: it was revoked ({REASON})." in sign_offs


def test_a_stale_tab_is_told_who_ended_it(client, signed_off, clinician, icb):
    delegation = signed_off.delegation
    url = reverse("employers:delegation_end", args=[delegation.pk])
    services.end_delegation(actor=clinician, delegation=delegation, reason=REASON)
    second = UserFactory(role=Role.CLINICIAN, organisation=icb)
    add_totp(second)
    client.force_login(second)
    told = f"This delegation was already ended by {clinician.full_name} on 23 November 2026"
    for response in (
        client.post(url, {"reason": "Also ending it"}, follow=True),
        client.get(url, follow=True),
    ):
        assert told in page(response)
    delegation.refresh_from_db()
    assert delegation.ended_reason == REASON


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", "Enter why the delegation is ending"),
        ("   ", "Enter why the delegation is ending"),
        ("x" * 501, "The reason must be 500 characters or fewer"),
    ],
)
def test_bad_input_is_shown_and_nothing_ends(client, signed_off, clinician, reason, message):
    client.force_login(clinician)
    url = reverse("employers:delegation_end", args=[signed_off.delegation_id])
    response = client.post(url, {"reason": reason})
    assert response.status_code == 200
    text = page(response)
    assert "There is a problem" in text
    assert message in text
    signed_off.refresh_from_db()
    assert signed_off.status == CompetenceStatus.SIGNED_OFF
    assert Delegation.objects.get(pk=signed_off.delegation_id).ended_on is None


def test_the_printed_record_says_it_ended(signed_off, clinician):
    from employers import delegation_documents
    from phb.documents import services as documents
    from phb.documents.models import DocumentStatus
    from phb.documents.sources import source_for
    from tests.documents.helpers import text_of

    delegation = services.end_delegation(
        actor=clinician, delegation=signed_off.delegation, reason=REASON
    )
    source = source_for(delegation_documents.DELEGATION_KIND)
    document = documents.request_document(actor=clinician, source=source, subject=delegation)
    document = documents.render_document(document_id=document.pk)
    assert document.status == DocumentStatus.DONE, document.error
    text = " ".join(text_of(bytes(type(document).objects.get(pk=document.pk).content)).split())
    assert f"ended this delegation on 23 November 2026: {REASON}" in text


def test_a_delegation_of_another_person_can_be_ended_afresh(signed_off, clinician, holder):
    """After it ends, the task may be delegated again for the person (a new record)."""
    services.end_delegation(actor=clinician, delegation=signed_off.delegation, reason=REASON)
    again = DelegationFactory(
        task=signed_off.delegation.task, budget_holder=holder, practitioner=clinician
    )
    assert again.ended_on is None
