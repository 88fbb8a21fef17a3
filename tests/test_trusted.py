"""Models built without a second validation (``helpdesk_routing._trusted``) are the models
validation gives: equal, the same JSON byte for byte, the same fields-set.

The Router's hot paths (route, reply, close, hand-out) build their records with
``construct`` and copy them with ``updated``; a mistake there would store records that
differ from what pydantic would have made (field order in JSON, a default missing, a
fields-set that ``exclude_unset`` reads), so every such record is held to the validated one.
"""

from __future__ import annotations

import copy
import pickle
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pydantic
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpdesk_routing import audit
from helpdesk_routing._trusted import construct, updated
from helpdesk_routing.allocation import Allocation, Pool
from helpdesk_routing.clock import ManualClock
from helpdesk_routing.decision import AllocationTrace
from helpdesk_routing.errors import NaiveDatetimeError, ValidationError
from helpdesk_routing.model import Agent, Ticket, TicketStatus
from helpdesk_routing.records import AuditRecord, RotationState, TicketRecord
from helpdesk_routing.router import Router
from helpdesk_routing.rules import RuleSet
from helpdesk_routing.stores.memory import InMemoryStore
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData

T0 = datetime(2026, 3, 30, 9, tzinfo=UTC)


def same(built: pydantic.BaseModel, validated: pydantic.BaseModel) -> None:
    assert built == validated
    assert built.model_dump_json() == validated.model_dump_json()
    assert built.model_fields_set == validated.model_fields_set
    assert built.model_dump(exclude_unset=True) == validated.model_dump(exclude_unset=True)


names = st.none() | st.text(min_size=1, max_size=8)
audit_values = st.fixed_dictionaries(
    {"at": st.datetimes(timezones=st.just(UTC)), "actor": names, "action": st.text(max_size=8)},
    optional={
        "seq": st.integers(1, 10**9),
        "ticket_id": names,
        "agent_id": names,
        "team": names,
        "assignee": names,
        "status": st.none() | st.sampled_from(TicketStatus),
        "online": st.none() | st.booleans(),
        "automatic": st.booleans(),
        "pool": names,
        "detail": st.dictionaries(st.text(max_size=5), st.integers() | st.booleans()),
    },
)


@given(audit_values)
def test_an_audit_record_built_is_the_validated_one(values: dict[str, Any]) -> None:
    same(construct(AuditRecord, **values), AuditRecord(**values))


@given(audit_values, audit_values)
def test_an_updated_record_is_what_model_copy_gives(
    values: dict[str, Any], changes: dict[str, Any]
) -> None:
    record = AuditRecord(**values)
    same(updated(record, **changes), record.model_copy(update=changes))
    assert record == AuditRecord(**values)  # the original is untouched


def test_defaults_from_factories_are_fresh_for_every_record() -> None:
    a = construct(AuditRecord, at=T0, actor=None, action="x")
    b = construct(AuditRecord, at=T0, actor=None, action="x")
    assert a.detail == {}
    assert a.detail is not b.detail
    same(construct(RotationState, last="a1", given=2), RotationState(last="a1", given=2))


def test_ticket_records_and_traces_built_are_the_validated_ones() -> None:
    ticket = Ticket(id="t1", channel="email", created_at=T0, tags={"vip"})
    same(
        construct(TicketRecord, ticket=ticket, team="billing", views=frozenset({"v"})),
        TicketRecord(ticket=ticket, team="billing", views={"v"}),
    )
    same(
        construct(AllocationTrace, pool="global", assignee="a1", summary="why"),
        AllocationTrace(pool="global", assignee="a1", summary="why"),
    )


def test_a_mistaken_call_is_a_type_error_naming_the_fields() -> None:
    with pytest.raises(TypeError, match=r"missing \['actor'\]"):
        construct(AuditRecord, at=T0, action="x")
    with pytest.raises(TypeError, match=r"not fields \['colour'\]"):
        construct(AuditRecord, at=T0, actor=None, action="x", colour="red")


def test_the_audit_builders_store_the_instant_in_utc_and_refuse_a_naive_one() -> None:
    record = TicketRecord(ticket=Ticket(id="t1", channel="email", created_at=T0))
    local = T0.astimezone(timezone(timedelta(hours=2)))
    built = audit.ticket_changed(local, "a1", "status", record)
    assert built.at == T0
    assert built.at.tzinfo is UTC
    assert (
        built.model_dump_json()
        == audit.ticket_changed(T0, "a1", "status", record).model_dump_json()
    )
    assert audit.replied(local, "a1", record, True).at.tzinfo is UTC
    with pytest.raises(NaiveDatetimeError):
        audit.replied(T0.replace(tzinfo=None), "a1", record, True)


