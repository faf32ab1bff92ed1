"""The only writers of the shared core. Views and tasks call these; they never save models."""

import datetime
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone

from phb.audit import changed_by
from phb.models import (
    ICB_ROLES,
    AccessOutcome,
    BudgetHolder,
    ContactMethod,
    Organisation,
    RecordAccess,
    Representative,
    RepresentativeKind,
    Role,
    RoleAssignment,
    User,
    normalise_nhs_number,
)
from phb.permissions import Permission, require
from phb.validators import (
    incomplete_address_errors,
    is_uk_mobile_number,
    normalise_postcode,
    normalise_uk_phone_number,
    validate_uk_phone_number,
    validate_uk_postcode,
)

security_log = logging.getLogger("phb.security")


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
    "gp_practice",
    "email",
    "phone",
    "preferred_contact",
    "accessibility_needs",
    "information_format",
    "eligibility",
    "copy_letters_to_person",
    "review_reminders",
)


ADDRESS_FIELDS = ("address_line_1", "address_line_2", "town", "postcode")


# Messages go to a person "as they prefer to be contacted": by email, to their email
# address; by text message, to a mobile number.
EMAIL_NEEDED = "Enter their email address, or choose another way to contact them"
MOBILE_NEEDED = "Enter their mobile phone number, or choose another way to contact them"
NOT_A_MOBILE = (
    "Text messages can only go to a mobile: enter their mobile phone number, or choose "
    "another way to contact them"
)


def contact_problems(*, preferred_contact, email, phone) -> dict[str, str]:
    """What stops messages reaching a person the way they prefer, by the field to put right:
    {"email": ...} or {"phone": ...}, or nothing. `phone` is as stored ("020 7946 0000")."""
    if preferred_contact == ContactMethod.EMAIL and not email:
        return {"email": EMAIL_NEEDED}
    if preferred_contact == ContactMethod.TEXT and not phone:
        return {"phone": MOBILE_NEEDED}
    if preferred_contact == ContactMethod.TEXT and not is_uk_mobile_number(phone):
        try:
            validate_uk_phone_number(phone)
        except ValidationError:  # not a phone number at all: the phone check says so
            return {}
        return {"phone": NOT_A_MOBILE}
    return {}


def _check_contact(holder: BudgetHolder) -> None:
    """Services check the rule whoever calls them, not only the person's form."""
    problems = contact_problems(
        preferred_contact=holder.preferred_contact, email=holder.email, phone=holder.phone
    )
    if problems:
        raise ValidationError(problems)


def only_fields(changes: dict, allowed, *, what: str) -> dict:
    """The changes a service may make, refusing any field it may not (a programming error,
    so a TypeError: never a way to change, say, the ICB a record belongs to)."""
    unknown = set(changes) - set(allowed)
    if unknown:
        raise TypeError(f"{what} cannot change {sorted(unknown)}")
    return changes


class AlreadyRegistered(ValidationError):
    """The NHS number belongs to someone another ICB holds. Which ICB is never said; the
    attempt is logged against that person (`record_refused_registration`)."""

    def __init__(self, budget_holder_id):
        self.budget_holder_id = budget_holder_id
        super().__init__(
            {
                "nhs_number": ValidationError(
                    "You cannot add this person here: someone with this NHS number is already "
                    "registered by another personal health budget team",
                    code="already_registered",
                )
            }
        )


def _check_nhs_number_is_free(actor, nhs_number: str, *, except_pk=None) -> None:
    """Refuse an NHS number someone else already has: by name if that person is on the
    actor's own caseload (they can see them anyway), without a word about who or where if
    not."""
    existing = (
        BudgetHolder.objects.filter(nhs_number=nhs_number)
        .exclude(pk=except_pk)
        .only("pk", "organisation_id", "given_name", "family_name")
        .first()
    )
    if existing is None:
        return
    if existing.organisation_id == actor.acting_organisation_id:
        raise ValidationError(
            {
                "nhs_number": ValidationError(
                    f"{existing.full_name} already has this NHS number on your caseload",
                    code="on_your_caseload",
                )
            }
        )
    raise AlreadyRegistered(existing.pk)


