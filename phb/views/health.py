"""/healthz: whether the database, Redis and a Celery worker answer. No personal data."""

import redis
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from phb.celery import app as celery_app


def _timeout() -> float:
    return settings.PHB_HEALTH_TIMEOUT_SECONDS


def _database() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


def _redis() -> bool:
    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL,
            socket_timeout=_timeout(),
            socket_connect_timeout=_timeout(),
        )
        return bool(client.ping())
    except redis.RedisError:
        return False


def _worker() -> bool:
    """A real round trip: broadcast a ping and return on the first worker's reply (waiting
    the whole timeout only when no worker answers)."""
    try:
        return bool(celery_app.control.ping(timeout=_timeout(), limit=1))
    except Exception:
        return False


@login_not_required
@never_cache
@require_GET
def healthz(request):
    checks = {"database": _database(), "redis": _redis(), "worker": _worker()}
    healthy = all(checks.values())
    body = {"status": "ok" if healthy else "unavailable"} | {
        name: ("up" if up else "down") for name, up in checks.items()
    }
    return JsonResponse(body, status=200 if healthy else 503)
