"""A person's history: every audited change that references them; and their access log: every
view of their record.

The audit triggers store raw rows: identifiers, ISO dates, stored codes and column names. The
history page is read by people, so each entry here is in their words: who (by name), when (a
local date and time), what (the thing by its name), and each change as "Field: before → after"
with dates, money, choices, yes/no and other records (a foreign key) written out. No UUID,
ISO timestamp or column name reaches the page.
"""

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import pghistory.models
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models

from phb.models import BudgetHolder, RecordAccess, User

HIDDEN_FIELDS = {"id", "created_at", "updated_at", "version"}
EMPTY = "(empty)"
GONE = "(no longer recorded)"

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime.datetime
    who: str
    what: str
    changes: list[tuple[str, str, str]]


def _model(model_label: str):
    try:
        return apps.get_model(model_label)
    except (LookupError, ValueError):
        return None


def _field(model, name: str):
    """The model field a diff key names ('budget_holder_id' is the budget_holder field)."""
    if model is None:
        return None
    for candidate in (name, name.removesuffix("_id")):
        try:
            return model._meta.get_field(candidate)
        except FieldDoesNotExist:
            continue
    return None


def _field_name(model, name: str) -> str:
    """'agreed_by_id' -> 'Agreed by': the field's own label where the model has one."""
    field = _field(model, name)
    label = str(field.verbose_name) if field is not None else name.removesuffix("_id")
    label = label.replace("_", " ")
    return f"{label[:1].upper()}{label[1:]}"


def readable(text: str) -> str:
    """Text safe to show: ISO dates written out, identifiers left out."""
    text = ISO_DATE.sub(_written_out, str(text))
    return UUID.sub("a record", text)


def _written_out(match) -> str:
    """An ISO date as a person writes it; text that only looks like one (free text can hold
    "2026-13-45") is left as it was typed."""
    try:
        return _day(datetime.date(*map(int, match.groups())))
    except ValueError:
        return match.group(0)


def _day(value: datetime.date) -> str:
    return f"{value:%-d %B %Y}"


def _time(value: datetime.datetime) -> str:
    """'9am', '2:30pm': the NHS.UK style for times."""
    from phb.presenters import display_time

    return display_time(value)


# The related records each kind of record's name (its __str__) reads, so that a name needs no
# query of its own: a budget is named by its holder, a change of status by its budget and so
# its holder. Only these are joined; select_related() with no names joined every related
# record, organisations and users included, and took a third of the history page (issue 12).
# tests/test_history_names.py checks this against each model's __str__.
NAME_READS: dict[str, tuple[str, ...]] = {
    "phb.RoleAssignment": ("user", "organisation"),
    "phb.Representative": ("user", "budget_holder"),
    "phb.RecordAccess": ("user",),
    "budgets.LocalRateSet": ("organisation",),
    "budgets.ChcPackage": ("budget_holder",),
    "budgets.PaCosting": ("budget_holder",),
    "budgets.RasAssessment": ("budget_holder",),
    "budgets.Budget": ("budget_holder",),
    "budgets.BudgetStatusChange": ("budget__budget_holder",),
    "budgets.BudgetEdit": ("budget__budget_holder", "by"),
    "budgets.ClinicalCheck": ("budget__budget_holder", "clinician"),
    "budgets.BudgetChange": ("budget__budget_holder",),
    "budgets.ProposedIncrease": ("budget__budget_holder",),
    "budgets.BudgetPolicy": ("organisation",),
    "careplans.CarePlan": ("budget_holder",),
    "careplans.PlanVersion": ("plan__budget_holder",),
    "employers.TrainingRecord": ("module",),
    "employers.Delegation": ("budget_holder", "task"),
    "employers.Competence": ("delegation__budget_holder", "delegation__task", "assistant"),
    "employers.Timesheet": ("assistant",),
    "employers.Payslip": ("run", "assistant"),
}


class Names:
    """The names of the records that the history's foreign keys and events point at, read with
    one query per kind of record, however long the history."""

    def __init__(self):
        self.wanted: dict[type, set[str]] = {}
        self.found: dict[tuple[type, str], str] = {}

    def want(self, model, pk) -> None:
        if model is not None and pk not in (None, ""):
            self.wanted.setdefault(model, set()).add(str(pk))

    def load(self) -> None:
        for model, pks in self.wanted.items():
            valid = {pk for pk in pks if _is_pk(model, pk)}
            related = NAME_READS.get(model._meta.label, ())
            for obj in model._default_manager.filter(pk__in=valid).select_related(*related):
                self.found[(model, str(obj.pk))] = readable(_name_of(obj))

    def of(self, model, pk) -> str | None:
        return self.found.get((model, str(pk)))


