"""The shared core: organisations (ICBs), users and roles, budget holders, representatives.

Every model holding personal data is tracked by pghistory triggers (see
`phb.audit.audited`), so each insert, update and delete is recorded in an
append-only event table with the request's user and URL.
"""

import uuid

import nhs_number
import pgtrigger
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

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


ods_code_validator = RegexValidator(
    r"^[A-Z0-9]{3,5}$", "Enter an ODS code of 3 to 5 capital letters and numbers, like QWE"
)


@audited
class Organisation(UUIDModel, Timestamped):
    """An integrated care board. Each ICB's staff see only that ICB's people."""

    name = models.CharField(max_length=200)
    ods_code = models.CharField(
        "ODS code", max_length=5, unique=True, validators=[ods_code_validator]
    )
    # How people reach the ICB's personal health budget team: shown on the contact page,
    # the person's own page and every letter. All optional; an ICB administrator keeps them.
    phone = models.CharField(
        "Phone number", max_length=20, blank=True, validators=[validate_uk_phone_number]
    )
    email = models.EmailField("Email address", max_length=254, blank=True)
    address_line_1 = models.CharField("Address line 1", max_length=200, blank=True)
    address_line_2 = models.CharField("Address line 2", max_length=200, blank=True)
    town = models.CharField("Town or city", max_length=100, blank=True)
    postcode = models.CharField(
        "Postcode", max_length=8, blank=True, validators=[validate_uk_postcode]
    )
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
            models.CheckConstraint(
                condition=Q(postcode="") | Q(postcode__regex=STORED_POSTCODE_PATTERN),
                name="organisation_postcode_format",
            ),
            # A postal address is either complete enough to write to, or not there at all.
            models.CheckConstraint(
                condition=Q(address_line_1="", address_line_2="", town="", postcode="")
                | (~Q(address_line_1="") & ~Q(town="") & ~Q(postcode="")),
                name="organisation_address_complete_or_empty",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.ods_code})"

    @property
    def postal_address_lines(self) -> list[str]:
        lines = (self.address_line_1, self.address_line_2, self.town, self.postcode)
        return [line for line in lines if line]

    @property
    def has_contact_details(self) -> bool:
        return bool(self.phone or self.email or self.postal_address_lines or self.opening_hours)


class Role(models.TextChoices):
    PHB_LEAD = "phb_lead", "PHB lead"
    CARE_COORDINATOR = "care_coordinator", "Care coordinator"
    PANEL_MEMBER = "panel_member", "Panel member"
    CLINICIAN = "clinician", "Clinician"
    FINANCE_OFFICER = "finance_officer", "Finance officer"
    PA_EMPLOYER_SUPPORT = "pa_employer_support", "PA employer support"
    ICB_ADMIN = "icb_admin", "ICB administrator"
    BUDGET_HOLDER = "budget_holder", "Budget holder"
    REPRESENTATIVE = "representative", "Representative"


STAFF_ROLES = frozenset(
    {
        Role.PHB_LEAD,
        Role.CARE_COORDINATOR,
        Role.PANEL_MEMBER,
        Role.CLINICIAN,
        Role.FINANCE_OFFICER,
        Role.PA_EMPLOYER_SUPPORT,
        Role.ICB_ADMIN,
    }
)


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
    email = models.EmailField("Email address", unique=True)
    full_name = models.CharField(max_length=200)
    role = models.CharField(max_length=32, choices=Role.choices)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        help_text="The ICB a member of staff works for; empty for budget holders and others.",
    )
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
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="user_role_valid"),
            models.CheckConstraint(
                condition=(
                    Q(role__in=sorted(STAFF_ROLES), organisation__isnull=False)
                    | (~Q(role__in=sorted(STAFF_ROLES)) & Q(organisation__isnull=True))
                ),
                name="user_staff_have_organisation",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def is_staff_member(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_staff(self) -> bool:
        # Django's admin is not installed; nobody gets its staff flag.
        return False

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0]


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


class BudgetHolderQuerySet(models.QuerySet):
    def visible_to(self, user) -> "BudgetHolderQuerySet":
        """The people this user may see: their ICB's, themself, or those they act for."""
        if not user.is_authenticated:
            return self.none()
        if user.role in STAFF_ROLES:
            return self.filter(organisation_id=user.organisation_id)
        if user.role == Role.BUDGET_HOLDER:
            return self.filter(user=user)
        if user.role == Role.REPRESENTATIVE:
            return self.filter(
                representatives__user=user, representatives__ended_on__isnull=True
            ).distinct()
        return self.none()


@audited
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
    postcode = models.CharField(max_length=8)
    email = models.EmailField("Email address", blank=True)
    phone = models.CharField("Phone number", max_length=20, blank=True)
    preferred_contact = models.CharField(
        "Preferred way to be contacted",
        max_length=10,
        choices=ContactMethod.choices,
        default=ContactMethod.LETTER,
    )
    accessibility_needs = models.TextField(
        blank=True,
        help_text="For example, large print, easy read, British Sign Language or an interpreter.",
    )
    eligibility = models.CharField(
        "Why they can have a personal health budget",
        max_length=16,
        choices=EligibilityGroup.choices,
    )

    objects = BudgetHolderQuerySet.as_manager()

    class Meta:
        ordering = ["family_name", "given_name"]
        indexes = [
            models.Index(fields=["organisation", "family_name", "given_name"]),
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


@audited
class Representative(UUIDModel, Timestamped):
    """A user who acts for a budget holder, and sees what the holder sees."""

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
