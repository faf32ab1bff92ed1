"""Staff accounts: the ICB switcher, and an ICB administrator's list of staff and roles."""

import logging

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.middleware.csrf import rotate_token
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import FormView, TemplateView

from phb import selectors, services
from phb.middleware import ACTING_FOR_SESSION_KEY
from phb.permissions import Permission
from phb.presenters import assignment_table, staff_table
from phb.staff_forms import ActingForForm, EndRoleForm, GrantRoleForm, StaffMemberForm
from phb.views.helpers import add_errors, conflict_redirect
from phb.views.mixins import PermissionRequiredMixin

security_log = logging.getLogger("phb.security")
PAGE_SIZE = 50


class ActingForView(PermissionRequiredMixin, FormView):
    """Someone who works for more than one ICB chooses which one they act for now."""

    permission = Permission.SWITCH_ICB
    template_name = "phb/acting_for.html"
    form_class = ActingForForm

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {
            "organisations": self.request.user.organisations,
            "initial": {"organisation": str(self.request.user.acting_organisation_id)},
        }

    def form_invalid(self, form):
        if "organisation" in self.request.POST:
            security_log.warning(
                "Refused acting for %s: user %s holds no role there",
                self.request.POST.get("organisation"),
                self.request.user.pk,
            )
        return super().form_invalid(form)

    def form_valid(self, form):
        self.request.session[ACTING_FOR_SESSION_KEY] = form.cleaned_data["organisation"]
        # A new security token: a form opened for the other ICB, in another tab, is refused
        # (phb.middleware.csrf_failure) instead of saving into this one.
        rotate_token(self.request)
        self.request.user.chosen_organisation_id = form.cleaned_data["organisation"]
        messages.success(
            self.request, f"You are now working for {self.request.user.acting_organisation.name}"
        )
        return redirect("home")


class IcbMixin(PermissionRequiredMixin):
    """A page about the ICB the user acts for."""

    permission = Permission.MANAGE_STAFF

    def get_permission_object(self):
        return self.request.user.acting_organisation

    @property
    def organisation(self):
        return self.object


class StaffListView(IcbMixin, TemplateView):
    template_name = "phb/staff_list.html"

    def get_context_data(self, **kwargs):
        page = Paginator(selectors.staff_of(self.organisation), PAGE_SIZE).get_page(
            self.request.GET.get("page")
        )
        return super().get_context_data(**kwargs) | {
            "organisation": self.organisation,
            "page": page,
            "table": staff_table(page),
        }


class StaffCreateView(IcbMixin, FormView):
    template_name = "phb/staff_form.html"
    form_class = StaffMemberForm
    extra_context = {"title": "Add a member of staff", "button_text": "Add them"}

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        # Whether the ICB knew them before: the name of a sign-in with no role here (another
        # ICB's member of staff) is not said.
        known_here = selectors.staff_of(self.organisation).filter(email__iexact=email).exists()
        try:
            user, created = services.add_staff_member(
                actor=self.request.user, organisation=self.organisation, **form.cleaned_data
            )
        except ValidationError as error:
            add_errors(form, error)
            return self.form_invalid(form)
        if created:
            done = (
                f"{user.full_name} has been added. We have emailed them a link to set their "
                "password."
            )
        else:
            # The email is an existing member of staff's (of another ICB, say): they keep their
            # sign-in and their name as it is, and choose which ICB they work for.
            done = (
                f"{email} already had a sign-in"
                + (f", as {user.full_name}" if known_here else "")
                + ": they keep it, and now have roles here too. Someone who works for more "
                "than one ICB chooses which one they are working for when they sign in."
            )
        messages.success(self.request, done)
        return redirect("staff_member", pk=user.pk)


class StaffMemberView(IcbMixin, FormView):
    """One person's roles in this ICB (never their roles elsewhere), and giving another."""

    template_name = "phb/staff_member.html"
    form_class = GrantRoleForm

    @cached_property
    def member(self):
        member = selectors.staff_member(self.organisation, self.kwargs["pk"])
        if member is None:
            raise Http404("Not found")
        return member

    def get_context_data(self, **kwargs):
        member = self.member
        return super().get_context_data(**kwargs) | {
            "member": member,
            "table": assignment_table(member.assignments_here),
        }

    def form_valid(self, form):
        member = self.member
        try:
            services.grant_role(
                actor=self.request.user,
                user=member,
                organisation=self.organisation,
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"{member.full_name} has a new role")
        return redirect("staff_member", pk=member.pk)


class EndRoleView(PermissionRequiredMixin, FormView):
    permission = Permission.MANAGE_STAFF
    object_required = True
    template_name = "phb/staff_end_role.html"
    form_class = EndRoleForm

    def get_permission_object(self):
        return selectors.assignment_in(self.request.user.acting_organisation, self.kwargs["pk"])

    def dispatch(self, request, *args, **kwargs):
        # A role withdrawn since this page was opened (in another tab, or by someone else) is
        # gone: say so on its holder's page rather than "Page not found".
        organisation = request.user.acting_organisation if request.user.is_authenticated else None
        if (
            organisation is not None
            and request.user.has_perm(Permission.MANAGE_STAFF, organisation)
            and selectors.assignment_in(organisation, kwargs["pk"]) is None
        ):
            holder_id = selectors.withdrawn_assignment_holder(organisation, kwargs["pk"])
            if holder_id is not None:
                return conflict_redirect(
                    request,
                    "This role has already been withdrawn. Nothing was changed.",
                    reverse("staff_member", args=[holder_id]),
                )
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"assignment": self.object}

    def get_context_data(self, **kwargs):
        assignment = self.object
        return super().get_context_data(**kwargs) | {
            "assignment": assignment,
            "not_started": assignment.starts_on > timezone.localdate(),
            "back_url": reverse("staff_member", args=[assignment.user_id]),
        }

    def post(self, request, *args, **kwargs):
        if "withdraw" not in request.POST:
            return super().post(request, *args, **kwargs)
        assignment = self.object
        try:
            services.withdraw_role_assignment(actor=request.user, assignment=assignment)
        except ValidationError as error:
            return conflict_redirect(request, " ".join(error.messages), request.path)
        messages.success(
            request,
            f"{assignment.user.full_name}'s role {assignment.get_role_display()}, which was to "
            f"start on {assignment.starts_on:%-d %B %Y}, has been withdrawn",
        )
        return redirect("staff_member", pk=assignment.user_id)

    def form_valid(self, form):
        assignment = self.object
        try:
            services.end_role_assignment(
                actor=self.request.user, assignment=assignment, **form.cleaned_data
            )
        except ValidationError as error:
            add_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"{assignment.user.full_name}'s role {assignment.get_role_display()} ends on "
            f"{form.cleaned_data['ends_on']:%-d %B %Y}",
        )
        return redirect("staff_member", pk=assignment.user_id)
