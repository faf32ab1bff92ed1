"""Each key page against the floor page, in-process (issue 12, part 1).

Signed in as the PHB lead of the largest ICB (ICB 0 of the generated dataset) through Django's
test client, each page is fetched a few times to warm up, then `rounds` times, timed with
`time.perf_counter`, the rounds interleaved (every page once, then every page again). On one
more fetch an execute wrapper counts its queries and sums their time (the "SQL ms" column; the
rest of the time is Python and templates). The floor page
(benchmarks/urls.py) goes through the same middleware and makes one primary-key query: a page
within 3x the floor's median and p95 is as fast as this stack reasonably allows.

The people measured are chosen deterministically: the person in ICB 0 whose active budget has
the most instalments (then the lowest id), and the budget holder with a sign-in in ICB 0 with
the same rule.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from urllib.parse import urlencode

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.urls import reverse

from budgets.models import Budget, BudgetStatus
from phb import dataset
from phb.models import BudgetHolder, User

WITHIN = 3.0
LAYOUT_FLOOR = "For reference: the floor in the page layout"
CASELOAD_PAGE_SIZE = 25
DEEP_PAGE = 500


@dataclass
class Measure:
    label: str
    url: str
    status: int
    queries: int
    median_ms: float
    p95_ms: float
    sql_ms: float = 0.0
    # Measured for reference (the page layout alone), not a key page held to the target.
    reference: bool = False

    def ratios(self, floor: Measure) -> tuple[float, float]:
        return self.median_ms / floor.median_ms, self.p95_ms / floor.p95_ms

    def within(self, floor: Measure) -> bool:
        return all(ratio <= WITHIN for ratio in self.ratios(floor))


def with_second_factor(user: User) -> User:
    """Staff pass the second-factor check as the test suite's staff do: with a TOTP
    authenticator (the generated staff have none)."""
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, generate_totp_secret())
    return user


def largest_icb_lead() -> User:
    return with_second_factor(User.objects.get(email=dataset.bench_email("lead{icb}", 0)))


def _busiest_budget(icb: int = 0, **holder_filter) -> Budget | None:
    """The active budget in the ICB with the most instalments (then the lowest id)."""
    return (
        Budget.objects.filter(
            status=BudgetStatus.ACTIVE,
            budget_holder__organisation__ods_code=f"{dataset.ODS_PREFIX}{icb:02d}",
            **holder_filter,
        )
        .annotate(instalments=Count("portions__schedule__instalments"))
        .order_by("-instalments", "id")
        .select_related("budget_holder")
        .first()
    )


def key_pages(icb: int = 0) -> list[tuple[str, str]]:
    """(label, URL) for each page staff of the ICB fetch."""
    budget = _busiest_budget(icb)
    person: BudgetHolder = budget.budget_holder
    people_in_icb = BudgetHolder.objects.filter(organisation=person.organisation_id).count()
    last_page = max(1, -(-people_in_icb // CASELOAD_PAGE_SIZE))
    caseload = reverse("caseload")
    pages = [
        ("Caseload, first page", caseload),
        ("Search by name", f"{caseload}?{urlencode({'q': person.family_name})}"),
        ("Search by NHS number", f"{caseload}?{urlencode({'q': person.nhs_number})}"),
        (
            f"Caseload by date of birth, page {min(DEEP_PAGE, last_page)}",
            f"{caseload}?sort=-date_of_birth&page={min(DEEP_PAGE, last_page)}",
        ),
        ("A person's record", reverse("person_detail", args=[person.pk])),
        ("The budget page", reverse("budgets:budget", args=[budget.pk])),
        ("The comparison page", reverse("budgets:person", args=[person.pk])),
        ("The history page", reverse("person_history", args=[person.pk])),
    ]
    return pages


def holder_user(icb: int = 0) -> User:
    """The budget holder with a sign-in whose active budget has the most instalments."""
    own = _busiest_budget(icb, budget_holder__user__isnull=False)
    return own.budget_holder.user


def _counting(queries: list):
    """An execute wrapper that notes each query's milliseconds. (CaptureQueriesContext
    counted none after a client's first request here: its debug cursor was not in use.)"""

    def wrapper(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append((time.perf_counter() - started) * 1000)

    return wrapper


def _counted(client: Client, url: str) -> tuple[int, list[float]]:
    """One fetch, with each of its queries' milliseconds."""
    queries = []
    with connection.execute_wrapper(_counting(queries)):
        response = client.get(url)
    return response.status_code, queries


def _p95(timings: list[float]) -> float:
    if len(timings) == 1:
        return timings[0]
    return statistics.quantiles(timings, n=20, method="inclusive")[18]


def measure_all(
    targets: list[tuple[Client, str, str]], *, rounds: int, warmup: int
) -> list[Measure]:
    """Each (client, label, URL): warmed up, its queries counted on one more fetch, then timed
    `rounds` times. The rounds are interleaved (every page once, then every page again), so
    that whatever else the machine does at some moment (a worker starting, another process)
    falls on every page alike, the floor included, instead of on whichever page was being
    timed then."""
    for _ in range(warmup):
        for client, _label, url in targets:
            client.get(url)
    counted = [_counted(client, url) for client, _label, url in targets]
    timings = [[] for _ in targets]
    for _ in range(rounds):
        for (client, _label, url), times in zip(targets, timings, strict=True):
            started = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - started) * 1000)
    return [
        Measure(
            label,
            url,
            status,
            len(queries),
            statistics.median(times),
            _p95(times),
            sum(queries),
        )
        for (_client, label, url), (status, queries), times in zip(
            targets, counted, timings, strict=True
        )
    ]


