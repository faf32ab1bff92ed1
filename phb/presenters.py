"""Display-ready data about people: macro options for the NHS.UK components on their pages.

The staff record, the person's own page and the caseload share these, so a person's details
read the same everywhere.
"""

from datetime import datetime
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe


def display_date(value, format_string: str = "j M Y") -> str:
    """A date or time as the `date` template filter writes it (times in the local zone)."""
    if value is None:
        return ""
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return dateformat.format(value, format_string)


def hidden_caption(text: str) -> dict:
    """A table caption for screen readers: the page's heading already says it for the eye."""
    return {"text": text, "classes": "nhsuk-u-visually-hidden"}


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


# The caseload's sortable columns: heading, sort key, and whether it sorts both ways.
CASELOAD_SORTS = [
    ("Name", "name", True),
    ("NHS number", "nhs_number", False),
    ("Date of birth", "date_of_birth", True),
]


def _sort_header(text: str, key: str, *, reversible: bool, query: str, sort: str) -> dict:
    """A column heading that sorts the caseload on the server (the table macro's `sort`)."""
    if sort == key:
        state, following = "ascending", f"-{key}" if reversible else key
    elif sort == f"-{key}":
        state, following = "descending", key
    else:
        state, following = True, key  # sortable, not sorted by it now
    return {"text": text, "href": "?" + urlencode({"q": query, "sort": following}), "sort": state}


def caseload_table(rows, *, columns, query: str, sort: str, sort_label: str) -> dict:
    """The caseload as a responsive table: `rows` are (person, cells) from the caseload view,
    `columns` the extra columns other apps add (each cell is {"heading", "value"})."""
    head = [
        _sort_header(text, key, reversible=reversible, query=query, sort=sort)
        for text, key, reversible in CASELOAD_SORTS
    ]
    head += [{"text": "Eligible through"}, *({"text": column.heading} for column in columns)]
    return {
        "caption": hidden_caption(f"People on the caseload, sorted by {sort_label}"),
        "responsive": True,
        "head": head,
        "rows": [
            [
                {
                    "text": f"{person.family_name}, {person.given_name}",
                    "href": reverse("person_detail", args=[person.pk]),
                },
                {"text": person.formatted_nhs_number},
                {"text": display_date(person.date_of_birth)},
                {"text": person.get_eligibility_display()},
                *({"text": cell["value"]} for cell in cells),
            ]
            for person, cells in rows
        ],
    }


def history_table(history) -> dict:
    """A person's history (phb.history.HistoryEntry list), newest first."""
    rows = []
    for entry in history:
        changes = format_html_join(
            "",
            '<span class="nhsuk-body-s">{}: {} → {}</span><br>',
            (
                (field, before or "(empty)", after or "(empty)")
                for field, before, after in entry.changes
            ),
        )
        what = (
            {
                "html": format_html(
                    '{}<br><span class="nhsuk-body-s">{}</span>', entry.what, entry.url
                )
            }
            if entry.url
            else {"text": entry.what}
        )
        rows.append(
            [
                {"text": display_date(entry.at, "j M Y H:i:s")},
                {"text": entry.who},
                what,
                {"html": changes} if entry.changes else {"text": "–"},
            ]
        )
    return {
        "caption": hidden_caption("Changes and views, newest first"),
        "head": [{"text": "When"}, {"text": "Who"}, {"text": "What"}, {"text": "Changes"}],
        "rows": rows,
    }
