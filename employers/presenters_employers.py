"""What the employer pages show: NHS.UK tables, summary lists and tags built from the
selectors' checklist."""

from django.urls import reverse
from django.utils.html import format_html

from employers import minimum_wage, selectors
from employers.models import PersonalAssistantStatus
from employers.payroll_presenters import loans_in_words
from employers.selectors import DUE, EXPIRING, MET, MISSING
from phb.components import render_component
from phb.presenters import hidden_caption

TAGS = {
    MET: {"text": "Done", "classes": "nhsuk-tag--green"},
    MISSING: {"text": "Missing", "classes": "nhsuk-tag--red"},
    EXPIRING: {"text": "Runs out soon", "classes": "nhsuk-tag--orange"},
    DUE: {"text": "Due", "classes": "nhsuk-tag--yellow"},
}
SECTION_NAMES = {
    "who": "Point of contact for PAs",
    "paye": "PAYE",
    "insurance": "Employer's liability insurance",
    "pension": "Workplace pension",
    "payroll": "Payroll",
}


def _date(day) -> str:
    return f"{day:%-d %B %Y}" if day else "Not recorded"


def _tag(state: str) -> str:
    return render_component("tag", TAGS[state])


def checklist_rows(employer, today, *, can_manage: bool) -> list[dict]:
    """The duties as summary list rows: each section's state, what it says, and a Change
    link to its form; then each working PA's checks."""
    rows = []
    for duty in selectors.checklist(employer, today):
        if duty.section == "pas":
            key = duty.name
            href = reverse("employers:pa", args=[duty.pa_id])
            action_text, hidden = "View", duty.name
        else:
            key = SECTION_NAMES[duty.section]
            href = reverse("employers:employer_change", args=[employer.pk, duty.section])
            action_text, hidden = "Change", key
        row = {
            "key": {"text": key},
            "value": {"html": format_html("{} {}", _tag(duty.state), duty.text)},
        }
        if can_manage or duty.section == "pas":
            row["actions"] = {
                "items": [{"href": href, "text": action_text, "visuallyHiddenText": hidden}]
            }
        rows.append(row)
    return rows


def dashboard_table(employers, today) -> dict:
    rows = []
    rate_sets = minimum_wage.all_rate_sets()
    for employer in employers:
        gaps = selectors.gaps(employer, today, rate_sets)
        if gaps:
            gap_html = format_html(
                "<ul class='nhsuk-list nhsuk-list--bullet'>{}</ul>",
                format_html("".join("<li>{}</li>" for _ in gaps), *[gap.text for gap in gaps]),
            )
        else:
            gap_html = _tag(MET)
        rows.append(
            [
                {
                    "text": employer.budget_holder.full_name,
                    "href": reverse("employers:employer", args=[employer.pk]),
                },
                {"text": employer.display_name},
                {"text": str(len(employer.employed))},
                {"html": gap_html},
            ]
        )
    return {
        "caption": hidden_caption("Employers"),
        "head": [
            {"text": "Person"},
            {"text": "Employer"},
            {"text": "PAs"},
            {"text": "What is missing"},
        ],
        "rows": rows,
    }


def expiring_table(items) -> dict:
    return {
        "caption": "Expiring in the next 60 days",
        "head": [{"text": "What"}, {"text": "Whose"}, {"text": "Date"}, {"text": "Employer"}],
        "rows": [
            [
                {"text": item.what},
                {"text": item.whose},
                {"text": _date(item.on)},
                {
                    "text": item.employer.display_name,
                    "href": reverse("employers:employer", args=[item.employer.pk]),
                },
            ]
            for item in items
        ],
    }


def issues_table(issues) -> dict:
    return {
        "caption": hidden_caption("Issues log"),
        "head": [
            {"text": "Raised"},
            {"text": "Kind"},
            {"text": "PA"},
            {"text": "Status"},
        ],
        "rows": [
            [
                {
                    "text": _date(issue.opened_on),
                    "href": reverse("employers:issue", args=[issue.pk]),
                },
                {"text": issue.get_kind_display()},
                {"text": issue.assistant.full_name if issue.assistant else "Not about one PA"},
                {"text": issue.get_status_display()},
            ]
            for issue in issues
        ],
    }


