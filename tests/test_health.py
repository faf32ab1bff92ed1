import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.celery
def test_healthz_reports_all_up_with_a_worker(client, celery_worker):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "up", "redis": "up", "worker": "up"}


def test_healthz_is_503_without_a_worker(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["worker"] == "down"
    assert response.json()["database"] == "up"


@override_settings(REDIS_URL="redis://127.0.0.1:1/0")
def test_healthz_reports_redis_down(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["redis"] == "down"


def test_healthz_needs_no_sign_in_and_holds_no_personal_data(client, holder):
    body = client.get("/healthz").content.decode()
    assert holder.nhs_number not in body
    assert holder.family_name not in body
