"""Changing a live budget's amount: previewing the letter, then issuing it; and the proposal
and clinical check an increase above the indicative amount needs first."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import TemplateView

from budgets import services
from budgets.in_force import Amounts, standing_words
from budgets.payment_forms import (
    ChangeAmountForm,
    IncreaseCheckForm,
    IssueChangeForm,
    ProposeIncreaseForm,
)
from budgets.presenters import explain_budget, money
from budgets.services import Conflict
from budgets.services.changes import STALE_PREVIEW_ADVICE, already_checked
from budgets.views.base import BudgetMixin
from budgets.views.budget import BudgetFormView
from phb.permissions import Permission
from phb.views.helpers import add_errors, conflict_redirect


class ChangeAmountView(BudgetMixin, TemplateView):
    """Increase or reduce a live budget. The form leads to a preview of the exact letters;
    only "Issue the letter and make the change" changes anything."""

    permission = Permission.CHANGE_AMOUNT
    form_template = "budgets/change_amount.html"
    preview_template = "budgets/change_preview.html"

    def context(self, **kwargs):
        budget = self.budget
        today = timezone.localdate()
        return self.get_context_data(
            budget=budget,
            holder=budget.budget_holder,
            proposal=services.current_proposed_increase(budget),
            # The amount in force today, not the one a change still to come wrote early.
            standing=standing_words(budget, today),
            changes_to_come=bool(Amounts(budget).to_come(today)),
            **kwargs,
        )

    def render_form(self, form):
        self.template_name = self.form_template
        return self.render_to_response(self.context(form=form, page_title="Change the amount"))

    def render_preview(self, plan, issue_form=None):
        self.template_name = self.preview_template
        if issue_form is None:
            issue_form = IssueChangeForm(
                initial={
                    "version": plan.budget.version,
                    "new_amount": plan.new_amount,
                    "effective_from": plan.effective_from,
                    "reason": plan.reason,
                    "previewed": plan.digest,
                }
            )
        return self.render_to_response(
            self.context(
                plan=plan,
                issue_form=issue_form,
                page_title="Check the letter before you issue it",
            )
        )

    def get(self, request, *args, **kwargs):
        return self.render_form(ChangeAmountForm(initial={"version": self.budget.version}))

    def post(self, request, *args, **kwargs):
        if request.POST.get("stage") == "issue":
            return self.issue()
        form = ChangeAmountForm(request.POST)
        if not form.is_valid():
            return self.render_form(form)
        return self.preview(form, **form.cleaned_data)

    def preview(self, form, *, new_amount, effective_from, reason, **_):
        try:
            plan = services.preview_amount_change(
                actor=self.request.user,
                budget=self.budget,
                new_amount=new_amount,
                effective_from=effective_from,
                reason=reason,
            )
        except Conflict as error:
            return conflict_redirect(self.request, error, self.budget_url())
        except ValidationError as error:
            add_errors(form, error)
            return self.render_form(form)
        return self.render_preview(plan)

    def budget_url(self):
        return reverse("budgets:budget", args=[self.budget.pk])

    def issue(self):
        issue_form = IssueChangeForm(self.request.POST)
        if not issue_form.is_valid():
            form = ChangeAmountForm(initial={"version": self.budget.version})
            return self.render_form_with(form, issue_form)
        data = issue_form.cleaned_data
        try:
            letters = services.change_budget_amount(
                actor=self.request.user,
                budget=self.budget,
                new_amount=data["new_amount"],
                effective_from=data["effective_from"],
                reason=data["reason"],
                version=data["version"],
                previewed=data["previewed"],
            )
        except Conflict as error:
            return self.stale(data, str(error))
        except ValidationError as error:
            form = self.form_from(data)
            add_errors(form, error)
            return self.render_form(form)
        change = letters[0].change
        going = "increased" if change.is_increase else "reduced"
        messages.success(
            self.request,
            f"The budget has been {going} to {money(change.new_amount)} and the letter "
            f"{'has' if len(letters) == 1 else 'have'} been issued",
        )
        return redirect("budgets:letter", pk=letters[0].pk)

    def render_form_with(self, form, issue_form):
        """The change form, with the problems of a tampered or broken preview page."""
        self.template_name = self.form_template
        return self.render_to_response(
            self.context(form=form, issue_form=issue_form, page_title="Change the amount")
        )

    def form_from(self, data) -> ChangeAmountForm:
        day = data["effective_from"]
        form = ChangeAmountForm(
            {
                "version": self.budget.version,
                "new_amount": f"{data['new_amount']:.2f}",
                "effective_from_day": day.day,
                "effective_from_month": day.month,
                "effective_from_year": day.year,
                "reason": data["reason"],
            }
        )
        form.is_valid()
        return form

    def stale(self, data, message: str):
        """The preview was out of date: say why, and show the letter as it would be now."""
        self.object = self.get_permission_object()  # the budget as it is now
        form = self.form_from(data)
        try:
            plan = services.preview_amount_change(
                actor=self.request.user,
                budget=self.budget,
                new_amount=data["new_amount"],
                effective_from=data["effective_from"],
                reason=data["reason"],
            )
        except Conflict as error:
            return conflict_redirect(self.request, error, self.budget_url())
        except ValidationError as error:
            # No new preview can be shown (the change may already have been made): say what
            # happened, and what is wrong with the change now, without pointing at a preview.
            add_errors(form, error)
            form.add_error(None, message.replace(STALE_PREVIEW_ADVICE, "").strip())
            return self.render_form(form)
        issue_form = IssueChangeForm(
            {
                "version": plan.budget.version,
                "new_amount": f"{plan.new_amount:.2f}",
                "effective_from": plan.effective_from.isoformat(),
                "reason": plan.reason,
                "previewed": plan.digest,
            }
        )
        issue_form.is_valid()
        issue_form.add_error(None, message)
        return self.render_preview(plan, issue_form)


class ProposeIncreaseView(BudgetFormView):
    """Ask a clinician to check an increase to above the indicative amount."""

    permission = Permission.CHANGE_AMOUNT
    form_class = ProposeIncreaseForm
    template_name = "budgets/propose_increase.html"
    extra_context = {
        "page_title": "Ask for a clinical check of an increase",
        "button_text": "Ask for a clinical check",
    }

    def get_context_data(self, **kwargs):
        # The amount in force, not one a change still to come wrote early.
        return super().get_context_data(**kwargs) | {"standing": standing_words(self.budget)}

    def save(self, form):
        proposal = services.propose_increase(
            actor=self.request.user,
            budget=self.budget,
            new_amount=form.cleaned_data["new_amount"],
            clinical_justification=form.cleaned_data["clinical_justification"],
            version=form.cleaned_data["version"],
        )
        self.done = (
            f"A clinician has been asked to check the increase to {money(proposal.new_amount)}"
        )


class IncreaseCheckView(BudgetFormView):
    """A clinician checks a proposed increase and its justification."""

    permission = Permission.CLINICAL_CHECK
    form_class = IncreaseCheckForm
    template_name = "budgets/increase_check.html"
    done = "Your clinical check of the increase has been recorded"
    extra_context = {
        "page_title": "Clinical check of an increase",
        "button_text": "Record the check",
    }

    @cached_property
    def proposal(self):
        """The increase waiting for a check, as the page shows it."""
        return services.current_proposed_increase(self.budget)

    def get(self, request, *args, **kwargs):
        if self.proposal is None:
            messages.info(request, "No increase of this budget is waiting for a clinical check")
            return self.back()
        check = self.proposal.checks.select_related("clinician").order_by("-at").first()
        if check is not None:
            messages.info(request, f"{already_checked(check)}.")
            return self.back()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if self.proposal is None:
            messages.error(
                request,
                "Nothing was saved: the increase you were checking is no longer waiting for a "
                f"clinical check. The budget {standing_words(self.budget)}.",
            )
            return self.back()
        return super().post(request, *args, **kwargs)

    def make_form(self, data):
        return self.form_class(
            data, initial={"version": self.budget.version, "proposal": self.proposal.pk}
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "proposal": self.proposal,
            "explained": explain_budget(self.budget),
        }

    def save(self, form):
        services.record_increase_check(
            actor=self.request.user,
            budget=self.budget,
            supported=form.cleaned_data["supported"],
            notes=form.cleaned_data["notes"],
            proposal=form.cleaned_data["proposal"],
        )
