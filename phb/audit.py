"""Audit: database triggers record every change to personal or financial data.

`audited` wraps `pghistory.track` with the trackers every audited model needs
(insert, update, delete) and an append-only event table: a `pgtrigger.Protect`
trigger rejects UPDATE and DELETE on the events, so history cannot be rewritten
even by someone with a database connection.
"""

import pghistory


def _track(**options):
    return pghistory.track(
        pghistory.InsertEvent(),
        pghistory.UpdateEvent(),
        pghistory.DeleteEvent(),
        append_only=True,
        **options,
    )


def audited(model=None, /, **options):
    """Class decorator: `@audited` or `@audited(exclude=[...])`."""
    if model is None:
        return _track(**options)
    return _track(**options)(model)


def user_id_of(event) -> str | None:
    """The id of whoever made the change an audit event records: the user the page request's
    pghistory context names (None for a change made outside a page, by a script or a task)."""
    context = getattr(event, "pgh_context", None)
    user = (getattr(context, "metadata", None) or {}).get("user")
    return str(user) if user else None


def changed_by(event):
    """The `User` who made the change an audit event records, or None (`user_id_of`). Select
    the event with its `pgh_context`, so that this costs one query."""
    from phb.models import User

    user_id = user_id_of(event)
    return User.objects.filter(pk=user_id).first() if user_id else None
