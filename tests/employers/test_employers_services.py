"""The employer services: good input saved, bad input refused with plain words and nothing
saved. Today is 23 November 2026 (tests/conftest.py); the national rates from 1 April 2026
are £12.71 an hour from 21, £10.85 from 18 to 20 and £8.00 under 18."""

import datetime
from dataclasses import replace
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from employers.models import (
    Employer,
    EmployerKind,
    EmploymentIssue,
    IssueAdvice,
    IssueStatus,
    PayrollArrangement,
    PersonalAssistant,
    PersonalAssistantStatus,
    TaxBasis,
)
from employers.services import employers as services
from tests.employers.factories import EmployerFactory, PersonalAssistantFactory
from tests.employers.factories_payroll import approved_timesheet

pytestmark = pytest.mark.django_db

STARTS = datetime.date(2026, 6, 1)
DETAILS = services.AssistantDetails(
    full_name="Riley Evans",
    date_of_birth=datetime.date(2006, 11, 20),  # 19 on 1 June 2026
    starts_on=STARTS,
    ni_number="ab 12 34 56 a",
    right_to_work_checked_on=datetime.date(2026, 5, 20),
    right_to_work_document="share_code",
    right_to_work_time_limited=True,
    right_to_work_follow_up_on=datetime.date(2027, 5, 20),
    dbs_level="enhanced_barred",
    dbs_certificate_number="0012 3456 7890",
    dbs_issued_on=datetime.date(2026, 5, 1),
    statement_issued_on=STARTS,
    contracted_hours=D("20"),
    day_rate=D("10.85"),
    night_rate=D("11.00"),
    tax_code="1257L W1",
)


def errors_of(excinfo) -> dict:
    return {field: messages[0] for field, messages in excinfo.value.message_dict.items()}


@pytest.fixture
def employer(holder, pa_employer_support):
    return EmployerFactory(budget_holder=holder, created_by=pa_employer_support)


def test_set_up_an_employer_run_by_a_nominee(holder, pa_employer_support):
    employer = services.set_up_employer(
        actor=pa_employer_support,
        holder=holder,
        kind=EmployerKind.NOMINEE,
        employer_name="  Jo Ellis ",
        pa_contact_name="Sam Adviser",
    )
    assert employer.display_name == "Jo Ellis"
    assert employer.payroll_arrangement == PayrollArrangement.NOT_ARRANGED


def test_set_up_refuses_a_nominee_without_a_name_and_a_second_employer(holder, pa_employer_support):
    with pytest.raises(ValidationError) as excinfo:
        services.set_up_employer(actor=pa_employer_support, holder=holder, kind="nominee")
    assert errors_of(excinfo) == {
        "employer_name": "Enter the name of the nominee or organisation that employs the PAs"
    }
    assert not Employer.objects.exists()
    services.set_up_employer(actor=pa_employer_support, holder=holder, kind="holder")
    with pytest.raises(ValidationError, match="already set up"):
        services.set_up_employer(actor=pa_employer_support, holder=holder, kind="holder")


def test_only_employer_support_in_the_icb_sets_up(
    holder, care_coordinator, other_icb_lead, pa_employer_support
):
    for actor in (care_coordinator, other_icb_lead, holder.user):
        with pytest.raises(PermissionDenied):
            services.set_up_employer(actor=actor, holder=holder, kind="holder")


def test_paye_reference_format(employer, pa_employer_support):
    services.change_paye(
        actor=pa_employer_support, employer=employer, paye_reference="120/am 46110"
    )
    employer.refresh_from_db()
    assert employer.paye_reference == "120/AM46110"
    with pytest.raises(ValidationError) as excinfo:
        services.change_paye(
            actor=pa_employer_support,
            employer=employer,
            paye_reference="AB/123",
            accounts_office_reference="nonsense",
        )
    assert set(errors_of(excinfo)) == {"paye_reference", "accounts_office_reference"}
    employer.refresh_from_db()
    assert employer.paye_reference == "120/AM46110"


