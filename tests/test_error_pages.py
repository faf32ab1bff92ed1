"""The service's own 404 and 500 pages, in the test settings and in the local run's."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.template.loader import get_template
from django.test import Client
from django.urls import reverse

from tests.html import links

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
FOOTER_LINKS = ("/accessibility-statement/", "/contact/", "/cookies/", "/privacy-notice/")


def test_a_missing_page_is_the_services_404_for_a_visitor(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "<title>Page not found – Personal health budgets – NHS</title>" in html
    assert '<a href="/contact/">contact your personal health budget team</a>' in html
    for link in FOOTER_LINKS:
        assert link in dict(links(html))


def test_a_missing_page_is_the_services_404_when_signed_in(client, phb_lead):
    client.force_login(phb_lead)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1>Page not found</h1>" in html
    assert "Caseload" in html  # the signed-in header, with its navigation


def test_opening_a_buttons_address_says_what_to_do_not_an_empty_405(client, phb_lead, holder):
    """A GET of an address that only takes a form's POST (a refresh, a bookmark)."""
    client.force_login(phb_lead)
    response = client.get(reverse("careplans:start", args=[holder.pk]))  # "Start a plan"
    assert response.status_code == 405
    assert "POST" in response["Allow"]
    html = response.content.decode()
    assert "<h1>This page is opened by a button</h1>" in html
    assert "Nothing has been changed." in html
    assert "Caseload" in html  # the signed-in header, with its navigation


@pytest.mark.urls("tests.error_urls")
def test_a_failing_page_is_the_services_500_page():
    client = Client(raise_request_exception=False)
    response = client.get("/broken/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "<h1>Sorry, there is a problem with the service</h1>" in html
    assert (
        "<title>Sorry, there is a problem with the service – Personal health budgets – NHS</title>"
        in html
    )
    assert '<link rel="stylesheet" href="/static/nhsuk/nhsuk-frontend.min.css">' in html
    assert "RuntimeError" not in html
    for link in FOOTER_LINKS:
        assert link in dict(links(html))


def test_the_500_page_needs_no_request_context_processors_or_database(
    django_assert_num_queries,
):
    with django_assert_num_queries(0):
        html = get_template("500.html").render()
    assert "Sorry, there is a problem with the service" in html
    assert 'class="nhsuk-header' in html
    for link in FOOTER_LINKS:
        assert link in dict(links(html))


LOCAL_RUN = """
import django
django.setup()
from django.conf import settings
from django.test import Client
from django.urls import reverse

client = Client(HTTP_HOST="127.0.0.1")
print("DEBUG", settings.DEBUG)
missing = client.get("/no-such-page/")
print("404", missing.status_code, "Page not found – Personal health budgets" in missing.text)
for path in ("/static/nhsuk/nhsuk-frontend.min.css", "/static/nhsuk/nhsuk-frontend.min.js",
             "/static/css/phb.css"):
    print("static", path, client.get(path).status_code)
"""


def test_the_local_run_shows_the_services_own_pages_and_still_serves_static_files():
    """`make run` uses phb.settings.local: DEBUG is off unless asked for, so a missing page
    shows the service's 404 (not Django's debug page), and WhiteNoise serves CSS and JS."""
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env["DJANGO_SETTINGS_MODULE"] = "phb.settings.local"
    result = subprocess.run(
        [sys.executable, "-c", LOCAL_RUN],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "DEBUG False" in lines
    assert "404 404 True" in lines
    assert "static /static/nhsuk/nhsuk-frontend.min.css 200" in lines
    assert "static /static/nhsuk/nhsuk-frontend.min.js 200" in lines
    assert "static /static/css/phb.css 200" in lines
