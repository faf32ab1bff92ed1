"""Reads for the employer pages, scoped to the user, and the duties checklist: what is met,
what is missing, and what runs out in the next 60 days."""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch

from budgets.calculations import add_months
from careplans.models import PlanStatus, SupportItem
from employers import minimum_wage
from employers.models import (
    DbsLevel,
    Employer,
    EmployerKind,
    EmploymentIssue,
    PayrollArrangement,
    PersonalAssistant,
)
from phb.models import Role, RoleAssignment, User

EXPIRY_WINDOW_DAYS = 60
# The declaration of compliance is sent to The Pensions Regulator within the 5 months
# beginning with the duties start date (Employers' Duties (Registration and Compliance)
# Regulations 2010, reg. 3).
DECLARATION_MONTHS = 5

# DUE: to be done by a day that has not come yet (not a gap until then).
MET, MISSING, EXPIRING, DUE = "met", "missing", "expiring", "due"


@dataclass(frozen=True)
class Duty:
    """One line of the checklist: which section it belongs to, its state, and what to say."""

    section: str  # "who", "paye", "insurance", "pension", "payroll" or "pas"
    name: str
    state: str  # MET, MISSING, EXPIRING or DUE
    text: str
    on: datetime.date | None = None
    pa_id: object = None  # the PA a "pas" line is about


@dataclass(frozen=True)
class Expiry:
    what: str
    whose: str
    on: datetime.date
    employer: Employer


def employed_assistants() -> Prefetch:
    """The PAs who have not left, for `employer.employed`: one query for a page of employers."""
    return Prefetch(
        "assistants",
        queryset=PersonalAssistant.objects.employed().order_by("full_name"),
        to_attr="employed",
    )


def _pays_family_member():
    return Exists(
        SupportItem.objects.filter(
            version__plan__budget_holder=OuterRef("budget_holder"),
            version__status=PlanStatus.ACTIVE,
            pays_family_member=True,
        )
    )


def own_employments(user):
    """The signed-in PA's own records: one for each employer they work for (Your work, Your
    training)."""
    return (
        PersonalAssistant.objects.visible_to(user)
        .filter(user=user)
        .select_related("employer__budget_holder__organisation")
        .order_by("employer__budget_holder__given_name", "pk")
    )


def support_officers(organisation_id):
    """The ICB's PA employer support staff today, by name: who may be an employer's support
    officer."""
    return (
        User.objects.filter(
            role_assignments__in=RoleAssignment.objects.current().filter(
                organisation_id=organisation_id, role=Role.PA_EMPLOYER_SUPPORT
            )
        )
        .distinct()
        .order_by("full_name", "pk")
    )


def _employers():
    return (
        Employer.objects.select_related("budget_holder", "nominee", "support_officer")
        .annotate(plan_pays_family_member=_pays_family_member())
        .prefetch_related(employed_assistants())
    )


def employer_for(user, pk) -> Employer | None:
    return _employers().filter(pk__in=Employer.objects.visible_to(user)).filter(pk=pk).first()


def employer_of(holder) -> Employer | None:
    return _employers().filter(budget_holder=holder).first()


def holder_id_of_employer(pk):
    return Employer.objects.filter(pk=pk).values_list("budget_holder_id", flat=True).first()


def assistant_for(user, pk) -> PersonalAssistant | None:
    return (
        PersonalAssistant.objects.visible_to(user)
        .select_related("employer__budget_holder__organisation")
        .filter(pk=pk)
        .first()
    )


def holder_id_of_assistant(pk):
    return (
        PersonalAssistant.objects.filter(pk=pk)
        .values_list("employer__budget_holder_id", flat=True)
        .first()
    )


def issue_for(user, pk) -> EmploymentIssue | None:
    return (
        EmploymentIssue.objects.visible_to(user)
        .select_related("employer__budget_holder__organisation", "assistant", "recorded_by")
        .prefetch_related("advice__given_by")
        .filter(pk=pk)
        .first()
    )


def holder_id_of_issue(pk):
    return (
        EmploymentIssue.objects.filter(pk=pk)
        .values_list("employer__budget_holder_id", flat=True)
        .first()
    )


def issues_of(employer):
    return employer.issues.select_related("assistant").order_by("status", "-opened_on")


def all_assistants_of(employer):
    """Every PA, those who have left last."""
    return employer.assistants.order_by("status", "full_name")


def employers_of_icb(organisation):
    """The ICB's employers for the dashboard, by the person's name, with what the checklist
    needs: a page of them costs the same few queries however many rows it has."""
    return (
        _employers()
        .filter(budget_holder__organisation=organisation)
        .order_by("budget_holder__family_name", "budget_holder__given_name", "pk")
    )


def _soon(day, today) -> bool:
    return day is not None and today <= day <= today + datetime.timedelta(days=EXPIRY_WINDOW_DAYS)


