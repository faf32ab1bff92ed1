"""`make benchmark`: the key pages against the floor, then the load test (issue 12).

    python -m benchmarks.run --people 250000   (with the engines up: scripts/stack.py exec)

The dataset lives in its own database (phb_benchmark, next to the checkout's phb), generated
once with `generate_dataset` and reused while it holds the size asked for; another size drops
and regenerates it. The tables go to stdout and to benchmarks/results/latest.md.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

RESULTS = Path(__file__).resolve().parent / "results" / "latest.md"
DATABASE_NAME = "phb_benchmark"


def _people_held(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as database:
        if database.execute("SELECT to_regclass('phb_budgetholder')").fetchone()[0] is None:
            return 0
        return database.execute("SELECT count(*) FROM phb_budgetholder").fetchone()[0]


def _use_benchmark_database(people: int) -> bool:
    """Point DATABASE_URL at phb_benchmark on the same server: created if missing, dropped
    and created again if it holds another number of people. True if it holds `people`."""
    import psycopg

    url = urlsplit(os.environ["DATABASE_URL"])
    benchmark_url = url._replace(path=f"/{DATABASE_NAME}").geturl()
    with psycopg.connect(url.geturl(), autocommit=True) as server:
        exists = server.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]
        ).fetchone()
        held = _people_held(benchmark_url) if exists else 0
        if exists and held not in (0, people):
            print(f"{DATABASE_NAME} holds {held:,} people; generating {people:,}", flush=True)
            server.execute(f"DROP DATABASE {DATABASE_NAME} WITH (FORCE)")
            exists = False
        if not exists:
            server.execute(f"CREATE DATABASE {DATABASE_NAME}")
    os.environ["DATABASE_URL"] = benchmark_url
    return held == people


def _dataset(people: int, *, held: bool) -> None:
    """Migrate, and generate the dataset unless the database already holds it."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if held:
        print(f"Reusing the {people:,}-person dataset in {DATABASE_NAME}", flush=True)
    else:
        call_command("generate_dataset", people=people, workers=2)


@contextlib.contextmanager
def celery_worker():
    """A Celery worker for /healthz to ping, as in production; stopped at the end."""
    from phb.celery import app

    worker = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "celery"),
            "-A",
            "phb",
            "worker",
            "--pool",
            "solo",
            "-Q",
            "celery,pdf",
            "-n",
            "phb-benchmark@%h",
            "-l",
            "warning",
        ],
        env=os.environ.copy(),
    )
    try:
        for _ in range(60):
            if app.control.ping(timeout=0.5, limit=1):
                break
        yield
    finally:
        worker.terminate()
        worker.wait(30)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=250_000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--load", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--worker-class", default="sync")
    parser.add_argument("--workers", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)

    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.settings"
    held = _use_benchmark_database(args.people)
    import django

    django.setup()
    from benchmarks import load, pages

    _dataset(args.people, held=held)
    with celery_worker():
        floor, measures = pages.run(rounds=args.rounds, warmup=args.warmup)
        report = pages.table(floor, measures, people=args.people, rounds=args.rounds)
        print(report, flush=True)
        results = args.load and load.run(
            users=args.users,
            seconds=args.seconds,
            worker_class=args.worker_class,
            workers=args.workers,
            threads=args.threads,
        )
    if results:
        load_report = load.table(
            results, worker_class=args.worker_class, workers=args.workers, threads=args.threads
        )
        print(load_report, flush=True)
        report += "\n" + load_report
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(report)
    held = [m for m in measures if not m.reference]
    return 0 if all(m.within(floor) and m.status == 200 for m in held) else 1


if __name__ == "__main__":
    sys.exit(main())
