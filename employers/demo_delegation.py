"""Demo delegated tasks: the common healthcare tasks in the catalogues of the demo ICBs
(North and South Example), each asking for the ICB's infection control and basic life support
standards where its training catalogue has them; and Alex Morgan's PEG feeding, delegated by
the North clinician, with his PA Dana signed off and Riley still being assessed. Idempotent;
the ICBs, Alex and his PAs come from the other demo data, and nothing is made when they are
missing."""

import datetime

from django.utils import timezone

from employers.demo import ALEX, PA_EMAIL
from employers.models import (
    DelegatedTask,
    Delegation,
    Funding,
    ModuleKind,
    PersonalAssistant,
    RiskLevel,
    TrainingModule,
    TrainingRecord,
)
from employers.services import delegation as services
from employers.services import training as training_services
from phb.models import BudgetHolder, Organisation, Role, User

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
    seed_alexs_peg_feeding()


def seed_alexs_peg_feeding() -> None:
    """Delegated through the services, step by step, as the pages do."""
    holder = BudgetHolder.objects.filter(nhs_number=ALEX, organisation__ods_code="QZA").first()
    task = DelegatedTask.objects.filter(organisation__ods_code="QZA", name="PEG feeding").first()
    clinician = (
        User.objects.filter(
            is_demo=True,
            role_assignments__role=Role.CLINICIAN,
            role_assignments__organisation__ods_code="QZA",
        )
        .order_by("email")
        .first()
    )
    if not (holder and task and clinician and holder.user):
        return
    if Delegation.objects.filter(budget_holder=holder, task=task).exists():
        return
    pas = PersonalAssistant.objects.employed().filter(employer__budget_holder=holder)
    dana = pas.filter(user__email=PA_EMAIL).first()
    riley = pas.exclude(user__email=PA_EMAIL).first()
    if dana is None:
        return
    today = timezone.localdate()

    def days_ago(days: int) -> datetime.date:
        return today - datetime.timedelta(days=days)

    for module in task.required_training.all():
        if not TrainingRecord.objects.filter(assistant=dana, module=module).exists():
            training_services.record_training(
                actor=holder.user,
                assistant=dana,
                details=training_services.TrainingDetails(
                    module=module,
                    provider="Skills for Care endorsed provider",
                    completed_on=days_ago(30),
                    funding=Funding.INDIVIDUAL_EMPLOYER_FUNDING,
                    assessor_name="Jo Assessor",
                    observed_on=days_ago(30),
                ),
                today=today,
            )
    delegation = services.delegate_task(
        actor=clinician,
        budget_holder=holder,
        details=services.DelegationDetails(
            task=task,
            how_it_applies="Alex has a PEG tube: three bolus feeds a day and water flushes.",
            persons_choice="I want my own PAs to do my feeds so I can go out on my own terms.",
            consent_given_on=days_ago(28),
            stability="Stable for the last year; no tube problems since it was placed.",
            complexity="Routine bolus feeds; no pump. Tube care once a day.",
            risk_level=RiskLevel.MEDIUM,
            benefits="Feeds at the times Alex chooses, at home and out, without a nurse visit.",
            professional_body="NMC",
            registration_number="12A3456E",
        ),
    )
    competence = services.start_competence(actor=clinician, delegation=delegation, assistant=dana)
    services.confirm_agreement(actor=clinician, competence=competence, party="practitioner")
    services.confirm_agreement(actor=holder.user, competence=competence, party="employer")
    services.confirm_agreement(actor=dana.user, competence=competence, party="pa")
    services.record_training(
        actor=clinician,
        competence=competence,
        delivered_on=days_ago(14),
        delivered_by=clinician.full_name,
    )
    services.record_assessment(
        actor=clinician,
        competence=competence,
        assessed_on=days_ago(7),
        observations="Three feeds observed: safe checks of tube position, clean technique.",
        passed=True,
    )
    competence.refresh_from_db()
    services.sign_off(
        actor=clinician,
        competence=competence,
        review_on=services.add_months(today, task.review_months - 1),
        lock_version=competence.lock_version,
    )
    if riley is not None:
        learning = services.start_competence(
            actor=clinician, delegation=delegation, assistant=riley
        )
        services.confirm_agreement(actor=clinician, competence=learning, party="practitioner")
