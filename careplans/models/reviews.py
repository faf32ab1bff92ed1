"""Reviews: the first within 3 months of the first payment, then at most 12 months after
the last (sooner by the person's risk level, or brought forward when health changes, the money
is not enough or there is a concern)."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from budgets.models.budget import AppendOnly
from careplans.models.plans import CarePlan, Goal, PlanVersion, text_limits
from phb.audit import audited
from phb.models import BudgetHolder, Message, Timestamped, User, UUIDModel


class ReviewKind(models.TextChoices):
    FIRST = "first", "First review"
    SCHEDULED = "scheduled", "Regular review"
    BROUGHT_FORWARD = "brought_forward", "Review brought forward"


class ReviewStatus(models.TextChoices):
    DUE = "due", "Due"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


class RiskLevel(models.TextChoices):
    STANDARD = "standard", "Standard"
    HIGH = "high", "High"


class ReviewQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(plan__budget_holder__in=BudgetHolder.objects.visible_to(user))


@audited
class Review(UUIDModel, Timestamped):
    """A review of a person's plan: when it is due, and once done what it found."""

    plan = models.ForeignKey(CarePlan, on_delete=models.PROTECT, related_name="reviews")
    kind = models.CharField(max_length=16, choices=ReviewKind.choices)
    due_on = models.DateField("Due by")
    reason_brought_forward = models.TextField(blank=True, max_length=2000)
    status = models.CharField(max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.DUE)
    # What the review found
    reviewed_version = models.ForeignKey(
        PlanVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="reviews"
    )
    completed_on = models.DateField(null=True, blank=True)
    completed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    plan_still_right = models.BooleanField(null=True)
    money_used_well = models.BooleanField(null=True)
    amount_enough = models.BooleanField(null=True)
    conditions_kept = models.BooleanField(null=True)
    risk_level = models.CharField(
        max_length=8, choices=RiskLevel.choices, default=RiskLevel.STANDARD
    )
    changes_needed = models.TextField(blank=True, max_length=5000)
    notes = models.TextField(blank=True, max_length=5000)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["due_on"]
        indexes = [
            models.Index(fields=["status", "due_on"], name="review_due_by_date"),
            models.Index(fields=["plan", "status", "due_on"], name="review_by_plan"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ReviewKind.values), name="review_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ReviewStatus.values), name="review_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(kind=ReviewKind.BROUGHT_FORWARD) | ~Q(reason_brought_forward=""),
                name="review_brought_forward_says_why",
            ),
            models.CheckConstraint(
                condition=~Q(status=ReviewStatus.COMPLETED)
                | Q(
                    completed_on__isnull=False,
                    completed_by__isnull=False,
                    plan_still_right__isnull=False,
                    money_used_well__isnull=False,
                    amount_enough__isnull=False,
                    conditions_kept__isnull=False,
                ),
                name="review_completed_has_findings",
            ),
            models.UniqueConstraint(
                fields=["plan"],
                condition=Q(status=ReviewStatus.DUE),
                name="review_one_due_at_a_time",
            ),
            *text_limits("review", reason_brought_forward=2000, changes_needed=5000, notes=5000),
        ]


class ProgressRating(models.TextChoices):
    ACHIEVED = "achieved", "Achieved"
    GOOD = "good", "Good progress"
    SOME = "some", "Some progress"
    NONE = "none", "No progress yet"


@audited
class GoalProgress(UUIDModel):
    """Progress on one goal, as found at a review."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="progress")
    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="+")
    rating = models.CharField(max_length=10, choices=ProgressRating.choices)
    notes = models.TextField(blank=True, max_length=2000)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "goal"], name="goal_progress_once"),
            models.CheckConstraint(
                condition=Q(rating__in=ProgressRating.values), name="goal_progress_rating_valid"
            ),
            *text_limits("goal_progress", notes=2000),
        ]


class ReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", "Review due soon"
    DUE_TODAY = "due_today", "Review due today"
    OVERDUE = "overdue", "Review overdue"


class ReminderRecipient(models.TextChoices):
    CARE_COORDINATOR = "care_coordinator", "Care coordinator"
    PHB_LEAD = "phb_lead", "PHB lead"
    PERSON = "person", "The person"


class ReviewReminder(UUIDModel, AppendOnly):
    """The claim on one reminder: this review, this kind, for this due date, at this step, to
    this recipient. Inserted under its unique constraint in the transaction that records the
    message, so a reminder is recorded (and sent) once however often the daily scan runs
    (ADR 0031). `step` is the days before the due date (due soon), 0 (due today) or the week
    it is overdue (overdue)."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="reminders")
    kind = models.CharField(max_length=10, choices=ReminderKind.choices)
    due_on = models.DateField()
    step = models.PositiveSmallIntegerField()
    recipient = models.CharField(max_length=16, choices=ReminderRecipient.choices)
    recipient_user = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Several reminders to one member of staff share one message: a digest.
    message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="review_reminders")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta(AppendOnly.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["review", "kind", "due_on", "step", "recipient", "recipient_user"],
                nulls_distinct=False,
                name="review_reminder_once",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ReminderKind.values), name="review_reminder_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(recipient__in=ReminderRecipient.values),
                name="review_reminder_recipient_valid",
            ),
        ]
