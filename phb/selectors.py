"""Reads of the shared core, always scoped to what the user may see."""

import logging
import re

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from phb.models import STAFF_ROLES, BudgetHolder, Organisation, Representative, Role
from phb.services import record_access

security_log = logging.getLogger("phb.security")

CASELOAD_SORTS = {
    "name": ("family_name", "given_name", "id"),
    "-name": ("-family_name", "-given_name", "id"),
    "nhs_number": ("nhs_number",),
    "date_of_birth": ("date_of_birth", "family_name", "id"),
    "-date_of_birth": ("-date_of_birth", "family_name", "id"),
}


def caseload(user, *, query: str = "", sort: str = "name") -> QuerySet[BudgetHolder]:
    """The ICB's people for a member of staff, filtered by name or NHS number."""
    people = BudgetHolder.objects.visible_to(user)
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


def get_budget_holder_for(request, pk, *, what: str, queryset=None) -> BudgetHolder:
    """The person if the user may see them, logging the view; otherwise 404, logged as refused.

    A person of another ICB and a person who does not exist look the same: 404.
    """
    queryset = queryset if queryset is not None else BudgetHolder.objects.all()
    holder = (
        queryset.filter(pk__in=BudgetHolder.objects.visible_to(request.user).values("pk"))
        .filter(pk=pk)
        .first()
    )
    record_access(
        user=request.user,
        budget_holder_id=pk,
        viewed=holder is not None,
        what=what,
        path=request.get_full_path(),
    )
    if holder is None:
        security_log.warning(
            "Refused %s for user %s: budget holder %s is not theirs", what, request.user.pk, pk
        )
        raise Http404("No such person")
    return holder


def person_record() -> QuerySet[BudgetHolder]:
    """What the record page shows, fetched in a fixed number of queries."""
    return BudgetHolder.objects.select_related("organisation", "user").prefetch_related(
        Prefetch(
            "representatives",
            queryset=Representative.objects.filter(ended_on__isnull=True).select_related("user"),
            to_attr="current_representatives",
        )
    )


def icb_contact_details_for(user, pk) -> Organisation:
    """An ICB whose contact details this user may change; anyone else gets 404."""
    icb = Organisation.objects.filter(pk=pk).first()
    if icb is None or not user.has_perm("phb.change_icb_contact_details", icb):
        raise Http404("No such ICB")
    return icb


def icbs_to_contact(user) -> list[Organisation]:
    """The ICBs whose personal health budget teams this person deals with: a member of
    staff's own, a budget holder's, those of the people a representative acts for. Empty for
    a visitor who is not signed in, or someone the service cannot place."""
    if not user.is_authenticated:
        return []
    if user.role in STAFF_ROLES:
        return list(Organisation.objects.filter(pk=user.organisation_id))
    if user.role in (Role.BUDGET_HOLDER, Role.REPRESENTATIVE):
        people = BudgetHolder.objects.visible_to(user)
        return list(Organisation.objects.filter(pk__in=people.values("organisation_id")))
    return []


def all_icbs() -> QuerySet[Organisation]:
    """Every ICB using the service, for a visitor who is not signed in. ICB contact details
    are public: they are what the ICB gives out to anyone."""
    return Organisation.objects.order_by("name")
