"""Who may do what with budgets. Which budgets a user sees is `Budget.objects.visible_to`."""

import rules

from phb.models import Role
from phb.rules import has_role, works_for_holders_icb

rules.add_perm("budgets.edit_rates", has_role(Role.ICB_ADMIN))
rules.add_perm("budgets.manage_ras", has_role(Role.ICB_ADMIN, Role.PHB_LEAD))
rules.add_perm(
    "budgets.calculate",
    has_role(Role.PHB_LEAD, Role.CARE_COORDINATOR) & works_for_holders_icb,
)
rules.add_perm(
    "budgets.prepare_budget",
    has_role(Role.PHB_LEAD, Role.CARE_COORDINATOR) & works_for_holders_icb,
)
rules.add_perm("budgets.agree_budget", has_role(Role.PHB_LEAD) & works_for_holders_icb)
rules.add_perm("budgets.clinical_check", has_role(Role.CLINICIAN) & works_for_holders_icb)
rules.add_perm(
    "budgets.set_payments", has_role(Role.FINANCE_OFFICER, Role.PHB_LEAD) & works_for_holders_icb
)
rules.add_perm("budgets.reduce_budget", has_role(Role.PHB_LEAD) & works_for_holders_icb)
