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
from budgets.models.letters import BudgetLetter, LetterKind
from budgets.models.payments import PaymentInstalment, PaymentSchedule
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
    "LocalRateSet",
    "NationalRateSet",
    "PaCosting",
    "PaCostingLine",
    "PaymentInstalment",
    "PaymentSchedule",
    "RasAnswerOption",
    "RasAssessment",
    "RasAssessmentAnswer",
    "RasDomain",
    "RasQuestionnaire",
]
