"""The daily reminder task on a real broker and real workers: delivered eight times at once,
or its worker killed in the middle of it, each reminder is recorded (and sent) once."""

import datetime
import os
import signal
import subprocess
import sys
import time

import psycopg
import pytest
import redis
from django.conf import settings
from django.db import connection

from careplans.models import ReviewReminder
from careplans.tasks import send_review_reminders
from phb.models import Message, MessageStatus, Role, RoleAssignment
from tests.careplans.reminder_factories import bare_reviews, messages_claimed

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]

TODAY = datetime.date(2027, 1, 4)


@pytest.fixture
def broker():
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.flushdb()
    yield client
    client.flushdb()


@pytest.fixture
def eight_workers(broker):
    """A real Celery worker taking eight tasks at once, in threads."""
    import celery.contrib.testing.tasks  # noqa: F401  (registers the ping task)
    from celery.contrib.testing.worker import start_worker

    from phb.celery import app

    with start_worker(
        app, pool="threads", concurrency=8, perform_ping_check=True, shutdown_timeout=30
    ) as worker:
        yield worker


def _leads(icb) -> int:
    return RoleAssignment.objects.current().filter(organisation=icb, role=Role.PHB_LEAD).count()


def _wait_for(condition, seconds=90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_eight_deliveries_of_the_same_task_at_once_record_and_send_each_reminder_once(
    phb_lead, icb, eight_workers
):
    bare_reviews(icb, phb_lead, [TODAY + datetime.timedelta(days=7)] * 3 + [TODAY] * 3)
    expected = 6 * _leads(icb)
    results = [send_review_reminders.delay(TODAY.isoformat()) for _ in range(8)]
    recorded = [result.get(timeout=60) for result in results]
    assert sum(recorded) == expected
    assert ReviewReminder.objects.count() == expected
    assert Message.objects.count() == messages_claimed()
    # One digest for each lead, listing the six reviews.
    assert _wait_for(
        lambda: Message.objects.filter(status=MessageStatus.SENT).count() == _leads(icb)
    )
    from django.core import mail

    assert len(mail.outbox) == _leads(icb)  # the worker's threads share this process's outbox
    assert {email.subject for email in mail.outbox} == {"6 care and support plan reviews to do"}


def _database_url_params() -> dict:
    params = connection.get_connection_params()
    return {key: params[key] for key in ("host", "port", "user", "dbname") if key in params}


def _start_worker(database: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.killable_worker", database, "3"],
        cwd=settings.BASE_DIR,
        env=os.environ.copy(),
        start_new_session=True,
    )


def test_a_worker_killed_in_the_middle_of_the_task_records_each_reminder_once(
    phb_lead, icb, broker
):
    """The test holds a lock that stops the worker's claims being inserted, after it has read
    the reviews and recorded their messages (uncommitted); the worker is killed (SIGKILL) there
    and the lock let go. Its transaction dies with it; the task, never acknowledged, goes to
    the next worker, which records every reminder once."""
    bare_reviews(icb, phb_lead, [TODAY + datetime.timedelta(days=7)] * 4)
    expected = 4 * _leads(icb)
    database = connection.settings_dict["NAME"]
    blocker = psycopg.connect(**_database_url_params())
    blocker.execute(f"LOCK TABLE {ReviewReminder._meta.db_table} IN EXCLUSIVE MODE")
    worker = _start_worker(database)
    try:
        send_review_reminders.delay(TODAY.isoformat())

        def waiting_on_the_lock():
            # Read afresh each time (in a transaction, pg_stat_activity is a snapshot).
            blocker.execute("SELECT pg_stat_clear_snapshot()")
            row = blocker.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
                "AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO careplans_review%%'",
                [database],
            ).fetchone()
            return row[0] == 1

        assert _wait_for(waiting_on_the_lock), "the worker never reached the claims"
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(10)
    finally:
        blocker.rollback()  # lets the dead worker's statement finish; its transaction aborts
        blocker.close()
    assert ReviewReminder.objects.count() == 0
    assert Message.objects.count() == messages_claimed()
    worker = _start_worker(database)
    try:
        assert _wait_for(lambda: ReviewReminder.objects.count() == expected, seconds=120)
        assert _wait_for(  # a digest of the four reviews for each lead
            lambda: Message.objects.filter(status=MessageStatus.SENT).count() == _leads(icb)
        )
        time.sleep(2)  # nothing more comes
        assert ReviewReminder.objects.count() == expected
        assert Message.objects.count() == messages_claimed()
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(30)
