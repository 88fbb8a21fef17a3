"""A replay pickles as columns of plain values (a sweep pickles each cell's scenario for
its worker: pydantic's pickle of every ticket as a model took 0.8 s for 100,000 tickets,
again for every cell) and comes back equal, ticket for ticket, with the fields each was
given; a process-pool sweep of a replay gives the serial rows."""

from __future__ import annotations

import copy
import gc
import pickle
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk_routing.simulation import (
    ReplayArrivals,
    ReplayTicket,
    Scenario,
    grid,
    run,
    sweep,
)

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)

_tickets = st.lists(
    st.builds(
        dict,
        created_at=st.integers(0, 7 * 86_400).map(lambda s: T0 + timedelta(seconds=s)),
        channel=st.sampled_from(["email", "sms", "webchat"]),
        tags=st.none() | st.frozensets(st.sampled_from(["vip", "refund", "b"]), max_size=3),
        profile_id=st.none() | st.just(None) | st.sampled_from(["p1", "p2"]),
    ),
    min_size=1,
    max_size=40,
)


def _replay(rows: list[dict[str, object]], *, typed: bool) -> ReplayArrivals:
    """Each ticket given with the fields the row has (``None`` tags: not given)."""
    tickets = [{k: v for k, v in row.items() if not (k == "tags" and v is None)} for row in rows]
    data: dict[str, object] = {"tickets": tickets}
    if typed:
        data["type"] = "replay"
    return ReplayArrivals.model_validate(data)


@settings(max_examples=60)
@given(rows=_tickets, typed=st.booleans())
def test_a_replay_comes_back_from_its_pickle_as_it_was(
    rows: list[dict[str, object]], typed: bool
) -> None:
    replay = _replay(rows, typed=typed)
    again = pickle.loads(pickle.dumps(replay))
    assert type(again) is ReplayArrivals
    assert again == replay
    assert again.model_fields_set == replay.model_fields_set
    assert all(type(t) is ReplayTicket for t in again.tickets)
    assert [t.model_fields_set for t in again.tickets] == [
        t.model_fields_set for t in replay.tickets
    ]
    assert again.model_dump(exclude_unset=True) == replay.model_dump(exclude_unset=True)
    assert again.model_dump_json() == replay.model_dump_json()
    assert pickle.loads(pickle.dumps(again)) == replay
    # copy and deepcopy go through the same reduction; a deep model copy too
    for copied in (copy.copy(replay), copy.deepcopy(replay), replay.model_copy(deep=True)):
        assert copied == replay
        assert [t.model_fields_set for t in copied.tickets] == [
            t.model_fields_set for t in replay.tickets
        ]


def test_the_pickle_holds_values_not_models() -> None:
    """No ticket is pickled as a pydantic model (whose state, four slots of it, made the
    pickle twice as long and ten times as slow)."""
    replay = _replay(
        [{"created_at": T0 + timedelta(minutes=i), "channel": "email"} for i in range(500)],
        typed=True,
    )
    data = pickle.dumps(replay)
    assert b"ReplayTicket" not in data
    assert b"__pydantic_fields_set__" not in data
    assert len(data) < 40 * 500


class _Tagged(ReplayTicket):
    """A user's own kind of replayed ticket."""


class _Replay(ReplayArrivals):
    """A user's own kind of replay."""


def test_a_replay_or_ticket_of_a_subclass_keeps_its_class() -> None:
    ticket = ReplayTicket(created_at=T0, channel="sms")
    tagged = _Tagged(created_at=T0, channel="email", tags={"vip"})
    for replay in (ReplayArrivals(tickets=[ticket, tagged]), _Replay(tickets=[ticket])):
        again = pickle.loads(pickle.dumps(replay))
        assert type(again) is type(replay)
        assert [type(t) for t in again.tickets] == [type(t) for t in replay.tickets]
        assert again == replay


@pytest.mark.parametrize("enabled", [True, False])
def test_unpickling_leaves_the_collector_as_it_was(enabled: bool) -> None:
    replay = _replay([{"created_at": T0, "channel": "sms"}], typed=False)
    data = pickle.dumps(replay)
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        assert pickle.loads(data) == replay
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


def _replayed_scenario() -> Scenario:
    tickets = [
        {
            "created_at": (T0 + timedelta(minutes=3 * i)).isoformat(),
            "channel": ["email", "sms"][i % 2],
            **({"tags": ["vip"]} if i % 5 == 0 else {}),
        }
        for i in range(300)
    ]
    return Scenario.model_validate(
        {
            "name": "replayed",
            "start": T0.isoformat(),
            "days": 2,
            "arrivals": {"type": "replay", "tickets": tickets},
            "agents": [{"id": "a1"}, {"id": "a2"}],
            "handling": {"type": "exponential", "mean_minutes": 4},
        }
    )


def test_a_replayed_scenario_runs_the_same_after_its_pickle() -> None:
    scenario = _replayed_scenario()
    again = pickle.loads(pickle.dumps(scenario))
    assert again == scenario
    assert run(again, 3) == run(scenario, 3)


def test_a_process_pool_sweep_of_a_replay_gives_the_serial_rows() -> None:
    cells = grid([_replayed_scenario()], ["pooled", "round_robin"], [1, 2])
    serial = sweep(cells)
    with ProcessPoolExecutor(max_workers=2) as pool:
        assert sweep(cells, pool) == serial
