"""Demo delegated tasks: the common healthcare tasks in the catalogues of the demo ICBs
(North and South Example), each asking for the ICB's infection control and basic life support
standards where its training catalogue has them. Idempotent; the ICBs come from the core demo
data, and nothing is made when they are missing."""

from employers.models import DelegatedTask, ModuleKind, RiskLevel, TrainingModule
from phb.models import Organisation

DEMO_ICBS = ("QZA", "QZB")
COMMON_TASKS = (
    ("PEG feeding", "Giving feeds, fluids and flushes through a PEG tube.", RiskLevel.MEDIUM, 12),
    (
        "Catheter care",
        "Emptying and changing catheter bags and keeping the site clean.",
        RiskLevel.LOW,
        12,
    ),
    (
        "Oral and tracheostomy suction",
        "Clearing secretions with a suction machine.",
        RiskLevel.HIGH,
        6,
    ),
    (
        "Stoma care",
        "Changing stoma bags and caring for the skin around the stoma.",
        RiskLevel.LOW,
        12,
    ),
    (
        "Rescue medication",
        "Giving buccal midazolam for a prolonged seizure, as prescribed.",
        RiskLevel.HIGH,
        6,
    ),
    (
        "Insulin",
        "Checking blood glucose and giving insulin with a pen, as prescribed.",
        RiskLevel.HIGH,
        6,
    ),
)
# Infection prevention and control; basic life support.
STANDARDS = (15, 12)


def seed() -> None:
    for icb in Organisation.objects.filter(ods_code__in=DEMO_ICBS):
        standards = list(
            TrainingModule.objects.filter(
                organisation=icb, kind=ModuleKind.CARE_CERTIFICATE, standard_number__in=STANDARDS
            )
        )
        for name, description, risk, months in COMMON_TASKS:
            task, made = DelegatedTask.objects.get_or_create(
                organisation=icb,
                name=name,
                defaults={"description": description, "risk_level": risk, "review_months": months},
            )
            if made:
                task.required_training.set(standards)
