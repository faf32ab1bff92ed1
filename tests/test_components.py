"""Every component renders the official nhsuk-frontend fixtures through the bridge.

Each fixture in `node_modules/nhsuk-frontend/.../<component>/fixtures.json` holds
the macro options and the HTML the Nunjucks macro produced from them. We render
the same options through `{% component %}` (which calls nhsuk-frontend-jinja's
macro) and compare the two documents after normalising what HTML does not care
about (whitespace, attribute order, class order, character references).
"""

import importlib.metadata
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils.safestring import SafeString
from hypothesis import given
from hypothesis import strategies as st


@pytest.fixture(autouse=True)
def _clear_cache():
    """Override conftest's Redis cache clearing: these tests use no cache or database."""
    yield


ROOT = Path(__file__).resolve().parent.parent
COMPONENTS_DIR = ROOT / "node_modules" / "nhsuk-frontend" / "dist" / "nhsuk" / "components"

# Our component name -> nhsuk-frontend fixture folder: every component of the package that has
# fixtures. `caption` has none (`heading` and `label` fixtures cover it).
COMPONENTS = {
    "action-link": "action-link",
    "back-link": "back-link",
    "breadcrumb": "breadcrumb",
    "button": "button",
    "card": "card",
    "character-count": "character-count",
    "checkboxes": "checkboxes",
    "code": "code",
    "contents-list": "contents-list",
    "date-input": "date-input",
    "details": "details",
    "do-dont-list": "do-dont-list",
    "error-message": "error-message",
    "error-summary": "error-summary",
    "fieldset": "fieldset",
    "file-upload": "file-upload",
    "footer": "footer",
    "header": "header",
    "heading": "heading",
    "hero": "hero",
    "hint": "hint",
    "images": "images",
    "input": "input",
    "inset-text": "inset-text",
    "label": "label",
    "legend": "legend",
    "notification-banner": "notification-banner",
    "pagination": "pagination",
    "panel": "panel",
    "password-input": "password-input",
    "radios": "radios",
    "scroll": "scroll",
    "search-input": "search-input",
    "select": "select",
    "skip-link": "skip-link",
    "summary-list": "summary-list",
    "tables": "tables",
    "tabs": "tabs",
    "tag": "tag",
    "task-list": "task-list",
    "textarea": "textarea",
    "warning-callout": "warning-callout",
}

# Fixtures we deliberately do not match, as {"component: fixture name": reason}.
# Empty: every fixture of every component listed above matches.
SKIP: dict[str, str] = {}

VOID_ELEMENTS = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


class _Normaliser(HTMLParser):
    """Flattens a document into comparable tokens."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tokens: list[tuple] = []
        self._text: list[str] = []

    def _flush(self):
        text = " ".join("".join(self._text).split())
        if text:
            self.tokens.append(("text", text))
        self._text = []

    def handle_starttag(self, tag, attrs):
        self._flush()
        normalised = []
        for name, value in attrs:
            value = value or ""
            if name == "class":
                value = " ".join(sorted(value.split()))
            normalised.append((name, value))
        self.tokens.append(("start", tag, tuple(sorted(normalised))))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID_ELEMENTS:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        self._flush()
        if tag not in VOID_ELEMENTS:
            self.tokens.append(("end", tag))

    def handle_data(self, data):
        self._text.append(data)

    def handle_comment(self, data):
        self._flush()


def normalise(html: str) -> list[str]:
    parser = _Normaliser()
    parser.feed(html)
    parser.close()
    parser._flush()
    # One token per line gives a readable pytest diff on failure.
    return [repr(token) for token in parser.tokens]


def _fixtures():
    for component, folder in sorted(COMPONENTS.items()):
        data = json.loads((COMPONENTS_DIR / folder / "fixtures.json").read_text())
        for fixture in data["fixtures"]:
            key = f"{component}: {fixture['name']}"
            marks = [pytest.mark.skip(reason=SKIP[key])] if key in SKIP else []
            yield pytest.param(component, fixture, id=key, marks=marks)


def _as_given(component, context: dict) -> dict:
    """The fixture's options, with the bridge's own default for tables (they scroll sideways
    on a small screen unless told otherwise) turned off where the fixture does not say."""
    if component in ("table", "tables") and "scroll" not in context:
        return {**context, "scroll": False}
    return context


@pytest.mark.parametrize(("component", "fixture"), list(_fixtures()))
def test_component_matches_fixture(component, fixture):
    # "callBlock" fixtures pass the body of a Nunjucks {% call %} block.
    source = (
        "{% call name params %}{{ body|safe }}{% endcall %}"
        if "callBlock" in fixture
        else "{% component name params %}"
    )
    rendered = Template("{% load nhsuk %}" + source).render(
        Context(
            {
                "name": component,
                "params": _as_given(component, fixture["context"]),
                "body": fixture.get("callBlock"),
            }
        )
    )
    assert normalise(rendered) == normalise(fixture["html"])


@pytest.mark.parametrize(("component", "fixture"), list(_fixtures()))
def test_a_memoised_component_is_exactly_the_macros_output(component, fixture):
    """Rendered from memory or not, a component is the macro's very string, byte for byte."""
    from markupsafe import Markup

    from phb.components import _options, _render_exact, _render_memoised, component_macro

    params = _options(fixture["context"])
    body = Markup(fixture["callBlock"]) if "callBlock" in fixture else None
    if body is None:
        direct = str(component_macro(component)(params))
    else:
        direct = str(component_macro(component)(params, caller=lambda: body))
    _render_exact.cache_clear()
    assert _render_memoised(component, params, body) == direct  # rendered, then kept
    assert _render_memoised(component, params, body) == direct  # from memory
    assert _render_exact.cache_info().hits == 1


