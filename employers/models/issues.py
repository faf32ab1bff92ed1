"""When employment goes wrong: an issues log per employer, with the advice given."""

from django.db import models
from django.db.models import F, Q

from budgets.models.budget import AppendOnly
from careplans.models.plans import text_limits
from employers.models.people import Employer, PersonalAssistant
from phb.audit import audited
from phb.models import Timestamped, User, UUIDModel


class IssueKind(models.TextChoices):
    GRIEVANCE = "grievance", "Grievance (a PA's complaint)"
    DISCIPLINE = "discipline", "Discipline"
    ABSENCE = "absence", "Absence"
    ENDING_EMPLOYMENT = "ending", "Ending employment"
    SAFEGUARDING = "safeguarding", "Safeguarding concern"


class IssueStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class EmploymentIssueQuerySet(models.QuerySet):
    def visible_to(self, user) -> "EmploymentIssueQuerySet":
        return self.filter(employer__in=Employer.objects.visible_to(user))


@audited
class EmploymentIssue(UUIDModel, Timestamped):
    """Something that went wrong between an employer and a PA, and how it ended."""

    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="issues")
    assistant = models.ForeignKey(
        PersonalAssistant,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="issues",
        verbose_name="PA",
    )
    kind = models.CharField("What kind of issue", max_length=12, choices=IssueKind.choices)
    opened_on = models.DateField("Date raised")
    summary = models.TextField("What happened", max_length=2000)
    status = models.CharField(max_length=6, choices=IssueStatus.choices, default=IssueStatus.OPEN)
    closed_on = models.DateField("Date closed", null=True, blank=True)
    outcome = models.TextField("How it ended", max_length=2000, blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    objects = EmploymentIssueQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=IssueKind.values), name="employment_issue_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=IssueStatus.values), name="employment_issue_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status=IssueStatus.OPEN)
                | (Q(closed_on__isnull=False) & ~Q(outcome="")),
                name="employment_issue_closed_with_outcome",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("opened_on")),
                name="employment_issue_closed_after_opened",
            ),
            *text_limits("employment_issue", summary=2000, outcome=2000),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} raised {self.opened_on:%-d %B %Y}"

    @property
    def budget_holder(self):
        return self.employer.budget_holder


class IssueAdvice(UUIDModel, AppendOnly):
    """Advice given on an issue: who gave it, when, and what they said. Never changed."""

    issue = models.ForeignKey(EmploymentIssue, on_delete=models.PROTECT, related_name="advice")
    given_on = models.DateField("Date the advice was given")
    given_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    advice = models.TextField("Advice given", max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["given_on", "created_at"]
        constraints = [*text_limits("issue_advice", advice=2000)]
