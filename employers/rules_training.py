"""Who may do what with PA training (issue 11): an ICB administrator or PHB lead keeps the
ICB's training catalogue; PA employer support staff, PHB leads and the employer's side (the
budget holder or their representative) record a PA's training; a PA sees their own training
but does not record it. Staff who see employers see their ICB's PAs' training."""

import rules

from employers.rules import EMPLOYER_SUPPORT, is_the_pa, not_left
from phb.models import Role
from phb.permissions import Permission
from phb.rules import has_role, in_acting_icb, is_own_record

STAFF_WHO_SEE_EMPLOYERS = (
    has_role(Role.PA_EMPLOYER_SUPPORT, Role.PHB_LEAD, Role.CARE_COORDINATOR, Role.FINANCE_OFFICER)
    & in_acting_icb
)

rules.add_perm(
    Permission.MANAGE_TRAINING_CATALOGUE, has_role(Role.ICB_ADMIN, Role.PHB_LEAD) & in_acting_icb
)
rules.add_perm(Permission.VIEW_PA_TRAINING, is_the_pa | is_own_record | STAFF_WHO_SEE_EMPLOYERS)
rules.add_perm(Permission.RECORD_TRAINING, (is_own_record | EMPLOYER_SUPPORT) & not_left)
