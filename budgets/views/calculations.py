"""Working out the indicative amount three ways, and comparing them side by side."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils import timezone
from django.views.generic import FormView, TemplateView

from budgets import selectors, services
from budgets.calculations import financial_year
from budgets.forms import (
    ChcLineFormSet,
    EffectiveDateForm,
    PaCostingForm,
    PaLineFormSet,
    RasAssessmentForm,
)
from budgets.lifecycle_presenters import compare_calculations
from budgets.presenters import explain_calculation
from budgets.services.costing import LineRefused
from budgets.views.base import PersonMixin
from phb.forms import change_rows, without_errors
from phb.permissions import Permission
from phb.views.helpers import add_errors


class CompareView(PersonMixin, TemplateView):
    """The three calculations side by side, and the person's budgets."""

    permission = Permission.VIEW_BUDGETS
    template_name = "budgets/compare.html"

    def get_context_data(self, **kwargs):
        calculations = selectors.calculations_for(self.holder)
        latest = {kind: (items[0] if items else None) for kind, items in calculations.items()}
        comparison = compare_calculations(latest)
        new_urls = {
            "ras": "budgets:ras_new",
            "chc": "budgets:chc_new",
            "pa": "budgets:pa_new",
        }
        columns = [
            column
            | {
                "explanation": explain_calculation(column["calculation"])
                if column["calculation"]
                else None,
                "new_url": new_urls[column["key"]],
            }
            for column in comparison["columns"]
        ]
        return super().get_context_data(**kwargs) | {
            "columns": columns,
            "worked": [column for column in columns if column["calculation"] is not None],
            "comparison": comparison,
            "findings": comparison["findings"],
            "budgets": list(selectors.budgets_for(self.holder)),
            "can_calculate": self.request.user.has_perm(Permission.CALCULATE, self.holder),
            "can_prepare": self.request.user.has_perm(Permission.PREPARE_BUDGET, self.holder),
        }


class RasAssessmentView(PersonMixin, FormView):
    permission = Permission.CALCULATE
    template_name = "budgets/ras_form.html"
    form_class = RasAssessmentForm
    extra_context = {"page_title": "Resource allocation", "button_text": "Work out the amount"}

    def questionnaire(self):
        """The version in use for the chosen financial year (this year's by default)."""
        if not hasattr(self, "_questionnaire"):
            raw = self.request.GET.get("year", "")
            year = int(raw) if raw.isdigit() else financial_year(timezone.localdate())[0].year
            self._questionnaire = selectors.published_questionnaire(self.holder.organisation, year)
        return self._questionnaire

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"questionnaire": self.questionnaire()}

    def get_form(self, form_class=None):
        if self.questionnaire() is None:
            return None
        return super().get_form(form_class)

    def post(self, request, *args, **kwargs):
        if self.questionnaire() is None:
            return self.get(request, *args, **kwargs)
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"questionnaire": self.questionnaire()}

    def form_valid(self, form):
        try:
            services.complete_ras_assessment(
                actor=self.request.user,
                budget_holder=self.holder,
                questionnaire=self.questionnaire(),
                effective_date=form.cleaned_data["effective_date"],
                answers=form.answers(),
            )
        except ValidationError as error:
            add_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "The resource allocation has been worked out")
        return redirect("budgets:person", pk=self.holder.pk)


class FormSetCalculationView(PersonMixin, TemplateView):
    """A calculation entered as a form plus a formset of lines."""

    permission = Permission.CALCULATE
    form_class = EffectiveDateForm
    formset_class = None
    success_message = ""

    rows_changed = False

    def forms(self):
        """The form and its lines; after "Add another" or "Remove", shown as typed."""
        data = self.request.POST if self.request.method == "POST" else None
        data, self.rows_changed = change_rows(data, "lines", max_rows=self.formset_class.max_num)
        form, formset = self.form_class(data), self.formset_class(data, prefix="lines")
        if self.rows_changed:
            without_errors(form, formset)
        return form, formset

    def get(self, request, *args, **kwargs):
        form, formset = self.forms()
        return self.render_to_response(self.get_context_data(form=form, formset=formset))

    def post(self, request, *args, **kwargs):
        form, formset = self.forms()
        if self.rows_changed:
            return self.render_to_response(self.get_context_data(form=form, formset=formset))
        if form.is_valid() and formset.is_valid():
            rows = [f for f in formset.forms if f.cleaned_data and self.filled(f.cleaned_data)]
            if not rows:
                # On the first line, or the form when a tampered management form left none.
                (formset.forms[0] if formset.forms else form).add_error(None, self.empty_message)
            else:
                try:
                    self.save(form.cleaned_data, [row.cleaned_data for row in rows])
                except LineRefused as error:
                    # Beside the box it is about, on the row the person typed it in.
                    add_errors(rows[error.line], error)
                except ValidationError as error:
                    add_errors(form, error)
                else:
                    messages.success(request, self.success_message)
                    return redirect("budgets:person", pk=self.holder.pk)
        elif too_many_rows(formset):
            # A tampered row count: say that alone, not what is missing from rows never sent.
            without_errors(*formset.forms)
        return self.render_to_response(self.get_context_data(form=form, formset=formset))


def too_many_rows(formset) -> bool:
    return any(error.code == "too_many_forms" for error in formset.non_form_errors().as_data())


class ChcPackageView(FormSetCalculationView):
    template_name = "budgets/chc_form.html"
    formset_class = ChcLineFormSet
    success_message = "The CHC package has been costed"
    extra_context = {"page_title": "Cost the CHC package", "button_text": "Work out the cost"}
    empty_message = "Add at least one service"

    def filled(self, line) -> bool:
        return bool(line.get("service"))

    def save(self, data, lines):
        services.cost_chc_package(
            actor=self.request.user,
            budget_holder=self.holder,
            effective_date=data["effective_date"],
            lines=[
                {
                    "service": line["service"],
                    "provider_type": line["provider_type"] or "other",
                    "units_per_week": line["units_per_week"],
                    "unit_cost": line.get("unit_cost"),
                }
                for line in lines
            ],
        )


class PaCostingView(FormSetCalculationView):
    template_name = "budgets/pa_form.html"
    form_class = PaCostingForm
    formset_class = PaLineFormSet
    success_message = "The cost of employing PAs has been worked out"
    extra_context = {
        "page_title": "Cost employing personal assistants",
        "button_text": "Work out the cost",
    }
    empty_message = "Add at least one PA"

    def filled(self, line) -> bool:
        return bool(line.get("label"))

    def save(self, data, lines):
        contingency = data.get("contingency_percent")
        services.cost_pas(
            actor=self.request.user,
            budget_holder=self.holder,
            effective_date=data["effective_date"],
            pas=lines,
            pay_frequency=data["pay_frequency"],
            claims_employment_allowance=data["claims_employment_allowance"],
            insurance_annual=data.get("insurance_annual"),
            payroll_fee_annual=data.get("payroll_fee_annual"),
            contingency_rate=None if contingency is None else contingency / Decimal(100),
        )
