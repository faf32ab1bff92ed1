"""When making a PDF fails, the request ends as failed with words the reader can act on (the
details go to the logs), its page says so and offers to try again, and trying again makes it."""

import logging

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.urls import reverse

from phb.documents import rendering, services
from phb.documents.models import DocumentStatus, GeneratedDocument
from phb.documents.sources import source_for
from tests.careplans.review_factories import plan_in_use

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(phb_lead, holder):
    version, _, _ = plan_in_use(phb_lead, holder)
    return version


def failing(error):
    def html_to_pdf(html):
        raise error

    return html_to_pdf


def test_an_unexpected_failure_is_told_in_plain_words_and_logged(
    plan, phb_lead, monkeypatch, caplog
):
    document = services.request_document(actor=phb_lead, source=source_for("plan"), subject=plan)
    monkeypatch.setattr(rendering, "html_to_pdf", failing(OSError("/tmp/x: disk full")))
    with caplog.at_level(logging.ERROR, logger="phb.documents.services"):
        document = services.render_document(document_id=document.pk)
    assert document.status == DocumentStatus.FAILED
    assert document.error == (
        "The PDF could not be made because of a problem on our side. Try again. If it still "
        "cannot be made, tell the PHB team."
    )
    assert "disk full" not in document.error and "OSError" not in document.error
    assert document.content is None and document.finished_at is not None
    assert f"PDF {document.pk} failed" in caplog.text and "disk full" in caplog.text


def test_a_render_that_takes_too_long_ends_as_failed(plan, phb_lead, monkeypatch):
    document = services.request_document(actor=phb_lead, source=source_for("plan"), subject=plan)
    monkeypatch.setattr(rendering, "html_to_pdf", failing(SoftTimeLimitExceeded()))
    document = services.render_document(document_id=document.pk)
    assert document.status == DocumentStatus.FAILED
    assert document.error == "Making the PDF took too long. Try again later."


def test_the_page_says_it_failed_and_trying_again_makes_it(client, plan, phb_lead, monkeypatch):
    document = services.request_document(actor=phb_lead, source=source_for("plan"), subject=plan)
    with monkeypatch.context() as patch:
        patch.setattr(rendering, "html_to_pdf", failing(RuntimeError("boom")))
        services.render_document(document_id=document.pk)
    client.force_login(phb_lead)
    page = client.get(reverse("careplans:version", args=[plan.pk])).content.decode()
    assert "Not made" in page
    assert "because of a problem on our side" in page
    assert "boom" not in page
    assert "Try again" in page
    status = client.get(reverse("document_status", args=[document.pk])).json()
    assert (status["status"], status["finished"]) == (DocumentStatus.FAILED, True)
    client.post(reverse("document_request", args=["plan", plan.pk]))
    again = GeneratedDocument.objects.exclude(pk=document.pk).get()
    again = services.render_document(document_id=again.pk)
    assert again.status == DocumentStatus.DONE and again.pages >= 1
