"""Reads of the shared core, always scoped to what the user may see."""

import re

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from phb.models import BudgetHolder, Organisation, Representative, Role, RoleAssignment, User

CASELOAD_SORTS = {
    "name": ("family_name", "given_name", "id"),
    "-name": ("-family_name", "-given_name", "id"),
    "nhs_number": ("nhs_number",),
    "date_of_birth": ("date_of_birth", "family_name", "id"),
    "-date_of_birth": ("-date_of_birth", "family_name", "id"),
}


def caseload(user, *, query: str = "", sort: str = "name") -> QuerySet[BudgetHolder]:
    """The ICB's people for a member of staff, filtered by name or NHS number."""
    people = BudgetHolder.objects.in_caseload_of(user)
    query = query.strip()
    if query:
        digits = re.sub(r"[\s-]", "", query)
        if digits.isdigit():
            people = people.filter(nhs_number__startswith=digits)
        else:
            for word in query.split():
                people = people.filter(
                    Q(given_name__icontains=word) | Q(family_name__icontains=word)
                )
    return people.order_by(*CASELOAD_SORTS.get(sort, CASELOAD_SORTS["name"]))


def person_for(user, pk, *, queryset=None) -> BudgetHolder | None:
    """A person the user may see (their ICB's, themself, someone they act for), or None."""
    queryset = queryset if queryset is not None else BudgetHolder.objects.all()
    return queryset.visible_to(user).filter(pk=pk).first()


def own_people(user) -> QuerySet[BudgetHolder]:
    """The signed-in person's own record and those of the people they act for."""
    return BudgetHolder.objects.own_for(user).select_related("organisation")


def own_person(user, pk) -> BudgetHolder | None:
    return own_people(user).filter(pk=pk).first()


def represents_anyone(user) -> bool:
    """Whether the user has ever been anyone's representative (to word an empty page)."""
    return Representative.objects.filter(user=user).exists()


def person_record() -> QuerySet[BudgetHolder]:
    """What the record page shows, fetched in a fixed number of queries."""
    return BudgetHolder.objects.select_related("organisation", "user").prefetch_related(
        Prefetch(
            "representatives",
            queryset=Representative.objects.current().select_related("user"),
            to_attr="current_representatives",
        )
    )


# ---------------------------------------------------------------------------------------------
# Staff and ICBs
# ---------------------------------------------------------------------------------------------


def staff_of(organisation) -> QuerySet[User]:
    """Everyone who holds or held a role in the ICB, with those roles (and no others)."""
    return (
        User.objects.filter(role_assignments__organisation=organisation)
        .distinct()
        .order_by("full_name", "id")
        .prefetch_related(
            Prefetch(
                "role_assignments",
                queryset=RoleAssignment.objects.filter(organisation=organisation).order_by(
                    "role", "starts_on"
                ),
                to_attr="assignments_here",
            )
        )
    )


def staff_member(organisation, pk) -> User | None:
    return staff_of(organisation).filter(pk=pk).first()


def assignment_in(organisation, pk) -> RoleAssignment | None:
    if organisation is None:
        return None
    return (
        RoleAssignment.objects.filter(organisation=organisation, pk=pk)
        .select_related("user", "organisation")
        .first()
    )


def organisations() -> QuerySet[Organisation]:
    """Every ICB, with how many administrators each has now (for the service administrator)."""
    today = timezone.localdate()
    current_admin = Q(
        role_assignments__role=Role.ICB_ADMIN,
        role_assignments__starts_on__lte=today,
    ) & (Q(role_assignments__ends_on__isnull=True) | Q(role_assignments__ends_on__gte=today))
    return Organisation.objects.annotate(
        administrators=Count("role_assignments__user", filter=current_admin, distinct=True)
    ).order_by("name")


def organisation(pk) -> Organisation | None:
    return Organisation.objects.filter(pk=pk).first()


def administrators_of(organisation) -> QuerySet[RoleAssignment]:
    return (
        RoleAssignment.objects.current()
        .filter(organisation=organisation, role=Role.ICB_ADMIN)
        .select_related("user")
        .order_by("user__full_name")
    )


def icbs_to_contact(user) -> list[Organisation]:
    """The ICBs whose personal health budget teams this person deals with: the one a member
    of staff acts for, a budget holder's, and those of the people a representative acts for.
    Empty for a visitor who is not signed in, or someone the service cannot place."""
    if not user.is_authenticated:
        return []
    if user.is_staff_member:
        return [user.acting_organisation]
    people = BudgetHolder.objects.own_for(user)
    return list(Organisation.objects.filter(pk__in=people.values("organisation_id")))


def all_icbs() -> QuerySet[Organisation]:
    """Every ICB using the service, for a visitor who is not signed in. ICB contact details
    are public: they are what the ICB gives out to anyone."""
    return Organisation.objects.order_by("name")
