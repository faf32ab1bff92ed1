"""The employers' part of the route × role matrix (tests/test_route_matrix.py): the PA
actors, the records their routes name, and each part's routes. Each part (employers and PAs,
timesheets, payroll) adds its routes to its own dict below and its records to `universe`."""

from tests.employers.factories import EmployerFactory, PaUserFactory, PersonalAssistantFactory
from tests.employers.factories_employers import EmploymentIssueFactory

# A PA of the holder's employer, and a PA of the other holder's: each sees only their own.
PA_ACTORS = ("pa", "other_pa")


def universe(users: dict, holder, other_holder) -> dict:
    """Employers for the matrix's holder and other holder, a PA with a sign-in for each, and
    the records the employers' routes name. Adds the PA actors to `users`."""
    employer = EmployerFactory(budget_holder=holder, created_by=users["pa_support"])
    other_employer = EmployerFactory(budget_holder=other_holder, created_by=users["pa_support"])
    users["pa"] = PaUserFactory()
    users["other_pa"] = PaUserFactory()
    pa = PersonalAssistantFactory(employer=employer, user=users["pa"])
    issue = EmploymentIssueFactory(employer=employer, assistant=pa, recorded_by=users["pa_support"])
    other_pa = PersonalAssistantFactory(employer=other_employer, user=users["other_pa"])
    return {
        "employer": {"pk": employer.pk},
        "other_employer": {"pk": other_employer.pk},
        "assistant": {"pk": pa.pk},
        "other_assistant": {"pk": other_pa.pk},
        "employer_section": {"pk": employer.pk, "section": "paye"},
        "issue": {"pk": issue.pk},
    }
