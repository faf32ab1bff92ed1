"""`make benchmark`'s runner (benchmarks/, issue 12), run on a tiny dataset so that its code is
exercised in every test run: the pages against the floor, and the sessions handed to locust.

The timings here mean nothing; the test checks that every page answers, that queries are
counted and that the tables are written. gunicorn and locust themselves run only in
`make benchmark`.
"""

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from benchmarks import load, pages
from phb import dataset
from tests.conftest import load_figures_the_migrations_load

pytestmark = [pytest.mark.django_db, pytest.mark.urls("benchmarks.urls")]


@pytest.fixture(scope="module")
def _generated(django_db_setup, django_db_blocker):
    """Generated once for the module, in a transaction rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_figures_the_migrations_load()  # gone if a transactional test ran before
        dataset.generate(people=300, icbs=2, seed=1)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def tiny_dataset(_generated, db):
    return None


def test_every_key_page_is_measured_against_the_floor(tiny_dataset):
    floor, measures = pages.run(rounds=2, warmup=1)

    assert floor.status == 200
    assert floor.queries >= 1
    by_label = {m.label: m for m in measures}
    assert len(by_label) == 11
    assert {m.status for label, m in by_label.items() if not label.startswith("/healthz")} == {200}
    # No Celery worker runs in the tests: /healthz says so (the benchmark starts one).
    assert by_label["/healthz (not signed in)"].status == 503
    layout = by_label.pop(pages.LAYOUT_FLOOR)
    assert layout.reference and layout.queries == floor.queries
    assert all(m.queries > floor.queries for label, m in by_label.items() if "healthz" not in label)
    assert not any(m.reference for m in by_label.values())

    report = pages.table(floor, measures, people=300, rounds=2)
    assert "| Floor (one primary-key query) | 200 |" in report
    assert f"| {pages.LAYOUT_FLOOR} | 200 |" in report and report.count(" | - |\n") == 2
    assert report.count("\n| ") == 1 + 1 + len(measures)  # header, floor, pages


def test_a_page_is_within_three_times_the_floor_on_median_and_p95():
    floor = pages.Measure("floor", "/", 200, 1, 10.0, 20.0)

    assert pages.Measure("page", "/", 200, 5, 30.0, 60.0).within(floor)
    assert not pages.Measure("page", "/", 200, 5, 30.0, 61.0).within(floor)
    assert not pages.Measure("page", "/", 200, 5, 31.0, 20.0).within(floor)


def test_the_load_test_sessions_are_signed_in_staff_with_their_icb_pages(tiny_dataset):
    made = load.sessions(5)

    assert len(made) == 5
    for session in made:
        client = Client()
        client.cookies[session["cookie_name"]] = session["cookie"]
        for _label, url in session["pages"]:
            assert client.get(url).status_code == 200, url
    assert client.get(reverse("benchmark_floor")).status_code == 200


def test_the_load_table_reports_p95_errors_and_throughput():
    report = load.table(
        [load.LoadResult("Staff at human pace", 200, 70, 1_900, 0, 27.1, 40, 120)],
        worker_class="gthread",
        workers=2,
        threads=4,
    )

    assert "gunicorn gthread, 2 workers x 4 threads" in report
    assert "| Staff at human pace | 200 | 70 | 1,900 | 0 | 27.1 | 40 | 120 |" in report