def test_insurance_needs_5_million_and_an_expiry(employer, pa_employer_support):
    with pytest.raises(ValidationError) as excinfo:
        services.change_insurance(
            actor=pa_employer_support,
            employer=employer,
            exempt=False,
            insurer="Mutual",
            policy_number="P1",
            cover=D("4999999.99"),
        )
    assert errors_of(excinfo) == {
        "cover": "Employer's liability insurance must cover at least £5 million",
        "expires_on": "Enter the date the insurance runs out",
    }
    services.change_insurance(
        actor=pa_employer_support,
        employer=employer,
        exempt=False,
        insurer="Mutual",
        policy_number="P1",
        cover=D("5000000"),
        expires_on=datetime.date(2027, 1, 1),
    )
    employer.refresh_from_db()
    assert employer.insurance_cover == D("5000000.00")


@pytest.mark.parametrize(
    "expires_on, message",
    [
        (
            datetime.date(2026, 11, 22),
            "This insurance has already run out: enter the policy that covers the PAs now",
        ),
        (datetime.date(2031, 11, 24), "A policy runs for 5 years at most: check the expiry date"),
    ],
)
def test_the_insurance_must_cover_the_pas_now(employer, pa_employer_support, expires_on, message):
    # Today is 23 November 2026: yesterday has gone, and five years from today is the latest.
    with pytest.raises(ValidationError) as excinfo:
        services.change_insurance(
            actor=pa_employer_support,
            employer=employer,
            exempt=False,
            insurer="Mutual",
            policy_number="P1",
            cover=D("5000000"),
            expires_on=expires_on,
        )
    assert errors_of(excinfo) == {"expires_on": message}
    for last_day in (datetime.date(2026, 11, 23), datetime.date(2031, 11, 23)):
        services.change_insurance(
            actor=pa_employer_support,
            employer=employer,
            exempt=False,
            insurer="Mutual",
            policy_number="P1",
            cover=D("5000000"),
            expires_on=last_day,
        )
        employer.refresh_from_db()
        assert employer.insurance_expires_on == last_day


@pytest.mark.parametrize(
    "duties_start_on, message",
    [
        (
            datetime.date(2012, 9, 30),
            "Workplace pension duties began on 1 October 2012: enter a date on or after then",
        ),
        (
            datetime.date(2027, 11, 24),
            "The duties start when the first PA starts work: enter a date no more than a year "
            "from today",
        ),
    ],
)
def test_pension_duties_start_on_a_possible_date(
    employer, pa_employer_support, duties_start_on, message
):
    with pytest.raises(ValidationError) as excinfo:
        services.change_pension(
            actor=pa_employer_support,
            employer=employer,
            scheme="NEST",
            duties_start_on=duties_start_on,
        )
    assert errors_of(excinfo) == {"duties_start_on": message}
    for day in (datetime.date(2012, 10, 1), datetime.date(2027, 11, 23)):
        services.change_pension(
            actor=pa_employer_support, employer=employer, scheme="NEST", duties_start_on=day
        )
        employer.refresh_from_db()
        assert employer.pension_duties_start_on == day


def test_the_exemption_only_when_every_pa_is_a_close_relative(employer, pa_employer_support):
    mum = PersonalAssistantFactory(employer=employer, full_name="Mum", close_relative=True)
    PersonalAssistantFactory(employer=employer, full_name="Kim Lee", close_relative=False)
    with pytest.raises(ValidationError) as excinfo:
        services.change_insurance(actor=pa_employer_support, employer=employer, exempt=True)
    assert "Kim Lee is not" in errors_of(excinfo)["exempt"]
    employer.refresh_from_db()
    assert not employer.insurance_exempt and employer.insurer
    PersonalAssistant.objects.exclude(pk=mum.pk).update(
        status=PersonalAssistantStatus.LEFT, left_on=STARTS, left_reason="Moved away"
    )
    services.change_insurance(actor=pa_employer_support, employer=employer, exempt=True)
    employer.refresh_from_db()
    assert employer.insurance_exempt and employer.insurance_expires_on is None


def test_an_organisation_is_never_exempt_from_insurance(employer, pa_employer_support):
    # A company has no close relatives: "Grace Accounts Ltd" with one PA recorded as a close
    # relative still needs insurance of at least £5 million.
    Employer.objects.filter(pk=employer.pk).update(
        kind=EmployerKind.MANAGED_ACCOUNT, employer_name="Grace Accounts Ltd"
    )
    employer.refresh_from_db()
    PersonalAssistant.objects.filter(employer=employer).delete()
    PersonalAssistantFactory(employer=employer, full_name="Mum", close_relative=True)
    with pytest.raises(ValidationError) as excinfo:
        services.change_insurance(actor=pa_employer_support, employer=employer, exempt=True)
    assert errors_of(excinfo)["exempt"] == (
        "A managed-account organisation cannot be exempt from employer's liability insurance, "
        "as only a person has close relatives: enter its insurance of at least £5 million"
    )
    employer.refresh_from_db()
    assert not employer.insurance_exempt and employer.insurer


