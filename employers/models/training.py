"""PA training and delegated healthcare tasks (issue 11; DOMAIN.md, "Training and delegated
healthcare tasks").

Each ICB keeps a training catalogue (seeded with the 16 Care Certificate standards of March
2025) and a catalogue of healthcare tasks that may be delegated to PAs. A `Delegation` is one
task for one person, decided with them by a registered practitioner; a `Competence` is one PA's
route to doing that task for that person: the three-way agreement, task training, the
competence assessment and the practitioner's sign-off, current until its review date.
Suspension and revocation take effect at once; nothing is deleted, and every change is kept
in `CompetenceChange` as well as the audit history.
"""

from django.db import models
from django.db.models import F, Q

from budgets.models.budget import AppendOnly
from careplans.models.plans import text_limits
from employers.models.people import PersonalAssistant, PersonalAssistantStatus
from phb.audit import audited
from phb.models import BudgetHolder, Organisation, Timestamped, User, UUIDModel

# The Care Certificate's 16 standards (Skills for Care, March 2025).
CARE_CERTIFICATE_STANDARDS = (
    "Understand your role",
    "Your personal development",
    "Duty of care",
    "Equality, diversity, inclusion and human rights",
    "Work in a person-centred way",
    "Communication",
    "Privacy and dignity",
    "Fluids and nutrition",
    "Awareness of mental health and dementia",
    "Adult safeguarding",
    "Safeguarding children",
    "Basic life support",
    "Health and safety",
    "Handling information",
    "Infection prevention and control",
    "Awareness of learning disability and autism",
)


class ModuleKind(models.TextChoices):
    CARE_CERTIFICATE = "care_certificate", "Care Certificate standard"
    CORE = "core", "The ICB's core module"
    TASK = "task", "Training for a healthcare task"


class TrainingModuleQuerySet(models.QuerySet):
    def visible_to(self, user) -> "TrainingModuleQuerySet":
        if not (user.is_authenticated and user.is_staff_member):
            return self.none()
        return self.filter(organisation_id=user.acting_organisation_id)


@audited
class TrainingModule(UUIDModel, Timestamped):
    """Something a PA may be trained in, in one ICB's catalogue."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="training_modules"
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=ModuleKind.choices)
    standard_number = models.PositiveSmallIntegerField(
        "Care Certificate standard", null=True, blank=True
    )
    description = models.TextField(blank=True, max_length=2000)
    refresh_months = models.PositiveSmallIntegerField(
        "Refresh every (months)",
        null=True,
        blank=True,
        help_text="Leave blank if it does not need refreshing.",
    )
    active = models.BooleanField(default=True)

    objects = TrainingModuleQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "standard_number", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="training_module_name_once_per_icb"
            ),
            models.UniqueConstraint(
                fields=["organisation", "standard_number"],
                condition=Q(standard_number__isnull=False),
                name="care_certificate_standard_once_per_icb",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ModuleKind.values), name="training_module_kind_valid"
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind=ModuleKind.CARE_CERTIFICATE)
                    & Q(standard_number__gte=1, standard_number__lte=16)
                )
                | (~Q(kind=ModuleKind.CARE_CERTIFICATE) & Q(standard_number__isnull=True)),
                name="training_module_standard_for_care_certificate_only",
            ),
            models.CheckConstraint(
                condition=Q(refresh_months__isnull=True)
                | Q(refresh_months__gte=1, refresh_months__lte=120),
                name="training_module_refresh_in_range",
            ),
            *text_limits("training_module", description=2000),
        ]

    def __str__(self) -> str:
        if self.standard_number:
            return f"Standard {self.standard_number}: {self.name}"
        return self.name


class Funding(models.TextChoices):
    INDIVIDUAL_EMPLOYER_FUNDING = "ief", "Individual Employer Funding (Skills for Care)"
    BUDGET = "budget", "The personal health budget"
    ICB = "icb", "The ICB"
    FREE = "free", "Free of charge"
    OTHER = "other", "Other"


class TrainingRecordQuerySet(models.QuerySet):
    def visible_to(self, user) -> "TrainingRecordQuerySet":
        return self.filter(assistant__in=PersonalAssistant.objects.visible_to(user))


@audited(exclude=["evidence"])
class TrainingRecord(UUIDModel, Timestamped):
    """Training a PA completed: what, who gave it, when, until when, who paid, and the
    evidence. A Care Certificate standard also needs an assessor's observation."""

    assistant = models.ForeignKey(
        PersonalAssistant, on_delete=models.PROTECT, related_name="training"
    )
    module = models.ForeignKey(TrainingModule, on_delete=models.PROTECT, related_name="records")
    provider = models.CharField("Who gave the training", max_length=200)
    completed_on = models.DateField("Date completed")
    expires_on = models.DateField("Expiry date", null=True, blank=True)
    funding = models.CharField("Who paid", max_length=8, choices=Funding.choices)
    # Care Certificate standards: signed off by an assessor after observing the PA.
    assessor_name = models.CharField("Assessor", max_length=200, blank=True)
    observed_on = models.DateField("Date observed", null=True, blank=True)
    # Evidence (a certificate): kept in the database like generated documents (ADR 0032).
    evidence = models.BinaryField(null=True, blank=True, editable=False)
    evidence_filename = models.CharField(max_length=200, blank=True)
    evidence_content_type = models.CharField(max_length=100, blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    objects = TrainingRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-completed_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(funding__in=Funding.values), name="training_record_funding_valid"
            ),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gt=F("completed_on")),
                name="training_record_expires_after_completion",
            ),
            models.CheckConstraint(
                condition=Q(observed_on__isnull=True) | ~Q(assessor_name=""),
                name="training_record_observation_has_assessor",
            ),
        ]
        indexes = [
            models.Index(fields=["assistant", "module"], name="training_by_pa_and_module"),
            models.Index(fields=["expires_on"], name="training_by_expiry"),
        ]

    def __str__(self) -> str:
        return f"{self.module} ({self.completed_on:%-d %B %Y})"

    @property
    def budget_holder(self):
        return self.assistant.employer.budget_holder


