"""Stopping a budget for a reason the law allows, asking for money back, and recording money
received."""

from django.conf import settings
from django.template.defaultfilters import pluralize
from django.urls import reverse

from budgets import selectors as budget_selectors
from budgets.models import BudgetStatus
from careplans import selectors_reviews as selectors
from careplans.forms_reviews import RepaymentForm, SettlementForm, StopForm
from careplans.services import stopping as services
from careplans.views.service_forms import ServiceFormView
from phb.permissions import Permission
from phb.templatetags.phb_tags import pounds


class BudgetPage(ServiceFormView):
    access_log = "budget"

    def get_permission_object(self):
        return budget_selectors.budget_for(self.request.user, self.kwargs["pk"])

    def person_id_for_log(self, obj):
        if obj is not None:
            return obj.budget_holder_id
        return budget_selectors.holder_id_of_budget(self.kwargs["pk"]) or self.kwargs["pk"]

    @property
    def holder(self):
        return self.object.budget_holder

    def done_url(self):
        return reverse("budgets:budget", args=[self.object.pk])

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"budget": self.object}


class StopView(BudgetPage):
    permission = Permission.STOP_BUDGET
    form_class = StopForm
    done = "The budget is stopping and the letter has been written"

    def refuse(self):
        if selectors.is_stopped(self.object):
            return "This budget has already been stopped"
        if self.object.status not in (BudgetStatus.AGREED, BudgetStatus.ACTIVE):
            return "Only an agreed or active budget can be stopped"
        return None

    def make_form(self, data=None):
        return self.form_class(data, initial={"version": self.object.version})

    def save(self, form):
        data = form.cleaned_data
        stop = services.stop_phb(
            actor=self.request.user,
            budget=self.object,
            reason=data["reason"],
            explanation=data["explanation"],
            notice_given_on=data["notice_given_on"],
            effective_on=data["effective_on"],
            version=data["version"],
        )
        paid = stop.paid_after
        if paid["count"]:
            self.done = (
                f"{StopView.done}. {paid['count']} payment{pluralize(paid['count'])} for the "
                f"time from {stop.effective_on:%-d %B %Y} had already been made "
                f"({pounds(paid['total'])}): ask for the money back if it should be repaid"
            )

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "page_title": "Stop the personal health budget",
            "button_text": "Stop the budget",
            "intro": "A budget can be stopped only for a reason the law allows (regulation 17), "
            "with reasonable written notice: it can stop no sooner than "
            f"{settings.PHB_STOP_MINIMUM_NOTICE_DAYS} days after notice was given, unless the "
            "person has died, theft or fraud is suspected, or the person asked for the budget "
            "to stop. It stops from today or a later day: an earlier day only if the person has "
            "died. The person gets a letter naming the reason and saying how to ask for the "
            "decision to be looked at again.",
        }


class RepaymentView(BudgetPage):
    permission = Permission.REQUEST_REPAYMENT
    form_class = RepaymentForm
    done = "The request for money back has been made and the letter written"

    def refuse(self):
        if self.object.status not in (BudgetStatus.AGREED, BudgetStatus.ACTIVE, BudgetStatus.ENDED):
            return "Money can be asked back only from a budget that has been agreed"
        return None

    def make_form(self, data=None):
        return self.form_class(data, initial={"requests_seen": services.requests_made(self.object)})

    def save(self, form):
        services.request_repayment(actor=self.request.user, budget=self.object, **form.cleaned_data)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "page_title": "Ask for money back",
            "button_text": "Ask for the money back",
            "intro": "Money can be asked back only for a reason the law allows (regulation 15). "
            "The person gets a letter with the reason, the amount, the date and who must pay, "
            "and how to ask for the decision to be looked at again. "
            f"£{services.repayable(self.object):,.2f} has been paid out of this budget and not "
            "already asked back: no more than that can be asked for.",
        }


class SettlementView(ServiceFormView):
    permission = Permission.REQUEST_REPAYMENT
    access_log = "budget"
    form_class = SettlementForm
    done = "The money received has been recorded"

    def get_permission_object(self):
        return selectors.repayment_for(self.request.user, self.kwargs["pk"])

    def person_id_for_log(self, obj):
        if obj is not None:
            return obj.budget.budget_holder_id
        return selectors.holder_id_of_repayment(self.kwargs["pk"]) or self.kwargs["pk"]

    @property
    def holder(self):
        return self.object.budget.budget_holder

    def refuse(self):
        if services.outstanding(self.object) <= 0 and not self.sent_from_an_older_page():
            return "This repayment has been paid in full"
        return None

    def sent_from_an_older_page(self) -> bool:
        """Sent from a page that showed fewer payments (the button pressed twice): the
        service then says what was recorded since, and by whom."""
        seen = self.request.POST.get("settlements_seen") if self.request.method == "POST" else None
        return seen is not None and seen != str(services.settlements_recorded(self.object))

    def done_url(self):
        return reverse("budgets:budget", args=[self.object.budget_id])

    def make_form(self, data=None):
        seen = services.settlements_recorded(self.object)
        return self.form_class(data, initial={"settlements_seen": seen})

    def save(self, form):
        services.record_settlement(
            actor=self.request.user, repayment=self.object, **form.cleaned_data
        )

    def get_context_data(self, **kwargs):
        repayment = self.object
        return super().get_context_data(**kwargs) | {
            "page_title": "Record money paid back",
            "button_text": "Record the payment",
            "intro": f"£{repayment.amount:,.2f} was asked for by {repayment.due_by:%-d %B %Y}; "
            f"£{services.outstanding(repayment):,.2f} is still owed.",
        }