def test_the_memory_tells_text_from_html_and_true_from_one():
    from phb.components import _key, render_component

    assert _key({"text": "<b>"}) != _key({"text": SafeString("<b>")})
    assert _key({"x": True}) != _key({"x": 1}) != _key({"x": 1.0})
    assert _key({"a": 1, "b": 2}) != _key({"b": 2, "a": 1})  # attributes keep their order
    assert "&lt;b&gt;" in render_component("tag", {"text": "<b>"})
    assert "<b>" in render_component("tag", {"html": SafeString("<b>")})
    assert "<b>" not in render_component("tag", {"text": "<b>"})


def test_a_value_without_an_exact_key_is_rendered_each_time():
    import datetime

    from phb.components import _render_exact, render_component

    _render_exact.cache_clear()
    html = render_component("hint", {"text": datetime.date(2026, 4, 1)})
    assert "2026-04-01" in html
    assert _render_exact.cache_info().currsize == 0


def test_keywords_merge_over_params():
    rendered = Template(
        '{% load nhsuk %}{% component "button" params text="Save" href="/save" %}'
    ).render(Context({"params": {"text": "Ignored", "variant": "secondary"}}))
    assert normalise(rendered) == normalise(
        '<a href="/save" role="button" draggable="false" data-module="nhsuk-button"'
        ' class="nhsuk-button nhsuk-button--secondary">Save</a>'
    )


def test_text_is_escaped_and_html_is_not():
    rendered = Template(
        '{% load nhsuk %}{% component "hint" text="<b>a</b>" %}'
        '{% component "tag" html="<b>b</b>" %}'
    ).render(Context())
    assert "&lt;b&gt;a&lt;/b&gt;" in rendered
    assert "<b>b</b>" in rendered


def test_call_block_supplies_component_body():
    rendered = Template(
        '{% load nhsuk %}{% call "fieldset" legend="Address" %}<p>Body</p>{% endcall %}'
    ).render(Context())
    assert normalise(rendered) == normalise(
        '<fieldset class="nhsuk-fieldset"><legend class="nhsuk-fieldset__legend">Address</legend>'
        "<p>Body</p></fieldset>"
    )


def test_nhsuk_attributes_filter():
    rendered = Template("{% load nhsuk %}<div{{ attrs|nhsuk_attributes }}></div>").render(
        Context(
            {
                "attrs": {
                    "data-x": 'a"b',
                    "hidden": {"value": True, "optional": True},
                    "data-gone": {"value": False, "optional": True},
                    "data-list": {"value": ["a", "b"], "type": "array"},
                }
            }
        )
    )
    assert normalise(rendered) == normalise(
        "<div data-x='a&quot;b' hidden data-list='[\"a\",\"b\"]'></div>"
    )


HEADER_WITH_ACTIONS = {
    "account": {
        "items": [
            {"action": "/logout", "text": "Log out"},
            {"action": "/search", "method": "get", "text": "Search"},
        ]
    }
}


def test_header_account_form_gets_csrf_token_from_request():
    from django.template import RequestContext
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    rendered = Template('{% load nhsuk %}{% component "header" params %}').render(
        RequestContext(request, {"params": HEADER_WITH_ACTIONS})
    )
    # Only the POST form carries the token; a GET form would leak it into the URL.
    assert rendered.count('name="csrfmiddlewaretoken"') == 1
    post_form = rendered.split('action="/logout"')[1].split("</form>")[0]
    assert 'name="csrfmiddlewaretoken"' in post_form


