"""A pool's waiting tickets with some channels left out (what a hand-out reads after
hours), on every store: exactly the records ``TicketQuery.matches`` accepts, in the
query's order, limited, and paged by cursor without a gap or a repeat. The SQL stores
read such a query channel by channel (``tickets_waiting_channel``) and merge the pages;
these are the queries that path takes, which the general random queries of
``test_store_contract`` rarely draw."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from helpdesk_routing.model import TicketStatus
from helpdesk_routing.ports import Store
from helpdesk_routing.records import TicketQuery, TicketRecord
from tests.adapters import StoreFactory

from .test_store_contract import AGENTS, T0, record

CHANNELS = ("email", "sms", "webchat", "whatsapp")


def _pool_records(rng: random.Random) -> list[TicketRecord]:
    """Up to 30 records, most of them waiting (no assignee), times colliding."""
    ids = rng.sample([f"t{i:02d}" for i in range(40)], rng.randint(0, 30))
    return [
        record(
            tid,
            rng.randint(0, 6),
            assignee=rng.choice([None, None, None, "a1"]),
            team=rng.choice([None, "x", "y"]),
            status=rng.choice([TicketStatus.OPEN, TicketStatus.OPEN, TicketStatus.PENDING]),
            channel=rng.choice(CHANNELS),
        )
        for tid in ids
    ]


def _pool_query(rng: random.Random, *, after: tuple[object, str] | None = None) -> TicketQuery:
    team = rng.choice([None, "x", "y", "z"])
    excluded = frozenset(c for c in (*CHANNELS, "fax") if rng.random() < 0.4) or {"webchat"}
    return TicketQuery.model_validate(
        {
            "unassigned": True,
            "team": team,
            "no_team": team is None,
            "statuses": [rng.choice([TicketStatus.OPEN, TicketStatus.PENDING])],
            "exclude_channels": excluded,
            "after": after,
            "limit": rng.choice([None, 1, 2, 3, 8]),
            "newest_first": rng.random() < 0.3,
        }
    )


def _expected(records: list[TicketRecord], query: TicketQuery) -> list[TicketRecord]:
    found = sorted(
        (r for r in records if query.matches(r)),
        key=lambda r: (r.ticket.created_at, r.id),
        reverse=query.newest_first,
    )
    return found if query.limit is None else found[: query.limit]


def _filled(
    store_factory: StoreFactory, request: pytest.FixtureRequest, rng: random.Random
) -> tuple[list[TicketRecord], Store]:
    """A new store of the test's adapter holding random pool records, and the records."""
    records = _pool_records(rng)
    store = store_factory(request, AGENTS)
    with store.transaction() as tx:
        for r in records:
            tx.add_ticket(r)
    return records, store


@pytest.mark.parametrize("seed", range(10))
def test_a_pools_waiting_tickets_with_channels_left_out(
    store_factory: StoreFactory, request: pytest.FixtureRequest, seed: int
) -> None:
    rng = random.Random(seed)
    records, store = _filled(store_factory, request, rng)
    with store.transaction() as tx:
        for _ in range(30):
            after = None
            if rng.random() < 0.4:
                after = (T0 + timedelta(minutes=rng.randint(0, 6)), rng.choice(["", "t10", "t99"]))
            query = _pool_query(rng, after=after)
            assert tx.find_tickets(query) == _expected(records, query), query


@pytest.mark.parametrize("seed", range(6))
def test_paging_a_pool_with_channels_left_out_visits_each_ticket_once(
    store_factory: StoreFactory, request: pytest.FixtureRequest, seed: int
) -> None:
    rng = random.Random(100 + seed)
    records, store = _filled(store_factory, request, rng)
    with store.transaction() as tx:
        for _ in range(4):
            first = _pool_query(rng)
            whole = _expected(records, first.model_copy(update={"limit": None}))
            limit = rng.randint(1, 3)
            seen: list[TicketRecord] = []
            after = None
            while True:
                page = tx.find_tickets(first.model_copy(update={"limit": limit, "after": after}))
                seen += page
                if len(page) < limit:
                    break
                after = (page[-1].ticket.created_at, page[-1].id)
            assert seen == whole, first
