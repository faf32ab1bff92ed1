"""Employers routes of the employers app (see employers/urls.py): the dashboard, an
employer's duties, PAs and issues log, and the budget holder's "Your PAs"."""

from django.urls import path

from employers.views import employers as views

urlpatterns: list = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("person/<uuid:pk>/set-up/", views.SetUpView.as_view(), name="set_up"),
    path("person/<uuid:pk>/your-pas/", views.YourPasView.as_view(), name="your_pas"),
    path("employer/<uuid:pk>/", views.EmployerView.as_view(), name="employer"),
    path(
        "employer/<uuid:pk>/change/<slug:section>/",
        views.ChangeSectionView.as_view(),
        name="employer_change",
    ),
    path("employer/<uuid:pk>/pas/new/", views.AddAssistantView.as_view(), name="pa_new"),
    path("employer/<uuid:pk>/issues/new/", views.OpenIssueView.as_view(), name="issue_new"),
    path("pa/<uuid:pk>/", views.AssistantView.as_view(), name="pa"),
    path("pa/<uuid:pk>/change/", views.ChangeAssistantView.as_view(), name="pa_change"),
    path("pa/<uuid:pk>/leaving/", views.LeavingView.as_view(), name="pa_leaving"),
    path("pa/<uuid:pk>/sign-in/", views.AssistantSignInView.as_view(), name="pa_sign_in"),
    path("issue/<uuid:pk>/", views.IssueView.as_view(), name="issue"),
    path("issue/<uuid:pk>/advice/", views.AdviceView.as_view(), name="issue_advice"),
    path("issue/<uuid:pk>/close/", views.CloseIssueView.as_view(), name="issue_close"),
]