def test_a_nominee_is_exempt_when_every_pa_is_their_close_relative(employer, pa_employer_support):
    # The nominee is the legal employer and a person: the PA form asks whether each PA is a
    # close relative of the employer, so of the nominee.
    Employer.objects.filter(pk=employer.pk).update(
        kind=EmployerKind.NOMINEE, employer_name="Sam Patel"
    )
    employer.refresh_from_db()
    PersonalAssistant.objects.filter(employer=employer).delete()
    PersonalAssistantFactory(employer=employer, full_name="Sam's son", close_relative=True)
    services.change_insurance(actor=pa_employer_support, employer=employer, exempt=True)
    employer.refresh_from_db()
    assert employer.insurance_exempt


def test_a_new_pa_cannot_have_opted_out_of_the_pension(employer, pa_employer_support):
    # 56 and paid £2,033.60 a month, above the £833 trigger: an eligible jobholder, whom the
    # employer must enrol before they can opt out.
    details = replace(
        DETAILS,
        date_of_birth=datetime.date(1970, 3, 1),
        contracted_hours=D("40"),
        day_rate=D("12.71"),  # 40 hours x 4 weeks x £12.71 = £2,033.60
        night_rate=D("12.71"),
        pension_choice="opted_out",
    )
    with pytest.raises(ValidationError) as excinfo:
        services.add_assistant(actor=pa_employer_support, employer=employer, details=details)
    assert errors_of(excinfo)["pension_choice"] == (
        "A new PA cannot have opted out of the workplace pension: they can opt out only after "
        "the employer has enrolled them. Choose 'As the law says' or 'Asked to join', and "
        "record that they opted out once they have"
    )
    assert not PersonalAssistant.objects.filter(full_name="Riley Evans").exists()
    added = services.add_assistant(
        actor=pa_employer_support,
        employer=employer,
        details=replace(details, pension_choice="auto"),
    )
    assert added.pension_choice == "auto"


def test_pension_and_payroll(employer, pa_employer_support):
    with pytest.raises(ValidationError) as excinfo:
        services.change_pension(
            actor=pa_employer_support,
            employer=employer,
            scheme=" ",
            duties_start_on=datetime.date(2026, 4, 1),
            declaration_on=datetime.date(2026, 3, 1),
        )
    assert set(errors_of(excinfo)) == {"scheme", "declaration_on"}
    with pytest.raises(ValidationError) as excinfo:
        services.change_payroll(
            actor=pa_employer_support,
            employer=employer,
            arrangement="bureau",
            bureau="",
            pay_frequency="daily",
            employment_allowance=False,
        )
    assert set(errors_of(excinfo)) == {"bureau", "pay_frequency"}
    services.change_payroll(
        actor=pa_employer_support,
        employer=employer,
        arrangement="bureau",
        bureau="Payroll Co",
        pay_frequency="monthly",
        employment_allowance=False,
    )
    employer.refresh_from_db()
    assert employer.payroll_bureau == "Payroll Co"


def test_add_a_pa_aged_19_at_the_18_to_20_rate(employer, pa_employer_support):
    pa = services.add_assistant(actor=pa_employer_support, employer=employer, details=DETAILS)
    assert pa.ni_number == "AB123456A"
    assert pa.dbs_certificate_number == "001234567890"
    assert (pa.tax_code, pa.tax_basis) == ("1257L", TaxBasis.NON_CUMULATIVE)
    assert pa.right_to_work_follow_up_on == datetime.date(2027, 5, 20)


