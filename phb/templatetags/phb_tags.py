"""Page helpers built on the NHS.UK components."""

from urllib.parse import urlencode

from django import template

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


@register.filter
def numbered(text: str, number) -> str:
    """'Service'|numbered:2 -> 'Service 2' (Django's add filter cannot join text and numbers)."""
    return f"{text} {number}"


@register.filter
def subtract(value, other):
    return value - other
