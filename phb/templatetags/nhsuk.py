"""NHS.UK frontend components as Django template tags.

`{% component "input" params %}` renders `templates/components/input.html`.
`params` uses the option names of the official nhsuk-frontend Nunjucks macros,
so the macro documentation (and the fixtures the tests compare against) apply
unchanged. The Nunjucks templates mix option handling with markup; Django's
template language cannot express that option handling, so each component has
a "preparer" here that ports the `{% set %}` logic of its `template.njk`, and
the Django template holds the markup. Nested components (a label inside an
input, a fieldset around radios) are rendered by the templates through the
same `{% component %}` tag, as the Nunjucks macros call each other.

Text options are escaped and `html` options are trusted, as in Nunjucks. A
`SafeString` passed where the macro accepts "string or object" counts as html,
mirroring Nunjucks' `is escaped` test.
"""

import json
from collections.abc import Callable

from django import forms, template
from django.template.base import token_kwargs
from django.template.loader import get_template
from django.utils.html import escape
from django.utils.safestring import SafeData, SafeString, mark_safe

register = template.Library()

Params = dict
Preparer = Callable[[Params], dict | None]
PREPARERS: dict[str, Preparer] = {}


def _preparer(name: str) -> Callable[[Preparer], Preparer]:
    def decorator(func: Preparer) -> Preparer:
        PREPARERS[name] = func
        return func

    return decorator


# --- Nunjucks semantics -----------------------------------------------------


def _js(value) -> bool:
    """JavaScript truthiness: unlike Python, empty lists and dicts are true."""
    if value is None or value is False:
        return False
    if isinstance(value, str):
        return value != ""
    if isinstance(value, int | float):
        return value != 0
    return True


def _str(value) -> str:
    """Stringify like Nunjucks output does (true/false, no "None")."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _d(obj: dict | None, key: str, fallback=None):
    """Nunjucks `obj.key | default(fallback)`: replaces only undefined values."""
    value = (obj or {}).get(key)
    return fallback if value is None else value


def _df(obj: dict | None, key: str, fallback=None):
    """Nunjucks `obj.key | default(fallback, true)`: replaces falsy values."""
    value = (obj or {}).get(key)
    return value if _js(value) else fallback


def _mapping(value) -> dict:
    """The macros' "Support X as string" step: a string becomes {text}."""
    if isinstance(value, dict):
        return value
    if isinstance(value, SafeData):
        return {"html": value}
    if isinstance(value, str):
        return {"text": value}
    return {}


def _get(obj, key: str):
    return obj.get(key) if isinstance(obj, dict) else None


def _pick(obj: dict, *keys: str) -> dict:
    return {key: obj[key] for key in keys if obj.get(key) is not None}


def _content(obj: dict | None, text: str = "text", html: str = "html") -> SafeString:
    """The `html | safe` / `text` (escaped) choice every component makes.

    A `{% call %}` block's body (the "caller" key) wins, as in the macros.
    """
    obj = obj or {}
    if "caller" in obj:
        return obj["caller"]
    if _js(obj.get(html)):
        return mark_safe(_str(obj[html]).strip())  # noqa: S308 - html options are trusted
    if _js(obj.get(text)):
        return escape(_str(obj[text]).strip())
    return SafeString("")


def _has_content(obj: dict | None) -> bool:
    return _js(_get(obj, "text")) or _js(_get(obj, "html"))


def _join(*parts) -> str:
    return " ".join(_str(part) for part in parts if _js(part))


def _modifier(value, allowed: list[str], prefix: str, classes) -> str | None:
    """A `prefix-value` class unless the caller already set one in `classes`."""
    classes = _str(classes)
    if _js(value) and _str(value) in allowed and not any(prefix + a in classes for a in allowed):
        return prefix + _str(value)
    return None


def _flag(on, modifier: str, classes) -> str | None:
    return modifier if _js(on) and modifier not in _str(classes) else None


def _optional(value) -> dict:
    return {"value": value, "optional": True}


@register.filter
def nhsuk_attributes(attributes) -> SafeString:
    """Port of the `nhsukAttributes` macro.

    Each value may be plain (always rendered as name="value") or
    {value, optional, type}: optional attributes are dropped when empty and
    rendered bare when true; type "array" renders JSON.
    """
    if isinstance(attributes, str):
        # Nunjucks passes a pre-rendered attribute string through untouched.
        return mark_safe(attributes)  # noqa: S308
    if not isinstance(attributes, dict):
        return SafeString("")
    html = []
    for name, item in attributes.items():
        options = item if isinstance(item, dict) else {"value": item}
        value = options.get("value")
        optional = options.get("optional") is True
        if value is None:
            escaped = ""
        elif isinstance(value, SafeData):
            escaped = value
        elif options.get("type") == "array" and isinstance(value, list | tuple):
            escaped = (
                json.dumps(value, separators=(",", ":"))
                .replace("<", "\\u003c")
                .replace(">", "\\u003e")
                .replace("&", "\\u0026")
                .replace("'", "\\u0027")
            )
        else:
            escaped = escape(_str(value))
        if optional and value is True:
            html.append(f" {escape(name)}")
        elif not optional or (value is not None and value is not False):
            quote = "'" if '"' in escaped else '"'
            html.append(f" {escape(name)}={quote}{escaped}{quote}")
    return mark_safe("".join(html))  # noqa: S308 - every part is escaped above


def _attrs(*attribute_sets) -> SafeString:
    return mark_safe("".join(nhsuk_attributes(a) for a in attribute_sets))  # noqa: S308


# --- the tag ----------------------------------------------------------------


# Variables of the page that component templates may need: a form in a
# component (the header's account actions) needs the page's CSRF token.
PASSED_THROUGH = ("csrf_token", "request")


def render_component(name: str, params: dict | None = None, parent=None, /, **kwargs) -> SafeString:
    """Render `components/<name>.html` from macro options; usable from Python.

    `parent` is the template context the tag was used in, if any: its
    `PASSED_THROUGH` variables reach the component template.
    """
    params = {**(params or {}), **kwargs}
    prepare = PREPARERS.get(name)
    context = prepare(params) if prepare else {"params": params}
    if context is None:
        return SafeString("")
    for key in PASSED_THROUGH:
        if parent is not None and parent.get(key) is not None:
            context.setdefault(key, parent.get(key))
    return get_template(f"components/{name}.html").render(context)


def _resolve_option(expression, context):
    """A keyword option's value. A quoted literal in a template is text: Django marks
    literals safe, but `heading="Above the cap"` means text, not HTML. HTML goes in the
    macros' `html`/`*Html` options from a variable."""
    if isinstance(expression.var, str) and not expression.filters:
        return str.__str__(expression.var)  # the same text as a plain str, not marked safe
    return expression.resolve(context)


class CallNode(template.Node):
    """`{% call "name" params %}body{% endcall %}`, like a Nunjucks call block."""

    def __init__(self, component_node, nodelist):
        self.component_node = component_node
        self.nodelist = nodelist

    def render(self, context):
        node = self.component_node
        params = node.params.resolve(context) if node.params else None
        kwargs = {key: _resolve_option(value, context) for key, value in node.kwargs.items()}
        kwargs["caller"] = mark_safe(self.nodelist.render(context).strip())  # noqa: S308
        return render_component(node.name.resolve(context), params, context, **kwargs)


class ComponentNode(template.Node):
    def __init__(self, name, params, kwargs):
        self.name = name
        self.params = params
        self.kwargs = kwargs

    def render(self, context):
        params = self.params.resolve(context) if self.params else None
        kwargs = {key: _resolve_option(value, context) for key, value in self.kwargs.items()}
        return render_component(self.name.resolve(context), params, context, **kwargs)


@register.tag
def component(parser, token):
    """`{% component "name" [params] [option=value ...] %}`; keywords win over params."""
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("component needs a component name")
    name = parser.compile_filter(bits[1])
    rest = bits[2:]
    params = None
    if rest and "=" not in rest[0]:
        params = parser.compile_filter(rest.pop(0))
    kwargs = token_kwargs(rest, parser)
    if rest:
        raise template.TemplateSyntaxError(f"component: unexpected arguments {rest}")
    return ComponentNode(name, params, kwargs)


@register.tag(name="call")
def call(parser, token):
    """`{% call "card" params %}...{% endcall %}`: the body is the component's content."""
    node = component(parser, token)
    nodelist = parser.parse(("endcall",))
    parser.delete_first_token()
    return CallNode(node, nodelist)


def _icon(name: str, **params) -> SafeString:
    """Port of the `nhsukIcon` macro (components/_icon.html holds the paths)."""
    classes = _join(
        f"nhsuk-icon nhsuk-icon--{name}",
        _modifier(
            params.get("size"),
            ["25", "50", "75", "100"],
            "nhsuk-icon--size-",
            params.get("classes"),
        ),
        params.get("classes"),
    )
    title = params.get("title")
    attributes = _attrs(
        {
            "class": classes,
            "xmlns": "http://www.w3.org/2000/svg",
            "viewBox": "0 0 24 24",
            "width": "16",
            "height": "16",
            "focusable": "false",
            "role": _optional("img" if _js(title) else False),
            "aria-label": _optional(title if _js(title) else False),
            "aria-hidden": _optional(False if _js(title) else "true"),
        },
        params.get("attributes"),
    )
    return get_template("components/_icon.html").render(
        {"name": name, "title": title, "attributes": attributes}
    )


@register.simple_tag
def nhsuk_icon(name: str, **params) -> SafeString:
    """`{% nhsuk_icon "search" title="Search" %}`: an inline NHS.UK SVG icon."""
    return _icon(name, **params)


# --- text components ----------------------------------------------------------


def _simple(base: str, params: Params, *modifiers) -> dict:
    return {
        "params": params,
        "classes": _join(base, *modifiers, params.get("classes")),
        "attributes": _attrs({"id": _optional(params.get("id"))}, params.get("attributes")),
        "content": _content(params),
    }


@_preparer("hint")
def _hint(params: Params) -> dict:
    return _simple("nhsuk-hint", params)