def _is_pk(model, pk: str) -> bool:
    try:
        model._meta.pk.to_python(pk)
    except ValidationError:  # a value this kind of key cannot be: nothing to find
        return False
    return True


def _name_of(obj) -> str:
    if isinstance(obj, User | BudgetHolder):
        return obj.full_name
    return str(obj)


def _value(model, name: str, value, names: Names) -> str:
    """One stored value as a person reads it."""
    if value is None or value == "":
        return EMPTY
    field = _field(model, name)
    if field is None:
        return readable(value)
    if field.is_relation and field.related_model is not None:
        return names.of(field.related_model, value) or GONE
    if field.choices:
        return readable(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return "Yes" if value else "No"
    if isinstance(field, models.DateTimeField):
        try:
            moment = datetime.datetime.fromisoformat(str(value))
        except ValueError:
            return readable(value)
        from phb.presenters import display_date

        return f"{display_date(moment, 'j M Y')}, {_time(moment)}"
    if isinstance(field, models.DateField):
        try:
            return _day(datetime.date.fromisoformat(str(value)[:10]))
        except ValueError:
            return readable(value)
    if isinstance(field, models.DecimalField):
        return _number(field, value)
    return readable(value)


def _number(field, value) -> str:
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return readable(value)
    kind = type(field).__name__
    if kind == "MoneyField":
        return f"£{number:,.2f}"
    if kind == "RateField":
        return f"{(number * 100).normalize():f}%"
    return f"{number.normalize():f}"


def _describe(model, model_label: str, label: str, name: str | None) -> str:
    verbose = str(model._meta.verbose_name) if model else model_label.rsplit(".", 1)[-1]
    verb = {"insert": "added", "update": "changed", "delete": "deleted"}.get(label, label)
    what = f"{verbose[:1].upper()}{verbose[1:]} {verb}"
    return f"{what}: {name}" if name and name.lower() != verbose.lower() else what


def person_changes(holder: BudgetHolder):
    """Every audited change that references the person, newest first (a UNION of every event
    table). Changes in one transaction share a time: the tie-break on (event id, event table),
    unique, keeps them in the order made and the pages stable."""
    return pghistory.models.Events.objects.references(holder).order_by(
        "-pgh_created_at", "-pgh_id", "-pgh_model"
    )


def describe_changes(events) -> list[HistoryEntry]:
    """One page of events in people's words; the names they point at are read with one query
    per kind of record, however long the page."""
    events = list(events)
    names = Names()
    for event in events:
        model = _model(event.pgh_obj_model)
        names.want(User, (event.pgh_context or {}).get("user"))
        names.want(model, event.pgh_obj_id)
        for field_name, (before, after) in (event.pgh_diff or {}).items():
            field = _field(model, field_name)
            if field is not None and field.is_relation and field.related_model is not None:
                names.want(field.related_model, before)
                names.want(field.related_model, after)
    names.load()

    entries = []
    for event in events:
        model = _model(event.pgh_obj_model)
        user = (event.pgh_context or {}).get("user")
        entries.append(
            HistoryEntry(
                at=event.pgh_created_at,
                who=names.of(User, user) or "System",
                what=_describe(
                    model, event.pgh_obj_model, event.pgh_label, names.of(model, event.pgh_obj_id)
                ),
                changes=[
                    (
                        _field_name(model, field),
                        _value(model, field, before, names),
                        _value(model, field, after, names),
                    )
                    for field, (before, after) in sorted((event.pgh_diff or {}).items())
                    if field.removesuffix("_id") not in HIDDEN_FIELDS and field not in HIDDEN_FIELDS
                ],
            )
        )
    return entries


@dataclass(frozen=True)
class AccessEntry:
    at: datetime.datetime
    who: str
    # Their sign-in, beside the name: two ICBs' administrators may share a name, and a refused
    # attempt by one must not read as the other's.
    email: str
    what: str
    outcome: str


def person_accesses(holder: BudgetHolder):
    """Every time someone opened (or tried to open) the person's record, newest first, on the
    (budget_holder_id, at, id) index."""
    return (
        RecordAccess.objects.filter(budget_holder_id=holder.pk)
        .select_related("user")
        .order_by("-at", "-id")
    )


def describe_accesses(accesses) -> list[AccessEntry]:
    return [
        AccessEntry(
            at=access.at,
            who=access.user.full_name,
            email=access.user.email,
            what=_sentence(readable(access.what)),
            outcome=access.get_outcome_display(),
        )
        for access in accesses
    ]


def _sentence(text: str) -> str:
    return f"{text[:1].upper()}{text[1:]}"
