"""Asking for a PDF of a page, following its progress and downloading it.

Each is allowed exactly as the page the PDF comes from: the document's source names that
page's permission and loads the subject through the page's own scoped selector, so another
ICB's document is a 404 and a budget holder reaches only their own. Downloads are logged in
the person's access log as views.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.views import View

from phb.documents import selectors
from phb.documents.models import DocumentStatus
from phb.documents.presenters import panel_context
from phb.documents.services import request_document
from phb.documents.sources import source_for
from phb.views.mixins import PermissionRequiredMixin


class SourcePermissionMixin(PermissionRequiredMixin):
    object_required = True
    source = None

    @property
    def permission(self):
        return self.source.permission if self.source else None


class RequestDocumentView(SourcePermissionMixin, View):
    """The "Create a PDF" button of a page."""

    def dispatch(self, request, *args, **kwargs):
        self.source = source_for(kwargs["kind"])
        if self.source is None:
            raise Http404("Not found")
        return super().dispatch(request, *args, **kwargs)

    def get_permission_object(self):
        return self.source.load(self.request.user, self.kwargs["pk"])

    def post(self, request, *args, **kwargs):
        try:
            request_document(actor=request.user, source=self.source, subject=self.object)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        except PermissionDenied as error:
            raise Http404("Not found") from error
        return redirect(f"{self.source.page_url_for(self.object, request.user)}#pdf")


class DocumentMixin(SourcePermissionMixin):
    document = None

    def get_permission_object(self):
        found = selectors.document_for(self.request.user, self.kwargs["pk"])
        if found is None:
            return None
        self.document, subject = found
        self.source = source_for(self.document.kind)
        return subject


class DocumentStatusView(DocumentMixin, View):
    """Where a PDF has got to, for the page's progress panel (polled by a small script; the
    panel's "refresh this page" link does the same without JavaScript)."""

    def get(self, request, *args, **kwargs):
        context = panel_context(request.user, self.source, self.object, self.document)
        return JsonResponse(
            {
                "status": self.document.status,
                "finished": self.document.finished or self.document.abandoned,
                "html": render_to_string(
                    "phb/documents/_panel_body.html", context, request=request
                ),
            },
            headers={"Cache-Control": "no-store"},
        )


class DocumentDownloadView(DocumentMixin, View):
    """The PDF itself, once it is made."""

    @property
    def access_log(self):
        return f"PDF of the {self.source.what}" if self.source else "PDF"

    def person_id_for_log(self, obj):
        if self.document is not None:
            return self.document.budget_holder_id
        return selectors.holder_id_of_document(self.kwargs["pk"]) or self.kwargs["pk"]

    def refusal(self, obj) -> str | None:
        """Why the PDF may not be given out now (a certificate whose PA is no longer signed
        off), as its source says: a PDF made before says what is no longer true."""
        if not hasattr(self, "_refusal"):
            self._refusal = self.source.refusal(obj)
        return self._refusal

    def nothing_to_show(self, obj) -> bool:
        return self.document.status != DocumentStatus.DONE or self.refusal(obj) is not None

    def get(self, request, *args, **kwargs):
        if self.document.status != DocumentStatus.DONE:
            raise Http404("Not found")
        if refusal := self.refusal(self.object):
            messages.error(request, f"The PDF can no longer be downloaded. {refusal}")
            return redirect(f"{self.source.page_url_for(self.object, request.user)}#pdf")
        response = HttpResponse(selectors.content_of(self.document), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{self.document.filename}"'
        response["Cache-Control"] = "private, no-store"
        return response