@_preparer("error-message")
def _error_message(params: Params) -> dict:
    context = _simple("nhsuk-error-message", params)
    context["prefix"] = _d(params, "visuallyHiddenText", "Error")
    return context


@_preparer("inset-text")
def _inset_text(params: Params) -> dict:
    context = _simple("nhsuk-inset-text", params)
    context["prefix"] = _df(params, "visuallyHiddenText", "Information")
    context["is_html"] = _js(params.get("html")) or "caller" in params
    return context


@_preparer("tag")
def _tag(params: Params) -> dict:
    classes = params.get("classes")
    colours = [
        "white",
        "grey",
        "green",
        "aqua-green",
        "blue",
        "purple",
        "pink",
        "red",
        "orange",
        "yellow",
    ]
    return _simple(
        "nhsuk-tag",
        params,
        _modifier(params.get("colour"), colours, "nhsuk-tag--", classes),
        _flag(params.get("colour") is False, "nhsuk-tag--no-colour", classes),
        _flag(params.get("border") is False, "nhsuk-tag--no-border", classes),
    )


@_preparer("caption")
def _caption(params: Params) -> dict:
    classes = "nhsuk-caption"
    size = _modifier(
        params.get("size"), ["m", "l", "xl", "xxl"], "nhsuk-caption-", params.get("classes")
    )
    if size:
        classes = size
    if params.get("placement") in ("after", "end"):
        classes += " nhsuk-caption--bottom"
    context = _simple(classes, params)
    context["element"] = _str(_d(params, "element", "span")).lower()
    return context


def _caption_params(caption, size) -> dict:
    caption = _mapping(caption)
    return {
        **_pick(caption, "id", "element", "text", "html", "placement", "classes", "attributes"),
        "size": _d(caption, "size", size),
    }


@_preparer("heading")
def _heading(params: Params) -> dict | None:
    if not _has_content(params):
        return None
    class_name = _d(params, "className", "nhsuk-heading")
    prefix = _d(params, "classPrefix", class_name + "-")
    classes_names = class_name
    size = None
    sizes = _d(params, "sizes", ["xxs", "xs", "s", "m", "l", "xl"])
    given = _str(params.get("classes"))
    if (
        _js(params.get("size"))
        and params["size"] in sizes
        and not any(prefix + s in given for s in ["xxs", "xs", "s", "m", "l", "xl"])
    ):
        size = params["size"]
        if prefix.replace(class_name, "") == "-":
            classes_names = prefix + size
        else:
            classes_names = f"{classes_names} {prefix}{size}"
    classes_names = _join(classes_names, params.get("classes"))
    caption = _caption_params(params.get("caption"), size)
    placement = caption.get("placement")
    return {
        "params": params,
        "element": _str(_d(params, "element", "h" + _str(_df(params, "level", "1")))).lower(),
        "attributes": _attrs(
            {
                "class": _optional(classes_names or False),
                "id": _optional(params.get("id")),
            },
            params.get("attributes"),
        ),
        "content": _content(params),
        "caption": caption,
        "caption_start": placement == "start" or (_has_content(caption) and not placement),
    }


def _heading_options(params: Params):
    """Shared label/legend logic: isPageHeading and heading/caption options."""
    heading = params.get("heading")
    if isinstance(heading, str) and heading:
        heading = _mapping(heading)
    has_heading = (_js(params.get("isPageHeading")) and heading is not False) or (
        params.get("isPageHeading") is not False and _js(heading)
    )
    heading = heading if isinstance(heading, dict) else {}
    size = _d(heading, "size", params.get("size")) if has_heading else params.get("size")
    caption = _caption_params(
        _d(heading, "caption", params.get("caption")) if has_heading else params.get("caption"),
        size,
    )
    if has_heading:
        text = _d(heading, "text", params.get("text"))
        html = _d(heading, "html", params.get("html"))
        hidden = _d(heading, "visuallyHiddenText", params.get("visuallyHiddenText"))
    else:
        text = _d(params, "text", heading.get("text"))
        html = _d(params, "html", heading.get("html"))
        hidden = params.get("visuallyHiddenText")
    if "caller" in params:
        html = params["caller"]
    return (
        heading,
        has_heading,
        size,
        caption,
        {"text": text, "html": html, "visuallyHiddenText": hidden},
    )


@_preparer("label")
def _label(params: Params) -> dict | None:
    heading, has_heading, size, caption, label = _heading_options(params)
    if not _has_content(label):
        return None
    placement = caption.get("placement")
    inner = {
        **label,
        "id": params.get("id"),
        "caption": caption if not placement or placement in ("start", "end") else None,
        "size": size,
        "sizes": ["s", "m", "l", "xl"],
        "className": "nhsuk-label",
        "classPrefix": "nhsuk-label--",
        "classes": params.get("classes"),
        "attributes": _attrs({"for": _optional(params.get("for"))}, params.get("attributes")),
        "element": "label",
    }
    return {
        "label": inner,
        "has_heading": has_heading,
        "element": "h" + _str(_df(heading, "level", "1")),
        "heading_attributes": _attrs(
            {"id": _optional(heading.get("id"))}, heading.get("attributes")
        ),
        "caption": caption,
        "caption_before": placement == "before",
        "caption_after": placement == "after",
    }


@_preparer("legend")
def _legend(params: Params) -> dict | None:
    heading, has_heading, size, caption, legend = _heading_options(params)
    if caption.get("placement") == "before":
        caption["placement"] = "start"
    if not _has_content(legend):
        return None
    classes = _join(
        "nhsuk-fieldset__legend",
        _modifier(size, ["s", "m", "l", "xl"], "nhsuk-fieldset__legend--", params.get("classes")),
        params.get("classes"),
    )
    placement = caption.get("placement")
    inner_caption = caption if not placement or placement in ("start", "end") else None
    if has_heading:
        inner = {
            "id": heading.get("id"),
            "level": heading.get("level"),
            "className": "nhsuk-fieldset__heading",
            "attributes": heading.get("attributes"),
        }
    else:
        inner = {
            "id": params.get("id"),
            "className": classes,
            "attributes": params.get("attributes"),
            "element": "legend",
        }
    inner.update(
        html=_content(legend),
        visuallyHiddenText=legend["visuallyHiddenText"],
        caption=inner_caption,
    )
    return {
        "heading": inner,
        "has_heading": has_heading,
        "attributes": _attrs(
            {"class": classes, "id": _optional(params.get("id"))}, params.get("attributes")
        ),
        "caption": caption,
        "caption_after": placement == "after",
    }


@_preparer("fieldset")
def _fieldset(params: Params) -> dict:
    legend = _mapping(params.get("legend"))
    return {
        "attributes": _attrs(
            {
                "class": _join("nhsuk-fieldset", params.get("classes")),
                "id": _optional(params.get("id")),
                "role": _optional(params.get("role")),
                "aria-describedby": _optional(params.get("describedBy") or False),
            },
            params.get("attributes"),
        ),
        "legend": _pick(
            legend,
            "id",
            "text",
            "html",
            "visuallyHiddenText",
            "caption",
            "size",
            "heading",
            "isPageHeading",
            "classes",
            "attributes",
        ),
        "content": _content(params, text="_"),
    }


# --- form fields --------------------------------------------------------------


def _field_messages(params: Params, id_prefix, described_by: str = "") -> dict:
    """The hint and error message every form component renders before its inputs."""
    hint = _mapping(params.get("hint"))
    error = _mapping(params.get("errorMessage"))
    context = {"hint": None, "error": None}
    if _has_content(hint):
        hint_id = _d(hint, "id", f"{_str(id_prefix) or 'undefined'}-hint")
        described_by = f"{described_by} {hint_id}".strip()
        context["hint"] = {**_pick(hint, "html", "text", "classes", "attributes"), "id": hint_id}
    if _has_content(error):
        error_id = _d(error, "id", f"{_str(id_prefix) or 'undefined'}-error")
        described_by = f"{described_by} {error_id}".strip()
        context["error"] = {
            **_pick(error, "html", "text", "visuallyHiddenText", "classes", "attributes"),
            "id": error_id,
        }
    context["described_by"] = described_by
    context["has_error"] = _has_content(error) or params.get("errorMessage") is True
    return context


def _label_params(params: Params, id_) -> dict:
    label = _mapping(params.get("label"))
    return {
        **_pick(
            label,
            "html",
            "text",
            "visuallyHiddenText",
            "caption",
            "id",
            "size",
            "heading",
            "isPageHeading",
            "classes",
            "attributes",
        ),
        "for": _d(label, "for", id_),
    }


def _single_field(params: Params, base: str) -> dict:
    """Shared by input, textarea and select: form group, label, hint, error."""
    id_ = params.get("id") or params.get("name")
    form_group = params.get("formGroup") or {}
    context = _field_messages(params, id_, params.get("describedBy") or "")
    before = form_group.get("beforeInput") or {}
    after = form_group.get("afterInput") or {}
    context.update(
        params=params,
        id=id_,
        label=_label_params(params, id_),
        form_group_classes=_join(
            "nhsuk-form-group",
            context["has_error"] and "nhsuk-form-group--error",
            form_group.get("classes"),
        ),
        form_group_attributes=nhsuk_attributes(form_group.get("attributes")),
        before=_content(before),
        after=_content(after),
        has_before=_has_content(before),
        has_after=_has_content(after),
        error_class=f"{base}--error" if context["has_error"] else None,
    )
    return context