def test_a_rate_below_the_minimum_wage_for_their_age_is_refused(employer, pa_employer_support):
    adult = replace(DETAILS, date_of_birth=datetime.date(2000, 1, 1), day_rate=D("12.70"))
    with pytest.raises(ValidationError) as excinfo:
        services.add_assistant(actor=pa_employer_support, employer=employer, details=adult)
    errors = errors_of(excinfo)
    assert errors["day_rate"].startswith("The day rate is too low: Riley Evans's rate of £12.70")
    assert "£12.71" in errors["day_rate"]
    assert "night_rate" in errors  # £11.00 too
    assert not PersonalAssistant.objects.exists()


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"ni_number": "AB12345"}, "ni_number", "National Insurance number"),
        ({"tax_code": "S1257L"}, "tax_code", "Scottish tax code"),
        ({"tax_code": "CNT"}, "tax_code", "Enter a tax code like 1257L"),
        ({"previous_pay": D("15000")}, "previous_tax", "Enter the tax paid in previous jobs"),
        ({"previous_tax": D("1800")}, "previous_pay", "Enter the pay from previous jobs"),
        (
            {"previous_pay": D("100"), "previous_tax": D("100.01")},
            "previous_tax",
            "The tax paid in previous jobs must be no more than the pay from them",
        ),
        (
            {"previous_pay": D("15000"), "previous_tax": D("1800")},
            "previous_pay",
            "Leave the pay and tax from previous jobs blank: with a week 1 or month 1 tax code "
            "they are not used",
        ),
        ({"previous_pay": D("-1"), "previous_tax": D("0")}, "previous_pay", "Pay from previous"),
        ({"tax_code": "nonsense"}, "tax_code", "Enter a tax code like 1257L"),
        # Born 1 January 2012: 16 on 1 January 2028, after the start on 1 June 2026.
        (
            {"date_of_birth": datetime.date(2012, 1, 1)},
            "starts_on",
            "The start date must be on or after their 16th birthday, 1 January 2028",
        ),
        ({"right_to_work_follow_up_on": None}, "right_to_work_follow_up_on", "checked again"),
        ({"dbs_issued_on": None}, "dbs_issued_on", "Enter the date the DBS"),
        ({"dbs_certificate_number": "12"}, "dbs_certificate_number", "12 digits"),
        ({"contracted_hours": D("169")}, "contracted_hours", "between 0 and 168"),
        ({"day_rate": D("1e9")}, "day_rate", "The day rate"),
        ({"statement_issued_on": datetime.date(2027, 1, 1)}, "statement_issued_on", "today"),
        ({"full_name": "x" * 201}, "full_name", "200"),
    ],
)
def test_bad_pa_details_are_refused(employer, pa_employer_support, change, field, words):
    with pytest.raises(ValidationError) as excinfo:
        services.add_assistant(
            actor=pa_employer_support, employer=employer, details=replace(DETAILS, **change)
        )
    assert words in errors_of(excinfo)[field]
    assert not PersonalAssistant.objects.exists()


