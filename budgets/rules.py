"""Who may do what with budgets. Which budgets a user sees is `Budget.objects.visible_to`.

Objects passed to these checks are people, budgets, letters, rate sets, questionnaires, ICBs
or payment runs:
`phb.rules.in_acting_icb` finds the ICB of each.
"""

import rules

from phb.models import Role
from phb.permissions import Permission
from phb.rules import has_role, in_acting_icb, is_icb_staff, is_own_record, is_service_admin

rules.add_perm(Permission.VIEW_BUDGETS, is_icb_staff & in_acting_icb)
rules.add_perm(Permission.CALCULATE, has_role(Role.PHB_LEAD, Role.CARE_COORDINATOR) & in_acting_icb)
rules.add_perm(
    Permission.PREPARE_BUDGET, has_role(Role.PHB_LEAD, Role.CARE_COORDINATOR) & in_acting_icb
)
# Whoever prepares budgets may take one back to draft or withdraw it before it is agreed.
rules.add_perm(
    Permission.WITHDRAW_BUDGET, has_role(Role.PHB_LEAD, Role.CARE_COORDINATOR) & in_acting_icb
)
rules.add_perm(
    Permission.RETURN_BUDGET_TO_DRAFT,
    has_role(Role.PHB_LEAD, Role.CARE_COORDINATOR) & in_acting_icb,
)
rules.add_perm(Permission.CLINICAL_CHECK, has_role(Role.CLINICIAN) & in_acting_icb)
rules.add_perm(Permission.AGREE_BUDGET, has_role(Role.PHB_LEAD) & in_acting_icb)
rules.add_perm(Permission.END_BUDGET, has_role(Role.PHB_LEAD) & in_acting_icb)
rules.add_perm(
    Permission.SET_PAYMENTS, has_role(Role.FINANCE_OFFICER, Role.PHB_LEAD) & in_acting_icb
)
rules.add_perm(Permission.CHANGE_AMOUNT, has_role(Role.PHB_LEAD) & in_acting_icb)
# Finance records the payments it makes; a PHB lead may too (small teams have no finance officer).
rules.add_perm(
    Permission.RECORD_PAYMENTS, has_role(Role.FINANCE_OFFICER, Role.PHB_LEAD) & in_acting_icb
)
rules.add_perm(Permission.VIEW_LETTER, (is_icb_staff & in_acting_icb) | is_own_record)
# Rates: the national figures are shared by every ICB, so only the service administrator
# changes them; each ICB's administrator keeps its local rates and can read the national ones.
rules.add_perm(Permission.VIEW_RATES, has_role(Role.ICB_ADMIN) | is_service_admin)
rules.add_perm(Permission.EDIT_NATIONAL_RATES, is_service_admin)
rules.add_perm(Permission.EDIT_LOCAL_RATES, has_role(Role.ICB_ADMIN) & in_acting_icb)
rules.add_perm(Permission.MANAGE_RAS, has_role(Role.ICB_ADMIN, Role.PHB_LEAD) & in_acting_icb)
# Each ICB's budget policy (who may agree a budget they prepared) is its administrator's.
rules.add_perm(Permission.EDIT_BUDGET_POLICY, has_role(Role.ICB_ADMIN) & in_acting_icb)
