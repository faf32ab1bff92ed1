"""An ICB administrator keeps how people reach their ICB's personal health budget team."""

import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.views.generic import FormView

from phb import services
from phb.forms import ICBContactDetailsForm
from phb.permissions import Permission
from phb.presenters import icb_contact_rows
from phb.views.helpers import add_errors, conflict_redirect
from phb.views.mixins import PermissionRequiredMixin


class ICBContactDetailsView(PermissionRequiredMixin, FormView):
    """The contact details of the ICB the administrator acts for."""

    permission = Permission.CHANGE_ICB_CONTACT_DETAILS
    object_required = True
    form_class = ICBContactDetailsForm
    template_name = "phb/icb_contact_form.html"

    def get_permission_object(self):
        return self.request.user.acting_organisation

    def get_form_kwargs(self):
        # A copy: validating a form writes its values onto the instance, and the page shows
        # the saved details until they are saved.
        return super().get_form_kwargs() | {"instance": copy.copy(self.object)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "icb": self.object,
            "rows": icb_contact_rows(self.object),
        }

    def form_valid(self, form):
        changes = {
            field: form.cleaned_data[field] for field in form.changed_data if field != "seen"
        }
        try:
            services.update_icb_contact_details(
                actor=self.request.user,
                organisation=self.object,
                seen_updated_at=form.cleaned_data["seen"],
                **changes,
            )
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                # Changed since the page was drawn: show the details as they are now.
                return conflict_redirect(self.request, " ".join(error.messages), self.request.path)
            add_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"{self.object.name}'s contact details have been saved")
        return redirect("icb_contact_details")
