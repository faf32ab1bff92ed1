"""The service administrator's pages: every ICB, adding an ICB and its administrators.

The service administrator runs the deployment for all ICBs and sees no person's record."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils import timezone
from django.views.generic import FormView, TemplateView

from phb import selectors, services
from phb.models import Role
from phb.permissions import Permission
from phb.presenters import organisations_table
from phb.staff_forms import IcbAdministratorForm, OrganisationForm
from phb.views.helpers import add_errors
from phb.views.mixins import PermissionRequiredMixin


class ServiceHomeView(PermissionRequiredMixin, TemplateView):
    permission = Permission.MANAGE_ICBS
    template_name = "phb/service_home.html"

    def get_context_data(self, **kwargs):
        organisations = list(selectors.organisations())
        return super().get_context_data(**kwargs) | {
            "organisations": organisations,
            "table": organisations_table(organisations),
        }


class OrganisationCreateView(PermissionRequiredMixin, FormView):
    permission = Permission.MANAGE_ICBS
    template_name = "phb/staff_form.html"
    form_class = OrganisationForm
    extra_context = {
        "title": "Add an ICB",
        "button_text": "Add the ICB",
        "back_name": "service_home",
    }

    def form_valid(self, form):
        try:
            icb = services.add_organisation(actor=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"{icb.name} has been added. Now add its administrator.")
        return redirect("service_organisation", pk=icb.pk)


class OrganisationView(PermissionRequiredMixin, FormView):
    """An ICB for the service administrator: its administrators, and adding one."""

    permission = Permission.MANAGE_ICBS
    object_required = True
    template_name = "phb/service_organisation.html"
    form_class = IcbAdministratorForm

    def get_permission_object(self):
        return selectors.organisation(self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        administrators = list(selectors.administrators_of(self.object))
        # The last day anyone is its administrator, when every administrator has a last day.
        last_day = (
            max(a.ends_on for a in administrators)
            if administrators and all(a.ends_on is not None for a in administrators)
            else None
        )
        return super().get_context_data(**kwargs) | {
            "organisation": self.object,
            "administrators": administrators,
            "today": today,
            "none_today": all(a.starts_on > today for a in administrators),
            "none_after": last_day,
        }

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        # The name of a sign-in with no role in this ICB (another ICB's member of staff) is
        # not said.
        known_here = selectors.staff_of(self.object).filter(email__iexact=email).exists()
        try:
            user, created = services.add_staff_member(
                actor=self.request.user,
                organisation=self.object,
                roles=[Role.ICB_ADMIN],
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_errors(form, error)
            return self.form_invalid(form)
        starts_on = form.cleaned_data.get("starts_on") or timezone.localdate()
        if created or known_here:
            who, now_is = user.full_name, "is now"
        else:
            who, now_is = f"{email} already had a sign-in: they keep it, and", "are now"
        messages.success(
            self.request,
            (
                f"{who} will be an administrator of {self.object.name} from {starts_on:%-d %B %Y}."
                if starts_on > timezone.localdate()
                else f"{who} {now_is} an administrator of {self.object.name}."
            )
            + (" We have emailed them a link to set their password." if created else ""),
        )
        return redirect("service_organisation", pk=self.object.pk)
