"""The simulator's Router backend learns a close's hand-outs from the Router itself.

``RouterBackend.closed`` (and ``finished`` when work ends in a close) reports the waiting
tickets the close handed out, as ``(index, agent)`` by index: the answer of the Router's
own unit of work, not a second unit that reads every waiting ticket again."""

from __future__ import annotations

from collections.abc import Collection
from datetime import timedelta
from typing import Any, cast

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpdesk_routing import _trusted
from helpdesk_routing.simulation import run
from helpdesk_routing.simulation._backends import HandOuts, RouterBackend
from helpdesk_routing.simulation._store import SimulationStore
from helpdesk_routing.simulation.policies import policy_for

from .simulation.conftest import mmc


def _watch_closes(
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[list[int], list[tuple[HandOuts, HandOuts]]]:
    """Wrap ``RouterBackend.closed`` and ``finished`` (a close): record how many store
    units each close opened, and its answer next to the waiting tickets that have an
    assignee just after it (by index: what the backend answered when it looked them up
    in a unit of its own)."""
    units: list[int] = []
    answers: list[tuple[HandOuts, HandOuts]] = []
    opened = [0]
    # The simulator's store (its class's own transaction, not InMemoryStore's)
    transaction = SimulationStore.transaction

    def counted(self: SimulationStore) -> Any:
        opened[0] += 1
        return transaction(self)

    depth = [0]

    def look(self: RouterBackend, waiting: Collection[int], call: Any) -> HandOuts:
        depth[0] += 1
        before = opened[0]
        try:
            answer: HandOuts = call()
        finally:
            depth[0] -= 1
        if depth[0]:
            return answer  # a close inside a close watched already
        units.append(opened[0] - before)
        with transaction(cast(SimulationStore, self._store)) as tx:
            found = []
            for i in sorted(waiting):
                record = tx.get_ticket(self._ids[i])
                if record is not None and record.assignee is not None:
                    found.append((i, record.assignee))
        answers.append((answer, found))
        return answer

    closed, finished = RouterBackend.closed, RouterBackend.finished

    def watched_closed(
        self: RouterBackend, index: int, agent: str, t: float, waiting: Collection[int]
    ) -> HandOuts:
        return look(self, waiting, lambda: closed(self, index, agent, t, waiting))

    def watched_finished(
        self: RouterBackend,
        index: int,
        agent: str,
        t: float,
        pending: bool,
        waiting: Collection[int],
    ) -> HandOuts:
        if pending:
            return finished(self, index, agent, t, pending, waiting)
        return look(self, waiting, lambda: finished(self, index, agent, t, pending, waiting))

    monkeypatch.setattr(SimulationStore, "transaction", counted)
    monkeypatch.setattr(RouterBackend, "closed", watched_closed)
    monkeypatch.setattr(RouterBackend, "finished", watched_finished)
    return units, answers


def test_a_close_is_one_unit_of_work(monkeypatch: pytest.MonkeyPatch) -> None:
    units, answers = _watch_closes(monkeypatch)
    run(mmc(3, 0.95, 400, mode="router", policy="pooled"), 3)
    assert answers, "no close ran"
    assert any(found for _, found in answers), "no close handed a waiting ticket out"
    assert set(units) == {1}


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    c=st.integers(1, 4),
    rho=st.sampled_from([0.5, 0.9, 1.2]),
    tickets=st.integers(20, 150),
    policy=st.sampled_from(["round_robin", "pooled", "least_loaded"]),
    seed=st.integers(0, 2**16),
)
def test_a_close_answers_the_waiting_tickets_it_handed_out(
    monkeypatch: pytest.MonkeyPatch, c: int, rho: float, tickets: int, policy: str, seed: int
) -> None:
    with monkeypatch.context() as patch:
        _, answers = _watch_closes(patch)
        run(mmc(c, rho, tickets, mode="router", policy=policy, warmup=0), seed)
    for answer, found in answers:
        assert answer == found


def test_an_arrival_copies_its_shared_ticket_without_making_a_fields_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each arrival is a copy of the ticket validated once for its channel, tags and
    profile; that ticket's fields-set is shared, so a copy finds its shape's shared set
    at once instead of making one from the names (``_trusted.shared_names``) per ticket."""
    scenario = mmc(2, 0.5, 50, mode="router")
    backend = RouterBackend(scenario, policy_for(scenario, 1))
    backend.arrive(0, 0.0, "email", frozenset(), None, [])  # validates the ticket
    made = [0]
    shared_names = _trusted.shared_names

    def counted(names: Any) -> Any:
        made[0] += 1
        return shared_names(names)

    monkeypatch.setattr(_trusted, "shared_names", counted)
    for i in range(1, 6):
        backend.arrive(i, float(i), "email", frozenset(), None, [])
    assert made[0] == 0
    with backend._store.read() as tx:
        stored = [tx.get_ticket(f"t{i:07d}") for i in range(6)]
    assert [r.ticket.created_at for r in stored if r is not None] == [
        scenario.start + timedelta(seconds=i) for i in range(6)
    ]
