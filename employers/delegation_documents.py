"""Printable delegation records and competence certificates, made by the documents jobs
(ADR 0032). Both read from the same presenters as their pages."""

from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone

from employers import delegation_selectors as selectors
from employers.models import (
    Competence,
    CompetenceStatus,
    Delegation,
    PersonalAssistantStatus,
)
from employers.views.delegation import ended_sentence, sign_off_sentence
from phb.documents.sources import DocumentSource, register_document_source
from phb.permissions import Permission

DELEGATION_KIND = "delegation_record"
CERTIFICATE_KIND = "competence_certificate"


def _delegation_context(delegation, document) -> dict:
    today = timezone.localdate()
    competences = delegation.competences.select_related(
        "assistant", "signed_off_by", "delegation__task"
    ).order_by("assistant__full_name", "-created_at")
    return {
        "delegation": delegation,
        "ended": ended_sentence(delegation) if delegation.ended_on else "",
        "sentences": [sign_off_sentence(competence, today) for competence in competences],
    }


def _delegation_version(delegation) -> str:
    """The delegation, its latest change to a competence, and, as for the certificate, what
    changes with nothing saved: each PA's sign-off stops being current when its review date
    passes (or the PA leaves), and the record then says they must not do the task."""
    today = timezone.localdate()
    competences = delegation.competences.aggregate(
        latest=Max("updated_at"),
        lapsed=Count("pk", filter=Q(status=CompetenceStatus.SIGNED_OFF, review_on__lt=today)),
        left=Count("pk", filter=Q(assistant__status=PersonalAssistantStatus.LEFT)),
    )
    version = f"delegation {delegation.pk} {delegation.updated_at:%s}"
    if competences["latest"] is None:
        return version
    return (
        f"{version} {competences['latest']:%s} not current {competences['lapsed']} "
        f"left {competences['left']}"
    )


CERTIFICATE_ONLY_WHILE = "A certificate is printed only while a PA is signed off."


def _certificate_refusal(competence) -> str | None:
    """A certificate says the PA "is competent": it is made, and one made before is
    downloaded, only while that is true (signed off, the review not overdue, the PA still
    working for the person). Otherwise, what is true now."""
    today = timezone.localdate()
    if selectors.is_current(competence, today):
        return None
    return f"{sign_off_sentence(competence, today)} {CERTIFICATE_ONLY_WHILE}"


def _certificate_version(competence) -> str:
    # The review date passing changes what the certificate may say, with nothing saved.
    now = "current" if selectors.is_current(competence, timezone.localdate()) else "not current"
    return f"competence {competence.pk} {competence.lock_version} {competence.review_on} {now}"


def _certificate_context(competence, document) -> dict:
    return {
        "competence": competence,
        "signed_off_on": timezone.localtime(competence.signed_off_at).date(),
        "sentence": sign_off_sentence(competence, timezone.localdate()),
    }


def _fetch(model, related):
    return lambda pk: model.objects.select_related(*related).filter(pk=pk).first()


def register() -> None:
    register_document_source(
        DocumentSource(
            kind=DELEGATION_KIND,
            what="delegation record",
            permission=Permission.VIEW_DELEGATIONS,
            load=selectors.delegation_for,
            fetch=_fetch(Delegation, ("task", "budget_holder", "practitioner", "ended_by")),
            holder=lambda delegation: delegation.budget_holder,
            describe=lambda delegation: (
                f"Delegation record: {delegation.task.name} for "
                f"{delegation.budget_holder.full_name}"
            ),
            version=_delegation_version,
            refusal=lambda delegation: None,
            template_name="employers/delegation/documents/delegation_record.html",
            context=_delegation_context,
            filename="delegation-record",
            page_url=lambda delegation: reverse("employers:delegation", args=[delegation.pk]),
        )
    )
    register_document_source(
        DocumentSource(
            kind=CERTIFICATE_KIND,
            what="competence certificate",
            permission=Permission.VIEW_DELEGATIONS,
            load=selectors.competence_for,
            fetch=_fetch(
                Competence,
                (
                    "assistant",
                    "signed_off_by",
                    "delegation__task",
                    "delegation__budget_holder",
                    "delegation__practitioner",
                ),
            ),
            holder=lambda competence: competence.delegation.budget_holder,
            describe=lambda competence: (
                f"Competence certificate: {competence.assistant.full_name}, "
                f"{competence.delegation.task.name}"
            ),
            version=_certificate_version,
            refusal=_certificate_refusal,
            template_name="employers/delegation/documents/certificate.html",
            context=_certificate_context,
            filename="competence-certificate",
            page_url=lambda competence: reverse("employers:competence", args=[competence.pk]),
        )
    )
