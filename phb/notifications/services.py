"""The only writers of messages. Reminders and other features record a message here; the
tasks in phb/tasks.py send it and read back what became of it."""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from phb.models import ContactMethod, Message, MessageChannel, MessageStatus
from phb.notifications import channels
from phb.permissions import Permission, require

log = logging.getLogger("phb.notifications")

# A message whose sending task has not run this long after it was queued (or after its last
# failure) is queued again by the sweeper: its task was lost (the broker restarted, say).
SWEEP_AFTER = datetime.timedelta(minutes=10)
# How many times a failure is retried, counting the first send.
MAX_ATTEMPTS = 5
# The recipient_role of a message to the person it is about.
PERSON_ROLE = "The person"


def person_channel(holder) -> tuple[str, str] | None:
    """How to reach a person by message, as they prefer to be contacted: (channel, address),
    or None when they prefer a phone call or a letter."""
    if holder.preferred_contact == ContactMethod.EMAIL:
        return MessageChannel.EMAIL, holder.email
    if holder.preferred_contact == ContactMethod.TEXT:
        return MessageChannel.TEXT, holder.phone
    return None


def new_message(
    *,
    organisation_id,
    recipient_name: str,
    recipient_role: str,
    channel: str,
    to_address: str,
    subject: str,
    body: str,
    budget_holder_id=None,
    recipient_user_id=None,
) -> Message:
    """An unsaved message, for `record_messages`."""
    return Message(
        organisation_id=organisation_id,
        budget_holder_id=budget_holder_id,
        recipient_user_id=recipient_user_id,
        recipient_name=recipient_name[:200],
        recipient_role=recipient_role[:100],
        channel=channel,
        to_address=to_address,
        subject=subject[:200],
        body=body,
    )


def message_about(
    holder, *, name: str, role: str, channel: str, address: str, subject: str, body: str, user=None
) -> Message:
    """An unsaved message about `holder` to one recipient (`user` if they sign in), for
    `record_messages`."""
    return new_message(
        organisation_id=holder.organisation_id,
        budget_holder_id=holder.pk,
        recipient_user_id=user.pk if user is not None else None,
        recipient_name=name,
        recipient_role=role,
        channel=channel,
        to_address=address,
        subject=subject,
        body=body,
    )


@transaction.atomic
def record_messages(*, messages: list[Message]) -> list[Message]:
    """Store messages as queued (one INSERT) and queue their sending once this transaction
    commits: a rolled-back transaction sends nothing, and a committed message is sent even if
    its task is lost (`sweep`)."""
    created = Message.objects.bulk_create(messages)
    ids = [str(message.pk) for message in created]
    transaction.on_commit(lambda: _queue(ids))
    return created


def _queue(ids: list[str]) -> None:
    from phb.tasks import send_message

    for message_id in ids:
        send_message.delay(message_id)


def deliver(*, message_id) -> Message | None:
    """Send one message, if it is still waiting to be. The row is locked while it is sent
    (others skip it), so duplicate deliveries of its task send it once. Returns the message as
    it ends up, or None when it was not this call's to send."""
    with transaction.atomic():
        message = (
            Message.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, status__in=(MessageStatus.QUEUED, MessageStatus.FAILED))
            .filter(provider_id="")
            .first()
        )
        if message is None or (
            message.status == MessageStatus.FAILED and message.attempts >= MAX_ATTEMPTS
        ):
            return None
        message.attempts += 1
        try:
            receipt = channels.send(message)
        except channels.NotSendable as error:
            message.attempts = max(message.attempts, MAX_ATTEMPTS)
            _fail(message, str(error))
        except Exception as error:  # the network, the provider: retried with backoff
            log.warning("Sending message %s failed: %s", message.pk, error)
            _fail(message, f"{type(error).__name__}: {error}")
        else:
            message.status = MessageStatus.SENT
            message.provider = receipt.provider
            message.provider_id = receipt.provider_id
            message.sent_at = timezone.now()
            message.error = ""
        message.save()
        return message


def _fail(message: Message, error: str) -> None:
    message.status = MessageStatus.FAILED
    message.error = (error.strip() or "It could not be sent")[:2000]


def may_retry(message: Message | None) -> bool:
    return (
        message is not None
        and message.status == MessageStatus.FAILED
        and message.attempts < MAX_ATTEMPTS
    )


@transaction.atomic
def retry_message(*, actor, message: Message) -> Message:
    """Staff ask for a failed message to be sent again: queued afresh, with its earlier
    attempts forgotten (the address may have been put right since)."""
    require(actor, Permission.RESEND_MESSAGE, message)
    message = (
        Message.objects.select_for_update(of=("self",))
        .select_related("recipient_user", "budget_holder")
        .get(pk=message.pk)
    )
    if message.status != MessageStatus.FAILED:
        return message
    _readdress(message)
    message.status = MessageStatus.QUEUED
    message.attempts = 0
    message.provider = message.provider_id = ""
    message.sent_at = None
    message.save()
    message_id = str(message.pk)
    transaction.on_commit(lambda: _queue([message_id]))
    return message


def _readdress(message: Message) -> None:
    """The address as it is now: a wrong one may have been put right since."""
    if message.recipient_user_id is not None:
        message.to_address = message.recipient_user.email
    elif message.recipient_role == PERSON_ROLE and message.budget_holder_id is not None:
        reachable = person_channel(message.budget_holder)
        if reachable is not None:
            message.channel, message.to_address = reachable


def sweep(*, now: datetime.datetime | None = None, limit: int = 500) -> int:
    """Queue again the messages whose task never ran: queued, or failed with tries left, and
    untouched for a while. Sending them twice is harmless (`deliver` sends each once)."""
    before = (now or timezone.now()) - SWEEP_AFTER
    waiting = list(
        Message.objects.filter(
            status__in=(MessageStatus.QUEUED, MessageStatus.FAILED),
            updated_at__lt=before,
            attempts__lt=MAX_ATTEMPTS,
            provider_id="",
        )
        .order_by("updated_at")
        .values_list("pk", flat=True)[:limit]
    )
    _queue([str(pk) for pk in waiting])
    return len(waiting)


def check_deliveries(*, limit: int = 500) -> int:
    """Read back from Notify what became of the messages it took in the last week."""
    if not channels.notify_configured():
        return 0
    since = timezone.now() - datetime.timedelta(days=7)
    sent = list(
        Message.objects.filter(
            status=MessageStatus.SENT, provider="notify", sent_at__gte=since
        ).order_by("sent_at")[:limit]
    )
    changed = 0
    for message in sent:
        status = channels.notify_status(message.provider_id)
        if status in channels.NOTIFY_DELIVERED:
            changed += _settle(message, MessageStatus.DELIVERED)
        elif status in channels.NOTIFY_FAILED:
            changed += _settle(message, MessageStatus.FAILED, channels.NOTIFY_FAILED[status])
    return changed


@transaction.atomic
def _settle(message: Message, status: str, error: str = "") -> int:
    updates = {"status": status, "error": error, "updated_at": timezone.now()}
    if status == MessageStatus.DELIVERED:
        updates["delivered_at"] = timezone.now()
    return Message.objects.filter(pk=message.pk, status=MessageStatus.SENT).update(**updates)


def retry_countdown(retries: int) -> int:
    """Seconds before the next try: 1, 2, 4, 8 minutes..."""
    return settings.PHB_NOTIFICATION_RETRY_SECONDS * 2**retries
