from django.http import Http404
from rules.contrib.views import PermissionRequiredMixin as RulesPermissionRequiredMixin


class PermissionRequiredMixin(RulesPermissionRequiredMixin):
    """Rules permission check where a refusal is a 404, never a 403 that confirms existence."""

    def handle_no_permission(self):
        raise Http404("Not found")
