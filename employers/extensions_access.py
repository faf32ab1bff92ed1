"""Whose record an address about employment names, for the access log of a refused request
(phb.extensions.register_person_link). Called from employers' AppConfig.ready()."""

from employers.models import (
    Competence,
    Delegation,
    Employer,
    EmploymentIssue,
    PayRun,
    Payslip,
    PersonalAssistant,
    Shift,
    Timesheet,
    TrainingRecord,
)
from phb.extensions import register_person_link

EMPLOYER = "employer__budget_holder_id"
PA = f"assistant__{EMPLOYER}"


def register() -> None:
    register_person_link(Employer, "budget_holder_id")
    register_person_link(PersonalAssistant, EMPLOYER)
    register_person_link(EmploymentIssue, EMPLOYER)
    register_person_link(PayRun, EMPLOYER)
    register_person_link(Payslip, f"run__{EMPLOYER}")
    register_person_link(Timesheet, PA)
    register_person_link(Shift, f"timesheet__{PA}")
    register_person_link(TrainingRecord, PA)
    register_person_link(Delegation, "budget_holder_id")
    register_person_link(Competence, "delegation__budget_holder_id")
