"""A PDF asked for by someone: what it is of, which version, who asked, how it went, the file.

The file is kept in the database (ADR 0032): it is written in the same transaction as the row
that says it is done, the web and PDF worker containers need no shared volume, and it is backed
up, restored and deleted with the record it belongs to.
"""

import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone

from phb.audit import audited
from phb.models import BudgetHolder, User, UUIDModel


class DocumentStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to be made"
    RENDERING = "rendering", "Being made"
    DONE = "done", "Ready"
    FAILED = "failed", "Not made"


UNFINISHED = (DocumentStatus.QUEUED, DocumentStatus.RENDERING)
# A request still unfinished this long after it was made has been lost (the broker lost it, or
# a worker was killed at the hard time limit): the page offers to ask again.
ABANDONED_AFTER = datetime.timedelta(minutes=5)


class GeneratedDocumentQuerySet(models.QuerySet):
    def visible_to(self, user) -> "GeneratedDocumentQuerySet":
        """PDFs about the people the user sees, and PDFs the user asked for themself: a PA
        sees no person's record, yet asks for their own payslip's PDF. Either way the page
        the PDF comes from decides too (`selectors.document_for` loads its subject through
        that page's own scoped selector), so a PDF of a page the user can no longer open
        stays out of reach."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            Q(budget_holder__in=BudgetHolder.objects.visible_to(user)) | Q(requested_by=user)
        )


# The person's history shows a PDF asked for and how it went; the file and the bookkeeping
# (what it is of, its version, its file name) stay out of the event table.
@audited(exclude=["content", "kind", "subject_id", "source_version", "filename"])
class GeneratedDocument(UUIDModel):
    budget_holder = models.ForeignKey(
        BudgetHolder, on_delete=models.PROTECT, related_name="documents"
    )
    # A kind registered in phb.documents.sources ("plan", "plan_letter", ...) and the id of
    # what it is of (a plan version, a letter, a person): the core knows no later app's models.
    kind = models.CharField(max_length=32)
    subject_id = models.UUIDField()
    description = models.CharField(max_length=200)
    # What the subject was when the PDF was made; a different one now means the PDF is stale.
    source_version = models.CharField(max_length=200)
    large_print = models.BooleanField(default=False)
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=16, choices=DocumentStatus.choices, default=DocumentStatus.QUEUED
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    content = models.BinaryField(null=True, blank=True, editable=False)
    pages = models.PositiveIntegerField(null=True, blank=True)
    filename = models.CharField(max_length=200)

    objects = GeneratedDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = "PDF"
        ordering = ["-requested_at"]
        indexes = [
            models.Index(
                fields=["kind", "subject_id", "requested_by", "-requested_at"],
                name="document_latest_for_page",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=DocumentStatus.values), name="document_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=DocumentStatus.DONE) | Q(content__isnull=False),
                name="document_done_has_a_file",
            ),
            models.CheckConstraint(
                condition=~Q(status=DocumentStatus.FAILED) | ~Q(error=""),
                name="document_failed_says_why",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.description} ({self.get_status_display().lower()})"

    @property
    def finished(self) -> bool:
        return self.status not in UNFINISHED

    @property
    def abandoned(self) -> bool:
        return not self.finished and timezone.now() - self.requested_at > ABANDONED_AFTER
