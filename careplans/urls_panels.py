"""The approval panel pages (included by careplans/urls.py)."""

from django.urls import path

from careplans.views import panels

urlpatterns = [
    path("panels/", panels.SessionListView.as_view(), name="panel_sessions"),
    path("panels/new/", panels.SessionCreateView.as_view(), name="panel_session_new"),
    path("panels/policy/", panels.ApprovalPolicyView.as_view(), name="approval_policy"),
    path("panels/<uuid:pk>/", panels.SessionView.as_view(), name="panel_session"),
    path("panels/<uuid:pk>/change/", panels.SessionEditView.as_view(), name="panel_session_edit"),
    path("panels/<uuid:pk>/agenda/add/", panels.AgendaAddView.as_view(), name="panel_agenda_add"),
    path(
        "panels/<uuid:pk>/agenda/<uuid:version>/",
        panels.AgendaActionView.as_view(),
        name="panel_agenda_item",
    ),
    path("panels/<uuid:pk>/attendance/", panels.AttendanceView.as_view(), name="panel_attendance"),
    path("panels/<uuid:pk>/start/", panels.StartView.as_view(), name="panel_start"),
    path("panels/<uuid:pk>/close/", panels.CloseView.as_view(), name="panel_close"),
    path("panels/<uuid:pk>/conflicts/", panels.ConflictView.as_view(), name="panel_conflict"),
    path("panels/<uuid:pk>/plans/<uuid:version>/", panels.PackView.as_view(), name="panel_pack"),
    path(
        "panels/<uuid:pk>/plans/<uuid:version>/decide/",
        panels.DecideView.as_view(),
        name="panel_decide",
    ),
    path("panels/<uuid:pk>/summary/", panels.SummaryView.as_view(), name="panel_summary"),
]
