"""Reads of generated documents, scoped to the user through the page each comes from."""

from phb.documents.models import GeneratedDocument
from phb.documents.sources import source_for


def document_for(user, pk) -> tuple[GeneratedDocument, object] | None:
    """A document and its subject, when the user may see the page it comes from (the
    subject's own scoped selector decides), else None. Without its file."""
    document = (
        GeneratedDocument.objects.visible_to(user)
        .defer("content")
        .select_related("budget_holder")
        .filter(pk=pk)
        .first()
    )
    source = source_for(document.kind) if document else None
    subject = source.load(user, document.subject_id) if source else None
    if subject is None:
        return None
    return document, subject


def holder_id_of_document(pk):
    documents = GeneratedDocument.objects.filter(pk=pk)
    return documents.values_list("budget_holder_id", flat=True).first()


def latest_document(user, kind: str, subject_id) -> GeneratedDocument | None:
    """The user's latest request for a PDF of this subject (for the page's PDF panel)."""
    return (
        GeneratedDocument.objects.filter(kind=kind, subject_id=subject_id, requested_by=user)
        .defer("content")
        .order_by("-requested_at")
        .first()
    )


def content_of(document: GeneratedDocument) -> bytes:
    return bytes(
        GeneratedDocument.objects.filter(pk=document.pk).values_list("content", flat=True).get()
    )
