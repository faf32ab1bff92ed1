"""Display-ready data about a person, shared by the staff record and the person's own page,
and about how to reach their ICB's team."""

from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from phb.templatetags.nhsuk import render_component
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
