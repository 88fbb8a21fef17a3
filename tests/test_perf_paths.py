"""The fast paths of the hot path give what the general paths they stand for give."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from helpdesk_routing._keeper import ConfigurationKeeper
from helpdesk_routing._trusted import construct
from helpdesk_routing.decision import AllocationTrace
from helpdesk_routing.handout import _choose, _pick, allocate
from helpdesk_routing.model import Agent, Team, Ticket
from helpdesk_routing.records import RotationState, TicketRecord
from helpdesk_routing.stores.memory import InMemoryStore

AT = datetime(2026, 3, 30, 9, tzinfo=UTC)
IDS = [f"a{i}" for i in range(6)]
TEAM = Team(id="t", name="T", members=("a1", "a3", "a4"))


def _store(online: set[str], loads: dict[str, int], capacities: dict[str, int]) -> InMemoryStore:
    store = InMemoryStore(agents=[Agent(id=a, capacity=capacities.get(a)) for a in IDS])
    with store.transaction() as tx:
        for agent in sorted(online):
            tx.set_online(agent, True, AT)
        n = 0
        for agent, load in sorted(loads.items()):
            for _ in range(load):
                n += 1
                ticket = Ticket(id=f"x{n}", channel="email", created_at=AT)
                tx.add_ticket(TicketRecord(ticket=ticket, assignee=agent))
    return store


def _keeper(store: InMemoryStore, default: int | None) -> ConfigurationKeeper:
    """The store's configuration: team ``t`` and the default capacity ``default``."""
    keeper = ConfigurationKeeper(store, lambda: AT, None)
    keeper.start({"teams": (TEAM,), "capacity": default})
    return keeper


# A pool's situations: who is Online, their loads and capacities, the default capacity,
# the rotation's last agent (also ids outside the pool), the global pool or team t's.
SITUATIONS = {
    "online": st.sets(st.sampled_from(IDS)),
    "loads": st.dictionaries(st.sampled_from(IDS), st.integers(0, 2)),
    "capacities": st.dictionaries(st.sampled_from(IDS), st.integers(0, 2)),
    "default": st.none() | st.integers(0, 2),
    "last": st.none() | st.sampled_from([*IDS, "a", "z"]),
    "team": st.none() | st.just("t"),
}


@given(**SITUATIONS)
def test_the_hand_outs_round_robin_choice_is_the_allocators(
    online: set[str],
    loads: dict[str, int],
    capacities: dict[str, int],
    default: int | None,
    last: str | None,
    team: str | None,
) -> None:
    """A hand-out's choice without the step's facts (``_pick``) gives the agent and leaves
    the rotation state that ``RoundRobin.allocate`` (``_choose``) gives and leaves."""
    answers = []
    for choose in ("general", "fast"):
        store = _store(online, loads, capacities)
        keeper = _keeper(store, default)
        ticket = Ticket(id="w", channel="email", created_at=AT)
        record = TicketRecord(ticket=ticket, team=team)
        pool = "global" if team is None else f"team:{team}"
        with store.transaction() as tx:
            tx.set_rotation(pool, RotationState(last=last, given=3, extra={"k": 1}))
            compiled = keeper.snapshot(tx)
            if choose == "general":
                agent = _choose(tx, compiled, ticket, team)[1].agent
            else:
                agent = _pick(tx, compiled, record)
            answers.append((agent, tx.rotation(pool)))
    assert answers[0] == answers[1]


@given(**SITUATIONS, twice=st.booleans())
def test_the_routes_round_robin_trace_is_the_allocators(
    online: set[str],
    loads: dict[str, int],
    capacities: dict[str, int],
    default: int | None,
    last: str | None,
    team: str | None,
    twice: bool,
) -> None:
    """``allocate`` for exactly ``RoundRobin`` (its walk, its traces kept per step) gives
    the agent, the trace (field for field and in JSON) and the rotation state that
    ``RoundRobin.allocate`` (``_choose``) and its rendered reason give, also when an
    equal step was taken before (``twice``: the kept trace)."""
    answers = []
    for choose in ("general", "fast"):
        store = _store(online, loads, capacities)
        keeper = _keeper(store, default)
        ticket = Ticket(id="w", channel="email", created_at=AT)
        pool = "global" if team is None else f"team:{team}"
        for _ in range(2 if twice and choose == "fast" else 1):
            with store.transaction() as tx:
                tx.set_rotation(pool, RotationState(last=last, given=3, extra={"k": 1}))
                compiled = keeper.snapshot(tx)
                if choose == "general":
                    name, result = _choose(tx, compiled, ticket, team)
                    agent = result.agent
                    trace = construct(
                        AllocationTrace,
                        pool=name,
                        assignee=agent,
                        summary=result.reason,
                        waiting=agent is None,
                    )
                else:
                    agent, trace = allocate(tx, compiled, ticket, team)
                answer = (agent, trace, trace.model_dump_json(), tx.rotation(pool))
        answers.append(answer)
    assert answers[0] == answers[1]
