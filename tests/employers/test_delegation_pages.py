"""Delegation pages: the sign-off asks for the clinician's password; the holder and the PA
read sign-offs in plain English, each only their own; the work queue and the person's cover
in a fixed number of queries; the printable record and certificate."""

import datetime
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import strip_tags

from employers import delegation_documents
from employers.models import Competence, CompetenceStatus
from phb.documents import services as documents
from phb.documents.models import DocumentStatus, GeneratedDocument
from phb.documents.services import request_document
from phb.documents.sources import source_for
from phb.models import Role
from tests.documents.helpers import text_of
from tests.employers.factories import EmployerFactory, PaUserFactory, PersonalAssistantFactory
from tests.employers.factories_delegation import (
    DelegatedTaskFactory,
    DelegationFactory,
    TrainingModuleFactory,
    TrainingRecordFactory,
    ready_competence,
)
from tests.factories import BudgetHolderFactory, HolderUserFactory, UserFactory, add_totp

pytestmark = pytest.mark.django_db
PROBLEM = "There is a problem"


def page(response) -> str:
    return unescape(response.content.decode())


@pytest.fixture
def pa_user():
    return PaUserFactory()


def setup_ready(icb, holder, clinician, pa_user, *, name="Priya Shah"):
    employer = getattr(holder, "employer", None) or EmployerFactory(budget_holder=holder)
    pa = PersonalAssistantFactory(employer=employer, user=pa_user, full_name=name)
    module = TrainingModuleFactory(organisation=icb)
    task = DelegatedTaskFactory(organisation=icb, review_months=6)
    task.required_training.set([module])
    TrainingRecordFactory(assistant=pa, module=module)
    delegation = DelegationFactory(task=task, budget_holder=holder, practitioner=clinician)
    return ready_competence(delegation, pa, employer_user=holder.user)


def sign_off_form(competence, password, review_on=datetime.date(2027, 5, 1)) -> dict:
    return {
        "review_on_day": review_on.day,
        "review_on_month": review_on.month,
        "review_on_year": review_on.year,
        "password": password,
        "lock_version": competence.lock_version,
    }


def test_a_wrong_password_refuses_the_sign_off(client, icb, holder, clinician, pa_user):
    competence = setup_ready(icb, holder, clinician, pa_user)
    client.force_login(clinician)
    url = reverse("employers:competence_sign_off", args=[competence.pk])
    response = client.post(url, sign_off_form(competence, "not-it"))
    assert response.status_code == 200
    assert PROBLEM in page(response)
    assert "The password is not right" in page(response)
    competence.refresh_from_db()
    assert competence.status == CompetenceStatus.IN_PROGRESS


def test_the_sign_off_page_says_what_is_missing_before_asking_for_anything(
    client, icb, holder, clinician, pa_user
):
    """Not ready (the PA has not confirmed the agreement): the page says so up front, with no
    form to fill in and be refused after."""
    competence = setup_ready(icb, holder, clinician, pa_user)
    Competence.objects.filter(pk=competence.pk).update(pa_agreed_at=None)
    client.force_login(clinician)
    text = page(client.get(reverse("employers:competence_sign_off", args=[competence.pk])))
    assert "Not ready to sign off" in text
    assert "Come back to sign off once these are done." in text
    assert 'name="password"' not in text and 'name="review_on_day"' not in text


def test_after_five_wrong_passwords_the_sign_off_waits(
    client, icb, holder, clinician, pa_user, password
):
    competence = setup_ready(icb, holder, clinician, pa_user)
    client.force_login(clinician)
    url = reverse("employers:competence_sign_off", args=[competence.pk])
    for _ in range(5):
        assert "The password is not right" in page(client.post(url, sign_off_form(competence, "x")))
    response = client.post(url, sign_off_form(competence, password))
    assert "The password was wrong 5 times: wait 15 minutes, then try again" in page(response)
    competence.refresh_from_db()
    assert competence.status == CompetenceStatus.IN_PROGRESS


