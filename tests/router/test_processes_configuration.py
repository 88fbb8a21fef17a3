"""Processes sharing a store obey the newest configuration from their next operation on."""

from __future__ import annotations

import multiprocessing
import queue
from pathlib import Path
from typing import Any

import pytest

from helpdesk_routing.clock import SystemClock
from helpdesk_routing.records import TicketQuery
from helpdesk_routing.router import Router
from helpdesk_routing.rules import decide
from helpdesk_routing.stores.sqlite import SqliteCustomerData
from tests.pg_server import fresh_schema_dsn
from tests.router import _config_workers as workers
from tests.stores import _workers

_CTX = multiprocessing.get_context("spawn")


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ]
)
def target(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str]:
    """(kind, file or DSN) of a store with five Online agents, a manager, version 1 stored."""
    kind = str(request.param)
    where = str(tmp_path / "shared.db") if kind == "sqlite" else fresh_schema_dsn(request)
    _workers.prepare(kind, where)
    store = _workers.open_store(kind, where)
    try:
        with store.transaction() as tx:
            tx.put_agent(workers.MANAGER)
        Router(
            rules=workers.RULE_SETS[0],
            teams=workers.TEAMS,
            store=store,
            customer_data=SqliteCustomerData(":memory:"),
            clock=SystemClock(),
        )
    finally:
        store.close()
    return kind, where


def _get(out: Any, proc: Any) -> Any:
    while True:
        try:
            return out.get(timeout=1)
        except queue.Empty:
            assert proc.exitcode in (None, 0), f"the worker failed with exit code {proc.exitcode}"


def test_a_change_in_one_process_rules_the_next_route_of_another(target: tuple[str, str]) -> None:
    """Process A stores new rules, then round robin off: B's very next route obeys each."""
    kind, where = target
    commands: Any = _CTX.Queue()
    out: Any = _CTX.Queue()
    b = _CTX.Process(target=workers.serve, args=(kind, where, commands, out))
    b.start()
    try:
        assert _get(out, b) == "ready"
        commands.put("x1")
        assert _get(out, b)[0::2] == (None, 1)
        a, store, data = workers.router_on(kind, where)
        try:
            a.configure(actor="m1", rules=workers.RULE_SETS[1], expected_version=1)
            commands.put("x2")
            team, assignee, version = _get(out, b)
            assert (team, version) == ("sup", 2)
            assert assignee in ("a1", "a2")
            a.set_round_robin(False, actor="m1")
            commands.put("x3")
            assert _get(out, b) == ("sup", None, 3)
        finally:
            store.close()
            data.close()
    finally:
        commands.put(None)
        b.join()


@pytest.mark.slow
def test_four_processes_reconfiguring_and_routing_agree_with_the_versions(
    target: tuple[str, str],
) -> None:
    """4 processes reconfigure and route for 3 s: every routing names a stored version, and
    its team and views are what that version's rules decide."""
    kind, where = target
    names = [f"p{i}" for i in range(4)]
    out: Any = _CTX.Queue()
    barrier = _CTX.Barrier(len(names))
    procs = [
        _CTX.Process(target=workers.churn, args=(kind, where, n, 3.0, barrier, out)) for n in names
    ]
    for p in procs:
        p.start()
    results: dict[str, list[str]] = {}
    try:
        while len(results) < len(procs):
            try:
                name, routed = out.get(timeout=1)
            except queue.Empty:
                dead = [p.exitcode for p in procs if p.exitcode not in (None, 0)]
                assert not dead, f"a worker process failed with exit code {dead[0]}"
                continue
            results[name] = routed
    finally:
        for p in procs:
            p.join()
    store = _workers.open_store(kind, where)
    try:
        with store.transaction() as tx:
            history = {c.version: c for c in tx.configurations()}
            tickets = {r.id: r for r in tx.find_tickets(TicketQuery(statuses=None))}
            log = tx.audit()
    finally:
        store.close()
    assert sorted(history) == list(range(1, len(history) + 1))
    assert len(history) > 1
    routed_ids = [tid for ids in results.values() for tid in ids]
    assert sorted(routed_ids) == sorted(tickets)
    first = {}
    for r in log:
        if r.action == "routed" and r.ticket_id not in first:
            first[r.ticket_id] = r
    no_data = SqliteCustomerData(":memory:")
    for tid in routed_ids:
        record = tickets[tid]
        version = first[tid].detail["configuration_version"]
        used = history[version]
        at = record.ticket.created_at
        want = decide(used.rules, used.teams, record.ticket, no_data, at)
        assert (record.team, record.views) == (want.team, frozenset(want.views)), (tid, version)
        # Everyone is Online without a capacity: only round robin off leaves a ticket waiting.
        assert (first[tid].assignee is None) == (not used.round_robin), (tid, version)
