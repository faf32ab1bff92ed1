"""What delegated healthcare tasks add to the core's pages: on the person's record (staff) and
the budget holder's own page, every task delegated for the person and who covers it today; a
header link to the clinician's work queue or the ICB's task catalogue; the printable records;
and the demo catalogue. The lead wires `register()` into employers/apps.py."""

from django.utils import timezone

# tasks_delegation is imported so that the worker knows its task (autodiscovery looks only
# for tasks.py).
from employers import delegation_documents, demo_delegation, tasks_delegation  # noqa: F401
from employers import delegation_selectors as selectors
from employers.selectors import employer_of
from employers.views.delegation import cover_table
from phb.extensions import (
    NavigationItem,
    RecordSection,
    read_once,
    register_demo_seeder,
    register_navigation_item,
    register_record_section,
)
from phb.permissions import Permission


def _section(request, holder, *, audience) -> dict:
    if not request.user.has_perm(Permission.VIEW_DELEGATIONS, holder):
        return {"show": False}
    cover = selectors.cover(holder, on=timezone.localdate())
    if not cover and audience != "staff":
        return {"show": False}
    employer = read_once(holder, employer_of)
    return {
        "show": True,
        "audience": audience,
        "staff": request.user.is_staff_member,
        "person": holder,
        "employer": employer,
        "cover": cover,
        "cover_table": cover_table(cover, link=True),
    }


def register() -> None:
    delegation_documents.register()
    register_demo_seeder(demo_delegation.seed)
    # One "Delegated tasks" item: a clinician's work queue (which links to the catalogue), or
    # the ICB's task catalogue for those who keep it but sign nobody off. Leads and ICB
    # administrators already have ten or more items, so no role gets a second one.
    register_navigation_item(
        NavigationItem(
            text="Delegated tasks",
            url_name="employers:delegation_queue",
            permission=Permission.SIGN_OFF_COMPETENCE,
            order=80,
        )
    )
    register_navigation_item(
        NavigationItem(
            text="Delegated tasks",
            url_name="employers:delegated_tasks",
            permission=Permission.MANAGE_DELEGATED_TASKS,
            unless=Permission.SIGN_OFF_COMPETENCE,
            order=80,
        )
    )
    for audience in ("holder", "staff", "plan"):
        register_record_section(
            RecordSection(
                audience=audience,
                template_name="employers/delegation/section.html",
                context=lambda request, holder, audience=audience: _section(
                    request, holder, audience=audience
                ),
                order=70,
            )
        )
