"""A Router operation whose unit of work lost a race the database broke is run again.

PostgreSQL rolls back one of two deadlocked units and the store reports it as a
``retryable`` ConflictError; the Router runs the operation again (up to RACE_ATTEMPTS
runs), so callers see deadlocks only when they keep happening. Here a store wrapper makes
chosen units lose such a race after their block ran (so the inner store rolls them back,
as PostgreSQL does): each writing operation must end with its effect stored exactly
once; a ConflictError that is not retryable must reach the caller at the first run.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from helpdesk_routing._retry import RACE_ATTEMPTS, retried
from helpdesk_routing._routing import Routing
from helpdesk_routing.clock import ManualClock
from helpdesk_routing.conditions import ticket as ticket_field
from helpdesk_routing.errors import ConflictError, race_lost
from helpdesk_routing.model import Agent, Team, Ticket, TicketStatus
from helpdesk_routing.ports import Transaction
from helpdesk_routing.records import TicketQuery
from helpdesk_routing.router import Router
from helpdesk_routing.rules import AssignToTeam, RoutingRule, RuleSet
from helpdesk_routing.stores.memory import InMemoryStore
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData

from .conftest import MONDAY_10


class RacyStore:
    """An in-memory store whose next ``losses`` writing units lose a race at their end.

    The loss is raised inside the inner store's block, so the inner store rolls the unit
    back: nothing of it is kept, as when PostgreSQL breaks a deadlock. ``error`` makes
    the exception (``race_lost`` by default). Units that wrote no audit record (reads)
    are let through: every writing operation of the Router audits its change.
    """

    def __init__(self, inner: InMemoryStore) -> None:
        self.inner = inner
        self.losses = 0
        self.lost = 0
        self.error: Callable[[], ConflictError] = lambda: race_lost(
            "a concurrent unit of work won a race (deadlock): deadlock detected"
        )

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Transaction]:
        with self.inner.transaction() as tx:
            before = len(tx.audit())
            yield tx
            if self.losses > 0 and len(tx.audit()) != before:
                self.losses -= 1
                self.lost += 1
                raise self.error()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def _desk() -> tuple[RacyStore, Router, ManualClock]:
    inner = InMemoryStore(
        agents=[Agent(id="a1"), Agent(id="a2"), Agent(id="a3"), Agent(id="o1", role="owner")]
    )
    store = RacyStore(inner)
    clock = ManualClock(MONDAY_10)
    router = Router(
        store=store,  # type: ignore[arg-type]
        customer_data=InMemoryCustomerData(),
        clock=clock,
        teams=[Team(id="t", name="T", members=("a1", "a2"))],
        rules=RuleSet(
            rules=[
                RoutingRule(
                    id="vip",
                    name="VIP",
                    when=ticket_field("tags").contains("vip"),
                    then=AssignToTeam(team="t"),
                )
            ]
        ),
        capacity=1,
    )
    router.set_online("a1", True, actor="a1")
    return store, router, clock


def _t(tid: str, clock: ManualClock, **kw: Any) -> Ticket:
    clock.advance(seconds=1)
    return Ticket(id=tid, channel="email", created_at=clock.now(), **kw)


def _audit(store: RacyStore) -> list[tuple[str, str | None]]:
    with store.inner.transaction() as tx:
        return [(r.action, r.ticket_id or r.agent_id) for r in tx.audit()]


# Each writing operation, after a setup, with what it must have stored once.
OPERATIONS: dict[str, Callable[[Router, ManualClock], object]] = {
    "route": lambda r, c: r.route(_t("n1", c)),
    "reroute": lambda r, c: r.reroute("w1", actor="o1", ticket=_t("w1", c, tags={"vip"})),
    "set_online": lambda r, c: r.set_online("a2", True, actor="a2"),
    "assign": lambda r, c: r.assign("w1", to="a2", actor="o1"),
    "unassign": lambda r, c: r.unassign("h1", actor="o1"),
    "assign_to_team": lambda r, c: r.assign_to_team("w1", "t", actor="o1"),
    "set_status": lambda r, c: r.set_status("h1", TicketStatus.CLOSED, actor="a1"),
    "reply": lambda r, c: r.reply("h1", actor="a1"),
    "assign_waiting": lambda r, c: r.assign_waiting(),
    "add_agent": lambda r, c: r.add_agent(Agent(id="a9"), actor="o1"),
    "update_agent": lambda r, c: r.update_agent(Agent(id="a2", name="Bo"), actor="o1"),
    "remove_agent": lambda r, c: r.remove_agent("a3", actor="o1"),
    "configure": lambda r, c: r.configure(actor="o1", capacity=2),
    "rollback": lambda r, c: r.rollback(1, actor="o1"),
}


def _setup(router: Router, clock: ManualClock, name: str) -> None:
    """h1 held by a1 (at capacity); w1 waiting unassigned; for assign_waiting, a1 freed
    by a direct close first."""
    router.route(_t("h1", clock))
    router.route(_t("w1", clock))
    if name == "assign_waiting":
        router.configure(actor="o1", capacity=2)


@pytest.mark.parametrize("name", sorted(OPERATIONS))
@pytest.mark.parametrize("losses", [1, RACE_ATTEMPTS - 1])
def test_an_operation_that_lost_a_race_is_run_again_and_stored_once(name: str, losses: int) -> None:
    """The first ``losses`` runs lose (nothing kept), the next one is stored: the store
    ends as one plain run leaves it."""
    racy, racy_router, racy_clock = _desk()
    calm, calm_router, calm_clock = _desk()
    for router, clock in ((racy_router, racy_clock), (calm_router, calm_clock)):
        _setup(router, clock, name)
    racy.losses = losses
    racy_answer = OPERATIONS[name](racy_router, racy_clock)
    calm_answer = OPERATIONS[name](calm_router, calm_clock)
    assert racy.lost == losses
    assert racy_answer == calm_answer
    assert _audit(racy) == _audit(calm)
    with racy.inner.transaction() as a, calm.inner.transaction() as b:
        query = TicketQuery(statuses=None)
        assert a.find_tickets(query) == b.find_tickets(query)
        assert a.agents() == b.agents()


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_an_operation_that_keeps_losing_raises_the_retryable_conflict(name: str) -> None:
    """After RACE_ATTEMPTS lost runs the ConflictError reaches the caller, retryable, and
    the store holds nothing of the operation."""
    store, router, clock = _desk()
    _setup(router, clock, name)
    before = _audit(store)
    store.losses = RACE_ATTEMPTS + 10
    with pytest.raises(ConflictError, match="deadlock") as info:
        OPERATIONS[name](router, clock)
    assert info.value.retryable is True
    assert store.lost == RACE_ATTEMPTS
    assert _audit(store) == before


def test_a_conflict_that_is_not_a_race_is_not_run_again() -> None:
    """A plain ConflictError (a lock that stayed taken, a content clash) is an answer:
    one run, then the caller has it."""
    store, router, clock = _desk()
    store.error = lambda: ConflictError("a row stayed locked by another unit of work for 30 s")
    store.losses = 3
    with pytest.raises(ConflictError, match="stayed locked") as info:
        router.route(_t("n1", clock))
    assert info.value.retryable is False
    assert store.lost == 1


def test_a_ticket_routed_again_with_other_content_is_refused_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The route-again ConflictError is not retryable: the caller gets it from one run."""
    _store, router, clock = _desk()
    first = _t("x1", clock)
    router.route(first)
    calls = []
    original = Routing.route

    def counted(self: Routing, *args: Any) -> Any:
        calls.append(1)
        return original(self, *args)

    monkeypatch.setattr(Routing, "route", counted)
    with pytest.raises(ConflictError, match="already stored with different content") as info:
        router.route(first.model_copy(update={"subject": "changed"}))
    assert info.value.retryable is False
    assert len(calls) == 1


