"""The service's "today" in the database, as one function that triggers call.

Pages count days in Europe/London (`timezone.localdate()`); the database's checks of "before
today" call `phb_today()`, which gives the same date. It is one function so that a test that
fixes the date fixes it on both sides of the connection (tests/conftest.py): otherwise a test
written for one date fails on another, when Python and PostgreSQL disagree about today.
"""

import datetime

from django.db import connection

TODAY_SQL = "phb_today()"

_FUNCTION = """
CREATE OR REPLACE FUNCTION phb_today() RETURNS date
LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT {today} $$
"""
REAL_TODAY = _FUNCTION.format(today="(now() AT TIME ZONE 'Europe/London')::date")
DROP = "DROP FUNCTION IF EXISTS phb_today()"


def fix_database_today(day: datetime.date | None) -> None:
    """Make phb_today() return `day` on this database (None: the real date again). For tests
    only: it changes the function for every connection once its transaction commits."""
    sql = REAL_TODAY if day is None else _FUNCTION.format(today=f"DATE '{day.isoformat()}'")
    with connection.cursor() as cursor:
        cursor.execute(sql)