@_preparer("input")
def _input(params: Params) -> dict:
    context = _single_field(params, "nhsuk-input")
    given = params.get("classes")
    wrapper = params.get("inputWrapper") or {}
    large = _flag(params.get("large"), "nhsuk-input--large", given)
    prefix = _mapping(params.get("prefix"))
    suffix = _mapping(params.get("suffix"))
    spellcheck = params.get("spellcheck")
    context.update(
        prefix=prefix if _has_content(prefix) else None,
        suffix=suffix if _has_content(suffix) else None,
        prefix_content=_content(prefix),
        suffix_content=_content(suffix),
        wrapper_classes=_join(
            "nhsuk-input-wrapper", large and "nhsuk-input-wrapper--large", wrapper.get("classes")
        ),
        wrapper_attributes=nhsuk_attributes(wrapper.get("attributes")),
        has_wrapper=_has_content(prefix)
        or _has_content(suffix)
        or context["has_before"]
        or context["has_after"]
        or _js(wrapper.get("classes"))
        or _js(wrapper.get("attributes")),
        input_attributes=_attrs(
            {
                "class": _join(
                    "nhsuk-input",
                    large,
                    _flag(params.get("code"), "nhsuk-input--code", given),
                    context["error_class"],
                    _modifier(
                        params.get("width"),
                        ["2", "3", "4", "5", "10", "20", "30"],
                        "nhsuk-input--width-",
                        given,
                    ),
                    given,
                ),
                "id": context["id"],
                "name": params.get("name"),
                "type": _df(params, "type", "text"),
                "spellcheck": _optional(
                    _str(spellcheck) if isinstance(spellcheck, bool) else False
                ),
                "value": _optional(params.get("value")),
                "disabled": _optional(params.get("disabled")),
                "aria-describedby": _optional(context["described_by"] or False),
                "autocomplete": _optional(params.get("autocomplete")),
                "autocapitalize": _optional(params.get("autocapitalize")),
                "pattern": _optional(params.get("pattern")),
                "placeholder": _optional(params.get("placeholder")),
                "inputmode": _optional(params.get("inputmode")),
            },
            params.get("attributes"),
        ),
    )
    return context


@_preparer("textarea")
def _textarea(params: Params) -> dict:
    context = _single_field(params, "nhsuk-textarea")
    spellcheck = params.get("spellcheck")
    form_group = params.get("formGroup") or {}
    context.update(
        # Unlike input and select, textarea checks only that the option exists.
        has_before=_js(form_group.get("beforeInput")),
        has_after=_js(form_group.get("afterInput")),
        textarea_attributes=_attrs(
            {
                "class": _join("nhsuk-textarea", context["error_class"], params.get("classes")),
                "id": context["id"],
                "name": params.get("name"),
                "rows": _df(params, "rows", 5),
                "spellcheck": _optional(
                    _str(spellcheck) if isinstance(spellcheck, bool) else False
                ),
                "disabled": _optional(_js(params.get("disabled"))),
                "aria-describedby": _optional(context["described_by"] or False),
                "autocomplete": _optional(params.get("autocomplete") or False),
            },
            params.get("attributes"),
        ),
        value=_str(params.get("value")),
    )
    return context


@_preparer("select")
def _select(params: Params) -> dict:
    context = _single_field(params, "nhsuk-select")
    wrapper = params.get("inputWrapper") or {}
    value = params.get("value")
    options = []
    for item in params.get("items") or []:
        if not _js(item):
            continue
        if item.get("divider"):
            options.append({"divider": True})
            continue
        effective = _d(item, "value", item.get("text"))
        selected = item.get("selected")
        if not _js(selected):
            selected = _js(value) and _str(effective) == _str(value) and selected is not False
        options.append(
            {
                "attributes": _attrs(
                    {
                        "value": _optional(_str(item["value"]) if "value" in item else None),
                        "selected": _optional(bool(selected)),
                        "disabled": _optional(_js(item.get("disabled"))),
                    },
                    item.get("attributes"),
                ),
                "text": _str(item.get("text")),
            }
        )
    context.update(
        options=options,
        has_wrapper=context["has_before"]
        or context["has_after"]
        or _js(wrapper.get("classes"))
        or _js(wrapper.get("attributes")),
        wrapper_classes=_join("nhsuk-input-wrapper", wrapper.get("classes")),
        wrapper_attributes=nhsuk_attributes(wrapper.get("attributes")),
        select_attributes=_attrs(
            {
                "class": _join("nhsuk-select", context["error_class"], params.get("classes")),
                "id": context["id"],
                "name": params.get("name"),
                "disabled": _optional(_js(params.get("disabled"))),
                "aria-describedby": _optional(context["described_by"] or False),
            },
            params.get("attributes"),
        ),
    )
    return context


def _choices(params: Params, kind: str) -> dict:
    """Radios and checkboxes: the two Nunjucks templates differ only in details."""
    base = f"nhsuk-{kind}"
    given = params.get("classes")
    form_group = params.get("formGroup") or {}
    fieldset = params.get("fieldset")
    id_prefix = params.get("idPrefix") or params.get("name")
    described_by = ""
    if kind == "checkboxes":
        described_by = params.get("describedBy") or ""
    if _js(_get(fieldset, "describedBy")):
        described_by = fieldset["describedBy"]
    context = _field_messages(params, id_prefix, described_by)
    has_fieldset = _js(fieldset)
    items = []
    for index, item in enumerate(params.get("items") or [], start=1):
        if not _js(item):
            continue
        item_id = item.get("id") or f"{_str(id_prefix)}{'-' + str(index) if index > 1 else ''}"
        inclusive = kind == "checkboxes" and item.get("behaviour") == "inclusive"
        if item.get("divider"):
            items.append({"divider": item["divider"], "inclusive": inclusive})
            continue
        label = _mapping(item.get("label"))
        hint = _mapping(item.get("hint"))
        checked = item.get("checked")
        if not _js(checked):
            if kind == "radios":
                matches = _js(params.get("value")) and _str(item.get("value")) == _str(
                    params.get("value")
                )
            else:
                matches = _js(params.get("values")) and item.get("value") in params["values"]
            checked = matches and item.get("checked") is not False
        hint_id = _d(hint, "id", f"{item_id}-item-hint") if _has_content(hint) else ""
        if kind == "checkboxes":
            item_described_by = (
                f"{'' if has_fieldset else context['described_by']} {hint_id}".strip()
            )
            behaviour = "exclusive" if item.get("exclusive") else item.get("behaviour")
            behaviour_group = _d(item, "exclusiveGroup", item.get("behaviourGroup"))
        else:
            item_described_by, behaviour, behaviour_group = hint_id, None, None
        conditional = _content(_get(item, "conditional") or {}, text="_")
        disabled = _js(item.get("disabled")) or (
            item.get("disabled") is not False and _js(params.get("disabled"))
        )
        items.append(
            {
                "inclusive": inclusive,
                "input_attributes": _attrs(
                    {
                        "class": _join(f"{base}__input", item.get("classes")),
                        "id": item_id,
                        "name": item.get("name") or params.get("name")
                        if kind == "checkboxes"
                        else params.get("name"),
                        "type": "radio" if kind == "radios" else "checkbox",
                        "value": _str(item.get("value")),
                        "checked": _optional(bool(checked)),
                        "disabled": _optional(disabled),
                        "data-behaviour": _optional(behaviour or False),
                        "data-behaviour-group": _optional(behaviour_group or False),
                        "data-aria-controls": _optional(
                            f"conditional-{item_id}" if conditional else False
                        ),
                        "aria-describedby": _optional(item_described_by or False),
                    },
                    item.get("attributes"),
                ),
                "label": {
                    **_pick(label, "visuallyHiddenText", "id", "attributes"),
                    "html": _d(label, "html", item.get("html")),
                    "text": _d(label, "text", item.get("text")),
                    "for": item_id,
                    "classes": _join(f"{base}__label", label.get("classes")),
                },
                "hint": {
                    **_pick(hint, "html", "text", "attributes"),
                    "id": hint_id,
                    "classes": _join(f"{base}__hint", hint.get("classes")),
                }
                if hint_id
                else None,
                "conditional": conditional,
                "conditional_id": f"conditional-{item_id}",
                "checked": checked,
            }
        )
    context.update(
        base=base,
        items=items,
        fieldset=_fieldset_params(fieldset, context["described_by"]) if has_fieldset else None,
        form_group_classes=_join(
            "nhsuk-form-group",
            context["has_error"] and "nhsuk-form-group--error",
            form_group.get("classes"),
        ),
        form_group_attributes=nhsuk_attributes(form_group.get("attributes")),
        before=_content(form_group.get("beforeInputs")),
        after=_content(form_group.get("afterInputs")),
        attributes=_attrs(
            {
                "class": _join(
                    base,
                    _flag(params.get("small"), f"{base}--small", given),
                    _flag(params.get("inline"), f"{base}--inline", given),
                    given,
                ),
                "id": _optional(params.get("id")),
                "data-module": base,
            },
            params.get("attributes"),
        ),
    )
    return context


def _fieldset_params(fieldset: dict, described_by: str, role=None) -> dict:
    return {
        **_pick(fieldset, "legend", "id", "classes", "attributes"),
        "role": _d(fieldset, "role", role),
        "describedBy": described_by,
    }


@_preparer("radios")
def _radios(params: Params) -> dict:
    return _choices(params, "radios")


@_preparer("checkboxes")
def _checkboxes(params: Params) -> dict:
    return _choices(params, "checkboxes")


