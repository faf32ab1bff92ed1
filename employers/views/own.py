"""What every page of a PA's own records shares: it opens only for someone signed in as a PA
(someone with a PA record linked to their sign-in), and shows nothing of anyone else."""

from django.views.generic import TemplateView

from employers.models import PersonalAssistant
from phb.permissions import Permission
from phb.views.mixins import PermissionRequiredMixin


class OwnPaPage(PermissionRequiredMixin, TemplateView):
    permission = Permission.VIEW_OWN_PA_RECORD
    object_required = True

    def get_permission_object(self):
        """One of the PA records linked to the signed-in person (any will do: the rule asks
        only that it is theirs), or None, which is a 404."""
        user = self.request.user
        return PersonalAssistant.objects.visible_to(user).filter(user_id=user.pk).first()
