"""Who may do what in the core. Predicates read the user's role assignments in the ICB
they act for (`User.roles`, loaded once per request) and the object's ICB, so checks add
no query per row. Which rows a user sees at all is the querysets' `visible_to`."""

import rules

from phb.models import ICB_ROLES, BudgetHolder, Organisation, Representative, Role
from phb.permissions import Permission


def has_role(*roles):
    names = {str(role) for role in roles}

    @rules.predicate(name=f"has_role({', '.join(sorted(names))})")
    def predicate(user) -> bool:
        return bool(user and user.is_authenticated and user.roles & names)

    return predicate


# How objects of the later apps lead to the person they are about: a plan version to its plan,
# a plan or a budget to its person, a letter to its budget or version.
LINKS_TO_A_PERSON = ("budget_holder", "plan", "version", "budget")


def organisation_id_of(obj):
    """The ICB an object belongs to: an ICB itself, anything with an ICB, or anything
    about a person (a budget, a letter) through that person."""
    if isinstance(obj, Organisation):
        return obj.pk
    if hasattr(obj, "organisation_id"):
        return obj.organisation_id
    for link in LINKS_TO_A_PERSON:
        related = getattr(obj, link, None)
        if related is not None:
            return organisation_id_of(related)
    return None


def holder_of(obj) -> BudgetHolder | None:
    """The person an object is about, if it is about one."""
    while obj is not None and not isinstance(obj, BudgetHolder):
        obj = next(
            (getattr(obj, link) for link in LINKS_TO_A_PERSON if getattr(obj, link, None)), None
        )
    return obj


is_icb_staff = has_role(*ICB_ROLES)
is_service_admin = has_role(Role.SERVICE_ADMIN)


@rules.predicate
def in_acting_icb(user, obj) -> bool:
    """The object belongs to the ICB the user is acting for."""
    organisation_id = organisation_id_of(obj) if obj is not None else None
    return organisation_id is not None and organisation_id == user.acting_organisation_id


@rules.predicate
def is_own_record(user, obj) -> bool:
    """The object is about the signed-in person, or someone they act for now."""
    holder = holder_of(obj)
    if holder is None or not user.is_authenticated:
        return False
    if holder.user_id == user.pk:
        return True
    return Representative.objects.current().filter(user=user, budget_holder=holder).exists()


rules.add_perm(Permission.VIEW_CASELOAD, is_icb_staff)
rules.add_perm(Permission.VIEW_PERSON, is_icb_staff & in_acting_icb)
rules.add_perm(
    Permission.ADD_PERSON, has_role(Role.PHB_LEAD, Role.CARE_COORDINATOR, Role.ICB_ADMIN)
)
rules.add_perm(
    Permission.CHANGE_PERSON,
    has_role(Role.PHB_LEAD, Role.CARE_COORDINATOR, Role.ICB_ADMIN) & in_acting_icb,
)
rules.add_perm(Permission.VIEW_HISTORY, has_role(Role.PHB_LEAD, Role.ICB_ADMIN) & in_acting_icb)
rules.add_perm(Permission.VIEW_OWN_RECORD, is_own_record)


@rules.predicate
def works_for_several_icbs(user) -> bool:
    return user.is_authenticated and len(user.organisations) > 1


rules.add_perm(Permission.SWITCH_ICB, works_for_several_icbs)
rules.add_perm(Permission.MANAGE_STAFF, has_role(Role.ICB_ADMIN) & in_acting_icb)
rules.add_perm(Permission.MANAGE_ICBS, is_service_admin)
rules.add_perm(Permission.CHANGE_ICB_CONTACT_DETAILS, has_role(Role.ICB_ADMIN) & in_acting_icb)

# The outbox: the ICB's messages, about its people, for those who follow their reviews.
OUTBOX_ROLES = (Role.PHB_LEAD, Role.CARE_COORDINATOR, Role.ICB_ADMIN)
rules.add_perm(Permission.VIEW_OUTBOX, has_role(*OUTBOX_ROLES) & in_acting_icb)
rules.add_perm(Permission.RESEND_MESSAGE, has_role(*OUTBOX_ROLES) & in_acting_icb)