@transaction.atomic
def record_refused_registration(*, actor, budget_holder_id, path: str) -> RecordAccess:
    """Log an attempt to add (or give a record) an NHS number another ICB holds: a refused
    entry in that person's access log, and the security log."""
    security_log.warning(
        "Refused adding NHS number already registered elsewhere, for user %s at %s",
        actor.pk,
        path,
    )
    return record_access(
        user=actor,
        budget_holder_id=budget_holder_id,
        viewed=False,
        what="add a person (NHS number already registered)",
        path=path,
    )


@transaction.atomic
def create_budget_holder(*, actor, **details) -> BudgetHolder:
    """Add a person to the caseload of the ICB the actor acts for. The model validates.

    An NHS number another ICB holds raises `AlreadyRegistered` (the caller logs it with
    `record_refused_registration`, outside this transaction, which is rolled back)."""
    require(actor, Permission.ADD_PERSON)
    fields = _holder_fields(details)
    _check_nhs_number_is_free(actor, fields.get("nhs_number", ""))
    holder = BudgetHolder(organisation=actor.acting_organisation, **fields)
    _check_contact(holder)
    holder.full_clean()
    try:
        with transaction.atomic():
            holder.save()
    except IntegrityError:
        # Someone added the same NHS number at the same moment (in any ICB, so no one row can
        # be locked first): their record is saved now, so refuse as if it had been earlier.
        _check_nhs_number_is_free(actor, holder.nhs_number)
        raise
    return holder


@transaction.atomic
def update_budget_holder(
    *, actor, budget_holder: BudgetHolder, seen_updated_at=None, **changes
) -> BudgetHolder:
    """Change a person's details. Nothing is written (and no history event) when nothing
    changes once the details are tidied ("01134960000" is the "0113 496 0000" stored).
    `seen_updated_at` is when they had last changed as the page showed them: if they have
    changed since (another tab), nothing is written and the user is told, as the page would
    otherwise put back what the other tab changed."""
    require(actor, Permission.CHANGE_PERSON, budget_holder)
    holder = BudgetHolder.objects.select_for_update().get(pk=budget_holder.pk)
    if seen_updated_at is not None and holder.updated_at != seen_updated_at:
        raise ValidationError(
            f"Someone changed {holder.full_name}'s details after you opened this page. Go "
            "back to their record to see them as they are now, then make your change again. "
            "Nothing was changed."
        )
    changed = {
        field: value
        for field, value in _holder_fields(changes).items()
        if getattr(holder, field) != value
    }
    if not changed:
        return holder
    if "nhs_number" in changed:
        _check_nhs_number_is_free(actor, changed["nhs_number"], except_pk=holder.pk)
    for field, value in changed.items():
        setattr(holder, field, value)
    _check_contact(holder)
    holder.full_clean()
    holder.save(update_fields=[*changed, "updated_at"])
    return holder


# Free text is kept without the spaces around it; these are tidied into their stored forms.
_TIDY = {
    "nhs_number": normalise_nhs_number,
    "phone": normalise_uk_phone_number,
    "postcode": lambda value: normalise_postcode(value) if value else "",
}


def _holder_fields(details: dict) -> dict:
    details = only_fields(details, BUDGET_HOLDER_FIELDS, what="A person's details")
    tidied = {}
    for field, value in details.items():
        if isinstance(value, str):
            value = value.strip()
            value = _TIDY.get(field, lambda text: text)(value)
        tidied[field] = value
    return tidied


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
def update_icb_contact_details(
    *, actor, organisation: Organisation, seen_updated_at=None, **changes
) -> Organisation:
    """Change how people reach an ICB's personal health budget team. Only that ICB's
    administrator may; the pghistory trigger on Organisation records who changed what.
    `seen_updated_at` is when the ICB was last changed as the page showed it: if it has
    changed since (another tab, another administrator), nothing is written."""
    only_fields(changes, ICB_CONTACT_FIELDS, what="ICB contact details")
    require(actor, Permission.CHANGE_ICB_CONTACT_DETAILS, organisation)
    icb = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if seen_updated_at is not None and icb.updated_at != seen_updated_at:
        raise ValidationError(
            f"Someone changed {icb.name}'s details after you opened this page. The page now "
            "shows them as they are: make your change again. Nothing was changed."
        )
    changed = {}
    for field, value in changes.items():
        value = (value or "").strip()
        if field == "phone":
            value = normalise_uk_phone_number(value)
        elif field == "postcode" and value:
            value = normalise_postcode(value)
        if getattr(icb, field) != value:
            changed[field] = value
    if not changed:
        return icb  # saving the details as they were writes nothing, and no history
    for field, value in changed.items():
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
def add_organisation(*, actor, ods_code: str, name: str) -> Organisation:
    """Add an ICB. `actor` is the service administrator, or None at the command line."""
    if actor is not None:
        require(actor, Permission.MANAGE_ICBS)
    icb = Organisation(ods_code=ods_code.strip().upper(), name=name.strip())
    icb.full_clean()
    icb.save()
    return icb


