"""A throwaway PostgreSQL server for the test suite.

`PostgresServer` runs `initdb` into a temporary folder and starts `postgres` with `pg_ctl -w start`, listening
only on 127.0.0.1 on a free port, its unix socket inside the same temporary folder, with durability turned off
(fsync, synchronous_commit, full_page_writes) and small shared buffers so that it starts fast. Authentication
is `trust` for the superuser `postgres`, so URLs carry no password.

PostgreSQL refuses to run as root. When the tests run as root (containers, CI), the temporary folder is handed
to the `postgres` system user (created by Debian's postgresql-common; created here with `useradd` if missing)
and the binaries are run through `runuser -u postgres --` (or `su postgres` where runuser is missing).

Binaries are looked up in `$WAKEFUL_PG_BINDIR`, then the newest `/usr/lib/postgresql/<version>/bin` (Debian,
Ubuntu), then `initdb` on PATH.
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import pwd
import re
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

import psycopg
from psycopg import sql
from psycopg.rows import TupleRow

PG_BIN_GLOB = "/usr/lib/postgresql/*/bin/initdb"
SERVICE_USER = "postgres"


class PostgresError(RuntimeError):
    """initdb or pg_ctl failed; the message carries their output and the server log."""


def _version_key(bindir: Path) -> tuple[int, ...]:
    # /usr/lib/postgresql/<version>/bin -> numeric version, so that 15 sorts after 9.6
    return tuple(int(part) for part in re.findall(r"\d+", bindir.parent.name)) or (0,)


def find_pg_bindir() -> Path | None:
    """The folder holding initdb and pg_ctl, or None when PostgreSQL is not installed."""
    override = os.environ.get("WAKEFUL_PG_BINDIR")
    if override:
        candidate = Path(override)
        return candidate if (candidate / "initdb").is_file() else None
    found = [Path(p).parent for p in glob.glob(PG_BIN_GLOB) if os.access(p, os.X_OK)]
    if found:
        return max(found, key=_version_key)
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now (the kernel picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _ensure_service_user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(SERVICE_USER)
    except KeyError:
        subprocess.run(
            [
                "useradd",
                "--system",
                "--user-group",
                "--no-create-home",
                "--home-dir",
                "/var/lib/postgresql",
                "--shell",
                "/usr/sbin/nologin",
                SERVICE_USER,
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        return pwd.getpwnam(SERVICE_USER)


class PostgresServer:
    """One PostgreSQL cluster in a temporary folder; use as a context manager or call start() and close()."""

    def __init__(self, bindir: Path | None = None, *, host: str = "127.0.0.1", user: str = "postgres") -> None:
        found = bindir or find_pg_bindir()
        if found is None:
            raise PostgresError(f"PostgreSQL is not installed: no {PG_BIN_GLOB} (try `make system-deps`)")
        self.bindir: Path = found
        self.host = host
        self.user = user
        self.port: int = 0
        self.root: Path | None = None
        self.startup_seconds: float = 0.0
        self._as_service_user = os.geteuid() == 0
        self._started = False

    # -- paths -----------------------------------------------------------------------------------------
    @property
    def datadir(self) -> Path:
        return self._root / "data"

    @property
    def socket_dir(self) -> Path:
        return self._root / "sock"

    @property
    def logfile(self) -> Path:
        return self._root / "postgres.log"

    @property
    def _root(self) -> Path:
        if self.root is None:
            raise PostgresError("server not started")
        return self.root

    # -- running the binaries --------------------------------------------------------------------------
    def _command(self, argv: list[str]) -> list[str]:
        if not self._as_service_user:
            return argv
        if shutil.which("runuser"):
            return ["runuser", "-u", SERVICE_USER, "--", *argv]
        return ["su", SERVICE_USER, "-s", "/bin/sh", "-c", shlex.join(argv)]

    def _run(self, tool: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        argv = self._command([str(self.bindir / tool), *args])
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}  # no stray PGDATA/PGPORT
        env["LC_ALL"] = "C"
        proc = subprocess.run(
            argv,
            cwd=self._root,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if proc.returncode != 0:
            raise PostgresError(
                f"{shlex.join(argv)} exited {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n"
                f"{proc.stderr}\n--- server log\n{self._log_tail()}"
            )
        return proc

    def _log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.logfile.read_text(errors="replace").splitlines()[-lines:])
        except (OSError, PostgresError):
            return "(no log)"

    # -- lifecycle ---------------------------------------------------------------------------------------
    def start(self, *, attempts: int = 3) -> None:
        if self._started:
            return
        t0 = time.monotonic()
        # Root's TMPDIR may sit in a folder the postgres user cannot enter; /tmp is always traversable.
        parent = "/tmp" if self._as_service_user and os.path.isdir("/tmp") else None
        self.root = Path(tempfile.mkdtemp(prefix="wakeful-pg-", dir=parent))
        atexit.register(self.close)
        try:
            self.socket_dir.mkdir()
            if self._as_service_user:
                account = _ensure_service_user()
                for path in (self._root, self.socket_dir):
                    os.chown(path, account.pw_uid, account.pw_gid)
            self._run(
                "initdb",
                "--pgdata",
                str(self.datadir),
                "--auth=trust",
                "-U",
                self.user,
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            )
            with (self.datadir / "postgresql.conf").open("a") as conf:
                conf.write(
                    "\n# wakeful test server\n"
                    f"listen_addresses = '{self.host}'\n"
                    f"unix_socket_directories = '{self.socket_dir}'\n"
                    "fsync = off\n"
                    "synchronous_commit = off\n"
                    "full_page_writes = off\n"
                    "shared_buffers = 16MB\n"
                    "max_connections = 50\n"
                    "dynamic_shared_memory_type = mmap\n"  # no /dev/shm size limits in containers
                    "log_min_messages = warning\n"
                )
            for attempt in range(attempts):
                # The port is free when picked but may be taken before postgres binds it: pick again.
                self.port = free_port()
                try:
                    self._run(
                        "pg_ctl",
                        "start",
                        "-w",
                        "-t",
                        "60",
                        "-D",
                        str(self.datadir),
                        "-l",
                        str(self.logfile),
                        "-o",
                        f"-p {self.port}",
                    )
                    break
                except PostgresError:
                    if attempt == attempts - 1:
                        raise
            self._started = True
        except BaseException:
            self.close()
            raise
        self.startup_seconds = time.monotonic() - t0

    def close(self) -> None:
        """Stop the server (immediate shutdown: nothing here needs to survive) and remove its folder."""
        if self.root is None:
            return
        try:
            if (self.datadir / "postmaster.pid").exists():
                try:
                    self._run("pg_ctl", "stop", "-w", "-t", "30", "-m", "immediate", "-D", str(self.datadir))
                except (PostgresError, subprocess.TimeoutExpired):
                    self._kill_postmaster()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None
            self._started = False
            atexit.unregister(self.close)

    def _kill_postmaster(self) -> None:
        with contextlib.suppress(OSError, ValueError, IndexError):
            pid = int((self.datadir / "postmaster.pid").read_text().splitlines()[0])
            os.kill(pid, signal.SIGQUIT)

    def __enter__(self) -> PostgresServer:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- databases --------------------------------------------------------------------------------------
    def url(self, dbname: str = "postgres") -> str:
        """SQLAlchemy URL (psycopg 3 driver) of a database on this server."""
        if not self._started:
            raise PostgresError("server not started")
        return f"postgresql+psycopg://{self.user}@{self.host}:{self.port}/{dbname}"

    def connect(self, dbname: str = "postgres") -> psycopg.Connection[TupleRow]:
        """A psycopg connection in autocommit mode (needed for CREATE/DROP DATABASE)."""
        if not self._started:
            raise PostgresError("server not started")
        return psycopg.connect(
            host=self.host, port=self.port, user=self.user, dbname=dbname, autocommit=True, connect_timeout=10
        )

    def create_database(self, name: str) -> str:
        """Create an empty database and return its URL."""
        with self.connect() as conn:
            # FILE_COPY (PostgreSQL 15+) copies template1's files: much faster than WAL-logging them (~20 ms
            # against ~100 ms), and crash safety is of no use here.
            strategy = " STRATEGY FILE_COPY" if conn.info.server_version >= 150000 else ""
            conn.execute(sql.SQL("CREATE DATABASE {}" + strategy).format(sql.Identifier(name)))
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop a database, disconnecting whoever is still connected (engines a test forgot to dispose)."""
        with self.connect() as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
