"""The load test (issue 12, part 4): gunicorn on loopback, serving the benchmark database, and
locust, headless, driving it.

Signed-in sessions are written straight into the session store (the staff have a TOTP
authenticator, so they pass the second-factor check); their cookies go to locust with the key
pages of their ICB. Two runs: staff at human pace (a page every 5-15 s) for a bounded time, then
a short saturation run with no wait, whose requests a second are the saturation throughput.
"""

from __future__ import annotations

import csv
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

from benchmarks import pages
from phb import dataset
from phb.models import Organisation, User

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# The staff who may open every key page: the two PHB leads of each ICB.
STAFF_PATTERNS = ("lead{icb}", "lead{icb}b")
# The backend a password sign-in records in the session (the one that signs people in).
SIGN_IN_BACKEND = "phb.auth_backends.SignInBackend"


@dataclass
class LoadResult:
    name: str
    users: int
    seconds: int
    requests: int
    failures: int
    per_second: float
    median_ms: float
    p95_ms: float


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def sessions(count: int) -> list[dict]:
    """`count` signed-in sessions, spread over the ICBs' staff in turn."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    icbs = Organisation.objects.filter(ods_code__startswith=dataset.ODS_PREFIX).count()
    icb_pages = {icb: pages.key_pages(icb) for icb in range(icbs)}
    staff = [
        (icb, pages.with_second_factor(User.objects.get(email=dataset.bench_email(pattern, icb))))
        for icb in range(icbs)
        for pattern in STAFF_PATTERNS
    ]
    made = []
    for number in range(count):
        icb, user = staff[number % len(staff)]
        session = store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = SIGN_IN_BACKEND
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        made.append(
            {
                "cookie_name": settings.SESSION_COOKIE_NAME,
                "cookie": session.session_key,
                "pages": icb_pages[icb],
            }
        )
    return made


def _stats(name: str, users: int, seconds: int, prefix: Path) -> LoadResult:
    with open(f"{prefix}_stats.csv") as stats:
        total = next(row for row in csv.DictReader(stats) if row["Name"] == "Aggregated")
    return LoadResult(
        name,
        users,
        seconds,
        int(total["Request Count"]),
        int(total["Failure Count"]),
        float(total["Requests/s"]),
        float(total["50%"]),
        float(total["95%"]),
    )


def _locust(
    host: str, sessions_file: Path, *, users: int, rate: int, seconds: int, wait: str, prefix: Path
) -> None:
    subprocess.run(
        [
            str(BIN / "locust"),
            "-f",
            str(ROOT / "benchmarks" / "locustfile.py"),
            "--headless",
            "--host",
            host,
            "--users",
            str(users),
            "--spawn-rate",
            str(rate),
            "--run-time",
            f"{seconds}s",
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=os.environ | {"BENCHMARK_SESSIONS": str(sessions_file), "BENCHMARK_WAIT": wait},
        check=False,
        stdout=subprocess.DEVNULL,
    )


def _wait_for(url: str, process: subprocess.Popen) -> None:
    for _ in range(600):
        if process.poll() is not None:
            raise SystemExit(f"gunicorn stopped (exit {process.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"gunicorn did not answer at {url}")


def _drain(url: str) -> None:
    """Wait until the server answers promptly: requests a finished run left queued (sync
    workers serve them even after locust hangs up) would otherwise count against the next."""
    for _ in range(120):
        started = time.perf_counter()
        with urllib.request.urlopen(url, timeout=60):
            pass
        if time.perf_counter() - started < 0.5:
            return
        time.sleep(0.5)


def run(
    *,
    users: int = 200,
    seconds: int = 60,
    saturation_users: int = 20,
    saturation_seconds: int = 20,
    worker_class: str = "sync",
    workers: int = 5,
    threads: int = 1,
) -> list[LoadResult]:
    """gunicorn with the given workers, staff at human pace, then the saturation run."""
    port = free_port()
    host = f"http://127.0.0.1:{port}"
    ramp_rate = 20
    with tempfile.TemporaryDirectory() as tmp:
        sessions_file = Path(tmp) / "sessions.json"
        sessions_file.write_text(json.dumps(sessions(max(users, saturation_users))))
        server = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "phb.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--worker-class",
                worker_class,
                "--workers",
                str(workers),
                "--threads",
                str(threads),
                "--log-level",
                "warning",
                # As in production: the app, its templates and macros loaded once in the
                # master (phb/warm.py), so no worker compiles them on its first pages.
                "--preload",
            ],
            cwd=ROOT,
            env=os.environ | {"DJANGO_SETTINGS_MODULE": "benchmarks.settings"},
        )
        try:
            _wait_for(f"{host}/accessibility-statement/", server)
            results = []
            paced = users // ramp_rate + seconds
            _locust(
                host,
                sessions_file,
                users=users,
                rate=ramp_rate,
                seconds=paced,
                wait="5,15",
                prefix=Path(tmp) / "paced",
            )
            results.append(_stats("Staff at human pace", users, paced, Path(tmp) / "paced"))
            _drain(f"{host}/accessibility-statement/")
            _locust(
                host,
                sessions_file,
                users=saturation_users,
                rate=saturation_users,
                seconds=saturation_seconds,
                wait="0,0",
                prefix=Path(tmp) / "saturation",
            )
            results.append(
                _stats(
                    "Saturation (no wait)",
                    saturation_users,
                    saturation_seconds,
                    Path(tmp) / "saturation",
                )
            )
        finally:
            server.terminate()
            server.wait(30)
    return results


def table(results: list[LoadResult], *, worker_class: str, workers: int, threads: int) -> str:
    lines = [
        f"Load test: gunicorn {worker_class}, {workers} workers x {threads} threads, loopback; "
        "target p95 < 300 ms and no errors at human pace.",
        "",
        "| Run | Users | Seconds | Requests | Errors | Requests/s | Median ms | p95 ms |",
        "|---|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {r.name} | {r.users} | {r.seconds} | {r.requests:,} | {r.failures} | "
        f"{r.per_second:.1f} | {r.median_ms:.0f} | {r.p95_ms:.0f} |"
        for r in results
    ]
    return "\n".join(lines) + "\n"
