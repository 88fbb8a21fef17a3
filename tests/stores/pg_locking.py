"""What the PostgreSQL race tests share: a call run in a thread of its own, and a wait
until other sessions wait for a lock (the tests hold locks in a plain connection to stop
a unit at a chosen point)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from helpdesk_routing.errors import RoutingError

__all__ = ["Run", "waiting"]


class Run:
    """A call in a thread of its own; ``result()`` is its answer or the error it raised."""

    def __init__(self, call: Callable[[], object]) -> None:
        self._out: list[object] = []

        def run() -> None:
            try:
                self._out.append(call())
            except RoutingError as exc:
                self._out.append(exc)

        self._thread = threading.Thread(target=run)
        self._thread.start()

    def result(self) -> object:
        self._thread.join(timeout=30)
        assert not self._thread.is_alive(), "the call never ended"
        (out,) = self._out
        return out

    def ended(self) -> bool:
        return not self._thread.is_alive()


def waiting(conn: Any, count: int, what: str, within: float = 10.0) -> None:
    """Return once ``count`` other sessions of the database wait for a lock.

    ``conn`` is in the transaction that holds the locks, and PostgreSQL keeps the list of
    sessions ``pg_stat_activity`` shows fixed for a whole transaction, from its first
    read (each session's wait is read afresh, the sessions are not): every poll clears
    that snapshot, or a session the pool opened after the first poll (a loaded machine
    makes the pool open more) was never seen waiting."""
    deadline = time.monotonic() + within
    while True:
        conn.execute("SELECT pg_stat_clear_snapshot()")
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        ).fetchone()
        if row[0] >= count:
            return
        assert time.monotonic() < deadline, f"{what} never waited"
        time.sleep(0.01)
