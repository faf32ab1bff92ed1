"""A budget's way through: change a draft, send it back, withdraw it, end it, prepare next
year's from it and see what changed; and the ICB's budget policy."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import TemplateView

from budgets import selectors, services
from budgets.forms import BudgetPolicyForm, SendBackForm, VersionForm, WithdrawForm
from budgets.lifecycle_presenters import (
    budget_changes_table,
    calculation_changes_table,
    how_next_year_was_set,
)
from budgets.models import BudgetStatus
from budgets.services import Conflict
from budgets.views.base import BudgetMixin
from budgets.views.budget import (
    BudgetActionView,
    BudgetFormsMixin,
    BudgetFormView,
    BudgetPageMixin,
)
from phb.permissions import Permission
from phb.views.helpers import add_errors, conflict_redirect
from phb.views.mixins import PermissionRequiredMixin


class BudgetEditView(BudgetFormsMixin, BudgetPageMixin, TemplateView):
    """Change a draft budget: the same form as setting one up, filled in as it stands."""

    permission = Permission.PREPARE_BUDGET
    extra_context = {"page_title": "Change the draft budget", "button_text": "Save the changes"}

    @property
    def holder(self):
        return self.budget.budget_holder

    def current_calculation(self):
        return self.budget.calculation

    def initial(self):
        budget = self.budget
        form = {
            "calculation": str(budget.calculation.pk),
            "period_start": budget.period_start,
            "period_end": budget.period_end,
            "agreed_amount": budget.agreed_amount,
            "clinical_justification": budget.clinical_justification,
            "backdated": bool(budget.backdating_reason),
            "backdating_reason": budget.backdating_reason,
        }
        streams = [
            {"kind": stream.kind, "share_percent": stream.share_percent}
            for stream in budget.funding_streams.all()
        ]
        portions = {}
        for portion in budget.portions.all():
            portions[portion.method] = portion.amount
            if portion.held_by:
                portions["held_by"] = portion.held_by
        return form, streams, portions

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "budget": self.budget,
            "holder": self.holder,
            "version_form": VersionForm(initial={"version": self.seen_version()}),
        }

    def get(self, request, *args, **kwargs):
        return only_when(self, (BudgetStatus.DRAFT,), "Only a draft budget can be changed") or (
            super().get(request, *args, **kwargs)
        )

    def seen_version(self) -> int:
        """The version of the budget the page was first shown with (0 if the page sent a
        missing or mangled one, which is then treated as out of date)."""
        if self.request.method != "POST":
            return self.budget.version
        version_form = VersionForm(self.request.POST)
        return version_form.cleaned_data["version"] if version_form.is_valid() else 0

    def post(self, request, *args, **kwargs):
        form, streams, portions = self.forms()
        if self.rows_changed:
            return self.render_forms(form, streams, portions)
        version = self.seen_version()
        if form.is_valid() and streams.is_valid() and portions.is_valid():
            try:
                budget = services.update_draft_budget(
                    actor=request.user,
                    budget=self.budget,
                    version=version,
                    **self.budget_fields(form, streams, portions),
                )
            except Conflict as error:
                return conflict_redirect(request, error, self.budget_url())
            except ValidationError as error:
                add_errors(form, error)
            else:
                changed = budget.version != self.budget.version
                messages.success(
                    request,
                    "The draft has been changed" if changed else "Nothing was changed",
                )
                return self.back()
        return self.render_forms(form, streams, portions)

    def budget_url(self):
        return reverse("budgets:budget", args=[self.budget.pk])


def only_when(view, statuses, message):
    """A page for budgets in some states only: for any other, back to the budget, saying why."""
    if view.budget.status in statuses:
        return None
    messages.error(view.request, message)
    return view.back()


class WithdrawView(BudgetFormView):
    permission = Permission.WITHDRAW_BUDGET
    form_class = WithdrawForm
    template_name = "budgets/reason_form.html"
    done = "The budget has been withdrawn"
    extra_context = {
        "page_title": "Withdraw the budget",
        "button_text": "Withdraw the budget",
        "intro": "A withdrawn budget stays on the person's record with the reason you give. "
        "It is never agreed, and cannot be changed or proposed again.",
    }

    def get(self, request, *args, **kwargs):
        return only_when(
            self,
            (BudgetStatus.DRAFT, BudgetStatus.PROPOSED),
            "Only a draft or proposed budget can be withdrawn",
        ) or super().get(request, *args, **kwargs)

    def save(self, form):
        services.withdraw_budget(
            actor=self.request.user,
            budget=self.budget,
            reason=form.cleaned_data["reason"],
            version=form.cleaned_data["version"],
        )


class SendBackView(BudgetFormView):
    permission = Permission.RETURN_BUDGET_TO_DRAFT
    form_class = SendBackForm
    template_name = "budgets/reason_form.html"
    done = "The budget has gone back to draft"
    extra_context = {
        "page_title": "Send the budget back to draft",
        "button_text": "Send it back to draft",
        "intro": "A draft can be changed and proposed again. If its amount changes and is "
        "still above the indicative amount, a clinician checks the new amount.",
    }

    def get(self, request, *args, **kwargs):
        return only_when(
            self, (BudgetStatus.PROPOSED,), "Only a proposed budget can go back to draft"
        ) or super().get(request, *args, **kwargs)

    def save(self, form):
        services.return_to_draft(
            actor=self.request.user,
            budget=self.budget,
            reason=form.cleaned_data["reason"],
            version=form.cleaned_data["version"],
        )


class EndView(BudgetActionView):
    permission = Permission.END_BUDGET
    action = staticmethod(services.end_budget)
    done = "The budget has ended"


class NextYearView(BudgetActionView):
    """Prepare next year's budget from this one, then show what changed."""

    permission = Permission.PREPARE_BUDGET
    done = "Next year's budget has been prepared as a draft"

    def action(self, *, actor, budget, version):
        self.next_year = services.prepare_next_year(actor=actor, budget=budget, version=version)

    def back(self):
        next_year = getattr(self, "next_year", None)
        if next_year is not None:
            return redirect("budgets:what_changed", pk=next_year.pk)
        return super().back()


