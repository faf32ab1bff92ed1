"""Places where later apps add to the core's pages without the core importing them.

Dependencies point one way (phb <- budgets <- careplans), so the caseload and
the person's record, which live in phb, offer registries: an app registers a
caseload column or a record section in its AppConfig.ready().
"""

from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

from django.db.models import QuerySet


@dataclass(frozen=True)
class CaseloadColumn:
    heading: str
    # Adds what the cells need to the caseload queryset (an annotation or a
    # prefetch), so that the page's query count does not grow with its rows.
    annotate: Callable[[QuerySet], QuerySet]
    cell: Callable[[object], str]
    order: int = 100


@dataclass(frozen=True)
class RecordSection:
    """A section of a person's record (audience "staff") or of their own page ("holder")."""

    audience: str
    template_name: str
    context: Callable[[object, object], dict]  # (request, budget_holder) -> context
    order: int = 100


@dataclass(frozen=True)
class NavigationItem:
    """A link in the header for users who have `permission`, unless they also have `unless`:
    then another item in the same place of the header serves them, so two roles' ways in to
    one area share one header item rather than one each."""

    text: str
    url_name: str
    permission: str
    order: int = 100
    unless: str | None = None


@dataclass(frozen=True)
class CaseloadPanel:
    """Work waiting for the user, shown above the caseload (e.g. budgets to check)."""

    template_name: str
    context: Callable[[object], dict]  # (request) -> context; empty means nothing to show
    order: int = 100


_navigation: list[NavigationItem] = []
_caseload_panels: list[CaseloadPanel] = []
_caseload_columns: list[CaseloadColumn] = []
# A seeder may return sign-ins it made, (email, who they are, ODS code), for the list
# `make run` prints.
_demo_seeders: list[Callable[[], list[tuple[str, str, str]] | None]] = []
_record_sections: list[RecordSection] = []


def register_caseload_column(column: CaseloadColumn) -> None:
    if column not in _caseload_columns:
        _caseload_columns.append(column)


def register_record_section(section: RecordSection) -> None:
    if section not in _record_sections:
        _record_sections.append(section)


def caseload_columns() -> list[CaseloadColumn]:
    return sorted(_caseload_columns, key=lambda column: column.order)


def read_once(budget_holder, read: Callable, *args):
    """`read(budget_holder, *args)`, read once for this loaded person.

    The sections of one page often need the same row (the current budget, the employer, the
    plan): the first section's answer is kept on the person loaded for the page, and the
    others share it instead of asking the database again. Only for reads made to show a page,
    never in a service that then writes: a kept answer does not see a change made after it.
    """
    kept = budget_holder.__dict__.setdefault("_read_once", {})
    key = (read, args)
    if key not in kept:
        kept[key] = read(budget_holder, *args)
    return kept[key]


def record_sections(request, budget_holder, *, audience: str) -> list[dict]:
    return [
        {"template_name": section.template_name, **section.context(request, budget_holder)}
        for section in sorted(_record_sections, key=lambda section: section.order)
        if section.audience == audience
    ]


def register_demo_seeder(seed: Callable[[], list[tuple[str, str, str]] | None]) -> None:
    """Add demo data after the core's (`manage.py seed_demo`); `seed` must be idempotent, and
    may return the sign-ins it made (email, who they are, ODS code) to be printed."""
    if seed not in _demo_seeders:
        _demo_seeders.append(seed)


def demo_seeders() -> list[Callable[[], list[tuple[str, str, str]] | None]]:
    return list(_demo_seeders)


def register_navigation_item(item: NavigationItem) -> None:
    if item not in _navigation:
        _navigation.append(item)


def navigation_items(user) -> list[NavigationItem]:
    """The links this user may follow, checked against the ICB they act for."""
    organisation = user.acting_organisation
    return [
        item
        for item in sorted(_navigation, key=lambda item: item.order)
        if user.has_perm(item.permission, organisation)
        and not (item.unless and user.has_perm(item.unless, organisation))
    ]


def register_caseload_panel(panel: CaseloadPanel) -> None:
    if panel not in _caseload_panels:
        _caseload_panels.append(panel)


