"""Reads of the outbox, scoped to the ICB the member of staff acts for."""

from phb.models import Message


def outbox(user, *, budget_holder=None):
    """The messages of the user's ICB (or about one person), newest first, on the
    (organisation or person, created_at, id) indexes."""
    messages = Message.objects.visible_to(user)
    if budget_holder is not None:
        messages = messages.filter(budget_holder=budget_holder)
    return messages.order_by("-created_at", "-id")


def rows(ids) -> list[Message]:
    """One page of messages, in the order of `ids`, in one query."""
    by_id = {m.pk: m for m in Message.objects.filter(pk__in=ids).select_related("budget_holder")}
    return [by_id[pk] for pk in ids if pk in by_id]


def message_for(user, pk) -> Message | None:
    return Message.objects.visible_to(user).select_related("budget_holder").filter(pk=pk).first()