BORN_1990 = datetime.date(1990, 5, 1)  # 16 on 1 May 2006


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"starts_on": datetime.date(1800, 12, 1)},
            "starts_on",
            "The start date must be on or after 1 January 1900",
        ),
        (
            {"starts_on": datetime.date(2006, 4, 30)},
            "starts_on",
            "The start date must be on or after their 16th birthday, 1 May 2006",
        ),
        (
            {"right_to_work_checked_on": datetime.date(1900, 1, 1)},
            "right_to_work_checked_on",
            "The date the right to work was checked must be on or after their date of birth",
        ),
        (
            {"statement_issued_on": datetime.date(1950, 1, 1)},
            "statement_issued_on",
            "The date the written statement was given must be on or after their date of birth",
        ),
        (
            {"dbs_issued_on": datetime.date(1990, 4, 30)},
            "dbs_issued_on",
            "The date the DBS certificate was issued must be on or after their date of birth",
        ),
        (
            {"date_of_birth": datetime.date(1899, 12, 31)},
            "date_of_birth",
            "Their date of birth must be on or after 1 January 1900",
        ),
        (
            {"date_of_birth": datetime.date(2026, 11, 24)},
            "date_of_birth",
            "Their date of birth must be in the past",
        ),
        (
            {"starts_on": datetime.date(2027, 11, 24)},
            "starts_on",
            "The start date must be no more than a year from today",
        ),
    ],
)
def test_a_pas_dates_are_not_before_they_were_born_or_could_work(
    employer, pa_employer_support, change, field, message
):
    """Born 1 May 1990 (16 on 1 May 2006), today 23 November 2026: no date before 1900, no
    start before their 16th birthday or more than a year ahead (after 23 November 2027), no
    check or written statement before they were born. Each is refused on its own field."""
    details = replace(DETAILS, date_of_birth=BORN_1990, day_rate=D("12.71"), night_rate=None)
    with pytest.raises(ValidationError) as excinfo:
        services.add_assistant(
            actor=pa_employer_support, employer=employer, details=replace(details, **change)
        )
    assert errors_of(excinfo)[field] == message
    assert not PersonalAssistant.objects.exists()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"apprenticeship_started_on": datetime.date(9999, 6, 1)},
            "apprenticeship_started_on",
            "The date their apprenticeship started must be no more than a year from today",
        ),
        (
            {"apprenticeship_started_on": datetime.date(1800, 6, 1)},
            "apprenticeship_started_on",
            "The date their apprenticeship started must be on or after 1 January 1900",
        ),
        (
            {"apprenticeship_started_on": datetime.date(2006, 4, 30)},
            "apprenticeship_started_on",
            "The apprenticeship must start on or after their 16th birthday, 1 May 2006",
        ),
    ],
)
def test_an_apprenticeship_start_is_bounded_and_refused_on_its_own_field(
    employer, pa_employer_support, change, field, message
):
    """An apprenticeship starting in 9999 once gave "year 10000 is out of range" under the date
    of birth: now each bad start is refused, in words, on the apprenticeship's own date."""
    details = replace(DETAILS, date_of_birth=BORN_1990, apprentice=True, day_rate=D("8.00"))
    with pytest.raises(ValidationError) as excinfo:
        services.add_assistant(
            actor=pa_employer_support,
            employer=employer,
            details=replace(details, night_rate=None, **change),
        )
    errors = errors_of(excinfo)
    assert errors[field] == message
    assert "date_of_birth" not in errors
    assert not PersonalAssistant.objects.exists()


@pytest.mark.parametrize("year", [1, 1899, 9999])
@pytest.mark.parametrize(
    "field",
    [
        "date_of_birth",
        "starts_on",
        "right_to_work_checked_on",
        "right_to_work_follow_up_on",
        "dbs_issued_on",
        "dbs_recheck_on",
        "statement_issued_on",
        "apprenticeship_started_on",
    ],
)
def test_extreme_dates_on_any_pa_date_are_refused_in_words(
    employer, pa_employer_support, field, year
):
    """The first and last years a date can hold, and 1899, on every date of a PA (an
    apprentice, so that every date counts): refused in words, never an error page. A follow-up
    or recheck in 9999 is a date far off, but allowed."""
    details = replace(DETAILS, apprentice=True, apprenticeship_started_on=datetime.date(2025, 9, 1))
    changed = replace(details, **{field: datetime.date(year, 12, 31)})
    if year == 9999 and field in ("right_to_work_follow_up_on", "dbs_recheck_on"):
        services.add_assistant(actor=pa_employer_support, employer=employer, details=changed)
        return
    with pytest.raises(ValidationError) as excinfo:
        services.add_assistant(actor=pa_employer_support, employer=employer, details=changed)
    assert field in errors_of(excinfo)
    assert "out of range" not in str(errors_of(excinfo))


def test_change_a_pa_and_record_them_leaving(employer, pa_employer_support):
    pa = services.add_assistant(actor=pa_employer_support, employer=employer, details=DETAILS)
    services.change_assistant(
        actor=pa_employer_support,
        assistant=pa,
        details=replace(DETAILS, right_to_work_time_limited=False, lives_in_household=True),
    )
    pa.refresh_from_db()
    assert pa.lives_in_household and pa.right_to_work_follow_up_on is None
    with pytest.raises(ValidationError) as excinfo:
        services.record_leaving(
            actor=pa_employer_support, assistant=pa, left_on=datetime.date(2026, 1, 1), reason=""
        )
    assert set(errors_of(excinfo)) == {"left_on", "reason"}
    with pytest.raises(ValidationError) as excinfo:
        services.record_leaving(
            actor=pa_employer_support,
            assistant=pa,
            left_on=timezone.localdate() + datetime.timedelta(days=1),
            reason="Leaving next week",
        )
    assert errors_of(excinfo)["left_on"] == (
        "The date they left must be today or in the past: record it on or after their last day"
    )
    services.record_leaving(
        actor=pa_employer_support, assistant=pa, left_on=datetime.date(2026, 11, 1), reason="Moved"
    )
    pa.refresh_from_db()
    assert pa.status == PersonalAssistantStatus.LEFT
    with pytest.raises(ValidationError, match="has left"):
        services.change_assistant(actor=pa_employer_support, assistant=pa, details=DETAILS)


