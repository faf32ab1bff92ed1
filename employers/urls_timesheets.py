"""Timesheets routes of the employers app (see employers/urls.py)."""

from django.urls import path

from employers.views import timesheets

urlpatterns = [
    path("my-work/", timesheets.MyWorkView.as_view(), name="my_work"),
    path(
        "<uuid:pk>/timesheets/",
        timesheets.TimesheetsToApproveView.as_view(),
        name="timesheets_to_approve",
    ),
    path(
        "<uuid:pk>/timesheets/all/",
        timesheets.EmployerTimesheetsView.as_view(),
        name="employer_timesheets",
    ),
    path(
        "assistants/<uuid:pk>/timesheets/new/",
        timesheets.TimesheetNewView.as_view(),
        name="timesheet_new",
    ),
    path("timesheets/<uuid:pk>/", timesheets.TimesheetView.as_view(), name="timesheet"),
    path("timesheets/<uuid:pk>/add-shift/", timesheets.ShiftAddView.as_view(), name="shift_add"),
    path("timesheets/<uuid:pk>/send/", timesheets.SubmitView.as_view(), name="timesheet_submit"),
    path("timesheets/<uuid:pk>/decide/", timesheets.DecideView.as_view(), name="timesheet_decide"),
    path("shifts/<uuid:pk>/", timesheets.ShiftChangeView.as_view(), name="shift_change"),
    path("shifts/<uuid:pk>/remove/", timesheets.ShiftRemoveView.as_view(), name="shift_remove"),
]
