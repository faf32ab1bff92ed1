"""PA training (issue 11): each ICB's catalogue, seeded with the 16 Care Certificate standards
and core modules, and the training each PA has done, with its evidence.

Keyword-only, atomic and permission checked; the database keeps the audit history (the models
are `@audited`). Evidence is a PDF, JPEG or PNG of at most 5 MB, recognised by its content as
well as its name, and kept in the database with the record.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from budgets.calculations import YOUNGEST_PA, add_months, birthday
from employers.models import PersonalAssistant, PersonalAssistantStatus
from employers.models.training import (
    CARE_CERTIFICATE_STANDARDS,
    Funding,
    ModuleKind,
    TrainingModule,
    TrainingRecord,
)
from employers.services.duplicates import lock, refuse_repeat, since
from phb.models import Organisation
from phb.permissions import Permission, require

# The core modules a new ICB starts with: (name, refresh every so many months).
CORE_MODULES = (
    ("Moving and handling", 12),
    ("Basic life support update", 12),
    ("Medication awareness", 12),
    ("Food hygiene", 36),
    ("Fire safety", 12),
)
MAX_EVIDENCE_BYTES = 5 * 1024 * 1024
# No training certificate lasts longer: a later expiry is a mistyped year.
LONGEST_VALID = 10
# What each kind of evidence starts with, and the names it may have.
EVIDENCE_KINDS = (
    ("application/pdf", (b"%PDF-",), (".pdf",)),
    ("image/jpeg", (b"\xff\xd8\xff",), (".jpg", ".jpeg")),
    ("image/png", (b"\x89PNG\r\n\x1a\n",), (".png",)),
)
EVIDENCE_REFUSED = "The evidence must be a PDF, JPEG or PNG file"


def seed_catalogue(*, organisation: Organisation) -> int:
    """Give an ICB the 16 Care Certificate standards and the core modules it does not have
    yet (by name). Safe to run again. Returns how many modules were added."""
    have = set(TrainingModule.objects.filter(organisation=organisation).values_list("name", "kind"))
    names = {name for name, _ in have}
    numbers = set(
        TrainingModule.objects.filter(
            organisation=organisation, standard_number__isnull=False
        ).values_list("standard_number", flat=True)
    )
    new = [
        TrainingModule(
            organisation=organisation,
            name=name,
            kind=ModuleKind.CARE_CERTIFICATE,
            standard_number=number,
        )
        for number, name in enumerate(CARE_CERTIFICATE_STANDARDS, start=1)
        if number not in numbers and name not in names
    ]
    new += [
        TrainingModule(
            organisation=organisation, name=name, kind=ModuleKind.CORE, refresh_months=months
        )
        for name, months in CORE_MODULES
        if name not in names
    ]
    TrainingModule.objects.bulk_create(new)
    return len(new)


@dataclass(frozen=True)
class ModuleDetails:
    name: str
    description: str
    refresh_months: int | None


@transaction.atomic
def add_module(*, actor, organisation: Organisation, details: ModuleDetails) -> TrainingModule:
    """A core module added to the ICB's catalogue (Care Certificate standards are fixed)."""
    require(actor, Permission.MANAGE_TRAINING_CATALOGUE, organisation)
    module = TrainingModule(
        organisation=organisation,
        name=details.name.strip(),
        kind=ModuleKind.CORE,
        description=details.description.strip(),
        refresh_months=details.refresh_months,
    )
    module.full_clean(validate_unique=False, validate_constraints=False)
    _check_refresh(details.refresh_months)
    if TrainingModule.objects.filter(organisation=organisation, name__iexact=module.name).exists():
        raise ValidationError({"name": "The catalogue already has training with this name"})
    try:
        with transaction.atomic():
            module.save()
    except IntegrityError as error:
        raise ValidationError({"name": "The catalogue already has training with this name"}) from (
            error
        )
    return module


