"""Who may do what with delegated healthcare tasks (issue 11). A task is delegated, and a PA
signed off as competent, only by a clinician of the person's ICB; the employer's side (the
budget holder or their representative, or for a managed-account organisation its support
staff) and the PA each confirm the three-way agreement for
themselves. Objects are tasks (their ICB), people, delegations and competences (their person's
ICB)."""

import rules

from employers.rules import STAFF_APPROVE_TIMESHEETS, is_the_pa
from phb.models import ICB_ROLES, Role
from phb.permissions import Permission
from phb.rules import has_role, in_acting_icb, is_own_record

CLINICIAN = has_role(Role.CLINICIAN) & in_acting_icb

rules.add_perm(
    Permission.MANAGE_DELEGATED_TASKS,
    has_role(Role.ICB_ADMIN, Role.PHB_LEAD, Role.CLINICIAN) & in_acting_icb,
)
rules.add_perm(
    Permission.VIEW_DELEGATIONS, (has_role(*ICB_ROLES) & in_acting_icb) | is_own_record | is_the_pa
)
rules.add_perm(Permission.DELEGATE_TASK, CLINICIAN)
rules.add_perm(Permission.SIGN_OFF_COMPETENCE, CLINICIAN)
# The employer's side: the budget holder or their representative; for a managed-account
# organisation, its support staff, who act for it (as they approve its PAs' timesheets).
rules.add_perm(Permission.AGREE_AS_EMPLOYER, is_own_record | STAFF_APPROVE_TIMESHEETS)
rules.add_perm(Permission.AGREE_AS_PA, is_the_pa)
