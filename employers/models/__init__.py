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

__all__ = [
    "DbsLevel",
    "Employer",
    "EmployerKind",
    "EmploymentIssue",
    "HolidayBasis",
    "IssueAdvice",
    "IssueKind",
    "IssueStatus",
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
    "Shift",
    "ShiftKind",
    "TaxBasis",
    "TaxYearRateSet",
    "Timesheet",
    "TimesheetStatus",
]
