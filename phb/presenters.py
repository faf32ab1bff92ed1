"""Display-ready data about people: macro options for the NHS.UK components on their pages.

The staff record, the person's own page and the caseload share these, so a person's details
read the same everywhere; so are how to reach their ICB's team, and the staff and ICB lists.
"""

import functools
import re
from collections import Counter
from datetime import date, datetime
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from phb.links import links_to
from phb.templatetags.nhsuk import render_component
from phb.validators import phone_number_uri


def display_date(value, format_string: str = "j M Y") -> str:
    """A date or time as the `date` template filter writes it (times in the local zone)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        day_format, _, time_format = format_string.rpartition(" ")
        if time_format == "H:i" and day_format and _DAY_ONLY.fullmatch(day_format):
            # A history table writes a time on every row; Django's formatter takes 25
            # microseconds for each, the day from memory and the clock by hand a third of that.
            return f"{_display_day(value.date(), day_format, get_language())} {value:%H:%M}"
        if _DAY_ONLY.fullmatch(format_string):
            return _display_day(value.date(), format_string, get_language())
        return dateformat.format(value, format_string)
    return _display_day(value, format_string, get_language())


# A format that writes only the day: its letters are the day's, month's and year's, and
# anything else is escaped or punctuation (Django's `date` format characters).
_DAY_ONLY = re.compile(r"(?:\\.|[djDlNSwzWFmMnyYLtE ,./-])*")


@functools.lru_cache(maxsize=4096)
def _display_day(day: date, format_string: str, language: str | None) -> str:
    """A day as the language writes it: a schedule shows the same few dozen days on every
    page, and Django's formatter costs a twentieth of a millisecond each time."""
    return dateformat.format(day, format_string)


def letter_links(letters, url_of) -> list[dict]:
    """Letters newest first, each as its link in a list reads: {"subject", "url", "when"}. No
    two links read the same (WCAG 2.4.4): a letter alone with its subject on its day is said by
    the day; two the same day have their time too, and two in the same minute their place
    ("6 December 2026, 6:39am, 2 of 2"). `url_of(letter)` is its address."""
    letters = sorted(letters, key=lambda letter: letter.created_at)

    def day(letter) -> str:
        return display_date(timezone.localtime(letter.created_at).date(), "j F Y")

    def timed(letter) -> str:
        return f"{day(letter)}, {display_time(letter.created_at)}"

    same_day = Counter((letter.subject, day(letter)) for letter in letters)
    same_minute = Counter((letter.subject, timed(letter)) for letter in letters)
    seen = Counter()
    links = []
    for letter in letters:
        when = day(letter)
        if same_day[letter.subject, when] > 1:
            when = timed(letter)
            key = (letter.subject, when)
            if same_minute[key] > 1:
                seen[key] += 1
                when = f"{when}, {seen[key]} of {same_minute[key]}"
        links.append({"subject": letter.subject, "url": url_of(letter), "when": when})
    return links[::-1]


def display_time(value: datetime) -> str:
    """A time of day in the local zone, as NHS.UK writes times: '9am', '2:30pm'."""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    hour = value.hour % 12 or 12
    suffix = "am" if value.hour < 12 else "pm"
    if value.hour == 12 and value.minute == 0:
        return "midday"
    if value.hour == 0 and value.minute == 0:
        return "midnight"
    return f"{hour}{suffix}" if value.minute == 0 else f"{hour}:{value.minute:02d}{suffix}"


def hidden_caption(text: str) -> dict:
    """A table caption for screen readers: the page's heading already says it for the eye."""
    return {"text": text, "classes": "nhsuk-u-visually-hidden"}


def _text(value) -> dict:
    return {"text": value if value not in (None, "") else "Not recorded"}


def person_summary_rows(holder, *, for_holder: bool = False) -> list[dict]:
    """A person's details. On their own page (`for_holder`), without the staff's rows: why
    they are eligible and which ICB holds the record."""
    lines = (holder.address_line_1, holder.address_line_2, holder.town, holder.postcode)
    address = format_html_join(mark_safe("<br>"), "{}", ((line,) for line in lines if line))
    rows = [
        ("Name", _text(holder.full_name)),
        ("NHS number", _text(holder.formatted_nhs_number)),
        ("Date of birth", _text(holder.date_of_birth.strftime("%-d %B %Y"))),
        ("Address", {"html": address}),
        ("GP practice", _text(holder.gp_practice)),
        ("Email", _text(holder.email)),
        ("Phone", _text(holder.phone)),
        ("Preferred way to be contacted", _text(holder.get_preferred_contact_display())),
        ("Review reminders", _text("Yes" if holder.review_reminders else "No")),
        ("Accessibility needs", _text(holder.accessibility_needs)),
        ("Format for letters and documents", _text(holder.get_information_format_display())),
        ("Why they can have a personal health budget", _text(holder.get_eligibility_display())),
        ("ICB", _text(holder.organisation.name)),
    ]
    if for_holder:
        rows = rows[:-2]
    return [{"key": {"text": key}, "value": value} for key, value in rows]


