"""Tags for the pages every NHS service has, and for telling people how to reach their team."""

from django import template
from django.conf import settings

from phb.context_processors import footer_params, header_params
from phb.presenters import icb_contact_rows
from phb.templatetags.nhsuk import render_component

register = template.Library()


@register.inclusion_tag("phb/_icb_contact.html")
def icb_contact(organisation):
    """`{% icb_contact organisation %}`: 'Contact your personal health budget team at <ICB>'
    with the phone, opening hours, email and address the ICB has recorded (and only those).
    Used on pages and in letters, so it needs nothing from the request."""
    return {
        "organisation": organisation,
        "rows": icb_contact_rows(organisation) if organisation is not None else [],
    }


# The error page is rendered without a request or context processors: these give it the
# same header and footer as every other page, from settings alone.


@register.simple_tag
def service_name() -> str:
    return settings.SERVICE_NAME


@register.simple_tag
def service_header():
    return render_component("header", header_params())


@register.simple_tag
def service_footer():
    return render_component("footer", footer_params())
