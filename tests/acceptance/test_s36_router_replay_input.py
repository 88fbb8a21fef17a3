"""hr.replay refuses what is no audit log with an error naming it, as the stores' arguments do."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import helpdesk_routing as hr

T0 = datetime(2026, 3, 30, 9, tzinfo=UTC)


@pytest.mark.parametrize(
    ("records", "message"),
    [
        (None, "records must be AuditRecords (an iterable), got NoneType"),
        ("routed", "records must be AuditRecords (an iterable), got str"),
        ({"seq": 1}, "records must be AuditRecords (an iterable), got dict"),
        ([{"action": "routed"}], "records[0] must be an AuditRecord, got dict"),
        ([None], "records[0] must be an AuditRecord, got NoneType"),
    ],
    ids=repr,
)
def test_replay_of_something_else_is_an_argument_type_error(records: object, message: str) -> None:
    """Not an iterable of AuditRecords: ArgumentTypeError naming the argument or the item."""
    with pytest.raises(hr.ArgumentTypeError) as caught:
        hr.replay(records)  # type: ignore[arg-type]
    assert str(caught.value) == message


def test_replay_of_a_router_log_rebuilds_its_state() -> None:
    """The log of a route and a reassignment replays to the stored ticket and presence."""
    store = hr.InMemoryStore(agents=[hr.Agent(id="a1"), hr.Agent(id="a2")])
    router = hr.Router(
        store=store, customer_data=hr.InMemoryCustomerData(), clock=hr.ManualClock(T0)
    )
    router.set_online("a1", True, actor="a1")
    router.route(hr.Ticket(id="t1", channel="email", created_at=T0))
    router.assign("t1", to="a2", actor="a1")
    with store.transaction() as tx:
        state = hr.replay(iter(tx.audit()))
    assert state.tickets["t1"].assignee == "a2"
    assert state.online == {"a1": True}