@pytest.mark.parametrize("code", ["C1257L", "C0T", "CBR", "CD0", "CD1", "CK100", "c1257l m1"])
def test_welsh_tax_codes_are_accepted_as_typed(employer, pa_employer_support, code):
    """The Welsh rates of income tax are England's in 2026/27: a C code is kept, C and all."""
    pa = services.add_assistant(
        actor=pa_employer_support, employer=employer, details=replace(DETAILS, tax_code=code)
    )
    assert pa.tax_code == code.upper().removesuffix(" M1")
    assert pa.tax_basis == (TaxBasis.NON_CUMULATIVE if "M1" in code.upper() else "cumulative")


def test_a_starters_p45_pay_and_tax_are_recorded_with_a_cumulative_code(
    employer, pa_employer_support
):
    details = replace(DETAILS, tax_code="1257L", previous_pay=D("15000"), previous_tax=D("1800.00"))
    pa = services.add_assistant(actor=pa_employer_support, employer=employer, details=details)
    pa.refresh_from_db()
    assert (pa.previous_pay, pa.previous_tax) == (D("15000.00"), D("1800.00"))
    services.change_assistant(
        actor=pa_employer_support,
        assistant=pa,
        details=replace(details, previous_pay=None, previous_tax=None),
    )
    pa.refresh_from_db()
    assert (pa.previous_pay, pa.previous_tax) == (None, None)


def _shift_on(pa, when: datetime.date, actor):
    return approved_timesheet(pa, actor, when, [("day", 0, "8.00")], days=0)


def test_leaving_before_a_shift_already_entered_is_refused(employer, pa_employer_support):
    """Approved shifts from 8 to 12 June 2026: leaving on 7 June would leave them out (and a
    pay run paid them anyway); leaving on 12 June is recorded."""
    pa = PersonalAssistantFactory(employer=employer)
    for offset in range(5):
        _shift_on(
            pa, datetime.date(2026, 6, 8) + datetime.timedelta(days=offset), pa_employer_support
        )
    with pytest.raises(ValidationError) as excinfo:
        services.record_leaving(
            actor=pa_employer_support,
            assistant=pa,
            left_on=datetime.date(2026, 6, 7),
            reason="Moved",
        )
    assert errors_of(excinfo) == {
        "left_on": "The date they left must be on or after 12 June 2026, the day of their last "
        "shift on a timesheet. If they did not work that shift, take it off the timesheet first"
    }
    pa.refresh_from_db()
    assert pa.status != PersonalAssistantStatus.LEFT
    services.record_leaving(
        actor=pa_employer_support, assistant=pa, left_on=datetime.date(2026, 6, 12), reason="Moved"
    )


def test_a_start_date_after_a_shift_already_entered_is_refused(employer, pa_employer_support):
    """Riley's first shift is on 1 June 2026: a start date of 2 June is refused, naming it."""
    pa = services.add_assistant(actor=pa_employer_support, employer=employer, details=DETAILS)
    _shift_on(pa, datetime.date(2026, 6, 1), pa_employer_support)
    later = replace(DETAILS, starts_on=datetime.date(2026, 6, 2))
    with pytest.raises(ValidationError) as excinfo:
        services.change_assistant(actor=pa_employer_support, assistant=pa, details=later)
    assert errors_of(excinfo) == {
        "starts_on": "The start date must be on or before 1 June 2026, the day of their first "
        "shift on a timesheet"
    }
    pa.refresh_from_db()
    assert pa.starts_on == STARTS


