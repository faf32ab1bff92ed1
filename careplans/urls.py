from django.urls import include, path

from careplans.urls_panels import urlpatterns as panel_urlpatterns
from careplans.views import plans

app_name = "careplans"

# The care and support plan, the lead's decision, letters and the holder's own page.
plan_urlpatterns = [
    path("person/<uuid:pk>/", plans.PlanView.as_view(), name="plan"),
    path("person/<uuid:pk>/start/", plans.StartPlanView.as_view(), name="start"),
    path("person/<uuid:pk>/yours/", plans.YourPlanView.as_view(), name="your_plan"),
    path("version/<uuid:pk>/", plans.VersionView.as_view(), name="version"),
    path("version/<uuid:pk>/sections/", plans.SectionsView.as_view(), name="sections"),
    path("version/<uuid:pk>/submit/", plans.SubmitView.as_view(), name="submit"),
    path("version/<uuid:pk>/take-back/", plans.TakeBackView.as_view(), name="take_back"),
    path("version/<uuid:pk>/withdraw/", plans.WithdrawView.as_view(), name="withdraw"),
    path("version/<uuid:pk>/new-version/", plans.NewVersionView.as_view(), name="new_version"),
    path("version/<uuid:pk>/compare/<uuid:other>/", plans.CompareView.as_view(), name="compare"),
    path("version/<uuid:pk>/decide/", plans.DecideView.as_view(), name="decide"),
    path("version/<uuid:pk>/<slug:kind>/new/", plans.RowFormView.as_view(), name="row_new"),
    path("version/<uuid:pk>/<slug:kind>/<uuid:row>/", plans.RowFormView.as_view(), name="row_edit"),
    path(
        "version/<uuid:pk>/<slug:kind>/<uuid:row>/remove/",
        plans.RemoveRowView.as_view(),
        name="row_remove",
    ),
    path("letter/<uuid:pk>/", plans.LetterView.as_view(), name="letter"),
]

urlpatterns: list = [
    *plan_urlpatterns,
    *panel_urlpatterns,
    path("", include("careplans.urls_reviews")),
]
