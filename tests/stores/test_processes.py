"""Several processes on one store: the atomicity promises of architecture.md, for real.

Each worker process builds its own store and Router (``tests/stores/_workers.py``).
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import random
import signal
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from helpdesk_routing.decision import RoutingDecision
from tests.pg_server import fresh_schema_dsn
from tests.stores import _workers

ROOT = Path(__file__).resolve().parents[2]
_CTX = multiprocessing.get_context("spawn")


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ]
)
def target(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str]:
    """(kind, file or DSN) of an empty store with five Online agents."""
    kind = str(request.param)
    where = str(tmp_path / "shared.db") if kind == "sqlite" else fresh_schema_dsn(request)
    _workers.prepare(kind, where)
    return kind, where


def _run(fn: Callable[..., None], arg_sets: list[tuple[Any, ...]]) -> dict[str, Any]:
    """Run ``fn`` in one spawned process per argument tuple; collect what each reports."""
    out: Any = _CTX.Queue()
    barrier = _CTX.Barrier(len(arg_sets))
    procs = [_CTX.Process(target=fn, args=(*args, barrier, out)) for args in arg_sets]
    for p in procs:
        p.start()
    results: dict[str, Any] = {}
    try:
        while len(results) < len(procs):
            try:
                name, value = out.get(timeout=1)
            except queue.Empty:
                # A worker that died cannot report: fail instead of waiting forever.
                dead = [p.exitcode for p in procs if p.exitcode not in (None, 0)]
                assert not dead, f"a worker process failed with exit code {dead[0]}"
                continue
            results[name] = value
    finally:
        for p in procs:
            p.join()
        out.close()
    return results


def _open(kind: str, where: str) -> Any:
    return _workers.open_store(kind, where)


def _check_invariants(kind: str, where: str) -> dict[str, Any]:
    """Every ticket routed once and owned by at most one agent; rotation matches the log."""
    store = _open(kind, where)
    try:
        snap = _workers.snapshot(store)
    finally:
        store.close()
    tickets, audit, rotation = snap["tickets"], snap["audit"], snap["rotation"]
    routed = Counter(a.ticket_id for a in audit if a.action == "routed")
    assert set(routed) == {t.id for t in tickets}
    assert all(n == 1 for n in routed.values())
    for t in tickets:
        assert t.decision is not None
        assert t.assignee == t.decision.assignee
    last = {a.ticket_id: a for a in audit if a.action == "routed"}
    assert all(last[t.id].assignee == t.assignee for t in tickets)
    automatic = sum(1 for a in audit if a.automatic and a.pool == "global")
    assert rotation.given == automatic
    seqs = [a.seq for a in audit]
    assert seqs == sorted(set(seqs))
    return snap


@pytest.mark.slow
def test_eight_processes_routing_at_once_keep_every_promise(target: tuple[str, str]) -> None:
    """8 processes x 500 tickets, 5 agents: all stored once, one owner, fair, one audit each."""
    kind, where = target
    workers, per_worker = 8, 500
    results = _run(
        _workers.route_batch, [(kind, where, f"w{i}", per_worker) for i in range(workers)]
    )
    snap = _check_invariants(kind, where)
    tickets = snap["tickets"]
    assert len(tickets) == workers * per_worker
    stored = {t.id: t.assignee for t in tickets}
    reported = {tid: who for pairs in results.values() for tid, who in pairs}
    assert reported == stored
    counts = Counter(stored.values())
    assert set(counts) == {a.id for a in _workers.AGENTS}
    assert max(counts.values()) - min(counts.values()) <= 1
    assert snap["rotation"].given == workers * per_worker


def test_two_processes_routing_one_ticket_id_get_one_decision(target: tuple[str, str]) -> None:
    """The same id routed by two processes at the same moment: one decision, returned to both."""
    kind, where = target
    ids = [f"same-{n}" for n in range(15)]
    results = _run(_workers.route_same, [(kind, where, name, ids) for name in ("x", "y")])
    for a, b in zip(results["x"], results["y"], strict=True):
        assert RoutingDecision.model_validate_json(a) == RoutingDecision.model_validate_json(b)
    snap = _check_invariants(kind, where)
    assert sorted(t.id for t in snap["tickets"]) == sorted(ids)
    assert snap["rotation"].given == len(ids)


def _route_until_killed(kind: str, where: str, prefix: str, delay: float) -> list[str]:
    """Start a routing process, SIGKILL it after ``delay`` s; the ids it reported routed."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.stores._workers", "kill-loop", kind, where, prefix],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    stdout = proc.stdout
    assert stdout is not None
    assert stdout.readline().strip() == "ready"
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(stdout))
    reader.start()
    threading.Event().wait(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    reader.join()
    stdout.close()
    assert proc.returncode == -signal.SIGKILL
    return [line.strip() for line in lines if line.strip()]


@pytest.mark.slow
def test_processes_killed_mid_unit_of_work_leave_no_partial_change(
    target: tuple[str, str],
) -> None:
    """SIGKILL at random moments while routing: all reported tickets stored, nothing half-done."""
    kind, where = target
    rng = random.Random(20260330)
    reported: list[str] = []
    for round_no in range(10):
        reported += _route_until_killed(kind, where, f"k{round_no}", rng.uniform(0.05, 0.6))
    snap = _check_invariants(kind, where)
    stored = {t.id for t in snap["tickets"]}
    assert set(reported) <= stored
    assert len(reported) > 0