def test_signed_off_shows_to_the_holder_and_the_pa_in_plain_english(
    client, icb, holder, clinician, pa_user, password
):
    competence = setup_ready(icb, holder, clinician, pa_user)
    client.force_login(clinician)
    url = reverse("employers:competence_sign_off", args=[competence.pk])
    response = client.post(url, sign_off_form(competence, password))
    assert response.status_code == 302
    task = competence.delegation.task.name
    client.force_login(holder.user)
    text = page(client.get(reverse("employers:employer_sign_offs", args=[holder.employer.pk])))
    assert f"Priya Shah was signed off for {task} by {clinician.full_name}" in text
    assert "The next review is due by 1 May 2027." in text
    client.force_login(pa_user)
    text = page(client.get(reverse("employers:own_sign_offs")))
    assert "Your sign-offs" in text
    assert f"You were signed off for {task} by {clinician.full_name}" in text
    assert "Priya Shah was" not in text


def test_the_competence_page_names_the_state_once_and_says_what_it_means(
    client, icb, holder, clinician, pa_user, password
):
    competence = setup_ready(icb, holder, clinician, pa_user)
    url = reverse("employers:competence", args=[competence.pk])
    client.force_login(holder.user)
    text = page(client.get(url))
    assert "Being assessed Being assessed" not in " ".join(text.split())
    assert "Not signed off yet: Priya Shah may not do this task until a practitioner" in text
    client.force_login(clinician)
    client.post(
        reverse("employers:competence_sign_off", args=[competence.pk]),
        sign_off_form(competence, password),
    )
    text = page(client.get(url))
    assert "Signed off Competent. Review by 1 May 2027." in " ".join(strip_tags(text).split())


def test_a_pa_sees_only_their_own_competences(client, icb, holder, clinician, pa_user):
    competence = setup_ready(icb, holder, clinician, pa_user)
    other = PaUserFactory()
    PersonalAssistantFactory(employer=holder.employer, user=other)
    client.force_login(other)
    assert client.get(reverse("employers:competence", args=[competence.pk])).status_code == 404
    assert "Priya" not in page(client.get(reverse("employers:own_sign_offs")))


def test_a_clinician_of_another_icb_gets_404(client, icb, other_icb, holder, clinician, pa_user):
    competence = setup_ready(icb, holder, clinician, pa_user)
    other = UserFactory(role=Role.CLINICIAN, organisation=other_icb)
    add_totp(other)
    client.force_login(other)
    url = reverse("employers:competence_sign_off", args=[competence.pk])
    assert client.get(url).status_code == 404


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_work_queue_and_the_cover_take_a_fixed_number_of_queries(
    client, icb, holder, clinician
):
    setup_ready(icb, holder, clinician, PaUserFactory())
    client.force_login(clinician)
    queue = reverse("employers:delegation_queue")
    person = reverse("employers:person_delegations", args=[holder.pk])
    few = (_queries(client, queue), _queries(client, person))
    for n in range(3):
        other = BudgetHolderFactory(organisation=icb, user=HolderUserFactory())
        setup_ready(icb, other, clinician, PaUserFactory(), name=f"PA {n}")
        setup_ready(icb, holder, clinician, PaUserFactory(), name=f"Second PA {n}")
    assert (_queries(client, queue), _queries(client, person)) == few
    assert "Sign-offs waiting" in page(client.get(queue))


def test_the_printed_record_and_certificate(icb, holder, clinician, pa_user, password):
    from employers.services import delegation as services

    competence = setup_ready(icb, holder, clinician, pa_user)
    competence = services.sign_off(
        actor=clinician,
        competence=competence,
        review_on=datetime.date(2027, 5, 1),
        lock_version=competence.lock_version,
    )
    for kind, subject, expected in (
        (delegation_documents.CERTIFICATE_KIND, competence, "Priya Shah is competent to do"),
        (
            delegation_documents.DELEGATION_KIND,
            competence.delegation,
            f"Delegation record: {competence.delegation.task.name}",
        ),
    ):
        request_document(actor=clinician, source=source_for(kind), subject=subject)
        document = GeneratedDocument.objects.get(kind=kind)
        document = documents.render_document(document_id=document.pk)
        assert document.status == DocumentStatus.DONE, document.error
        text = text_of(bytes(GeneratedDocument.objects.get(pk=document.pk).content))
        assert expected in text
        assert "1 May 2027" in text