A_YEAR = datetime.timedelta(days=365)
LAST_DAY_TOO_FAR = "The last day must be no more than a year from today"


def _check_role_dates(starts_on, ends_on, *, by_a_person: bool = True) -> None:
    """A role given through the pages starts no more than a year either side of today, and
    ends (if it has an end) no more than a year from today, as ending a role does (the
    operator at the command line may record older roles)."""
    if ends_on is not None and starts_on is not None and ends_on < starts_on:
        raise ValidationError({"ends_on": "The end date must be the same as or after the start"})
    if not by_a_person:
        return
    today = timezone.localdate()
    if starts_on is not None:
        if starts_on < today - A_YEAR:
            raise ValidationError({"starts_on": "The start date must be no more than a year ago"})
        if starts_on > today + A_YEAR:
            raise ValidationError(
                {"starts_on": "The start date must be no more than a year from today"}
            )
    if ends_on is not None and ends_on > today + A_YEAR:
        raise ValidationError({"ends_on": LAST_DAY_TOO_FAR})


@transaction.atomic
def add_staff_member(
    *,
    actor,
    organisation: Organisation | None,
    email: str,
    full_name: str,
    roles,
    starts_on: datetime.date | None = None,
) -> tuple[User, bool]:
    """Give someone roles in an ICB (or the service administrator role, with no ICB).

    Someone who already has an account (they work for another ICB, say) keeps it and gains
    the roles; a new account has no usable password and is emailed a link to set one.
    Returns the user and whether the account is new.

    `actor` is an ICB administrator of that ICB; the service administrator, who may add an
    ICB's administrators; or None at the command line (the operator who runs the service).
    """
    roles = sorted({str(role) for role in roles})
    if not roles:
        raise ValidationError({"roles": "Select at least one role"})
    unknown = set(roles) - set(Role.values)
    if unknown:
        raise ValidationError({"roles": "Select roles from the list"})
    if Role.SERVICE_ADMIN in roles and (organisation is not None or len(roles) > 1):
        raise ValidationError({"roles": "A service administrator has no other role or ICB"})
    if Role.SERVICE_ADMIN not in roles and organisation is None:
        raise ValidationError({"organisation": "Choose the ICB they work for"})
    if actor is not None:
        if Role.SERVICE_ADMIN in roles:
            raise PermissionDenied("Service administrators are added at the command line")
        if not (
            actor.has_perm(Permission.MANAGE_STAFF, organisation)
            or (roles == [Role.ICB_ADMIN] and actor.has_perm(Permission.MANAGE_ICBS))
        ):
            raise PermissionDenied
    starts_on = starts_on or timezone.localdate()
    email = User.objects.normalize_email(email.strip()).lower()
    # Locked, as in grant_role, so that two administrators adding them at once are served one
    # after the other and the second sees the first's roles.
    user = User.objects.select_for_update().filter(email__iexact=email).first()
    created = user is None
    if created:
        try:
            with transaction.atomic():
                user = User.objects.create_user(email, None, full_name=full_name.strip())
        except IntegrityError:
            # Someone added the same email address at the same moment, with a new account
            # saved now: theirs is the one to give the roles to, as if it had been earlier.
            user = User.objects.select_for_update().filter(email__iexact=email).first()
            if user is None:
                raise
            created = False
    if created:
        transaction.on_commit(lambda: _send_password_link(user))
    else:
        _refuse_if_not_staff(user, email)
    for role in roles:
        _grant(actor, user, organisation, role, starts_on, None)
    return user, created


