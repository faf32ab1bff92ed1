"""Setting up, agreeing, paying and reducing a budget."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from budgets import selectors, services
from budgets.calculations import financial_year, financial_year_label
from budgets.forms import (
    BudgetForm,
    ClinicalCheckForm,
    FundingStreamFormSet,
    PortionsForm,
    VersionForm,
)
from budgets.lifecycle_presenters import budget_state
from budgets.models import BudgetStatus, ChcPackage, FundingStreamKind, RasAssessment
from budgets.presenters import explain_budget, money
from budgets.services import Conflict
from budgets.views.base import BudgetMixin, PersonMixin
from phb.forms import change_rows, without_errors
from phb.models import EligibilityGroup
from phb.nhsuk_forms import STALE_PAGE
from phb.permissions import Permission
from phb.views.helpers import add_errors, conflict_redirect
from phb.views.mixins import PermissionRequiredMixin

DEFAULT_STREAM = {
    EligibilityGroup.CHC: FundingStreamKind.NHS_CHC,
    EligibilityGroup.S117: FundingStreamKind.S117,
    EligibilityGroup.CHILDRENS_CONTINUING_CARE: FundingStreamKind.CHILDRENS_CONTINUING_CARE,
    EligibilityGroup.WHEELCHAIR: FundingStreamKind.WHEELCHAIR,
}


class BudgetFormsMixin:
    """The budget form, its funding streams and how the money is held: setting a budget up and
    changing a draft share them."""

    template_name = "budgets/budget_form.html"

    def choices(self):
        calculations = selectors.calculations_for(self.holder)
        latest = [
            *calculations["ras"][:1],
            *calculations["chc"][:1],
            *calculations["pa"][:1],
        ]
        current = self.current_calculation()
        if current is not None and current not in latest:
            latest.insert(0, current)
        return [(calculation, calculation_label(calculation)) for calculation in latest]

    def current_calculation(self):
        return None

    def initial(self) -> tuple[dict, list, dict]:
        stream = DEFAULT_STREAM.get(self.holder.eligibility, FundingStreamKind.OTHER_NHS)
        return self.initial_period(), [{"kind": stream, "share_percent": 100}], {}

    rows_changed = False

    def forms(self):
        """The budget's forms; after "Add another" or "Remove" funding stream, shown as typed."""
        data = self.request.POST if self.request.method == "POST" else None
        data, self.rows_changed = change_rows(
            data, "streams", max_rows=FundingStreamFormSet.max_num
        )
        budget, streams, portions = self.initial()
        forms = (
            BudgetForm(data, calculations=self.choices(), initial=budget),
            FundingStreamFormSet(data, prefix="streams", initial=streams),
            PortionsForm(data, prefix="held", initial=portions),
        )
        if self.rows_changed:
            without_errors(*forms)
        return forms

    def initial_period(self) -> dict:
        """The dates a new budget most likely has: from the day after the person's current
        or next budget ends (or today), to the end of that financial year."""
        today = timezone.localdate()
        ends = (
            selectors.budgets_for(self.holder)
            .exclude(status=BudgetStatus.WITHDRAWN)
            .filter(period_end__gte=today)
            .values_list("period_end", flat=True)
        )
        latest = max(ends, default=None)
        start = latest + datetime.timedelta(days=1) if latest else today
        return {"period_start": start, "period_end": financial_year(start)[1]}

    def render_forms(self, form, streams, portions):
        return self.render_to_response(
            self.get_context_data(
                form=form,
                streams=streams,
                portions=portions,
                has_calculations=bool(form.calculations),
            )
        )

    def get(self, request, *args, **kwargs):
        return self.render_forms(*self.forms())

    def budget_fields(self, form, streams, portions) -> dict:
        return {
            "period_start": form.cleaned_data["period_start"],
            "period_end": form.cleaned_data["period_end"],
            "calculation": form.calculations[form.cleaned_data["calculation"]],
            "agreed_amount": form.cleaned_data["agreed_amount"],
            "clinical_justification": form.cleaned_data["clinical_justification"],
            "backdating_reason": form.reason_for_backdating(),
            "funding_streams": [
                (f.cleaned_data["kind"], f.cleaned_data["share_percent"])
                for f in streams.forms
                if f.cleaned_data.get("kind") and f.cleaned_data.get("share_percent")
            ],
            "portions": portions.portions(),
        }


def calculation_label(calculation) -> str:
    """What the calculation is, for which financial year (a budget uses one for its own
    year), and its yearly amount."""
    if isinstance(calculation, RasAssessment):
        year = financial_year_label(datetime.date(calculation.questionnaire.financial_year, 4, 1))
        return f"Resource allocation for {year}: {money(calculation.annual_amount)} a year"
    year = financial_year_label(calculation.effective_date)
    if isinstance(calculation, ChcPackage):
        return f"CHC cost cap for {year}: {money(calculation.annual_cost)} a year"
    return f"PA costing for {year}: {money(calculation.total_annual)} a year"


class BudgetCreateView(BudgetFormsMixin, PersonMixin, TemplateView):
    permission = Permission.PREPARE_BUDGET
    extra_context = {"page_title": "Set up a budget", "button_text": "Save as a draft"}

    def post(self, request, *args, **kwargs):
        form, streams, portions = self.forms()
        if self.rows_changed:
            return self.render_forms(form, streams, portions)
        if form.is_valid() and streams.is_valid() and portions.is_valid():
            try:
                budget = services.create_budget(
                    actor=request.user,
                    budget_holder=self.holder,
                    **self.budget_fields(form, streams, portions),
                )
            except Conflict as error:
                form.add_error(None, str(error))
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, "The budget has been set up as a draft")
                return redirect("budgets:budget", pk=budget.pk)
        return self.render_forms(form, streams, portions)


