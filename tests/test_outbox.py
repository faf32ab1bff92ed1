"""The outbox pages: every message of the ICB, or about one person, newest first, with a
fixed number of queries however many there are; a failed message can be sent again."""

from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from phb.models import Message, MessageStatus
from tests.notification_factories import failed_message, message

pytestmark = pytest.mark.django_db


def _many(holder, count):
    Message.objects.bulk_create(
        Message(
            organisation=holder.organisation,
            budget_holder=holder,
            recipient_name="Pat Lead",
            recipient_role="PHB lead",
            channel="email",
            to_address="pat@example.nhs.uk",
            subject=f"Review due in 7 days: number {index:03d}",
            body="The review is due.",
        )
        for index in range(count)
    )


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("page", ["outbox", "person_outbox"])
def test_the_query_count_does_not_grow_with_the_messages(client, phb_lead, holder, page):
    url = reverse(page, args=[holder.pk] if page == "person_outbox" else [])
    client.force_login(phb_lead)
    _many(holder, 3)
    client.get(url)  # the session and permission caches
    few = _queries(client, url)
    _many(holder, 300)
    assert _queries(client, url) == few
    assert _queries(client, f"{url}?page=10") == few
    assert few <= 12


def test_the_outbox_shows_what_was_sent_newest_first(client, phb_lead, holder):
    message(holder, subject="The older one")
    failed_message(holder, subject="The newer one", error="No address to send it to")
    client.force_login(phb_lead)
    page = unescape(client.get(reverse("outbox")).content.decode())
    assert page.index("The newer one") < page.index("The older one")
    assert "No address to send it to" in page
    assert "Send it again" in page
    assert holder.full_name in page


def test_the_person_outbox_is_linked_from_their_record(client, care_coordinator, holder):
    client.force_login(care_coordinator)
    page = client.get(reverse("person_detail", args=[holder.pk])).content.decode()
    assert reverse("person_outbox", args=[holder.pk]) in page


def test_another_icbs_messages_are_not_seen(client, phb_lead, other_icb_lead, holder):
    mine = message(holder, subject="About our person")
    client.force_login(other_icb_lead)
    assert "About our person" not in client.get(reverse("outbox")).content.decode()
    assert client.get(reverse("person_outbox", args=[holder.pk])).status_code == 404
    assert client.get(reverse("message_retry", args=[mine.pk])).status_code == 404
    assert client.post(reverse("message_retry", args=[mine.pk])).status_code == 404


def test_a_failed_message_is_queued_again_after_commit(
    client, phb_lead, holder, django_capture_on_commit_callbacks
):
    failed = failed_message(holder, to_address="old@example.org")
    holder.email = "new@example.org"
    holder.preferred_contact = "email"
    holder.save()
    client.force_login(phb_lead)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("message_retry", args=[failed.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("person_outbox", args=[holder.pk])
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.to_address) == (
        MessageStatus.QUEUED,
        0,
        "new@example.org",
    )
    assert len(callbacks) == 1


def test_a_message_that_has_not_failed_is_left_as_it_is(client, phb_lead, holder):
    sent = message(holder, status=MessageStatus.SENT)
    client.force_login(phb_lead)
    page = client.get(reverse("message_retry", args=[sent.pk])).content.decode()
    assert "This message has not failed" in page
    client.post(reverse("message_retry", args=[sent.pk]))
    sent.refresh_from_db()
    assert sent.status == MessageStatus.SENT


@pytest.mark.parametrize("page", ["?page=abc", "?page=-1", "?page=99999999999999999999"])
def test_hostile_page_numbers_do_not_fail(client, phb_lead, holder, page):
    client.force_login(phb_lead)
    assert client.get(reverse("outbox") + page).status_code == 200
