"""The shared core: organisations (ICBs), users and roles, budget holders, representatives.

Every model holding personal data is tracked by pghistory triggers (see
`phb.audit.audited`), so each insert, update and delete is recorded in an
append-only event table with the request's user and URL.
"""

import datetime
import uuid

import nhs_number
import pgtrigger
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField, RangeBoundary, RangeOperators
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Func, Q, Value
from django.db.models.functions import Cast, Coalesce, Concat, Length, Upper
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.functional import cached_property

from phb.audit import audited
from phb.validators import (
    STORED_PHONE_PATTERN,
    STORED_POSTCODE_PATTERN,
    validate_uk_phone_number,
    validate_uk_postcode,
)


class UUIDModel(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)

    class Meta:
        abstract = True


class Timestamped(models.Model):
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


def text_length_limit(field: str, length: int, prefix: str) -> models.CheckConstraint:
    """A free-text column (TextField) no longer than `length` characters, in the database:
    a TextField's max_length is otherwise only a form's check."""
    return models.CheckConstraint(
        condition=LessThanOrEqual(Length(field), length),
        name=f"{prefix}_{field}_at_most_{length}",
    )


ACCESSIBILITY_NEEDS_LENGTH = 1000
REMINDERS_UNREACHABLE = (
    "Reminders go by email or text message: choose one of those as their preferred way to be "
    "contacted, and give their email address or phone number"
)
# Reasons, notes and justifications people write: a page of text.
FREE_TEXT_LENGTH = 2000


class DateRange(Func):
    """PostgreSQL's daterange(start, end, bounds), for exclusion constraints."""

    function = "daterange"
    output_field = DateRangeField()


ods_code_validator = RegexValidator(
    r"^[A-Z0-9]{3,5}$", "Enter an ODS code of 3 to 5 capital letters and numbers, like QWE"
)


class OptionalPostalAddress(models.Model):
    """A postal address that may be left out; where it is given, a first line, a town and a
    postcode are needed to write to it (each model's constraints say so for its table)."""

    address_line_1 = models.CharField("Address line 1", max_length=200, blank=True)
    address_line_2 = models.CharField("Address line 2", max_length=200, blank=True)
    town = models.CharField("Town or city", max_length=100, blank=True)
    postcode = models.CharField(
        "Postcode", max_length=8, blank=True, validators=[validate_uk_postcode]
    )

    class Meta:
        abstract = True

    @property
    def postal_address_lines(self) -> list[str]:
        lines = (self.address_line_1, self.address_line_2, self.town, self.postcode)
        return [line for line in lines if line]


def address_constraints(prefix: str) -> list[models.CheckConstraint]:
    """An `OptionalPostalAddress`'s checks: a stored postcode's form, and an address either
    complete enough to write to or not there at all."""
    return [
        models.CheckConstraint(
            condition=Q(postcode="") | Q(postcode__regex=STORED_POSTCODE_PATTERN),
            name=f"{prefix}_postcode_format",
        ),
        models.CheckConstraint(
            condition=Q(address_line_1="", address_line_2="", town="", postcode="")
            | (~Q(address_line_1="") & ~Q(town="") & ~Q(postcode="")),
            name=f"{prefix}_address_complete_or_empty",
        ),
    ]


@audited
class Organisation(OptionalPostalAddress, UUIDModel, Timestamped):
    """An integrated care board. Each ICB's staff see only that ICB's people."""

    name = models.CharField(max_length=200)
    ods_code = models.CharField(
        "ODS code",
        max_length=5,
        unique=True,
        validators=[ods_code_validator],
        error_messages={"unique": "There is already an ICB with this ODS code"},
    )
    # How people reach the ICB's personal health budget team: shown on the contact page,
    # the person's own page and every letter. All optional; an ICB administrator keeps them.
    phone = models.CharField(
        "Phone number", max_length=20, blank=True, validators=[validate_uk_phone_number]
    )
    email = models.EmailField("Email address", max_length=254, blank=True)
    opening_hours = models.CharField(
        "Opening hours",
        max_length=200,
        blank=True,
        help_text="When the phone line is answered, like Monday to Friday, 9am to 5pm",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ods_code__regex=r"^[A-Z0-9]{3,5}$"), name="organisation_ods_code_format"
            ),
            models.CheckConstraint(
                condition=Q(phone="") | Q(phone__regex=STORED_PHONE_PATTERN),
                name="organisation_phone_format",
            ),
            models.CheckConstraint(
                condition=Q(email="") | Q(email__regex=r"^[^@\s]+@[^@\s]+$"),
                name="organisation_email_format",
            ),
            *address_constraints("organisation"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.ods_code})"

    @property
    def has_contact_details(self) -> bool:
        return bool(self.phone or self.email or self.postal_address_lines or self.opening_hours)