def _date(day) -> str:
    return f"{day:%-d %B %Y}"


def _same(one: str, other: str) -> bool:
    """The same name or email address, ignoring case and spacing."""
    return bool(one.strip()) and (
        " ".join(one.split()).casefold() == " ".join(other.split()).casefold()
    )


def contact_is_support_officer(*, name: str, email: str, officer) -> str:
    """Which of the PAs' point of contact's details (its field, "" if none) are those of the
    employer's own PA employer support officer: PAs need a point of contact of their own."""
    if officer is None:
        return ""
    if _same(name, officer.full_name):
        return "pa_contact_name"
    if _same(email, officer.email):
        return "pa_contact_email"
    return ""


def _contact_duty(employer: Employer) -> Duty:
    def duty(state, text) -> Duty:
        return Duty("who", "Point of contact for PAs", state, text)

    name = employer.pa_contact_name
    if not (name or employer.pa_contact_phone or employer.pa_contact_email):
        return duty(MISSING, "No point of contact for PAs")
    if not name:
        return duty(MISSING, "The point of contact for PAs has no name: add who it is")
    if contact_is_support_officer(
        name=name, email=employer.pa_contact_email, officer=employer.support_officer
    ):
        return duty(
            MISSING,
            "The point of contact for PAs is the employer's own PA employer support officer: "
            "PAs need someone separate from the employer's support",
        )
    return duty(MET, f"Point of contact for PAs: {name}")


def _declaration_due_by(duties_start_on: datetime.date) -> datetime.date:
    """The last day of the 5 months beginning with the duties start date."""
    return add_months(duties_start_on, DECLARATION_MONTHS) - datetime.timedelta(days=1)


def _pension_duty(employer: Employer, today: datetime.date) -> Duty:
    def duty(state, text, on=None) -> Duty:
        return Duty("pension", "Pension", state, text, on)

    scheme = employer.pension_scheme
    if not scheme:
        return duty(MISSING, "No workplace pension scheme")
    if employer.pension_declaration_on is not None:
        return duty(
            MET,
            f"Scheme: {scheme}. Declaration of compliance sent on "
            f"{_date(employer.pension_declaration_on)}",
        )
    if employer.pension_duties_start_on is None:
        return duty(MET, f"Scheme: {scheme}")
    due_by = _declaration_due_by(employer.pension_duties_start_on)
    within = (
        f"within {DECLARATION_MONTHS} months of the duties start date, "
        f"{_date(employer.pension_duties_start_on)}"
    )
    if due_by < today:
        return duty(
            MISSING,
            f"Scheme: {scheme}. The declaration of compliance to The Pensions Regulator is "
            f"overdue: it was due by {_date(due_by)} ({within})",
            due_by,
        )
    return duty(
        DUE,
        f"Scheme: {scheme}. The declaration of compliance to The Pensions Regulator is due by "
        f"{_date(due_by)} ({within})",
        due_by,
    )


def checklist(employer: Employer, today: datetime.date, rate_sets=None) -> list[Duty]:
    """The employer's duties, each met, missing, due or running out soon. Reads only the
    employer and its prefetched `employed` PAs, and the national rates (`rate_sets`, from
    minimum_wage.all_rate_sets: read here if not given, once a page for a list)."""
    duties = [_contact_duty(employer)]
    if employer.paye_reference:
        duties.append(Duty("paye", "PAYE", MET, f"Registered: {employer.paye_reference}"))
    else:
        duties.append(Duty("paye", "PAYE", MISSING, "No PAYE reference"))

    employed = employer.employed
    if employer.insurance_exempt and employer.kind == EmployerKind.MANAGED_ACCOUNT:
        duties.append(
            Duty(
                "insurance",
                "Insurance",
                MISSING,
                "No employer's liability insurance of at least £5 million: an organisation "
                "cannot be exempt, as only a person has close relatives",
            )
        )
    elif employer.insurance_exempt:
        if not employed:
            duties.append(
                Duty(
                    "insurance",
                    "Insurance",
                    MET,
                    "Exempt: no PA is working for the employer at the moment. Insurance is "
                    "needed before a PA who is not a close relative starts",
                )
            )
        elif all(pa.close_relative for pa in employed):
            duties.append(
                Duty("insurance", "Insurance", MET, "Exempt: every PA is a close relative")
            )
        else:
            duties.append(
                Duty(
                    "insurance",
                    "Insurance",
                    MISSING,
                    "Exemption claimed, but a PA is not a close relative: insurance is needed",
                )
            )
    elif employer.insurance_expires_on is None:
        duties.append(Duty("insurance", "Insurance", MISSING, "No employer's liability insurance"))
    elif employer.insurance_expires_on < today:
        duties.append(
            Duty(
                "insurance",
                "Insurance",
                MISSING,
                f"Insurance ran out on {_date(employer.insurance_expires_on)}",
                employer.insurance_expires_on,
            )
        )
    elif _soon(employer.insurance_expires_on, today):
        duties.append(
            Duty(
                "insurance",
                "Insurance",
                EXPIRING,
                f"Insurance runs out on {_date(employer.insurance_expires_on)}",
                employer.insurance_expires_on,
            )
        )
    else:
        duties.append(
            Duty(
                "insurance",
                "Insurance",
                MET,
                f"Insured until {_date(employer.insurance_expires_on)}",
            )
        )

    duties.append(_pension_duty(employer, today))

    if employer.payroll_arrangement == PayrollArrangement.NOT_ARRANGED:
        duties.append(Duty("payroll", "Payroll", MISSING, "Payroll not arranged"))
    else:
        duties.append(Duty("payroll", "Payroll", MET, employer.get_payroll_arrangement_display()))

    if rate_sets is None and employed:
        rate_sets = minimum_wage.all_rate_sets()
    for pa in employed:
        duties.extend(assistant_duties(pa, today, rate_sets))
    return duties