@_preparer("date-input")
def _date_input(params: Params) -> dict:
    values = params.get("values") or {}
    defaults = {
        "day": _d(params, "day", {"name": "day", "value": values.get("day"), "width": 2}),
        "month": _d(params, "month", {"name": "month", "value": values.get("month"), "width": 2}),
        "year": _d(params, "year", {"name": "year", "value": values.get("year"), "width": 4}),
    }
    items = params.get("items") or list(defaults.values())
    fieldset = params.get("fieldset")
    form_group = params.get("formGroup") or {}
    described_by = _get(fieldset, "describedBy") or ""
    context = _field_messages(params, params.get("id"), described_by)

    def has_error(item) -> bool:
        return _js(item.get("error")) or "nhsuk-input--error" in _str(item.get("classes"))

    any_error = any(has_error(item) for item in items if _js(item))
    inputs = []
    for item in items:
        if not _js(item):
            continue
        name = item.get("name")
        value = item.get("value")
        width = _d(item, "width", 2)
        for part, default in defaults.items():
            default_name = _get(default, "name")
            if item is default or (_js(name) and name in (part, default_name)):
                name = _d(item, "name", part)
                value = _d(item, "value", _get(default, "value"))
                if part == "year":
                    width = _d(item, "width", 4)
                break
        item_classes = _str(item.get("classes")).strip()
        label = _mapping(item.get("label"))
        error = ("nhsuk-input--error" not in item_classes) and (
            has_error(item)
            or (
                item.get("error") is not False
                and (
                    _has_content(_mapping(params.get("errorMessage")))
                    or params.get("errorMessage") is True
                )
                and not any_error
            )
        )
        name_prefix = params.get("namePrefix")
        inputs.append(
            {
                "label": {
                    **_pick(label, "html", "visuallyHiddenText", "id", "for", "attributes"),
                    "text": _d(label, "text", _str(name).capitalize()),
                    "classes": _join("nhsuk-date-input__label", label.get("classes")),
                },
                "errorMessage": error,
                "id": item.get("id") or f"{_str(params.get('id')) or 'undefined'}-{_str(name)}",
                "name": f"{name_prefix}[{name}]" if _js(name_prefix) else name,
                "value": _d({"v": value}, "v", values.get(_str(name))),
                "type": _df(item, "type", "text"),
                "width": width,
                "inputmode": item.get("inputmode") or "numeric",
                "disabled": _d(item, "disabled", params.get("disabled")),
                "classes": _join("nhsuk-date-input__input", item_classes),
                **_pick(
                    item,
                    "prefix",
                    "suffix",
                    "spellcheck",
                    "autocomplete",
                    "autocapitalize",
                    "pattern",
                    "describedBy",
                    "attributes",
                ),
            }
        )
    context.update(
        inputs=inputs,
        fieldset=_fieldset_params(fieldset, context["described_by"], role="group")
        if _js(fieldset)
        else None,
        form_group_classes=_join(
            "nhsuk-form-group",
            (context["has_error"] or any_error) and "nhsuk-form-group--error",
            form_group.get("classes"),
        ),
        form_group_attributes=nhsuk_attributes(form_group.get("attributes")),
        before=_content(form_group.get("beforeInputs")),
        after=_content(form_group.get("afterInputs")),
        attributes=_attrs(
            {
                "class": _join("nhsuk-date-input", params.get("classes")),
                "id": _optional(params.get("id")),
            },
            params.get("attributes"),
        ),
    )
    return context


# --- navigation and actions ---------------------------------------------------


def _element(params: Params) -> str:
    """Buttons and links pick <a> for an href, else <button>, unless told."""
    if _js(params.get("element")):
        return _str(params["element"]).lower()
    return "a" if _js(params.get("href")) and not _js(params.get("type")) else "button"


@_preparer("button")
def _button(params: Params) -> dict:
    given = params.get("classes")
    variants = ["brand", "login", "reverse", "secondary", "secondary-solid", "warning"]
    element = _element(params)
    icon = params.get("icon")
    if isinstance(icon, str) and icon:
        icon = {"name": icon, "placement": "start"}
    icon = icon if isinstance(icon, dict) else {}
    if _js(icon.get("html")):
        icon_html = mark_safe(_str(icon["html"]).strip())  # noqa: S308 - html options are trusted
    elif _js(icon.get("name")):
        icon_html = _icon(icon["name"])
    else:
        icon_html = None
    prevent = params.get("preventDoubleClick")
    attributes = {
        "class": _join(
            "nhsuk-button",
            _modifier(params.get("variant"), variants, "nhsuk-button--", given),
            _flag(_js(params.get("icon")), "nhsuk-button--icon", given),
            _flag(params.get("small"), "nhsuk-button--small", given),
            given,
        ),
        "id": _optional(params.get("id")),
        "name": _optional(params.get("name") if element in ("button", "input") else False),
        "data-module": "nhsuk-button",
        "data-prevent-double-click": _optional(
            _str(prevent) if isinstance(prevent, bool) else False
        ),
    }
    if element in ("button", "input"):
        attributes.update(
            {
                "type": _d(params, "type", "submit"),
                "value": _optional(
                    params.get("text") if element == "input" else params.get("value")
                ),
                "disabled": _optional(params.get("disabled")),
                "aria-label": _optional(params.get("ariaLabel")),
                "aria-disabled": _optional("true" if _js(params.get("disabled")) else False),
            }
        )
    elif element == "a":
        attributes.update(
            {
                "href": _d(params, "href", "#"),
                "role": "button",
                "draggable": "false",
                "aria-label": _optional(params.get("ariaLabel")),
            }
        )
    return {
        "element": element,
        "attributes": _attrs(attributes, params.get("attributes")),
        "content": _content(params),
        "icon": icon_html,
        "icon_start": icon.get("placement") == "start",
        "icon_end": icon.get("placement") == "end",
        "wrap": icon_html is not None and "caller" not in params,
    }


@_preparer("back-link")
def _back_link(params: Params) -> dict:
    given = params.get("classes")
    element = _element(params)
    attributes = {
        "class": _join(
            "nhsuk-back-link",
            _flag(params.get("variant") == "reverse", "nhsuk-back-link--reverse", given),
            given,
        ),
        "id": _optional(params.get("id")),
    }
    if element == "button":
        attributes["type"] = _d(params, "type", "submit")
    elif element == "a":
        attributes["href"] = _d(params, "href", "#")
    content = _content(params, text="_") or escape(_str(_df(params, "text", "Back")).strip())
    return {
        "params": params,
        "element": element,
        "attributes": _attrs(attributes, params.get("attributes")),
        "content": content,
    }


@_preparer("skip-link")
def _skip_link(params: Params) -> dict:
    return {
        "attributes": _attrs(
            {
                "class": _join("nhsuk-skip-link", params.get("classes")),
                "id": _optional(params.get("id")),
                "data-module": "nhsuk-skip-link",
                "href": _df(params, "href", "#maincontent"),
            },
            params.get("attributes"),
        ),
        "content": _content(params, text="_")
        or escape(_str(_df(params, "text", "Skip to main content")).strip()),
    }


@_preparer("action-link")
def _action_link(params: Params) -> dict:
    given = params.get("classes")
    element = _element(params)
    attributes = {
        "class": _join(
            "nhsuk-action-link",
            _flag(params.get("variant") == "reverse", "nhsuk-action-link--reverse", given),
            given,
        ),
        "id": _optional(params.get("id")),
    }
    if element == "button":
        attributes["type"] = _d(params, "type", "submit")
    elif element == "a":
        attributes["href"] = _d(params, "href", "#")
        attributes["target"] = _optional("_blank" if _js(params.get("openInNewWindow")) else False)
    return {
        "element": element,
        "attributes": _attrs(attributes, params.get("attributes")),
        "icon": _icon("arrow-right-circle"),
        "content": _content(params),
    }


@_preparer("details")
def _details(params: Params) -> dict:
    given = params.get("classes")
    summary = _mapping(params.get("summary")) or {
        "text": params.get("summaryText"),
        "html": params.get("summaryHtml"),
    }
    return {
        "attributes": _attrs(
            {
                "class": _join(
                    "nhsuk-details",
                    _flag(params.get("variant") == "reverse", "nhsuk-details--reverse", given),
                    given,
                ),
                "id": _optional(params.get("id")),
            },
            params.get("attributes"),
            {"open": _optional(_js(params.get("open")))},
        ),
        "summary_classes": _join("nhsuk-details__summary", summary.get("classes")),
        "summary_attributes": nhsuk_attributes(summary.get("attributes")),
        "summary": _content(summary),
        "content": _content(params),
    }


@_preparer("breadcrumb")
def _breadcrumb(params: Params) -> dict:
    given = params.get("classes")
    variant = params.get("variant")
    items = [item for item in params.get("items") or [] if _js(_get(item, "href"))]
    links = [
        {
            "href": item["href"],
            "attributes": nhsuk_attributes(item.get("attributes")),
            "content": _content(item),
        }
        for item in items
    ]
    last = (params.get("items") or [{}])[-1] or {}
    if _js(params.get("text")) and _js(params.get("href")):
        links.append({"href": params["href"], "content": escape(_str(params["text"]).strip())})
        last_href, last_text = params["href"], params["text"]
    else:
        last_href, last_text = last.get("href"), last.get("text")
    back = params.get("backLink") or {}
    back_given = _has_content(back)
    return {
        "attributes": _attrs(
            {
                "class": _join(
                    "nhsuk-breadcrumb",
                    _flag(variant == "reverse", "nhsuk-breadcrumb--reverse", given),
                    given,
                ),
                "id": _optional(params.get("id")),
                "aria-label": _df(params, "ariaLabel", _df(params, "labelText", "Breadcrumb")),
            },
            params.get("attributes"),
        ),
        "links": links,
        "back_link": {
            **_pick(back, "id", "type", "classes", "element"),
            "visuallyHiddenText": _d(back, "visuallyHiddenText", "Back to"),
            "text": back.get("text") if back_given else last_text,
            "html": back.get("html") if back_given else None,
            "href": _d(back, "href", last_href),
            "attributes": _d(back, "attributes", last.get("attributes")),
            "variant": _d(back, "variant", variant),
        },
    }


