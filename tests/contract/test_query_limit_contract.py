"""A ticket query's ``limit`` beyond what SQL's ``LIMIT`` takes (a signed 64-bit integer)
is past every row: every adapter answers all matching tickets."""

from __future__ import annotations

import pytest

from helpdesk_routing.records import TicketQuery
from tests.adapters import StoreFactory
from tests.contract.test_unstorable_ids_contract import AGENTS, _record


@pytest.mark.parametrize("limit", [2**63 - 1, 2**63, 2**70])
@pytest.mark.parametrize("newest_first", [False, True])
def test_a_limit_past_what_sql_takes_means_every_ticket(
    store_factory: StoreFactory, request: pytest.FixtureRequest, limit: int, newest_first: bool
) -> None:
    """A page limit beyond the databases' 64-bit LIMIT is past every row: every adapter
    answers all matching tickets (it was an OverflowError on SQLite and a StoreError,
    bigint out of range, on PostgreSQL)."""
    store = store_factory(request, AGENTS)
    with store.transaction() as tx:
        for i in range(3):
            tx.add_ticket(_record(f"t{i}", i))
    query = TicketQuery(statuses=None, limit=limit, newest_first=newest_first)
    ids = ["t0", "t1", "t2"]
    with store.read() if hasattr(store, "read") else store.transaction() as tx:
        assert [r.id for r in tx.find_tickets(query)] == (ids[::-1] if newest_first else ids)
    with store.transaction() as tx:
        assert len(tx.find_tickets(query)) == 3
