"""Pay runs and payslips: an employer's pay runs (staff, and the employer's side), starting,
reviewing, recalculating, finalising and correcting a run (payroll staff), the bureau export,
and payslips (staff, the employer's side and the PA themself; another PA gets a 404)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views import View
from django.views.generic import TemplateView

from budgets.services import Conflict
from employers import payroll_presenters as presenters
from employers import payroll_selectors as selectors
from employers.models import PayRunStatus
from employers.payroll_forms import FinaliseForm
from employers.services import payruns as services
from employers.views.own import OwnPaPage
from phb.permissions import Permission
from phb.views.helpers import add_errors, conflict_redirect
from phb.views.mixins import PermissionRequiredMixin


class EmployerSideOrStaff(PermissionRequiredMixin):
    """Seen by staff who see employers and by the employer's side (the holder or their
    representative): whichever the user is decides the permission checked."""

    object_required = True
    access_log = "pay"

    @property
    def permission(self):
        user, obj = self.request.user, getattr(self, "_permission_object", None)
        if user.has_perm(Permission.VIEW_EMPLOYERS, obj):
            return Permission.VIEW_EMPLOYERS
        return Permission.VIEW_OWN_EMPLOYMENT

    def get_permission_object(self):
        self._permission_object = self.load()
        return self._permission_object

    def may_run_payroll(self) -> bool:
        return self.request.user.has_perm(Permission.RUN_PAYROLL, self.object)

    def speaks_to_holder(self) -> bool:
        return not self.request.user.has_perm(Permission.VIEW_EMPLOYERS, self.object)


class PayRunsView(EmployerSideOrStaff, TemplateView):
    template_name = "employers/payroll/pay_runs.html"

    def load(self):
        return selectors.employer_for(self.request.user, self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        employer = self.object
        runs = list(selectors.pay_runs_of(employer))
        has_draft = any(run.status == PayRunStatus.DRAFT for run in runs)
        next_period = None
        if not has_draft and self.may_run_payroll():
            next_period = services.next_period(employer, timezone.localdate())
        return super().get_context_data(**kwargs) | {
            "next_period": next_period,
            "employer": employer,
            "holder": employer.budget_holder,
            "runs_table": presenters.runs_table(runs),
            "has_runs": bool(runs),
            "has_draft": has_draft,
            "spend": selectors.pa_spend_for(employer),
            "may_run_payroll": self.may_run_payroll(),
            "to_holder": self.speaks_to_holder(),
            "own": employer.budget_holder.user_id == self.request.user.pk,
        }


class StartPayRunView(PermissionRequiredMixin, View):
    permission = Permission.RUN_PAYROLL
    object_required = True
    access_log = "pay"

    def get_permission_object(self):
        return selectors.employer_for(self.request.user, self.kwargs["pk"])

    def post(self, request, *args, **kwargs):
        try:
            run = services.start_pay_run(actor=request.user, employer=self.object)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("employers:pay_runs", self.object.pk)
        messages.success(request, "The pay run has been worked out: check it, then finalise it")
        return redirect("employers:pay_run", run.pk)


class PayRunView(EmployerSideOrStaff, TemplateView):
    template_name = "employers/payroll/pay_run.html"

    def load(self):
        return selectors.pay_run_for(self.request.user, self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        run = self.object
        payslips = list(selectors.payslips_of(run))
        corrected_by = getattr(run, "corrected_by", None) if not run.is_draft else None
        later = None
        if not run.is_draft and corrected_by is None:
            later = services.later_run(run)
        totals = selectors.run_totals(run)
        correcting = None
        if run.corrects_id:
            before = selectors.run_totals(run.corrects)
            correcting = {
                "net_before": before["net_pay"],
                "net": presenters.difference(totals["net_pay"] - before["net_pay"]),
                "cost": presenters.difference(totals["employer_cost"] - before["employer_cost"]),
            }
        return super().get_context_data(**kwargs) | {
            "run": run,
            "employer": run.employer,
            "holder": run.employer.budget_holder,
            "period": presenters.period_words(run),
            "payslips": payslips,
            "payslips_table": presenters.payslips_table(payslips),
            "cost_rows": presenters.cost_rows(totals),
            "correcting": correcting,
            "corrected_by": corrected_by,
            "cannot_correct": services.later_run_words(later) if later else "",
            "back_url": reverse("employers:pay_runs", args=[run.employer_id]),
            "may_run_payroll": self.may_run_payroll(),
            "to_holder": self.speaks_to_holder(),
        }


class RunActionView(PermissionRequiredMixin, View):
    """A button on the run's page that calls one service."""

    permission = Permission.RUN_PAYROLL
    object_required = True
    access_log = "pay"

    def get_permission_object(self):
        return selectors.pay_run_for(self.request.user, self.kwargs["pk"])

    def post(self, request, *args, **kwargs):
        try:
            run = self.act()
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("employers:pay_run", self.object.pk)
        messages.success(request, self.done)
        return redirect("employers:pay_run", run.pk)