def test_issues_log(employer, pa_employer_support):
    pa = PersonalAssistantFactory(employer=employer)
    with pytest.raises(ValidationError) as excinfo:
        services.open_issue(
            actor=pa_employer_support,
            employer=employer,
            kind="nonsense",
            opened_on=datetime.date(2027, 1, 1),
            summary="",
        )
    assert set(errors_of(excinfo)) == {"kind", "opened_on", "summary"}
    assert not EmploymentIssue.objects.exists()
    # Not before the PA started (3 March 2025), such as 1 January 1900.
    with pytest.raises(ValidationError) as excinfo:
        services.open_issue(
            actor=pa_employer_support,
            employer=employer,
            kind="grievance",
            opened_on=datetime.date(1900, 1, 1),
            summary="Says the rota changes without notice.",
            assistant=pa,
        )
    assert errors_of(excinfo) == {
        "opened_on": "The date raised must be on or after 3 March 2025, when the PA started"
    }
    issue = services.open_issue(
        actor=pa_employer_support,
        employer=employer,
        kind="grievance",
        opened_on=datetime.date(2026, 11, 1),
        summary="Says the rota changes without notice.",
        assistant=pa,
    )
    with pytest.raises(ValidationError):
        services.record_advice(
            actor=pa_employer_support, issue=issue, given_on=datetime.date(2026, 10, 1), advice="x"
        )
    services.record_advice(
        actor=pa_employer_support,
        issue=issue,
        given_on=datetime.date(2026, 11, 2),
        advice="Agree the rota 2 weeks ahead.",
    )
    with pytest.raises(ValidationError):
        services.close_issue(
            actor=pa_employer_support, issue=issue, closed_on=datetime.date(2026, 11, 3), outcome=""
        )
    services.close_issue(
        actor=pa_employer_support,
        issue=issue,
        closed_on=datetime.date(2026, 11, 3),
        outcome="Resolved.",
    )
    issue.refresh_from_db()
    assert issue.status == IssueStatus.CLOSED
    assert IssueAdvice.objects.count() == 1
    with pytest.raises(ValidationError, match="closed"):
        services.record_advice(
            actor=pa_employer_support, issue=issue, given_on=datetime.date(2026, 11, 4), advice="x"
        )


def test_issue_about_another_employers_pa_is_refused(employer, pa_employer_support):
    stranger = PersonalAssistantFactory()
    with pytest.raises(ValidationError) as excinfo:
        services.open_issue(
            actor=pa_employer_support,
            employer=employer,
            kind="absence",
            opened_on=datetime.date(2026, 11, 1),
            summary="Absent.",
            assistant=stranger,
        )
    assert "assistant" in errors_of(excinfo)
    assert not EmploymentIssue.objects.exists()


def test_the_minimum_wage_is_for_their_age_today_not_on_their_start_date(
    employer, pa_employer_support
):
    """Born 1 June 2005, started on 1 April 2026 aged 20: £10.85 was the 18 to 20 rate then,
    but they turned 21 on 1 June 2026, and the rate recorded is what they are paid now
    (23 November 2026): the National Living Wage, £12.71."""
    turned_21 = replace(
        DETAILS,
        date_of_birth=datetime.date(2005, 6, 1),
        starts_on=datetime.date(2026, 4, 1),
        statement_issued_on=datetime.date(2026, 4, 1),
        right_to_work_checked_on=datetime.date(2026, 3, 20),
        day_rate=D("10.85"),
        night_rate=None,
    )
    with pytest.raises(ValidationError) as excinfo:
        services.add_assistant(actor=pa_employer_support, employer=employer, details=turned_21)
    assert errors_of(excinfo) == {
        "day_rate": "The day rate is too low: Riley Evans's rate of £10.85 an hour is below the "
        "National Living Wage of £12.71 for someone aged 21 or over"
    }
    assert not PersonalAssistant.objects.exists()
    services.add_assistant(
        actor=pa_employer_support,
        employer=employer,
        details=replace(turned_21, day_rate=D("12.71")),
    )


def test_a_pa_starting_later_is_checked_on_their_first_day(employer, pa_employer_support):
    """Born 1 February 2006, 20 today, starting on 1 February 2027 when they are 21: the 18 to
    20 rate of £10.85 is too low from their first day."""
    later = replace(
        DETAILS,
        date_of_birth=datetime.date(2006, 2, 1),
        starts_on=datetime.date(2027, 2, 1),
        statement_issued_on=None,
        night_rate=None,
    )
    with pytest.raises(ValidationError) as excinfo:
        services.add_assistant(actor=pa_employer_support, employer=employer, details=later)
    assert "£12.71" in errors_of(excinfo)["day_rate"]


