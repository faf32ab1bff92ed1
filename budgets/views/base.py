"""What every budgets page about a person or a budget shares: one permission, checked first."""

from budgets import selectors
from phb import selectors as core_selectors
from phb.views.mixins import PermissionRequiredMixin


class PersonMixin(PermissionRequiredMixin):
    """A staff page about one person of the ICB the user acts for. Anything else is a 404."""

    object_required = True
    access_log = "budget page"

    def get_permission_object(self):
        return core_selectors.person_for(self.request.user, self.kwargs["pk"])

    @property
    def holder(self):
        return self.object

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"holder": self.holder}


class BudgetMixin(PermissionRequiredMixin):
    """A staff page about one budget of the ICB the user acts for; anything else is a 404."""

    object_required = True
    access_log = "budget"

    def get_permission_object(self):
        return selectors.budget_for(self.request.user, self.kwargs["pk"])

    def person_id_for_log(self, obj):
        if obj is not None:
            return obj.budget_holder_id
        return selectors.holder_id_of_budget(self.kwargs["pk"]) or self.kwargs["pk"]

    @property
    def budget(self):
        return self.object
