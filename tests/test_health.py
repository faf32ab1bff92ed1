import pytest
import redis
from django.conf import settings
from django.test import override_settings

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def empty_queues():
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.delete("celery", "pdf")
    yield client
    client.delete("celery", "pdf")


@pytest.mark.celery
def test_healthz_reports_all_up_with_a_worker(client, celery_worker, empty_queues):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "up",
        "redis": "up",
        "worker": "up",
        "queues": {"celery": 0, "pdf": 0},
    }


def test_healthz_is_503_without_a_worker(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["worker"] == "down"
    assert response.json()["database"] == "up"


def test_healthz_counts_the_tasks_waiting_in_each_queue(client, empty_queues):
    empty_queues.rpush("celery", "a task", "another")
    empty_queues.rpush("pdf", "a render")
    assert client.get("/healthz").json()["queues"] == {"celery": 2, "pdf": 1}


@override_settings(REDIS_URL="redis://127.0.0.1:1/0", CELERY_BROKER_URL="redis://127.0.0.1:1/0")
def test_healthz_reports_redis_down(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["redis"] == "down"
    assert response.json()["queues"] is None


def test_healthz_needs_no_sign_in_and_holds_no_personal_data(client, holder):
    body = client.get("/healthz").content.decode()
    assert holder.nhs_number not in body
    assert holder.family_name not in body


@override_settings(REDIS_URL="redis://127.0.0.1:1/0", CELERY_BROKER_URL="redis://127.0.0.1:1/0")
def test_livez_answers_while_the_broker_and_workers_are_down(client):
    response = client.get("/livez")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_the_web_containers_health_check_asks_livez():
    compose = (settings.BASE_DIR / "docker-compose.yml").read_text()
    web = compose.split("\n  web:\n")[1].split("\n  worker:\n")[0]
    check = next(line for line in web.splitlines() if line.strip().startswith("test:"))
    assert "/livez" in check and "/healthz" not in check