def _check_refresh(months) -> None:
    if months is not None and not 1 <= months <= 120:
        raise ValidationError(
            {"refresh_months": "The refresh interval must be between 1 and 120 months"}
        )


@transaction.atomic
def change_module(
    *, actor, module: TrainingModule, description: str, refresh_months: int | None, active: bool
) -> TrainingModule:
    """Change a module's description, refresh interval and whether it is in use. Records
    already made keep their expiry dates."""
    module = TrainingModule.objects.select_for_update().get(pk=module.pk)
    require(actor, Permission.MANAGE_TRAINING_CATALOGUE, module)
    _check_refresh(refresh_months)
    if not active:
        _refuse_out_of_use(module)
    module.description = description.strip()
    module.refresh_months = refresh_months
    module.active = active
    module.full_clean(validate_unique=False, validate_constraints=False)
    module.save(update_fields=["description", "refresh_months", "active", "updated_at"])
    return module


STANDARD_ALWAYS_IN_USE = (
    "A Care Certificate standard is always in use: every PA's induction covers all 16 standards"
)


def _refuse_out_of_use(module: TrainingModule) -> None:
    """A Care Certificate standard stays in use (a PA's progress counts all 16), and training
    a delegated task needs stays in use while the task needs it (its form offers only training
    in use, so saving the task would silently drop the requirement)."""
    if module.kind == ModuleKind.CARE_CERTIFICATE:
        raise ValidationError({"active": STANDARD_ALWAYS_IN_USE})
    if not module.active:
        return  # already out of use: nothing is being taken away
    tasks = [task.name for task in module.tasks.order_by("name")]
    if not tasks:
        return
    if len(tasks) == 1:
        message = (
            f"{tasks[0]} needs this training, so it cannot be taken out of use. "
            f"Take it off {tasks[0]}'s training first"
        )
    else:
        names = ", ".join(tasks[:-1]) + " and " + tasks[-1]
        message = (
            f"{names} need this training, so it cannot be taken out of use. "
            "Take it off each task's training first"
        )
    raise ValidationError({"active": message})


@dataclass(frozen=True)
class Evidence:
    content: bytes
    filename: str


def check_evidence(evidence: Evidence) -> str:
    """The evidence's content type, or ValidationError unless it is a PDF, JPEG or PNG of at
    most 5 MB whose name matches what it contains."""
    if len(evidence.content) > MAX_EVIDENCE_BYTES:
        raise ValidationError({"evidence": "The evidence must be smaller than 5 MB"})
    if not evidence.content:
        raise ValidationError({"evidence": "The evidence file is empty"})
    name = evidence.filename.lower()
    for content_type, starts, suffixes in EVIDENCE_KINDS:
        if evidence.content.startswith(starts) and name.endswith(suffixes):
            return content_type
    raise ValidationError({"evidence": EVIDENCE_REFUSED})


@dataclass(frozen=True)
class TrainingDetails:
    module: TrainingModule
    provider: str
    completed_on: datetime.date
    funding: str
    expires_on: datetime.date | None = None
    assessor_name: str = ""
    observed_on: datetime.date | None = None
    evidence: Evidence | None = None


def default_expiry(module: TrainingModule, completed_on: datetime.date) -> datetime.date | None:
    if not module.refresh_months:
        return None
    return add_months(completed_on, module.refresh_months)


