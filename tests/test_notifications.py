"""The notifications service: a message is recorded before it is sent, sent once, and a
failure is stored with its error and tried again with backoff; GOV.UK Notify when configured
(here a stand-in on a local port), Django's email backend otherwise."""

import datetime
import socket
import time

import pytest
import redis
from django.conf import settings
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from phb.models import Message, MessageChannel, MessageStatus
from phb.notifications import services as notifications
from tests.fake_notify import API_KEY, FakeNotify
from tests.notification_factories import message

pytestmark = pytest.mark.django_db


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def broker():
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.delete("celery")
    yield client
    client.delete("celery")


@pytest.fixture
def notify():
    with (
        FakeNotify() as fake,
        override_settings(
            PHB_NOTIFY_API_KEY=API_KEY,
            PHB_NOTIFY_BASE_URL=fake.url,
            PHB_NOTIFY_EMAIL_TEMPLATE_ID="email-template-id",
            PHB_NOTIFY_TEXT_TEMPLATE_ID="text-template-id",
        ),
    ):
        yield fake


def test_a_message_is_queued_only_when_its_record_is_committed(
    holder, broker, django_capture_on_commit_callbacks
):
    unsaved = notifications.new_message(
        organisation_id=holder.organisation_id,
        budget_holder_id=holder.pk,
        recipient_name=holder.full_name,
        recipient_role="The person",
        channel=MessageChannel.EMAIL,
        to_address="person@example.org",
        subject="Hello",
        body="A message.",
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        (recorded,) = notifications.record_messages(messages=[unsaved])
    assert recorded.status == MessageStatus.QUEUED
    assert broker.llen("celery") == 0
    callbacks[0]()
    assert broker.llen("celery") == 1


def test_an_email_is_sent_once_however_often_its_task_runs(holder):
    queued = message(holder, to_address="person@example.org")
    sent = notifications.deliver(message_id=queued.pk)
    assert notifications.deliver(message_id=queued.pk) is None
    assert (sent.status, sent.provider, sent.attempts) == (MessageStatus.SENT, "email", 1)
    assert sent.sent_at is not None
    (email,) = mail.outbox
    assert email.to == ["person@example.org"]
    assert email.subject == queued.subject
    assert email.extra_headers["X-PHB-Message-Id"] == str(queued.pk)


def test_a_message_with_no_address_fails_at_once_and_says_why(holder):
    queued = message(holder, to_address="", recipient_name="Casey")
    failed = notifications.deliver(message_id=queued.pk)
    assert failed.status == MessageStatus.FAILED
    assert failed.error == "There is no address to send it to: add one to Casey's details"
    assert not notifications.may_retry(failed)
    assert mail.outbox == []


def test_a_failure_that_may_mend_is_stored_then_tried_again(holder):
    queued = message(holder)
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=_closed_port(),
        EMAIL_TIMEOUT=2,
    ):
        failed = notifications.deliver(message_id=queued.pk)
    assert failed.status == MessageStatus.FAILED
    assert failed.error.startswith("ConnectionRefusedError")
    assert notifications.may_retry(failed)
    sent = notifications.deliver(message_id=queued.pk)
    assert (sent.status, sent.attempts, sent.error) == (MessageStatus.SENT, 2, "")


def test_retries_back_off():
    assert [notifications.retry_countdown(n) for n in range(4)] == [60, 120, 240, 480]


def test_text_messages_need_notify(holder):
    queued = message(holder, channel=MessageChannel.TEXT, to_address="07700 900123")
    failed = notifications.deliver(message_id=queued.pk)
    assert failed.status == MessageStatus.FAILED
    assert "GOV.UK Notify, which is not set up" in failed.error


def test_the_sweeper_queues_again_what_was_committed_but_never_sent(holder, broker):
    lost = message(holder)
    recent = message(holder)
    done = message(holder, status=MessageStatus.SENT)
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    Message.objects.filter(pk__in=[lost.pk, done.pk]).update(updated_at=long_ago)
    assert notifications.sweep() == 1
    assert broker.llen("celery") == 1
    assert str(lost.pk) in broker.lindex("celery", 0).decode()
    assert recent.status == MessageStatus.QUEUED


def test_notify_sends_by_template_with_our_id_as_its_reference(holder, notify):
    email = message(holder, to_address="person@example.org")
    text = message(holder, channel=MessageChannel.TEXT, to_address="07700 900123")
    email_sent = notifications.deliver(message_id=email.pk)
    text_sent = notifications.deliver(message_id=text.pk)
    assert email_sent.provider == text_sent.provider == "notify"
    by_reference = {request["reference"]: request for request in notify.sent}
    assert by_reference[str(email.pk)]["template_id"] == "email-template-id"
    assert by_reference[str(email.pk)]["email_address"] == "person@example.org"
    assert by_reference[str(email.pk)]["personalisation"] == {
        "subject": email.subject,
        "body": email.body,
    }
    assert by_reference[str(text.pk)]["phone_number"] == "07700 900123"
    assert by_reference[str(text.pk)]["template_id"] == "text-template-id"
    assert email_sent.provider_id == by_reference[str(email.pk)]["id"]
    assert mail.outbox == []


def test_what_notify_delivered_or_not_is_read_back(holder, notify):
    delivered = notifications.deliver(message_id=message(holder).pk)
    bounced = notifications.deliver(message_id=message(holder).pk)
    notify.statuses[delivered.provider_id] = "delivered"
    notify.statuses[bounced.provider_id] = "permanent-failure"
    assert notifications.check_deliveries() == 2
    delivered.refresh_from_db()
    bounced.refresh_from_db()
    assert delivered.status == MessageStatus.DELIVERED
    assert delivered.delivered_at is not None
    assert bounced.status == MessageStatus.FAILED
    assert "the address or number is wrong" in bounced.error
    assert notifications.deliver(message_id=bounced.pk) is None  # Notify took it once


def test_a_message_notify_refuses_fails_without_retries(holder, notify):
    notify.refuse_with = 400
    failed = notifications.deliver(message_id=message(holder).pk)
    assert failed.status == MessageStatus.FAILED
    assert failed.error.startswith("GOV.UK Notify refused it")
    assert not notifications.may_retry(failed)


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_the_task_retries_a_failing_send_with_backoff_and_keeps_it(holder, celery_worker):
    from phb.tasks import send_message

    queued = message(holder)
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=_closed_port(),
        EMAIL_TIMEOUT=2,
        PHB_NOTIFICATION_RETRY_SECONDS=0,
    ):
        send_message.delay(str(queued.pk))
        deadline = timezone.now() + datetime.timedelta(seconds=60)
        while timezone.now() < deadline:
            queued.refresh_from_db()
            if queued.attempts >= notifications.MAX_ATTEMPTS:
                break
            time.sleep(0.1)
    assert (queued.status, queued.attempts) == (MessageStatus.FAILED, notifications.MAX_ATTEMPTS)
    assert queued.error.startswith("ConnectionRefusedError")
