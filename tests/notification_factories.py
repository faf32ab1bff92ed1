"""Messages in each state, for the outbox's tests."""

from django.utils import timezone

from phb.models import Message, MessageChannel, MessageStatus


def message(holder, *, status=MessageStatus.QUEUED, **fields) -> Message:
    """A message about `holder`, to their email address. Made directly: only sending changes a
    message's status, and these tests start from each status."""
    defaults = {
        "organisation": holder.organisation,
        "budget_holder": holder,
        "recipient_name": holder.full_name,
        "recipient_role": "The person",
        "channel": MessageChannel.EMAIL,
        "to_address": holder.email or "someone@example.org",
        "subject": "Your care and support plan review",
        "body": "The review of your care and support plan is due by 4 January 2027.",
        "status": status,
    }
    if status == MessageStatus.FAILED:
        defaults |= {"error": "Connection refused", "attempts": 5}
    if status in (MessageStatus.SENT, MessageStatus.DELIVERED):
        defaults |= {"provider": "email", "sent_at": timezone.now()}
    return Message.objects.create(**(defaults | fields))


def failed_message(holder, **fields) -> Message:
    return message(holder, status=MessageStatus.FAILED, **fields)
