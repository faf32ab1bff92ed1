from budgets.models.budget import (
    Budget,
    BudgetChange,
    BudgetEdit,
    BudgetStatus,
    BudgetStatusChange,
    CalculationBasis,
    ClinicalCheck,
    FundingStream,
    FundingStreamKind,
    HoldingMethod,
    HoldingPortion,
)
from budgets.models.calculations import (
    ChcPackage,
    ChcPackageLine,
    ChcProviderType,
    PaCosting,
    PaCostingLine,
)
from budgets.models.changes import ProposedIncrease
from budgets.models.letters import BudgetLetter, LetterKind, LetterRecipient
from budgets.models.payments import PaymentInstalment, PaymentRun, PaymentSchedule
from budgets.models.policy import BudgetPolicy
from budgets.models.ras import (
    RasAnswerOption,
    RasAssessment,
    RasAssessmentAnswer,
    RasDomain,
    RasQuestionnaire,
)
from budgets.models.rates import LocalRateSet, NationalRateSet

__all__ = [
    "Budget",
    "BudgetChange",
    "BudgetEdit",
    "BudgetLetter",
    "BudgetPolicy",
    "BudgetStatus",
    "BudgetStatusChange",
    "CalculationBasis",
    "ChcPackage",
    "ChcPackageLine",
    "ChcProviderType",
    "ClinicalCheck",
    "FundingStream",
    "FundingStreamKind",
    "HoldingMethod",
    "HoldingPortion",
    "LetterKind",
    "LetterRecipient",
    "LocalRateSet",
    "NationalRateSet",
    "PaCosting",
    "PaCostingLine",
    "PaymentInstalment",
    "PaymentRun",
    "PaymentSchedule",
    "ProposedIncrease",
    "RasAnswerOption",
    "RasAssessment",
    "RasAssessmentAnswer",
    "RasDomain",
    "RasQuestionnaire",
]
