"""The demo employer for `manage.py seed_demo` (after the demo budgets and plans).

Alex Morgan, whose agreed budget pays for PAs, employs two: Riley, aged 19 on the day they
started (so the 18 to 20 minimum wage applies), and Dana, who signs in to enter timesheets
and see payslips. His insurance runs out within 60 days, so the employers' dashboard shows
it. Built through the services, as the ICB's PA employer support officer. Idempotent: an
employer already set up is left as it is."""

import datetime
from decimal import Decimal

from django.utils import timezone

from budgets.models import NationalRateSet
from employers.models import (
    DbsLevel,
    Employer,
    EmployerKind,
    PayFrequency,
    PayrollArrangement,
    RightToWorkDocument,
)
from employers.services import employers as services
from phb.management.commands.seed_demo import DEMO_PASSWORD
from phb.models import BudgetHolder, Organisation, Role, User

ALEX = "9990004110"
STARTED = datetime.date(2026, 4, 1)
PA_EMAIL = "dana.brooks@example.org"


def _support_officer(icb) -> User:
    user = (
        User.objects.filter(
            is_demo=True,
            role_assignments__organisation=icb,
            role_assignments__role=Role.PA_EMPLOYER_SUPPORT,
        )
        .order_by("email")
        .first()
    )
    user.chosen_organisation_id = icb.pk
    return user


def _pa_user() -> User:
    user, _ = User.objects.update_or_create(
        email=PA_EMAIL, defaults={"full_name": "Dana Brooks", "is_demo": True, "is_active": True}
    )
    if not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


def _pa(name, *, born, rate, ni_number, **extra) -> services.AssistantDetails:
    return services.AssistantDetails(
        full_name=name,
        date_of_birth=born,
        starts_on=STARTED,
        ni_number=ni_number,
        right_to_work_checked_on=STARTED - datetime.timedelta(days=14),
        right_to_work_document=RightToWorkDocument.UK_PASSPORT,
        right_to_work_copy_kept=True,
        dbs_level=DbsLevel.ENHANCED_BARRED,
        dbs_certificate_number="001234567890",
        dbs_issued_on=STARTED - datetime.timedelta(days=21),
        dbs_update_service=True,
        dbs_recheck_on=STARTED + datetime.timedelta(days=3 * 365),
        statement_issued_on=STARTED,
        contracted_hours=Decimal("20.00"),
        day_rate=rate,
        # The demo's timesheets have a waking night each week (employers.demo_timesheets).
        waking_night_rate=rate,
        **extra,
    )


def seed_employer() -> list[tuple[str, str, str]]:
    """Alex's employer and PAs; returns the PA's sign-in for the list `make run` prints."""
    north = Organisation.objects.get(ods_code="QZA")
    alex = BudgetHolder.objects.get(nhs_number=ALEX)
    sign_in = [(PA_EMAIL, "PA (employed by Alex Morgan)", north.ods_code)]
    if Employer.objects.filter(budget_holder=alex).exists():
        return sign_in
    officer = _support_officer(north)
    employer = services.set_up_employer(
        actor=officer,
        holder=alex,
        kind=EmployerKind.HOLDER,
        pa_contact_name="Kerry Hughes at the Independent Living Centre",
        pa_contact_phone="0300 123 4567",
    )
    services.change_paye(
        actor=officer,
        employer=employer,
        paye_reference="120/AM46110",
        accounts_office_reference="120PA00046110",
    )
    services.change_insurance(
        actor=officer,
        employer=employer,
        exempt=False,
        insurer="Mutual PA Insurance",
        policy_number="PA-046110",
        cover=Decimal("10000000.00"),
        expires_on=timezone.localdate() + datetime.timedelta(days=30),
    )
    services.change_pension(
        actor=officer,
        employer=employer,
        scheme="NEST",
        duties_start_on=STARTED,
        # The declaration of compliance, due within 5 months of the duties starting.
        declaration_on=min(STARTED + datetime.timedelta(days=60), timezone.localdate()),
    )
    services.change_payroll(
        actor=officer,
        employer=employer,
        arrangement=PayrollArrangement.THIS_SERVICE,
        pay_frequency=PayFrequency.WEEKLY,
        employment_allowance=True,
    )
    rates = NationalRateSet.objects.in_force_on(STARTED)
    services.add_assistant(
        actor=officer,
        employer=employer,
        details=_pa(
            "Riley Evans",
            born=datetime.date(2006, 11, 20),  # 19 on the day they started
            rate=rates.nmw_18_20,
            ni_number="AB123456A",
        ),
    )
    dana = services.add_assistant(
        actor=officer,
        employer=employer,
        details=_pa(
            "Dana Brooks",
            born=datetime.date(1988, 5, 14),
            rate=max(Decimal("13.50"), rates.nlw_21_plus),
            ni_number="AB654321B",
            email=PA_EMAIL,
        ),
    )
    services.link_sign_in(actor=officer, assistant=dana, user=_pa_user())
    return sign_in