def _yes(value) -> str:
    return "Yes" if value else "No"


def _money(value) -> str:
    return f"£{value:,.2f}" if value is not None else "Not recorded"


def _previous_jobs(pa) -> str:
    """ "£15,000.00 pay and £1,800.00 tax in the 2026/27 tax year, before they started"."""
    if pa.previous_pay is None:
        return "None recorded"
    start = pa.starts_on
    year = start.year if (start.month, start.day) >= (4, 6) else start.year - 1
    return (
        f"{_money(pa.previous_pay)} pay and {_money(pa.previous_tax)} tax in the "
        f"{year}/{str(year + 1)[-2:]} tax year, before they started"
    )


def not_started(pa, today) -> bool:
    return pa.status != PersonalAssistantStatus.LEFT and pa.starts_on > today


def status_words(pa, today) -> str:
    """ "Working", "On leave", "Left", or "Starts on 7 December 2026" for a PA who has not
    started yet."""
    if not_started(pa, today):
        return f"Starts on {_date(pa.starts_on)}"
    return pa.get_status_display()


def assistants_with_status(assistants, today) -> list[dict]:
    """Each PA for the lists of PAs, with their status within a sentence ("working",
    "starts on 7 December 2026") and whether they have started."""
    return [
        {
            "pa": pa,
            "status": f"starts on {_date(pa.starts_on)}"
            if not_started(pa, today)
            else pa.get_status_display().lower(),
            "started": not not_started(pa, today),
        }
        for pa in assistants
    ]


def assistant_rows(pa, today) -> list[dict]:
    rows = [
        ("Status", status_words(pa, today)),
        ("Date of birth", _date(pa.date_of_birth)),
        ("National Insurance number", pa.formatted_ni_number or "Not recorded"),
        ("Email address", pa.email or "Not recorded"),
        ("Phone number", pa.phone or "Not recorded"),
        ("Lives in the same household as the budget holder", _yes(pa.lives_in_household)),
        ("A close relative of the employer", _yes(pa.close_relative)),
        ("Right to work checked on", _date(pa.right_to_work_checked_on)),
        ("Document seen", pa.get_right_to_work_document_display() or "Not recorded"),
        ("A copy was kept", _yes(pa.right_to_work_copy_kept)),
        ("Right to work follow-up check due", _date(pa.right_to_work_follow_up_on)),
        ("DBS check", pa.get_dbs_level_display() or "Not recorded"),
        ("DBS certificate number", pa.dbs_certificate_number or "Not recorded"),
        ("DBS certificate issued on", _date(pa.dbs_issued_on)),
        ("Signed up to the DBS Update Service", _yes(pa.dbs_update_service)),
        ("Check DBS again by", _date(pa.dbs_recheck_on)),
        ("Start date", _date(pa.starts_on)),
        ("Written statement given on", _date(pa.statement_issued_on)),
        (
            "Hours a week",
            f"{pa.contracted_hours}" if pa.contracted_hours is not None else "Not recorded",
        ),
        ("Day rate, per hour", _money(pa.day_rate)),
        ("Night rate, per hour", _money(pa.night_rate)),
        ("Waking night rate, per hour", _money(pa.waking_night_rate)),
        ("Sleep-in rate, per night", _money(pa.sleep_in_rate)),
        ("Holiday", pa.get_holiday_basis_display()),
        ("Tax code", f"{pa.tax_code} ({pa.get_tax_basis_display().lower()})"),
        ("Workplace pension", pa.get_pension_choice_display()),
        ("Student loans", loans_in_words(pa.student_loan_plan, pa.postgraduate_loan)),
        ("Previous jobs (from their P45)", _previous_jobs(pa)),
        (
            "Apprentice",
            f"Yes, since {_date(pa.apprenticeship_started_on)}" if pa.apprentice else "No",
        ),
    ]
    if pa.left_on:
        rows += [("Date they left", _date(pa.left_on)), ("Why they left", pa.left_reason)]
    return [{"key": {"text": key}, "value": {"text": value}} for key, value in rows]
