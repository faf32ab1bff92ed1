"""Display-ready data about a person, shared by the staff record and the person's own page."""

from django.utils.html import format_html, format_html_join


def _text(value) -> dict:
    return {"text": value if value not in (None, "") else "Not recorded"}


def person_summary_rows(holder, *, change_url: str | None = None) -> list[dict]:
    address = (
        format_html_join(
            "",
            "{}<br>",
            (
                (line,)
                for line in (holder.address_line_1, holder.address_line_2, holder.town)
                if line
            ),
        )
        + holder.postcode
    )
    rows = [
        ("Name", _text(holder.full_name)),
        ("NHS number", _text(holder.formatted_nhs_number)),
        ("Date of birth", _text(holder.date_of_birth.strftime("%-d %B %Y"))),
        ("Address", {"html": format_html("{}", address)}),
        ("Email", _text(holder.email)),
        ("Phone", _text(holder.phone)),
        ("Preferred way to be contacted", _text(holder.get_preferred_contact_display())),
        ("Accessibility needs", _text(holder.accessibility_needs)),
        ("Why they can have a personal health budget", _text(holder.get_eligibility_display())),
        ("ICB", _text(holder.organisation.name)),
    ]
    result = []
    for key, value in rows:
        row = {"key": {"text": key}, "value": value}
        if change_url:
            row["actions"] = {
                "items": [{"href": change_url, "text": "Change", "visuallyHiddenText": key.lower()}]
            }
        result.append(row)
    return result


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