def caseload_panels(request) -> list[dict]:
    panels = []
    for panel in sorted(_caseload_panels, key=lambda panel: panel.order):
        context = panel.context(request)
        if context:
            panels.append({"template_name": panel.template_name, **context})
    return panels


@dataclass(frozen=True)
class DatasetPart:
    """What an app adds to a generated national-scale dataset (`manage.py generate_dataset`).

    `setup(run)` runs once, after the core has made the ICBs and their staff (rates,
    questionnaires); `write(chunk)` runs in each chunk's transaction, after the core has
    written the chunk's people, and writes their rows with `chunk.copy(...)` (phb.dataset)."""

    name: str
    setup: Callable[[object], None]
    write: Callable[[object], None]
    order: int = 100


_dataset_parts: list[DatasetPart] = []


def register_dataset_part(part: DatasetPart) -> None:
    if part not in _dataset_parts:
        _dataset_parts.append(part)


def dataset_parts() -> list[DatasetPart]:
    return sorted(_dataset_parts, key=lambda part: part.order)


# Where `home` sends someone who is neither staff nor a service administrator, before the
# budget holder's page: each returns a URL for users it knows (a PA's own page), else None.
_home_redirects: list[Callable[[object], str | None]] = []


def register_home_redirect(where: Callable[[object], str | None]) -> None:
    if where not in _home_redirects:
        _home_redirects.append(where)


def home_redirect(user) -> str | None:
    return next((url for url in (where(user) for where in _home_redirects) if url), None)


@dataclass(frozen=True)
class BudgetLetterLink:
    """A letter about a budget, as its holder's page lists it."""

    subject: str
    url: str
    created_at: object  # a datetime


@dataclass(frozen=True)
class HolderBudgetAddition:
    """What a later app says about one budget on the holder's own page, which `budgets` draws
    without importing it (careplans stops budgets and asks for money back):

    - `stopped_because(budget, acting_for)`: why the budget stops, in plain words that follow
      "It stops because" ("you are no longer eligible for a personal health budget"), with
      "you" for the person and their first name for someone acting for them; "" when the app
      did not stop it;
    - `letters(budget)`: the app's letters about the budget, for the page's list of letters."""

    stopped_because: Callable[[object, bool], str]
    letters: Callable[[object], list[BudgetLetterLink]]


_holder_budget_additions: list[HolderBudgetAddition] = []


def register_holder_budget_addition(addition: HolderBudgetAddition) -> None:
    if addition not in _holder_budget_additions:
        _holder_budget_additions.append(addition)


def holder_budget_additions() -> list[HolderBudgetAddition]:
    return list(_holder_budget_additions)


# How an id in an address leads to the person it is about, read without the user's scope. A
# refused request names something the user may not see (another PA's payslip, another ICB's
# competence): its entry belongs in that person's access log, not under the thing's own id.
# Each app registers its models (model, lookup to the budget holder's id) in AppConfig.ready().
_person_links: dict[type, str] = {}


def register_person_link(model: type, holder_id: str) -> None:
    """`model`'s rows lead to their person through `holder_id`, a lookup such as
    "run__employer__budget_holder_id"."""
    _person_links[model] = holder_id


def holder_id_named_by(ids) -> UUID | None:
    """The person the first of `ids` that names a person, or a registered thing about one,
    leads to, whoever may see them; None when none does. One query: for refusals only, as
    allowed pages already have their person."""
    from phb.models import BudgetHolder

    ids = [value for value in map(_as_uuid, ids) if value is not None]
    if not ids:
        return None
    people = BudgetHolder._base_manager.filter(pk__in=ids).order_by()
    queries = [
        model._base_manager.filter(pk__in=ids).order_by().values_list("pk", holder_id)
        for model, holder_id in _person_links.items()
    ]
    found = dict(people.values_list("pk", "pk").union(*queries, all=True))
    return next((found[value] for value in ids if found.get(value) is not None), None)


def _as_uuid(value) -> UUID | None:
    if isinstance(value, UUID):
        return value
    try:
        return UUID(str(value))
    except ValueError:
        return None
