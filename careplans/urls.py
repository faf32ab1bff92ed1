from careplans.urls_panels import urlpatterns as panel_urlpatterns

app_name = "careplans"
urlpatterns: list = [*panel_urlpatterns]