@transaction.atomic
def record_training(
    *, actor, assistant: PersonalAssistant, details: TrainingDetails, today: datetime.date
) -> TrainingRecord:
    """Training a PA completed. The expiry defaults to the completion date plus the module's
    refresh interval; a Care Certificate standard needs the assessor who observed the PA."""
    require(actor, Permission.RECORD_TRAINING, assistant)
    if assistant.status == PersonalAssistantStatus.LEFT:
        raise ValidationError(f"{assistant.full_name} has left: training cannot be recorded")
    module = details.module
    errors = {}
    if module.organisation_id != assistant.employer.budget_holder.organisation_id:
        errors["module"] = "Choose training from this ICB's catalogue"
    elif not module.active:
        errors["module"] = "This training is no longer in the catalogue: choose another"
    if not details.provider.strip():
        errors["provider"] = "Enter who gave the training"
    old_enough_on = birthday(assistant.date_of_birth, YOUNGEST_PA)
    if details.completed_on > today:
        errors["completed_on"] = "The date completed must be today or in the past"
    elif details.completed_on < old_enough_on:
        errors["completed_on"] = (
            f"The date completed must be on or after {assistant.full_name}'s "
            f"{YOUNGEST_PA}th birthday, {old_enough_on:%-d %B %Y}"
        )
    # The expiry is checked against a completion date that is right: one in the future (up
    # to 31 December 9999) would put the default expiry, or ten years on, past the calendar.
    expires_on = details.expires_on
    if "completed_on" not in errors:
        expires_on = expires_on or default_expiry(module, details.completed_on)
        if expires_on is not None and expires_on <= details.completed_on:
            errors["expires_on"] = "The expiry date must be after the date completed"
        elif expires_on is not None and expires_on > birthday(details.completed_on, LONGEST_VALID):
            errors["expires_on"] = (
                f"The expiry date must be within {LONGEST_VALID} years of the date completed"
            )
    if details.funding not in Funding.values:
        errors["funding"] = "Choose who paid for the training"
    is_standard = module.kind == ModuleKind.CARE_CERTIFICATE
    if is_standard and not details.assessor_name.strip():
        errors["assessor_name"] = "Enter the name of the assessor who observed the PA"
    elif not is_standard and details.assessor_name.strip():
        errors["assessor_name"] = "Only a Care Certificate standard has an assessor"
    if is_standard and details.observed_on is None:
        errors["observed_on"] = "Enter the date the assessor observed the PA"
    if details.observed_on is not None:
        if details.observed_on > today:
            errors["observed_on"] = "The date observed must be today or in the past"
        elif not is_standard:
            errors["observed_on"] = "Only a Care Certificate standard has an observation"
        elif details.observed_on < details.completed_on:
            errors["observed_on"] = "The date observed must be on or after the date completed"
        elif expires_on is not None and details.observed_on > expires_on:
            errors["observed_on"] = "The date observed must be on or before the expiry date"
    content_type = ""
    if details.evidence is not None:
        try:
            content_type = check_evidence(details.evidence)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    # The PA's row is locked so that a double click's two requests are served in turn, and
    # the second finds the first's record.
    lock(PersonalAssistant, assistant.pk)
    refuse_repeat(
        TrainingRecord.objects.filter(
            assistant=assistant,
            module=module,
            completed_on=details.completed_on,
            created_at__gte=since(),
        )
        .select_related("recorded_by")
        .order_by("-created_at")
        .first(),
        what=f"{module.name} for {assistant.full_name}, completed "
        f"{details.completed_on:%-d %B %Y},",
        by="recorded_by",
    )
    record = TrainingRecord(
        assistant=assistant,
        module=module,
        provider=details.provider.strip(),
        completed_on=details.completed_on,
        expires_on=expires_on,
        funding=details.funding,
        assessor_name=details.assessor_name.strip() if is_standard else "",
        observed_on=details.observed_on if is_standard else None,
        evidence=details.evidence.content if details.evidence else None,
        evidence_filename=_safe_name(details.evidence.filename) if details.evidence else "",
        evidence_content_type=content_type,
        recorded_by=actor,
    )
    record.full_clean(exclude=["evidence"], validate_constraints=False)
    record.save()
    return record


def _safe_name(filename: str) -> str:
    """The file's own name (no folders), in letters, digits, dots, dashes and underscores."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    kept = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "._-") else "_" for ch in base)
    return kept[-100:] or "evidence"


def months_text(months: int | None) -> str:
    if not months:
        return "Does not need refreshing"
    if months % 12 == 0:
        years = months // 12
        return "Every year" if years == 1 else f"Every {years} years"
    return f"Every {months} months"
