"""What timesheets add to the core's pages: a PA lands on "Your work" after signing in, the
budget holder's page and the person's record link to the timesheets, and the demo data.
The lead wires `register()` into employers/apps.py."""

from django.urls import reverse

from employers import selectors
from employers.demo_timesheets import seed_timesheets
from employers.models import PersonalAssistant, Timesheet, TimesheetStatus
from phb import selectors as core_selectors
from phb.extensions import (
    RecordSection,
    read_once,
    register_demo_seeder,
    register_home_redirect,
    register_record_section,
)
from phb.permissions import Permission


def pa_home(user) -> str | None:
    """A PA (who is not also a budget holder or representative) starts at "Your work"."""
    if not PersonalAssistant.objects.filter(user=user).exists():
        return None
    if core_selectors.own_people(user).exists():
        return None
    return reverse("employers:my_work")


def _holder_section(request, holder) -> dict:
    employer = read_once(holder, selectors.employer_of)
    if employer is None or not request.user.has_perm(Permission.VIEW_OWN_EMPLOYMENT, employer):
        return {"employer": None}
    waiting = Timesheet.objects.filter(
        assistant__employer=employer, status=TimesheetStatus.SUBMITTED
    ).count()
    return {"employer": employer, "waiting": waiting, "audience": "holder"}


def _staff_section(request, holder) -> dict:
    employer = read_once(holder, selectors.employer_of)
    if employer is None or not request.user.has_perm(Permission.VIEW_EMPLOYERS, employer):
        return {"employer": None}
    waiting = Timesheet.objects.filter(
        assistant__employer=employer, status=TimesheetStatus.SUBMITTED
    ).count()
    return {"employer": employer, "waiting": waiting, "audience": "staff"}


def register() -> None:
    register_home_redirect(pa_home)
    register_demo_seeder(seed_timesheets)
    for audience, context in (("holder", _holder_section), ("staff", _staff_section)):
        register_record_section(
            RecordSection(
                audience=audience,
                template_name="employers/timesheets/section.html",
                context=context,
                order=60,
            )
        )
