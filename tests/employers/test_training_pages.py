"""Training pages: the catalogue for ICB administrators and PHB leads, a PA's training for
staff and the employer's side, recording training with evidence (bad input and hostile files
refused, nothing saved), the evidence download logged as a view, the PA's own page (nobody
else's), and "Training due" in a fixed number of queries."""

import datetime
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from employers.models.training import TrainingModule, TrainingRecord
from phb.models import AccessOutcome, RecordAccess
from tests.employers.factories import EmployerFactory, PaUserFactory, PersonalAssistantFactory
from tests.employers.factories_training import PDF, module, record, standard
from tests.factories import BudgetHolderFactory

pytestmark = pytest.mark.django_db


def page(response) -> str:
    return unescape(response.content.decode())


def date_fields(name: str, day: datetime.date) -> dict:
    return {f"{name}_day": day.day, f"{name}_month": day.month, f"{name}_year": day.year}


@pytest.fixture
def pa_user():
    return PaUserFactory()


@pytest.fixture
def assistant(holder, pa_user):
    return PersonalAssistantFactory(
        employer=EmployerFactory(budget_holder=holder), user=pa_user, full_name="Priya Shah"
    )


def test_an_icb_admin_adds_and_changes_training_in_the_catalogue(client, icb, icb_admin):
    client.force_login(icb_admin)
    response = client.get(reverse("employers:training_catalogue"))
    assert "Standard 16: Awareness of learning disability and autism" in page(response)
    url = reverse("employers:training_module_new")
    response = client.post(url, {"name": "", "refresh_months": "0"})
    assert "There is a problem" in page(response)
    assert not TrainingModule.objects.filter(name="Epilepsy awareness").exists()
    response = client.post(url, {"name": "Epilepsy awareness", "refresh_months": "24"})
    assert response.status_code == 302
    added = TrainingModule.objects.get(organisation=icb, name="Epilepsy awareness")
    change = reverse("employers:training_module", args=[added.pk])
    response = client.post(change, {"description": "", "refresh_months": "", "active": "no"})
    assert response.status_code == 302
    added.refresh_from_db()
    assert (added.refresh_months, added.active) == (None, False)


def test_the_catalogue_of_another_icb_is_not_found(client, icb, other_icb_lead):
    client.force_login(other_icb_lead)
    theirs = module(icb, "Food hygiene")
    assert client.get(reverse("employers:training_module", args=[theirs.pk])).status_code == 404


def test_support_staff_record_training_with_evidence(
    client, icb, assistant, pa_employer_support, holder
):
    client.force_login(pa_employer_support)
    url = reverse("employers:training_record_new", args=[assistant.pk])
    training = module(icb, "Food hygiene")
    today = timezone.localdate()
    data = {
        "module": training.pk,
        "provider": "Carewise Training",
        **date_fields("completed_on", today),
        "funding": "ief",
    }
    hostile = SimpleUploadedFile("certificate.pdf", b"MZ\x90\x00" + b"\x00" * 100)
    response = client.post(url, data | {"evidence": hostile})
    assert "The evidence must be a PDF, JPEG or PNG file" in page(response)
    assert not TrainingRecord.objects.exists()
    early = data | date_fields("expires_on", today - datetime.timedelta(days=1))
    response = client.post(url, early)
    assert "The expiry date must be after the date completed" in page(response)
    assert not TrainingRecord.objects.exists()

    evidence = SimpleUploadedFile("certificate.pdf", PDF, content_type="application/pdf")
    response = client.post(url, data | {"evidence": evidence})
    assert response.status_code == 302
    done = TrainingRecord.objects.get()
    assert done.expires_on.year == today.year + 3

    response = client.get(reverse("employers:pa_training", args=[assistant.pk]))
    assert "Food hygiene" in page(response)
    download = client.get(reverse("employers:training_evidence", args=[done.pk]))
    assert download.content == PDF
    assert download["Content-Type"] == "application/pdf"
    assert RecordAccess.objects.filter(
        user=pa_employer_support,
        budget_holder_id=holder.pk,
        what="training evidence",
        outcome=AccessOutcome.VIEWED,
    ).exists()


def test_the_pa_sees_their_own_training_and_nobody_elses(
    client, icb, assistant, pa_user, pa_employer_support
):
    record(assistant, pa_employer_support, standard(icb, 1), timezone.localdate())
    other = PersonalAssistantFactory(
        employer=EmployerFactory(budget_holder=BudgetHolderFactory(organisation=icb)),
        user=PaUserFactory(),
    )
    client.force_login(pa_user)
    response = client.get(reverse("employers:my_training"))
    assert "1 of 16 standards signed off" in page(response)
    assert client.get(reverse("employers:pa_training", args=[other.pk])).status_code == 404
    record_url = reverse("employers:training_record_new", args=[assistant.pk])
    assert client.get(record_url).status_code == 404
    client.force_login(other.user)
    assert "0 of 16 standards" in page(client.get(reverse("employers:my_training")))
    assert client.get(reverse("employers:pa_training", args=[assistant.pk])).status_code == 404


def test_another_icbs_staff_get_not_found(client, assistant, other_icb_lead):
    client.force_login(other_icb_lead)
    assert client.get(reverse("employers:pa_training", args=[assistant.pk])).status_code == 404
    assert RecordAccess.objects.filter(outcome=AccessOutcome.REFUSED).exists()