class Role(models.TextChoices):
    """What a member of staff does, within one organisation, for a time (`RoleAssignment`).

    Budget holders, representatives and personal assistants are not roles: they are
    people linked to the records they may see (`BudgetHolder.user`, `Representative`).
    """

    PHB_LEAD = "phb_lead", "PHB lead"
    CARE_COORDINATOR = "care_coordinator", "Care coordinator"
    PANEL_MEMBER = "panel_member", "Panel member"
    CLINICIAN = "clinician", "Clinician"
    FINANCE_OFFICER = "finance_officer", "Finance officer"
    PA_EMPLOYER_SUPPORT = "pa_employer_support", "PA employer support"
    ICB_ADMIN = "icb_admin", "ICB administrator"
    # Runs the deployment for every ICB: national rate tables, ICBs and their first
    # administrators. Held without an organisation, and sees no person's record.
    SERVICE_ADMIN = "service_admin", "Service administrator"


# Roles held within an ICB, which see that ICB's people.
ICB_ROLES = frozenset(role for role in Role if role != Role.SERVICE_ADMIN)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **fields):
        if not email:
            raise ValueError("A user needs an email address")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user


@audited(exclude=["password", "last_login"])
class User(UUIDModel, AbstractBaseUser, PermissionsMixin):
    """Anyone who signs in. What they may do comes from their role assignments (staff) or
    their links to people (a budget holder's own sign-in, a representative)."""

    email = models.EmailField("Email address", max_length=254, unique=True)
    full_name = models.CharField(max_length=200)
    is_active = models.BooleanField(default=True)
    # Seeded demo accounts: in local demo mode only, these may skip the second factor.
    is_demo = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]

    def __str__(self) -> str:
        return self.full_name or self.email

    # -- roles ---------------------------------------------------------------------------
    # Read once per user object (one query); the acting ICB is chosen per session by
    # `phb.middleware.ActingOrganisationMiddleware`, which sets `chosen_organisation_id`.

    chosen_organisation_id = None

    @cached_property
    def current_assignments(self) -> list["RoleAssignment"]:
        if self.pk is None:
            return []
        return list(
            RoleAssignment.objects.current()
            .filter(user=self)
            .select_related("organisation")
            .order_by("organisation__name", "role")
        )

    @cached_property
    def organisations(self) -> list[Organisation]:
        """The ICBs this person currently holds a role in, by name."""
        seen = {}
        for assignment in self.current_assignments:
            if assignment.organisation_id is not None:
                seen.setdefault(assignment.organisation_id, assignment.organisation)
        return list(seen.values())

    @property
    def acting_organisation(self) -> Organisation | None:
        """The ICB they act for now: the one chosen in this session if they still hold a
        role there, otherwise the first by name."""
        organisations = self.organisations
        chosen = next(
            (o for o in organisations if str(o.pk) == str(self.chosen_organisation_id)), None
        )
        return chosen or (organisations[0] if organisations else None)

    @property
    def acting_organisation_id(self):
        organisation = self.acting_organisation
        return organisation.pk if organisation else None

    @property
    def roles(self) -> frozenset[str]:
        """Roles held now in the acting ICB, plus service administrator if held."""
        acting = self.acting_organisation_id
        return frozenset(
            a.role
            for a in self.current_assignments
            if a.organisation_id == acting or a.role == Role.SERVICE_ADMIN
        )

    def has_role(self, *roles) -> bool:
        return bool(self.roles & {str(role) for role in roles})

    @property
    def is_staff_member(self) -> bool:
        """Holds a role in an ICB now, and so works with that ICB's people."""
        return self.acting_organisation is not None

    @property
    def is_service_admin(self) -> bool:
        return Role.SERVICE_ADMIN in self.roles

    @property
    def needs_second_factor(self) -> bool:
        """Staff and service administrators may not work without a second factor."""
        return bool(self.current_assignments)

    def role_labels(self) -> list[str]:
        return [Role(role).label for role in sorted(self.roles, key=list(Role).index)]

    @property
    def is_staff(self) -> bool:
        # Django's admin is not installed; nobody gets its staff flag.
        return False

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0]


