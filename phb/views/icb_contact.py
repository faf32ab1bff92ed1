"""An ICB administrator keeps how people reach their ICB's personal health budget team."""

import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import FormView

from phb import selectors, services
from phb.forms import ICBContactDetailsForm
from phb.presenters import icb_contact_rows


def your_icb_contact_details(request):
    """The header link: the administrator's own ICB's page. Anyone else gets 404."""
    if not request.user.has_perm("phb.manage_icb_contact_details"):
        raise Http404("Not found")
    return redirect("icb_contact_details", pk=request.user.organisation_id)


class ICBContactDetailsView(FormView):
    form_class = ICBContactDetailsForm
    template_name = "phb/icb_contact_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.icb = selectors.icb_contact_details_for(request.user, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        # A copy: validating a form writes its values onto the instance, and the page shows
        # the saved details until they are saved.
        return super().get_form_kwargs() | {"instance": copy.copy(self.icb)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "icb": self.icb,
            "rows": icb_contact_rows(self.icb),
        }

    def form_valid(self, form):
        changes = {field: form.cleaned_data[field] for field in form.changed_data}
        try:
            services.update_icb_contact_details(
                actor=self.request.user, organisation=self.icb, **changes
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, f"{self.icb.name}'s contact details have been saved")
        return redirect(reverse("icb_contact_details", args=[self.icb.pk]))