def signed_in_words(name: str, user, created: bool) -> str:
    """What staff are told when they have given someone a sign-in."""
    return f"{name} can now sign in with {user.email}. " + (
        "We have emailed them a link to set their password."
        if created
        else "They already have a password for it."
    )


def representative_rows(representatives, *, can_change: bool = False) -> list[dict]:
    """Who acts for the person now; staff who may change the record can end each."""
    rows = []
    for rep in representatives:
        value = f"{rep.get_kind_display()}; {rep.relationship}; agreed on {rep.agreed_on:%-d %B %Y}"
        if rep.ended_on is not None:
            value += f"; stops acting on {rep.ended_on:%-d %B %Y}"
        address = rep.postal_address_lines or ["No postal address recorded"]
        html = format_html(
            "{}<br>{}", value, format_html_join(mark_safe("<br>"), "{}", ((a,) for a in address))
        )
        row = {"key": {"text": rep.user.full_name}, "value": {"html": html}}
        # An end still to come can be brought forward.
        if can_change and (rep.ended_on is None or rep.ended_on > timezone.localdate()):
            name = rep.user.full_name
            row["actions"] = {
                "items": [
                    {
                        "href": reverse("representative_address", args=[rep.pk]),
                        "text": "Change address",
                        "visuallyHiddenText": f"for {name}",
                    },
                    {
                        "href": reverse("representative_end", args=[rep.pk]),
                        "text": "End",
                        "visuallyHiddenText": f"{name} acting for them",
                    },
                ]
            }
        rows.append(row)
    return rows


def _role_status(assignment, today) -> tuple[str, str]:
    """Words and tag colour for where a role assignment stands today."""
    if assignment.starts_on > today:
        return f"Starts {assignment.starts_on:%-d %B %Y}", "blue"
    if assignment.ends_on is not None and assignment.ends_on < today:
        return f"Ended {assignment.ends_on:%-d %B %Y}", "grey"
    if assignment.ends_on is not None:
        return f"Until {assignment.ends_on:%-d %B %Y}", "green"
    return "Current", "green"


def staff_table(members) -> dict:
    """Table options for an ICB's staff: name, email, and the roles they hold there now."""
    today = timezone.localdate()
    rows = []
    for member in members:
        current = [a for a in member.assignments_here if a.is_current(today)]
        roles = ", ".join(a.get_role_display() for a in current) or "No current role"
        rows.append(
            [
                {
                    "html": format_html(
                        '<a href="{}">{}</a>', reverse("staff_member", args=[member.pk]), member
                    )
                },
                {"text": member.email},
                {"text": roles},
            ]
        )
    return {
        "caption": "Staff and their current roles",
        "captionSize": "s",
        "head": [{"text": "Name"}, {"text": "Email address"}, {"text": "Roles now"}],
        "rows": rows,
        "responsive": True,
    }


def assignment_table(assignments) -> dict:
    """Table options for a member's roles in one ICB: role, dates, where it stands, action."""
    return {
        "caption": "Roles, with the dates they hold them",
        "captionSize": "s",
        "head": [
            {"text": "Role"},
            {"text": "From"},
            {"text": "To"},
            {"text": "Now"},
            {"html": mark_safe('<span class="nhsuk-u-visually-hidden">Action</span>')},
        ],
        "rows": _assignment_rows(assignments),
        "responsive": True,
    }


def organisations_table(organisations) -> dict:
    """Table options for the service administrator's list of ICBs."""
    return {
        "caption": "ICBs and how many administrators each has now",
        "captionSize": "s",
        "head": [{"text": "ICB"}, {"text": "ODS code"}, {"text": "Administrators now"}],
        "rows": [
            [
                {
                    "html": format_html(
                        '<a href="{}">{}</a>',
                        reverse("service_organisation", args=[icb.pk]),
                        icb.name,
                    )
                },
                {"text": icb.ods_code},
                {"text": str(icb.administrators) if icb.administrators else "None yet"},
            ]
            for icb in organisations
        ],
        "responsive": True,
    }


