from django.http import Http404
from django.shortcuts import redirect
from django.views.generic import TemplateView

from phb.extensions import record_sections
from phb.models import BudgetHolder, Role
from phb.presenters import person_summary_rows
from phb.selectors import get_budget_holder_for


def home(request):
    """Send each person to where their work starts."""
    if request.user.is_staff_member:
        return redirect("caseload")
    return redirect("holder_home")


class HolderHomeView(TemplateView):
    """'Your personal health budget': the budget holder's own page, or a representative's.

    A representative acting for more than one person chooses whose page to see.
    """

    template_name = "phb/holder_home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.request.user.is_staff_member:
            raise Http404("Staff see people through the caseload")
        visible = BudgetHolder.objects.visible_to(self.request.user)
        pk = self.kwargs.get("pk")
        if pk is None:
            people = list(visible.select_related("organisation")[:50])
            if len(people) != 1:
                context["people"] = people
                return context
            pk = people[0].pk
        holder = get_budget_holder_for(
            self.request,
            pk,
            what="own budget page",
            queryset=visible.select_related("organisation"),
        )
        context.update(
            holder=holder,
            acting_for=self.request.user.role == Role.REPRESENTATIVE,
            summary_rows=person_summary_rows(holder),
            sections=record_sections(self.request, holder, audience="holder"),
        )
        return context
