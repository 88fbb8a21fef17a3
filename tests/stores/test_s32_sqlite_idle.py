"""The connections a SQLite store keeps after a burst of threads, and what a unit says
when the process has run out of file descriptors.

Before: every connection opened for a burst of concurrent units stayed open until
``close()`` (100 threads: 98 more connections, 196 more file descriptors, for good);
and with ``ulimit -n`` too low for the burst a unit failed with SQLite's own
``unable to open database file``, which never names the cause."""

from __future__ import annotations

import gc
import os
import sqlite3
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpdesk_routing.records import TicketQuery
from helpdesk_routing.stores.sqlite import SqliteCustomerData, SqliteStore
from helpdesk_routing.stores.sqlite._database import IDLE_LIMIT, Database
from tests.stores.interrupting import Interrupt, interrupt_at, interrupt_on_return, lines, source

_PROC = Path("/proc/self/fd")
needs_proc = pytest.mark.skipif(not _PROC.is_dir(), reason="counts /proc/self/fd (Linux)")


def _connections_to(path: Path) -> int:
    """How many open sqlite3 connections of this process have ``path`` as main file."""
    gc.collect()
    found = 0
    for obj in gc.get_objects():
        if not isinstance(obj, sqlite3.Connection):
            continue
        try:
            rows = obj.execute("PRAGMA database_list").fetchall()
        except sqlite3.ProgrammingError:  # closed
            continue
        if any(row[1] == "main" and row[2] == str(path) for row in rows):
            found += 1
    return found


def _fds_on(path: Path) -> int:
    """How many file descriptors of this process are open on ``path`` or its -wal."""
    names = {str(path), f"{path}-wal"}
    found = 0
    for fd in os.listdir(_PROC):
        try:
            if os.readlink(_PROC / fd) in names:
                found += 1
        except OSError:
            pass
    return found


class _Burst:
    """``n`` threads, each inside a read unit of ``store`` at the same time; they end
    when told, a given number at a time."""

    def __init__(self, store: SqliteStore, n: int) -> None:
        self._inside = threading.Barrier(n + 1)
        self._go = [threading.Event() for _ in range(n)]
        self._threads = [
            threading.Thread(target=self._unit, args=(store, go), daemon=True) for go in self._go
        ]
        self.errors: list[BaseException] = []
        for thread in self._threads:
            thread.start()
        self._inside.wait(30)  # every thread is inside its unit now
        self._ended = 0

    def _unit(self, store: SqliteStore, go: threading.Event) -> None:
        try:
            with store.read() as tx:
                tx.find_tickets(TicketQuery(unassigned=True, limit=1))
                self._inside.wait(30)
                go.wait(30)
        except BaseException as exc:
            self.errors.append(exc)

    def end(self, count: int) -> None:
        for index in range(self._ended, self._ended + count):
            self._go[index].set()
            self._threads[index].join(30)
        self._ended += count

    def end_all(self) -> None:
        self.end(len(self._go) - self._ended)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    with SqliteStore(tmp_path / "s.db", timeout=5) as opened:
        yield opened


@needs_proc
def test_a_burst_of_threads_leaves_no_connection_nor_descriptor_open(
    store: SqliteStore, tmp_path: Path
) -> None:
    path = tmp_path / "s.db"
    n = IDLE_LIMIT * 5
    burst = _Burst(store, n)
    try:
        assert _connections_to(path) == n  # the burst did take one connection each
    finally:
        burst.end_all()
    assert burst.errors == []
    # Before: n connections (2 n descriptors) stayed open until close().
    assert _connections_to(path) == 0
    assert _fds_on(path) == 0
    with store.read() as tx:  # and the store goes on
        assert tx.find_tickets(TicketQuery(unassigned=True, limit=1)) == []
    assert _connections_to(path) == 1


def test_while_a_unit_still_runs_at_most_the_limit_stays_idle(
    store: SqliteStore, tmp_path: Path
) -> None:
    path = tmp_path / "s.db"
    n = IDLE_LIMIT * 3
    burst = _Burst(store, n)
    try:
        burst.end(n - 1)
        # one unit still runs: IDLE_LIMIT idle, plus its own
        assert _connections_to(path) == IDLE_LIMIT + 1
    finally:
        burst.end_all()
    assert burst.errors == []
    assert _connections_to(path) == 0


def test_a_burst_within_the_limit_keeps_its_connections(store: SqliteStore, tmp_path: Path) -> None:
    """No burst beyond the limit: the connections are kept for the next units, as
    before (opening one costs about 0.3 ms)."""
    path = tmp_path / "s.db"
    burst = _Burst(store, IDLE_LIMIT)
    burst.end_all()
    assert burst.errors == []
    assert _connections_to(path) == IDLE_LIMIT