@_preparer("pagination")
def _pagination(params: Params) -> dict:
    items = [item for item in params.get("items") or [] if _js(item)]
    link = {}
    for direction, url, page in (
        ("previous", "previousUrl", "previousPage"),
        ("next", "nextUrl", "nextPage"),
    ):
        if _js(params.get(url)) or _js(params.get(page)):
            options = {"href": params.get(url), "labelText": params.get(page)}
        else:
            options = params.get(direction) or {}
        label = options.get("label")
        label = (
            label
            if isinstance(label, dict)
            else (_mapping(label) if _js(label) else {"text": options.get("labelText")})
        )
        link[direction] = {
            "href": options.get("href"),
            "title": _content(options),
            "label": _content(label),
            "attributes": nhsuk_attributes(options.get("attributes")),
        }
    pages = []
    for item in items:
        pages.append(
            {
                "classes": _join(
                    "nhsuk-pagination__item",
                    _js(item.get("current")) and "nhsuk-pagination__item--current",
                    _js(item.get("ellipsis")) and "nhsuk-pagination__item--ellipsis",
                    item.get("classes"),
                ),
                "ellipsis": _js(item.get("ellipsis")),
                "attributes": _attrs(
                    {
                        "class": "nhsuk-pagination__link",
                        "href": _str(item.get("href")),
                        "aria-label": _d(
                            item,
                            "ariaLabel",
                            _d(item, "visuallyHiddenText", f"Page {_str(item.get('number'))}"),
                        ),
                        "aria-current": _optional("page" if _js(item.get("current")) else False),
                    },
                    item.get("attributes"),
                ),
                "number": _str(item.get("number")),
            }
        )
    return {
        "attributes": _attrs(
            {
                "class": _join(
                    "nhsuk-pagination",
                    bool(items) and "nhsuk-pagination--numbered",
                    params.get("classes"),
                ),
                "id": _optional(params.get("id")),
                "role": "navigation",
                "aria-label": _df(params, "ariaLabel", _df(params, "landmarkLabel", "Pagination")),
            },
            params.get("attributes"),
        ),
        "pages": pages,
        "previous": link["previous"],
        "next": link["next"],
        "arrow_left": _icon("arrow-left"),
        "arrow_right": _icon("arrow-right"),
    }


# --- content containers -------------------------------------------------------


@_preparer("panel")
def _panel(params: Params) -> dict:
    given = params.get("classes")
    heading = params.get("heading")
    heading = (
        heading
        if isinstance(heading, dict)
        else {
            "text": heading
            if isinstance(heading, str) and not isinstance(heading, SafeData)
            else params.get("titleText"),
            "html": heading if isinstance(heading, SafeData) else params.get("titleHtml"),
            "level": params.get("headingLevel"),
            "size": params.get("titleSize"),
            "classes": params.get("titleClasses"),
        }
    )
    return {
        "attributes": _attrs(
            {
                "class": _join(
                    "nhsuk-panel",
                    _flag(
                        params.get("variant") == "interruption", "nhsuk-panel--interruption", given
                    ),
                    given,
                ),
                "id": _optional(params.get("id")),
            },
            params.get("attributes"),
        ),
        "heading": {
            **_pick(
                heading,
                "id",
                "text",
                "html",
                "visuallyHiddenText",
                "caption",
                "href",
                "level",
                "size",
                "classes",
                "attributes",
            ),
            "sizes": ["m", "l", "xl"],
            "className": "nhsuk-panel__heading",
            "classPrefix": "nhsuk-panel__heading--",
        },
        "content": _content(params),
    }


@_preparer("notification-banner")
def _notification_banner(params: Params) -> dict:
    variant = params.get("variant") or params.get("type")
    given = params.get("classes")
    title = params.get("title")
    title = (
        title
        if isinstance(title, dict)
        else {
            "id": params.get("titleId"),
            "text": title
            if isinstance(title, str) and not isinstance(title, SafeData)
            else params.get("titleText"),
            "html": title if isinstance(title, SafeData) else params.get("titleHtml"),
            "level": params.get("titleHeadingLevel"),
        }
    )
    heading = _mapping(params.get("heading"))
    if _js(params.get("role")):
        role = params["role"]
    else:
        role = "alert" if variant == "success" else "region"
    title_id = _df(title, "id", "nhsuk-notification-banner-title")
    disable_focus = params.get("disableAutoFocus")
    has_heading = _has_content(heading)
    return {
        "attributes": _attrs(
            {
                "class": _join(
                    "nhsuk-notification-banner",
                    given,
                    _flag(variant == "success", "nhsuk-notification-banner--success", given),
                ),
                "id": _optional(params.get("id")),
                "data-module": "nhsuk-notification-banner",
                "data-disable-auto-focus": _optional(
                    _str(disable_focus) if isinstance(disable_focus, bool) else False
                ),
                "role": role,
                "aria-labelledby": title_id,
            },
            params.get("attributes"),
        ),
        "title": {
            **_pick(title, "html", "visuallyHiddenText", "classes", "attributes"),
            "id": title_id,
            "text": _d(title, "text", "Success" if variant == "success" else "Important"),
            "level": _d(title, "level", _d(title, "headingLevel", 2)),
            "className": "nhsuk-notification-banner__title",
        },
        "heading": {
            **_pick(
                heading,
                "id",
                "text",
                "html",
                "visuallyHiddenText",
                "caption",
                "href",
                "classes",
                "attributes",
                "element",
            ),
            "level": _d(heading, "level", 3),
            "className": "nhsuk-notification-banner__heading",
        }
        if has_heading
        else None,
        "is_html": _js(params.get("html")) or "caller" in params,
        "content": _content(params),
        "text_class": "nhsuk-body" if has_heading else "nhsuk-notification-banner__heading",
    }


def _actions(options) -> list[dict]:
    """Card and summary-list actions: a list, or {items: [...]}."""
    if isinstance(options, list) and options:
        actions = [action for action in options if isinstance(action, dict)]
        if actions:
            return actions
    return [action for action in _get(options, "items") or [] if isinstance(action, dict)]


def _card_action(action: dict, parent: dict | None) -> dict:
    heading = _mapping(_get(parent, "heading"))
    element = "a" if _js(action.get("href")) and not _js(action.get("type")) else "button"
    attributes = {
        "class": _join("nhsuk-link", action.get("classes")),
        "id": _optional(action.get("id")),
    }
    if element == "button":
        attributes.update(
            name=_optional(action.get("name")),
            type=_d(action, "type", "submit"),
            value=_optional(action.get("value")),
        )
    else:
        attributes["href"] = _d(action, "href", "#")
    return {
        "element": element,
        "attributes": _attrs(attributes, action.get("attributes")),
        "content": _content(action),
        "hidden": action.get("visuallyHiddenText"),
        "heading": _content(heading),
    }


@_preparer("card")
def _card(params: Params) -> dict:
    variant = params.get("variant") or params.get("type")
    given = params.get("classes")
    heading = params.get("heading")
    heading = (
        heading
        if isinstance(heading, dict)
        else {
            "id": params.get("headingId"),
            "text": heading
            if isinstance(heading, str) and not isinstance(heading, SafeData)
            else None,
            "html": heading if isinstance(heading, SafeData) else params.get("headingHtml"),
            "visuallyHiddenText": params.get("headingVisuallyHiddenText"),
            "size": params.get("headingSize"),
            "level": params.get("headingLevel"),
            "classes": params.get("headingClasses"),
        }
    )
    description = params.get("description")
    description = (
        description
        if isinstance(description, dict)
        else {
            "text": description
            if isinstance(description, str) and not isinstance(description, SafeData)
            else None,
            "html": description
            if isinstance(description, SafeData)
            else params.get("descriptionHtml"),
        }
    )
    has_heading = _has_content(heading)
    is_care = variant in ("non-urgent", "urgent", "emergency") and has_heading
    classes = _join(
        "nhsuk-card",
        _js(params.get("clickable")) and "nhsuk-card--clickable",
        _js(params.get("feature")) and "nhsuk-card--feature",
        _js(params.get("primary")) and "nhsuk-card--primary",
        _js(params.get("secondary")) and "nhsuk-card--secondary",
        _js(params.get("warning")) and "nhsuk-card--warning",
        _modifier(variant, ["feature", "primary", "secondary", "warning"], "nhsuk-card--", given),
        is_care
        and not any(
            f"nhsuk-card--care--{v}" in _str(given) for v in ("non-urgent", "urgent", "emergency")
        )
        and f"nhsuk-card--care nhsuk-card--care--{variant}",
        given,
    )
    hidden = heading.get("visuallyHiddenText")
    if is_care and not _js(hidden):
        hidden = {"emergency": "Immediate action required", "urgent": "Urgent advice"}.get(
            variant, "Non-urgent advice"
        )
    heading_text = escape(_str(heading.get("text")).strip()) if _js(heading.get("text")) else ""
    if heading_text and _js(params.get("href")) and "nhsuk-card--feature" not in classes:
        heading_inner = get_template("components/_card_heading_link.html").render(
            {"href": params["href"], "text": heading_text}
        )
    elif heading_text and _js(hidden):
        heading_inner = get_template("components/_card_heading_hidden.html").render(
            {"hidden": hidden, "text": heading_text}
        )
    else:
        heading_inner = heading_text
    actions = _actions(params.get("actions"))
    image = (
        {"src": params.get("imgURL"), "alt": params.get("imgALT")}
        if _js(params.get("imgURL")) or _js(params.get("imgALT"))
        else params.get("image") or {}
    )
    return {
        "attributes": _attrs(
            {"class": classes, "id": _optional(params.get("id"))}, params.get("attributes")
        ),
        "image_html": _content(image, text="_"),
        "image_attributes": _attrs(
            {"class": "nhsuk-card__img", "src": image.get("src"), "alt": image.get("alt")}
        )
        if _js(image.get("src"))
        else None,
        "heading": {
            **_pick(heading, "id", "caption", "size", "classes", "attributes"),
            "html": heading_inner,
            "level": _d(heading, "level", 2),
            "className": "nhsuk-card__heading",
            "classPrefix": "nhsuk-heading-",
        }
        if heading_text
        else None,
        "heading_html": _content(heading, text="_"),
        "has_heading": has_heading,
        "is_care": is_care,
        "heading_in_container": is_care or bool(actions),
        "actions": [_card_action(action, params) for action in actions],
        "actions_classes": _get(params.get("actions"), "classes"),
        "content_classes": _join("nhsuk-card__content", description.get("classes")),
        "content_attributes": nhsuk_attributes(description.get("attributes")),
        "description_html": _content(
            {"caller": params["caller"]} if "caller" in params else description, text="_"
        ),
        "description_text": _content(description, html="_"),
        "chevron": _icon("chevron-right-circle") if "nhsuk-card--primary" in classes else None,
    }


