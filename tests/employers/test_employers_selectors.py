"""The duties checklist, its gaps and what runs out in the next 60 days, with worked dates:
today is 23 November 2026, so the window ends on 22 January 2027."""

import datetime

import pytest
from django.db import connection

from employers import selectors
from employers.models import PayrollArrangement
from employers.selectors import EXPIRING, MET, MISSING
from tests.careplans.review_factories import plan_in_use
from tests.employers.factories import EmployerFactory, PersonalAssistantFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 23)


def loaded(employer):
    return selectors.employer_of(employer.budget_holder)


def states(employer) -> dict:
    return {duty.text: duty.state for duty in selectors.checklist(loaded(employer), TODAY)}


def test_every_duty_met(holder):
    employer = EmployerFactory(budget_holder=holder)
    PersonalAssistantFactory(employer=employer, full_name="Kim Lee")
    assert selectors.gaps(loaded(employer), TODAY) == []
    assert states(employer)["Kim Lee: DBS checked"] == MET


def test_a_right_to_work_check_after_they_started_says_it_was_late(holder):
    employer = EmployerFactory(budget_holder=holder)
    PersonalAssistantFactory(
        employer=employer,
        full_name="Kim Lee",
        starts_on=datetime.date(2026, 3, 2),
        right_to_work_checked_on=datetime.date(2026, 3, 9),
    )
    assert (
        states(employer)[
            "Kim Lee: right to work checked on 9 March 2026, after they started on 2 March 2026 "
            "(it is due before someone starts work)"
        ]
        == MET
    )


def test_what_is_missing(holder):
    employer = EmployerFactory(
        budget_holder=holder,
        paye_reference="",
        insurer="",
        insurance_cover=None,
        insurance_expires_on=None,
        pension_scheme="",
        payroll_arrangement=PayrollArrangement.NOT_ARRANGED,
    )
    PersonalAssistantFactory(
        employer=employer,
        full_name="Kim Lee",
        statement_issued_on=None,
        right_to_work_checked_on=None,
        right_to_work_document="",
        dbs_issued_on=None,
        dbs_level="",
        dbs_certificate_number="",
    )
    PersonalAssistantFactory(
        employer=employer,
        full_name="Gone Away",
        statement_issued_on=None,
        status="left",
        left_on=TODAY,
        left_reason="Moved",
    )
    assert [gap.text for gap in selectors.gaps(loaded(employer), TODAY)] == [
        "No PAYE reference",
        "No employer's liability insurance",
        "No workplace pension scheme",
        "Payroll not arranged",
        "Kim Lee: no written statement",
        "Kim Lee: no right to work check",
        "Kim Lee: no DBS check",
    ]


def test_expired_insurance_and_a_wrong_exemption(holder, other_holder):
    expired = EmployerFactory(
        budget_holder=holder, insurance_expires_on=TODAY - datetime.timedelta(days=1)
    )
    assert states(expired)["Insurance ran out on 22 November 2026"] == MISSING
    exempt = EmployerFactory(budget_holder=other_holder, insurance_exempt=True)
    PersonalAssistantFactory(employer=exempt, close_relative=True)
    assert selectors.gaps(loaded(exempt), TODAY) == []
    PersonalAssistantFactory(employer=exempt, close_relative=False)
    assert [gap.text for gap in selectors.gaps(loaded(exempt), TODAY)] == [
        "Exemption claimed, but a PA is not a close relative: insurance is needed"
    ]


def test_expiring_in_the_next_60_days(icb, holder, other_holder):
    last_day = datetime.date(2027, 1, 22)
    soon = EmployerFactory(budget_holder=holder, insurance_expires_on=last_day)
    EmployerFactory(
        budget_holder=other_holder, insurance_expires_on=last_day + datetime.timedelta(days=1)
    )
    PersonalAssistantFactory(employer=soon, full_name="Kim Lee", right_to_work_follow_up_on=TODAY)
    PersonalAssistantFactory(
        employer=soon, full_name="Ann Bell", dbs_recheck_on=datetime.date(2026, 12, 25)
    )
    items = selectors.expiring_in_icb(icb, TODAY)
    assert [(item.what, item.whose, item.on) for item in items] == [
        ("Right to work follow-up check", "Kim Lee", TODAY),
        ("DBS recheck", "Ann Bell", datetime.date(2026, 12, 25)),
        ("Employer's liability insurance", holder.full_name, last_day),
    ]
    assert states(soon)["Insurance runs out on 22 January 2027"] == EXPIRING
    assert states(soon)["Kim Lee: right to work must be checked again by 23 November 2026"] == (
        EXPIRING
    )


def test_expiring_only_in_the_icb(icb, other_icb_holder):
    EmployerFactory(budget_holder=other_icb_holder, insurance_expires_on=TODAY)
    assert selectors.expiring_in_icb(icb, TODAY) == []


def test_household_flag_against_the_plan(holder, phb_lead):
    employer = EmployerFactory(budget_holder=holder)
    assert selectors.household_warnings(loaded(employer)) == []
    pa = PersonalAssistantFactory(employer=employer, full_name="Mum", lives_in_household=True)
    warnings = selectors.household_warnings(loaded(employer))
    assert warnings[0].startswith("Mum is marked as living in the same household")
    assert selectors.assistant_household_warning(loaded(employer), pa)
    version, _, _ = plan_in_use(phb_lead, holder)
    with connection.cursor() as cursor:
        # The approved plan's rows are frozen by a trigger; this plan, as if approved with an
        # item that pays a family member, is made by switching the triggers off for a moment.
        cursor.execute("SET session_replication_role = replica")
        version.support_items.update(
            pays_family_member=True, family_member_justification="No one else can help at night."
        )
        cursor.execute("SET session_replication_role = DEFAULT")
    assert selectors.household_warnings(loaded(employer)) == []
    pa.lives_in_household = False
    pa.save()
    assert selectors.household_warnings(loaded(employer)) == [
        "The plan in use pays a family member or friend who lives in the household, but no PA "
        "is marked as living in the household"
    ]
