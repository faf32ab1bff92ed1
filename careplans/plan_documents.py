"""PDFs of the approved plan and of plan letters (decisions, reconsiderations, stops,
repayments), from the same presenters and stored letters as their pages."""

import hashlib

from django.urls import reverse
from django.utils import timezone

from careplans import plan_presenters as presenters
from careplans import plan_selectors as selectors
from careplans.models import PlanStatus
from phb.documents.sources import DocumentSource, letter_source, register_document_source
from phb.permissions import Permission


def _plan_refusal(version) -> str | None:
    in_use_or_ended = version.status in (PlanStatus.ACTIVE, PlanStatus.ENDED)
    stop = selectors.stop_of(version) if in_use_or_ended else None
    # A stop still to come leaves the plan in use (and printable) until its day.
    if stop is not None and stop.effective_on <= timezone.localdate():
        return (
            "The personal health budget this plan pays for has been stopped (from "
            f"{stop.effective_on:%-d %B %Y}), so the plan is no longer printed. The letter "
            "about the stop can be."
        )
    if version.status == PlanStatus.ACTIVE:
        return None
    return (
        f"Version {version.number} of the plan is "
        f"{version.get_status_display().lower()}, not the plan in use, so there is no approved "
        "plan to print from it."
    )


def _plan_version(version) -> str:
    # A stop decided after a PDF was made changes what the plan's PDF says; so does a change
    # of the review due (one done, brought forward or first set), and of the budget's amount
    # or its parts (issued, or come into force: the PDF prints the amount in force that day
    # and any change still to come). Kept short as a digest: with the person's details it
    # must fit in 200 characters.
    stop = selectors.stop_of(version)
    made = f"{version.lock_version} {version.status} {version.updated_at:%s%f}"
    review = selectors.due_review_of(version)
    made += f" review {review.due_on:%Y%m%d}" if review is not None else " no review"
    if stop is not None:
        made += f" stop {stop.pk}"
    if version.budget is not None:
        made += f" budget {presenters.budget_steps(version.budget)} {presenters.holding(version)}"
    return f"plan {version.pk} {hashlib.sha256(made.encode()).hexdigest()[:32]}"


def register() -> None:
    register_document_source(
        DocumentSource(
            kind="plan",
            what="care and support plan",
            permission=Permission.PRINT_PLAN,
            load=selectors.version_for,
            fetch=selectors.version_by_id,
            holder=lambda version: version.plan.budget_holder,
            describe=lambda version: f"Care and support plan, version {version.number}",
            version=_plan_version,
            refusal=_plan_refusal,
            template_name="careplans/documents/plan.html",
            context=lambda version, document: presenters.plan_document(version),
            filename="care-and-support-plan",
            page_url=lambda version: reverse("careplans:version", args=[version.pk]),
            own_page_url=lambda version: reverse(
                "careplans:your_plan", args=[version.plan.budget_holder_id]
            ),
        )
    )
    register_document_source(
        letter_source(
            kind="plan_letter",
            permission=Permission.VIEW_PLAN_LETTER,
            load=selectors.letter_for,
            fetch=selectors.letter_by_id,
            holder=lambda letter: letter.budget_holder,
            page_url=lambda letter: reverse("careplans:letter", args=[letter.pk]),
        )
    )
