"""A PA makes and downloads the PDF of their own payslip, from the payslip page, the way every
other PDF is made (asked for, made in the background, then downloaded), and the download is
logged as a view. Another PA's payslip and its PDFs, and the person's own PDFs, stay 404."""

import datetime
from html import unescape

import pytest
from django.urls import reverse

from employers.models import ShiftKind
from employers.services import payruns
from phb.documents import services as documents
from phb.documents.models import DocumentStatus, GeneratedDocument
from phb.models import AccessOutcome, RecordAccess
from tests.documents.helpers import text_of
from tests.employers.factories import EmployerFactory, PaUserFactory, PersonalAssistantFactory
from tests.employers.factories_payroll import weeks_of

pytestmark = pytest.mark.django_db
APRIL_6 = datetime.date(2026, 4, 6)


def page(response) -> str:
    return unescape(response.content.decode())


@pytest.fixture
def finalised(today_is, holder, pa_employer_support):
    """A finalised run paying Alice (with a sign-in) and Ben (with another)."""
    today_is(datetime.date(2026, 4, 20))
    employer = EmployerFactory(budget_holder=holder, created_by=pa_employer_support)
    for name in ("Alice Smith", "Ben Jones"):
        pa = PersonalAssistantFactory(employer=employer, full_name=name, user=PaUserFactory())
        weeks_of(pa, pa_employer_support, APRIL_6, 4, ShiftKind.DAY, "8.00")
    run = payruns.start_pay_run(actor=pa_employer_support, employer=employer)
    return payruns.finalise_pay_run(actor=pa_employer_support, run=run)


def slip_of(run, name):
    return run.payslips.select_related("assistant__user").get(assistant__full_name=name)


def test_a_pa_makes_and_downloads_the_pdf_of_their_own_payslip(client, finalised, holder):
    slip = slip_of(finalised, "Alice Smith")
    client.force_login(slip.assistant.user)
    url = reverse("employers:payslip", args=[slip.pk])
    request_url = reverse("document_request", args=["payslip", slip.pk])
    text = page(client.get(url))
    assert "Make a PDF of this payslip to print, post or keep." in text
    assert request_url in text
    response = client.post(request_url)
    assert response.url == f"{url}#pdf"
    document = GeneratedDocument.objects.get(kind="payslip", requested_by=slip.assistant.user)
    assert "The PDF of this payslip is being made." in page(client.get(url))
    status = client.get(reverse("document_status", args=[document.pk]))
    assert status.json()["status"] == DocumentStatus.QUEUED
    documents.render_document(document_id=document.pk)
    download_url = reverse("document_download", args=[document.pk])
    assert download_url in page(client.get(url))
    download = client.get(download_url)
    assert download["Content-Type"] == "application/pdf"
    pdf = text_of(download.content)
    assert "Payslip for Alice Smith" in pdf
    assert "What the employer pays" not in pdf
    assert RecordAccess.objects.filter(
        user=slip.assistant.user,
        budget_holder_id=holder.pk,
        what="PDF of the payslip",
        outcome=AccessOutcome.VIEWED,
        path=download_url,
    ).exists()


def test_another_pa_gets_404_for_the_payslip_and_its_pdf(client, finalised):
    alice, ben = slip_of(finalised, "Alice Smith"), slip_of(finalised, "Ben Jones")
    client.force_login(alice.assistant.user)
    client.post(reverse("document_request", args=["payslip", alice.pk]))
    document = GeneratedDocument.objects.get(requested_by=alice.assistant.user)
    documents.render_document(document_id=document.pk)
    client.force_login(ben.assistant.user)
    assert client.post(reverse("document_request", args=["payslip", alice.pk])).status_code == 404
    for name in ("document_status", "document_download"):
        assert client.get(reverse(name, args=[document.pk])).status_code == 404
    assert RecordAccess.objects.filter(
        user=ben.assistant.user, what="PDF", outcome=AccessOutcome.REFUSED
    ).exists()
    # The staff's own PDF of Alice's payslip (made when the run was finalised) is not hers.
    staff_pdf = GeneratedDocument.objects.exclude(requested_by=alice.assistant.user).get(
        subject_id=alice.pk
    )
    documents.render_document(document_id=staff_pdf.pk)
    client.force_login(alice.assistant.user)
    assert client.get(reverse("document_download", args=[staff_pdf.pk])).status_code == 404


