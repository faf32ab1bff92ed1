"""The outbox: every message the service sent (or, on a developer's machine, would have sent)
for the ICB, or about one person, newest first; a failed one can be sent again."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import TemplateView

from phb.models import MessageStatus
from phb.notifications import selectors
from phb.notifications import services as notifications
from phb.permissions import Permission
from phb.presenters import message_rows, outbox_table
from phb.views.mixins import PermissionRequiredMixin
from phb.views.people import PersonMixin

PAGE_SIZE = 25


def _page(request, messages_, *, with_person: bool):
    """A page of message ids (from the index alone, however deep), then their rows in one
    query: the page's query count does not grow with the outbox."""
    page = Paginator(messages_.values_list("pk", flat=True), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    page.object_list = selectors.rows(list(page.object_list))
    return page, outbox_table(page.object_list, with_person=with_person)


class OutboxView(PermissionRequiredMixin, TemplateView):
    """The ICB's outbox."""

    permission = Permission.VIEW_OUTBOX
    object_required = True
    template_name = "phb/outbox.html"

    def get_permission_object(self):
        return self.request.user.acting_organisation

    def get_context_data(self, **kwargs):
        page, table = _page(self.request, selectors.outbox(self.request.user), with_person=True)
        return super().get_context_data(**kwargs) | {
            "icb": self.object,
            "page": page,
            "table": table,
        }


class PersonOutboxView(PersonMixin, TemplateView):
    """The messages about one person."""

    permission = Permission.VIEW_OUTBOX
    access_log = "messages"
    template_name = "phb/person_outbox.html"

    def get_context_data(self, **kwargs):
        page, table = _page(
            self.request,
            selectors.outbox(self.request.user, budget_holder=self.holder),
            with_person=False,
        )
        return super().get_context_data(**kwargs) | {
            "holder": self.holder,
            "page": page,
            "table": table,
        }


class RetryMessageView(PermissionRequiredMixin, TemplateView):
    """Send a failed message again."""

    permission = Permission.RESEND_MESSAGE
    object_required = True
    template_name = "phb/message_retry.html"

    def get_permission_object(self):
        return selectors.message_for(self.request.user, self.kwargs["pk"])

    def back_url(self):
        holder_id = self.object.budget_holder_id
        return reverse("person_outbox", args=[holder_id]) if holder_id else reverse("outbox")

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "message": self.object,
            "rows": message_rows(self.object),
            "back_url": self.back_url(),
        }

    def post(self, request, *args, **kwargs):
        message = notifications.retry_message(actor=request.user, message=self.object)
        if message.status == MessageStatus.QUEUED:
            messages.success(request, f"'{message.subject}' will be sent again shortly")
        else:
            messages.info(request, f"'{message.subject}' has not failed, so it was left as it is")
        return redirect(self.back_url())
