"""Changing who legally employs the PAs: the three-way agreement on a delegated task was with
the old employer, so each open competence loses the employer's agreement, a signed-off one is
suspended at once (with its history entry and the messages a suspension sends), and the page
says how many sign-offs were suspended and why. Changing anything else changes no sign-off."""

import datetime
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from employers.models import CompetenceStatus, EmployerKind
from employers.services import delegation
from employers.services import employers as services
from phb.models import Message
from tests.employers.factories import PaUserFactory, PersonalAssistantFactory
from tests.employers.factories_delegation import ready_competence
from tests.employers.test_delegation_pages import setup_ready
from tests.factories import BudgetHolderFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 23)


@pytest.fixture
def competences(icb, holder, clinician, today_is):
    """Of the holder's PAs: Priya signed off; Sam being assessed, the employer having agreed;
    Jo suspended by a clinician; Lee revoked. And a PA of another employer, signed off."""
    today_is(TODAY)
    priya = setup_ready(icb, holder, clinician, PaUserFactory(email="priya@example.org"))
    priya = delegation.sign_off(
        actor=clinician,
        competence=priya,
        review_on=datetime.date(2027, 5, 1),
        lock_version=priya.lock_version,
    )
    task_delegation = priya.delegation
    employer = holder.employer

    def ready(name):
        pa = PersonalAssistantFactory(employer=employer, full_name=name)
        return ready_competence(task_delegation, pa, employer_user=holder.user)

    sam = ready("Sam Okafor")
    jo = ready("Jo Bright")
    jo = delegation.stop_competence(
        actor=clinician, competence=jo, revoke=False, reason="A missed feed"
    )
    lee = ready("Lee Grant")
    lee = delegation.stop_competence(actor=clinician, competence=lee, revoke=True, reason="Unsafe")
    elsewhere = setup_ready(icb, BudgetHolderFactory(organisation=icb), clinician, None)
    return {"priya": priya, "sam": sam, "jo": jo, "lee": lee, "elsewhere": elsewhere}


def new_messages(competences) -> dict[str, Message]:
    """The messages sent since the fixture made the competences, by address."""
    return {
        m.to_address: m
        for m in Message.objects.filter(created_at__gt=competences["elsewhere"].created_at)
    }


def change_to_managed_account(actor, employer, **changes):
    return services.change_who_employs(
        actor=actor,
        employer=employer,
        **{"kind": EmployerKind.MANAGED_ACCOUNT, "employer_name": "Acme Care Ltd"} | changes,
    )


def test_a_new_employer_suspends_sign_offs_and_withdraws_the_old_agreement(
    competences, holder, pa_employer_support
):
    employer = change_to_managed_account(pa_employer_support, holder.employer)
    assert [c.pk for c in employer.suspended] == [competences["priya"].pk]
    reason = (
        "The legal employer changed from the budget holder to Acme Care Ltd (a managed "
        "account) on 23 November 2026: the new employer has to agree to the delegation"
    )
    priya = competences["priya"]
    priya.refresh_from_db()
    assert priya.status == CompetenceStatus.SUSPENDED
    assert (priya.stopped_by, priya.stopped_reason) == (pa_employer_support, reason)
    assert priya.stopped_at is not None
    latest = priya.changes.order_by("at").last()
    assert (latest.what, latest.reason, latest.by) == (
        "Suspended: the employer changed",
        reason,
        pa_employer_support,
    )
    for name in ("priya", "sam", "jo"):
        competence = competences[name]
        competence.refresh_from_db()
        assert (competence.employer_agreed_at, competence.employer_agreed_by) == (None, None)
    sam = competences["sam"]
    assert sam.status == CompetenceStatus.IN_PROGRESS
    assert sam.changes.order_by("at").last().what == (
        "Employer's agreement withdrawn: the employer changed"
    )
    jo = competences["jo"]
    assert (jo.status, jo.stopped_reason) == (CompetenceStatus.SUSPENDED, "A missed feed")


def test_revoked_and_other_employers_competences_are_left_alone(
    competences, holder, pa_employer_support
):
    before = {
        name: (c.status, c.employer_agreed_at, c.lock_version)
        for name, c in competences.items()
        if name in ("lee", "elsewhere")
    }
    change_to_managed_account(pa_employer_support, holder.employer)
    for name, was in before.items():
        competence = competences[name]
        competence.refresh_from_db()
        assert (competence.status, competence.employer_agreed_at, competence.lock_version) == was


