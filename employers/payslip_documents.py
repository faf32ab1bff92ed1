"""Payslip PDFs, made in the background by the documents jobs (ADR 0032) when a pay run is
finalised. A payslip never changes once its run is finalised, so its PDF is never stale."""

from django.urls import reverse

from employers import payroll_selectors as selectors
from employers.payroll_presenters import pension_status, pension_words, to_date_words
from phb.documents.services import request_document
from phb.documents.sources import DocumentSource, register_document_source, source_for
from phb.permissions import Permission

KIND = "payslip"


def _refusal(payslip) -> str | None:
    if payslip.run.is_draft:
        return "A payslip is printed once its pay run is finalised."
    return None


def _context(payslip, document) -> dict:
    pay_words, tax_words = to_date_words(payslip)
    return {
        "payslip": payslip,
        "run": payslip.run,
        "lines": list(payslip.lines.all()),
        "pension_words": pension_words(payslip),
        "pension_status": pension_status(payslip),
        "pay_to_date_words": pay_words,
        "tax_to_date_words": tax_words,
    }


def request_payslip_pdfs(*, actor, run) -> None:
    """Ask for a PDF of every payslip of a finalised run, made after the run is committed."""
    source = source_for(KIND)
    for payslip in selectors.payslips_of(run):
        request_document(actor=actor, source=source, subject=payslip)


def register() -> None:
    register_document_source(
        DocumentSource(
            kind=KIND,
            what="payslip",
            permission=Permission.VIEW_PAYSLIP,
            load=selectors.payslip_for,
            fetch=selectors.payslip_by_id,
            holder=lambda payslip: payslip.run.employer.budget_holder,
            describe=lambda payslip: (
                f"Payslip for {payslip.assistant.full_name}, paid {payslip.run.pay_date:%-d %B %Y}"
            ),
            version=lambda payslip: f"payslip {payslip.pk}",
            refusal=_refusal,
            template_name="employers/payroll/documents/payslip.html",
            context=_context,
            filename="payslip",
            page_url=lambda payslip: reverse("employers:payslip", args=[payslip.pk]),
            # The PA's document, unless the person asks for it as their employer: then it is
            # made in the format the person needs (large print).
            read_by_the_person=lambda user, payslip: (
                user.pk == payslip.run.employer.budget_holder.user_id
            ),
        )
    )
