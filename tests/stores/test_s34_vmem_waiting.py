"""The in-memory store's indexes (the waiting lists by team among them) after units of
several changes each, some undone part way: every index list is what the stored records
make, the waiting lists by team are the waiting lists regrouped (the same list objects),
and every waiting query answers what a filter of every ticket does, for teams ``None``,
``""`` and named ones, in both orders, page by page, with any statuses and channels."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk_routing._trusted import updated
from helpdesk_routing.model import Ticket, TicketStatus
from helpdesk_routing.records import TicketQuery, TicketRecord
from helpdesk_routing.stores import memory
from helpdesk_routing.stores.memory import InMemoryStore

T0 = datetime(2026, 3, 30, 9, tzinfo=UTC)
_TEAMS = st.sampled_from([None, "", "red", "blue"])
_CHANNELS = ["email", "chat", "phone"]
_STATUSES = st.sampled_from(list(TicketStatus))


class _Undone(Exception):
    pass


def _record(i: int, team: str | None, channel: str) -> TicketRecord:
    ticket = Ticket(id=f"t{i:03d}", channel=channel, created_at=T0 + timedelta(minutes=i))
    return updated(TicketRecord(ticket=ticket), team=team)


def _rebuilt(store: InMemoryStore) -> list[dict[Any, list[tuple[datetime, str]]]]:
    """The ordered indexes as the stored records make them."""
    indexes: list[dict[Any, list[tuple[datetime, str]]]] = [{} for _ in store._indexes]
    for record in store._tickets.values():
        for at, name in memory._slots(record):
            indexes[at].setdefault(name, []).append(memory._key(record))
    return [{name: sorted(keys) for name, keys in index.items()} for index in indexes]


def _check_indexes(store: InMemoryStore) -> None:
    assert [dict(index) for index in store._indexes] == _rebuilt(store)
    waiting = store._waiting
    regrouped: dict[str | None, dict[Any, list[Any]]] = {}
    for name, keys in dict.items(waiting):
        regrouped.setdefault(name[0], {})[name] = keys
    assert waiting.teams.keys() == regrouped.keys()
    for team, lists in regrouped.items():
        assert waiting.teams[team].keys() == lists.keys()
        assert all(waiting.teams[team][name] is keys for name, keys in lists.items())
    loads: dict[str, int] = {}
    for record in store._tickets.values():
        if record.assignee is not None and record.ticket.status is not TicketStatus.CLOSED:
            loads[record.assignee] = loads.get(record.assignee, 0) + 1
    assert {a: n for a, n in store._load.items() if n} == loads


_change = st.tuples(
    st.integers(0, 29),
    _TEAMS,
    st.sampled_from([None, None, "a1", "a2"]),
    _STATUSES,
    st.sampled_from([None, 0, 45]),  # created_at moved (a new key) to this minute
    st.frozensets(st.sampled_from(["v1", "v2"]), max_size=2),
)


@settings(max_examples=150, deadline=None)
@given(
    added=st.lists(st.tuples(_TEAMS, st.sampled_from(_CHANNELS)), min_size=1, max_size=30),
    units=st.lists(
        st.tuples(st.lists(_change, min_size=1, max_size=4), st.integers(0, 4)), max_size=12
    ),
    queries=st.lists(
        st.tuples(
            _TEAMS,
            st.one_of(st.none(), st.frozensets(_STATUSES, min_size=1)),
            st.one_of(st.none(), st.frozensets(st.sampled_from(_CHANNELS))),
            st.frozensets(st.sampled_from(_CHANNELS), max_size=2),
            st.booleans(),
            st.integers(1, 4),
        ),
        min_size=1,
        max_size=4,
    ),
)
def test_indexes_and_waiting_queries_after_units_some_undone_part_way(
    added: list[tuple[str | None, str]],
    units: list[tuple[list[tuple[Any, ...]], int]],
    queries: list[tuple[Any, ...]],
) -> None:
    store = InMemoryStore()
    with store.transaction() as tx:
        for i, (team, channel) in enumerate(added):
            tx.add_ticket(_record(i, team, channel))
    _check_indexes(store)
    for changes, undo_after in units:
        before = [{name: list(keys) for name, keys in dict.items(i)} for i in store._indexes]
        before_teams = {
            team: {name: list(keys) for name, keys in lists.items()}
            for team, lists in store._waiting.teams.items()
        }
        try:
            with store.transaction() as tx:
                for done, (i, team, assignee, status, minute, views) in enumerate(changes):
                    if done == undo_after:
                        raise _Undone
                    old = tx.get_ticket(f"t{i % len(added):03d}")
                    assert old is not None
                    ticket = updated(old.ticket, status=status)
                    if minute is not None:
                        ticket = updated(ticket, created_at=T0 + timedelta(minutes=minute))
                    tx.update_ticket(
                        updated(old, team=team, assignee=assignee, ticket=ticket, views=views)
                    )
                if undo_after >= len(changes):
                    raise _Undone
        except _Undone:
            after = [{name: list(keys) for name, keys in dict.items(i)} for i in store._indexes]
            assert after == before
            assert {
                team: {name: list(keys) for name, keys in lists.items()}
                for team, lists in store._waiting.teams.items()
            } == before_teams
        _check_indexes(store)
    with store.read() as tx:
        every = tx.find_tickets(TicketQuery(statuses=None))
        for team, statuses, channels, excluded, newest, limit in queries:
            query = TicketQuery(
                unassigned=True,
                team=team,
                no_team=team is None,
                statuses=statuses,
                channels=channels,
                exclude_channels=excluded,
                newest_first=newest,
                limit=limit,
            )
            expected = [r.id for r in every if query.matches(r)]
            if newest:
                expected.reverse()
            found: list[str] = []
            while True:
                page = tx.find_tickets(query)
                found += [r.id for r in page]
                if len(page) < limit:
                    break
                last = page[-1].ticket
                query = query.model_copy(update={"after": (last.created_at, last.id)})
            assert found == expected
