from django.urls import include, path

app_name = "employers"
# One module per part (issue 10): employers and PAs, timesheets, payroll.
urlpatterns = [
    path("", include("employers.urls_employers")),
    path("", include("employers.urls_timesheets")),
    path("", include("employers.urls_payroll")),
    path("", include("employers.urls_training")),
    path("", include("employers.urls_delegation")),
]
