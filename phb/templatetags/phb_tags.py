"""Page helpers built on the NHS.UK components: macro options for the core's pages."""

from html import unescape
from urllib.parse import urlencode

from django import template
from django.utils.html import format_html, strip_tags

from phb import presenters
from phb.forms import ROWS_BUTTON
from phb.templatetags.nhsuk import error_summary

register = template.Library()


@register.simple_tag
def pagination_params(page, **query) -> dict:
    """Options for the NHS.UK pagination component, keeping the other query parameters."""

    def link(number: int) -> str:
        return "?" + urlencode({**{k: v for k, v in query.items() if v}, "page": number})

    params = {}
    if page.has_previous():
        params["previous"] = {
            "href": link(page.previous_page_number()),
            "labelText": f"Page {page.previous_page_number()} of {page.paginator.num_pages}",
        }
    if page.has_next():
        params["next"] = {
            "href": link(page.next_page_number()),
            "labelText": f"Page {page.next_page_number()} of {page.paginator.num_pages}",
        }
    return params


@register.filter
def pounds(value) -> str:
    """£1,234.50 — money as people read it, always to the penny."""
    if value is None or value == "":
        return ""
    return f"£{value:,.2f}"


@register.simple_tag
def page_error_summary(*forms):
    """One NHS.UK error summary for every form and formset on a page, linking to each field."""
    return error_summary(*forms)


@register.simple_tag
def add_row_button(formset, noun: str) -> dict | None:
    """Button options for "Add another <noun>" under a formset shown one row at a time
    (phb.forms.change_rows); None when it has as many rows as it may."""
    if formset.total_form_count() >= formset.max_num:
        return None
    return {
        "text": f"Add another {noun}",
        "variant": "secondary",
        "name": ROWS_BUTTON,
        "value": f"{formset.prefix}-add",
    }


@register.simple_tag
def remove_row_button(formset, index: int, noun: str) -> dict | None:
    """Button options for "Remove" on row `index` (from 0), naming the row for screen
    readers; None when the formset has no more rows than it must (one, or its min_num)."""
    if formset.total_form_count() <= max(1, formset.min_num):
        return None
    return {
        "html": format_html(
            'Remove<span class="nhsuk-u-visually-hidden"> {} {}</span>', noun, index + 1
        ),
        "variant": "secondary",
        "small": True,
        "name": ROWS_BUTTON,
        "value": f"{formset.prefix}-remove-{index}",
    }


@register.simple_tag
def default_button(text: str) -> dict:
    """The form's main button, again, first in the form and hidden from everyone: pressing
    Enter in a box sends a form with its first button, which must not be "Remove"."""
    return {
        "text": text,
        "classes": "nhsuk-u-visually-hidden",
        "attributes": {"tabindex": "-1", "aria-hidden": "true"},
    }


@register.filter
def numbered(text: str, number) -> str:
    """'Service'|numbered:2 -> 'Service 2' (Django's add filter cannot join text and numbers)."""
    return f"{text} {number}"


@register.filter
def subtract(value, other):
    return value - other


@register.simple_tag
def caseload_table(rows, **options) -> dict:
    """`{% caseload_table rows columns=... query=... sort=... sort_label=... as table %}`."""
    return presenters.caseload_table(rows, **options)


@register.filter
def history_table(history) -> dict:
    """`{% component "table" history|history_table %}`: a person's history as a table."""
    return presenters.history_table(history)


@register.filter
def access_log_table(accesses) -> dict:
    """`{% component "table" page|access_log_table %}`: a person's access log as a table."""
    return presenters.access_log_table(accesses)


@register.filter
def plain_text(html) -> str:
    """Rendered HTML (an allauth slot) as the plain text a macro's `text` option wants."""
    return unescape(strip_tags(str(html))).strip()


ALLAUTH_BUTTON_VARIANTS = [
    ({"danger", "delete"}, "warning"),
    ({"cancel", "link", "outline", "secondary"}, "secondary"),
]
ALLAUTH_BADGE_COLOURS = [("danger", "red"), ("success", "green"), ("warning", "orange")]


def _tags(attrs) -> set[str]:
    """allauth's `tags="danger,delete"`, which its element tag has split into a list."""
    tags = attrs.get("tags") or []
    return set(tags.split(",") if isinstance(tags, str) else tags)


@register.simple_tag
def allauth_button(attrs) -> dict:
    """Button macro options for allauth's `{% element button %}` (its tags choose the variant)."""
    tags = _tags(attrs)
    variant = next((name for kinds, name in ALLAUTH_BUTTON_VARIANTS if kinds & tags), None)
    return {
        "href": attrs.get("href"),
        "type": None if attrs.get("href") else attrs.get("type") or "submit",
        "id": attrs.get("id"),
        "name": attrs.get("name"),
        "value": attrs.get("value"),
        "disabled": bool(attrs.get("disabled")),
        "variant": variant,
        "attributes": {"form": attrs["form"]} if attrs.get("form") else None,
    }


@register.simple_tag
def allauth_badge(attrs) -> dict:
    """Tag macro options for allauth's `{% element badge %}`."""
    tags = _tags(attrs)
    colour = next((colour for tag, colour in ALLAUTH_BADGE_COLOURS if tag in tags), "grey")
    return {
        "colour": colour,
        "attributes": {"title": attrs["title"]} if attrs.get("title") else None,
    }


@register.simple_tag
def allauth_choice(attrs, label, hint, error) -> dict:
    """Macro options for one allauth radio or checkbox (`{% element field type="radio" %}`):
    a one-item radios or checkboxes component whose item carries allauth's id."""
    item = {
        "value": attrs.get("value"),
        "text": label,
        "checked": bool(attrs.get("checked")),
        "disabled": bool(attrs.get("disabled")),
        "hint": {"text": hint} if hint else None,
    }
    return {
        "idPrefix": attrs.get("id"),
        "name": attrs.get("name"),
        "items": [item],
        "errorMessage": {"text": error} if error else None,
    }
