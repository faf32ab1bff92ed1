"""NHS.UK components, rendered by NHS England's own Jinja port of the nhsuk-frontend macros.

`nhsuk-frontend-jinja` ships every nhsuk-frontend Nunjucks macro as a Jinja macro with the same
options. This module is the only place that talks to Jinja: one environment for the process,
templates compiled once, and `render_component()`, which calls a macro with Django values.
`{% component %}` and `{% call %}` (phb/templatetags/nhsuk.py) are thin tags over it.

Values cross over unchanged. Django's `SafeString` has `__html__`, so Jinja treats it as
markup, as Nunjucks treats a `SafeString`: `html` options and safe strings stay as they are,
plain strings are escaped.

Lists (tables and summary lists) are rendered once per *shape*: their content (text, html,
links) is swapped for unguessable placeholders, the macro renders that, and the placeholders are
filled in. A 25-row caseload table costs a tenth of a second in the macros and well under a
millisecond this way, with the same markup (a test renders every official fixture both ways).
Only the shapes are kept, which hold no content; rendered pages are never cached.

Every other component is remembered by its exact options (ADR 0038): the macros are pure
functions of them, so the header, footer, buttons and links that repeat on page after page are
rendered once per set of options and then read from memory, byte for byte the same.
"""

import functools
import hashlib
import json
import re
import secrets

from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import slugify
from jinja2 import ChainableUndefined, Environment, FileSystemBytecodeCache, PackageLoader
from jinja2.filters import do_indent
from markupsafe import Markup, escape

_DICT_ATTRIBUTES = frozenset(dir(dict))


class _Environment(Environment):
    def getattr(self, obj, attribute):
        """`params.text` on a dict: Jinja's answer, without first failing an attribute lookup.

        Jinja tries the attribute (which a dict does not have, so an exception) before the key
        (a second exception when the option is not given). The macros look up options
        thousands of times a page; this gives the same value or the same Undefined directly.
        """
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)


def _bytecode_cache() -> FileSystemBytecodeCache | None:
    """Compiled templates on disk (in the temporary directory, private to this user), keyed
    by their source: a new worker loads the 95 templates in about 0.1 s instead of compiling
    them for 2-3 s on its first pages. Only code is stored, never rendered output."""
    try:
        return FileSystemBytecodeCache()
    except (OSError, RuntimeError):  # no usable temporary directory: compile in memory
        return None


# The package's templates ask for ChainableUndefined (`params.hint.text` with no hint) and
# autoescaping. They never change at run time, so nothing checks the files again, and each
# stays compiled for the life of the process.
ENVIRONMENT = _Environment(
    loader=PackageLoader("nhsuk_frontend_jinja"),
    autoescape=True,
    undefined=ChainableUndefined,
    auto_reload=False,
    cache_size=-1,
    bytecode_cache=_bytecode_cache(),
)
# Array attributes (`nhsukAttributes({... "type": "array"})`) as JavaScript's JSON.stringify
# writes them, which is what the Nunjucks macros and their fixtures produce.
ENVIRONMENT.policies["json.dumps_kwargs"] = {"sort_keys": False, "separators": (",", ":")}


def indent(s, width=4, first=False, blank=False):
    """Jinja's `indent` filter with the same output, faster on markup.

    The macros indent every nested component's HTML, and HTML inside HTML again. Jinja splits
    markup into lines of Markup and escapes each again on joining, which made a 25-row table
    cost a tenth of a second; indenting the plain text and marking the result safe once
    gives the same string.
    """
    if not isinstance(s, str):
        return do_indent(s, width, first, blank)
    indention = width if isinstance(width, str) else " " * width
    lines = (str.__str__(s) + "\n").splitlines()
    if blank:
        text = ("\n" + indention).join(lines)
    else:
        text = lines.pop(0)
        if lines:
            text += "\n" + "\n".join(indention + line if line else line for line in lines)
    if first:
        text = indention + text
    return Markup(text) if isinstance(s, Markup) else text  # noqa: S704 - s was markup


