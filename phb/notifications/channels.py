"""How a message leaves: GOV.UK Notify when an API key is configured, otherwise Django's
email backend (the console or a file on a developer's machine, SMTP in production)."""

from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage

from phb.models import Message, MessageChannel


class NotSendable(Exception):
    """The message cannot be sent as it stands: trying again will not help."""


@dataclass(frozen=True)
class Receipt:
    provider: str  # "notify" or "email"
    provider_id: str = ""


# Notify's words for where a message is, and ours.
NOTIFY_DELIVERED = frozenset({"delivered", "sent"})
NOTIFY_FAILED = {
    "permanent-failure": "GOV.UK Notify could not deliver it: the address or number is wrong",
    "temporary-failure": "GOV.UK Notify could not deliver it: the inbox or phone was unavailable",
    "technical-failure": "GOV.UK Notify could not deliver it because of a technical problem",
    "validation-failed": "GOV.UK Notify refused it",
}


def notify_configured() -> bool:
    return bool(settings.PHB_NOTIFY_API_KEY)


def notify_client():
    from notifications_python_client.notifications import NotificationsAPIClient

    return NotificationsAPIClient(
        settings.PHB_NOTIFY_API_KEY,
        base_url=settings.PHB_NOTIFY_BASE_URL,
        timeout=settings.PHB_NOTIFY_TIMEOUT_SECONDS,
    )


def send(message: Message) -> Receipt:
    """Hand the message over. Raises NotSendable for what no retry will mend, anything else
    (the network, the provider) for what may."""
    if not message.to_address:
        raise NotSendable(
            f"There is no address to send it to: add one to {message.recipient_name}'s details"
        )
    if notify_configured():
        return _send_by_notify(message)
    if message.channel == MessageChannel.TEXT:
        raise NotSendable(
            "Text messages are sent through GOV.UK Notify, which is not set up for this service"
        )
    EmailMessage(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to_address],
        headers={"X-PHB-Message-Id": str(message.pk)},
    ).send()
    return Receipt(provider="email")


def _send_by_notify(message: Message) -> Receipt:
    """Through Notify's own template by id, with our message id as its reference. Notify's
    400 and 403 (a bad address, a bad key) will not mend on a retry; 429 and 5xx may."""
    from notifications_python_client.errors import HTTPError

    try:
        return _notify_request(message)
    except HTTPError as error:
        if error.status_code in (400, 403):
            raise NotSendable(f"GOV.UK Notify refused it: {error.message}") from error
        raise


def _notify_request(message: Message) -> Receipt:
    client = notify_client()
    reference = str(message.pk)
    if message.channel == MessageChannel.EMAIL:
        response = client.send_email_notification(
            email_address=message.to_address,
            template_id=settings.PHB_NOTIFY_EMAIL_TEMPLATE_ID,
            personalisation={"subject": message.subject, "body": message.body},
            reference=reference,
        )
    else:
        response = client.send_sms_notification(
            phone_number=message.to_address,
            template_id=settings.PHB_NOTIFY_TEXT_TEMPLATE_ID,
            personalisation={"body": message.body},
            reference=reference,
        )
    return Receipt(provider="notify", provider_id=response["id"])


def notify_status(provider_id: str) -> str:
    """Where Notify says the message is now ("sending", "delivered", "permanent-failure"...)."""
    return notify_client().get_notification_by_id(provider_id)["status"]
