"""Demo data: two ICBs, one member of staff per role in each (and one who works for both),
a service administrator, and fictional people.

Idempotent: running it again updates the same rows (matched on ODS code, email
and NHS number) rather than adding more. Every person is fictional and every NHS
number is in the 999 test range. Other apps add their demo data through the
`phb.extensions.register_demo_seeder` hook so the core does not import them.
"""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from phb.auth import mark_sign_in_address_verified
from phb.database import check_constraints_immediately
from phb.extensions import demo_seeders
from phb.models import (
    ICB_ROLES,
    BudgetHolder,
    ContactMethod,
    EligibilityGroup,
    Organisation,
    Representative,
    RepresentativeKind,
    Role,
    RoleAssignment,
    User,
)

DEMO_PASSWORD = "demo-phb-2026"

ICBS = [
    ("QZA", "NHS North Example Integrated Care Board", "north"),
    ("QZB", "NHS South Example Integrated Care Board", "south"),
]

# Obviously fictional: Ofcom's drama numbers, example.nhs.uk addresses, ZZ postcodes.
ICB_CONTACT_DETAILS = {
    "QZA": {
        "phone": "0113 496 0000",
        "email": "personalhealthbudgets@north.example.nhs.uk",
        "address_line_1": "Example House, 1 Example Way",
        "address_line_2": "",
        "town": "Northtown",
        "postcode": "ZZ9 1NA",
        "opening_hours": "Monday to Friday, 9am to 5pm",
    },
    "QZB": {
        "phone": "0117 496 0000",
        "email": "personalhealthbudgets@south.example.nhs.uk",
        "address_line_1": "Sample Court",
        "address_line_2": "2 Sample Road",
        "town": "Southtown",
        "postcode": "ZZ9 2SA",
        "opening_hours": "Monday to Friday, 8.30am to 4.30pm",
    },
}

PEOPLE = {
    "QZA": [
        ("Alex", "Morgan", "9990004110", datetime.date(1968, 4, 12), EligibilityGroup.CHC),
        ("Priya", "Shah", "9990005206", datetime.date(1985, 9, 30), EligibilityGroup.S117),
        (
            "Tom",
            "Okafor",
            "9990007535",
            datetime.date(2011, 1, 5),
            EligibilityGroup.CHILDRENS_CONTINUING_CARE,
        ),
        ("Margaret", "Ellis", "9990009864", datetime.date(1941, 6, 22), EligibilityGroup.CHC),
        ("Sam", "Novak", "9990010412", datetime.date(1999, 11, 2), EligibilityGroup.WHEELCHAIR),
        (
            "Grace",
            "Adeyemi",
            "9990011508",
            datetime.date(1976, 2, 17),
            EligibilityGroup.LOCAL_OFFER,
        ),
    ],
    "QZB": [
        ("Jordan", "Reid", "9990012741", datetime.date(1959, 8, 3), EligibilityGroup.CHC),
        ("Fatima", "Hussain", "9990013152", datetime.date(1990, 3, 14), EligibilityGroup.S117),
        ("Owen", "Price", "9990013837", datetime.date(1972, 12, 25), EligibilityGroup.CHC),
        ("Lily", "Chen", "9990014248", datetime.date(2014, 7, 9), EligibilityGroup.EHCP),
    ],
}

STAFF_NAMES = {
    Role.PHB_LEAD: "Pat Lead",
    Role.CARE_COORDINATOR: "Casey Coordinator",
    Role.PANEL_MEMBER: "Morgan Panel",
    Role.CLINICIAN: "Dr Robin Clinician",
    Role.FINANCE_OFFICER: "Frankie Finance",
    Role.PA_EMPLOYER_SUPPORT: "Sky Support",
    Role.ICB_ADMIN: "Ashley Admin",
}


# Roles held since the start of the demo year, so that every check on dates passes.
ROLES_FROM = datetime.date(2026, 4, 1)


def _user(email: str, *, full_name: str, roles=(), organisation=None) -> User:
    user, _ = User.objects.update_or_create(
        email=email, defaults={"full_name": full_name, "is_demo": True, "is_active": True}
    )
    if not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    # As if they had set their password from the emailed link, which proves the address: a
    # demo holder can then turn on two-step sign-in (allauth asks for a verified address).
    mark_sign_in_address_verified(user)
    for role in roles:
        RoleAssignment.objects.get_or_create(
            user=user,
            organisation=organisation,
            role=role,
            defaults={"starts_on": ROLES_FROM},
        )
    return user