ENVIRONMENT.filters["indent"] = indent


# Component name (the nhsuk-frontend folder, as in the documentation and fixtures.json) ->
# the package's macro file and macro name.
MACROS: dict[str, tuple[str, str]] = {
    "action-link": ("nhsuk/components/action-link/macro.jinja", "actionLink"),
    "back-link": ("nhsuk/components/back-link/macro.jinja", "backLink"),
    "breadcrumb": ("nhsuk/components/breadcrumb/macro.jinja", "breadcrumb"),
    "button": ("nhsuk/components/button/macro.jinja", "button"),
    "caption": ("nhsuk/components/caption/macro.jinja", "caption"),
    "card": ("nhsuk/components/card/macro.jinja", "card"),
    "character-count": ("nhsuk/components/character-count/macro.jinja", "characterCount"),
    "checkboxes": ("nhsuk/components/checkboxes/macro.jinja", "checkboxes"),
    "code": ("nhsuk/components/code/macro.jinja", "code"),
    "contents-list": ("nhsuk/components/contents-list/macro.jinja", "contentsList"),
    "date-input": ("nhsuk/components/date-input/macro.jinja", "dateInput"),
    "details": ("nhsuk/components/details/macro.jinja", "details"),
    "do-dont-list": ("nhsuk/components/do-dont-list/macro.jinja", "list"),
    "error-message": ("nhsuk/components/error-message/macro.jinja", "errorMessage"),
    "error-summary": ("nhsuk/components/error-summary/macro.jinja", "errorSummary"),
    "fieldset": ("nhsuk/components/fieldset/macro.jinja", "fieldset"),
    "file-upload": ("nhsuk/components/file-upload/macro.jinja", "fileUpload"),
    "footer": ("nhsuk/components/footer/macro.jinja", "footer"),
    "header": ("nhsuk/components/header/macro.jinja", "header"),
    "heading": ("nhsuk/components/heading/macro.jinja", "heading"),
    "hero": ("nhsuk/components/hero/macro.jinja", "hero"),
    "hint": ("nhsuk/components/hint/macro.jinja", "hint"),
    "images": ("nhsuk/components/images/macro.jinja", "image"),
    "input": ("nhsuk/components/input/macro.jinja", "input"),
    "inset-text": ("nhsuk/components/inset-text/macro.jinja", "insetText"),
    "label": ("nhsuk/components/label/macro.jinja", "label"),
    "legend": ("nhsuk/components/legend/macro.jinja", "legend"),
    "notification-banner": (
        "nhsuk/components/notification-banner/macro.jinja",
        "notificationBanner",
    ),
    "pagination": ("nhsuk/components/pagination/macro.jinja", "pagination"),
    "panel": ("nhsuk/components/panel/macro.jinja", "panel"),
    "password-input": ("nhsuk/components/password-input/macro.jinja", "passwordInput"),
    "radios": ("nhsuk/components/radios/macro.jinja", "radios"),
    "scroll": ("nhsuk/components/scroll/macro.jinja", "scroll"),
    "search-input": ("nhsuk/components/search-input/macro.jinja", "searchInput"),
    "select": ("nhsuk/components/select/macro.jinja", "select"),
    "skip-link": ("nhsuk/components/skip-link/macro.jinja", "skipLink"),
    "summary-list": ("nhsuk/components/summary-list/macro.jinja", "summaryList"),
    "table": ("nhsuk/components/tables/macro.jinja", "table"),  # our alias of "tables"
    "tables": ("nhsuk/components/tables/macro.jinja", "table"),
    "tabs": ("nhsuk/components/tabs/macro.jinja", "tabs"),
    "tag": ("nhsuk/components/tag/macro.jinja", "tag"),
    "task-list": ("nhsuk/components/task-list/macro.jinja", "taskList"),
    "textarea": ("nhsuk/components/textarea/macro.jinja", "textarea"),
    "warning-callout": ("nhsuk/components/warning-callout/macro.jinja", "warningCallout"),
}

