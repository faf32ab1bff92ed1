"""Training records for tests (issue 11), made through the service so they obey its rules.
Every ICB made in a test has its catalogue already (the post_save seeding)."""

import datetime

from employers.models.training import Funding, ModuleKind, TrainingModule
from employers.services import training as services

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def module(organisation, name: str) -> TrainingModule:
    return TrainingModule.objects.get(organisation=organisation, name=name)


def standard(organisation, number: int) -> TrainingModule:
    return TrainingModule.objects.get(organisation=organisation, standard_number=number)


def record(assistant, actor, training: TrainingModule, completed_on, *, today=None, **changes):
    """A record of `training` for `assistant`; a Care Certificate standard observed the same
    day by an assessor."""
    is_standard = training.kind == ModuleKind.CARE_CERTIFICATE
    fields = {
        "module": training,
        "provider": "Carewise Training",
        "completed_on": completed_on,
        "funding": Funding.INDIVIDUAL_EMPLOYER_FUNDING,
        "assessor_name": "Jo Assessor" if is_standard else "",
        "observed_on": completed_on if is_standard else None,
    } | changes
    return services.record_training(
        actor=actor,
        assistant=assistant,
        details=services.TrainingDetails(**fields),
        today=today or max(completed_on, datetime.date(2026, 12, 4)),
    )


def matrix_training(users: dict, pa) -> dict:
    """For the route matrix: a training record of `pa` with evidence, and a core module."""
    organisation = pa.employer.budget_holder.organisation
    training = module(organisation, "Food hygiene")
    done = record(
        pa,
        users["pa_support"],
        training,
        datetime.date(2026, 6, 1),
        evidence=services.Evidence(content=PDF, filename="certificate.pdf"),
    )
    return {"training_module": {"pk": training.pk}, "training_record": {"pk": done.pk}}
