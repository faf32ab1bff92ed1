"""The duties checklist, its gaps and what runs out in the next 60 days, with worked dates:
today is 23 November 2026, so the window ends on 22 January 2027."""

import datetime
from decimal import Decimal as D

import pytest
from django.db import connection

from employers import selectors
from employers.models import DbsLevel, EmployerKind, PayrollArrangement
from employers.selectors import DUE, EXPIRING, MET, MISSING
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
    assert states(employer)["Kim Lee: DBS checked (enhanced, with a barred list check)"] == MET
    assert states(employer)["Kim Lee: paid at least the minimum wage"] == MET
    assert states(employer)["Point of contact for PAs: Sam Adviser"] == MET


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
        "Kim Lee: no written statement: it was due on their first day, 3 March 2025, and is "
        "overdue",
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


def test_an_organisation_recorded_as_exempt_shows_insurance_missing(holder):
    organisation = EmployerFactory(
        budget_holder=holder,
        kind=EmployerKind.MANAGED_ACCOUNT,
        employer_name="Grace Accounts Ltd",
        insurance_exempt=True,
    )
    PersonalAssistantFactory(employer=organisation, close_relative=True)
    duties = selectors.checklist(loaded(organisation), TODAY)
    assert [(duty.state, duty.text) for duty in duties if duty.section == "insurance"] == [
        (
            MISSING,
            "No employer's liability insurance of at least £5 million: an organisation cannot "
            "be exempt, as only a person has close relatives",
        )
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


def test_the_minimum_wage_is_for_their_age_now(holder):
    """Born 1 June 2005, started on 1 April 2026 aged 20 at £10.85, the 18 to 20 rate: they
    turned 21 on 1 June 2026, so today the National Living Wage of £12.71 applies, £1.86
    more. The night rate of £11.00 is £1.71 short."""
    employer = EmployerFactory(budget_holder=holder)
    PersonalAssistantFactory(
        employer=employer,
        full_name="Kim Lee",
        date_of_birth=datetime.date(2005, 6, 1),
        starts_on=datetime.date(2026, 4, 1),
        statement_issued_on=datetime.date(2026, 4, 1),
        day_rate=D("10.85"),
        night_rate=D("11.00"),
        waking_night_rate=D("12.71"),
    )
    assert [gap.text for gap in selectors.gaps(loaded(employer), TODAY)] == [
        "Kim Lee: paid below the minimum wage: the day rate of £10.85 an hour is £1.86 an "
        "hour below the National Living Wage of £12.71 for someone aged 21 or over; the night "
        "rate of £11.00 an hour is £1.71 below it"
    ]


def test_a_pa_starting_later_is_checked_against_their_age_on_their_first_day(holder):
    """Born 1 February 2006 (20 today), starting on 1 February 2027 (21 that day): £12.00 is
    below the £12.71 they are owed from their first day."""
    employer = EmployerFactory(budget_holder=holder)
    PersonalAssistantFactory(
        employer=employer,
        full_name="Kim Lee",
        date_of_birth=datetime.date(2006, 2, 1),
        starts_on=datetime.date(2027, 2, 1),
        statement_issued_on=None,
        day_rate=D("12.00"),
        night_rate=None,
        waking_night_rate=None,
    )
    duties = states(employer)
    assert duties[
        "Kim Lee: paid below the minimum wage: the day rate of £12.00 an hour is £0.71 an hour "
        "below the National Living Wage of £12.71 for someone aged 21 or over"
    ] == (MISSING)
    assert (
        duties["Kim Lee: no written statement yet: it is due by their first day, 1 February 2027"]
        == DUE
    )


def test_the_point_of_contact_for_pas(holder, pa_employer_support):
    employer = EmployerFactory(budget_holder=holder, pa_contact_name="", pa_contact_phone="")
    assert states(employer)["No point of contact for PAs"] == MISSING
    employer.pa_contact_phone = "0300 123 4567"
    employer.save()
    assert states(employer)["The point of contact for PAs has no name: add who it is"] == MISSING
    employer.pa_contact_name = f"  {pa_employer_support.full_name.upper()} "
    employer.support_officer = pa_employer_support
    employer.save()
    assert [gap.text for gap in selectors.gaps(loaded(employer), TODAY)] == [
        "The point of contact for PAs is the employer's own PA employer support officer: PAs "
        "need someone separate from the employer's support"
    ]


def test_an_exemption_with_no_pa_working_is_not_a_gap(holder):
    """Every PA has left: no PA is a non-relative, and nobody needs insuring yet."""
    employer = EmployerFactory(budget_holder=holder, insurance_exempt=True)
    PersonalAssistantFactory(
        employer=employer, close_relative=False, status="left", left_on=TODAY, left_reason="Moved"
    )
    assert selectors.gaps(loaded(employer), TODAY) == []
    assert (
        states(employer)[
            "Exempt: no PA is working for the employer at the moment. Insurance is needed "
            "before a PA who is not a close relative starts"
        ]
        == MET
    )


def test_a_written_statement_given_late_says_so(holder):
    employer = EmployerFactory(budget_holder=holder)
    PersonalAssistantFactory(
        employer=employer,
        full_name="Kim Lee",
        starts_on=datetime.date(2026, 4, 1),
        statement_issued_on=datetime.date(2026, 9, 14),
    )
    assert (
        states(employer)[
            "Kim Lee: written statement given late, on 14 September 2026, after they started "
            "on 1 April 2026 (it is due from their first day)"
        ]
        == MET
    )


def test_a_follow_up_or_recheck_without_a_check_is_missing_not_expiring(icb, holder):
    """Dates for a follow-up and a recheck in the next 60 days, but no check recorded: the
    checks are missing, and nothing runs out."""
    employer = EmployerFactory(budget_holder=holder)
    PersonalAssistantFactory(
        employer=employer,
        full_name="Kim Lee",
        right_to_work_checked_on=None,
        right_to_work_document="",
        right_to_work_follow_up_on=datetime.date(2026, 12, 1),
        dbs_level="",
        dbs_certificate_number="",
        dbs_issued_on=None,
        dbs_recheck_on=datetime.date(2026, 12, 1),
    )
    assert selectors.expiring_in_icb(icb, TODAY) == []
    assert [gap.text for gap in selectors.gaps(loaded(employer), TODAY)] == [
        "Kim Lee: no right to work check",
        "Kim Lee: no DBS check",
    ]


@pytest.mark.parametrize(
    ("level", "words"),
    [
        (DbsLevel.BASIC, "a basic DBS check"),
        (DbsLevel.STANDARD, "a standard DBS check"),
        (DbsLevel.ENHANCED, "an enhanced DBS check without a barred list check"),
    ],
)
def test_a_dbs_check_below_enhanced_with_barred_list_is_not_enough(holder, level, words):
    employer = EmployerFactory(budget_holder=holder)
    PersonalAssistantFactory(employer=employer, full_name="Kim Lee", dbs_level=level)
    assert [gap.text for gap in selectors.gaps(loaded(employer), TODAY)] == [
        f"Kim Lee: {words} is not enough: a PA supporting someone needs an enhanced DBS check "
        "with a barred list check, which they can apply for through an umbrella body"
    ]


@pytest.mark.parametrize(
    ("declared", "state", "text"),
    [
        # Duties from 1 April 2026: the 5 months beginning with it end on 31 August 2026.
        (
            None,
            MISSING,
            "Scheme: NEST. The declaration of compliance to The Pensions Regulator is "
            "overdue: it was due by 31 August 2026 (within 5 months of the duties start date, "
            "1 April 2026)",
        ),
        (
            datetime.date(2026, 8, 3),
            MET,
            "Scheme: NEST. Declaration of compliance sent on 3 August 2026",
        ),
    ],
)
def test_the_pension_declaration_of_compliance(holder, declared, state, text):
    employer = EmployerFactory(
        budget_holder=holder,
        pension_duties_start_on=datetime.date(2026, 4, 1),
        pension_declaration_on=declared,
    )
    assert states(employer)[text] == state


def test_the_pension_declaration_is_due_within_5_months(holder):
    """Duties from 1 October 2026: due by 28 February 2027, not a gap yet."""
    employer = EmployerFactory(
        budget_holder=holder,
        pension_duties_start_on=datetime.date(2026, 10, 1),
        pension_declaration_on=None,
    )
    assert selectors.gaps(loaded(employer), TODAY) == []
    assert (
        states(employer)[
            "Scheme: NEST. The declaration of compliance to The Pensions Regulator is due by "
            "28 February 2027 (within 5 months of the duties start date, 1 October 2026)"
        ]
        == DUE
    )


def test_a_right_to_work_check_without_a_copy_kept_is_not_done(holder):
    employer = EmployerFactory(budget_holder=holder)
    PersonalAssistantFactory(employer=employer, full_name="Kim Lee", right_to_work_copy_kept=False)
    assert [gap.text for gap in selectors.gaps(loaded(employer), TODAY)] == [
        "Kim Lee: right to work checked on 1 March 2025, but no copy of the document (or of "
        "the online check's result) is recorded as kept: without one the check does not count"
    ]


def test_a_right_to_work_check_without_a_copy_kept_shows_beside_its_follow_up_date(holder):
    """Checked on 9 March 2026, a week after starting on 2 March, with no copy kept and a
    follow-up check due on 1 December 2026 (within the 60 days from 23 November): the check
    does not count, it was late, and it must be done again by 1 December. Each is said; the
    follow-up date alone would read as if the check had been done properly."""
    employer = EmployerFactory(budget_holder=holder)
    PersonalAssistantFactory(
        employer=employer,
        full_name="Kim Lee",
        starts_on=datetime.date(2026, 3, 2),
        right_to_work_checked_on=datetime.date(2026, 3, 9),
        right_to_work_copy_kept=False,
        right_to_work_follow_up_on=datetime.date(2026, 12, 1),
    )
    right_to_work = [
        (duty.state, duty.text)
        for duty in selectors.checklist(loaded(employer), TODAY)
        if "right to work" in duty.text
    ]
    assert right_to_work == [
        (
            MISSING,
            "Kim Lee: right to work checked on 9 March 2026, after they started on 2 March 2026 "
            "(it is due before someone starts work), but no copy of the document (or of the "
            "online check's result) is recorded as kept: without one the check does not count",
        ),
        (EXPIRING, "Kim Lee: right to work must be checked again by 1 December 2026"),
    ]


def test_an_overdue_follow_up_and_no_copy_kept_are_both_gaps(holder):
    """Checked in time on 1 March 2025 with no copy kept, the follow-up check due on
    1 November 2026, before today (23 November): two gaps."""
    employer = EmployerFactory(budget_holder=holder)
    PersonalAssistantFactory(
        employer=employer,
        full_name="Kim Lee",
        right_to_work_copy_kept=False,
        right_to_work_follow_up_on=datetime.date(2026, 11, 1),
    )
    assert [gap.text for gap in selectors.gaps(loaded(employer), TODAY)] == [
        "Kim Lee: right to work checked on 1 March 2025, but no copy of the document (or of "
        "the online check's result) is recorded as kept: without one the check does not count",
        "Kim Lee: right to work check was due again on 1 November 2026",
    ]