@pytest.mark.untraced  # repeats code smaller tests cover (conftest)
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    bursts=st.lists(
        st.tuples(st.integers(1, 3 * IDLE_LIMIT), st.integers(0, 3 * IDLE_LIMIT)),
        min_size=1,
        max_size=3,
    )
)
def test_connections_kept_stay_bounded(
    tmp_path_factory: pytest.TempPathFactory, bursts: list[tuple[int, int]]
) -> None:
    """Whatever the bursts: while some units run, the connections open are those units'
    plus at most IDLE_LIMIT idle ones; once none runs, at most IDLE_LIMIT (none, after
    a burst beyond it). A second object on the file (customer data) changes nothing."""
    path = tmp_path_factory.mktemp("idle") / "s.db"
    with ExitStack() as stack:
        store = stack.enter_context(SqliteStore(path, timeout=5))
        stack.enter_context(SqliteCustomerData(path, timeout=5))
        for n, ending in bursts:
            ending = min(ending, n)
            burst = _Burst(store, n)
            try:
                burst.end(ending)
                running = n - ending
                assert _connections_to(path) <= running + IDLE_LIMIT + 1  # + customer data's
            finally:
                burst.end_all()
            assert burst.errors == []
            kept = _connections_to(path) - 1
            assert kept <= IDLE_LIMIT
            if n > IDLE_LIMIT:
                assert kept == 0


# -- running out of file descriptors ------------------------------------------------

