"""PDFs of budget letters (increases and reductions) and of the holder's "How your budget was
worked out", from the stored letters and the holder page's own presenter."""

import hashlib

from django.urls import reverse

from budgets import selectors
from budgets.holder_presenters import holder_budget
from phb import selectors as core_selectors
from phb.documents.sources import DocumentSource, letter_source, register_document_source
from phb.extensions import read_once
from phb.permissions import Permission


def _explained(holder, acting_for: bool):
    return holder_budget(selectors.holder_budgets_for(holder), holder=holder, acting_for=acting_for)


def explained(holder, *, acting_for: bool = False):
    """The holder page's budget, as its reader sees it: read once for the page and its PDF
    panel (which asks whether there is anything to print, and whether a PDF is out of date)."""
    return read_once(holder, _explained, acting_for)


def _explanation_version(holder) -> str:
    page = explained(holder)
    # Everything the PDF prints: its lead (a stop, a change to come) and summary rows too.
    words = repr(
        (page.lead, page.summary_rows, page.explanation_heading, page.explanation, page.steps)
    )
    return f"explanation {hashlib.sha256(words.encode()).hexdigest()}"


def _explanation_refusal(holder) -> str | None:
    if explained(holder).explanation is None:
        return "There is no budget worked out to print yet."
    return None


def _explanation_context(holder, document) -> dict:
    return {"page": explained(holder, acting_for=holder.user_id != document.requested_by_id)}


def register() -> None:
    register_document_source(
        letter_source(
            kind="budget_letter",
            permission=Permission.VIEW_LETTER,
            load=selectors.letter_for,
            fetch=selectors.letter_by_id,
            holder=lambda letter: letter.budget.budget_holder,
            page_url=lambda letter: reverse("budgets:letter", args=[letter.pk]),
        )
    )
    register_document_source(
        DocumentSource(
            kind="budget_explanation",
            what="explanation of the budget",
            permission=Permission.VIEW_OWN_RECORD,
            load=core_selectors.own_person,
            fetch=core_selectors.person_by_id,
            holder=lambda holder: holder,
            describe=lambda holder: "How the personal health budget was worked out",
            version=_explanation_version,
            refusal=_explanation_refusal,
            template_name="budgets/documents/explanation.html",
            context=_explanation_context,
            filename="how-the-budget-was-worked-out",
            page_url=lambda holder: reverse("holder_home_for", args=[holder.pk]),
        )
    )