class WhatChangedView(BudgetMixin, TemplateView):
    """A budget prepared from last year's, line by line beside it."""

    permission = Permission.VIEW_BUDGETS
    template_name = "budgets/what_changed.html"

    def get_context_data(self, **kwargs):
        budget = self.budget
        if budget.prepared_from_id is None:
            raise Http404("Not found")
        previous = selectors.budget_for(self.request.user, budget.prepared_from_id)
        if previous is None:
            raise Http404("Not found")
        return super().get_context_data(**kwargs) | {
            "budget": budget,
            "previous": previous,
            "holder": budget.budget_holder,
            "how": how_next_year_was_set(previous, budget),
            "budget_table": budget_changes_table(previous, budget),
            "calculation_table": calculation_changes_table(previous, budget),
        }


class BudgetPolicyView(PermissionRequiredMixin, TemplateView):
    """The ICB's budget policy, kept by its administrator."""

    permission = Permission.EDIT_BUDGET_POLICY
    template_name = "budgets/policy.html"
    extra_context = {"page_title": "Budget policy", "button_text": "Save the policy"}

    def get_permission_object(self):
        return self.request.user.acting_organisation

    def make_form(self, data):
        policy = selectors.budget_policy(self.request.user)
        initial = {"preparer_may_agree": "no"}
        if policy is not None and policy.preparer_may_agree:
            initial = {
                "preparer_may_agree": "yes",
                "preparer_may_agree_below": policy.preparer_may_agree_below,
            }
        initial["seen"] = policy.updated_at if policy is not None else None
        return BudgetPolicyForm(data, initial=initial)

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=self.make_form(None)))

    def post(self, request, *args, **kwargs):
        form = self.make_form(request.POST)
        if form.is_valid():
            try:
                services.save_budget_policy(
                    actor=request.user,
                    preparer_may_agree=form.cleaned_data["preparer_may_agree"],
                    preparer_may_agree_below=form.cleaned_data["preparer_may_agree_below"],
                    seen_updated_at=form.cleaned_data["seen"],
                )
            except ValidationError as error:
                if not hasattr(error, "error_dict"):
                    # Changed since the page was drawn: show the policy as it is now.
                    return conflict_redirect(request, " ".join(error.messages), request.path)
                add_errors(form, error)
            else:
                messages.success(request, "The budget policy has been saved")
                return redirect("budgets:budget_policy")
        return self.render_to_response(self.get_context_data(form=form))