def run(*, rounds: int, warmup: int) -> tuple[Measure, list[Measure]]:
    """The floor and every key page, measured in this process."""
    staff = Client()
    staff.force_login(largest_icb_lead())
    holder = Client()
    holder.force_login(holder_user())
    anonymous = Client()
    targets = [(staff, "Floor (one primary-key query)", reverse("benchmark_floor"))]
    targets += [(staff, LAYOUT_FLOOR, reverse("benchmark_layout_floor"))]
    targets += [(staff, label, url) for label, url in key_pages()]
    targets += [
        (holder, "Your budget (holder)", reverse("holder_home")),
        (anonymous, "/healthz (not signed in)", reverse("healthz")),
    ]
    floor, *measures = measure_all(targets, rounds=rounds, warmup=warmup)
    for measure in measures:
        measure.reference = measure.label == LAYOUT_FLOOR
    return floor, measures


def table(floor: Measure, measures: list[Measure], *, people: int, rounds: int) -> str:
    lines = [
        f"Pages at {people:,} people, {rounds} rounds each, signed in as the PHB lead of the "
        "largest ICB; ratios to the floor page measured in the same run.",
        "",
        "| Page | Status | Queries | SQL ms | Median ms | p95 ms | x floor median | x floor p95 | "
        f"Within {WITHIN:g}x |",
        "|---|---|---|---|---|---|---|---|---|",
        f"| {floor.label} | {floor.status} | {floor.queries} | {floor.sql_ms:.1f} | "
        f"{floor.median_ms:.1f} | "
        f"{floor.p95_ms:.1f} | 1.0 | 1.0 | - |",
    ]
    for m in measures:
        median_ratio, p95_ratio = m.ratios(floor)
        lines.append(
            f"| {m.label} | {m.status} | {m.queries} | {m.sql_ms:.1f} | {m.median_ms:.1f} | "
            f"{m.p95_ms:.1f} | "
            f"{median_ratio:.1f} | {p95_ratio:.1f} | "
            f"{'-' if m.reference else 'yes' if m.within(floor) else 'NO'} |"
        )
    return "\n".join(lines) + "\n"
