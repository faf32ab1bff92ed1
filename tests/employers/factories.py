"""Employers and personal assistants for tests (issue 10). Made directly: the services that
create them in a real journey are tested on their own."""

import datetime
from decimal import Decimal as D

import factory

from employers.models import (
    DbsLevel,
    Employer,
    EmployerKind,
    PayrollArrangement,
    PersonalAssistant,
    RightToWorkDocument,
)
from tests.factories import BudgetHolderFactory, HolderUserFactory, UserFactory


class EmployerFactory(factory.django.DjangoModelFactory):
    """A budget holder who employs their own PAs, with every duty met: PAYE reference,
    £5m insurance to the end of 2027, a pension scheme (its declaration of compliance sent),
    payroll run by this service, and a point of contact for PAs."""

    class Meta:
        model = Employer

    budget_holder = factory.SubFactory(BudgetHolderFactory)
    kind = EmployerKind.HOLDER
    paye_reference = "123/AB45678"
    insurer = "Mutual PA Insurance"
    insurance_policy_number = "PA-000123"
    insurance_cover = D("10000000.00")
    insurance_expires_on = datetime.date(2027, 12, 31)
    pension_scheme = "NEST"
    pension_duties_start_on = datetime.date(2024, 4, 1)
    pension_declaration_on = datetime.date(2024, 6, 3)
    payroll_arrangement = PayrollArrangement.THIS_SERVICE
    employment_allowance_claimed = True
    pa_contact_name = "Sam Adviser"
    pa_contact_phone = "0300 123 4567"
    created_by = factory.SubFactory(UserFactory)


class PaUserFactory(HolderUserFactory):
    """A PA's own sign-in: no role, linked to their PA records."""


class PersonalAssistantFactory(factory.django.DjangoModelFactory):
    """A PA aged 36 on 23 November 2026, checked and with a written statement, paid £13.50
    an hour by day."""

    class Meta:
        model = PersonalAssistant

    employer = factory.SubFactory(EmployerFactory)
    full_name = factory.Faker("name", locale="en_GB")
    ni_number = factory.Sequence(lambda n: f"QQ{n % 1_000_000:06d}C")
    date_of_birth = datetime.date(1990, 6, 1)
    right_to_work_checked_on = datetime.date(2025, 3, 1)
    right_to_work_document = RightToWorkDocument.UK_PASSPORT
    right_to_work_copy_kept = factory.LazyAttribute(
        lambda pa: pa.right_to_work_checked_on is not None
    )
    dbs_level = DbsLevel.ENHANCED_BARRED
    dbs_certificate_number = "001234567890"
    dbs_issued_on = datetime.date(2025, 2, 1)
    dbs_recheck_on = datetime.date(2028, 2, 1)
    statement_issued_on = datetime.date(2025, 3, 3)
    starts_on = datetime.date(2025, 3, 3)
    contracted_hours = D("20.00")
    day_rate = D("13.50")
    night_rate = D("14.50")
    waking_night_rate = D("15.00")
    sleep_in_rate = D("90.00")