def _refuse_if_not_staff(user, email: str) -> None:
    """An existing account gains roles only if it is a member of staff's: one that has (or
    had) a role in an ICB. Any other is someone's own sign-in (a budget holder's, a
    representative's, a PA's) or the service administrator's, and staff roles would let it
    open every record of the ICB."""
    held = set(RoleAssignment.objects.filter(user=user).values_list("role", flat=True))
    if Role.SERVICE_ADMIN in held:
        raise ValidationError(
            {"email": f"{email} is the service administrator's sign-in: use another email address"}
        )
    if not held & {str(role) for role in ICB_ROLES}:
        raise ValidationError(
            {
                # Not what kind of sign-in it is: that would say the person has a PHB.
                "email": f"{email} is already someone else's sign-in: staff need their own "
                "work email address"
            }
        )


def _grant(actor, user, organisation, role, starts_on, ends_on) -> RoleAssignment:
    _check_role_dates(starts_on, ends_on, by_a_person=actor is not None)
    overlapping = RoleAssignment.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on),
        user=user,
        organisation=organisation,
        role=role,
    )
    if ends_on is not None:
        overlapping = overlapping.filter(starts_on__lte=ends_on)
    if overlapping.exists():
        raise ValidationError(
            {"role": f"{user.full_name} already has the role {Role(role).label} for those dates"}
        )
    assignment = RoleAssignment(
        user=user,
        organisation=organisation,
        role=role,
        starts_on=starts_on,
        ends_on=ends_on,
        granted_by=actor,
    )
    assignment.full_clean()
    assignment.save()
    return assignment


@transaction.atomic
def grant_role(
    *,
    actor,
    user: User,
    organisation: Organisation,
    role: str,
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
) -> RoleAssignment:
    """Give a member of staff another role in the ICB, from a date (and perhaps to one)."""
    require(actor, Permission.MANAGE_STAFF, organisation)
    if role not in ICB_ROLES:
        raise ValidationError({"role": "Select a role"})
    # Serialise grants to one person, so two administrators cannot add the same role twice.
    User.objects.select_for_update().filter(pk=user.pk).first()
    return _grant(actor, user, organisation, role, starts_on, ends_on)


# `end_role_assignment` without `seen_ends_on`: the caller did not show an end date.
NOT_SHOWN = object()


@transaction.atomic
def end_role_assignment(
    *, actor, assignment: RoleAssignment, ends_on: datetime.date, seen_ends_on=NOT_SHOWN
):
    """End a role from a date (the last day they hold it). The history stays. `seen_ends_on`
    is the end date the page showed (None for none): if someone has set another since, nothing
    changes and the user is told what it is now."""
    require(actor, Permission.MANAGE_STAFF, assignment.organisation)
    assignment = RoleAssignment.objects.select_for_update().get(pk=assignment.pk)
    if seen_ends_on is not NOT_SHOWN and assignment.ends_on != seen_ends_on:
        now = (
            f"it now ends on {assignment.ends_on:%-d %B %Y}"
            if assignment.ends_on
            else "it now has no end date"
        )
        raise ValidationError(
            f"Someone changed this role after you opened this page: {now}. Check the date, "
            "then save again. Nothing was changed."
        )
    if assignment.user_id == actor.pk and assignment.role == Role.ICB_ADMIN:
        raise ValidationError(
            {"ends_on": "You cannot end your own administrator role. Ask another administrator"}
        )
    if assignment.ends_on is not None and assignment.ends_on < timezone.localdate():
        raise ValidationError({"ends_on": "This role has already ended"})
    if ends_on < assignment.starts_on:
        raise ValidationError(
            {
                "ends_on": "The last day must be on or after the day the role started, "
                f"{assignment.starts_on:%-d %B %Y}"
            }
        )
    today = timezone.localdate()
    if ends_on < today:
        # What they did in the role up to now stands (a clinician's check is valid only if
        # they held the role that day): the end is not moved into the past.
        raise ValidationError({"ends_on": "The last day must be today or in the future"})
    if ends_on > today + A_YEAR:
        raise ValidationError({"ends_on": LAST_DAY_TOO_FAR})
    if assignment.role == Role.ICB_ADMIN:
        _check_icb_keeps_an_administrator(assignment, ends_on=ends_on, field="ends_on")
    assignment.ends_on = ends_on
    assignment.full_clean()
    assignment.save(update_fields=["ends_on", "updated_at"])
    return assignment


