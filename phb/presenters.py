"""Display-ready data about a person, shared by the staff record and the person's own page,
and about how to reach their ICB's team."""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from phb.validators import phone_number_uri


def _text(value) -> dict:
    return {"text": value if value not in (None, "") else "Not recorded"}


def person_summary_rows(holder) -> list[dict]:
    lines = (holder.address_line_1, holder.address_line_2, holder.town, holder.postcode)
    address = format_html_join(mark_safe("<br>"), "{}", ((line,) for line in lines if line))
    rows = [
        ("Name", _text(holder.full_name)),
        ("NHS number", _text(holder.formatted_nhs_number)),
        ("Date of birth", _text(holder.date_of_birth.strftime("%-d %B %Y"))),
        ("Address", {"html": address}),
        ("Email", _text(holder.email)),
        ("Phone", _text(holder.phone)),
        ("Preferred way to be contacted", _text(holder.get_preferred_contact_display())),
        ("Accessibility needs", _text(holder.accessibility_needs)),
        ("Why they can have a personal health budget", _text(holder.get_eligibility_display())),
        ("ICB", _text(holder.organisation.name)),
    ]
    return [{"key": {"text": key}, "value": value} for key, value in rows]


def representative_rows(representatives) -> list[dict]:
    return [
        {
            "key": {"text": rep.user.full_name},
            "value": {
                "text": f"{rep.get_kind_display()}; {rep.relationship}; "
                f"agreed on {rep.agreed_on:%-d %B %Y}"
            },
        }
        for rep in representatives
    ]


def icb_contact_rows(organisation) -> list[dict]:
    """How to reach an ICB's personal health budget team, as summary list rows: only what
    the ICB has recorded, so nothing is ever made up."""
    rows = []
    if organisation.phone:
        uri = phone_number_uri(organisation.phone)
        phone = (
            format_html('<a href="{}">{}</a>', uri, organisation.phone)
            if uri
            else organisation.phone
        )
        rows.append(("Phone", {"html": phone}))
    if organisation.opening_hours:
        rows.append(("Opening hours", {"text": organisation.opening_hours}))
    if organisation.email:
        rows.append(
            (
                "Email",
                {"html": format_html('<a href="mailto:{0}">{0}</a>', organisation.email)},
            )
        )
    if organisation.postal_address_lines:
        address = format_html_join(
            mark_safe("<br>"), "{}", ((line,) for line in organisation.postal_address_lines)
        )
        rows.append(("Address", {"html": address}))
    return [{"key": {"text": key}, "value": value} for key, value in rows]
