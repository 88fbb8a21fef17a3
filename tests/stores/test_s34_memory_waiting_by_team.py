"""The in-memory store finds one pool's waiting tickets without reading every team's.

A hand-out asks for a pool's waiting tickets (unassigned, of one team or of none) on
every close. The store keeps its waiting lists by team as well, so the query reads that
team's lists alone: its cost does not grow with the number of other teams that have
tickets waiting. The answers are those of a plain filter over every stored ticket."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import ClassVar

from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk_routing._trusted import updated
from helpdesk_routing.model import Ticket, TicketStatus
from helpdesk_routing.records import TicketQuery, TicketRecord
from helpdesk_routing.stores.memory import InMemoryStore

T0 = datetime(2026, 3, 30, 9, tzinfo=UTC)


class _Counted(str):
    """A team id that counts the equality tests made on it."""

    __slots__ = ()
    tests: ClassVar[list[int]] = [0]

    def __eq__(self, other: object) -> bool:
        self.tests[0] += 1
        return str.__eq__(self, other)

    __hash__ = str.__hash__


def _record(i: int, team: str | None, channel: str = "email") -> TicketRecord:
    ticket = Ticket(id=f"t{i:04d}", channel=channel, created_at=T0 + timedelta(minutes=i))
    return updated(TicketRecord(ticket=ticket), team=team)


def _tests_of_one_pool_query(teams: int) -> int:
    """Equality tests on team ids while one team's waiting tickets are found, with
    ``teams`` teams that have tickets waiting."""
    store = InMemoryStore()
    with store.transaction() as tx:
        for i in range(teams):
            for channel in ("email", "chat"):
                tx.add_ticket(_record(2 * i + (channel == "chat"), _Counted(f"team{i}"), channel))
    query = TicketQuery(
        unassigned=True, team="team0", statuses=frozenset({TicketStatus.OPEN}), limit=8
    )
    with store.read() as tx:
        _Counted.tests[0] = 0
        found = tx.find_tickets(query)
        tests = _Counted.tests[0]
    assert [r.id for r in found] == ["t0000", "t0001"]
    return tests


def test_a_pools_waiting_query_reads_its_own_team_only() -> None:
    assert _tests_of_one_pool_query(50) == _tests_of_one_pool_query(2)


_TEAMS = st.sampled_from([None, "red", "blue", "green"])
_CHANNELS = st.sampled_from(["email", "chat", "phone"])


@settings(max_examples=60, deadline=None)
@given(
    added=st.lists(st.tuples(_TEAMS, _CHANNELS), min_size=1, max_size=25),
    changes=st.lists(
        st.tuples(
            st.integers(0, 24),
            _TEAMS,
            st.sampled_from([None, "a1"]),
            st.sampled_from(list(TicketStatus)),
            st.booleans(),
        ),
        max_size=30,
    ),
    team=_TEAMS,
    excluded=st.frozensets(_CHANNELS, max_size=2),
)
def test_waiting_queries_answer_what_a_filter_of_every_ticket_does(
    added: list[tuple[str | None, str]],
    changes: list[tuple[int, str | None, str | None, TicketStatus, bool]],
    team: str | None,
    excluded: frozenset[str],
) -> None:
    """Tickets added, moved between teams, given and taken back, their status changed,
    some units undone: a pool's waiting query answers, page by page, the unassigned
    open tickets of that team (or of none) but the excluded channels, oldest first."""
    store = InMemoryStore()
    with store.transaction() as tx:
        for i, (t, channel) in enumerate(added):
            tx.add_ticket(_record(i, t, channel))

    class _Undone(Exception):
        pass

    for i, new_team, assignee, status, undo in changes:
        tid = f"t{i % len(added):04d}"
        try:
            with store.transaction() as tx:
                old = tx.get_ticket(tid)
                assert old is not None
                tx.update_ticket(
                    updated(
                        old,
                        team=new_team,
                        assignee=assignee,
                        ticket=updated(old.ticket, status=status),
                    )
                )
                if undo:
                    raise _Undone
        except _Undone:
            pass
    with store.read() as tx:
        every = tx.find_tickets(TicketQuery())
        expected = [
            r.id
            for r in every
            if r.assignee is None
            and r.team == team
            and r.ticket.status is TicketStatus.OPEN
            and r.ticket.channel not in excluded
        ]
        found: list[str] = []
        after = None
        while True:
            page = tx.find_tickets(
                TicketQuery(
                    unassigned=True,
                    team=team,
                    no_team=team is None,
                    statuses=frozenset({TicketStatus.OPEN}),
                    exclude_channels=excluded,
                    after=after,
                    limit=3,
                )
            )
            found += [r.id for r in page]
            if len(page) < 3:
                break
            last = page[-1].ticket
            after = (last.created_at, last.id)
    assert found == expected
