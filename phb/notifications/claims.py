"""Reminders sent once (ADR 0031), the mechanism every reminder scan shares.

A scan works out which reminder of each thing (a review, a training record, a PA's sign-off) is
current today, makes its messages, and claims each reminder by inserting a row under the claim
model's unique constraint, in the same transaction as it records the messages. A claim already
made (another scan, a duplicate delivery of the task, a retry) inserts nothing, so however often
a scan runs each reminder is recorded and sent once; a claim is a window, not a day, so a scan
missed is caught up by the next one.
"""

import datetime
import uuid

from django.db import connection


class LostRace(Exception):
    """Another scan claimed some of these reminders between our reading and our claiming: the
    transaction rolls back, its messages with it, and reads the claims again."""


def days_before(on: datetime.date, today: datetime.date, days) -> int | None:
    """Which reminder before the date `on` is current `today`: the smallest of `days` (each a
    number of days before) that is at least the days left, 0 on the day itself, or None (not
    yet, or past)."""
    left = (on - today).days
    if left < 0:
        return None
    coming = [day for day in (*days, 0) if day >= left]
    return min(coming) if coming else None


def claim(model, columns: tuple[str, ...], rows: list[tuple]) -> list:
    """Insert a claim of `model` for each of `rows` (the values of `columns`, then the id of
    its message); a claim already made inserts nothing. Returns the message id of each claim
    this transaction made, once per claim (several claims may share a message: a digest)."""
    names = ", ".join(("id", *columns, "message_id", "created_at"))
    row = "(" + ", ".join(["%s"] * (len(columns) + 2)) + ", now())"
    params = []
    for values in rows:
        params += [uuid.uuid4(), *values]
    # Only the model's table, the caller's column names (constants in the code) and
    # placeholders are joined in: every value is a parameter.
    sql = (
        f"INSERT INTO {model._meta.db_table} ({names}) "  # noqa: S608
        f"VALUES {', '.join([row] * len(rows))} ON CONFLICT DO NOTHING RETURNING message_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [found for (found,) in cursor.fetchall()]
