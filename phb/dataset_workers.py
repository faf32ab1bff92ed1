"""The national dataset's worker processes (ADR 0027), spawned by `phb.dataset.generate`.

A spawned process loads this module before Django is set up, so it imports no models at the
top: `start` sets Django up on the caller's database (a test database, say), then unpickles the
run, which holds the apps' own classes.
"""

import pickle
from collections import Counter

_run = None


def start(pickled_run: bytes, database: dict) -> None:
    import django
    from django.conf import settings
    from django.db import connections

    global _run
    django.setup()
    settings.DATABASES["default"] = database
    connections["default"].settings_dict = database
    _run = pickle.loads(pickled_run)  # noqa: S301 (from our own parent process)


def write_icb(index: int, chunk_people: int) -> tuple[Counter, Counter, int]:
    """One ICB, on this process's own connection: what was written, and how long it took."""
    from phb.dataset import Writer, write_icb

    _run.writer = Writer()
    written = write_icb(_run, _run.icbs[index], chunk_people)
    return _run.writer.counts, _run.writer.seconds, written
