"""What the plan pages add to the core's pages: a section on the person's record and on
their own page, and the demo plans."""

from careplans import plan_documents
from careplans import plan_selectors as selectors
from careplans.demo import seed_plans
from careplans.models import PlanStatus
from careplans.models.plans import IN_PROGRESS_STATUSES
from phb.extensions import (
    RecordSection,
    read_once,
    register_demo_seeder,
    register_record_section,
)

# Versions never decided here: a plan agreed outside this service is the plan until one is.
UNDECIDED = (*IN_PROGRESS_STATUSES, PlanStatus.WITHDRAWN)


def _staff_section(request, holder) -> dict:
    versions = read_once(holder, selectors.versions_of_holder)
    decided = any(version.status not in UNDECIDED for version in versions)
    return {
        "version": selectors.current_version(versions),
        "in_use": selectors.in_use_version(versions),
        # With no plan decided here, the plan its budget records as agreed elsewhere, as the
        # person's own plan page says.
        "agreed_outside": None if decided else selectors.plan_agreed_outside(holder),
    }


def _holder_section(request, holder) -> dict:
    return {"own": holder.user_id == request.user.pk}


def register() -> None:
    plan_documents.register()
    register_record_section(
        RecordSection(
            audience="staff",
            template_name="careplans/plans/sections/staff.html",
            context=_staff_section,
            order=20,
        )
    )
    register_record_section(
        RecordSection(
            audience="holder",
            template_name="careplans/plans/sections/holder.html",
            context=_holder_section,
            order=20,
        )
    )
    register_demo_seeder(seed_plans)