class RoleAssignmentQuerySet(models.QuerySet):
    def current(self, on: datetime.date | None = None) -> "RoleAssignmentQuerySet":
        on = on or timezone.localdate()
        return self.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on), starts_on__lte=on)


@audited
class RoleAssignment(UUIDModel, Timestamped):
    """One role a person holds in one organisation, from a date and (perhaps) to a date.

    A person may hold several at once: a PHB lead who sits on panels, a finance officer
    who works for two ICBs. The service administrator role is held without an organisation.
    """

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="role_assignments")
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="role_assignments",
        verbose_name="ICB",
    )
    role = models.CharField(max_length=32, choices=Role.choices)
    starts_on = models.DateField("From")
    ends_on = models.DateField("To", null=True, blank=True)
    granted_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["organisation__name", "role", "starts_on"]
        indexes = [models.Index(fields=["user", "starts_on"], name="roleassignment_user_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=Role.values), name="role_assignment_role_valid"
            ),
            models.CheckConstraint(
                condition=(
                    Q(role=Role.SERVICE_ADMIN, organisation__isnull=True)
                    | (~Q(role=Role.SERVICE_ADMIN) & Q(organisation__isnull=False))
                ),
                name="role_assignment_icb_roles_have_an_icb",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="role_assignment_ends_after_it_starts",
            ),
            ExclusionConstraint(
                name="role_assignment_no_overlapping_duplicates",
                expressions=[
                    ("user", RangeOperators.EQUAL),
                    (Coalesce("organisation", Value(uuid.UUID(int=0))), RangeOperators.EQUAL),
                    ("role", RangeOperators.EQUAL),
                    (
                        DateRange("starts_on", "ends_on", RangeBoundary(inclusive_upper=True)),
                        RangeOperators.OVERLAPS,
                    ),
                ],
            ),
        ]

    def __str__(self) -> str:
        where = f" at {self.organisation.name}" if self.organisation_id else ""
        return f"{self.user}: {self.get_role_display()}{where}"

    def is_current(self, on: datetime.date | None = None) -> bool:
        on = on or timezone.localdate()
        return self.starts_on <= on and (self.ends_on is None or self.ends_on >= on)


class EligibilityGroup(models.TextChoices):
    CHC = "chc", "NHS Continuing Healthcare (right to have)"
    CHILDRENS_CONTINUING_CARE = "children_cc", "Children's continuing care (right to have)"
    S117 = "s117", "Section 117 aftercare (right to have)"
    WHEELCHAIR = "wheelchair", "Wheelchair services (right to have)"
    EHCP = "ehcp", "Education, health and care plan (right to request)"
    LOCAL_OFFER = "local_offer", "Local offer"


class ContactMethod(models.TextChoices):
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone call"
    TEXT = "text", "Text message"
    LETTER = "letter", "Letter"


def validate_nhs_number(value: str) -> None:
    if not nhs_number.is_valid(normalise_nhs_number(value)):
        raise ValidationError(
            "Enter a valid NHS number, like 943 476 5919", code="invalid_nhs_number"
        )


def normalise_nhs_number(value: str) -> str:
    """'943 476 5919' or '943-476-5919' becomes '9434765919'; anything else is left as it
    was typed, so that validation can say what is wrong with it."""
    value = str(value).strip()
    return nhs_number.standardise_format(value) or value


class InformationFormat(models.TextChoices):
    """The format a person needs letters and documents in (NHS Accessible Information
    Standard). Only formats the service can make are offered."""

    STANDARD = "standard", "Standard print"
    LARGE_PRINT = "large_print", "Large print (16 point or larger)"


class BudgetHolderQuerySet(models.QuerySet):
    def visible_to(self, user) -> "BudgetHolderQuerySet":
        """The people this user may see: the people of the ICB they act for (staff), or
        themself and the people they currently act for (holders and representatives).

        A service administrator holds no ICB role, so sees nobody."""
        if not user.is_authenticated:
            return self.none()
        if user.is_staff_member:
            return self.filter(Q(organisation_id=user.acting_organisation_id) | self._own_q(user))
        return self.own_for(user)

    def in_caseload_of(self, user) -> "BudgetHolderQuerySet":
        """The people of the ICB a member of staff acts for; nobody for anyone else."""
        if not (user.is_authenticated and user.is_staff_member):
            return self.none()
        return self.filter(organisation_id=user.acting_organisation_id)

    def own_for(self, user) -> "BudgetHolderQuerySet":
        """The person who signed in, and the people they currently act for."""
        if not user.is_authenticated:
            return self.none()
        # The people they act for are read first (a few ids): as a subquery OR-ed with their
        # own record, the planner reads every person in the country (ADR 0029).
        acting_for = list(
            Representative.objects.current()
            .filter(user=user)
            .values_list("budget_holder_id", flat=True)
        )
        return self.filter(Q(user=user) | Q(pk__in=acting_for))

    @staticmethod
    def _own_q(user) -> Q:
        return Q(user=user) | Q(
            pk__in=Representative.objects.current().filter(user=user).values("budget_holder_id")
        )


