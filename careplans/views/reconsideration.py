"""Reconsideration: the open requests and how long each has waited, recording a request, and
recording the outcome (by someone who was not part of the first decision)."""

from django.core.paginator import Paginator
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.views.generic import TemplateView

from careplans import selectors_reviews as selectors
from careplans.forms_reviews import (
    ChangeMadeForm,
    ReconsiderationDecisionForm,
    ReconsiderationRequestForm,
)
from careplans.models import ReconsiderationOutcome
from careplans.services import reconsideration as services
from careplans.views.service_forms import ServiceFormView
from phb import selectors as core_selectors
from phb.permissions import Permission
from phb.presenters import hidden_caption
from phb.views.mixins import PermissionRequiredMixin

PAGE_SIZE = 25


def token(decision) -> str:
    return f"{type(decision).__name__}:{decision.pk}"


def open_requests_table(requests, today, *, may_decide: bool) -> dict:
    """Each request links to where it is decided, for those who may decide it; for other
    staff, to the person's record."""
    return {
        "caption": hidden_caption("Requests waiting for a decision"),
        "head": [
            {"text": "Person"},
            {"text": "What about"},
            {"text": "Received"},
            {"text": "Waiting"},
        ],
        "rows": [
            [
                {
                    "text": request.budget_holder.full_name,
                    "href": reverse("careplans:reconsideration_decide", args=[request.pk])
                    if may_decide
                    else reverse("person_detail", args=[request.budget_holder_id]),
                },
                {"text": request.get_ground_display()},
                {"text": f"{request.received_on:%-d %B %Y}"},
                {"text": f"{request.days_waiting(today)} days"},
            ]
            for request in requests
        ],
    }


# The changed decisions listed on the requests page; the rest are on each person's record.
CHANGES_SHOWN = 25


def changes_table(changes, *, may_record: bool) -> dict:
    """Decisions changed on reconsideration and not yet put into effect: what, and since when."""
    return {
        "caption": hidden_caption("Changed decisions to put into effect"),
        "head": [{"text": "Person"}, {"text": "What was changed"}, {"text": "Changed on"}],
        "rows": [
            [
                {
                    "text": change.budget_holder.full_name,
                    "href": reverse("careplans:reconsideration_change_made", args=[change.pk])
                    if may_record
                    else reverse("person_detail", args=[change.budget_holder_id]),
                },
                {"text": capfirst(services.describe(services.decision_of(change)))},
                {"text": f"{timezone.localtime(change.decided_at):%-d %B %Y}"},
            ]
            for change in changes
        ],
    }


class OpenRequestsView(PermissionRequiredMixin, TemplateView):
    """Requests not yet decided, the longest waiting first; and the decisions changed on
    reconsideration still to be put into effect."""

    permission = Permission.VIEW_PLAN
    object_required = True
    template_name = "careplans/reconsideration/open.html"

    def get_permission_object(self):
        return self.request.user.acting_organisation

    def get_context_data(self, **kwargs):
        page = Paginator(selectors.open_requests(self.object), PAGE_SIZE).get_page(
            self.request.GET.get("page")
        )
        changes = selectors.changes_to_make(self.object)
        shown = list(changes[: CHANGES_SHOWN + 1])
        return super().get_context_data(**kwargs) | {
            "page": page,
            "table": open_requests_table(
                page.object_list,
                timezone.localdate(),
                may_decide=self.request.user.has_perm(Permission.RECONSIDER, self.object),
            ),
            "changes": changes_table(
                shown[:CHANGES_SHOWN],
                may_record=self.request.user.has_perm(
                    Permission.RECORD_RECONSIDERATION, self.object
                ),
            )
            if shown
            else None,
            "changes_count": changes.count() if len(shown) > CHANGES_SHOWN else len(shown),
            "changes_shown": CHANGES_SHOWN,
        }