def test_a_pa_gets_404_for_the_persons_pdfs(client, finalised, holder, icb, clinician):
    from phb.documents.sources import source_for
    from tests.employers.factories_delegation import DelegatedTaskFactory, DelegationFactory

    slip = slip_of(finalised, "Alice Smith")
    delegation = DelegationFactory(
        task=DelegatedTaskFactory(organisation=icb), budget_holder=holder, practitioner=clinician
    )
    pdfs = [
        # The person's side's own PDF of the same payslip, and the delegation record's.
        documents.request_document(actor=holder.user, source=source_for("payslip"), subject=slip),
        documents.request_document(
            actor=clinician, source=source_for("delegation_record"), subject=delegation
        ),
    ]
    for pdf in pdfs:
        assert documents.render_document(document_id=pdf.pk).status == DocumentStatus.DONE
    client.force_login(slip.assistant.user)
    for pdf in pdfs:
        for name in ("document_status", "document_download"):
            assert client.get(reverse(name, args=[pdf.pk])).status_code == 404
    url = reverse("document_request", args=["delegation_record", delegation.pk])
    assert client.post(url).status_code == 404


def test_a_pa_who_has_left_still_gets_their_payslip_pdf(client, finalised):
    slip = slip_of(finalised, "Alice Smith")
    assistant = slip.assistant
    assistant.status = "left"
    assistant.left_on = datetime.date(2026, 4, 20)
    assistant.left_reason = "Moved away"
    assistant.save()
    client.force_login(assistant.user)
    response = client.post(reverse("document_request", args=["payslip", slip.pk]))
    assert response.status_code == 302
    assert GeneratedDocument.objects.filter(requested_by=assistant.user).exists()


def test_a_payslip_is_the_pas_not_made_in_or_saying_the_persons_format(client, finalised, holder):
    """The person needs large print; their PA's payslip is the PA's to read: it is not made
    in large print, and its panel does not tell the PA what the person needs."""
    from phb.models import InformationFormat

    holder.information_format = InformationFormat.LARGE_PRINT
    holder.save()
    slip = slip_of(finalised, "Alice Smith")
    client.force_login(slip.assistant.user)
    url = reverse("employers:payslip", args=[slip.pk])
    text = page(client.get(url))
    assert "large print" not in text.lower()
    client.post(reverse("document_request", args=["payslip", slip.pk]))
    document = GeneratedDocument.objects.get(kind="payslip", requested_by=slip.assistant.user)
    assert document.large_print is False
    assert "large-print" not in document.filename


def test_the_format_follows_the_reader(client, finalised, holder, pa_employer_support):
    """The person, asking for their PA's payslip as the employer, reads it: it is made in the
    large print they need, and the panel says so. Staff asking get it in standard print."""
    from phb.models import InformationFormat

    holder.information_format = InformationFormat.LARGE_PRINT
    holder.save()
    slip = slip_of(finalised, "Alice Smith")
    request_url = reverse("document_request", args=["payslip", slip.pk])
    client.force_login(holder.user)
    assert "large print" in page(client.get(reverse("employers:payslip", args=[slip.pk]))).lower()
    client.post(request_url)
    theirs = GeneratedDocument.objects.get(kind="payslip", requested_by=holder.user)
    assert theirs.large_print is True
    assert "large-print" in theirs.filename
    client.force_login(pa_employer_support)
    client.post(request_url)
    staff = GeneratedDocument.objects.filter(
        kind="payslip", subject_id=slip.pk, requested_by=pa_employer_support
    ).latest("requested_at")
    assert staff.large_print is False
