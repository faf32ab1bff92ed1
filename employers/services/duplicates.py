"""A record made twice by a double click (or a form sent again) is refused: the same thing
recorded moments ago is taken to be the first click's record, and the second is told who
recorded it and when. The callers lock the record the new one hangs from first, so two clicks
at once are served one after the other and the second sees the first's record."""

import datetime

from django.utils import timezone

from budgets.services import Conflict
from phb.presenters import display_time

# How long ago an identical record counts as the same click's.
RECENTLY = datetime.timedelta(minutes=10)


def since():
    return timezone.now() - RECENTLY


def lock(model, pk) -> None:
    """Lock the row the new record hangs from, until the transaction ends."""
    list(model.objects.select_for_update().filter(pk=pk).values_list("pk", flat=True))


def refuse_repeat(
    earlier, *, what: str, by: str, done: str = "recorded", at: str = "created_at"
) -> None:
    """Conflict if `earlier` (the same record made moments ago, or None) exists; `by` names
    its field holding who recorded it (`done` it), `at` its field holding when."""
    if earlier is None:
        return
    person = getattr(earlier, by)
    who = person.full_name if person is not None else "someone"
    when = timezone.localtime(getattr(earlier, at))
    raise Conflict(
        f"{what} was already {done} by {who} at {display_time(when)} on {when:%-d %B %Y}. "
        "Nothing more was saved."
    )
