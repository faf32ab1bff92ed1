"""Who may do what. Object scoping (which people a user sees) lives in the
querysets' `visible_to`; these predicates decide which actions a role may take."""

import rules

from phb.models import STAFF_ROLES, Role


def has_role(*roles):
    names = {str(role) for role in roles}

    @rules.predicate(name=f"has_role({', '.join(sorted(names))})")
    def predicate(user) -> bool:
        return bool(user and user.is_authenticated and user.role in names)

    return predicate


is_staff_member = has_role(*STAFF_ROLES)


@rules.predicate
def works_for_holders_icb(user, budget_holder) -> bool:
    return budget_holder is not None and budget_holder.organisation_id == user.organisation_id


rules.add_perm("phb.view_caseload", is_staff_member)
rules.add_perm("phb.view_budget_holder", is_staff_member & works_for_holders_icb)
rules.add_perm(
    "phb.change_budget_holder",
    has_role(Role.PHB_LEAD, Role.CARE_COORDINATOR, Role.ICB_ADMIN) & works_for_holders_icb,
)
rules.add_perm(
    "phb.add_budget_holder", has_role(Role.PHB_LEAD, Role.CARE_COORDINATOR, Role.ICB_ADMIN)
)
rules.add_perm("phb.view_history", has_role(Role.PHB_LEAD, Role.ICB_ADMIN) & works_for_holders_icb)


@rules.predicate
def works_for_icb(user, organisation) -> bool:
    return organisation is not None and organisation.pk == user.organisation_id


# The page (and its header link) is for ICB administrators; each changes only their own ICB's.
rules.add_perm("phb.manage_icb_contact_details", has_role(Role.ICB_ADMIN))
rules.add_perm("phb.change_icb_contact_details", has_role(Role.ICB_ADMIN) & works_for_icb)