def test_each_lost_race_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    store, router, clock = _desk()
    store.losses = 2
    with caplog.at_level(logging.INFO, logger="helpdesk_routing.router"):
        router.route(_t("n1", clock))
    runs = [r for r in caplog.records if "lost a race" in r.getMessage()]
    assert [r.__dict__["attempt"] for r in runs] == [1, 2]
    assert {r.__dict__["operation"] for r in runs} == {"route"}
    # Why it lost is said too: the database's words (a deadlock's detail names the locks).
    error = "a concurrent unit of work won a race (deadlock): deadlock detected"
    assert all(r.__dict__["error"] == error and error in r.getMessage() for r in runs)


def test_retried_keeps_the_name_and_signature_of_the_operation() -> None:
    import inspect

    assert Router.route.__name__ == "route"
    assert "ticket" in inspect.signature(Router.route).parameters

    class Thing:
        runs = 0

        @retried
        def work(self, n: int) -> int:
            self.runs += 1
            if self.runs < 3:
                raise race_lost("deadlock")
            return n * 2

    thing = Thing()
    assert thing.work(21) == 42
    assert thing.runs == 3


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_a_lost_race_is_logged_under_the_operation_s_public_name(
    name: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The log's ``operation`` is the method the caller called (``set_status``), also
    where a private method does its work (``Router._set_status``, which the simulator
    calls for the hand-outs too)."""
    racy, router, clock = _desk()
    _setup(router, clock, name)
    racy.losses = 1
    with caplog.at_level(logging.INFO, logger="helpdesk_routing.router"):
        OPERATIONS[name](router, clock)
    runs = [r for r in caplog.records if "lost a race" in r.getMessage()]
    assert runs, name
    assert {r.__dict__["operation"] for r in runs} == {name}
    assert all(r.getMessage().startswith(f"{name} lost a race") for r in runs)
