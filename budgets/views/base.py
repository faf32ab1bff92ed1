from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect

from budgets.services import Conflict
from phb.selectors import get_budget_holder_for


class PersonMixin:
    """A staff page about one person of the user's ICB. Anything else is a 404."""

    permission = "budgets.calculate"
    what = "budget page"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_staff_member:
            raise Http404("Not found")
        self.holder = get_budget_holder_for(request, kwargs["pk"], what=self.what)
        if not request.user.has_perm(self.permission, self.holder):
            raise Http404("Not found")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"holder": self.holder}


def add_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: on its field where the form has one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def conflict_redirect(request, error: Conflict, to):
    messages.error(request, str(error))
    return redirect(to)