def _assignment_rows(assignments) -> list[list[dict]]:
    today = timezone.localdate()
    rows = []
    for assignment in assignments:
        words, colour = _role_status(assignment, today)
        ended = assignment.ends_on is not None and assignment.ends_on < today
        rows.append(
            [
                {"text": assignment.get_role_display()},
                {"text": f"{assignment.starts_on:%-d %B %Y}"},
                {
                    "text": f"{assignment.ends_on:%-d %B %Y}"
                    if assignment.ends_on
                    else "No end date"
                },
                {
                    "html": render_component(
                        "tag", {"text": words, "classes": f"nhsuk-tag--{colour}"}
                    )
                },
                {
                    "html": ""
                    if ended
                    else format_html(
                        '<a href="{}">End this role<span class="nhsuk-u-visually-hidden"> ({})'
                        "</span></a>",
                        reverse("staff_end_role", args=[assignment.pk]),
                        assignment.get_role_display(),
                    )
                },
            ]
        )
    return rows


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
    record_of = links_to("person_detail")
    return {
        "caption": hidden_caption(f"People on the caseload, sorted by {sort_label}"),
        "responsive": True,
        "head": head,
        "rows": [
            [
                {
                    "text": f"{person.family_name}, {person.given_name}",
                    "href": record_of(person.pk),
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
    """A person's history (phb.history.HistoryEntry list), newest first: a responsive table,
    so that on a phone each entry's cells stack under their headings."""
    rows = []
    for entry in history:
        changes = format_html(
            '<ul class="nhsuk-list nhsuk-body-s phb-history-changes">{}</ul>',
            format_html_join(
                "",
                "<li>{}: {} → {}</li>",
                ((field, before, after) for field, before, after in entry.changes),
            ),
        )
        rows.append(
            [
                {"text": f"{display_date(entry.at, 'j M Y')}, {display_time(entry.at)}"},
                {"text": entry.who},
                {"text": entry.what},
                {"html": changes} if entry.changes else {"text": "–"},
            ]
        )
    return {
        "caption": hidden_caption("Changes, newest first"),
        "head": [{"text": "When"}, {"text": "Who"}, {"text": "What"}, {"text": "Changes"}],
        "rows": rows,
        "responsive": True,
    }


def access_log_table(accesses) -> dict:
    """A person's access log (phb.history.AccessEntry list), newest first, as a responsive
    table. Who is their name and their sign-in's email address: names repeat (each ICB has
    its own administrator), sign-ins do not."""
    return {
        "caption": hidden_caption("Who opened this record, newest first"),
        "head": [{"text": "When"}, {"text": "Who"}, {"text": "What"}, {"text": "Outcome"}],
        "rows": [
            [
                {"text": f"{display_date(entry.at, 'j M Y')}, {display_time(entry.at)}"},
                {"text": f"{entry.who} ({entry.email})"},
                {"text": entry.what},
                {"text": entry.outcome},
            ]
            for entry in accesses
        ],
        "responsive": True,
    }


STATUS_TAG_COLOURS = {"queued": "blue", "sent": "aqua-green", "delivered": "green", "failed": "red"}


def outbox_table(messages, *, with_person: bool) -> dict:
    """A page of the outbox as a responsive table: when, to whom, how, what, and where it is
    (a failed message says why, with a link to send it again)."""
    head = ["Queued", "To", "How", "Message", "Status"]
    if with_person:
        head.insert(3, "About")
    rows = []
    for message in messages:
        status = render_component(
            "tag",
            {
                "text": message.get_status_display(),
                "classes": f"nhsuk-tag--{STATUS_TAG_COLOURS[message.status]}",
            },
        )
        if message.status == "failed":
            retry = reverse("message_retry", args=[message.pk])
            status = format_html(
                '{}<p class="nhsuk-body-s nhsuk-u-margin-top-2">{}</p>'
                '<p class="nhsuk-body-s"><a href="{}">Send it again<span class="nhsuk-u-visually-'
                'hidden"> ({} to {})</span></a></p>',
                status,
                message.error,
                retry,
                message.subject,
                message.recipient_name,
            )
        row = [
            {
                "text": f"{display_date(message.created_at, 'j M Y')}, "
                f"{display_time(message.created_at)}"
            },
            {
                "html": format_html(
                    '{}<br><span class="nhsuk-body-s">{}</span>',
                    message.recipient_name,
                    message.recipient_role,
                )
            },
            {
                "html": format_html(
                    '{}<br><span class="nhsuk-body-s">{}</span>',
                    message.get_channel_display(),
                    message.to_address or "No address",
                )
            },
            {
                "html": format_html(
                    "<strong>{}</strong><br>{}",
                    message.subject,
                    format_html_join(
                        mark_safe("<br>"), "{}", ((line,) for line in message.body.splitlines())
                    ),
                )
            },
            {"html": status},
        ]
        if with_person:
            person = message.budget_holder
            row.insert(
                3,
                {
                    "html": format_html(
                        '<a href="{}">{}</a>',
                        reverse("person_outbox", args=[person.pk]),
                        person.full_name,
                    )
                    if person
                    else "",
                    "text": "" if person else "Not about one person",
                },
            )
        rows.append(row)
    return {
        "caption": hidden_caption("Messages, newest first"),
        "head": [{"text": text} for text in head],
        "rows": rows,
        "responsive": True,
    }


def message_rows(message) -> list[dict]:
    """One message, for the page that sends it again."""
    rows = [
        ("To", f"{message.recipient_name} ({message.recipient_role})"),
        ("How", f"{message.get_channel_display()}, {message.to_address or 'no address'}"),
        ("Subject", message.subject),
        ("Why it failed", message.error),
    ]
    return [{"key": {"text": key}, "value": _text(value)} for key, value in rows]