@audited(exclude=["search_name"])
class BudgetHolder(UUIDModel, Timestamped):
    """The person who holds (or will hold) a personal health budget."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="budget_holders", verbose_name="ICB"
    )
    user = models.OneToOneField(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="budget_holder",
        help_text="The person's own sign-in, if they have one.",
    )
    given_name = models.CharField("First name", max_length=100)
    family_name = models.CharField("Last name", max_length=100)
    nhs_number = models.CharField(
        "NHS number",
        max_length=10,
        unique=True,
        validators=[validate_nhs_number],
        error_messages={"unique": "Somebody with this NHS number is already on a caseload"},
    )
    date_of_birth = models.DateField()
    address_line_1 = models.CharField("Address line 1", max_length=200)
    address_line_2 = models.CharField("Address line 2", max_length=200, blank=True)
    town = models.CharField("Town or city", max_length=100)
    postcode = models.CharField("Postcode", max_length=8, validators=[validate_uk_postcode])
    email = models.EmailField("Email address", max_length=254, blank=True)
    # PRSB care plan standard: the person's GP practice, one of their demographics.
    gp_practice = models.CharField(
        "GP practice (optional)",
        max_length=200,
        blank=True,
        default="",
        # Rows written with COPY (the dataset generator) name their columns.
        db_default="",
        help_text="The name of their GP surgery, like Riverside Medical Centre",
    )
    phone = models.CharField(
        "Phone number", max_length=20, blank=True, validators=[validate_uk_phone_number]
    )
    preferred_contact = models.CharField(
        "Preferred way to be contacted",
        max_length=10,
        choices=ContactMethod.choices,
        default=ContactMethod.LETTER,
    )
    accessibility_needs = models.TextField(
        blank=True,
        max_length=ACCESSIBILITY_NEEDS_LENGTH,
        help_text="For example, large print, easy read, British Sign Language or an interpreter.",
    )
    information_format = models.CharField(
        "Format they need letters and documents in",
        max_length=16,
        choices=InformationFormat.choices,
        default=InformationFormat.STANDARD,
        db_default=InformationFormat.STANDARD,
        help_text="PDFs of their plan, letters and budget are made in this format.",
    )
    copy_letters_to_person = models.BooleanField(
        "Send letters about their budget to them as well as to their representative",
        default=False,
        help_text="Letters go to their representative or nominee if they have one. "
        "Tick this if they want a copy too.",
    )
    review_reminders = models.BooleanField(
        "Remind them when a review of their plan is coming up",
        default=False,
        help_text="By email or text message, whichever they prefer to be contacted by.",
    )
    eligibility = models.CharField(
        "Why they can have a personal health budget",
        max_length=16,
        choices=EligibilityGroup.choices,
    )
    # What the caseload's name search looks in: "ADA LOVELACE", kept by the database, with a
    # trigram index so that "love" finds her without reading the whole caseload.
    search_name = models.GeneratedField(
        expression=Upper(Concat("given_name", Value(" "), "family_name")),
        output_field=models.CharField(max_length=201),
        db_persist=True,
    )

    objects = BudgetHolderQuerySet.as_manager()

    class Meta:
        ordering = ["family_name", "given_name"]
        indexes = [
            # The caseload's sort orders, each ending in the id so that a page of ids is read
            # from the index alone, however deep the page (ADR 0022).
            models.Index(
                fields=["organisation", "family_name", "given_name", "id"],
                name="caseload_by_name",
            ),
            models.Index(
                fields=["organisation", "date_of_birth", "family_name", "id"],
                name="caseload_by_date_of_birth",
            ),
            models.Index(fields=["organisation", "nhs_number"], name="caseload_by_nhs_number"),
            # Searches: three letters or more anywhere in the name (trigrams); one or two
            # letters at the start of either name; the start of an NHS number.
            # The ICB in the same index as the name's trigrams (btree_gin), so that a search
            # reads only its ICB's matches: with the name alone, "Watson" read 1,929 people
            # across England and then their ICBs (0.9 ms at 250,000 people; 0.3 ms with both).
            GinIndex(
                F("organisation"),
                OpClass("search_name", name="gin_trgm_ops"),
                name="caseload_icb_name_trigrams",
            ),
            models.Index(
                F("organisation"),
                OpClass(Upper(Cast("family_name", models.TextField())), name="text_pattern_ops"),
                name="caseload_family_name_prefix",
            ),
            models.Index(
                F("organisation"),
                OpClass(Upper(Cast("given_name", models.TextField())), name="text_pattern_ops"),
                name="caseload_given_name_prefix",
            ),
            models.Index(
                OpClass(Cast("nhs_number", models.TextField()), name="text_pattern_ops"),
                name="caseload_nhs_number_prefix",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(nhs_number__regex=r"^[0-9]{10}$"),
                name="budget_holder_nhs_number_digits",
            ),
            models.CheckConstraint(
                condition=Q(eligibility__in=EligibilityGroup.values),
                name="budget_holder_eligibility_valid",
            ),
            models.CheckConstraint(
                condition=Q(preferred_contact__in=ContactMethod.values),
                name="budget_holder_contact_valid",
            ),
            models.CheckConstraint(
                condition=Q(information_format__in=InformationFormat.values),
                name="budget_holder_information_format_valid",
            ),
            models.CheckConstraint(
                condition=Q(postcode__regex=STORED_POSTCODE_PATTERN),
                name="budget_holder_postcode_format",
            ),
            models.CheckConstraint(
                condition=Q(phone="") | Q(phone__regex=STORED_PHONE_PATTERN),
                name="budget_holder_phone_format",
            ),
            models.CheckConstraint(
                condition=Q(email="") | Q(email__regex=r"^[^@\s]+@[^@\s]+$"),
                name="budget_holder_email_format",
            ),
            text_length_limit("accessibility_needs", ACCESSIBILITY_NEEDS_LENGTH, "budget_holder"),
            # Reminders go by email or text message, to an address the record holds.
            models.CheckConstraint(
                condition=Q(review_reminders=False)
                | Q(preferred_contact=ContactMethod.EMAIL, email__gt="")
                | Q(preferred_contact=ContactMethod.TEXT, phone__gt=""),
                name="budget_holder_reminders_reachable",
                violation_error_message=REMINDERS_UNREACHABLE,
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    def clean(self) -> None:
        if self.date_of_birth:
            today = timezone.localdate()
            if self.date_of_birth > today:
                raise ValidationError({"date_of_birth": "Date of birth must be in the past"})
            if self.date_of_birth.year < 1900:
                raise ValidationError({"date_of_birth": "Date of birth must be after 1900"})
        if self.nhs_number:
            self.nhs_number = normalise_nhs_number(self.nhs_number)

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def formatted_nhs_number(self) -> str:
        return f"{self.nhs_number[:3]} {self.nhs_number[3:6]} {self.nhs_number[6:]}"


class RepresentativeKind(models.TextChoices):
    REPRESENTATIVE = "representative", "Representative (acts for someone who lacks capacity)"
    NOMINEE = "nominee", "Nominee (chosen by the budget holder)"


class RepresentativeQuerySet(models.QuerySet):
    def current(self, on: datetime.date | None = None) -> "RepresentativeQuerySet":
        """Acting now: agreed, and not ended (they stop acting on the day it ends)."""
        on = on or timezone.localdate()
        return self.filter(Q(ended_on__isnull=True) | Q(ended_on__gt=on))


@audited
class Representative(OptionalPostalAddress, UUIDModel, Timestamped):
    """A user who acts for a budget holder, and sees what the holder sees. Letters to the
    person go to them, at their postal address when one is recorded."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="represents")
    budget_holder = models.ForeignKey(
        BudgetHolder, on_delete=models.CASCADE, related_name="representatives"
    )
    kind = models.CharField(max_length=16, choices=RepresentativeKind.choices)
    relationship = models.CharField(
        max_length=100, help_text="For example, daughter, partner, friend, deputy."
    )
    agreed_on = models.DateField("Date they agreed to act")
    ended_on = models.DateField(null=True, blank=True)

    objects = RepresentativeQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "budget_holder"], name="representative_once_per_holder"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=RepresentativeKind.values), name="representative_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("agreed_on")),
                name="representative_ends_after_agreeing",
            ),
            *address_constraints("representative"),
        ]

    def __str__(self) -> str:
        return f"{self.user} for {self.budget_holder}"


