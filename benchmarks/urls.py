"""The product's URLs plus the floor page, for the benchmark settings only."""

from django.http import HttpResponse
from django.template import RequestContext, Template
from django.urls import include, path

from phb.models import User


def floor(request):
    """The least a signed-in page can do: the same middleware, then one primary-key query."""
    user = User.objects.only("id").get(pk=request.user.pk)
    return HttpResponse(f"floor {user.pk}", content_type="text/plain")


LAYOUT = Template(
    '{% extends "base.html" %}{% block title %}Floor{% endblock %}'
    "{% block content %}<h1>Floor {{ pk }}</h1>{% endblock %}"
)


def layout_floor(request):
    """For reference, not the floor: the same query, then the service's page layout (header,
    navigation, footer) around a heading, which every key page also renders."""
    user = User.objects.only("id").get(pk=request.user.pk)
    return HttpResponse(LAYOUT.render(RequestContext(request, {"pk": user.pk})))


urlpatterns = [
    path("__benchmark__/floor/", floor, name="benchmark_floor"),
    path("__benchmark__/layout-floor/", layout_floor, name="benchmark_layout_floor"),
    path("", include("phb.urls")),
]
