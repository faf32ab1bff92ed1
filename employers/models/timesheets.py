"""Timesheets: the shifts a PA worked, submitted by the PA or entered by the employer, then
approved by the employer or their representative before they are paid."""

from datetime import timedelta

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeOperators
from django.db import models
from django.db.models import F, Func, Q

from careplans.models.plans import text_limits
from employers.models.people import PersonalAssistant
from phb.audit import audited
from phb.models import Timestamped, User, UUIDModel


class TimeRange(Func):
    """PostgreSQL's tstzrange(start, end): a shift's time, for the no-overlap constraint."""

    function = "tstzrange"
    output_field = DateTimeRangeField()


class TimesheetStatus(models.TextChoices):
    DRAFT = "draft", "Not sent yet"
    SUBMITTED = "submitted", "Waiting for approval"
    APPROVED = "approved", "Approved"
    RETURNED = "returned", "Sent back for changes"


class TimesheetQuerySet(models.QuerySet):
    def visible_to(self, user) -> "TimesheetQuerySet":
        return self.filter(assistant__in=PersonalAssistant.objects.visible_to(user))


@audited
class Timesheet(UUIDModel, Timestamped):
    """The shifts one PA worked between two dates."""

    assistant = models.ForeignKey(
        PersonalAssistant, on_delete=models.PROTECT, related_name="timesheets"
    )
    starts_on = models.DateField("First day")
    ends_on = models.DateField("Last day")
    status = models.CharField(
        max_length=10, choices=TimesheetStatus.choices, default=TimesheetStatus.DRAFT
    )
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    submitted_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    returned_reason = models.CharField("Why it was sent back", max_length=500, blank=True)

    objects = TimesheetQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=TimesheetStatus.values), name="timesheet_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="timesheet_dates_ordered"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__lte=F("starts_on") + timedelta(days=31)),
                name="timesheet_at_most_a_month",
            ),
            models.CheckConstraint(
                condition=~Q(status=TimesheetStatus.APPROVED)
                | Q(decided_by__isnull=False, decided_at__isnull=False),
                name="timesheet_approval_recorded",
            ),
            *text_limits("timesheet", returned_reason=500),
        ]
        indexes = [
            models.Index(fields=["assistant", "status", "starts_on"], name="timesheet_by_pa"),
        ]

    def __str__(self) -> str:
        return f"Timesheet for {self.assistant} from {self.starts_on:%-d %B %Y}"

    @property
    def budget_holder(self):
        return self.assistant.employer.budget_holder


class ShiftKind(models.TextChoices):
    DAY = "day", "Day"
    NIGHT = "night", "Night"
    WAKING_NIGHT = "waking_night", "Waking night"
    SLEEP_IN = "sleep_in", "Sleep-in"
    HOLIDAY = "holiday", "Holiday taken"
    SICK = "sick", "Off sick"


@audited
class Shift(UUIDModel):
    """One stretch of work (or of holiday or sickness) on a timesheet. A PA's shifts never
    overlap, on this timesheet or any other, and none is longer than a day (25 hours on the
    day the clocks go back)."""

    timesheet = models.ForeignKey(Timesheet, on_delete=models.CASCADE, related_name="shifts")
    # The PA again, so that the database can refuse overlapping shifts across timesheets.
    assistant = models.ForeignKey(PersonalAssistant, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("Type of shift", max_length=12, choices=ShiftKind.choices)
    starts_at = models.DateTimeField("Start")
    ends_at = models.DateTimeField("End")
    hours = models.DecimalField(max_digits=4, decimal_places=2)
    notes = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ShiftKind.values), name="shift_kind_valid"),
            # A day is 25 hours long when the clocks go back in October.
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at"))
                & Q(ends_at__lte=F("starts_at") + timedelta(hours=25)),
                name="shift_at_most_a_day",
            ),
            models.CheckConstraint(
                condition=Q(hours__gt=0, hours__lte=25), name="shift_hours_in_a_day"
            ),
            ExclusionConstraint(
                name="shifts_of_a_pa_do_not_overlap",
                expressions=[
                    ("assistant", RangeOperators.EQUAL),
                    (TimeRange("starts_at", "ends_at"), RangeOperators.OVERLAPS),
                ],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} shift from {self.starts_at:%-d %B %Y %H:%M}"
