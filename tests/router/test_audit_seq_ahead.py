"""``ports.NextAuditSeq``: a transaction that knows the ``seq`` of its next audit record
gets records built with it, and keeps them as they are. The log must be exactly the one
a store that sets the ``seq`` on a copy keeps: every record's JSON and fields-set."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk_routing import audit
from helpdesk_routing.allocation import LeastLoaded, RoundRobin
from helpdesk_routing.clock import ManualClock
from helpdesk_routing.errors import ConflictError, StoreError
from helpdesk_routing.model import Agent, Team, Ticket
from helpdesk_routing.ports import NextAuditSeq, offers
from helpdesk_routing.records import AuditRecord
from helpdesk_routing.router import Router
from helpdesk_routing.rules import RuleSet
from helpdesk_routing.stores.memory import InMemoryStore
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData
from tests.router.conftest import withheld

T0 = datetime(2026, 3, 30, 9, tzinfo=UTC)
AGENTS = ("a1", "a2", "a3")


def _log(store: InMemoryStore) -> list[tuple[str, list[str]]]:
    with store.read() as tx:
        return [(a.model_dump_json(), sorted(a.__pydantic_fields_set__)) for a in tx.audit()]


def _play(steps: list[tuple[Any, ...]], allocator: Any, capacity: int | None) -> Any:
    store = InMemoryStore(agents=[Agent(id=a) for a in AGENTS])
    clock = ManualClock(T0)
    router = Router(
        rules=RuleSet(rules=[]),
        teams=[Team(id="t", members=("a2", "a3"))],
        store=store,
        customer_data=InMemoryCustomerData(),
        clock=clock,
        allocator=allocator,
        capacity=capacity,
    )
    answers: list[object] = []
    for kind, n, flag in steps:
        clock.advance(seconds=1)
        tid = f"x{n}"
        try:
            if kind == "route":
                ticket = Ticket(id=tid, channel="email", created_at=T0)
                answers.append(router.route(ticket).model_dump_json())
            elif kind == "presence":
                given = router.set_online(AGENTS[n % 3], flag, actor=AGENTS[n % 3])
                answers.append([r.model_dump_json() for r in given])
            elif kind == "reply":
                answers.append(router.reply(tid, actor="a1", public=flag).model_dump_json())
            elif kind == "status":
                answers.append(router.set_status(tid, "closed" if flag else "pending", actor="a1"))
            else:
                answers.append(router.assign_to_team([tid], team="t", actor="a1"))
        except (ConflictError, LookupError) as error:
            answers.append(type(error).__name__)
    return answers, _log(store)


@settings(max_examples=60, deadline=None)
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(("route", "presence", "reply", "status", "team")),
            st.integers(0, 5),
            st.booleans(),
        ),
        max_size=30,
    ),
    allocator=st.sampled_from((RoundRobin(), LeastLoaded())),
    capacity=st.none() | st.integers(0, 2),
)
def test_records_built_with_their_seq_are_the_records_a_copy_would_store(
    steps: list[tuple[Any, ...]], allocator: Any, capacity: int | None
) -> None:
    ahead = _play(steps, allocator, capacity)
    with withheld(audit, "NextAuditSeq"):  # the store sets the seq on a copy
        copied = _play(steps, allocator, capacity)
    assert ahead == copied


def test_the_memory_store_keeps_a_record_with_the_next_seq_and_copies_any_other() -> None:
    store = InMemoryStore()
    record = AuditRecord(at=T0, actor=None, action="status", ticket_id="t1")
    with store.transaction() as tx:
        assert offers(tx, NextAuditSeq)
        assert tx.next_audit_seq() == 1
        first = record.model_copy(update={"seq": 1})
        assert tx.append_audit(first) is first
        assert tx.next_audit_seq() == 2
        wrong = record.model_copy(update={"seq": 7})
        stored = tx.append_audit(wrong)
        assert stored is not wrong
        assert stored.seq == 2
        assert stored.model_copy(update={"seq": 7}) == wrong
        assert tx.append_audit(record).seq == 3  # no seq: a copy with it
    try:
        with store.transaction() as tx:
            tx.append_audit(record)
            assert tx.next_audit_seq() == 5
            raise StoreError("undo")
    except StoreError:
        pass
    with store.transaction() as tx:
        assert tx.next_audit_seq() == 4  # the undone record's seq is given again
        assert [a.seq for a in tx.audit()] == [1, 2, 3]
