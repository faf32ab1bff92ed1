"""Reads for the timesheet pages, each scoped to what the user may see (`visible_to`), and
lists fetched in a fixed number of queries."""

from django.db.models import Count, Sum

from employers.models import Employer, PersonalAssistant, Shift, Timesheet


def with_totals(timesheets):
    """Each timesheet with its hours and number of shifts, newest first, in one query."""
    return (
        timesheets.select_related("assistant")
        .annotate(total_hours=Sum("shifts__hours"), shift_count=Count("shifts"))
        .order_by("-starts_on", "assistant__full_name", "pk")
    )


def own_timesheets(user):
    """A PA's own timesheets, each with whom it is for (a PA may work for several people)."""
    return with_totals(
        Timesheet.objects.visible_to(user).filter(assistant__user=user)
    ).select_related("assistant__employer__budget_holder")


def employer_for(user, pk) -> Employer | None:
    return Employer.objects.visible_to(user).select_related("budget_holder").filter(pk=pk).first()


def holder_id_of_employer(pk):
    """Whose record a refused request named, for the access log."""
    return Employer.objects.filter(pk=pk).values_list("budget_holder_id", flat=True).first()


def timesheets_of(employer):
    return with_totals(Timesheet.objects.filter(assistant__employer=employer))


def timesheet_for(user, pk) -> Timesheet | None:
    return (
        Timesheet.objects.visible_to(user)
        .select_related("assistant__employer__budget_holder", "decided_by", "submitted_by")
        .filter(pk=pk)
        .first()
    )


def assistant_for(user, pk) -> PersonalAssistant | None:
    return (
        PersonalAssistant.objects.visible_to(user)
        .select_related("employer__budget_holder")
        .filter(pk=pk)
        .first()
    )


def shift_for(user, pk) -> Shift | None:
    return (
        Shift.objects.filter(timesheet__in=Timesheet.objects.visible_to(user))
        .select_related("timesheet__assistant__employer__budget_holder")
        .filter(pk=pk)
        .first()
    )
