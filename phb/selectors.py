"""Reads of the shared core, always scoped to what the user may see."""

import re

from django.apps import apps
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from phb.models import BudgetHolder, Organisation, Representative, Role, RoleAssignment, User

# Each order matches an index (organisation first, the id last), so a deep page is an
# index-only scan; a descending sort reads the same index backwards.
CASELOAD_SORTS = {
    "name": ("family_name", "given_name", "id"),
    "-name": ("-family_name", "-given_name", "-id"),
    "nhs_number": ("nhs_number",),
    "date_of_birth": ("date_of_birth", "family_name", "id"),
    "-date_of_birth": ("-date_of_birth", "-family_name", "-id"),
}


def caseload(user, *, query: str = "", sort: str = "name") -> QuerySet[BudgetHolder]:
    """The ICB's people for a member of staff, filtered by name or NHS number, sorted.

    Each search uses an index (ADR 0022): a whole NHS number its unique index, the start of
    one a pattern index; a word of three letters or more anywhere in the name the trigram
    index; one or two letters the start of either name (so "Mo" finds Morgan and Mohammed
    without reading the whole caseload).
    """
    people = BudgetHolder.objects.in_caseload_of(user)
    query = query.strip()
    if query:
        digits = re.sub(r"[\s-]", "", query)
        if digits.isdigit() and digits.isascii():
            if len(digits) == 10:
                people = people.filter(nhs_number=digits)
            else:
                people = people.filter(nhs_number__startswith=digits)
        else:
            for word in query.split():
                if len(word) >= 3:
                    people = people.filter(search_name__contains=word.upper())
                else:
                    people = people.filter(
                        Q(family_name__istartswith=word) | Q(given_name__istartswith=word)
                    )
    return people.order_by(*CASELOAD_SORTS.get(sort, CASELOAD_SORTS["name"]))


# The fields of a person the caseload's table reads (phb.presenters.caseload_table); the
# columns other apps add read their own annotations.
CASELOAD_FIELDS = ("pk", "family_name", "given_name", "nhs_number", "date_of_birth", "eligibility")


def caseload_rows(ids, *, annotate=()) -> list[BudgetHolder]:
    """The people on one page of the caseload, in the page's order, with what its columns
    need: the page is chosen on ids first, so the columns are worked out only for its rows."""
    # Only what the table shows: a person's row has some twenty columns, and the ORM's work
    # grows with each one it selects (issue 12).
    people = BudgetHolder.objects.filter(pk__in=ids).only(*CASELOAD_FIELDS).order_by()
    for add in annotate:
        people = add(people)
    by_id = {person.pk: person for person in people}
    return [by_id[pk] for pk in ids if pk in by_id]


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


def staff_role_to_explain(user) -> RoleAssignment | None:
    """For someone with no current role but roles before or to come: the next to start, or
    else the last to end (with its ICB), to tell them where they stand."""
    today = timezone.localdate()
    assignments = RoleAssignment.objects.filter(user=user).select_related("organisation")
    return (
        assignments.filter(starts_on__gt=today).order_by("starts_on").first()
        or assignments.filter(ends_on__lt=today).order_by("-ends_on").first()
    )


def withdrawn_assignment_holder(organisation, pk):
    """Whose role in the ICB this was, if it was withdrawn (deleted before its first day): its
    audit history keeps it. None for a role that never was, or was another ICB's."""
    if organisation is None:
        return None
    events = apps.get_model("phb", "RoleAssignmentEvent").objects
    return (
        events.filter(pgh_obj_id=pk, organisation_id=organisation.pk, pgh_label="delete")
        .values_list("user_id", flat=True)
        .first()
    )


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
    """The ICB's administrators now, and those whose role starts later (not ended ones)."""
    return (
        RoleAssignment.objects.filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=timezone.localdate()),
            organisation=organisation,
            role=Role.ICB_ADMIN,
        )
        .select_related("user")
        .order_by("starts_on", "user__full_name")
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


def person_by_id(pk) -> BudgetHolder | None:
    """A person for the PDF worker (the request for the PDF was checked)."""
    return BudgetHolder.objects.select_related("organisation").filter(pk=pk).first()


def representative_for(user, pk) -> Representative | None:
    """Someone who acts for a person the user may see."""
    return (
        Representative.objects.select_related("user", "budget_holder__organisation")
        .filter(pk=pk, budget_holder__in=BudgetHolder.objects.visible_to(user))
        .first()
    )


def holder_id_of_representative(pk):
    return Representative.objects.filter(pk=pk).values_list("budget_holder_id", flat=True).first()