ICON = ("nhsuk/macros/icon.jinja", "nhsukIcon")
ATTRIBUTES = ("nhsuk/macros/attributes.jinja", "nhsukAttributes")


@functools.cache
def macro(file: str, name: str):
    """The Jinja macro `name` from the package's `file`, compiled once per process."""
    return getattr(ENVIRONMENT.get_template(file).module, name)


def component_macro(name: str):
    try:
        return macro(*MACROS[name])
    except KeyError:
        raise ValueError(f"No NHS.UK component called {name!r}") from None


# A macro's POST form (the header's sign-out button) needs Django's CSRF token, which the
# official markup cannot know about.
_POST_FORM = re.compile(r"<form\b[^>]*\bmethod=\"post\"[^>]*>", re.IGNORECASE)


def _csrf_token(context) -> str | None:
    token = str(context.get("csrf_token") or "") if context is not None else ""
    return token if token and token != "NOTPROVIDED" else None


def _with_csrf_token(html: str, context) -> str:
    if "<form" not in html or not (token := _csrf_token(context)):
        return html
    field = format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token)
    return _POST_FORM.sub(lambda match: match.group(0) + field, html)


def _options(value):
    """Options with every None left out, at any depth: in Python None means "not given",
    which Jinja can only say by leaving the key out (the macros treat None as a value)."""
    if isinstance(value, dict):
        return {key: _options(item) for key, item in value.items() if item is not None}
    if isinstance(value, list | tuple):
        return [_options(item) for item in value]
    return value


# Components rendered once per shape (see the module's docstring), and the options whose
# values are their content: everything else (classes, formats, sizes, flags) is the shape.
BY_SHAPE = frozenset({"table", "tables", "summary-list"})
CONTENT_KEYS = frozenset({"text", "html", "href", "visuallyHiddenText", "sortValue"})
_NONCE = secrets.token_hex(8).upper()
_HOLE = re.compile(rf"PHB{_NONCE}H(\d+)E")


def _shape(value, holes: list):
    """`value` with every non-empty content string replaced by a numbered placeholder, and the
    HTML that fills each placeholder appended to `holes`."""
    if isinstance(value, dict):
        shaped = {}
        for key, item in value.items():
            if key in CONTENT_KEYS and isinstance(item, str) and item:
                token = f"PHB{_NONCE}H{len(holes)}E"
                html = key == "html" or hasattr(item, "__html__")
                holes.append(str(item) if html else str(escape(item)))
                shaped[key] = Markup(token) if html else token  # noqa: S704 - a placeholder
            else:
                shaped[key] = _shape(item, holes)
        return shaped
    if isinstance(value, list | tuple):
        return [_shape(item, holes) for item in value]
    return value


@functools.lru_cache(maxsize=512)
def _render_shape(name: str, key: str) -> str:
    return str(component_macro(name)(json.loads(key, object_hook=_markup_html)))


def _markup_html(obj: dict) -> dict:
    """JSON has no Markup: an `html` placeholder is HTML again after the round trip."""
    if isinstance(obj.get("html"), str):
        obj["html"] = Markup(obj["html"])  # noqa: S704 - a placeholder (see _shape)
    return obj


def _render_by_shape(name: str, params: dict) -> str:
    holes: list[str] = []
    key = json.dumps(_shape(params, holes), sort_keys=True)
    return _HOLE.sub(lambda match: holes[int(match.group(1))], _render_shape(name, key))


class _NoKey(Exception):
    """An option whose value has no exact key (a date, a lazy translation): not memoised."""


_BODY = Markup(f"PHB{_NONCE}B")  # noqa: S704 - a placeholder for a call block's body


def _key(value):
    """`value` as a hashable key that tells apart everything the macros tell apart: text from
    HTML, True from 1, a dict's order. Raises _NoKey for any other kind of value."""
    if isinstance(value, str):
        return ("html", str.__str__(value)) if hasattr(value, "__html__") else str.__str__(value)
    if isinstance(value, dict):
        return ("dict", tuple((key, _key(item)) for key, item in value.items()))
    if isinstance(value, list | tuple):
        return ("list", tuple(_key(item) for item in value))
    if value is None or type(value) in (bool, int, float):
        return (type(value).__name__, value)
    raise _NoKey