def test_a_printed_record_is_out_of_date_once_a_review_it_states_has_passed(
    icb, holder, clinician, pa_user, today_is
):
    """Made on 23 November 2026, the record says Priya is signed off with the review due by
    1 December. On 2 December, with nothing saved, that is no longer true (she must not do the
    task), so the PDF is no longer offered as current: a new one says so."""
    from employers.models import Delegation
    from employers.services import delegation as services

    competence = setup_ready(icb, holder, clinician, pa_user)
    services.sign_off(
        actor=clinician,
        competence=competence,
        review_on=datetime.date(2026, 12, 1),
        lock_version=competence.lock_version,
    )
    source = source_for(delegation_documents.DELEGATION_KIND)
    delegation = Delegation.objects.get(pk=competence.delegation_id)
    document = request_document(actor=clinician, source=source, subject=delegation)
    today_is(datetime.date(2026, 12, 1))
    assert not documents.is_stale(document, source, delegation)
    today_is(datetime.date(2026, 12, 2))
    assert documents.is_stale(document, source, delegation)
    again = request_document(actor=clinician, source=source, subject=delegation)
    again = documents.render_document(document_id=again.pk)
    text = " ".join(text_of(bytes(GeneratedDocument.objects.get(pk=again.pk).content)).split())
    assert "must not do" in text and "the review was due by 1 December 2026" in text


def test_the_cover_shows_on_the_record_and_the_plan_and_a_lapse_is_a_gap(
    client, icb, holder, clinician, phb_lead, today_is
):
    from employers.services import delegation as services
    from tests.careplans.review_factories import plan_in_use

    version, _, _ = plan_in_use(phb_lead, holder)
    competence = setup_ready(icb, holder, clinician, PaUserFactory())
    services.sign_off(
        actor=clinician,
        competence=competence,
        review_on=datetime.date(2026, 12, 1),
        lock_version=competence.lock_version,
    )
    client.force_login(phb_lead)
    plan = reverse("careplans:version", args=[version.pk])
    record = reverse("person_detail", args=[holder.pk])
    for url in (plan, record):
        assert "PAs signed off now" in page(client.get(url))
        assert "Priya Shah" in page(client.get(url))
    today_is(datetime.date(2026, 12, 2))
    for url in (plan, record):
        assert "No cover:" in page(client.get(url))


def test_the_demo_catalogue_is_seeded_once_for_the_demo_icbs(icb):
    from employers.demo_delegation import COMMON_TASKS, seed
    from employers.models import DelegatedTask
    from tests.factories import OrganisationFactory

    north = OrganisationFactory(ods_code="QZA")
    seed()
    seed()
    assert DelegatedTask.objects.filter(organisation=north).count() == len(COMMON_TASKS)
    assert not DelegatedTask.objects.filter(organisation=icb).exists()


def test_a_competence_suspended_before_any_sign_off_is_not_to_be_signed_off_again():
    from types import SimpleNamespace

    from employers.models import CompetenceStatus
    from employers.views.delegation import state_means

    pa = SimpleNamespace(full_name="Adam Adult", status="working")
    never = SimpleNamespace(status=CompetenceStatus.SUSPENDED, signed_off_at=None, assistant=pa)
    assert state_means(never, None) == (
        "Adam Adult may not do this task until they are assessed and signed off."
    )
    once = SimpleNamespace(status=CompetenceStatus.SUSPENDED, signed_off_at=1, assistant=pa)
    assert state_means(once, None).endswith("assessed and signed off again.")


def _certificate(competence, clinician) -> GeneratedDocument:
    source = source_for(delegation_documents.CERTIFICATE_KIND)
    document = request_document(actor=clinician, source=source, subject=competence)
    return documents.render_document(document_id=document.pk)