@_preparer("warning-callout")
def _warning_callout(params: Params) -> dict:
    heading = _mapping(params.get("heading"))
    text = heading.get("text")
    hidden = None
    if _js(text) and "Important" not in text and "important" not in text:
        hidden = _df(heading, "visuallyHiddenText", _df(params, "visuallyHiddenText", "Important"))
    card = {
        "id": params.get("id"),
        "heading": {
            **_pick(heading, "id", "text", "html", "attributes"),
            "visuallyHiddenText": hidden,
            "level": _d(heading, "level", _d(params, "headingLevel", 3)),
            "classes": _d(heading, "classes", params.get("headingClasses")),
        },
        "description": {"text": params.get("text"), "html": params.get("html")},
        **_pick(params, "actions", "classes", "attributes", "caller"),
        "variant": "warning",
    }
    return _card(card)


@_preparer("error-summary")
def _error_summary(params: Params) -> dict:
    heading = params.get("heading")
    heading = (
        heading
        if isinstance(heading, dict)
        else {
            "text": heading
            if isinstance(heading, str) and not isinstance(heading, SafeData)
            else params.get("titleText"),
            "html": heading if isinstance(heading, SafeData) else params.get("titleHtml"),
        }
    )
    description = params.get("description")
    description = (
        description
        if isinstance(description, dict)
        else {
            "text": description
            if isinstance(description, str) and not isinstance(description, SafeData)
            else params.get("descriptionText"),
            "html": description
            if isinstance(description, SafeData)
            else params.get("descriptionHtml"),
        }
    )
    if "caller" in params:
        description = {"caller": params["caller"]}
    disable_focus = params.get("disableAutoFocus")
    return {
        "attributes": _attrs(
            {
                "class": _join("nhsuk-error-summary", params.get("classes")),
                "id": _optional(params.get("id")),
                "data-module": "nhsuk-error-summary",
                "data-disable-auto-focus": _optional(
                    _str(disable_focus) if isinstance(disable_focus, bool) else False
                ),
            },
            params.get("attributes"),
        ),
        "heading": {
            **_pick(heading, "id", "text", "html", "attributes"),
            "level": 2,
            "className": "nhsuk-error-summary__heading",
        },
        "description": _content(description),
        "errors": [
            {
                "href": item.get("href"),
                "attributes": nhsuk_attributes(item.get("attributes")),
                "content": _content(item),
            }
            for item in params.get("errorList") or []
            if _js(item)
        ],
    }


@_preparer("summary-list")
def _summary_list(params: Params) -> dict:
    given = _str(params.get("classes"))
    classes = ["nhsuk-summary-list"]
    if params.get("border") is False and "nhsuk-summary-list--no-border" not in given:
        classes.append("nhsuk-summary-list--no-border")
    elif (
        params.get("lastRowBorder") is False
        and "nhsuk-summary-list--no-last-row-border" not in given
    ):
        classes.append("nhsuk-summary-list--no-last-row-border")
    rows = [row for row in params.get("rows") or [] if isinstance(row, dict)]
    has_actions = any(_actions(row.get("actions")) for row in rows)
    card = params.get("card")
    prepared = [
        _summary_list_row(row, params, has_actions, last=index == len(rows) - 1)
        for index, row in enumerate(rows)
    ]
    return {
        "attributes": _attrs(
            {"class": _join(*classes, params.get("classes")), "id": _optional(params.get("id"))},
            params.get("attributes"),
        ),
        "content": _content(params, text="_"),
        "rows": prepared,
        "card": card if _js(card) else None,
    }


def _summary_list_row(row: dict, parent: Params, has_actions: bool, last: bool) -> dict:
    key = _mapping(row.get("key"))
    value = _mapping(row.get("value"))
    actions = _actions(row.get("actions"))
    options = row.get("actions") if isinstance(row.get("actions"), dict) else {}
    given = _str(row.get("classes"))
    parent_given = _str(parent.get("classes"))
    no_border = (
        row.get("border") is False
        and "nhsuk-summary-list__row--no-border" not in given
        and "nhsuk-summary-list--no-border" not in parent_given
        and "nhsuk-summary-list--no-last-row-border" not in parent_given
        and not (parent.get("lastRowBorder") is False and last)
    )

    def width(cell, base):
        w = cell.get("width")
        extra = (
            f"nhsuk-u-width-{w}"
            if _js(w) and f"nhsuk-u-width-{w}" not in _str(cell.get("classes"))
            else None
        )
        return _join(base, extra, cell.get("classes"))

    return {
        "attributes": _attrs(
            {
                "class": _join(
                    "nhsuk-summary-list__row",
                    has_actions and not actions and "nhsuk-summary-list__row--no-actions",
                    no_border and "nhsuk-summary-list__row--no-border",
                    row.get("classes"),
                ),
                "id": _optional(row.get("id")),
            },
            row.get("attributes"),
        ),
        "key_attributes": _attrs(
            {"class": width(key, "nhsuk-summary-list__key"), "id": _optional(key.get("id"))},
            key.get("attributes"),
        ),
        "key": _content(key),
        "value_attributes": _attrs(
            {"class": width(value, "nhsuk-summary-list__value"), "id": _optional(value.get("id"))},
            value.get("attributes"),
        ),
        "value": _content(value),
        "actions_attributes": _attrs(
            {
                "class": width(options, "nhsuk-summary-list__actions"),
                "id": _optional(options.get("id")),
            },
            options.get("attributes"),
        ),
        "actions": [_card_action(action, parent.get("card")) for action in actions],
    }


# --- page furniture: header, footer, tables -----------------------------------


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _header_item_content(item: dict) -> dict:
    return {"icon": _icon("user") if _js(item.get("icon")) else None, "content": _content(item)}


@_preparer("header")
def _header(params: Params) -> dict:
    given = params.get("classes")
    service = _dict(params.get("service"))
    logo = _dict(params.get("logo"))
    organisation = params.get("organisation")
    org = _dict(organisation)
    navigation = params.get("navigation")
    nav = _dict(navigation)
    nav_given = nav.get("classes")
    search = params.get("search")
    search_options = _dict(search)
    account = params.get("account")
    account_options = _dict(account)

    service_href = service.get("href")
    combine = (
        bool(len(_str(service.get("text")))) and _js(service_href) and not _js(logo.get("href"))
    ) or (_js(service_href) and service_href == logo.get("href"))
    logo_href = service_href if combine else logo.get("href")
    logo_alt = _d(logo, "alt", "NHS")
    label_parts = [logo_alt, org.get("name"), org.get("split")]
    label_parts += [service.get("text") if combine else None, "homepage"]
    logo_label = (
        logo["ariaLabel"]
        if _js(logo.get("ariaLabel"))
        else " ".join(part for part in label_parts if isinstance(part, str))
    )

    search_input = None
    if _js(search):
        search_input = {
            "label": {
                "text": _d(
                    _dict(search_options.get("label")),
                    "visuallyHiddenText",
                    _d(search_options, "visuallyHiddenLabel", "Search the NHS website"),
                ),
                "classes": "nhsuk-u-visually-hidden",
            },
            "id": "search-field",
            "name": _d(search_options, "name", "q"),
            "type": "search",
            "autocomplete": "off",
            "placeholder": _d(
                _dict(search_options.get("input")),
                "placeholder",
                _d(search_options, "placeholder", "Search"),
            ),
            "formGroup": {
                "afterInput": {
                    "html": render_component(
                        "button",
                        {
                            "ariaLabel": _d(
                                _dict(search_options.get("button")),
                                "ariaLabel",
                                _d(search_options, "visuallyHiddenButton", "Search"),
                            ),
                            "icon": "search",
                            "small": True,
                        },
                    )
                }
            },
        }

    account_items = []
    for item in account_options.get("items") or []:
        if not _js(item) or not isinstance(item, dict):
            continue
        account_items.append(
            {
                **_header_item_content(item),
                "classes": _join("nhsuk-header__account-item", item.get("classes")),
                "href": item.get("href"),
                "action": item.get("action"),
                "is_post": _str(_d(item, "method", "post")).lower() == "post",
                "form_attributes": _attrs(
                    {
                        "class": "nhsuk-header__account-form",
                        "action": item.get("action"),
                        "method": _d(item, "method", "post"),
                    }
                ),
            }
        )

    nav_items = []
    for item in nav.get("items") or []:
        if not _js(item) or not isinstance(item, dict):
            continue
        current = _js(item.get("active")) or _js(item.get("current"))
        nav_items.append(
            {
                "classes": _join(
                    "nhsuk-header__navigation-item",
                    current and "nhsuk-header__navigation-item--current",
                    item.get("classes"),
                ),
                "attributes": nhsuk_attributes(item.get("attributes")),
                "element": "a" if _js(item.get("href")) else "span",
                "inner_attributes": _attrs(
                    {
                        "class": "nhsuk-header__navigation-link"
                        if _js(item.get("href"))
                        else "nhsuk-header__navigation-text",
                        "href": _optional(item.get("href")),
                        "aria-current": _optional(
                            ("page" if _js(item.get("current")) else "true") if current else False
                        ),
                    }
                ),
                "current": current,
                "content": _content(item),
            }
        )

    container_classes = _join("nhsuk-width-container", params.get("containerClasses"))
    return {
        "attributes": _attrs(
            {
                "class": _join(
                    "nhsuk-header",
                    _modifier(params.get("colour"), ["white"], "nhsuk-header--", given),
                    _flag(params.get("inline"), "nhsuk-header--inline", given),
                    _js(organisation) and "nhsuk-header--organisation",
                    given,
                ),
                "id": _optional(params.get("id")),
                "data-module": "nhsuk-header",
                "role": "banner",
            },
            params.get("attributes"),
        ),
        "container_classes": container_classes,
        "logo": logo,
        "logo_alt": logo_alt,
        "organisation": org if _js(organisation) else None,
        "logo_href": logo_href,
        "logo_label": logo_label,
        "combine": combine,
        "service_text": _content(service, html="_") if _js(service.get("text")) else None,
        "service_href": service_href,
        "search": _js(search),
        "search_classes": _join("nhsuk-header__search", search_options.get("classes")),
        "search_attributes": nhsuk_attributes(search_options.get("attributes")),
        "search_form_attributes": _attrs(
            {
                "class": "nhsuk-header__search-form",
                "id": "search",
                "action": _optional(_d(search_options, "action", "https://www.nhs.uk/search/")),
                "method": _optional(_d(search_options, "method", "get")),
            }
        ),
        "search_input": search_input,
        "account": _js(account),
        "account_classes": _join("nhsuk-header__account", account_options.get("classes")),
        "account_label": _d(account_options, "ariaLabel", "Account"),
        "account_attributes": nhsuk_attributes(account_options.get("attributes")),
        "account_items": account_items,
        "navigation": _js(navigation) and bool(nav.get("items")),
        "navigation_classes": _join(
            "nhsuk-header__navigation",
            _modifier(nav.get("colour"), ["white"], "nhsuk-header__navigation--", nav_given),
            _flag(nav.get("justified"), "nhsuk-header__navigation--justified", nav_given),
            nav_given,
        ),
        "navigation_label": _d(nav, "ariaLabel", "Menu"),
        "navigation_attributes": nhsuk_attributes(nav.get("attributes")),
        "navigation_items": nav_items,
        "toggle_hidden": _d(nav, "toggleMenuVisuallyHiddenText", "Browse"),
        "toggle_text": _d(nav, "toggleMenuText", "More"),
    }