class BudgetPageMixin(BudgetMixin):
    def back(self):
        return redirect("budgets:budget", pk=self.budget.pk)


class BudgetDetailView(BudgetPageMixin, TemplateView):
    permission = Permission.VIEW_BUDGETS
    template_name = "budgets/budget_detail.html"

    def get_context_data(self, **kwargs):
        user, budget = self.request.user, self.budget
        state = budget_state(budget, user, selectors.budget_policy(user))
        return super().get_context_data(**kwargs) | {
            "budget": budget,
            "holder": budget.budget_holder,
            "explained": explain_budget(budget),
            "version_form": VersionForm(initial={"version": budget.version}),
            "state": state,
            "can": state.actions,
            **payments_and_changes(user, budget),
        }


def payments_and_changes(user, budget) -> dict:
    """What the budget page offers about payments and changes of amount."""
    holder = budget.budget_holder
    proposal = services.current_proposed_increase(budget)
    check = proposal.latest_check() if proposal else None
    return {
        "proposal": proposal,
        "proposal_check": check,
        "can_check_increase": proposal is not None
        and check is None
        and proposal.by_id != user.pk
        and user.has_perm(Permission.CLINICAL_CHECK, holder),
        # An active budget, or one that ended after it started (its unpaid payments are
        # still recorded).
        "can_record_payments": services.payable_refusal(budget) is None
        and user.has_perm(Permission.RECORD_PAYMENTS, holder),
    }


class BudgetActionView(BudgetPageMixin, View):
    """A POST that moves the budget on (propose, agree, start), guarded against stale pages."""

    action = None
    done = ""

    def post(self, request, *args, **kwargs):
        form = VersionForm(request.POST)
        if not form.is_valid():
            # No version, or one no page shows: the page is not this budget's as it stands.
            return conflict_redirect(
                request, STALE_PAGE, reverse("budgets:budget", args=[self.budget.pk])
            )
        version = form.cleaned_data["version"]
        try:
            self.action(actor=request.user, budget=self.budget, version=version)
        except Conflict as error:
            return conflict_redirect(
                request, error, reverse("budgets:budget", args=[self.budget.pk])
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        except PermissionDenied as error:
            raise Http404("Not found") from error
        else:
            messages.success(request, self.done)
        return self.back()


class ProposeView(BudgetActionView):
    permission = Permission.PREPARE_BUDGET
    action = staticmethod(services.propose_budget)
    done = "The budget has been proposed for agreement"


class AgreeView(BudgetActionView):
    permission = Permission.AGREE_BUDGET
    action = staticmethod(services.agree_budget)
    done = "The budget has been agreed"


class StartView(BudgetActionView):
    permission = Permission.SET_PAYMENTS
    action = staticmethod(services.activate_budget)
    done = "The budget is now active"


class BudgetFormView(BudgetPageMixin, TemplateView):
    form_class = None

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=self.make_form(None)))

    def post(self, request, *args, **kwargs):
        form = self.make_form(request.POST)
        if form.is_valid():
            try:
                self.save(form)
            except Conflict as error:
                return conflict_redirect(
                    request, error, reverse("budgets:budget", args=[self.budget.pk])
                )
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, self.done)
                return self.back()
        return self.render_to_response(self.get_context_data(form=form))

    def make_form(self, data):
        return self.form_class(data, initial={"version": self.budget.version})

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "budget": self.budget,
            "holder": self.budget.budget_holder,
            "explained": explain_budget(self.budget),
        }


class ClinicalCheckView(BudgetFormView):
    permission = Permission.CLINICAL_CHECK
    form_class = ClinicalCheckForm
    template_name = "budgets/clinical_check.html"
    done = "Your clinical check has been recorded"
    extra_context = {"page_title": "Clinical check", "button_text": "Record the check"}

    def get(self, request, *args, **kwargs):
        refusal = (
            services.not_supported_yet(self.budget)
            if self.budget.unchanged_since_not_supported
            else services.PREPARED_IT_YOURSELF
            if request.user.pk in self.budget.preparer_ids()
            else None
        )
        if refusal:
            messages.error(request, refusal)
            return redirect(reverse("budgets:budget", args=[self.budget.pk]))
        return super().get(request, *args, **kwargs)

    def save(self, form):
        services.record_clinical_check(
            actor=self.request.user,
            budget=self.budget,
            supported=form.cleaned_data["supported"],
            notes=form.cleaned_data["notes"],
            version=form.cleaned_data["version"],
        )


class LetterView(PermissionRequiredMixin, TemplateView):
    """A letter, for the ICB's staff or for the person it was written to (or their
    representative)."""

    permission = Permission.VIEW_LETTER
    object_required = True
    access_log = "letter"
    template_name = "budgets/letter.html"

    def get_permission_object(self):
        return selectors.letter_for(self.request.user, self.kwargs["pk"])

    def person_id_for_log(self, obj):
        if obj is not None:
            return obj.budget.budget_holder_id
        return selectors.holder_id_of_letter(self.kwargs["pk"]) or self.kwargs["pk"]

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"letter": self.object}
