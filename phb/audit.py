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
