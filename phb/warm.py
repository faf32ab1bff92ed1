"""Everything a web process would otherwise compile on its first pages, compiled at start.

A new gunicorn worker used to spend its first requests compiling: the caseload's first view
took 220 ms instead of 35, and each page's first view half as long again, once per worker and
per page. `warm()` compiles every template of ours (Django's cached loader keeps them for the
process), every NHS.UK macro and the URL patterns, without touching the database, so it can run
in gunicorn's master before the workers fork (`--preload`): they start with it all in memory.
"""

from pathlib import Path

from django.conf import settings
from django.template import engines
from django.urls import get_resolver

from phb.components import ATTRIBUTES, ICON, MACROS, component_macro, macro


def template_names() -> list[str]:
    """The names of the templates in the project's templates folder."""
    names = []
    for folder in settings.TEMPLATES[0]["DIRS"]:
        root = Path(folder)
        names += sorted(
            path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file()
        )
    return names


def warm() -> int:
    """Compile the templates, macros and URL patterns; the number of templates compiled."""
    engine = engines["django"]
    names = template_names()
    for name in names:
        engine.get_template(name)
    for name in MACROS:
        component_macro(name)
    macro(*ICON)
    macro(*ATTRIBUTES)
    get_resolver().url_patterns  # noqa: B018 - imports every view module
    return len(names)
