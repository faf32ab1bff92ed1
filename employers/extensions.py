"""What the employer pages add to the core's pages: a section on the person's record (set up
as an employer, or see the employer) and on their own page ("Your PAs"), the "Employers"
link in the header, and the demo employer."""

from django.utils import timezone

from employers import selectors
from employers.demo import seed_employer
from phb.extensions import (
    NavigationItem,
    RecordSection,
    read_once,
    register_demo_seeder,
    register_navigation_item,
    register_record_section,
)
from phb.permissions import Permission


def _staff_section(request, holder) -> dict:
    user = request.user
    if not user.has_perm(Permission.VIEW_EMPLOYERS, holder):
        return {}
    employer = read_once(holder, selectors.employer_of)
    return {
        "visible": True,
        "employer": employer,
        "gaps": len(selectors.gaps(employer, timezone.localdate())) if employer else 0,
        "can_set_up": employer is None and user.has_perm(Permission.MANAGE_EMPLOYER, holder),
    }


def _holder_section(request, holder) -> dict:
    return {
        "employer": read_once(holder, selectors.employer_of),
        "own": holder.user_id == request.user.pk,
    }


def register() -> None:
    register_record_section(
        RecordSection(
            audience="staff",
            template_name="employers/employers/sections/staff.html",
            context=_staff_section,
            order=40,
        )
    )
    register_record_section(
        RecordSection(
            audience="holder",
            template_name="employers/employers/sections/holder.html",
            context=_holder_section,
            order=40,
        )
    )
    register_navigation_item(
        NavigationItem(
            text="Employers",
            url_name="employers:dashboard",
            permission=Permission.VIEW_EMPLOYERS,
            order=40,
        )
    )
    register_demo_seeder(seed_employer)