def test_header_csrf_token_passes_through_call_and_nested_components():
    rendered = Template(
        '{% load nhsuk %}{% call "card" heading="Account" %}'
        '{% component "header" params %}{% endcall %}'
    ).render(Context({"params": HEADER_WITH_ACTIONS, "csrf_token": "tok123"}))
    assert '<input type="hidden" name="csrfmiddlewaretoken" value="tok123">' in rendered


def test_header_without_csrf_token_renders_no_token_input():
    rendered = Template('{% load nhsuk %}{% component "header" params %}').render(
        Context({"params": HEADER_WITH_ACTIONS})
    )
    assert "csrfmiddlewaretoken" not in rendered


def test_table_is_an_alias_of_tables():
    params = {"caption": "Caption", "head": ["A", "B"], "rows": [["1", "2"]]}
    table = Template('{% load nhsuk %}{% component "table" params %}').render(
        Context({"params": params})
    )
    tables = Template('{% load nhsuk %}{% component "tables" params %}').render(
        Context({"params": params})
    )
    assert normalise(table) == normalise(tables)
    assert "nhsuk-table__caption" in table


def test_a_quoted_option_in_a_template_is_text_not_html():
    """Django marks template literals safe; a component still treats them as text."""
    html = Template(
        '{% component "warning-callout" heading="Fish & <chips>" text="Hello" %}'
    ).render(Context())
    assert "Fish &amp; &lt;chips&gt;" in html
    assert "('text', 'Fish & <chips>')" in normalise(html)


def test_every_component_name_finds_its_macro():
    from phb.components import MACROS, component_macro

    for name in MACROS:
        assert callable(component_macro(name)), name


def test_every_component_of_the_bridge_is_proved_by_fixtures():
    from phb.components import MACROS

    aliases = {"table"}  # of "tables"
    without_fixtures = {"caption"}
    assert set(MACROS) - aliases - without_fixtures == set(COMPONENTS)


def _frontend_version_pairs() -> dict[str, str]:
    """The compatibility table of nhsuk-frontend-jinja's README: npm version -> jinja version."""
    readme = importlib.metadata.metadata("nhsuk-frontend-jinja").get_payload()
    return dict(re.findall(r"^\|\s*(\d+\.\d+\.\d+)\s*\|\s*(\d+\.\d+\.\d+)\s*\|", readme, re.M))


def test_the_jinja_macros_match_the_pinned_nhsuk_frontend():
    """Upgrade `nhsuk-frontend` (package.json) and `nhsuk-frontend-jinja` (pyproject) together:
    the CSS and JavaScript must be the version the macros' markup was written for."""
    npm = json.loads((ROOT / "package.json").read_text())["dependencies"]["nhsuk-frontend"]
    locked = json.loads((ROOT / "package-lock.json").read_text())["packages"][
        "node_modules/nhsuk-frontend"
    ]["version"]
    installed = json.loads((COMPONENTS_DIR.parent.parent.parent / "package.json").read_text())
    jinja = importlib.metadata.version("nhsuk-frontend-jinja")
    pairs = _frontend_version_pairs()
    assert pairs["10.6.1"] == "0.10.2"  # the table is read correctly
    assert npm == locked == installed["version"]
    assert pairs.get(npm) == jinja, (
        f"nhsuk-frontend {npm} needs nhsuk-frontend-jinja {pairs.get(npm)}, not {jinja}"
    )


def test_none_means_an_option_is_not_given():
    """Python has no `undefined`: None options, at any depth, are left out."""
    rendered = Template(
        '{% load nhsuk %}{% component "header" params %}{% component "hint" text="Hi" id=None %}'
    ).render(Context({"params": {"service": {"text": None, "href": "#"}, "search": None}}))
    assert "nhsuk-header__search" not in rendered
    assert 'id="None"' not in rendered
    assert "('start', 'div', (('class', 'nhsuk-hint'),))" in normalise(rendered)


def test_a_call_block_on_a_component_without_a_body_is_an_error():
    with pytest.raises(ValueError, match="takes no body"):
        Template('{% load nhsuk %}{% call "breadcrumb" %}<p>Body</p>{% endcall %}').render(
            Context()
        )


def test_an_unknown_component_is_an_error():
    with pytest.raises(ValueError, match=r"No NHS\.UK component called 'banner'"):
        Template('{% load nhsuk %}{% component "banner" %}').render(Context())


