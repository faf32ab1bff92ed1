"""Delegated healthcare tasks routes of the employers app (see employers/urls.py)."""

from django.urls import path

from employers.views import delegation

urlpatterns = [
    path("delegated-tasks/", delegation.TaskListView.as_view(), name="delegated_tasks"),
    path("delegated-tasks/new/", delegation.TaskAddView.as_view(), name="delegated_task_add"),
    path("delegated-tasks/<uuid:pk>/", delegation.TaskChangeView.as_view(), name="delegated_task"),
    path(
        "people/<uuid:pk>/delegations/",
        delegation.PersonDelegationsView.as_view(),
        name="person_delegations",
    ),
    path(
        "people/<uuid:pk>/delegations/new/",
        delegation.DelegationAddView.as_view(),
        name="delegation_add",
    ),
    path("delegations/<uuid:pk>/", delegation.DelegationView.as_view(), name="delegation"),
    path(
        "delegations/<uuid:pk>/end/", delegation.EndDelegationView.as_view(), name="delegation_end"
    ),
    path(
        "delegations/<uuid:pk>/competences/new/",
        delegation.CompetenceStartView.as_view(),
        name="competence_start",
    ),
    path("competences/<uuid:pk>/", delegation.CompetenceView.as_view(), name="competence"),
    path("competences/<uuid:pk>/agree/", delegation.AgreeView.as_view(), name="competence_agree"),
    path(
        "competences/<uuid:pk>/training/",
        delegation.TrainingDeliveredView.as_view(),
        name="competence_training",
    ),
    path(
        "competences/<uuid:pk>/assessment/",
        delegation.AssessmentView.as_view(),
        name="competence_assessment",
    ),
    path(
        "competences/<uuid:pk>/sign-off/",
        delegation.SignOffView.as_view(),
        name="competence_sign_off",
    ),
    path("competences/<uuid:pk>/stop/", delegation.StopView.as_view(), name="competence_stop"),
    path("delegation-queue/", delegation.WorkQueueView.as_view(), name="delegation_queue"),
    path(
        "<uuid:pk>/sign-offs/",
        delegation.EmployerSignOffsView.as_view(),
        name="employer_sign_offs",
    ),
    path("my-sign-offs/", delegation.OwnSignOffsView.as_view(), name="own_sign_offs"),
]