@pytest.mark.parametrize(
    ("change", "now_true"),
    [
        ("suspend", "Priya Shah must not do {task} now: it was suspended (Incident on a visit)."),
        ("revoke", "Priya Shah must not do {task}: it was revoked (Unsafe practice)."),
        ("leave", "Priya Shah left on 23 November 2026, so they must not do {task} any more."),
        (
            "overdue",
            "Priya Shah must not do {task} now: the review was due by 1 December 2026 and has "
            "not been done.",
        ),
    ],
)
def test_a_certificate_is_downloaded_only_while_the_pa_is_signed_off_now(
    client, icb, holder, clinician, pa_user, pa_employer_support, today_is, change, now_true
):
    """Signed off with a review by 1 December 2026, Priya Shah's certificate says she "is
    competent" and downloads. Once she is suspended, revoked, has left or the review date
    has passed (2 December), the PDF made before no longer downloads and the page offers no
    link to it: it says, in words, what is true now."""
    from employers.services import delegation as services
    from employers.services.employers import record_leaving

    ready = setup_ready(icb, holder, clinician, pa_user)
    competence = services.sign_off(
        actor=clinician,
        competence=ready,
        review_on=datetime.date(2026, 12, 1),
        lock_version=ready.lock_version,
    )
    competence_page = reverse("employers:competence", args=[competence.pk])
    # The clinician, the budget holder and the PA each print their own.
    downloads = {}
    for user in (clinician, holder.user, pa_user):
        document = _certificate(competence, user)
        assert document.status == DocumentStatus.DONE, document.error
        downloads[user] = reverse("document_download", args=[document.pk])
    client.force_login(pa_user)
    response = client.get(downloads[pa_user])
    assert response["Content-Type"] == "application/pdf"
    assert "Priya Shah is competent to do" in text_of(response.content)

    if change == "suspend":
        services.stop_competence(
            actor=clinician, competence=competence, revoke=False, reason="Incident on a visit"
        )
    elif change == "revoke":
        services.stop_competence(
            actor=clinician, competence=competence, revoke=True, reason="Unsafe practice"
        )
    elif change == "leave":
        record_leaving(
            actor=pa_employer_support,
            assistant=competence.assistant,
            left_on=datetime.date(2026, 11, 23),
            reason="Moved away",
        )
    else:
        today_is(datetime.date(2026, 12, 2))
    words = now_true.format(task=competence.delegation.task.name)
    for user, download in downloads.items():
        client.force_login(user)
        response = client.get(download)
        assert response.status_code == 302
        assert response["Location"] == f"{competence_page}#pdf"
        shown = page(client.get(response["Location"]))
        assert words in shown
        assert "A certificate is printed only while a PA is signed off." in shown
        assert "Download the PDF" not in shown
        assert "can no longer be downloaded" in shown
    # Nor is a new one made while it is not true.
    competence.refresh_from_db()
    with pytest.raises(ValidationError, match="printed only while a PA is signed off"):
        request_document(
            actor=clinician,
            source=source_for(delegation_documents.CERTIFICATE_KIND),
            subject=competence,
        )


def test_a_certificate_made_before_the_review_date_passed_is_out_of_date(
    icb, holder, clinician, pa_user, today_is
):
    """The certificate's version changes when the review date passes (nothing on the
    competence itself changes), so a PDF made before it is out of date."""
    from employers.services import delegation as services

    ready = setup_ready(icb, holder, clinician, pa_user)
    competence = services.sign_off(
        actor=clinician,
        competence=ready,
        review_on=datetime.date(2026, 12, 1),
        lock_version=ready.lock_version,
    )
    document = _certificate(competence, clinician)
    source = source_for(delegation_documents.CERTIFICATE_KIND)
    assert not documents.is_stale(document, source, competence)
    today_is(datetime.date(2026, 12, 2))
    assert documents.is_stale(document, source, competence)