def test_nhsuk_icon_renders_the_package_icon():
    rendered = Template('{% load nhsuk %}{% nhsuk_icon "search" title="Search" %}').render(
        Context()
    )
    tokens = normalise(rendered)
    assert tokens[0].startswith("('start', 'svg', (('aria-label', 'Search'), ('class', 'nhsuk-icon")
    assert "nhsuk-icon--search" in tokens[0]
    assert "('role', 'img')" in tokens[0]


# The environment's two speed-ups must not change a character of the macros' output (the
# fixtures above prove it for their inputs; these prove it for any).

_lines = st.lists(st.sampled_from(["", " ", "a", "<b>", "&amp;", "\t x", "é"]), max_size=6)


@given(
    text=_lines.map("\n".join),
    markup=st.booleans(),
    width=st.one_of(st.integers(0, 6), st.sampled_from(["", "  ", "<>"])),
    first=st.booleans(),
    blank=st.booleans(),
)
def test_the_indent_filter_gives_jinjas_output(text, markup, width, first, blank):
    from jinja2.filters import do_indent
    from markupsafe import Markup

    from phb.components import indent

    value = Markup(text) if markup else text
    ours, jinjas = indent(value, width, first, blank), do_indent(value, width, first, blank)
    assert ours == jinjas
    assert type(ours) is type(jinjas)


def test_option_lookup_gives_jinjas_answer():
    from jinja2 import ChainableUndefined, Environment

    from phb.components import ENVIRONMENT

    plain = Environment(undefined=ChainableUndefined)
    options = {"text": "A", "items": [1], "none": None}
    for name in ["text", "none", "missing", "items", "get", "keys"]:
        ours, jinjas = ENVIRONMENT.getattr(options, name), plain.getattr(options, name)
        assert type(ours) is type(jinjas), name
        if not isinstance(jinjas, ChainableUndefined):
            assert ours == jinjas, name


def test_lists_are_rendered_once_per_shape_and_the_shapes_hold_no_content():
    from phb.components import _render_shape, render_component

    _render_shape.cache_clear()
    rows = [
        [{"text": f"Person {n} <script>"}, {"html": SafeString(f"<b>{n}</b>")}] for n in range(3)
    ]
    first = render_component("table", {"head": [{"text": "Name"}, {"text": "Note"}], "rows": rows})
    assert "Person 1 &lt;script&gt;" in first and "<b>2</b>" in first
    other = [[{"text": "Somebody else"}, {"html": SafeString("<i>x</i>")}] for _ in range(3)]
    render_component("table", {"head": [{"text": "Name"}, {"text": "Note"}], "rows": other})
    info = _render_shape.cache_info()
    assert (info.misses, info.hits) == (1, 1)  # the second table had the same shape


def test_a_shape_holds_no_content():
    from phb.components import _shape

    holes = []
    shape = json.dumps(_shape({"rows": [[{"text": "Ada Lovelace", "href": "/p/1/"}]]}, holes))
    assert "Ada" not in shape and "/p/1/" not in shape
    assert holes == ["Ada Lovelace", "/p/1/"]


def test_a_table_scrolls_sideways_unless_its_rows_stack():
    from phb.components import render_component

    wide = render_component("table", {"caption": "Pay runs", "head": [{"text": "Paid on"}]})
    assert 'class="nhsuk-scroll"' in wide
    assert 'aria-labelledby="table-pay-runs-caption"' in wide
    assert 'id="table-pay-runs-caption"' in wide
    stacked = render_component("table", {"responsive": True, "head": [{"text": "Paid on"}]})
    assert "nhsuk-scroll" not in stacked
    assert "nhsuk-scroll" not in render_component("table", {"scroll": False})


def test_content_that_looks_like_a_placeholder_is_only_text():
    from phb.components import render_component

    html = render_component("table", {"rows": [[{"text": "PHB0000H0E"}, {"text": "ok"}]]})
    assert "PHB0000H0E" in html and "ok" in html


def test_two_long_captions_with_the_same_beginning_name_their_own_tables():
    from phb.components import render_component

    start = "Cost of the care the NHS would otherwise arrange (the cap)"
    weekly = render_component("table", {"caption": f"{start}: each week, line by line"})
    yearly = render_component("table", {"caption": f"{start}: for a year, line by line"})
    ids = [re.search(r'aria-labelledby="([^"]+)"', html).group(1) for html in (weekly, yearly)]
    assert ids[0] != ids[1]
    assert all(len(i) <= len("table-") + 40 + len("-caption") for i in ids)
    assert f'id="{ids[1]}"' in yearly