# Enough for a PA supporting someone in their own home (regulated activity): an enhanced
# check with a barred list check, which a PA can apply for through an umbrella body since
# 21 January 2026.
DBS_NEEDED = DbsLevel.ENHANCED_BARRED
DBS_LOWER_WORDS = {
    DbsLevel.BASIC: "a basic DBS check",
    DbsLevel.STANDARD: "a standard DBS check",
    DbsLevel.ENHANCED: "an enhanced DBS check without a barred list check",
    "": "a DBS check of a level not recorded",
}


def _pounds(value) -> str:
    return f"£{value:,.2f}"


def _wage_duty(pa: PersonalAssistant, today: datetime.date, rate_sets, duty) -> Duty | None:
    """Whether the PA's hourly rates are at least the minimum wage for them now (or on their
    first day, if later). None: no hourly rate, or no national rates, to check."""
    fields = [field for field in minimum_wage.HOURLY_RATES if getattr(pa, field) is not None]
    if not fields:
        return None
    try:
        below = minimum_wage.shortfalls(pa, today, rate_sets, fields)
    except ValueError:  # an age no PA can be: their details say so when changed
        return None
    if below is None:
        return None
    if not below:
        return duty(MET, "paid at least the minimum wage")
    parts = []
    for field, error in below.items():
        what = minimum_wage.HOURLY_RATES[field]
        short = _pounds(error.minimum - error.rate)
        if not parts:
            # "the National Living Wage of £12.71 for someone aged 21 or over", in the
            # error's own words.
            minimum = str(error).split(" is below ", 1)[1]
            parts.append(
                f"the {what} of {_pounds(error.rate)} an hour is {short} an hour below {minimum}"
            )
        else:
            parts.append(f"the {what} of {_pounds(error.rate)} an hour is {short} below it")
    return duty(MISSING, "paid below the minimum wage: " + "; ".join(parts))


