"""Demo training: for each PA of the demo employers, the first eight Care Certificate standards
signed off, and the core modules done, one of them (moving and handling) expiring within 28
days so a reminder is due. Employers come from the employer pages' demo data; with none,
nothing is made. Idempotent: a PA with any training record is left alone."""

import datetime

from django.utils import timezone

from employers.models import PersonalAssistant
from employers.models.training import Funding, ModuleKind, TrainingModule, TrainingRecord
from employers.services import training as services

STANDARDS_DONE = 8
EXPIRING_MODULE = "Moving and handling"


def seed_training() -> None:
    today = timezone.localdate()
    assistants = (
        PersonalAssistant.objects.employed()
        .filter(employer__budget_holder__user__is_demo=True)
        .select_related("employer__budget_holder__user", "employer__budget_holder__organisation")
        .order_by("employer__created_at", "full_name")
    )
    for assistant in assistants:
        if TrainingRecord.objects.filter(assistant=assistant).exists():
            continue
        holder = assistant.employer.budget_holder
        services.seed_catalogue(organisation=holder.organisation)
        modules = TrainingModule.objects.filter(organisation=holder.organisation, active=True)
        for module in modules.filter(kind=ModuleKind.CARE_CERTIFICATE, standard_number__lte=8):
            _record(assistant, holder.user, module, today - datetime.timedelta(days=90), today)
        for module in modules.filter(kind=ModuleKind.CORE):
            completed = today - datetime.timedelta(days=60)
            if module.name == EXPIRING_MODULE and module.refresh_months:
                # Done long enough ago that it expires in 20 days.
                expires = today + datetime.timedelta(days=20)
                completed = services.add_months(expires, -module.refresh_months)
                if completed >= expires or completed > today:
                    continue
            _record(assistant, holder.user, module, completed, today)


def _record(assistant, actor, module, completed_on, today) -> None:
    is_standard = module.kind == ModuleKind.CARE_CERTIFICATE
    services.record_training(
        actor=actor,
        assistant=assistant,
        details=services.TrainingDetails(
            module=module,
            provider="Skills for Care endorsed provider" if is_standard else "Carewise Training",
            completed_on=completed_on,
            funding=Funding.INDIVIDUAL_EMPLOYER_FUNDING,
            assessor_name="Jo Assessor" if is_standard else "",
            observed_on=completed_on if is_standard else None,
        ),
        today=today,
    )