class NewRequestView(ServiceFormView):
    permission = Permission.RECORD_RECONSIDERATION
    access_log = "record"
    form_class = ReconsiderationRequestForm
    done = "The request has been recorded"

    def get_permission_object(self):
        return core_selectors.person_for(self.request.user, self.kwargs["pk"])

    @property
    def holder(self):
        return self.object

    def decisions(self) -> dict:
        if not hasattr(self, "_decisions"):
            self._decisions = {token(d): d for d in services.decisions_for(self.holder)}
        return self._decisions

    def refuse(self):
        if not self.decisions():
            return "There is no decision about this person that can be looked at again"
        return None

    def form_kwargs(self):
        # capfirst, not str.capitalize: that lowercases the rest ("18 december 2026").
        choices = [(key, capfirst(services.describe(d))) for key, d in self.decisions().items()]
        return {"decisions": choices}

    def done_url(self):
        return reverse("careplans:reconsiderations")

    def save(self, form):
        data = form.cleaned_data
        services.record_request(
            actor=self.request.user,
            holder=self.holder,
            decision=self.decisions().get(data["decision"]),
            received_on=data["received_on"],
            persons_reasons=data["persons_reasons"],
            ground=data["ground"],
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "page_title": "Record a request for reconsideration",
            "button_text": "Record the request",
            "intro": "The person can ask for a decision to be looked at again. Someone who was "
            "not part of the decision will look at it.",
        }


class RequestPageMixin:
    """A page about one request for reconsideration, in the person's access log."""

    access_log = "reconsideration"

    def get_permission_object(self):
        return selectors.request_for(self.request.user, self.kwargs["pk"])

    def person_id_for_log(self, obj):
        if obj is not None:
            return obj.budget_holder_id
        return selectors.holder_id_of_request(self.kwargs["pk"]) or self.kwargs["pk"]

    @property
    def holder(self):
        return self.object.budget_holder


class DecideRequestView(RequestPageMixin, ServiceFormView):
    permission = Permission.RECONSIDER
    form_class = ReconsiderationDecisionForm
    template_name = "careplans/reconsideration/decide.html"
    done = "The outcome has been recorded and the letter written"

    def refuse(self):
        if not self.object.is_open:
            return "This request has already been decided"
        # Said before the form is filled, not after (the service checks it again).
        if self.request.user.pk in services.who_decided(services.decision_of(self.object)):
            return services.PART_OF_THE_DECISION
        return None

    def done_url(self):
        return reverse("careplans:reconsiderations")

    def make_form(self, data=None):
        form = super().make_form(data)
        if self.object.budget_stop_id:
            # A stop is never changed (ADR 0043): the choice is not offered.
            field = form.fields["outcome"]
            field.choices = [
                (value, label)
                for value, label in field.choices
                if value != ReconsiderationOutcome.CHANGED
            ]
        return form

    def save(self, form):
        services.decide_request(
            actor=self.request.user,
            request=self.object,
            outcome=form.cleaned_data["outcome"],
            reasons=form.cleaned_data["outcome_reasons"],
        )

    def get_context_data(self, **kwargs):
        request = self.object
        decision = services.decision_of(request)
        return super().get_context_data(**kwargs) | {
            "request_": request,
            "about": services.describe(decision),
            # Said before the form is filled: a stop is never changed (ADR 0043).
            "stop_note": services.stop_cannot_change(decision) if request.budget_stop_id else "",
            "withdrawn_label": ReconsiderationOutcome.WITHDRAWN.label,
            "days_waiting": request.days_waiting(),
            "page_title": "Look at the decision again",
            "button_text": "Record the outcome",
        }


class ChangeMadeView(RequestPageMixin, ServiceFormView):
    """Record that a decision changed on reconsideration has been put into effect."""

    permission = Permission.RECORD_RECONSIDERATION
    form_class = ChangeMadeForm
    template_name = "careplans/reconsideration/change_made.html"
    done = "It has been recorded that the change was made"

    def refuse(self):
        request = self.object
        if request.outcome != ReconsiderationOutcome.CHANGED:
            return (
                "This decision was not changed on reconsideration, so there is no change to record"
            )
        if request.change_made_on is not None:
            return (
                f"{request.change_made_by.full_name} recorded on "
                f"{request.change_made_on:%-d %B %Y} that the change was made"
            )
        return None

    def done_url(self):
        return reverse("person_detail", args=[self.object.budget_holder_id])

    def save(self, form):
        services.record_change_made(
            actor=self.request.user,
            request=self.object,
            made_on=form.cleaned_data["made_on"],
            note=form.cleaned_data["note"],
        )

    def get_context_data(self, **kwargs):
        request = self.object
        return super().get_context_data(**kwargs) | {
            "request_": request,
            "about": services.describe(services.decision_of(request)),
            "page_title": "Record that the change was made",
            "button_text": "Record it",
        }
