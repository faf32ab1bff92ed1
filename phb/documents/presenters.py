"""The PDF panel of a page: what to say about the user's latest PDF of it, in each state."""

from django.urls import reverse

from phb.documents.models import DocumentStatus
from phb.documents.services import is_stale, large_print_for


def panel_context(user, source, subject, document) -> dict:
    holder = source.holder(subject)
    refusal = source.refusal(subject)
    done = document is not None and document.status == DocumentStatus.DONE
    stale = done and is_stale(document, source, subject)
    button = None
    if refusal is None:
        if document is None:
            button = "Create a PDF"
        elif document.status == DocumentStatus.FAILED or document.abandoned:
            button = "Try again"
        elif stale:
            button = "Make a new PDF"
    return {
        "source": source,
        "holder": holder,
        "document": document,
        "large_print": large_print_for(source, subject, user),
        "refusal": refusal,
        "stale": stale,
        "button": button,
        "may_request": refusal is None,
        "page_url": source.page_url_for(subject, user),
        "request_url": reverse("document_request", args=[source.kind, subject.pk]),
        "status_url": reverse("document_status", args=[document.pk]) if document else None,
        "download_url": reverse("document_download", args=[document.pk]) if done else None,
    }