def _unkey(key):
    if isinstance(key, str):
        return key
    kind, value = key
    if kind == "html":
        return Markup(value)  # noqa: S704 - it was HTML when it was keyed
    if kind == "dict":
        return {name: _unkey(item) for name, item in value}
    if kind == "list":
        return [_unkey(item) for item in value]
    return value


@functools.lru_cache(maxsize=1024)
def _render_exact(name: str, key, with_body: bool) -> str:
    """A macro's output for exactly these options: the macros are pure functions of them."""
    if with_body:
        return str(component_macro(name)(_unkey(key), caller=lambda: _BODY))
    return str(component_macro(name)(_unkey(key)))


def _render_memoised(name: str, params: dict, body=None) -> str:
    """The same HTML as calling the macro, from memory when these exact options were rendered
    before: the header, footer, buttons and links are the same on page after page. A call
    block's body is left out of the key and put in after, as the macros output it unchanged."""
    try:
        key = _key(params)
    except _NoKey:
        if body is None:
            return str(component_macro(name)(params))
        return str(component_macro(name)(params, caller=lambda: body))
    html = _render_exact(name, key, body is not None)
    return html if body is None else html.replace(_BODY, str(body), 1)


def render_component(
    name: str, params: dict | None = None, context=None, /, *, caller=None, **options
) -> SafeString:
    """Render the official macro of component `name`; usable from Python as from templates.

    `params` are the macro's options (as documented for nhsuk-frontend); keyword `options`
    win over them. None anywhere means "not given". `caller` is the body of a `{% call %}`
    block: HTML if it is a SafeString, text otherwise. `context`, the Django template context
    the tag is used in, gives POST forms their CSRF token.
    """
    params = _options({**(params or {}), **options})
    if name in ("table", "tables"):
        params = _scrolling(params)
    if caller is None and name in BY_SHAPE:
        html = _render_by_shape(name, params)
    elif caller is None:
        html = _render_memoised(name, params)
    elif component_macro(name).caller:
        # A SafeString stays HTML; plain text is escaped.
        html = _render_memoised(name, params, body=escape(caller))
    else:
        raise ValueError(f"The {name} component takes no body: use its html option")
    return SafeString(_with_csrf_token(str(html), context))


def _scrolling(params: dict) -> dict:
    """A table that does not stack its rows on a small screen (`responsive`) scrolls sideways
    inside the NHS.UK scroll component instead of making the page wider than a phone (WCAG
    1.4.10, reflow). The scroll region is named by the table's caption, whose id comes from
    the table's own id, or else from the caption's words."""
    if params.get("responsive") or "scroll" in params:
        return params
    params = {**params, "scroll": True}
    caption = params.get("caption")
    text = caption.get("text") if isinstance(caption, dict) else caption
    if "id" not in params and isinstance(text, str) and slugify(text):
        params["id"] = f"table-{_short_slug(text)}"
    return params


def _short_slug(text: str, length: int = 40) -> str:
    """The caption's words as an id of at most `length` characters, told apart from another
    caption's with the same beginning ("...: each week" and "...: for a year") by a hash of
    the whole."""
    slug = slugify(text)
    if len(slug) <= length:
        return slug
    digest = hashlib.sha256(slug.encode()).hexdigest()[:8]
    return f"{slug[: length - 9]}-{digest}"


def render_icon(name: str, **params) -> SafeString:
    """The package's inline SVG icon (`nhsukIcon("search", {"title": "Search"})`)."""
    return SafeString(macro(*ICON)(name, params))


def render_attributes(attributes) -> SafeString:
    """The package's `nhsukAttributes` macro: macro-style attributes as HTML."""
    return SafeString(macro(*ATTRIBUTES)(attributes))