def test_the_pa_the_person_and_the_practitioner_are_told(
    competences, holder, clinician, pa_employer_support
):
    change_to_managed_account(pa_employer_support, holder.employer)
    messages = new_messages(competences)
    assert set(messages) == {"priya@example.org", holder.user.email, clinician.email}
    task = competences["priya"].delegation.task.name
    to_pa = messages["priya@example.org"]
    assert to_pa.subject == f"Suspended: Priya Shah must not do {task}"
    assert to_pa.body.startswith(f"{pa_employer_support.full_name} suspended your competence")
    assert "The legal employer changed from the budget holder to Acme Care Ltd" in to_pa.body


def test_sign_off_then_needs_the_new_employers_agreement(competences, holder, pa_employer_support):
    change_to_managed_account(pa_employer_support, holder.employer)
    for name in ("priya", "sam"):
        competence = competences[name]
        competence.refresh_from_db()
        gaps = delegation.sign_off_gaps(competence, on=TODAY)
        assert "The employer has not confirmed the agreement" in gaps


def test_another_nominee_is_a_new_employer_too(competences, holder, pa_employer_support):
    employer = services.change_who_employs(
        actor=pa_employer_support,
        employer=holder.employer,
        kind=EmployerKind.NOMINEE,
        employer_name="Pat Jones",
    )
    assert len(employer.suspended) == 1
    sam = competences["sam"]
    type(sam).objects.filter(pk=sam.pk).update(employer_agreed_at=timezone.now())  # Pat agreed
    employer = services.change_who_employs(
        actor=pa_employer_support,
        employer=employer,
        kind=EmployerKind.NOMINEE,
        employer_name="Chris Jones",
    )
    assert employer.suspended == []  # nothing signed off is left to suspend
    sam.refresh_from_db()
    assert sam.employer_agreed_at is None
    assert "from Pat Jones (a nominee) to Chris Jones (a nominee)" in (
        sam.changes.order_by("at").last().reason
    )


def test_changing_only_the_point_of_contact_changes_no_sign_off(
    competences, holder, pa_employer_support
):
    employer = services.change_who_employs(
        actor=pa_employer_support,
        employer=holder.employer,
        kind=EmployerKind.HOLDER,
        employer_name="",
        pa_contact_name="Robin Field",
    )
    assert employer.suspended == []
    holder.employer.refresh_from_db()
    assert holder.employer.pa_contact_name == "Robin Field"
    priya = competences["priya"]
    priya.refresh_from_db()
    assert priya.status == CompetenceStatus.SIGNED_OFF
    assert priya.employer_agreed_at is not None
    assert not new_messages(competences)


def test_writing_the_nominees_name_differently_changes_no_sign_off(
    competences, holder, pa_employer_support
):
    employer = holder.employer
    type(employer).objects.filter(pk=employer.pk).update(
        kind=EmployerKind.NOMINEE, employer_name="pat  jones"
    )
    employer = services.change_who_employs(
        actor=pa_employer_support,
        employer=employer,
        kind=EmployerKind.NOMINEE,
        employer_name="Pat Jones",
    )
    assert employer.suspended == []
    priya = competences["priya"]
    priya.refresh_from_db()
    assert priya.status == CompetenceStatus.SIGNED_OFF
    assert priya.employer_agreed_at is not None
    assert not new_messages(competences)


def test_a_refused_change_changes_no_sign_off(competences, holder, pa_employer_support):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        change_to_managed_account(pa_employer_support, holder.employer, employer_name="")
    priya = competences["priya"]
    priya.refresh_from_db()
    assert priya.status == CompetenceStatus.SIGNED_OFF
    assert not new_messages(competences)


def test_the_page_says_how_many_sign_offs_were_suspended_and_why(
    client, competences, holder, pa_employer_support
):
    employer = holder.employer
    employer.refresh_from_db()
    client.force_login(pa_employer_support)
    url = reverse("employers:employer_change", args=[employer.pk, "who"])
    response = client.post(
        url,
        {
            "kind": EmployerKind.MANAGED_ACCOUNT,
            "employer_name": "Acme Care Ltd",
            "page_version": employer.updated_at.isoformat(),
        },
        follow=True,
    )
    page = " ".join(unescape(response.content.decode()).split())
    task = competences["priya"].delegation.task.name
    assert (
        "Who employs the PAs: saved. 1 sign-off was suspended because the legal employer "
        f"changed (Priya Shah for {task}): the new employer has to confirm the agreement"
    ) in page
    priya = competences["priya"]
    priya.refresh_from_db()
    assert priya.status == CompetenceStatus.SUSPENDED
    assert timezone.localdate(priya.stopped_at) == TODAY