class Command(BaseCommand):
    help = "Load the demo ICBs, staff, budget holders and representative (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="Do not print the sign-ins.")

    @transaction.atomic
    def handle(self, *args, quiet=False, **options):
        if not (settings.DEBUG or settings.PHB_DEMO_MODE):
            raise CommandError("Demo data is for local demo mode only (PHB_DEMO_MODE).")
        check_constraints_immediately()  # a bulk write (ADR 0027)
        sign_ins = []
        for ods_code, name, slug in ICBS:
            icb, _ = Organisation.objects.update_or_create(
                ods_code=ods_code, defaults={"name": name, **ICB_CONTACT_DETAILS[ods_code]}
            )
            for role in sorted(ICB_ROLES):
                email = f"{role.replace('_', '.')}@{slug}.example.nhs.uk"
                roles = [role]
                if slug == "north" and role == Role.PHB_LEAD:
                    roles.append(Role.PANEL_MEMBER)  # a lead who also sits on panels
                _user(email, full_name=STAFF_NAMES[role], roles=roles, organisation=icb)
                label = " and ".join(Role(r).label for r in roles)
                sign_ins.append((email, label, ods_code))
            # Someone who works for both ICBs, and chooses which one in the header.
            _user(
                "finance.officer@shared.example.nhs.uk",
                full_name="Jamie Shared-Finance",
                roles=[Role.FINANCE_OFFICER],
                organisation=icb,
            )
            for index, (given, family, nhs, dob, group) in enumerate(PEOPLE[ods_code]):
                holder, _ = BudgetHolder.objects.update_or_create(
                    nhs_number=nhs,
                    defaults={
                        "organisation": icb,
                        "given_name": given,
                        "family_name": family,
                        "date_of_birth": dob,
                        "address_line_1": f"{10 + index} Example Street",
                        "town": "Northtown" if slug == "north" else "Southtown",
                        "postcode": f"ZZ{index + 1} 1AA",
                        "email": f"{given.lower()}.{family.lower()}@example.org",
                        "preferred_contact": ContactMethod.EMAIL,
                        "eligibility": group,
                    },
                )
                if index == 0:
                    holder.user = _user(holder.email, full_name=holder.full_name)
                    holder.save(update_fields=["user"])
                    sign_ins.append((holder.email, "Budget holder", ods_code))
            if slug == "north":
                margaret = BudgetHolder.objects.get(nhs_number="9990009864")
                daughter = _user("jo.ellis@example.org", full_name="Jo Ellis")
                Representative.objects.update_or_create(
                    user=daughter,
                    budget_holder=margaret,
                    defaults={
                        "kind": RepresentativeKind.REPRESENTATIVE,
                        "relationship": "Daughter",
                        "agreed_on": datetime.date(2026, 4, 1),
                    },
                    # Letters are posted to her; a change made through the pages is kept.
                    create_defaults={
                        "kind": RepresentativeKind.REPRESENTATIVE,
                        "relationship": "Daughter",
                        "agreed_on": datetime.date(2026, 4, 1),
                        "address_line_1": "4 Mill Lane",
                        "town": "Leeds",
                        "postcode": "LS6 2AB",
                    },
                )
                sign_ins.append((daughter.email, "Representative (for Margaret Ellis)", ods_code))
        _user(
            "service.admin@example.nhs.uk",
            full_name="Sam Service-Admin",
            roles=[Role.SERVICE_ADMIN],
        )
        sign_ins.append(("finance.officer@shared.example.nhs.uk", "Finance officer", "both"))
        sign_ins.append(("service.admin@example.nhs.uk", "Service administrator", "all"))
        for seed in demo_seeders():
            sign_ins.extend(seed() or ())
        if not quiet:
            self.stdout.write(
                self.style.SUCCESS(f"Demo sign-ins (every password: {DEMO_PASSWORD})")
            )
            for email, role, ods_code in sign_ins:
                self.stdout.write(f"  {role:<38} {ods_code}  {email}")
