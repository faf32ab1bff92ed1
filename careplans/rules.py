"""Who may do what with care and support plans. Which plans a user sees is `visible_to`."""

import rules

from phb.models import Role
from phb.permissions import Permission
from phb.rules import has_role, in_acting_icb, is_icb_staff, is_own_record


@rules.predicate
def is_panel_member(user, session) -> bool:
    """A member of this panel session (the chair is one too)."""
    if session is None or not user.is_authenticated:
        return False
    return session.chair_id == user.pk or session.memberships.filter(member=user).exists()


rules.add_perm(Permission.VIEW_PLAN, is_icb_staff & in_acting_icb)
rules.add_perm(Permission.EDIT_PLAN, has_role(Role.PHB_LEAD, Role.CARE_COORDINATOR) & in_acting_icb)
# A PHB lead signs off a plan under the ICB's limit; above it a panel decides.
rules.add_perm(Permission.DECIDE_PLAN, has_role(Role.PHB_LEAD) & in_acting_icb)
rules.add_perm(Permission.MANAGE_PANELS, has_role(Role.PHB_LEAD) & in_acting_icb)
rules.add_perm(
    Permission.DECIDE_AT_PANEL,
    has_role(Role.PANEL_MEMBER, Role.PHB_LEAD, Role.CLINICIAN) & in_acting_icb & is_panel_member,
)
rules.add_perm(Permission.VIEW_OWN_PLAN, is_own_record)
rules.add_perm(Permission.VIEW_PLAN_LETTER, (is_icb_staff & in_acting_icb) | is_own_record)
# The plan in use, printed: staff from its page, the person (or whoever acts for them) from
# their own.
rules.add_perm(Permission.PRINT_PLAN, (is_icb_staff & in_acting_icb) | is_own_record)
rules.add_perm(
    Permission.RECORD_RECONSIDERATION,
    has_role(Role.PHB_LEAD, Role.CARE_COORDINATOR) & in_acting_icb,
)
# Whoever reconsiders must not have been part of the first decision (the service checks).
rules.add_perm(Permission.RECONSIDER, has_role(Role.PHB_LEAD, Role.PANEL_MEMBER) & in_acting_icb)
rules.add_perm(
    Permission.MANAGE_REVIEWS, has_role(Role.PHB_LEAD, Role.CARE_COORDINATOR) & in_acting_icb
)
rules.add_perm(Permission.STOP_BUDGET, has_role(Role.PHB_LEAD) & in_acting_icb)
rules.add_perm(
    Permission.REQUEST_REPAYMENT, has_role(Role.PHB_LEAD, Role.FINANCE_OFFICER) & in_acting_icb
)
rules.add_perm(Permission.EDIT_APPROVAL_POLICY, has_role(Role.ICB_ADMIN) & in_acting_icb)
# The ICB's counts for its quarterly return to NHS England: no person is named in them.
rules.add_perm(
    Permission.VIEW_QUARTERLY_FIGURES, has_role(Role.PHB_LEAD, Role.ICB_ADMIN) & in_acting_icb
)