class AccessOutcome(models.TextChoices):
    VIEWED = "viewed", "Viewed"
    REFUSED = "refused", "Refused (not theirs to see)"


class RecordAccess(UUIDModel):
    """Who opened (or tried to open) a person's record. Append-only in the database."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="record_accesses")
    # Not a foreign key: a refused attempt may name a person of another ICB, or nobody.
    budget_holder_id = models.UUIDField(db_index=True)
    outcome = models.CharField(max_length=8, choices=AccessOutcome.choices)
    what = models.CharField(max_length=100)
    path = models.CharField(max_length=500)

    class Meta:
        ordering = ["-at"]
        indexes = [
            # The access log: one person's accesses, newest first, paginated on (at, id).
            models.Index(fields=["budget_holder_id", "-at", "-id"], name="record_access_log")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=AccessOutcome.values), name="record_access_outcome_valid"
            )
        ]
        triggers = [
            pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete)
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.outcome} {self.what} at {self.at:%Y-%m-%d %H:%M}"


class MessageChannel(models.TextChoices):
    EMAIL = "email", "Email"
    TEXT = "text", "Text message"


class MessageStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"


MESSAGE_BODY_LENGTH = 5000
MESSAGE_ERROR_LENGTH = 2000


class MessageQuerySet(models.QuerySet):
    def visible_to(self, user) -> "MessageQuerySet":
        """The messages of the ICB a member of staff acts for; nothing for anyone else."""
        if not (user.is_authenticated and user.is_staff_member):
            return self.none()
        return self.filter(organisation_id=user.acting_organisation_id)


@audited
class Message(UUIDModel, Timestamped):
    """One email or text message: what was (or would have been) sent, to whom, and what
    became of it. Recorded before it is sent, so nothing is lost if sending fails; staff see
    it in the outbox (`phb.notifications`)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="messages", verbose_name="ICB"
    )
    # The person the message is about, if it is about one (a reminder of their review).
    budget_holder = models.ForeignKey(
        BudgetHolder, on_delete=models.PROTECT, null=True, blank=True, related_name="messages"
    )
    recipient_user = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="messages"
    )
    recipient_name = models.CharField(max_length=200)
    recipient_role = models.CharField(max_length=100, help_text="Why they were sent it")
    channel = models.CharField(max_length=8, choices=MessageChannel.choices)
    to_address = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=200)
    body = models.TextField(max_length=MESSAGE_BODY_LENGTH)
    status = models.CharField(
        max_length=10, choices=MessageStatus.choices, default=MessageStatus.QUEUED
    )
    error = models.TextField(blank=True, max_length=MESSAGE_ERROR_LENGTH)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Who took it: "email" (Django's email backend) or "notify" (GOV.UK Notify), and Notify's
    # id for it, by which its delivery is read back.
    provider = models.CharField(max_length=10, blank=True)
    provider_id = models.CharField(max_length=100, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The outboxes, newest first, paginated on (created_at, id) from the index alone.
            models.Index(fields=["organisation", "-created_at", "-id"], name="outbox_by_icb"),
            models.Index(fields=["budget_holder", "-created_at", "-id"], name="outbox_by_person"),
            # The sweeper and the delivery check: the few messages still on their way.
            models.Index(
                fields=["status", "updated_at"],
                condition=Q(status__in=["queued", "sent", "failed"]),
                name="message_in_flight",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(channel__in=MessageChannel.values), name="message_channel_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=MessageStatus.values), name="message_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=MessageStatus.FAILED) | ~Q(error=""),
                name="message_failure_says_why",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[MessageStatus.SENT, MessageStatus.DELIVERED])
                | Q(sent_at__isnull=False, provider__gt=""),
                name="message_sent_has_when_and_how",
            ),
            text_length_limit("body", MESSAGE_BODY_LENGTH, "message"),
            text_length_limit("error", MESSAGE_ERROR_LENGTH, "message"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} to {self.recipient_name} ({self.get_status_display()})"


# Generated documents (PDFs of plans, letters and budget explanations) live in their own module.
from phb.documents.models import DocumentStatus, GeneratedDocument  # noqa: E402, F401
