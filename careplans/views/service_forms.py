"""What the review, reconsideration and stopping form pages share: the permission first, a
form whose values go to one service, its errors shown in the NHS.UK way, and a message."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.views.generic import TemplateView

from budgets.services import Conflict
from phb.views.helpers import add_errors, conflict_redirect
from phb.views.mixins import PermissionRequiredMixin


class ServiceFormView(PermissionRequiredMixin, TemplateView):
    """A form page about one thing (`get_permission_object`): GET shows the form, POST calls
    `save(form)` and goes to `done_url()`, or shows the form again with what was wrong."""

    object_required = True
    template_name = "careplans/reviews/form_page.html"
    done = ""

    def form_kwargs(self) -> dict:
        return {}

    def make_form(self, data=None):
        return self.form_class(data, **self.form_kwargs())

    def refuse(self):
        """A reason this page cannot be used now (the thing is in the wrong state), or None."""
        return None

    def get(self, request, *args, **kwargs):
        refusal = self.refuse()
        if refusal:
            messages.error(request, refusal)
            return redirect(self.done_url())
        return self.render_to_response(self.get_context_data(form=self.make_form()))

    def post(self, request, *args, **kwargs):
        refusal = self.refuse()
        if refusal:
            messages.error(request, refusal)
            return redirect(self.done_url())
        form = self.make_form(request.POST)
        if form.is_valid():
            try:
                self.save(form)
            except Conflict as error:
                return conflict_redirect(request, error, self.done_url())
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, self.done)
                return redirect(self.done_url())
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"holder": self.holder}
