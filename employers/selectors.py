"""Reads for the employer pages, scoped to the user, and the duties checklist: what is met,
what is missing, and what runs out in the next 60 days."""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch

from careplans.models import PlanStatus, SupportItem
from employers.models import (
    Employer,
    EmploymentIssue,
    PayrollArrangement,
    PersonalAssistant,
)
from phb.models import Role, RoleAssignment, User

EXPIRY_WINDOW_DAYS = 60

MET, MISSING, EXPIRING = "met", "missing", "expiring"


@dataclass(frozen=True)
class Duty:
    """One line of the checklist: which section it belongs to, its state, and what to say."""

    section: str  # "paye", "insurance", "pension", "payroll" or "pas"
    name: str
    state: str  # MET, MISSING or EXPIRING
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


def checklist(employer: Employer, today: datetime.date) -> list[Duty]:
    """The employer's duties, each met, missing or running out soon. Reads only the employer
    and its prefetched `employed` PAs."""
    duties = []
    if employer.paye_reference:
        duties.append(Duty("paye", "PAYE", MET, f"Registered: {employer.paye_reference}"))
    else:
        duties.append(Duty("paye", "PAYE", MISSING, "No PAYE reference"))

    employed = employer.employed
    if employer.insurance_exempt:
        relatives_only = bool(employed) and all(pa.close_relative for pa in employed)
        if relatives_only:
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

    if employer.pension_scheme:
        duties.append(Duty("pension", "Pension", MET, f"Scheme: {employer.pension_scheme}"))
    else:
        duties.append(Duty("pension", "Pension", MISSING, "No workplace pension scheme"))

    if employer.payroll_arrangement == PayrollArrangement.NOT_ARRANGED:
        duties.append(Duty("payroll", "Payroll", MISSING, "Payroll not arranged"))
    else:
        duties.append(Duty("payroll", "Payroll", MET, employer.get_payroll_arrangement_display()))

    for pa in employed:
        duties.extend(assistant_duties(pa, today))
    return duties


def assistant_duties(pa: PersonalAssistant, today: datetime.date) -> list[Duty]:
    """A working PA's written statement, right to work and DBS check."""
    name = pa.full_name

    def duty(state, text, on=None) -> Duty:
        return Duty("pas", name, state, f"{name}: {text}", on, pa.pk)

    duties = [
        duty(MISSING, "no written statement")
        if pa.statement_issued_on is None
        else duty(MET, "written statement given")
    ]
    follow_up = pa.right_to_work_follow_up_on
    if pa.right_to_work_checked_on is None:
        duties.append(duty(MISSING, "no right to work check"))
    elif follow_up is not None and follow_up < today:
        duties.append(
            duty(MISSING, f"right to work check was due again on {_date(follow_up)}", follow_up)
        )
    elif _soon(follow_up, today):
        duties.append(
            duty(EXPIRING, f"right to work must be checked again by {_date(follow_up)}", follow_up)
        )
    elif pa.right_to_work_checked_on > pa.starts_on:
        # Done, but late: the law asks for it before someone starts work, and there was no
        # check for the days between.
        duties.append(
            duty(
                MET,
                f"right to work checked on {_date(pa.right_to_work_checked_on)}, after they "
                f"started on {_date(pa.starts_on)} (it is due before someone starts work)",
            )
        )
    else:
        duties.append(duty(MET, "right to work checked"))
    recheck = pa.dbs_recheck_on
    if pa.dbs_issued_on is None:
        duties.append(duty(MISSING, "no DBS check"))
    elif recheck is not None and recheck < today:
        duties.append(duty(MISSING, f"DBS check was due again on {_date(recheck)}", recheck))
    elif _soon(recheck, today):
        duties.append(duty(EXPIRING, f"DBS check due again by {_date(recheck)}", recheck))
    else:
        duties.append(duty(MET, "DBS checked"))
    return duties


def gaps(employer: Employer, today: datetime.date) -> list[Duty]:
    return [duty for duty in checklist(employer, today) if duty.state == MISSING]


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
    for pa in assistants.filter(right_to_work_follow_up_on__range=(today, until)):
        items.append(
            Expiry(
                "Right to work follow-up check",
                pa.full_name,
                pa.right_to_work_follow_up_on,
                pa.employer,
            )
        )
    for pa in assistants.filter(dbs_recheck_on__range=(today, until)):
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
