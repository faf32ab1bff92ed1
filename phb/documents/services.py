"""Asking for a PDF and making it. The only writers of GeneratedDocument."""

import logging

from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from phb.documents.models import (
    ABANDONED_AFTER,
    UNFINISHED,
    DocumentStatus,
    GeneratedDocument,
)
from phb.documents.sources import DocumentSource, source_for
from phb.models import InformationFormat
from phb.permissions import require

logger = logging.getLogger(__name__)


def large_print_for(source: DocumentSource, subject, user) -> bool:
    """The person's recorded communication need (NHS Accessible Information Standard), for a
    document they read: the format follows the reader."""
    holder = source.holder(subject)
    return holder.information_format == InformationFormat.LARGE_PRINT and source.read_by_the_person(
        user, subject
    )


def version_of(source: DocumentSource, subject) -> str:
    """What the PDF would be made from now: the subject's own version and the person's details
    that the PDF prints (their name and NHS number in the footer, the print size)."""
    holder = source.holder(subject)
    details = f"{holder.full_name}|{holder.nhs_number}|{holder.information_format}"
    return f"{source.version(subject)}|{details}"[:200]


def is_stale(document: GeneratedDocument, source: DocumentSource, subject) -> bool:
    return document.source_version != version_of(source, subject)


@transaction.atomic
def request_document(*, actor, source: DocumentSource, subject) -> GeneratedDocument:
    """Ask for a PDF of `subject`, made in the background on the `pdf` queue. An unfinished
    request for the same version by the same person is given back instead of a second one,
    unless it has been waiting so long that it was lost."""
    require(actor, source.permission, subject)
    refusal = source.refusal(subject)
    if refusal:
        raise ValidationError(refusal)
    holder = source.holder(subject)
    version = version_of(source, subject)
    waiting = (
        GeneratedDocument.objects.select_for_update()
        .filter(
            kind=source.kind,
            subject_id=subject.pk,
            requested_by=actor,
            source_version=version,
            status__in=UNFINISHED,
            requested_at__gt=timezone.now() - ABANDONED_AFTER,
        )
        .defer("content")
        .first()
    )
    if waiting is not None:
        return waiting
    large_print = large_print_for(source, subject, actor)
    description = source.describe(subject)
    document = GeneratedDocument.objects.create(
        budget_holder=holder,
        kind=source.kind,
        subject_id=subject.pk,
        description=description[:200],
        source_version=version,
        large_print=large_print,
        requested_by=actor,
        filename=_filename(source, holder, large_print),
    )
    from phb.documents.tasks import render_pdf

    render_pdf.delay_on_commit(str(document.pk))
    return document


def _filename(source: DocumentSource, holder, large_print: bool) -> str:
    name = slugify(f"{source.filename} {holder.full_name}{' large print' if large_print else ''}")
    return f"{name[:190]}.pdf"


def render_html(source: DocumentSource, subject, document: GeneratedDocument) -> str:
    holder = source.holder(subject)
    return render_to_string(
        source.template_name,
        source.context(subject, document)
        | {
            "holder": holder,
            "document": document,
            "title": source.describe(subject),
            "large_print": document.large_print,
        },
    )


def render_document(*, document_id) -> GeneratedDocument | None:
    """Make the PDF of a queued request (the pdf queue's task). A request already finished (a
    duplicate delivery) is left alone; one whose subject was deleted, or can no longer be
    printed (a plan stopped before its turn came), ends as failed with a message that says so.
    """
    with transaction.atomic():
        document = (
            GeneratedDocument.objects.select_for_update(skip_locked=True)
            .filter(pk=document_id, status__in=UNFINISHED)
            .first()
        )
        if document is None:
            return None
        document.status = DocumentStatus.RENDERING
        document.started_at = timezone.now()
        document.save(update_fields=["status", "started_at"])
    source = source_for(document.kind)
    subject = source.fetch(document.subject_id) if source else None
    if subject is None:
        what = source.what if source else "document"
        return _fail(
            document,
            f"The {what} was deleted before its PDF was made, so there is nothing to print.",
        )
    refusal = source.refusal(subject)
    if refusal:
        return _fail(document, f"{refusal} The PDF was not made.")
    # WeasyPrint (and Pango) load only where PDFs are made, not in every web process.
    from phb.documents.rendering import html_to_pdf

    # The print size follows the person's information format as it is now, as the version
    # stored with the PDF does: one changed since the request is not printed in the old size
    # and marked current.
    large_print = large_print_for(source, subject, document.requested_by)
    if large_print != document.large_print:
        document.large_print = large_print
        document.filename = _filename(source, source.holder(subject), large_print)
    try:
        version = version_of(source, subject)
        content, pages = html_to_pdf(render_html(source, subject, document))
    except SoftTimeLimitExceeded:
        return _fail(document, "Making the PDF took too long. Try again later.")
    except Exception:
        # The details are for the service's logs, not for the person waiting for the PDF.
        logger.exception("PDF %s failed", document.pk)
        return _fail(
            document,
            "The PDF could not be made because of a problem on our side. Try again. If it "
            "still cannot be made, tell the PHB team.",
        )
    with transaction.atomic():
        GeneratedDocument.objects.filter(pk=document.pk).update(
            status=DocumentStatus.DONE,
            content=content,
            pages=pages,
            source_version=version,
            large_print=document.large_print,
            filename=document.filename,
            finished_at=timezone.now(),
        )
    document.refresh_from_db()
    return document


def _fail(document: GeneratedDocument, error: str) -> GeneratedDocument:
    with transaction.atomic():
        GeneratedDocument.objects.filter(pk=document.pk).update(
            status=DocumentStatus.FAILED, error=error[:500], finished_at=timezone.now()
        )
    document.refresh_from_db()
    return document
