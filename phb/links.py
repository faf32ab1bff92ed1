"""Links to many records of one kind, for tables: one reverse() for the whole table.

reverse() resolves the URL pattern every time, about 25 microseconds; a payment schedule's
table links each of its rows, and reversing row by row took five per cent of the budget page
(issue 12). The URLs are the same as reverse() makes, as tests/test_links.py checks.
"""

import uuid
from collections.abc import Callable

from django.urls import reverse

# A key that no record has, reversed in place of each row's own and then replaced by it.
_STAND_IN = uuid.UUID("00000000-0000-4000-8000-000000000000")


def links_to(name: str, *args) -> Callable[[uuid.UUID], str]:
    """A function from a record's key to reverse(name, args=[*args, key]). Every record's key
    is a UUID, which a URL writes as it is, so each link is the stand-in's link with the key
    in its place."""
    before, _, after = reverse(name, args=[*args, _STAND_IN]).partition(str(_STAND_IN))

    def link(key: uuid.UUID) -> str:
        if not isinstance(key, uuid.UUID):
            raise TypeError(f"A record's key is a UUID, not {type(key).__name__}")
        return f"{before}{key}{after}"

    return link
