"""The service's URLs plus one page that always fails, for the 500 page tests."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from phb.urls import urlpatterns as service_urlpatterns


@login_not_required
def broken(request):
    raise RuntimeError("A deliberate failure for the 500 page test")


urlpatterns = [*service_urlpatterns, path("broken/", broken)]