class RiskLevel(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


@audited
class DelegatedTask(UUIDModel, Timestamped):
    """A healthcare task that a registered practitioner may delegate to a PA, in one ICB's
    catalogue, with the training a PA needs before they may be signed off for it."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="delegated_tasks"
    )
    name = models.CharField("Task", max_length=200)
    description = models.TextField(max_length=2000)
    risk_level = models.CharField(max_length=6, choices=RiskLevel.choices)
    required_training = models.ManyToManyField(
        TrainingModule, blank=True, related_name="tasks", verbose_name="Training needed first"
    )
    review_months = models.PositiveSmallIntegerField("Review competence every (months)")
    active = models.BooleanField(default=True)

    objects = TrainingModuleQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="delegated_task_name_once_per_icb"
            ),
            models.CheckConstraint(
                condition=Q(risk_level__in=RiskLevel.values), name="delegated_task_risk_valid"
            ),
            models.CheckConstraint(
                condition=Q(review_months__gte=1, review_months__lte=36),
                name="delegated_task_review_in_range",
            ),
            *text_limits("delegated_task", description=2000),
        ]

    def __str__(self) -> str:
        return self.name


class DelegationQuerySet(models.QuerySet):
    def visible_to(self, user) -> "DelegationQuerySet":
        return self.filter(budget_holder__in=BudgetHolder.objects.visible_to(user))


@audited
class Delegation(UUIDModel, Timestamped):
    """One task delegated for one person: how it applies to them, their own choice and
    consent, the risk/benefit assessment, and the registered practitioner who delegates it."""

    budget_holder = models.ForeignKey(
        BudgetHolder, on_delete=models.PROTECT, related_name="delegations"
    )
    task = models.ForeignKey(DelegatedTask, on_delete=models.PROTECT, related_name="delegations")
    how_it_applies = models.TextField("How the task applies to this person", max_length=2000)
    persons_choice = models.TextField("What the person wants, in their words", max_length=2000)
    consent_given_on = models.DateField("Date the person (or their representative) consented")
    stability = models.TextField("How stable the person's condition is", max_length=2000)
    complexity = models.TextField("How complex the task is for this person", max_length=2000)
    risk_level = models.CharField(
        "Risk after the assessment", max_length=6, choices=RiskLevel.choices
    )
    benefits = models.TextField("Benefits to the person of a PA doing it", max_length=2000)
    practitioner = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="delegations", verbose_name="Practitioner"
    )
    professional_body = models.CharField(
        "Professional body", max_length=100, help_text="For example, NMC or HCPC."
    )
    registration_number = models.CharField("Registration number", max_length=30)
    # Ending it: at once, with a reason and who ended it (`services.delegation.end_delegation`).
    ended_on = models.DateField(null=True, blank=True)
    ended_reason = models.CharField(max_length=500, blank=True)
    ended_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    objects = DelegationQuerySet.as_manager()

    class Meta:
        ordering = ["task__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["budget_holder", "task"],
                condition=Q(ended_on__isnull=True),
                name="delegation_once_per_person_and_task",
            ),
            models.CheckConstraint(
                condition=Q(risk_level__in=RiskLevel.values), name="delegation_risk_valid"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | ~Q(ended_reason=""),
                name="delegation_ended_with_reason",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True, ended_by__isnull=True)
                | Q(ended_on__isnull=False, ended_by__isnull=False),
                name="delegation_ended_by_someone",
            ),
            *text_limits(
                "delegation",
                how_it_applies=2000,
                persons_choice=2000,
                stability=2000,
                complexity=2000,
                benefits=2000,
                ended_reason=500,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task} for {self.budget_holder}"


class CompetenceStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "Being assessed"
    SIGNED_OFF = "signed_off", "Signed off"
    SUSPENDED = "suspended", "Suspended"
    REVOKED = "revoked", "Revoked"


class CompetenceQuerySet(models.QuerySet):
    def visible_to(self, user) -> "CompetenceQuerySet":
        return self.filter(assistant__in=PersonalAssistant.objects.visible_to(user))

    def current(self, on) -> "CompetenceQuerySet":
        """Signed off, not past its review date, and the PA has not left: the PA may do the
        task on `on`."""
        return self.filter(status=CompetenceStatus.SIGNED_OFF, review_on__gte=on).exclude(
            assistant__status=PersonalAssistantStatus.LEFT
        )


@audited
class Competence(UUIDModel, Timestamped):
    """One PA's competence in one delegated task for one person: the three-way agreement,
    the task training, the assessment and the practitioner's sign-off."""

    delegation = models.ForeignKey(Delegation, on_delete=models.PROTECT, related_name="competences")
    assistant = models.ForeignKey(
        PersonalAssistant, on_delete=models.PROTECT, related_name="competences"
    )
    status = models.CharField(
        max_length=12, choices=CompetenceStatus.choices, default=CompetenceStatus.IN_PROGRESS
    )
    # The three-way agreement, each with who and when.
    practitioner_agreed_at = models.DateTimeField(null=True, blank=True)
    employer_agreed_at = models.DateTimeField(null=True, blank=True)
    employer_agreed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    pa_agreed_at = models.DateTimeField(null=True, blank=True)
    # Task-specific training delivered, and the competence assessment.
    training_delivered_on = models.DateField(null=True, blank=True)
    training_delivered_by = models.CharField(max_length=200, blank=True)
    assessed_on = models.DateField(null=True, blank=True)
    observations = models.TextField(blank=True, max_length=2000)
    assessment_passed = models.BooleanField(null=True, blank=True)
    # When the latest assessment was recorded: a sign-off needs one recorded since the last
    # sign-off or suspension (a reassessment at review, or after a suspension).
    assessment_recorded_at = models.DateTimeField(null=True, blank=True)
    # The sign-off.
    signed_off_at = models.DateTimeField(null=True, blank=True)
    signed_off_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    review_on = models.DateField("Review date", null=True, blank=True)
    # Suspension or revocation: at once, with a reason.
    stopped_at = models.DateTimeField(null=True, blank=True)
    stopped_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    stopped_reason = models.CharField(max_length=500, blank=True)
    lock_version = models.PositiveIntegerField(default=0)

    objects = CompetenceQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["delegation", "assistant"],
                condition=Q(status__in=["in_progress", "signed_off", "suspended"]),
                name="competence_once_per_pa_and_delegation",
            ),
            models.CheckConstraint(
                condition=Q(status__in=CompetenceStatus.values), name="competence_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=CompetenceStatus.SIGNED_OFF)
                | Q(
                    practitioner_agreed_at__isnull=False,
                    employer_agreed_at__isnull=False,
                    pa_agreed_at__isnull=False,
                    training_delivered_on__isnull=False,
                    assessment_passed=True,
                    signed_off_at__isnull=False,
                    signed_off_by__isnull=False,
                    review_on__isnull=False,
                ),
                name="competence_signed_off_with_everything",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[CompetenceStatus.SUSPENDED, CompetenceStatus.REVOKED])
                | (Q(stopped_at__isnull=False) & ~Q(stopped_reason="")),
                name="competence_stopped_with_reason",
            ),
            *text_limits("competence", observations=2000, stopped_reason=500),
        ]
        indexes = [
            models.Index(fields=["status", "review_on"], name="competence_by_status_review"),
        ]

    def __str__(self) -> str:
        return f"{self.assistant}: {self.delegation}"

    @property
    def budget_holder(self):
        return self.delegation.budget_holder


class CompetenceChange(UUIDModel, AppendOnly):
    """What happened to a competence, in order: agreed, trained, assessed, signed off,
    reassessed, suspended, revoked. Never changed."""

    competence = models.ForeignKey(Competence, on_delete=models.PROTECT, related_name="changes")
    what = models.CharField(max_length=200)
    reason = models.CharField(max_length=500, blank=True)
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta(AppendOnly.Meta):
        ordering = ["at"]