def _footer_list(items) -> list[dict]:
    return [
        {
            "href": item.get("href"),
            "attributes": nhsuk_attributes(item.get("attributes")),
            "content": _content(item),
        }
        for item in items or []
        if _js(item) and isinstance(item, dict)
    ]


def _footer_heading(group: dict) -> dict | None:
    heading = group.get("heading")
    if not _js(heading) and not _js(group.get("title")):
        return None
    if not isinstance(heading, dict):
        heading = {
            "text": group.get("title")
            if isinstance(heading, SafeData) or not isinstance(heading, str)
            else heading,
            "html": heading if isinstance(heading, SafeData) else None,
        }
    return {
        **_pick(heading, "id", "text", "html", "visuallyHiddenText", "caption", "href"),
        **_pick(heading, "classes", "attributes"),
        "level": 2,
        "size": "s",
        "className": "nhsuk-footer__heading",
        "classPrefix": "nhsuk-heading-",
    }


@_preparer("footer")
def _footer(params: Params) -> dict:
    meta = _mapping(params.get("meta"))
    copyright_ = _mapping(params.get("copyright"))
    columns = _df(params, "columns", 4)
    width = {"1": "full", "2": "one-half", "3": "one-third"}.get(_str(columns))
    columns = int(float(_str(columns))) if width else 4
    width = width or "one-quarter"
    navigation = params.get("navigation")
    if isinstance(navigation, dict):
        groups = [navigation]
    elif _js(navigation) and isinstance(navigation, list | tuple):
        groups = [_dict(group) for group in navigation]
    else:
        groups = []
    groups = [
        {
            "classes": "nhsuk-grid-column-" + _str(_df(group, "width", width)),
            "heading": _footer_heading(group),
            "html": _content(group, text="_"),
            "text": _content(group, html="_"),
            "items": _footer_list(group.get("items")) if _js(group.get("items")) else None,
        }
        for group in groups
    ]
    text = copyright_.get("text")
    show_copyright = (
        "text" not in copyright_ or _js(text) or not (text == "" or text is None or text is False)
    )
    has_caller = "caller" in params
    return {
        "attributes": _attrs(
            {
                "class": _join("nhsuk-footer", params.get("classes")),
                "id": _optional(params.get("id") if _js(params.get("id")) else False),
                "role": "contentinfo",
            },
            params.get("attributes"),
        ),
        "container_classes": _join("nhsuk-width-container", params.get("containerClasses")),
        "rows": [groups[start : start + columns] for start in range(0, len(groups), columns)],
        "has_meta": has_caller
        or bool(meta.get("items"))
        or _js(meta.get("text"))
        or _js(meta.get("html")),
        "meta_items": _footer_list(meta.get("items")) if _js(meta.get("items")) else None,
        "meta_hidden": _d(
            meta, "visuallyHiddenText", _d(meta, "visuallyHiddenTitle", "Support links")
        ),
        "meta_html": params["caller"] if has_caller else _content(meta, text="_"),
        "meta_text": None if has_caller else _content(meta, html="_"),
        "copyright_html": _content(copyright_, text="_"),
        "copyright_text": escape(_str(_df(copyright_, "text", "© NHS England")))
        if show_copyright
        else None,
    }


def _table_value(item: dict) -> dict:
    """The `_tableValue` macro: content, then its visually hidden text."""
    hidden = item.get("visuallyHiddenText")
    if _has_content(item) and _js(hidden):
        hidden = " " + _str(hidden)
    return {"content": _content(item), "hidden": hidden if _js(hidden) else None}


def _table_cell(item: dict, responsive_header: dict | None = None) -> dict:
    """The `_tableCell` macro; `responsive_header` is the column header of a body cell."""
    element = _str(item.get("element") or "td").lower()
    base = "nhsuk-table__header" if element == "th" else "nhsuk-table__cell"
    given = _str(item.get("classes"))
    align = item.get("align")
    width = f"nhsuk-u-width-{_str(item.get('width'))}"
    aligns = ["left", "centre", "right"]
    classes = _join(
        base,
        item.get("format") == "numeric" and f"{base}--numeric" not in given and f"{base}--numeric",
        _modifier(align, aligns, "nhsuk-u-text-align-", given),
        _js(item.get("width")) and width not in given and width,
        item.get("classes"),
    )
    return {
        "element": element,
        "attributes": _attrs(
            {
                "class": classes,
                "scope": _optional(item.get("scope")),
                "role": _optional(item.get("role")),
                "colspan": _optional(item.get("colspan")),
                "rowspan": _optional(item.get("rowspan")),
            },
            *item.get("attributes", []),
        ),
        "href": item.get("href"),
        "value": _table_value(item),
        "heading": _table_value(
            {
                "text": responsive_header.get("text"),
                "html": responsive_header.get("html"),
                "visuallyHiddenText": responsive_header.get("visuallyHiddenText"),
            }
        )
        if responsive_header is not None
        else None,
        "wrap": _js(item.get("html")),
    }


def _table_caption(params: Params, caption: dict, classes: str) -> dict | None:
    if not _has_content(caption):
        return None
    heading_caption = _mapping(caption.get("caption"))
    placement = heading_caption.get("placement")
    hidden = _d(
        _dict(params.get("caption")),
        "visuallyHiddenText",
        "Column headers are sortable" if "nhsuk-table--sortable" in classes else None,
    )
    return {
        **_pick(caption, "text", "html", "size", "classes", "attributes"),
        "id": caption.get("id"),
        "visuallyHiddenText": f"({_str(hidden)})" if _js(hidden) else None,
        "caption": {
            **_pick(heading_caption, "id", "text", "html", "classes", "attributes"),
            "placement": placement if not _js(placement) or placement in ("start", "end") else None,
            "size": _d(heading_caption, "size", caption.get("size")),
        },
        "sizes": ["s", "m", "l", "xl"],
        "className": "nhsuk-table__caption",
        "classPrefix": "nhsuk-table__caption--",
        "element": "caption",
    }


