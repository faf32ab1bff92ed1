"""The tax year figures payroll works from: a page for staff who read the rates, and the
service administrator's form to add next year's (or correct a set no pay run has used)."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils import timezone
from django.views.generic import FormView, TemplateView

from budgets.calculations import financial_year_label
from employers import payroll_selectors as selectors
from employers.payroll_presenters import tax_years_table
from employers.services.tax_years import save_tax_year_figures, used_message
from employers.tax_year_forms import TaxYearFiguresForm
from phb.permissions import Permission
from phb.views.helpers import add_errors
from phb.views.mixins import PermissionRequiredMixin


class TaxYearsView(PermissionRequiredMixin, TemplateView):
    permission = Permission.VIEW_RATES
    template_name = "employers/payroll/tax_years.html"

    def get_context_data(self, **kwargs):
        can_edit = self.request.user.has_perm(Permission.EDIT_NATIONAL_RATES)
        return super().get_context_data(**kwargs) | {
            "table": tax_years_table(selectors.tax_year_sets(), can_edit),
            "can_edit": can_edit,
        }


class TaxYearFormView(PermissionRequiredMixin, FormView):
    """Next tax year's figures (no `pk`), started from the latest set's, or a correction to
    a set no pay run has used."""

    permission = Permission.EDIT_NATIONAL_RATES
    template_name = "employers/payroll/tax_year_form.html"
    form_class = TaxYearFiguresForm

    @property
    def object_required(self) -> bool:
        return "pk" in self.kwargs

    def get_permission_object(self):
        pk = self.kwargs.get("pk")
        return None if pk is None else selectors.tax_year_sets().filter(pk=pk).first()

    def get(self, request, *args, **kwargs):
        if self.object is not None and self.object.uses:
            messages.error(request, used_message(self.object))
            return redirect("employers:tax_years")
        return super().get(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.object is not None:
            # The page is named by the figures as saved: the form writes what was typed onto
            # the instance while it checks it, saved or not.
            self.saved_name = self.object.name
            kwargs["instance"] = self.object
            return kwargs
        latest = selectors.tax_year_sets().first()
        if latest is not None:
            # Usually next year's: its figures start from the latest set's, for 6 April after.
            starts = latest.tax_year_start.replace(year=latest.tax_year_start.year + 1)
            fields = self.form_class._meta.fields
            kwargs["initial"] = {name: getattr(latest, name) for name in fields}
            kwargs["initial"] |= {
                "tax_year_start": starts,
                "name": financial_year_label(starts),
            }
        else:
            year = timezone.localdate().year
            kwargs["initial"] = {"tax_year_start": datetime.date(year, 4, 6)}
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)  # builds the form
        title = f"Change the {self.saved_name} figures" if self.object else "Add tax year figures"
        return context | {"title": title}

    def form_valid(self, form):
        figures = {name: form.cleaned_data[name] for name in form.fields}
        try:
            save_tax_year_figures(actor=self.request.user, rate_set=self.object, **figures)
        except ValidationError as error:
            add_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "The tax year figures have been saved")
        return redirect("employers:tax_years")
