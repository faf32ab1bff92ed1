"""The one way a view checks permission, and logs who opened a person's record."""

import logging

from django.http import Http404

from phb.extensions import holder_id_named_by
from phb.rules import holder_of
from phb.services import record_access

security_log = logging.getLogger("phb.security")


class PermissionRequiredMixin:
    """Every page names one `phb.permissions.Permission` and, where it is about one thing,
    loads that thing through a scoped selector in `get_permission_object()`.

    The check comes first. A refusal is a 404 (never a 403 that confirms the thing exists);
    on a page about a person (`access_log` set) it writes one "refused" entry in their access
    log, and a page that is allowed writes one "viewed" entry, unless it has nothing to show
    (`nothing_to_show`: a missing file, a draft run). So a refused attempt never appears as a
    view, and a page that shows nothing is neither.
    """

    permission = None
    # Words for the person's access log ("record", "budget"); None for pages about no person.
    access_log: str | None = None
    # Pages about one thing refuse when it is missing or not the user's to see.
    object_required = False

    def get_permission_object(self):
        return None

    def nothing_to_show(self, obj) -> bool:
        """True when an allowed request will show nothing of the person's (a PDF still being
        made): it is then neither a view nor a refusal, and is not logged."""
        return False

    def person_id_for_log(self, obj):
        """Whose record this request was about, for the access log. A refused request may
        name a person the user cannot see, or nobody: then the id in the address is given,
        and `refused_person_id` finds whose it is."""
        holder = holder_of(obj) if obj is not None else None
        return holder.pk if holder is not None else self.kwargs.get("pk")

    def refused_person_id(self, person_id):
        """For a refusal: the person whose record the address names, read without the user's
        scope through what the apps register (`phb.extensions.register_person_link`), so that
        an attempt on another PA's payslip or another ICB's competence is in that person's log
        rather than under the payslip's own id. An id that names nothing is logged as it is."""
        return holder_id_named_by([person_id, *self.kwargs.values()]) or person_id

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        obj = self.get_permission_object() if user.is_authenticated else None
        allowed = (
            user.is_authenticated
            and not (self.object_required and obj is None)
            and user.has_perm(self.permission, obj)
        )
        if (
            self.access_log
            and user.is_authenticated
            and not (allowed and self.nothing_to_show(obj))
        ):
            person_id = self.person_id_for_log(obj)
            if not allowed:
                person_id = self.refused_person_id(person_id)
            if person_id is not None:
                record_access(
                    user=user,
                    budget_holder_id=person_id,
                    viewed=allowed,
                    what=self.access_log,
                    path=request.get_full_path(),
                )
        if not allowed:
            security_log.warning(
                "Refused %s %s for user %s (%s)",
                request.method,
                request.path,
                getattr(user, "pk", None),
                self.permission,
            )
            raise Http404("Not found")
        self.object = obj
        return super().dispatch(request, *args, **kwargs)