@_preparer("table")  # templates/components/table.html includes tables.html
@_preparer("tables")
def _tables(params: Params) -> dict:
    variant = params.get("variant")
    given = _str(params.get("classes"))
    caption = params.get("caption")
    if not isinstance(caption, dict):
        caption = {
            **_mapping(caption),
            "size": params.get("captionSize"),
            "classes": params.get("captionClasses"),
        }
    head = params.get("head") if _js(params.get("head")) else []
    head = list(head) if isinstance(head, list | tuple) else []
    rows = params.get("rows") if _js(params.get("rows")) else []
    rows = [row for row in rows if isinstance(row, list | tuple)]
    responsive = _js(params.get("responsive"))

    sortable = on_server = False
    for item in head:
        sortable = sortable or _js(_get(item, "sort"))
        on_server = on_server or (sortable and _js(_get(item, "href")))

    if params.get("border") is False and "nhsuk-table--no-border" not in given:
        border = "nhsuk-table--no-border"
    elif params.get("lastRowBorder") is False and "nhsuk-table--no-last-row-border" not in given:
        border = "nhsuk-table--no-last-row-border"
    else:
        border = None
    classes = _join(
        "nhsuk-table",
        variant == "reverse"
        and "nhsuk-table--reverse" not in given
        and "nhsuk-table-responsive--reverse" not in given
        and "nhsuk-table--reverse",
        _flag(params.get("compact"), "nhsuk-table--compact", given),
        _flag(responsive, "nhsuk-table--responsive", given),
        border,
        _flag(sortable, "nhsuk-table--sortable", given),
        _flag(params.get("striped"), "nhsuk-table--striped", given),
        params.get("classes") or params.get("tableClasses"),
    )
    scroll = _js(params.get("scroll"))
    caption_id = caption.get("id")
    if caption_id is None and scroll and _js(params.get("id")):
        caption_id = _str(params["id"]) + "-caption"
    if caption_id is None and scroll and _js(caption.get("text")):
        slug = _str(caption["text"]).replace(" ", "-").lower()[:40]
        caption_id = f"table-{slug}-caption"
    caption = _table_caption(params, {**caption, "id": caption_id}, classes)
    is_sorted = "nhsuk-table--sortable" in classes

    head_cells = []
    headers = []
    for item in head:
        header = item if isinstance(item, dict) else _mapping(item)
        headers.append(header)
        if not isinstance(item, dict | str):
            continue
        sort = header.get("sort")
        sort = sort if isinstance(sort, str) else ("none" if sort is True else None)
        sort_next = header.get("sortNext") if isinstance(header.get("sortNext"), str) else None
        cell = {
            **_pick(header, "text", "html", "visuallyHiddenText", "format", "href"),
            **_pick(header, "rowspan", "align", "width", "classes"),
            "scope": "col",
            "role": "columnheader" if responsive else None,
            "colspan": None if responsive else header.get("colspan"),
            "attributes": [
                {
                    "data-sort": _optional(bool(sort) and sortable),
                    "data-sort-next": _optional(
                        sort_next if _js(sort_next) and sortable and not on_server else False
                    ),
                    "aria-sort": _optional(
                        sort if _js(sort) and sort != "none" and sortable else False
                    ),
                },
                header.get("attributes"),
            ],
            "element": "th",
        }
        head_cells.append(_table_cell(cell))

    body = []
    first_is_header = _js(params.get("firstCellIsHeader"))
    for row in rows:
        cells = []
        for index, item in enumerate(row):
            if not isinstance(item, dict | str):
                continue
            header = headers[index] if index < len(headers) else {}
            data = item if isinstance(item, dict) else _mapping(item)
            row_header = index == 0 and first_is_header
            cell = {
                **_pick(data, "text", "html", "visuallyHiddenText", "href", "rowspan"),
                **_pick(data, "width", "classes"),
                "format": _d(data, "format", header.get("format")),
                "scope": "row" if row_header else None,
                "role": ("rowheader" if row_header else "cell") if responsive else None,
                "colspan": None if responsive else data.get("colspan"),
                "align": _d(
                    data,
                    "align",
                    "right"
                    if data.get("format") == "string" and header.get("format") == "numeric"
                    else header.get("align"),
                ),
                "attributes": [
                    {"data-sort-value": _optional(data.get("sortValue") or False)},
                    data.get("attributes"),
                ],
                "element": "th" if row_header else "td",
            }
            cells.append(_table_cell(cell, header if responsive else None))
        body.append(cells)

    card = _dict(params.get("card"))
    card_heading = card.get("heading")
    if not isinstance(card_heading, dict):
        card_heading = {
            "text": params.get("heading")
            if isinstance(card_heading, SafeData) or not isinstance(card_heading, str)
            else card_heading,
            "html": card_heading if isinstance(card_heading, SafeData) else None,
            "level": params.get("headingLevel"),
        }
    return {
        "attributes": _attrs(
            {
                "class": classes,
                "id": _optional(params.get("id")),
                "data-module": _optional("nhsuk-table" if is_sorted and not on_server else False),
                # The nhsukI18nAttributes macro, for single messages.
                "data-i18n.sort-announcement": _optional(
                    _df(params, "sortAnnouncementText", False)
                ),
                "data-i18n.ascending": _optional(_df(params, "ascendingText", False)),
                "data-i18n.descending": _optional(_df(params, "descendingText", False)),
                "role": _optional("table" if responsive else False),
            },
            params.get("attributes"),
        ),
        "caption": caption,
        "responsive": responsive,
        "has_head": bool(head),
        "head": head_cells,
        "rows": body,
        "scroll": scroll,
        "scroll_attributes": _attrs(
            {
                "class": _join("nhsuk-scroll", variant == "reverse" and "nhsuk-scroll--reverse"),
                "data-module": "nhsuk-scroll",
            }
        ),
        "caption_id": caption_id,
        "card": {
            **_pick(card, "id", "href", "actions", "attributes"),
            "heading": card_heading,
            "classes": _d(params, "panelClasses", card.get("classes")),
            "variant": _d(card, "variant", "feature" if _js(params.get("panel")) else None),
        }
        if _js(params.get("card")) or _js(params.get("panel"))
        else None,
    }


# --- Django forms -------------------------------------------------------------


def _widget_attributes(bound_field) -> tuple[dict, str | None]:
    """Widget attrs (required, maxlength, ...) as macro `attributes`, plus classes."""
    attrs = dict(bound_field.build_widget_attrs(bound_field.field.widget.attrs))
    classes = attrs.pop("class", None)
    # The components set these themselves (aria-describedby from hint and error;
    # Django's default textarea cols would fight the NHS.UK full-width style).
    for handled in (
        "id",
        "name",
        "value",
        "type",
        "rows",
        "cols",
        "inputmode",
        "autocomplete",
        "aria-describedby",
    ):
        attrs.pop(handled, None)
    attributes = {}
    for name, value in attrs.items():
        if value is True:
            attributes[name] = _optional(True)
        elif value is not False and value is not None:
            attributes[name] = value
    return attributes, classes


def _date_error_parts(bound_field) -> list[str] | None:
    for error in bound_field.errors.as_data():
        parts = (error.params or {}).get("parts")
        if parts and len(parts) < 3:
            return parts
    return None


def field_component(bound_field) -> tuple[str, dict]:
    """The component name and macro options that render a Django BoundField.

    `field.nhsuk_options` (a dict of macro options set on the form field) is
    merged over what is derived here, for options forms cannot express, such
    as `{"width": 10}` or `{"label": {"isPageHeading": True, "size": "l"}}`.
    """
    # Imported here so templatetags stay importable without the forms module.
    from phb.nhsuk_forms import NHSDateInput

    field = bound_field.field
    widget = field.widget
    id_ = bound_field.auto_id or bound_field.html_name
    label = {"text": str(bound_field.label)} if bound_field.label else {}
    attributes, classes = _widget_attributes(bound_field)
    params = {
        "id": id_,
        "name": bound_field.html_name,
        "hint": _mapping(field.help_text) if field.help_text else None,
        "errorMessage": {"text": " ".join(str(e) for e in bound_field.errors)}
        if bound_field.errors
        else None,
        "attributes": attributes,
        "classes": classes,
    }
    value = bound_field.value()
    if isinstance(widget, NHSDateInput):
        values = value if isinstance(value, list | tuple) else widget.decompress(value)
        error_parts = _date_error_parts(bound_field)
        name = "date-input"
        params.update(
            fieldset={"legend": label},
            items=[
                {
                    "id": f"{id_}_{part}",
                    "name": f"{bound_field.html_name}_{part}",
                    "label": part.capitalize(),
                    "value": _str(part_value),
                    "width": 4 if part == "year" else 2,
                    "error": bool(error_parts) and part in error_parts,
                }
                for part, part_value in zip(("day", "month", "year"), values, strict=False)
            ],
            attributes={},
        )
    elif isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        # CheckboxSelectMultiple is a subclass of RadioSelect: ask about it first.
        name = "checkboxes" if isinstance(widget, forms.CheckboxSelectMultiple) else "radios"
        # The first item takes the field's id (so labels and error links reach it); the
        # group itself must not carry the same id.
        del params["id"]
        params.update(
            idPrefix=id_,
            fieldset={"legend": label},
            items=[
                {
                    "value": _str(option.data["value"]),
                    "text": _str(option.data["label"]),
                    "checked": option.data["selected"],
                }
                for option in bound_field.subwidgets
            ],
            attributes={},
        )
    elif isinstance(widget, forms.CheckboxInput):
        name = "checkboxes"
        del params["id"]  # as for radios: the one item carries the field's id
        params.update(
            idPrefix=id_,
            items=[
                {
                    "value": "true",
                    "text": label.get("text"),
                    "checked": widget.check_test(value),
                    "hint": params.pop("hint"),
                }
            ],
            attributes={},
        )
    elif isinstance(widget, forms.Select):
        name = "select"
        params.update(
            label=label,
            items=[
                {
                    "value": _str(option.data["value"]),
                    "text": _str(option.data["label"]),
                    "selected": option.data["selected"],
                }
                for option in bound_field.subwidgets
            ],
        )
    elif isinstance(widget, forms.Textarea):
        name = "textarea"
        params.update(label=label, value=widget.format_value(value), rows=widget.attrs.get("rows"))
    else:
        name = "input"
        # NHS.UK advises text inputs with a numeric keyboard over type="number".
        numeric = isinstance(widget, forms.NumberInput)
        params.update(
            label=label,
            type="text" if numeric else getattr(widget, "input_type", "text"),
            inputmode="numeric" if numeric else widget.attrs.get("inputmode"),
            autocomplete=widget.attrs.get("autocomplete"),
            value=None
            if isinstance(widget, forms.PasswordInput | forms.FileInput)
            else widget.format_value(value),
        )
    for key, option in (getattr(field, "nhsuk_options", None) or {}).items():
        if isinstance(option, dict) and isinstance(params.get(key), dict):
            params[key] = {**params[key], **option}
        else:
            params[key] = option
    return name, {key: value for key, value in params.items() if value is not None}


def field_anchor(bound_field) -> str:
    """The id an error summary link should focus: the first box of the field."""
    name, params = field_component(bound_field)
    if name in ("date-input", "radios", "checkboxes"):
        items = params.get("items") or [{}]
        return items[0].get("id") or params.get("idPrefix") or params["id"]
    return params["id"]


@register.simple_tag
def nhsuk_field(bound_field) -> SafeString:
    """`{% nhsuk_field form.name %}`: one form field as its NHS.UK component."""
    if bound_field.is_hidden:
        return bound_field.as_widget()
    return render_component(*field_component(bound_field))


@register.simple_tag
def error_summary(form, **params) -> SafeString:
    """`{% error_summary form %}`: the error-summary component for a bound form.

    One link per field error, to the field's first input, then non-field
    errors as plain items. Renders nothing when the form has no errors.
    Keyword arguments are error-summary macro options (e.g. heading=...).
    """
    if not form.errors:
        return SafeString("")
    error_list = [{"text": str(error)} for error in form.non_field_errors()]
    for bound_field in form:
        error_list.extend(
            {"text": str(error), "href": f"#{field_anchor(bound_field)}"}
            for error in bound_field.errors
        )
    error_list.extend(
        {"text": str(error)} for bound_field in form.hidden_fields() for error in bound_field.errors
    )
    return render_component(
        "error-summary", {"heading": "There is a problem", "errorList": error_list}, **params
    )


@register.filter
def nhsuk_error_list(errors) -> list[dict]:
    """Django error messages as an error-summary `errorList` (no links)."""
    return [{"text": str(error)} for error in errors]


@register.filter
def nhsuk_button_classes(crispy_input) -> str:
    """A crispy Submit/Button's css_class without crispy's built-in Bootstrap classes."""
    classes = _str(crispy_input.field_classes).split()
    return " ".join(c for c in classes if c != "btn" and not c.startswith("btn-"))