def assistant_duties(pa: PersonalAssistant, today: datetime.date, rate_sets=None) -> list[Duty]:
    """A working PA's written statement, right to work and DBS checks, and pay against the
    minimum wage (`rate_sets` as for `checklist`)."""
    name = pa.full_name

    def duty(state, text, on=None) -> Duty:
        return Duty("pas", name, state, f"{name}: {text}", on, pa.pk)

    # The written statement is due on their first day.
    statement = pa.statement_issued_on
    if statement is None and pa.starts_on > today:
        duties = [
            duty(
                DUE,
                f"no written statement yet: it is due by their first day, {_date(pa.starts_on)}",
                pa.starts_on,
            )
        ]
    elif statement is None:
        duties = [
            duty(
                MISSING,
                f"no written statement: it was due on their first day, "
                f"{_date(pa.starts_on)}, and is overdue",
                pa.starts_on,
            )
        ]
    elif statement > pa.starts_on:
        duties = [
            duty(
                MET,
                f"written statement given late, on {_date(statement)}, after they started on "
                f"{_date(pa.starts_on)} (it is due from their first day)",
            )
        ]
    else:
        duties = [duty(MET, "written statement given")]
    # The right to work check, and its follow-up check (time-limited permission) when that is
    # overdue or due within the window. A check with no copy kept does not count whatever its
    # follow-up date, so both are said, and so is a check made after they started.
    checked, follow_up = pa.right_to_work_checked_on, pa.right_to_work_follow_up_on
    if checked is None:
        duties.append(duty(MISSING, "no right to work check"))
    else:
        check = f"right to work checked on {_date(checked)}"
        if checked > pa.starts_on:
            # The law asks for it before someone starts work, and there was no check for the
            # days between.
            check += (
                f", after they started on {_date(pa.starts_on)} (it is due before someone "
                "starts work)"
            )
        if not pa.right_to_work_copy_kept:
            duties.append(
                duty(
                    MISSING,
                    f"{check}, but no copy of the document (or of the online check's result) "
                    "is recorded as kept: without one the check does not count",
                )
            )
        elif checked > pa.starts_on:
            duties.append(duty(MET, check))
        if follow_up is not None and follow_up < today:
            duties.append(
                duty(MISSING, f"right to work check was due again on {_date(follow_up)}", follow_up)
            )
        elif _soon(follow_up, today):
            duties.append(
                duty(
                    EXPIRING,
                    f"right to work must be checked again by {_date(follow_up)}",
                    follow_up,
                )
            )
        elif pa.right_to_work_copy_kept and checked <= pa.starts_on:
            duties.append(duty(MET, "right to work checked"))
    recheck = pa.dbs_recheck_on
    if pa.dbs_issued_on is None:
        duties.append(duty(MISSING, "no DBS check"))
    elif pa.dbs_level != DBS_NEEDED:
        duties.append(
            duty(
                MISSING,
                f"{DBS_LOWER_WORDS.get(pa.dbs_level, 'this DBS check')} is not enough: a PA "
                "supporting someone needs an enhanced DBS check with a barred list check, "
                "which they can apply for through an umbrella body",
            )
        )
    elif recheck is not None and recheck < today:
        duties.append(duty(MISSING, f"DBS check was due again on {_date(recheck)}", recheck))
    elif _soon(recheck, today):
        duties.append(duty(EXPIRING, f"DBS check due again by {_date(recheck)}", recheck))
    else:
        duties.append(duty(MET, "DBS checked (enhanced, with a barred list check)"))
    if rate_sets is None:
        rate_sets = minimum_wage.all_rate_sets()
    wage = _wage_duty(pa, today, rate_sets, duty)
    if wage is not None:
        duties.append(wage)
    return duties


def gaps(employer: Employer, today: datetime.date, rate_sets=None) -> list[Duty]:
    return [duty for duty in checklist(employer, today, rate_sets) if duty.state == MISSING]


def expiring_in_icb(organisation, today: datetime.date) -> list[Expiry]:
    """What runs out in the next 60 days across the ICB's employers, soonest first: insurance,
    PAs' right to work follow-up checks and DBS rechecks. Two queries, however many rows."""
    until = today + datetime.timedelta(days=EXPIRY_WINDOW_DAYS)
    items = [
        Expiry(
            "Employer's liability insurance",
            employer.display_name,
            employer.insurance_expires_on,
            employer,
        )
        for employer in Employer.objects.filter(
            budget_holder__organisation=organisation,
            insurance_exempt=False,
            insurance_expires_on__range=(today, until),
        ).select_related("budget_holder")
    ]
    assistants = (
        PersonalAssistant.objects.employed()
        .filter(employer__budget_holder__organisation=organisation)
        .select_related("employer__budget_holder")
    )
    # A follow-up or recheck date with no check recorded is a missing check, not one that
    # runs out (the checklist says so).
    for pa in assistants.filter(
        right_to_work_checked_on__isnull=False, right_to_work_follow_up_on__range=(today, until)
    ):
        items.append(
            Expiry(
                "Right to work follow-up check",
                pa.full_name,
                pa.right_to_work_follow_up_on,
                pa.employer,
            )
        )
    for pa in assistants.filter(dbs_issued_on__isnull=False, dbs_recheck_on__range=(today, until)):
        items.append(Expiry("DBS recheck", pa.full_name, pa.dbs_recheck_on, pa.employer))
    return sorted(items, key=lambda item: (item.on, item.whose))


def household_warnings(employer: Employer) -> list[str]:
    """Where the PAs' household flag and the plan in use disagree: a PA living in the
    household is paid only when the plan says so (with why it is justified)."""
    in_household = [pa.full_name for pa in employer.employed if pa.lives_in_household]
    warnings = []
    if in_household and not employer.plan_pays_family_member:
        warnings.append(
            f"{', '.join(in_household)} {'is' if len(in_household) == 1 else 'are'} marked as "
            "living in the same household as the budget holder, but the plan in use has no "
            "support item that pays a family member or friend in the household"
        )
    if employer.plan_pays_family_member and not in_household:
        warnings.append(
            "The plan in use pays a family member or friend who lives in the household, but "
            "no PA is marked as living in the household"
        )
    return warnings


def assistant_household_warning(employer: Employer, pa: PersonalAssistant) -> str | None:
    if pa.lives_in_household and not employer.plan_pays_family_member:
        return (
            f"{pa.full_name} is marked as living in the same household as the budget holder, "
            "but the plan in use has no support item that pays a family member or friend in "
            "the household"
        )
    return None
