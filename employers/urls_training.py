"""Training routes of the employers app (see employers/urls.py)."""

from django.urls import path

from employers.views import training

urlpatterns = [
    path("training/catalogue/", training.CatalogueView.as_view(), name="training_catalogue"),
    path("training/catalogue/new/", training.ModuleNewView.as_view(), name="training_module_new"),
    path(
        "training/catalogue/<uuid:pk>/",
        training.ModuleChangeView.as_view(),
        name="training_module",
    ),
    path("training/due/", training.TrainingDueView.as_view(), name="training_due"),
    path("assistants/<uuid:pk>/training/", training.PaTrainingView.as_view(), name="pa_training"),
    path(
        "assistants/<uuid:pk>/training/new/",
        training.RecordTrainingView.as_view(),
        name="training_record_new",
    ),
    path(
        "training/records/<uuid:pk>/evidence/",
        training.EvidenceView.as_view(),
        name="training_evidence",
    ),
    path("my-training/", training.MyTrainingView.as_view(), name="my_training"),
]
