"""PA employer support (DOMAIN.md, "Employing personal assistants"): employers and their
duties, personal assistants, timesheets, and what happens when employment goes wrong."""

from employers.models.issues import EmploymentIssue, IssueAdvice, IssueKind, IssueStatus
from employers.models.payroll import (
    PaidTimesheet,
    PayRun,
    PayRunStatus,
    Payslip,
    PayslipLine,
    PayslipLineKind,
    TaxYearRateSet,
)
from employers.models.people import (
    DbsLevel,
    Employer,
    EmployerKind,
    HolidayBasis,
    PayFrequency,
    PayrollArrangement,
    PensionChoice,
    PersonalAssistant,
    PersonalAssistantStatus,
    RightToWorkDocument,
    TaxBasis,
)
from employers.models.timesheets import Shift, ShiftKind, Timesheet, TimesheetStatus
from employers.models.training import (
    CARE_CERTIFICATE_STANDARDS,
    Competence,
    CompetenceChange,
    CompetenceStatus,
    DelegatedTask,
    Delegation,
    Funding,
    ModuleKind,
    RiskLevel,
    TrainingModule,
    TrainingRecord,
)

__all__ = [
    "CARE_CERTIFICATE_STANDARDS",
    "Competence",
    "CompetenceChange",
    "CompetenceStatus",
    "DbsLevel",
    "DelegatedTask",
    "Delegation",
    "Employer",
    "EmployerKind",
    "EmploymentIssue",
    "Funding",
    "HolidayBasis",
    "IssueAdvice",
    "IssueKind",
    "IssueStatus",
    "ModuleKind",
    "PaidTimesheet",
    "PayFrequency",
    "PayRun",
    "PayRunStatus",
    "PayrollArrangement",
    "Payslip",
    "PayslipLine",
    "PayslipLineKind",
    "PensionChoice",
    "PersonalAssistant",
    "PersonalAssistantStatus",
    "RightToWorkDocument",
    "RiskLevel",
    "Shift",
    "ShiftKind",
    "TaxBasis",
    "TaxYearRateSet",
    "Timesheet",
    "TimesheetStatus",
    "TrainingModule",
    "TrainingRecord",
]

from employers.models.delegation_reminders import CompetenceReminder

__all__ += ["CompetenceReminder"]