def test_the_sign_off_page_names_the_training_limit_it_enforces(
    client, icb, holder, clinician, pa_user
):
    """The task's review interval is 6 months (23 May 2027), but the training the task needs
    runs out on 1 March 2027: the page says the review date must be no later than 1 March
    2027, and why."""
    from employers.models import TrainingRecord

    competence = setup_ready(icb, holder, clinician, pa_user)
    TrainingRecord.objects.filter(assistant=competence.assistant).update(
        expires_on=datetime.date(2027, 3, 1)
    )
    client.force_login(clinician)
    text = page(client.get(reverse("employers:competence_sign_off", args=[competence.pk])))
    module = competence.delegation.task.required_training.get().name
    assert (
        "The review date must be in the future and no later than 1 March 2027, when Priya "
        f"Shah's training record for {module} runs out." in text
    )


def test_training_running_out_today_is_a_gap_before_sign_off(
    client, icb, holder, clinician, pa_user, password
):
    """Priya's training for the task runs out today, 23 November 2026: no review date can be
    in the future and no later than today, so the page says the training is renewed first,
    offers no form, and a sign-off sent anyway is refused with the same words."""
    from employers.models import TrainingRecord
    from employers.services import delegation as services

    competence = setup_ready(icb, holder, clinician, pa_user)
    TrainingRecord.objects.filter(assistant=competence.assistant).update(
        expires_on=datetime.date(2026, 11, 23)
    )
    module = competence.delegation.task.required_training.get().name
    gap = (
        f"The PA's training record for {module} runs out today, 23 November 2026: record the "
        "renewed training first"
    )
    client.force_login(clinician)
    url = reverse("employers:competence_sign_off", args=[competence.pk])
    text = page(client.get(url))
    assert "Not ready to sign off" in text and gap in text
    assert "The review date must be" not in text and 'name="password"' not in text
    response = client.post(url, sign_off_form(competence, password), follow=True)
    assert f"It cannot be signed off yet: {gap}" in page(response)
    assert services.sign_off_gaps(competence, on=datetime.date(2026, 11, 22)) == []
    assert Competence.objects.get(pk=competence.pk).status == CompetenceStatus.IN_PROGRESS


def test_another_clinician_is_told_who_signs_off(client, icb, holder, clinician, pa_user):
    """Dr Lee, a clinician of the same ICB who did not delegate the task, sees the competence
    but is offered neither the practitioner's agreement nor the sign-off: the pages say who
    can."""
    competence = setup_ready(icb, holder, clinician, pa_user)
    Competence.objects.filter(pk=competence.pk).update(practitioner_agreed_at=None)
    colleague = UserFactory(role=Role.CLINICIAN, organisation=icb, full_name="Dr Lee")
    add_totp(colleague)
    client.force_login(colleague)
    who = (
        f"Only {clinician.full_name}, who delegated {competence.delegation.task.name} for "
        f"{holder.full_name} and is accountable for it,"
    )
    text = page(client.get(reverse("employers:competence", args=[competence.pk])))
    assert reverse("employers:competence_agree", args=[competence.pk]) not in text
    assert reverse("employers:competence_sign_off", args=[competence.pk]) not in text
    assert f"{who} can confirm the practitioner's agreement and sign a PA off for it." in text
    text = page(client.get(reverse("employers:competence_sign_off", args=[competence.pk])))
    assert f"{who} can sign off a PA for it." in text
    assert "Your password" not in text
    response = client.post(
        reverse("employers:competence_sign_off", args=[competence.pk]),
        sign_off_form(competence, "whatever"),
        follow=True,
    )
    assert f"{who} can sign off a PA for it." in page(response)
    competence.refresh_from_db()
    assert competence.status == CompetenceStatus.IN_PROGRESS


def test_each_competence_and_task_page_is_titled_with_what_it_is_about(
    client, icb, holder, clinician, pa_user
):
    """WCAG 2.4.2: every PA's assessment page, and every task's change page, had one title."""
    competence = setup_ready(icb, holder, clinician, pa_user)
    task = competence.delegation.task
    client.force_login(clinician)
    about = f"Priya Shah: {task.name} for {holder.full_name}"
    text = page(client.get(reverse("employers:competence_assessment", args=[competence.pk])))
    assert f"<title>Record the competence assessment – {about} –" in text
    text = page(client.get(reverse("employers:delegated_task", args=[task.pk])))
    assert f"<title>Change a delegated healthcare task – {task.name} –" in text
