"""Bulk writes stay linear (issue 12, part 5; ADR 0027): generating 5,000 people costs five
times what 1,000 do, not more, with every trigger on and every constraint checked at once.

`make benchmark` runs it (it is not part of `make test`). Each size is generated in a
transaction that is rolled back, so the two runs do not see each other.
"""

import time

import pytest
from django.db import transaction

from phb import dataset

pytestmark = pytest.mark.django_db

SMALL, LARGE = 1_000, 5_000


def _seconds(people: int) -> float:
    started = time.perf_counter()
    with transaction.atomic():
        dataset.generate(people=people, icbs=1, workers=1, chunk_people=1_000)
        transaction.set_rollback(True)
    return time.perf_counter() - started


def test_generating_people_costs_the_same_per_thousand_at_two_sizes(benchmark):
    small = _seconds(SMALL) / (SMALL / 1_000)
    large = benchmark.pedantic(_seconds, args=(LARGE,), rounds=1, iterations=1) / (LARGE / 1_000)
    benchmark.extra_info["seconds per 1,000 people at 1,000"] = round(small, 2)
    benchmark.extra_info["seconds per 1,000 people at 5,000"] = round(large, 2)
    print(f"\nseconds per 1,000 people: {small:.2f} at {SMALL:,}, {large:.2f} at {LARGE:,}")
    assert large < small * 1.5