def test_training_due_in_a_fixed_number_of_queries(client, icb, holder, pa_employer_support):
    today = timezone.localdate()
    employer = EmployerFactory(budget_holder=holder)

    def add_pas(count):
        for _ in range(count):
            pa = PersonalAssistantFactory(employer=employer)
            record(pa, pa_employer_support, standard(icb, 2), today)
            record(
                pa,
                pa_employer_support,
                module(icb, "Moving and handling"),
                today - datetime.timedelta(days=340),
            )

    client.force_login(pa_employer_support)
    url = reverse("employers:training_due")
    add_pas(2)
    with CaptureQueriesContext(connection) as few:
        response = client.get(url)
    text = page(response)
    assert "15 Care Certificate standards not signed off" in text
    assert "Moving and handling (expires soon" in text
    assert "Food hygiene: not done" in text
    add_pas(5)
    with CaptureQueriesContext(connection) as more:
        response = client.get(url)
    assert len(more) == len(few)


def test_the_record_and_the_holders_page_link_to_each_pas_training(
    client, assistant, holder, pa_employer_support
):
    training = reverse("employers:pa_training", args=[assistant.pk])
    client.force_login(pa_employer_support)
    assert training in page(client.get(reverse("person_detail", args=[holder.pk])))
    client.force_login(holder.user)
    assert training in page(client.get(reverse("holder_home")))


def test_your_work_links_to_your_training(client, assistant, pa_user):
    client.force_login(pa_user)
    response = client.get(reverse("employers:my_work"))
    assert reverse("employers:my_training") in page(response)


def test_a_standard_with_a_refresh_interval_expires_like_any_other_training(
    client, icb, assistant, pa_employer_support
):
    """Standard 3 (Duty of care) refreshed every 12 months, signed off on 23 September 2025:
    it expired on 23 September 2026, before today (23 November 2026). Standard 1, refreshed
    every 12 months and signed off on 1 January 2026, expires on 1 January 2027, within 60
    days: still done, and due soon. Both show as due on the PA's page and in "Training due",
    as a core module would."""
    today = timezone.localdate()
    duty, role = standard(icb, 3), standard(icb, 1)
    TrainingModule.objects.filter(pk__in=[duty.pk, role.pk]).update(refresh_months=12)
    duty.refresh_from_db()
    role.refresh_from_db()
    record(assistant, pa_employer_support, duty, datetime.date(2025, 9, 23), today=today)
    record(assistant, pa_employer_support, role, datetime.date(2026, 1, 1), today=today)
    client.force_login(pa_employer_support)

    text = " ".join(page(client.get(reverse("employers:pa_training", args=[assistant.pk]))).split())
    assert (
        "1 of 16 standards signed off by an assessor and in date; 1 more has expired and "
        "needs signing off again." in text
    )
    assert "Observed 23 Sep 2025, expired 23 Sep 2026" in text
    assert "Observed 1 Jan 2026, expires 1 Jan 2027" in text

    due = " ".join(page(client.get(reverse("employers:training_due"))).split())
    assert "Priya Shah" in due
    # 16 standards: 1 done, 1 expired (named below), so 14 never signed off.
    assert "14 Care Certificate standards not signed off" in due
    assert "Standard 3: Duty of care (expired, 23 Sep 2026)" in due
    assert "Standard 1: Understand your role (expires soon, 1 Jan 2027)" in due


@pytest.mark.parametrize("who", ["pa_employer_support", "holder"])
@pytest.mark.parametrize(
    ("completed_on", "expires_on"),
    [
        (datetime.date(9999, 12, 31), None),
        (datetime.date(9995, 1, 1), datetime.date(9999, 1, 1)),
        (datetime.date(9990, 6, 30), None),
    ],
)
def test_a_completion_year_near_9999_is_refused_in_words_not_a_server_error(
    client, request, icb, assistant, who, completed_on, expires_on
):
    """Completed 31 12 9999 (Food hygiene, refreshed every 3 years, would expire in 10002)
    or 1 1 9995 with expiry 1 1 9999 (ten years on is 10005): both are in the future, so the
    page says only that, and never works out an expiry past the calendar's last year."""
    user = request.getfixturevalue(who)
    client.force_login(user.user if who == "holder" else user)
    data = {
        "module": module(icb, "Food hygiene").pk,
        "provider": "Carewise Training",
        **date_fields("completed_on", completed_on),
        "funding": "ief",
    }
    if expires_on is not None:
        data |= date_fields("expires_on", expires_on)
    response = client.post(reverse("employers:training_record_new", args=[assistant.pk]), data)
    assert response.status_code == 200
    assert "The date completed must be today or in the past" in page(response)
    assert not TrainingRecord.objects.exists()


def test_an_assessor_for_a_core_module_is_refused_beside_the_box(
    client, icb, assistant, pa_employer_support
):
    """Food hygiene is a core module, not a Care Certificate standard: 'Jo Assessor' typed in
    the assessor's box was saved as nothing. It is refused beside the box, as a date observed
    is, and nothing is saved."""
    client.force_login(pa_employer_support)
    data = {
        "module": module(icb, "Food hygiene").pk,
        "provider": "Carewise Training",
        **date_fields("completed_on", timezone.localdate()),
        "funding": "ief",
        "assessor_name": "Jo Assessor",
    }
    response = client.post(reverse("employers:training_record_new", args=[assistant.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "assessor_name": ["Only a Care Certificate standard has an assessor"]
    }
    assert not TrainingRecord.objects.exists()
