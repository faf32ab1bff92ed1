"""Pages use the NHS.UK components: no template writes a component's markup by hand.

Component markup comes only from the official macros, through `{% component %}` and
`{% call %}` (phb/components.py). A class of a component's block (`nhsuk-table`,
`nhsuk-card__heading`, `nhsuk-tag--green`, ...) written in a template, or in the HTML a
Python module builds, means a copy that will drift from the design system.
"""

import re
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _clear_cache():
    """Override conftest's Redis cache clearing: these tests read files only."""
    yield


ROOT = Path(__file__).resolve().parent.parent
COMPONENTS_DIR = ROOT / "node_modules" / "nhsuk-frontend" / "dist" / "nhsuk" / "components"
APPS = ["phb", "budgets", "careplans", "employers"]

# Component folders whose block class is not "nhsuk-<folder>"; None: no block of its own
# (do and don't lists are cards, headings are the typography classes every page uses).
BLOCK_CLASSES = {
    "tables": "nhsuk-table",
    "images": "nhsuk-image",
    "do-dont-list": None,
    "heading": None,
}
# Blocks the components draw that are not a component folder.
EXTRA_BLOCKS = {"nhsuk-form-group", "nhsuk-table-responsive", "nhsuk-icon"}
# Captions also come as sizes (`nhsuk-caption-l`), not only as modifiers.
SIZED_BLOCKS = {"nhsuk-caption"}


def component_blocks() -> set[str]:
    folders = [path.name for path in COMPONENTS_DIR.iterdir() if path.is_dir()]
    blocks = {BLOCK_CLASSES.get(folder, f"nhsuk-{folder}") for folder in folders}
    return (blocks - {None}) | EXTRA_BLOCKS


def component_classes(text: str, blocks: set[str]) -> list[str]:
    """The component classes in `class="..."` attributes of some HTML or template source."""
    found = []
    for attribute in re.finditer(r"""class\s*=\s*["']([^"']*)["']""", text):
        for token in attribute.group(1).split():
            for block in blocks:
                if (
                    token == block
                    or token.startswith((f"{block}__", f"{block}--"))
                    or (block in SIZED_BLOCKS and re.fullmatch(rf"{block}-[a-z]+", token))
                ):
                    found.append(token)
    return found


def _sources():
    yield from sorted((ROOT / "templates").rglob("*.html"))
    for app in APPS:
        yield from sorted((ROOT / app).rglob("templates/**/*.html"))
        yield from sorted(
            path
            for path in (ROOT / app).rglob("*.py")
            if "migrations" not in path.parts and "tests" not in path.parts
        )


def test_the_scan_knows_the_components():
    blocks = component_blocks()
    for block in ["nhsuk-table", "nhsuk-summary-list", "nhsuk-card", "nhsuk-tag", "nhsuk-button"]:
        assert block in blocks
    assert {"nhsuk-details", "nhsuk-warning-callout", "nhsuk-inset-text"} <= blocks
    assert {"nhsuk-back-link", "nhsuk-pagination", "nhsuk-error-summary"} <= blocks


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('<table class="nhsuk-table">', ["nhsuk-table"]),
        ("<dd class='nhsuk-summary-list__value phb-money'>", ["nhsuk-summary-list__value"]),
        ('<strong class="nhsuk-tag nhsuk-tag--orange">', ["nhsuk-tag", "nhsuk-tag--orange"]),
        ('<span class="nhsuk-caption-l">', ["nhsuk-caption-l"]),
        ('<div class="nhsuk-button-group">', []),
        ('<ul class="nhsuk-list"><p class="nhsuk-body-s nhsuk-heading-s">', []),
    ],
)
def test_the_scan_finds_component_classes(source, expected):
    assert component_classes(source, component_blocks()) == expected


def test_no_template_writes_component_markup_by_hand():
    blocks = component_blocks()
    offenders = {
        str(path.relative_to(ROOT)): classes
        for path in _sources()
        if (classes := component_classes(path.read_text(), blocks))
    }
    assert offenders == {}, "use {% component %} or {% call %} instead"


def test_there_are_no_copies_of_the_macros():
    assert not (ROOT / "templates" / "components").exists()


def test_no_template_comment_spans_lines():
    """Django's `{# ... #}` ends at the end of its line: one that goes on is printed on the
    page, as a person's plan once showed its template's note. Longer notes use
    `{% comment %}`."""
    unfinished = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in (ROOT / "templates").rglob("*.html")
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if "{#" in line and "#}" not in line[line.index("{#") :]
    ]
    assert unfinished == []
