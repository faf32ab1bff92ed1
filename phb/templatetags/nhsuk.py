"""NHS.UK components in Django templates: a thin bridge to the official macros.

`{% component "input" params label=... %}` calls the `input` macro of NHS England's
`nhsuk-frontend-jinja` (see phb/components.py) with `params`, keyword options winning.
`{% call "card" heading="..." %}body{% endcall %}` passes the body as the macro's caller
content, like a Nunjucks call block. Option names are those of the nhsuk-frontend macros, so
its documentation and fixtures apply unchanged. The forms tags render Django fields through
the same macros (phb/nhsuk_forms.py maps fields to macro options).
"""

from django import template
from django.template.base import token_kwargs
from django.utils.safestring import SafeString, mark_safe

from phb.components import render_attributes, render_component, render_icon
from phb.nhsuk_forms import error_list, field_component

register = template.Library()

__all__ = ["render_component"]


def _resolve_option(expression, context):
    """A keyword option's value. A quoted literal in a template is text: Django marks
    literals safe, but `heading="Above the cap"` means text, not HTML. HTML goes in the
    macros' `html`/`*Html` options from a variable."""
    if isinstance(expression.var, str) and not expression.filters:
        return str.__str__(expression.var)  # the same text as a plain str, not marked safe
    return expression.resolve(context)


class ComponentNode(template.Node):
    def __init__(self, name, params, kwargs, nodelist=None):
        self.name = name
        self.params = params
        self.kwargs = kwargs
        self.nodelist = nodelist

    def render(self, context):
        params = self.params.resolve(context) if self.params else None
        options = {key: _resolve_option(value, context) for key, value in self.kwargs.items()}
        if self.nodelist is not None:
            body = self.nodelist.render(context).strip()
            options["caller"] = mark_safe(body)  # noqa: S308 - rendered by this template
        return render_component(self.name.resolve(context), params, context, **options)


def _component_node(parser, token) -> ComponentNode:
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError(f"{bits[0]} needs a component name")
    name = parser.compile_filter(bits[1])
    rest = bits[2:]
    params = None
    if rest and "=" not in rest[0]:
        params = parser.compile_filter(rest.pop(0))
    kwargs = token_kwargs(rest, parser)
    if rest:
        raise template.TemplateSyntaxError(f"{bits[0]}: unexpected arguments {rest}")
    return ComponentNode(name, params, kwargs)


@register.tag
def component(parser, token):
    """`{% component "name" [params] [option=value ...] %}`; keywords win over params."""
    return _component_node(parser, token)


@register.tag(name="call")
def call(parser, token):
    """`{% call "card" params %}...{% endcall %}`: the body is the component's content."""
    node = _component_node(parser, token)
    node.nodelist = parser.parse(("endcall",))
    parser.delete_first_token()
    return node


class OptionsNode(template.Node):
    def __init__(self, kwargs, target):
        self.kwargs = kwargs
        self.target = target

    def render(self, context):
        context[self.target] = {
            key: _resolve_option(value, context) for key, value in self.kwargs.items()
        }
        return ""


@register.tag
def options(parser, token):
    """`{% options text=column.title size="s" as heading %}`: a dict of macro options, for
    nested options a keyword cannot reach (`{% call "card" heading=heading %}`)."""
    bits = token.split_contents()
    if len(bits) < 4 or bits[-2] != "as":
        raise template.TemplateSyntaxError("options needs key=value ... as name")
    rest = bits[1:-2]
    kwargs = token_kwargs(rest, parser)
    if rest:
        raise template.TemplateSyntaxError(f"options: unexpected arguments {rest}")
    return OptionsNode(kwargs, bits[-1])


@register.simple_tag
def nhsuk_icon(name: str, **params) -> SafeString:
    """`{% nhsuk_icon "search" title="Search" %}`: an inline NHS.UK SVG icon."""
    return render_icon(name, **params)


@register.filter
def nhsuk_attributes(attributes) -> SafeString:
    """`{{ attrs|nhsuk_attributes }}`: the package's `nhsukAttributes` macro."""
    return render_attributes(attributes)


# --- Django forms -----------------------------------------------------------------------------


@register.simple_tag
def nhsuk_field(bound_field) -> SafeString:
    """`{% nhsuk_field form.name %}`: one form field as its NHS.UK component."""
    if bound_field.is_hidden:
        return bound_field.as_widget()
    return render_component(*field_component(bound_field))


@register.simple_tag
def error_summary(*forms, **params) -> SafeString:
    """`{% error_summary form [formset ...] %}`: the error summary for bound forms.

    One link per field error, to the field's first box; non-field errors as plain items.
    Renders nothing when there are no errors. Keyword arguments are error-summary macro
    options (e.g. heading=...).
    """
    errors = error_list(*forms)
    if not errors:
        return SafeString("")
    return render_component(
        "error-summary", {"heading": "There is a problem", "errorList": errors}, **params
    )


@register.filter
def nhsuk_error_list(errors) -> list[dict]:
    """Django error messages as an error-summary `errorList` (no links)."""
    return [{"text": str(error)} for error in errors]


@register.filter
def nhsuk_button_classes(crispy_input) -> str:
    """A crispy Submit/Button's css_class without crispy's built-in Bootstrap classes."""
    classes = str(crispy_input.field_classes or "").split()
    return " ".join(c for c in classes if c != "btn" and not c.startswith("btn-"))
