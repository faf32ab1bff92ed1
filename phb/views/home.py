from django.shortcuts import redirect
from django.utils import timezone
from django.views.generic import TemplateView

from phb import selectors
from phb.extensions import home_redirect, record_sections
from phb.middleware import ACTING_FOR_SESSION_KEY
from phb.permissions import Permission
from phb.presenters import person_summary_rows
from phb.views.mixins import PermissionRequiredMixin


def home(request):
    """Send each person to where their work starts. Someone who works for more than one ICB
    first chooses which one they are working for, once a session (the caseload would otherwise
    be whichever ICB comes first by name)."""
    user = request.user
    if user.is_staff_member:
        if len(user.organisations) > 1 and ACTING_FOR_SESSION_KEY not in request.session:
            return redirect("acting_for")
        return redirect("caseload")
    if user.is_service_admin:
        return redirect("service_home")
    return redirect(home_redirect(user) or "holder_home")


class HolderHomeView(TemplateView):
    """'Your personal health budget': with exactly one person (their own record, or the one
    person they act for) it is that person's page; otherwise the list to choose from, or a
    plain note that there is nobody. Someone with no budget of their own who works here (staff,
    the service administrator, a PA) is sent to where their work starts instead."""

    template_name = "phb/holder_choose.html"

    def get(self, request, *args, **kwargs):
        people = list(selectors.own_people(request.user)[:50])
        if len(people) == 1:
            # The one person, as just read through the same scope: not read a second time.
            return HolderPersonView.as_view(person=people[0])(request, pk=people[0].pk)
        is_representative = selectors.represents_anyone(request.user)
        staff_role = None
        if not people and not is_representative:
            user = request.user
            if user.is_staff_member or user.is_service_admin or home_redirect(user):
                return home(request)
            # Staff whose roles have all ended, or not started: not a budget holder.
            staff_role = selectors.staff_role_to_explain(user)
        return self.render_to_response(
            self.get_context_data(
                people=people,
                is_representative=is_representative,
                staff_role=staff_role,
                today=timezone.localdate(),
            )
        )


class HolderPersonView(PermissionRequiredMixin, TemplateView):
    """A budget holder's own page, or a representative's page about the person they act for."""

    permission = Permission.VIEW_OWN_RECORD
    object_required = True
    access_log = "own budget page"
    template_name = "phb/holder_home.html"
    person = None  # the person, when "Your personal health budget" has already read them

    def get_permission_object(self):
        if self.person is not None and self.person.pk == self.kwargs["pk"]:
            return self.person
        return selectors.own_person(self.request.user, self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        holder = self.object
        return super().get_context_data(**kwargs) | {
            "holder": holder,
            "acting_for": holder.user_id != self.request.user.pk,
            "summary_rows": person_summary_rows(holder, for_holder=True),
            "sections": record_sections(self.request, holder, audience="holder"),
        }