def test_the_records_a_route_stores_read_back_as_validated_records() -> None:
    """What the hot path stored equals what validating its JSON gives."""
    store = InMemoryStore(agents=[Agent(id="a1"), Agent(id="a2")])
    router = Router(
        rules=RuleSet(rules=[]),
        teams=[],
        store=store,
        customer_data=InMemoryCustomerData(),
        clock=ManualClock(T0),
    )
    router.set_online("a1", online=True, actor="a1")
    router.route(Ticket(id="t1", channel="email", created_at=T0))
    router.reply("t1", actor="a1")
    router.set_status("t1", TicketStatus.CLOSED, actor="a1")
    with store.transaction() as tx:
        stored = tx.get_ticket("t1")
        log = tx.audit()
    assert stored is not None
    assert stored.assignee == "a1"
    assert stored.status is TicketStatus.CLOSED
    assert TicketRecord.model_validate_json(stored.model_dump_json()).model_dump_json() == (
        stored.model_dump_json()
    )
    for record in log:
        assert AuditRecord.model_validate_json(record.model_dump_json()) == record
    assert [r.action for r in log if r.ticket_id == "t1"] == ["routed", "replied", "status"]


class _Numbered:
    """A pluggable allocator that answers an agent id of the wrong type."""

    def allocate(self, ticket: Ticket, pool: Pool, state: RotationState) -> Allocation:
        return Allocation(7, state, "seven")  # type: ignore[arg-type]


def test_a_pluggable_allocators_answer_is_still_validated_and_nothing_is_stored() -> None:
    store = InMemoryStore(agents=[Agent(id="a1")])
    router = Router(
        rules=RuleSet(rules=[]),
        teams=[],
        store=store,
        customer_data=InMemoryCustomerData(),
        clock=ManualClock(T0),
        allocator=_Numbered(),
    )
    router.set_online("a1", online=True, actor="a1")
    # held to the allocator contract before anything is built from it
    with pytest.raises(ValidationError, match=r"^allocator _Numbered chose 7, who is not in pool"):
        router.route(Ticket(id="t1", channel="email", created_at=T0))
    with store.transaction() as tx:
        assert tx.get_ticket("t1") is None


def test_a_trusted_decision_is_the_validated_one_and_refuses_unknown_names() -> None:
    from helpdesk_routing.decision import RoutingDecision

    fields: dict[str, Any] = {"ticket_id": "t1", "at": T0, "team": "billing", "rule_id": "r1"}
    built = RoutingDecision.trusted(None, **fields)
    validated = RoutingDecision(**fields)
    assert built.model_dump_json() == validated.model_dump_json()
    with pytest.raises(TypeError, match="colour"):
        RoutingDecision.trusted(None, colour="red", **fields)


def test_a_model_copy_of_a_built_record_gets_a_fields_set_of_its_own() -> None:
    """pydantic's model_copy copies the fields-set and adds the updated names to the copy:
    the shared set is untouched, and an `updated` copy of that copy still knows them."""
    record = construct(AuditRecord, at=T0, actor=None, action="x")
    shared = record.__pydantic_fields_set__
    copied = record.model_copy(update={"team": "billing"})
    assert record.model_fields_set == {"at", "actor", "action"}
    assert shared == {"at", "actor", "action"}
    assert copied.model_fields_set == {"at", "actor", "action", "team"}
    again = updated(copied, seq=4)
    assert again.model_fields_set == {"at", "actor", "action", "team", "seq"}
    validated = AuditRecord(at=T0, actor=None, action="x", team="billing", seq=4)
    assert again.model_dump(exclude_unset=True) == validated.model_dump(exclude_unset=True)
    assert updated(record, seq=4).model_fields_set == {"at", "actor", "action", "seq"}
    assert pickle.loads(pickle.dumps(again)) == again
    assert copy.deepcopy(again).model_fields_set == again.model_fields_set


def test_a_pickled_or_copied_validated_model_keeps_its_mark_and_a_fresh_set_for_changes() -> None:
    """A validated Event's mark (its shared fields-set) survives pickling (a sweep's
    worker gets the events) and ``model_copy()``: the customer-data adapters take such
    an event as it is, where they validated every one again (50,000 unpickled events
    took 1.7 s to add, 0.7 s before). A copy with an update still gets a set of its own,
    and the shared one is never changed."""
    from helpdesk_routing._trusted import SharedNames
    from helpdesk_routing.model import Event

    event = Event(profile_id="p", metric="m", timestamp=T0)
    shared = event.__pydantic_fields_set__
    assert type(shared) is SharedNames
    for kept in (pickle.loads(pickle.dumps(event)), event.model_copy()):
        assert kept == event
        assert kept.__pydantic_fields_set__ is shared
    changed = event.model_copy(update={"metric": "n"})
    assert changed.model_fields_set == {"profile_id", "metric", "timestamp"}
    assert shared == {"profile_id", "metric", "timestamp"}
    made = Event.model_construct(profile_id="p", metric="m", timestamp=T0)
    assert type(pickle.loads(pickle.dumps(made)).__pydantic_fields_set__) is not SharedNames
