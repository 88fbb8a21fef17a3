"""A throw-away PostgreSQL server for the tests and the benchmark, and its pytest fixture.

``ThrowawayPostgres`` runs ``initdb`` and ``pg_ctl`` from the machine's PostgreSQL
binaries (on ``PATH`` or under ``/usr/lib/postgresql/*/bin``) in a temporary
directory, listening on a free loopback port. As root it runs them as the
``postgres`` system user, since PostgreSQL refuses to run as root.

The session fixture ``postgres_dsn`` uses the server named by the environment
variable ``HELPDESK_TEST_POSTGRES_DSN`` when it is set (nothing is started then);
otherwise it starts a throw-away server and stops it at the end of the session. When
no server can be had, the PostgreSQL tests fail under ``REQUIRE_POSTGRES=1`` (CI) and
are skipped, with the reason, otherwise. ``fresh_schema_dsn`` gives each test its
own schema, dropped when the test ends.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

__all__ = [
    "PostgresUnavailable",
    "ThrowawayPostgres",
    "fresh_schema_dsn",
    "postgres_dsn",
    "schema_dsn",
    "wait_until_another_waits_for_a_lock",
]

ENV_DSN = "HELPDESK_TEST_POSTGRES_DSN"
ENV_REQUIRE = "REQUIRE_POSTGRES"
_USER = "helpdesk"


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server could be started (binaries missing, or start-up failed)."""


def _bin_dir() -> Path:
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).resolve().parent
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(candidate) / "initdb").exists():
            return Path(candidate)
    raise PostgresUnavailable("initdb and pg_ctl are not on PATH nor in /usr/lib/postgresql/*/bin")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ThrowawayPostgres:
    """A PostgreSQL server in a temporary directory; ``start()`` returns its DSN.

    ``fsync=False`` (for tests) trades crash safety for speed; the benchmark keeps the
    default ``fsync=True`` so its numbers mean something.
    """

    def __init__(self, *, fsync: bool = False, max_connections: int = 200) -> None:
        self.fsync = fsync
        self.max_connections = max_connections
        self.dir: Path | None = None
        self.dsn: str | None = None

    def _run(self, args: list[str]) -> None:
        if os.geteuid() == 0:
            args = ["runuser", "-u", "postgres", "--", *args]
        done = subprocess.run(args, capture_output=True, text=True, timeout=120, check=False)
        if done.returncode != 0:
            raise PostgresUnavailable(
                f"{' '.join(args)} failed ({done.returncode}): {done.stderr.strip()[-2000:]}"
            )

    def start(self) -> str:
        """Create the cluster, start the server, and return a DSN for its superuser."""
        bin_dir = _bin_dir()
        self.dir = Path(tempfile.mkdtemp(prefix="helpdesk-pg-"))
        data = self.dir / "data"
        if os.geteuid() == 0:
            try:
                user = pwd.getpwnam("postgres")
            except KeyError as exc:
                raise PostgresUnavailable(
                    "running as root and there is no 'postgres' user to run the server as"
                ) from exc
            os.chown(self.dir, user.pw_uid, user.pw_gid)
        try:
            self._run(
                [
                    str(bin_dir / "initdb"),
                    "-D",
                    str(data),
                    "--auth=trust",
                    "-U",
                    _USER,
                    "--encoding=UTF8",
                    "--locale=C",
                    "--no-sync",
                ]
            )
            last: PostgresUnavailable | None = None
            for _ in range(3):  # the free port may be taken between probe and start
                port = _free_port()
                options = (
                    f"-c listen_addresses=127.0.0.1 -p {port} "
                    f"-c unix_socket_directories={self.dir} "
                    f"-c max_connections={self.max_connections}"
                )
                if not self.fsync:
                    options += " -c fsync=off -c full_page_writes=off"
                try:
                    self._run(
                        [
                            str(bin_dir / "pg_ctl"),
                            "-D",
                            str(data),
                            "-l",
                            str(self.dir / "server.log"),
                            "-w",
                            "-t",
                            "60",
                            "-o",
                            options,
                            "start",
                        ]
                    )
                except PostgresUnavailable as exc:
                    last = exc
                    continue
                self.dsn = f"host=127.0.0.1 port={port} user={_USER} dbname=postgres"
                return self.dsn
            assert last is not None
            raise last
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop the server (fast shutdown) and remove its directory."""
        if self.dir is None:
            return
        data = self.dir / "data"
        if (data / "postmaster.pid").exists():
            try:
                self._run([str(_bin_dir() / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"])
            except PostgresUnavailable:
                self._run([str(_bin_dir() / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"])
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir = None


def schema_dsn(dsn: str, schema: str) -> str:
    """``dsn`` with its ``search_path`` set to ``schema`` (where the stores put their tables)."""
    from psycopg.conninfo import make_conninfo

    return make_conninfo(dsn, options=f"-c search_path={schema}")


@pytest.fixture(scope="session")
def postgres_dsn() -> Iterator[str]:
    """A DSN of a PostgreSQL server for this session (an existing one, or a throw-away one)."""
    existing = os.environ.get(ENV_DSN)
    if existing:
        yield existing
        return
    server = ThrowawayPostgres()
    try:
        dsn = server.start()
    except PostgresUnavailable as exc:
        if os.environ.get(ENV_REQUIRE) == "1":
            pytest.fail(f"PostgreSQL is required ({ENV_REQUIRE}=1) but unavailable: {exc}")
        pytest.skip(f"PostgreSQL unavailable (set {ENV_DSN} to use a server): {exc}")
    try:
        yield dsn
    finally:
        server.stop()


def fresh_schema_dsn(request: pytest.FixtureRequest) -> str:
    """A DSN whose ``search_path`` is a new, empty schema; the schema is dropped after the test."""
    import psycopg

    base: str = request.getfixturevalue("postgres_dsn")
    schema = f"t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")

    def drop() -> None:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")

    request.addfinalizer(drop)
    return schema_dsn(base, schema)


def wait_until_another_waits_for_a_lock(conn: Any, what: str, within: float = 10.0) -> None:
    """Return once another session of ``conn``'s database waits for a lock (the unit under
    test reached the lock ``conn`` holds); ``AssertionError`` naming ``what`` after
    ``within`` seconds."""
    deadline = time.monotonic() + within
    while not conn.execute(
        "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
    ).fetchone():
        assert time.monotonic() < deadline, f"{what} never waited"
        time.sleep(0.01)
