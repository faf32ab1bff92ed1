"""The only writers of the shared core. Views and tasks call these; they never save models."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from phb.models import AccessOutcome, BudgetHolder, RecordAccess, normalise_nhs_number


def record_access(*, user, budget_holder_id, viewed: bool, what: str, path: str) -> RecordAccess:
    return RecordAccess.objects.create(
        user=user,
        budget_holder_id=budget_holder_id,
        outcome=AccessOutcome.VIEWED if viewed else AccessOutcome.REFUSED,
        what=what,
        path=path[:500],
    )


BUDGET_HOLDER_FIELDS = (
    "given_name",
    "family_name",
    "nhs_number",
    "date_of_birth",
    "address_line_1",
    "address_line_2",
    "town",
    "postcode",
    "email",
    "phone",
    "preferred_contact",
    "accessibility_needs",
    "eligibility",
)


@transaction.atomic
def create_budget_holder(*, actor, **details) -> BudgetHolder:
    """Add a person to the actor's ICB caseload. Details are validated by the model."""
    if not actor.has_perm("phb.add_budget_holder"):
        raise PermissionDenied
    holder = BudgetHolder(organisation_id=actor.organisation_id, **_only_known(details))
    holder.full_clean()
    holder.save()
    return holder


@transaction.atomic
def update_budget_holder(*, actor, budget_holder: BudgetHolder, **changes) -> BudgetHolder:
    if not actor.has_perm("phb.change_budget_holder", budget_holder):
        raise PermissionDenied
    holder = BudgetHolder.objects.select_for_update().get(pk=budget_holder.pk)
    for field, value in _only_known(changes).items():
        setattr(holder, field, value)
    holder.full_clean()
    holder.save()
    return holder


def _only_known(details: dict) -> dict:
    unknown = set(details) - set(BUDGET_HOLDER_FIELDS)
    if unknown:
        raise TypeError(f"Unknown budget holder fields: {sorted(unknown)}")
    if "nhs_number" in details:
        details = details | {"nhs_number": normalise_nhs_number(details["nhs_number"])}
    return details
