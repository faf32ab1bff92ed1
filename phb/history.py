"""A person's history: every audited change that references them, and every view of their record."""

from dataclasses import dataclass
from datetime import datetime

import pghistory.models
from django.apps import apps

from phb.models import BudgetHolder, RecordAccess, User

HIDDEN_FIELDS = {"id", "created_at", "updated_at", "version"}
MAX_ENTRIES = 500


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    who: str
    what: str
    changes: list[tuple[str, object, object]]
    url: str


def _model(model_label: str):
    try:
        return apps.get_model(model_label)
    except (LookupError, ValueError):
        return None


def _describe(model, model_label: str, label: str) -> str:
    verbose = str(model._meta.verbose_name) if model else model_label.rsplit(".", 1)[-1]
    verb = {"insert": "added", "update": "changed", "delete": "deleted"}.get(label, label)
    return f"{verbose[:1].upper()}{verbose[1:]} {verb}"


def _field_name(model, name: str) -> str:
    """'agreed_by_id' -> 'Agreed by': the field's own label where the model has one."""
    try:
        field = model._meta.get_field(name.removesuffix("_id")) if model else None
    except LookupError:
        field = None
    label = str(field.verbose_name) if field is not None else name.replace("_", " ")
    return f"{label[:1].upper()}{label[1:]}"


def person_history(holder: BudgetHolder) -> list[HistoryEntry]:
    events = list(
        pghistory.models.Events.objects.references(holder).order_by("-pgh_created_at")[:MAX_ENTRIES]
    )
    accesses = list(
        RecordAccess.objects.filter(budget_holder_id=holder.pk).order_by("-at")[:MAX_ENTRIES]
    )
    user_ids = {str((event.pgh_context or {}).get("user")) for event in events}
    user_ids |= {str(access.user_id) for access in accesses}
    user_ids.discard("None")
    names = {str(user.pk): user.full_name for user in User.objects.filter(pk__in=user_ids)}

    entries = []
    for event in events:
        model = _model(event.pgh_obj_model)
        entries.append(
            HistoryEntry(
                at=event.pgh_created_at,
                who=names.get(str((event.pgh_context or {}).get("user")), "System"),
                what=_describe(model, event.pgh_obj_model, event.pgh_label),
                changes=[
                    (_field_name(model, field), before, after)
                    for field, (before, after) in sorted((event.pgh_diff or {}).items())
                    if field not in HIDDEN_FIELDS
                ],
                url=(event.pgh_context or {}).get("url", ""),
            )
        )
    entries += [
        HistoryEntry(
            at=access.at,
            who=names.get(str(access.user_id), "Unknown"),
            what=f"{access.get_outcome_display()}: {access.what}",
            changes=[],
            url=access.path,
        )
        for access in accesses
    ]
    return sorted(entries, key=lambda entry: entry.at, reverse=True)[:MAX_ENTRIES]
