"""Reads for the training pages, each scoped to what the user may see, and a PA's progress:
the 16 Care Certificate standards and the ICB's core modules, each current, expiring within 60
days, expired or missing (a standard with a refresh interval expires like any other module).
Lists are read in a fixed number of queries."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q

from employers.models import PersonalAssistant
from employers.models.training import ModuleKind, TrainingModule, TrainingRecord

EXPIRING_WITHIN = datetime.timedelta(days=60)


class CoreStatus:
    CURRENT = "current"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    MISSING = "missing"


CORE_STATUS_TEXT = {
    CoreStatus.CURRENT: "Current",
    CoreStatus.EXPIRING: "Expires soon",
    CoreStatus.EXPIRED: "Expired",
    CoreStatus.MISSING: "Not done",
}


@dataclass(frozen=True)
class ModuleProgress:
    module: TrainingModule
    status: str
    record: TrainingRecord | None

    @property
    def done(self) -> bool:
        """Recorded and still in date (expiring soon is still done)."""
        return self.status in (CoreStatus.CURRENT, CoreStatus.EXPIRING)

    @property
    def status_text(self) -> str:
        return CORE_STATUS_TEXT[self.status]


@dataclass(frozen=True)
class Progress:
    standards: list[ModuleProgress]
    core: list[ModuleProgress]

    @property
    def standards_done(self) -> int:
        return sum(1 for item in self.standards if item.done)

    @property
    def standards_expired(self) -> int:
        """Standards signed off once whose sign-off has since expired."""
        return sum(1 for item in self.standards if item.status == CoreStatus.EXPIRED)

    @property
    def needs(self) -> list[ModuleProgress]:
        """Standards and core modules missing, expired or expiring."""
        return [item for item in self.standards + self.core if item.status != CoreStatus.CURRENT]


def catalogue_of(organisation_id):
    return TrainingModule.objects.filter(organisation_id=organisation_id)


def active_modules(organisation_id) -> list[TrainingModule]:
    return list(
        catalogue_of(organisation_id)
        .filter(active=True, kind__in=[ModuleKind.CARE_CERTIFICATE, ModuleKind.CORE])
        .order_by("kind", "standard_number", "name")
    )


def core_status(record: TrainingRecord | None, today: datetime.date) -> str:
    if record is None:
        return CoreStatus.MISSING
    if record.expires_on is None:
        return CoreStatus.CURRENT
    if record.expires_on < today:
        return CoreStatus.EXPIRED
    if record.expires_on <= today + EXPIRING_WITHIN:
        return CoreStatus.EXPIRING
    return CoreStatus.CURRENT


def progress(modules, records, today: datetime.date) -> Progress:
    """A PA's progress from the ICB's active modules and the PA's records (any order). A
    standard counts once the assessor has signed it off; each module counts by its latest
    record, and one with an expiry is current, expiring or expired by it, standard or not."""
    latest: dict = {}
    for record in records:
        if record.module.kind == ModuleKind.CARE_CERTIFICATE and record.observed_on is None:
            continue
        best = latest.get(record.module_id)
        if best is None or _later(record, best):
            latest[record.module_id] = record
    standards, core = [], []
    for module in modules:
        record = latest.get(module.pk)
        item = ModuleProgress(module, core_status(record, today), record)
        (standards if module.kind == ModuleKind.CARE_CERTIFICATE else core).append(item)
    return Progress(standards=standards, core=core)


def _later(record, than) -> bool:
    """A record that lasts longer wins (no expiry lasts longest), then the later completed."""
    far = datetime.date.max
    return (record.expires_on or far, record.completed_on) > (
        than.expires_on or far,
        than.completed_on,
    )


def records_of(assistant):
    return (
        TrainingRecord.objects.filter(assistant=assistant)
        .select_related("module", "recorded_by")
        .defer("evidence")
        .order_by("-completed_on", "module__name", "pk")
    )


def assistant_progress(assistant, today) -> tuple[Progress, list[TrainingRecord]]:
    records = list(records_of(assistant))
    modules = active_modules(assistant.employer.budget_holder.organisation_id)
    return progress(modules, records, today), records


def assistant_for(user, pk) -> PersonalAssistant | None:
    return (
        PersonalAssistant.objects.visible_to(user)
        .select_related("employer__budget_holder__organisation")
        .filter(pk=pk)
        .first()
    )


def holder_id_of_assistant(pk):
    """Whose record a refused request named, for the access log."""
    return (
        PersonalAssistant.objects.filter(pk=pk)
        .values_list("employer__budget_holder_id", flat=True)
        .first()
    )


def record_for(user, pk) -> TrainingRecord | None:
    return (
        TrainingRecord.objects.visible_to(user)
        .select_related("assistant__employer__budget_holder", "module")
        .filter(pk=pk)
        .first()
    )


def module_for(user, pk) -> TrainingModule | None:
    return TrainingModule.objects.visible_to(user).filter(pk=pk).first()


def training_due(organisation_id, today: datetime.date):
    """The ICB's working PAs who need something: a Care Certificate standard or core module
    with no record in date (a standard's record is signed off by an assessor), or training
    expiring within 60 days. Ordered by
    name; one query (plus a count when paginated)."""
    modules = catalogue_of(organisation_id).filter(active=True)
    standard_ids = list(
        modules.filter(kind=ModuleKind.CARE_CERTIFICATE).values_list("pk", flat=True)
    )
    core_ids = list(modules.filter(kind=ModuleKind.CORE).values_list("pk", flat=True))
    horizon = today + EXPIRING_WITHIN
    in_date = Q(training__expires_on__isnull=True) | Q(training__expires_on__gte=today)
    valid = (
        Q(training__module_id__in=standard_ids, training__observed_on__isnull=False)
        | Q(training__module_id__in=core_ids)
    ) & in_date
    # A standard's record counts only once an assessor has signed it off.
    counts = Q(module_id__in=core_ids) | Q(module_id__in=standard_ids, observed_on__isnull=False)
    expiring = TrainingRecord.objects.filter(
        counts,
        assistant=OuterRef("pk"),
        expires_on__gte=today,
        expires_on__lte=horizon,
    ).exclude(
        # Renewed already: a later record of the same module lasts past the horizon.
        Exists(
            TrainingRecord.objects.filter(
                counts, assistant=OuterRef("assistant"), module=OuterRef("module")
            ).filter(Q(expires_on__isnull=True) | Q(expires_on__gt=horizon))
        )
    )
    return (
        PersonalAssistant.objects.employed()
        .filter(employer__budget_holder__organisation_id=organisation_id)
        .annotate(
            modules_done=Count("training__module", filter=valid, distinct=True),
            expiring_soon=Exists(expiring),
        )
        .filter(Q(modules_done__lt=len(standard_ids) + len(core_ids)) | Q(expiring_soon=True))
        .select_related("employer__budget_holder")
        .order_by("full_name", "pk")
    )


def records_of_many(assistants):
    """The training records of a page of PAs, in one query."""
    by_assistant: dict = {assistant.pk: [] for assistant in assistants}
    for record in (
        TrainingRecord.objects.filter(assistant__in=list(by_assistant))
        .select_related("module")
        .defer("evidence")
    ):
        by_assistant[record.assistant_id].append(record)
    return by_assistant
