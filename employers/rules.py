"""Who may do what for PA employers. Which records a user sees at all is each model's
`visible_to`: staff see their ICB's employers, the employer's side (the budget holder or their
representative) sees their own, and a PA sees only their own records.

Objects passed to these checks are employers, PAs, timesheets, issues, pay runs and payslips:
each leads to its person (`budget_holder`) and so to its ICB; a PA's record, timesheet or
payslip leads to the PA (`assistant`)."""

import rules

from employers.models import EmployerKind, PersonalAssistant, PersonalAssistantStatus, Timesheet
from phb.models import Role
from phb.permissions import Permission
from phb.rules import has_role, in_acting_icb, is_own_record


def assistant_of(obj) -> PersonalAssistant | None:
    if isinstance(obj, PersonalAssistant):
        return obj
    return getattr(obj, "assistant", None)


@rules.predicate
def is_the_pa(user, obj) -> bool:
    """The record is the signed-in PA's own (their employment, timesheet or payslip)."""
    assistant = assistant_of(obj)
    return bool(user.is_authenticated and assistant and assistant.user_id == user.pk)


@rules.predicate
def not_left(user, obj) -> bool:
    """The PA has not left: nothing new (training, say) is recorded for someone who has."""
    assistant = assistant_of(obj)
    return assistant is None or assistant.status != PersonalAssistantStatus.LEFT


@rules.predicate
def still_employed(user, obj) -> bool:
    """The PA has not left, or this is work up to their last day: a PA who has left is still
    paid for what they did. A timesheet that begins by their last day may be entered, sent and
    approved, even one that runs past it (the services refuse a shift after that day, naming
    it); a timesheet that begins after it may not. Starting one, the service checks its days."""
    assistant = assistant_of(obj)
    if assistant is None or assistant.status != PersonalAssistantStatus.LEFT:
        return True
    timesheet = getattr(obj, "timesheet", None) or obj
    if isinstance(timesheet, Timesheet):
        return timesheet.starts_on <= assistant.left_on
    return obj is assistant


@rules.predicate
def employed_by_an_organisation(user, obj) -> bool:
    """A managed-account organisation employs for the person: its support staff act for it."""
    employer = getattr(obj, "employer", None) or getattr(assistant_of(obj), "employer", None)
    return employer is not None and employer.kind == EmployerKind.MANAGED_ACCOUNT


EMPLOYER_SUPPORT = has_role(Role.PA_EMPLOYER_SUPPORT, Role.PHB_LEAD) & in_acting_icb
# Support staff's part in entering and approving timesheets, before the PA-has-left check: the
# timesheet pages open on these for staff, so that a PA who has left is refused in words by the
# services, as it is for the PA and the employer's side.
STAFF_ENTER_TIMESHEETS = EMPLOYER_SUPPORT
STAFF_APPROVE_TIMESHEETS = EMPLOYER_SUPPORT & employed_by_an_organisation

rules.add_perm(
    Permission.VIEW_EMPLOYERS,
    has_role(Role.PA_EMPLOYER_SUPPORT, Role.PHB_LEAD, Role.CARE_COORDINATOR, Role.FINANCE_OFFICER)
    & in_acting_icb,
)
rules.add_perm(Permission.MANAGE_EMPLOYER, EMPLOYER_SUPPORT)
rules.add_perm(Permission.VIEW_OWN_EMPLOYMENT, is_own_record)
# Shifts are entered by the PA, or by the employer's side (or their support staff for them).
rules.add_perm(
    Permission.ENTER_TIMESHEET,
    (is_the_pa | is_own_record | STAFF_ENTER_TIMESHEETS) & still_employed,
)
# The employer (or their representative) approves; support staff approve only for an
# organisation that employs on the person's behalf.
rules.add_perm(
    Permission.APPROVE_TIMESHEET,
    (is_own_record | STAFF_APPROVE_TIMESHEETS) & still_employed,
)
rules.add_perm(
    Permission.RUN_PAYROLL,
    has_role(Role.PA_EMPLOYER_SUPPORT, Role.FINANCE_OFFICER) & in_acting_icb,
)
rules.add_perm(
    Permission.VIEW_PAYSLIP,
    is_the_pa
    | is_own_record
    | (has_role(Role.PA_EMPLOYER_SUPPORT, Role.PHB_LEAD, Role.FINANCE_OFFICER) & in_acting_icb),
)
rules.add_perm(Permission.VIEW_OWN_PA_RECORD, is_the_pa)

# Each part of issue 11 keeps its rules in its own module.
from employers import rules_delegation, rules_training  # noqa: E402, F401