@transaction.atomic
def withdraw_role_assignment(*, actor, assignment: RoleAssignment) -> None:
    """Take back a role before its first day (given by mistake, or no longer wanted): they
    never hold it. Its giving and its withdrawal stay in the history."""
    require(actor, Permission.MANAGE_STAFF, assignment.organisation)
    locked = RoleAssignment.objects.select_for_update().filter(pk=assignment.pk).order_by().first()
    if locked is None:
        raise ValidationError("This role has already been withdrawn. Nothing was changed.")
    if locked.user_id == actor.pk and locked.role == Role.ICB_ADMIN:
        raise ValidationError("You cannot withdraw your own administrator role")
    if locked.starts_on <= timezone.localdate():
        raise ValidationError(
            f"This role started on {locked.starts_on:%-d %B %Y}, so it cannot be withdrawn: "
            "give its last day instead. Nothing was changed."
        )
    if locked.role == Role.ICB_ADMIN:
        _check_icb_keeps_an_administrator(locked, ends_on=None)
    locked.delete()


def _check_icb_keeps_an_administrator(assignment, *, ends_on, field=None) -> None:
    """Refuse ending an ICB administrator's role on `ends_on` (or withdrawing it: None) when
    the ICB would then have no administrator sooner than it does now: nobody would be left
    to give its staff their roles. Two administrators ending each other's roles at once are
    serialised on the ICB's row, so the second sees the first's end."""
    Organisation.objects.select_for_update().filter(pk=assignment.organisation_id).first()
    others = RoleAssignment.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=timezone.localdate()),
        organisation_id=assignment.organisation_id,
        role=Role.ICB_ADMIN,
    ).exclude(pk=assignment.pk)
    if others.filter(ends_on__isnull=True).exists():
        return
    others_last = others.aggregate(last=Max("ends_on"))["last"]
    # The last day the ICB has an administrator now (None: there is no last day) and after
    # the change (None: it has none after today).
    now = assignment.ends_on and max(assignment.ends_on, others_last or assignment.ends_on)
    after = max((day for day in (ends_on, others_last) if day is not None), default=None)
    if now is not None and after is not None and after >= now:
        return
    icb = assignment.organisation.name
    message = (
        f"{icb} would have no administrator after {after:%-d %B %Y}"
        if after is not None
        else f"{icb} would have no administrator"
    ) + ". Give someone else the administrator role first. Nothing was changed."
    raise ValidationError({field: message} if field else message)


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


# -- sign-ins for people to see their own records ---------------------------------------------


def personal_sign_in(email: str, full_name: str, *, may_reuse=None) -> tuple[User, bool]:
    """The sign-in with which someone sees their own records (as a budget holder, a
    representative or a PA): a new one with no usable password, emailed a link to set one when
    the change commits; or the account the email address already has, when `may_reuse(user)`
    says it is already this kind of sign-in (a PA who works for a second employer, someone
    who acts for a second person). Any other existing account is someone else's: reusing it
    would show them this person's records. Returns the user and whether it is new."""
    email = User.objects.normalize_email(email.strip()).lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        if user.is_service_admin or user.role_assignments.exists():
            raise ValidationError(
                {
                    "email": f"{email} is a member of staff's sign-in: use the person's own "
                    "email address"
                }
            )
        if may_reuse is None or not may_reuse(user):
            raise ValidationError(
                {
                    # Whose it is is not said: it may be someone in another ICB.
                    "email": f"{email} is already someone else's sign-in: each person signs "
                    "in with their own email address. Nothing was changed."
                }
            )
        return user, False
    user = User.objects.create_user(email, None, full_name=full_name.strip())
    transaction.on_commit(lambda: _send_password_link(user))
    return user, True


