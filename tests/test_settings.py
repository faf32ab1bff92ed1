"""Production settings fail loudly, and pass Django's deployment checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "SECRET_KEY": "x" * 30 + "-a-long-random-production-secret-key-for-checks",
    "ALLOWED_HOSTS": "phb.example.nhs.uk",
    "DATABASE_URL": "postgres://phb:phb@db.example:5432/phb",
    "REDIS_URL": "redis://redis.example:6379/0",
}


def run_manage(*args, env):
    leave_out = {*PRODUCTION_ENV, "DJANGO_ALLOW_ASYNC_UNSAFE"}
    base = {k: v for k, v in os.environ.items() if k not in leave_out}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=base | {"DJANGO_SETTINGS_MODULE": "phb.settings.production"} | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_under_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr + result.stdout


@pytest.mark.parametrize("missing", sorted(PRODUCTION_ENV))
def test_production_refuses_to_start_without(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert f"{missing} must be set" in result.stderr


def test_a_misspelt_boolean_stops_start_up():
    result = run_manage("check", env=PRODUCTION_ENV | {"SECURE_SSL_REDIRECT": "ture"})
    assert result.returncode != 0
    assert "is not a boolean" in result.stderr


def test_every_scheduled_task_is_a_task_the_worker_knows():
    from django.conf import settings

    from phb.celery import app

    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "careplans.tasks.end_stopped_plans" in scheduled
    assert scheduled - set(app.tasks) == set()
