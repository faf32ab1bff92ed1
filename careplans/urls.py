from django.urls import include, path

app_name = "careplans"
urlpatterns: list = [path("", include("careplans.urls_reviews"))]
