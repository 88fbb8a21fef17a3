"""The in-memory store's index moves on a close, with lists longer than the stretch at
their end that an insert searches first (``stores.memory._NEAR_END``): a year of closed
tickets, closed out of order, some of the units undone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk_routing._trusted import updated
from helpdesk_routing.model import Ticket, TicketStatus
from helpdesk_routing.records import TicketRecord
from helpdesk_routing.stores.memory import _NEAR_END, InMemoryStore
from tests.test_memory_store import _indexes

T0 = datetime(2026, 3, 30, 9, tzinfo=UTC)
N = 3 * _NEAR_END


class _Undone(Exception):
    pass


def _record(i: int, assignee: str | None, team: str | None) -> TicketRecord:
    # Some tickets share an instant: the id then orders them.
    at = T0 + timedelta(minutes=i // 3)
    return TicketRecord(
        ticket=Ticket(id=f"t{i:04d}", channel="email", created_at=at),
        assignee=assignee,
        team=team,
    )


@pytest.mark.untraced  # repeats code smaller tests cover (conftest)
@settings(max_examples=60, deadline=None)
@given(
    owners=st.lists(
        st.tuples(st.sampled_from(["a1", "a2", None]), st.sampled_from(["x", None])),
        min_size=N,
        max_size=N,
    ),
    order=st.permutations(range(N)),
    statuses=st.lists(st.sampled_from(list(TicketStatus)), min_size=N, max_size=N),
    undone=st.sets(st.integers(0, N - 1)),
)
def test_status_changes_in_any_order_leave_the_indexes_of_a_store_built_afresh(
    owners: list[tuple[str | None, str | None]],
    order: list[int],
    statuses: list[TicketStatus],
    undone: set[int],
) -> None:
    """Tickets added in order, then given new statuses in any order (near the end of
    the lists and far from it, a unit now and then undone): the ordered indexes and
    open loads are those of a new store given the surviving records, every list sorted."""
    store = InMemoryStore()
    model: dict[str, TicketRecord] = {}
    with store.transaction() as tx:
        for i, (assignee, team) in enumerate(owners):
            record = _record(i, assignee, team)
            assert tx.add_ticket(record) is None
            model[record.id] = record
    for step, i in enumerate(order):
        record = model[f"t{i:04d}"]
        new = updated(record, ticket=updated(record.ticket, status=statuses[i]))
        try:
            with store.transaction() as tx:
                tx.update_ticket(new)
                if step in undone:
                    raise _Undone
        except _Undone:
            continue
        model[new.id] = new
    fresh = InMemoryStore()
    with fresh.transaction() as tx:
        for record in model.values():
            tx.add_ticket(record)
    assert _indexes(store) == _indexes(fresh)
    for index in store._indexes:
        for keys in index.values():
            assert keys == sorted(keys)