class RecalculateView(RunActionView):
    done = "The pay run has been worked out again"

    def act(self):
        return services.recalculate_pay_run(actor=self.request.user, run=self.object)


class CorrectView(RunActionView):
    done = "A correction run has been worked out: check it, then finalise it"

    def act(self):
        return services.start_correction(actor=self.request.user, run=self.object)


class FinaliseView(PermissionRequiredMixin, TemplateView):
    permission = Permission.RUN_PAYROLL
    object_required = True
    access_log = "pay"
    template_name = "employers/payroll/finalise.html"

    def get_permission_object(self):
        return selectors.pay_run_for(self.request.user, self.kwargs["pk"])

    def refusal(self):
        if not self.object.is_draft:
            return services.already_finalised(self.object)
        return None

    def get(self, request, *args, **kwargs):
        if refusal := self.refusal():
            messages.error(request, refusal)
            return redirect("employers:pay_run", self.object.pk)
        # The run as this page shows it (ADR 0042): worked out again since, it is refused.
        form = FinaliseForm(initial={"seen": self.object.updated_at})
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request, *args, **kwargs):
        if refusal := self.refusal():
            messages.error(request, refusal)
            return redirect("employers:pay_run", self.object.pk)
        form = FinaliseForm(request.POST)
        if form.is_valid():
            try:
                services.finalise_pay_run(
                    actor=request.user, run=self.object, seen=form.cleaned_data["seen"]
                )
            except Conflict as error:
                # Worked out again since the page was drawn: the run's page shows it as it is.
                return conflict_redirect(
                    request, error, reverse("employers:pay_run", args=[self.object.pk])
                )
            except ValidationError as error:
                # Finalised meanwhile (another tab, someone else): say so once, on the run's
                # page, as opening this page again would; the form has nothing left to do.
                self.object.refresh_from_db()
                if refusal := self.refusal():
                    messages.error(request, refusal)
                    return redirect("employers:pay_run", self.object.pk)
                add_errors(form, error)
            else:
                messages.success(
                    request, "The pay run is finalised. The payslip PDFs are being made."
                )
                return redirect("employers:pay_run", self.object.pk)
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        run = self.object
        return super().get_context_data(**kwargs) | {
            "run": run,
            "holder": run.employer.budget_holder,
            "period": presenters.period_words(run),
            "cost_rows": presenters.cost_rows(selectors.run_totals(run)),
            "back_url": reverse("employers:pay_run", args=[run.pk]),
        }


class ExportView(PermissionRequiredMixin, View):
    """A finalised run as CSV for a payroll bureau; each download is in the access log."""

    permission = Permission.RUN_PAYROLL
    object_required = True
    access_log = "pay run export"

    def get_permission_object(self):
        return selectors.pay_run_for(self.request.user, self.kwargs["pk"])

    def nothing_to_show(self, obj) -> bool:
        """A run still being checked has no export yet: not a view, nor a refusal."""
        return obj.is_draft

    def get(self, request, *args, **kwargs):
        run = self.object
        if run.is_draft:
            raise Http404("Not found")
        body = presenters.bureau_csv(run, selectors.payslips_of(run))
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
        name = slugify(f"pay run {run.employer.display_name} {run.pay_date:%Y-%m-%d}")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response


class PayslipView(PermissionRequiredMixin, TemplateView):
    permission = Permission.VIEW_PAYSLIP
    object_required = True
    access_log = "payslip"
    template_name = "employers/payroll/payslip.html"

    def get_permission_object(self):
        return selectors.payslip_for(self.request.user, self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        slip = self.object
        user = self.request.user
        is_the_pa = slip.assistant.user_id == user.pk
        back = (
            reverse("employers:own_payslips")
            if is_the_pa
            else reverse("employers:pay_run", args=[slip.run_id])
        )
        return super().get_context_data(**kwargs) | {
            "payslip": slip,
            "run": slip.run,
            "paid_words": presenters.payslip_paid_words(slip.run, today=timezone.localdate()),
            "lines_table": presenters.payslip_lines_table(slip.lines.all()),
            "deduction_rows": presenters.deduction_rows(slip),
            "detail_rows": presenters.detail_rows(slip),
            "employer_rows": presenters.employer_rows(slip),
            "is_the_pa": is_the_pa,
            "back_url": back,
        }


class OwnPayslipsView(OwnPaPage):
    """A signed-in PA's own payslips, and nobody else's."""

    template_name = "employers/payroll/own_payslips.html"

    def get_context_data(self, **kwargs):
        payslips = list(selectors.own_payslips(self.request.user))
        return super().get_context_data(**kwargs) | {
            "payslips": payslips,
            "table": presenters.own_payslips_table(payslips),
        }
