"""Tags for telling people how to reach their personal health budget team."""

from django import template

from phb.presenters import icb_contact_rows

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
