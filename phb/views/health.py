"""/healthz: whether the database, the broker (Valkey or Redis) and a Celery worker answer,
and how many tasks wait in each queue; 503 when any is down, for monitoring. /livez: whether
this web process answers at all, for the web container's health check, which must not fail
(and restart the web) because a worker is down. No personal data in either."""

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


# The Celery queues whose waiting tasks are counted: each is a Valkey list of that name.
QUEUES = ("celery", "pdf")


def _broker() -> tuple[bool, dict[str, int] | None]:
    """Whether the broker answers, and the length of each queue (one round trip)."""
    try:
        client = redis.Redis.from_url(
            settings.CELERY_BROKER_URL,
            socket_timeout=_timeout(),
            socket_connect_timeout=_timeout(),
        )
        with client.pipeline(transaction=False) as pipe:
            pipe.ping()
            for queue in QUEUES:
                pipe.llen(queue)
            answers = pipe.execute()
        return bool(answers[0]), dict(zip(QUEUES, answers[1:], strict=True))
    except redis.RedisError:
        return False, None


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
    broker, queues = _broker()
    checks = {"database": _database(), "redis": broker, "worker": _worker()}
    healthy = all(checks.values())
    body = {"status": "ok" if healthy else "unavailable"} | {
        name: ("up" if up else "down") for name, up in checks.items()
    }
    body["queues"] = queues
    return JsonResponse(body, status=200 if healthy else 503)


@login_not_required
@never_cache
@require_GET
def livez(request):
    """The web process answers requests. Nothing else is asked: a database, broker or worker
    that is down is /healthz's to report, and restarting the web would not mend it."""
    return JsonResponse({"status": "ok"})