_OUT_OF_FILES = textwrap.dedent(
    """
    import os, resource, sys, threading
    from helpdesk_routing.errors import StoreError
    from helpdesk_routing.handoff import SqliteLedger
    from helpdesk_routing.records import TicketQuery
    from helpdesk_routing.stores.sqlite import SqliteStore

    what, spare, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    old = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (64, old[1]))
    store = SqliteStore(path)
    held, done = threading.Event(), threading.Event()

    def holder():
        with store.transaction():  # holds the one idle connection
            held.set()
            done.wait(30)

    thread = threading.Thread(target=holder)
    thread.start()
    held.wait(30)
    filler = []
    try:
        while True:
            filler.append(os.open(os.devnull, os.O_RDONLY))
    except OSError:
        pass
    for _ in range(spare):
        os.close(filler.pop())
    try:
        if what == "store":
            with store.read() as tx:
                tx.find_tickets(TicketQuery(unassigned=True, limit=1))
        else:
            SqliteLedger(path)
        message = "no error"
    except StoreError as exc:
        message = str(exc)
    finally:
        for fd in filler:
            os.close(fd)
        done.set()
        thread.join()
        store.close()
        resource.setrlimit(resource.RLIMIT_NOFILE, old)
    print(message)
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_NOFILE is POSIX")
@pytest.mark.parametrize(
    ("what", "spare", "start"),
    [
        # no descriptor left: sqlite3.connect itself fails
        ("store", 0, "cannot open SQLite database {path!r}: unable to open database file; "),
        # one left: the connection opens, its -wal cannot
        ("store", 1, "SQLite error on {path!r}: unable to open database file; "),
        ("ledger", 0, "cannot open SQLite database {path!r}: unable to open database file; "),
    ],
)
def test_out_of_file_descriptors_is_named(
    tmp_path: Path, what: str, spare: int, start: str
) -> None:
    path = str(tmp_path / "s.db")
    src = Path(__file__).resolve().parents[2] / "src"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(src), os.environ.get("PYTHONPATH", "")]),
    }
    run = subprocess.run(
        [sys.executable, "-c", _OUT_OF_FILES, what, str(spare), path],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    message = run.stdout.strip()
    assert message.startswith(start.format(path=path)), message
    # Before: SQLite's text alone ("unable to open database file"), the cause unsaid.
    assert (
        "this process has run out of file descriptors (all 64 its limit allows are open)" in message
    )
    assert message.endswith("raise the limit (RLIMIT_NOFILE, `ulimit -n`)")


# -- an interrupt at any line of the pool's own code ---------------------------------
#
# Before: the flush after a burst relied on a count of the connections open, which an
# interrupt landing between taking a connection and handing it over (or between giving
# it back and keeping it) left one too high for good: every later burst beyond the
# limit then left IDLE_LIMIT connections (and twice as many descriptors) open until
# close().

_SCENES = {
    Database.acquire: ("idle", "beyond"),
    Database._open: ("beyond",),  # the only scene in which this thread opens one
    Database.release: ("idle", "beyond"),
    Database.discard: ("discarded",),
}
_SWEEP = [
    pytest.param(func, scene, id=f"{func.__name__}-{scene}")
    for func, scenes in _SCENES.items()
    for scene in scenes
]


def _targets(func: Callable[..., Any]) -> list[int | str]:
    """Every line of ``func``, and its return for those that hand a connection over."""
    extra: list[int | str] = ["return"] if func in (Database.acquire, Database._open) else []
    return [*lines(func), *extra]


class _Cut(Exception):
    """An error in a unit's body: its connection is discarded, not given back."""


def _units(store: SqliteStore, scene: str) -> None:
    """The units an interrupt may cut off: ``idle`` (the store's idle connection taken
    and given back), ``beyond`` (a burst of IDLE_LIMIT units runs: this thread's unit
    opens a connection, and, given back after them, is one beyond the limit, which
    flushes the idle ones), ``discarded`` (a unit failing in its body)."""
    if scene == "discarded":
        with pytest.raises(_Cut), store._db.read():
            raise _Cut
    burst = _Burst(store, IDLE_LIMIT) if scene == "beyond" else None
    try:
        with store.read() as tx:
            tx.find_tickets(TicketQuery(unassigned=True, limit=1))
            if burst is not None:
                burst.end_all()
    finally:
        if burst is not None:
            burst.end_all()
    with store.transaction() as tx:
        tx.find_tickets(TicketQuery(unassigned=True, limit=1))


@pytest.mark.untraced  # repeats code smaller tests cover (conftest)
@needs_proc
@pytest.mark.parametrize("kept", [False, True], ids=["dropped", "kept"])
@pytest.mark.parametrize(("func", "scene"), _SWEEP)
def test_an_interrupt_anywhere_in_the_pool_leaves_later_bursts_flushed(
    tmp_path: Path, func: Callable[..., Any], scene: str, kept: bool
) -> None:
    """Whatever line of acquire, _open, release or discard a Ctrl-C lands on, once it
    is caught (its traceback dropped, or ``kept`` as the interactive interpreter keeps
    the last one), a later burst beyond the limit leaves no connection nor descriptor
    open on the file. Each line the scene runs is tried (a line that runs only after an
    interrupt, or on another path, never fires: the scene must run some)."""
    fired = []
    for n, line in enumerate(_targets(func)):
        path = tmp_path / f"s{n}.db"
        with SqliteStore(path, timeout=5) as store:
            injection = interrupt_on_return(func) if line == "return" else interrupt_at(func, line)
            caught: BaseException | None = None
            with injection as state:
                try:
                    _units(store, scene)
                except Interrupt as exc:
                    if kept:
                        caught = exc
            if not state["fired"]:
                continue
            fired.append(line)
            where = "(as it returns)" if line == "return" else source(func, int(line))
            burst = _Burst(store, IDLE_LIMIT * 2)
            burst.end_all()
            assert burst.errors == [], where
            assert (_connections_to(path), _fds_on(path)) == (0, 0), where
            with store.read() as tx:  # and the store goes on
                assert tx.find_tickets(TicketQuery(unassigned=True, limit=1)) == [], where
            del caught
    assert len(fired) >= 3, fired


# -- not out of file descriptors: nothing said about them ------------------------------
#
# Before: with 16 descriptors or fewer to spare, a file that could not be opened for
# another reason (a missing directory) was said to be "probably" for want of
# descriptors, though a file could still be opened.

_MISSING_DIRECTORY = textwrap.dedent(
    """
    import os, resource, sys
    from helpdesk_routing.errors import StoreError
    from helpdesk_routing.handoff import SqliteLedger
    from helpdesk_routing.stores.sqlite import SqliteStore

    what, spare, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    old = resource.getrlimit(resource.RLIMIT_NOFILE)
    used = len(os.listdir("/proc/self/fd")) - 1
    resource.setrlimit(resource.RLIMIT_NOFILE, (used + spare, old[1]))
    try:
        (SqliteStore if what == "store" else SqliteLedger)(path)
        message = "no error"
    except StoreError as exc:
        message = str(exc)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, old)
    print(message)
    """
)


def _run_missing_directory(tmp_path: Path, what: str, spare: int) -> tuple[str, str]:
    path = str(tmp_path / "no-such-directory" / "s.db")
    src = Path(__file__).resolve().parents[2] / "src"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(src), os.environ.get("PYTHONPATH", "")]),
    }
    run = subprocess.run(
        [sys.executable, "-c", _MISSING_DIRECTORY, what, str(spare), path],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    return path, run.stdout.strip()


@needs_proc
@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_NOFILE is POSIX")
@pytest.mark.parametrize("what", ["store", "ledger"])
@pytest.mark.parametrize("spare", [3, 5, 12, 16])
def test_a_missing_directory_under_a_low_limit_blames_no_descriptors(
    tmp_path: Path, what: str, spare: int
) -> None:
    """A file in a missing directory, with a low limit but descriptors to spare: SQLite's
    words alone, nothing about descriptors."""
    path, message = _run_missing_directory(tmp_path, what, spare)
    assert message == f"cannot open SQLite database {path!r}: unable to open database file"


@needs_proc
@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_NOFILE is POSIX")
@pytest.mark.parametrize("what", ["store", "ledger"])
@pytest.mark.parametrize("spare", [1, 2])
def test_one_or_two_descriptors_to_spare_is_told_as_a_possibility(
    tmp_path: Path, what: str, spare: int
) -> None:
    """With one or two to spare when checked (another thread may have freed them since
    the open failed), the count is told, and that the process *may* have run out; never
    that it has."""
    path, message = _run_missing_directory(tmp_path, what, spare)
    assert message.startswith(
        f"cannot open SQLite database {path!r}: unable to open database file; this process has "
    ), message
    assert "so it may have run out of them when this failed; if so, close what" in message
    assert "has run out" not in message
    assert "probably" not in message