def test_the_point_of_contact_needs_a_name(employer, pa_employer_support):
    for given in ({"pa_contact_phone": "0300 123 4567"}, {"pa_contact_email": "help@example.org"}):
        with pytest.raises(ValidationError) as excinfo:
            services.change_who_employs(
                actor=pa_employer_support, employer=employer, kind="holder", **given
            )
        assert errors_of(excinfo) == {
            "pa_contact_name": "Enter the name of the point of contact for PAs"
        }
    employer.refresh_from_db()
    assert employer.pa_contact_name == "Sam Adviser"


def test_the_point_of_contact_is_not_the_employers_support_officer(holder, pa_employer_support):
    """PAs get a point of contact separate from employer support: not the support officer, by
    name (whatever its case and spacing) or by email address."""
    officer = pa_employer_support
    with pytest.raises(ValidationError) as excinfo:
        services.set_up_employer(
            actor=officer,
            holder=holder,
            kind="holder",
            pa_contact_name=f" {officer.full_name.lower()} ",
        )
    assert errors_of(excinfo) == {
        "pa_contact_name": f"The point of contact for PAs must be someone other than "
        f"{officer.full_name}, the PA employer support officer: PAs need a point of contact "
        "separate from the employer's support"
    }
    employer = services.set_up_employer(
        actor=officer, holder=holder, kind="holder", pa_contact_name="Sam Adviser"
    )
    with pytest.raises(ValidationError) as excinfo:
        services.change_who_employs(
            actor=officer,
            employer=employer,
            kind="holder",
            pa_contact_name="The support desk",
            pa_contact_email=officer.email.upper(),
        )
    assert set(errors_of(excinfo)) == {"pa_contact_email"}
    employer.refresh_from_db()
    assert (employer.pa_contact_name, employer.pa_contact_email) == ("Sam Adviser", "")


def test_the_support_officer_is_not_the_pas_point_of_contact(employer, pa_employer_support, holder):
    employer.pa_contact_name = pa_employer_support.full_name
    employer.save()
    with pytest.raises(ValidationError) as excinfo:
        services.change_support_officer(
            actor=pa_employer_support, employer=employer, support_officer=pa_employer_support
        )
    assert errors_of(excinfo)["support_officer"].startswith(
        f"{pa_employer_support.full_name} is the point of contact for PAs"
    )


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {
                "right_to_work_checked_on": None,
                "right_to_work_document": "",
                "right_to_work_follow_up_on": datetime.date(2026, 12, 1),
            },
            "right_to_work_follow_up_on",
            "Record the right to work check (the date and the document seen) before the date "
            "to check it again",
        ),
        (
            {
                "dbs_level": "",
                "dbs_certificate_number": "",
                "dbs_issued_on": None,
                "dbs_recheck_on": datetime.date(2026, 12, 1),
            },
            "dbs_recheck_on",
            "Record the DBS check (the level, certificate number and date of issue) before the "
            "date to check it again",
        ),
    ],
)
def test_a_follow_up_or_recheck_date_needs_the_check(
    employer, pa_employer_support, change, field, message
):
    with pytest.raises(ValidationError) as excinfo:
        services.add_assistant(
            actor=pa_employer_support, employer=employer, details=replace(DETAILS, **change)
        )
    assert errors_of(excinfo) == {field: message}
    assert not PersonalAssistant.objects.exists()


def test_a_copy_kept_is_recorded_with_the_check(employer, pa_employer_support):
    pa = services.add_assistant(
        actor=pa_employer_support,
        employer=employer,
        details=replace(DETAILS, right_to_work_copy_kept=True),
    )
    assert pa.right_to_work_copy_kept
    unchecked = replace(
        DETAILS,
        full_name="Ann Bell",
        ni_number="",
        right_to_work_checked_on=None,
        right_to_work_document="",
        right_to_work_time_limited=False,
        right_to_work_copy_kept=True,
    )
    with pytest.raises(ValidationError) as excinfo:
        services.add_assistant(actor=pa_employer_support, employer=employer, details=unchecked)
    assert errors_of(excinfo) == {
        "right_to_work_copy_kept": "Record the right to work check (the date and the document "
        "seen) before saying a copy was kept"
    }
