"""Resource allocation system: a needs questionnaire scored in points, converted
to money at the ICB's price per point for the financial year."""

import datetime

from django.db import models
from django.db.models import Q

from budgets.calculations import financial_year_label, points_text
from budgets.models.fields import MoneyField
from phb.audit import audited
from phb.models import BudgetHolder, Organisation, Timestamped, User, UUIDModel


class QuestionnaireStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "In use"
    RETIRED = "retired", "Replaced"


@audited
class RasQuestionnaire(UUIDModel, Timestamped):
    """One version of an ICB's RAS questionnaire for a financial year.

    Once published it is never edited (assessments refer to it); a new version
    is made instead, copied from it.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="ras_questionnaires"
    )
    financial_year = models.PositiveSmallIntegerField(
        help_text="The year the financial year starts: 2026 for 2026/27."
    )
    version = models.PositiveSmallIntegerField()
    price_per_point = MoneyField()
    status = models.CharField(
        max_length=10, choices=QuestionnaireStatus.choices, default=QuestionnaireStatus.DRAFT
    )
    based_on = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True)

    class Meta:
        verbose_name = "RAS questionnaire"
        ordering = ["-financial_year", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "financial_year", "version"], name="ras_version_unique"
            ),
            models.UniqueConstraint(
                fields=["organisation", "financial_year"],
                condition=Q(status="published"),
                name="ras_one_published_per_year",
            ),
            models.CheckConstraint(condition=Q(price_per_point__gt=0), name="ras_price_positive"),
            models.CheckConstraint(
                condition=Q(status__in=QuestionnaireStatus.values), name="ras_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"RAS {self.financial_year_label} version {self.version}"

    @property
    def financial_year_label(self) -> str:
        return financial_year_label(datetime.date(self.financial_year, 4, 1))

    @property
    def editable(self) -> bool:
        return self.status == QuestionnaireStatus.DRAFT


@audited
class RasDomain(UUIDModel):
    questionnaire = models.ForeignKey(
        RasQuestionnaire, on_delete=models.CASCADE, related_name="domains"
    )
    name = models.CharField(max_length=100)
    question = models.CharField(max_length=300, help_text="The question as the person is asked it.")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "name"], name="ras_domain_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


@audited
class RasAnswerOption(UUIDModel):
    domain = models.ForeignKey(RasDomain, on_delete=models.CASCADE, related_name="options")
    text = models.CharField(max_length=300)
    points = models.PositiveIntegerField()
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "points"]

    def __str__(self) -> str:
        return f"{self.text} ({points_text(self.points)})"


@audited
class RasAssessment(UUIDModel, Timestamped):
    """A completed questionnaire for a person; figures are kept as they were worked out."""

    budget_holder = models.ForeignKey(
        BudgetHolder, on_delete=models.PROTECT, related_name="ras_assessments"
    )
    questionnaire = models.ForeignKey(
        RasQuestionnaire, on_delete=models.PROTECT, related_name="assessments"
    )
    effective_date = models.DateField()
    completed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    total_points = models.PositiveIntegerField()
    price_per_point = MoneyField()
    annual_amount = MoneyField()

    class Meta:
        verbose_name = "RAS assessment"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(annual_amount__gte=0), name="ras_assessment_amount_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return f"RAS for {self.budget_holder} on {self.effective_date}"


@audited
class RasAssessmentAnswer(UUIDModel):
    assessment = models.ForeignKey(RasAssessment, on_delete=models.CASCADE, related_name="answers")
    domain = models.ForeignKey(RasDomain, on_delete=models.PROTECT, related_name="+")
    option = models.ForeignKey(RasAnswerOption, on_delete=models.PROTECT, related_name="+")
    points = models.PositiveIntegerField()
    amount = MoneyField()

    class Meta:
        ordering = ["domain__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "domain"], name="ras_one_answer_per_domain"
            )
        ]
