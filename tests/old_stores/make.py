"""Write the stores ``tests/test_old_stores.py`` opens: stores made by older commits.

usage (from the repository root)::

    python tests/old_stores/make.py [COMMIT ...]    # default: the commits in DEFAULT

For each commit it makes a temporary ``git worktree`` of it (removed at the end) and,
with that commit's code (``PYTHONPATH`` set to the worktree's ``src``), runs
``_populate.py`` twice: once writing a SQLite store and, where the commit has one, a
SQLite handoff ledger; once writing a PostgreSQL store and ledger in one schema of a
throw-away server (``tests/pg_server.py``), which ``pg_dump`` then writes out as plain
SQL. Into ``tests/old_stores/<commit>/`` go:

* ``helpdesk.db.gz`` (store and customer data) and ``ledger.db.gz`` (if any): the files
  byte for byte, gzipped (a small SQLite file is mostly empty pages);
* ``postgres.sql.gz``: the dump, gzipped, ``INSERT`` statements and no owners or privileges, with
  psql's meta-commands (``\\restrict``) and the ``CREATE SCHEMA`` left out. Every
  object is qualified by the schema :data:`PLACEHOLDER`, which the test replaces with
  the schema it loads the dump into;
* ``expected.json``: what the commit's own code read back from each (``readback.py``,
  the same reading the test does with today's code), with the commit's schema versions.
  ``postgres`` holds only what PostgreSQL read differently from SQLite (the audit
  sequence numbers: an identity column has gaps); the rest is ``sqlite``'s.

The old code runs with the interpreter running this script, so run it with the
project's virtual environment (it needs the ``postgres`` extra).
"""

from __future__ import annotations

import gzip
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))

from tests.pg_server import ThrowawayPostgres, _bin_dir, schema_dsn  # noqa: E402

DEFAULT = ["3e54137", "f3470b4", "78c95d8", "c5a8dc4"]
"""SQLite 3 / PostgreSQL 4 / no ledger; SQLite 4 / PG 6 / ledger 1; SQLite 5 / PG 8 /
ledger 2; SQLite 5 / PG 9 / ledger 2."""

PLACEHOLDER = "helpdesk_old_store"
"""The schema the dump is made in; the test rewrites it to its own."""


def _git(*args: str) -> str:
    done = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"git {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout.strip()


def _populate(src: Path, kind: str, where: str, out: Path) -> dict[str, Any]:
    env = dict(os.environ, PYTHONPATH=str(src), PYTHONHASHSEED="0")
    done = subprocess.run(
        [sys.executable, str(HERE / "_populate.py"), kind, where, str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0:
        raise SystemExit(f"_populate.py {kind} failed:\n{done.stdout}\n{done.stderr}")
    result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return result


def _gzip(data: bytes, path: Path) -> None:
    """``data`` gzipped to ``path``, without a time stamp (the same input, the same file)."""
    with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as f:
        f.write(data)


def _one_value(path: Path, sql: str) -> int | None:
    if not path.exists():
        return None
    conn = sqlite3.connect(path)
    try:
        row = conn.execute(sql).fetchone()
    except sqlite3.OperationalError:
        return None
    finally:
        conn.close()
    return None if row is None else int(row[0])


def _dump(dsn: str) -> str:
    done = subprocess.run(
        [
            str(_bin_dir() / "pg_dump"),
            "--dbname",
            dsn,
            "--schema",
            PLACEHOLDER,
            "--inserts",
            "--no-owner",
            "--no-privileges",
            "--no-comments",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0:
        raise SystemExit(f"pg_dump failed: {done.stderr.strip()}")
    # Whole lines pg_dump writes itself; a line of a multi-line value in the data or of
    # a function's body is never one of them (nor is it changed).
    meta_command = re.compile(r"\\(un)?restrict [A-Za-z0-9]+")
    lines = [
        line
        for line in done.stdout.split("\n")
        if not meta_command.fullmatch(line) and line != f"CREATE SCHEMA {PLACEHOLDER};"
    ]
    text = "\n".join(lines)
    if not re.search(rf"\b{PLACEHOLDER}\.", text):
        raise SystemExit("the dump names no object of the placeholder schema")
    return text


def make(commit: str, dsn: str) -> None:
    full = _git("rev-parse", "--verify", f"{commit}^{{commit}}")
    short = full[:7]
    target = HERE / short
    target.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f"old-{short}-") as tmp:
        tree = Path(tmp) / "tree"
        _git("worktree", "add", "--detach", str(tree), full)
        try:
            src = tree / "src"
            work = Path(tmp) / "sqlite"
            work.mkdir()
            sqlite_read = _populate(src, "sqlite", str(work), Path(tmp) / "sqlite.json")
            versions: dict[str, int | None] = {
                "sqlite": _one_value(
                    work / "helpdesk.db", "SELECT max(version) FROM schema_version"
                ),
                "sqlite_ledger": _one_value(
                    work / "ledger.db", "SELECT max(version) FROM handoff_ledger_schema"
                ),
            }
            leftovers = [p.name for p in work.iterdir() if p.suffix not in (".db",)]
            if leftovers:
                raise SystemExit(f"the old code left {leftovers} beside its files")
            for name in ("helpdesk.db", "ledger.db"):
                if (work / name).exists():
                    _gzip((work / name).read_bytes(), target / f"{name}.gz")
            import psycopg

            with psycopg.connect(dsn, autocommit=True) as conn:
                conn.execute(f"DROP SCHEMA IF EXISTS {PLACEHOLDER} CASCADE")
                conn.execute(f"CREATE SCHEMA {PLACEHOLDER}")
            pg_dsn = schema_dsn(dsn, PLACEHOLDER)
            pg_read = _populate(src, "postgres", pg_dsn, Path(tmp) / "postgres.json")
            with psycopg.connect(pg_dsn) as conn:
                pg_version = conn.execute("SELECT max(version) FROM schema_version").fetchone()
                try:
                    ledger_row = conn.execute(
                        "SELECT max(version) FROM handoff_ledger_schema"
                    ).fetchone()
                except psycopg.errors.UndefinedTable:
                    ledger_row = None
            versions["postgres"] = None if pg_version is None else int(pg_version[0])
            versions["postgres_ledger"] = None if ledger_row is None else int(ledger_row[0])
            _gzip(_dump(dsn).encode("utf-8"), target / "postgres.sql.gz")
            with psycopg.connect(dsn, autocommit=True) as conn:
                conn.execute(f"DROP SCHEMA {PLACEHOLDER} CASCADE")
        finally:
            _git("worktree", "remove", "--force", str(tree))
    expected = {
        "commit": full,
        "subject": _git("log", "-1", "--format=%s", full),
        "schema_versions": versions,
        "sqlite": sqlite_read,
        "postgres": {k: v for k, v in pg_read.items() if sqlite_read.get(k) != v},
    }
    with open(target / "expected.json", "w", encoding="utf-8") as f:
        json.dump(expected, f, indent=1, sort_keys=True)
        f.write("\n")
    print(short, json.dumps(expected["schema_versions"]))


def main() -> None:
    commits = sys.argv[1:] or DEFAULT
    server = ThrowawayPostgres()
    dsn = server.start()
    try:
        for commit in commits:
            make(commit, dsn)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
