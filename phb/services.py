"""The only writers of the shared core. Views and tasks call these; they never save models."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from phb.models import (
    STAFF_ROLES,
    AccessOutcome,
    BudgetHolder,
    Organisation,
    RecordAccess,
    User,
    normalise_nhs_number,
)
from phb.validators import (
    incomplete_address_errors,
    normalise_postcode,
    normalise_uk_phone_number,
)


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


ICB_CONTACT_FIELDS = (
    "phone",
    "email",
    "address_line_1",
    "address_line_2",
    "town",
    "postcode",
    "opening_hours",
)


@transaction.atomic
def update_icb_contact_details(*, actor, organisation: Organisation, **changes) -> Organisation:
    """Change how people reach an ICB's personal health budget team. Only that ICB's
    administrator may; the pghistory trigger on Organisation records who changed what."""
    unknown = set(changes) - set(ICB_CONTACT_FIELDS)
    if unknown:
        raise TypeError(f"Not ICB contact details: {sorted(unknown)}")
    if not actor.has_perm("phb.change_icb_contact_details", organisation):
        raise PermissionDenied
    icb = Organisation.objects.select_for_update().get(pk=organisation.pk)
    for field, value in changes.items():
        value = (value or "").strip()
        if field == "phone":
            value = normalise_uk_phone_number(value)
        elif field == "postcode" and value:
            value = normalise_postcode(value)
        setattr(icb, field, value)
    missing = incomplete_address_errors(
        address_line_1=icb.address_line_1,
        address_line_2=icb.address_line_2,
        town=icb.town,
        postcode=icb.postcode,
    )
    if missing:  # in words, before the database constraint's own message can come up
        raise ValidationError(missing)
    icb.full_clean()
    icb.save()
    return icb


@transaction.atomic
def add_organisation(*, ods_code: str, name: str) -> Organisation:
    icb = Organisation(ods_code=ods_code.strip().upper(), name=name.strip())
    icb.full_clean()
    icb.save()
    return icb


@transaction.atomic
def add_staff_user(*, email: str, full_name: str, role: str, ods_code: str) -> User:
    """A new member of staff with no usable password; they are emailed a link to set one."""
    organisation = Organisation.objects.filter(ods_code=ods_code.strip().upper()).first()
    if organisation is None:
        raise ValidationError({"ods_code": f"There is no ICB with the ODS code {ods_code}"})
    if role not in STAFF_ROLES:
        raise ValidationError({"role": "Choose a staff role"})
    user = User.objects.create_user(
        email, None, full_name=full_name.strip(), role=role, organisation=organisation
    )
    transaction.on_commit(lambda: _send_password_link(user))
    return user


def _send_password_link(user) -> None:
    """allauth's password reset email, with links to the service's own address."""
    from urllib.parse import urlsplit

    from allauth.account.forms import ResetPasswordForm
    from allauth.core.context import request_context
    from django.conf import settings
    from django.test import RequestFactory

    site = urlsplit(settings.PHB_SITE_URL)
    request = RequestFactory().get("/", HTTP_HOST=site.netloc, secure=site.scheme == "https")
    form = ResetPasswordForm(data={"email": user.email})
    if form.is_valid():
        with request_context(request):
            form.save(request)
