"""The product's URLs plus the floor page, for the benchmark settings only."""

from django.http import HttpResponse
from django.urls import include, path

from phb.models import User


def floor(request):
    """The least a signed-in page can do: the same middleware, then one primary-key query."""
    user = User.objects.only("id").get(pk=request.user.pk)
    return HttpResponse(f"floor {user.pk}", content_type="text/plain")


urlpatterns = [
    path("__benchmark__/floor/", floor, name="benchmark_floor"),
    path("", include("phb.urls")),
]
