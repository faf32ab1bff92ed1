import datetime
import time

import factory
import nhs_number
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)

from phb.models import (
    BudgetHolder,
    EligibilityGroup,
    Organisation,
    Representative,
    RepresentativeKind,
    Role,
    RoleAssignment,
    User,
)

PASSWORD = "correct-horse-battery-staple"


def synthetic_nhs_numbers():
    """Valid NHS numbers in the 999 test range, never the same twice."""
    candidate = 9991000000
    while True:
        candidate += 1
        if nhs_number.is_valid(str(candidate)):
            yield str(candidate)


_nhs_numbers = synthetic_nhs_numbers()


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("ods_code",)

    name = factory.Sequence(lambda n: f"NHS Test {n} Integrated Care Board")
    ods_code = factory.Sequence(lambda n: f"Q{n:03d}")


class UserFactory(factory.django.DjangoModelFactory):
    """A member of staff holding `role` in `organisation` since 1 January 2020 (both None:
    someone with no role, such as a budget holder or representative)."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.nhs.uk")
    full_name = factory.Faker("name", locale="en_GB")
    role = Role.PHB_LEAD
    organisation = factory.SubFactory(OrganisationFactory)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @classmethod
    def _create(cls, model_class, *args, role=None, organisation=None, **kwargs):
        user = super()._create(model_class, *args, **kwargs)
        if role is not None:
            RoleAssignment.objects.create(
                user=user,
                organisation=None if role == Role.SERVICE_ADMIN else organisation,
                role=role,
                starts_on=ROLES_FROM,
            )
        return user

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


ROLES_FROM = datetime.date(2020, 1, 1)


def give_role(user, role, organisation=None, *, starts_on=ROLES_FROM, ends_on=None):
    """Another role for a member of staff (a lead who sits on panels, an ICB of their own)."""
    assignment = RoleAssignment.objects.create(
        user=user, organisation=organisation, role=role, starts_on=starts_on, ends_on=ends_on
    )
    for cached in ("current_assignments", "organisations"):
        user.__dict__.pop(cached, None)
    return assignment


class HolderUserFactory(UserFactory):
    role = None
    organisation = None


class BudgetHolderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetHolder

    organisation = factory.SubFactory(OrganisationFactory)
    given_name = factory.Faker("first_name", locale="en_GB")
    family_name = factory.Faker("last_name", locale="en_GB")
    nhs_number = factory.LazyFunction(lambda: next(_nhs_numbers))
    date_of_birth = datetime.date(1970, 5, 17)
    address_line_1 = "1 Test Street"
    town = "Testtown"
    postcode = "ZZ1 1AA"
    eligibility = EligibilityGroup.CHC


class RepresentativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Representative

    user = factory.SubFactory(UserFactory, role=None, organisation=None)
    budget_holder = factory.SubFactory(BudgetHolderFactory)
    kind = RepresentativeKind.REPRESENTATIVE
    relationship = "Son"
    agreed_on = datetime.date(2026, 4, 1)


def add_totp(user) -> str:
    """Give a user a TOTP authenticator (and so a second factor); return its secret."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def totp_code(secret: str) -> str:
    """The code an authenticator app shows now, with a few seconds of its 30-second window
    left: allauth accepts only the current window, so a code about to expire would make a
    test fail by chance."""
    left = 30 - time.time() % 30
    if left < 4:
        time.sleep(left + 0.1)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))