@transaction.atomic
def give_holder_sign_in(*, actor, budget_holder: BudgetHolder, email: str) -> tuple[User, bool]:
    """Let a budget holder sign in to see their own budget, plan and documents."""
    require(actor, Permission.CHANGE_PERSON, budget_holder)
    holder = BudgetHolder.objects.select_for_update().get(pk=budget_holder.pk)
    if holder.user_id is not None:
        raise ValidationError(
            f"{holder.full_name} already has a sign-in ({holder.user.email}). Nothing was changed."
        )
    # A person's own sign-in is theirs alone: an existing account (a PA's, someone who acts
    # for another person, another holder's) would show them this person's records.
    user, created = personal_sign_in(email, holder.full_name)
    holder.user = user
    holder.save(update_fields=["user", "updated_at"])
    return user, created


def _acts_for_someone_only(user) -> bool:
    """The account is a representative's or nominee's, and not a budget holder's own."""
    return (
        Representative.objects.filter(user=user).exists()
        and not BudgetHolder.objects.filter(user=user).exists()
    )


def _plain(name: str) -> str:
    return " ".join(name.split()).casefold()


@transaction.atomic
def add_representative(
    *,
    actor,
    budget_holder: BudgetHolder,
    full_name: str,
    email: str,
    kind: str,
    relationship: str,
    agreed_on: datetime.date,
    **address: str,
) -> tuple[Representative, bool]:
    """Record someone who acts for the person (a representative, when the person lacks
    capacity, or a nominee they chose), with a sign-in to see what the person sees, and the
    postal address their letters go to, if they are posted."""
    require(actor, Permission.CHANGE_PERSON, budget_holder)
    holder = BudgetHolder.objects.select_for_update().get(pk=budget_holder.pk)
    address = _postal_address(address)
    errors = {}
    if not full_name.strip():
        errors["full_name"] = "Enter their full name"
    if kind not in RepresentativeKind.values:
        errors["kind"] = "Choose whether they are a representative or a nominee"
    if not relationship.strip():
        errors["relationship"] = f"Say how they know {holder.given_name}"
    if agreed_on > timezone.localdate():
        errors["agreed_on"] = "The date they agreed to act must be today or in the past"
    elif agreed_on < holder.date_of_birth:
        errors["agreed_on"] = (
            f"The date they agreed to act must be on or after {holder.given_name}'s birth"
        )
    if errors:
        raise ValidationError(errors)
    if holder.user_id is not None and holder.user.email.lower() == email.strip().lower():
        raise ValidationError(
            {"email": f"{holder.user.email} is {holder.given_name}'s own sign-in: use theirs"}
        )
    # Someone may act for more than one person with one sign-in; any other account is not
    # theirs to reuse.
    user, created = personal_sign_in(email, full_name, may_reuse=_acts_for_someone_only)
    if not created and _plain(full_name) != _plain(user.full_name):
        # Their letters are addressed by the sign-in's name: a different name typed here is a
        # mistake in the name or the address. The name it has is not said: it may have been
        # given in another ICB.
        raise ValidationError(
            {
                "full_name": f"The sign-in for {user.email} is in another name. Check their "
                "full name and email address with them. Nothing was changed."
            }
        )
    earlier = (
        Representative.objects.select_for_update().filter(user=user, budget_holder=holder).first()
    )
    if (
        earlier is not None
        and earlier.ended_on is not None
        and earlier.ended_on < timezone.localdate()
    ):
        # They stopped acting, and now act again (a new nomination, say): the same record,
        # acting again from the new agreement; the audit history keeps the earlier period.
        if agreed_on <= earlier.ended_on:
            raise ValidationError(
                {
                    "agreed_on": "The date they agreed to act again must be after "
                    f"{earlier.ended_on:%-d %B %Y}, when they last stopped acting"
                }
            )
        earlier.kind = kind
        earlier.relationship = relationship.strip()
        earlier.agreed_on = agreed_on
        earlier.ended_on = None
        for field, value in address.items():
            setattr(earlier, field, value)
        earlier.full_clean()
        earlier.save()
        return earlier, created
    if earlier is not None:
        # Who recorded them is in the audit of the page that did (a double click's first
        # request, or a colleague's).
        recorded = (
            Representative.pgh_event_model.objects.filter(pgh_obj_id=earlier.pk, pgh_label="insert")
            .select_related("pgh_context")
            .first()
        )
        by = changed_by(recorded)
        when = f"on {timezone.localtime(earlier.created_at):%-d %B %Y at %H:%M}"
        raise ValidationError(
            {
                "email": f"{earlier.user.full_name} is already recorded as acting for "
                f"{holder.given_name}"
                + (f" (until {earlier.ended_on:%-d %B %Y})" if earlier.ended_on is not None else "")
                + (f": {by.full_name} recorded them {when}" if by else f": recorded {when}")
                + ". Nothing was changed."
            }
        )
    representative = Representative.objects.create(
        user=user,
        budget_holder=holder,
        kind=kind,
        relationship=relationship.strip(),
        agreed_on=agreed_on,
        **address,
    )
    return representative, created


def _postal_address(given: dict[str, str]) -> dict[str, str]:
    """An optional postal address's four fields, trimmed, the postcode in its usual form;
    refused in words when it is started but not complete enough to write to."""
    only_fields(given, ADDRESS_FIELDS, what="a postal address")
    address = {field: (given.get(field) or "").strip() for field in ADDRESS_FIELDS}
    if address["postcode"]:
        address["postcode"] = normalise_postcode(address["postcode"])
        try:
            validate_uk_postcode(address["postcode"])
        except ValidationError as error:
            raise ValidationError({"postcode": error.messages}) from error
    if missing := incomplete_address_errors(**address):
        raise ValidationError(missing)
    return address


@transaction.atomic
def change_representative_address(
    *, actor, representative: Representative, **address: str
) -> Representative:
    """Change (or take away) the postal address letters to someone who acts for the person
    are posted to. Someone who has stopped acting gets no more letters, so theirs stays."""
    require(actor, Permission.CHANGE_PERSON, representative.budget_holder)
    representative = (
        Representative.objects.select_for_update()
        .select_related("user", "budget_holder")
        .get(pk=representative.pk)
    )
    if representative.ended_on is not None and representative.ended_on <= timezone.localdate():
        raise ValidationError(
            f"{representative.user.full_name} stopped acting for "
            f"{representative.budget_holder.given_name} on "
            f"{representative.ended_on:%-d %B %Y}. Nothing was changed."
        )
    address = _postal_address(address)
    changed = [f for f, value in address.items() if getattr(representative, f) != value]
    if changed:  # saving it as it was writes nothing, and no history
        for field in changed:
            setattr(representative, field, address[field])
        representative.save(update_fields=[*changed, "updated_at"])
    return representative


@transaction.atomic
def end_representative(*, actor, representative: Representative, ended_on: datetime.date):
    """They stop acting for the person on `ended_on` (and from then see nothing of theirs)."""
    require(actor, Permission.CHANGE_PERSON, representative.budget_holder)
    representative = (
        Representative.objects.select_for_update()
        .select_related("user", "budget_holder")
        .get(pk=representative.pk)
    )
    today = timezone.localdate()
    # An end still to come may be brought forward (they see less, sooner), never put back.
    if representative.ended_on is not None and (
        representative.ended_on <= today or ended_on >= representative.ended_on
    ):
        raise ValidationError(
            f"{representative.user.full_name} already stops acting for "
            f"{representative.budget_holder.given_name} on "
            f"{representative.ended_on:%-d %B %Y}. Nothing was changed."
        )
    if ended_on > today + A_YEAR:
        raise ValidationError(
            {"ended_on": "The date they stop must be no more than a year from today"}
        )
    if ended_on < representative.agreed_on:
        raise ValidationError(
            {
                "ended_on": "The date they stop must be on or after the day they agreed to act, "
                f"{representative.agreed_on:%-d %B %Y}"
            }
        )
    representative.ended_on = ended_on
    representative.save(update_fields=["ended_on", "updated_at"])
    return representative
