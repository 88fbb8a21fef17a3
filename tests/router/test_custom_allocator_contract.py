"""A pluggable allocator's answer is held to the contract before anything is written."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk_routing.allocation import Allocation, Pool
from helpdesk_routing.clock import ManualClock
from helpdesk_routing.errors import ArgumentTypeError, ValidationError
from helpdesk_routing.model import Agent, Ticket
from helpdesk_routing.records import RotationState
from helpdesk_routing.router import Router
from helpdesk_routing.stores.memory import InMemoryStore
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData
from tests.router.conftest import MONDAY_10, MakeDesk


class Answers:
    """An allocator that answers what it was told to, whatever the pool."""

    def __init__(self, answer: Any) -> None:
        self.answer = answer

    def allocate(self, ticket: Ticket, pool: Pool, state: RotationState) -> Any:
        return self.answer


def _state(last: str) -> RotationState:
    return RotationState(last=last, given=1)


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (Allocation("ghost", _state("ghost"), "x"), r"chose 'ghost', who is not in pool 'global'"),
        # the global pool holds the Online agents only
        (Allocation("a2", _state("a2"), "x"), r"chose 'a2', who is not in pool 'global'"),
        (Allocation(7, _state("a1"), "x"), r"chose 7, who is not in pool"),  # type: ignore[arg-type]
        (("a1", _state("a1"), "x"), r"returned tuple, not an Allocation"),
        (Allocation("a1", {"last": "a1"}, "x"), r"returned a state of type dict"),  # type: ignore[arg-type]
        (Allocation("a1", _state("a1"), None), r"gave no readable reason"),  # type: ignore[arg-type]
    ],
    ids=["stranger", "offline", "not-text", "tuple", "dict-state", "no-reason"],
)
def test_an_answer_outside_the_contract_is_refused_and_nothing_changes(
    make_desk: MakeDesk, answer: Any, message: str
) -> None:
    """A ticket to an agent who does not exist or is Offline, or a state no store keeps,
    was stored (the rotation moved to 'ghost'); some answers raised AttributeError."""
    desk = make_desk(allocator=Answers(answer))
    desk.online("a1")
    before = desk.snapshot()
    with pytest.raises(ValidationError, match=r"^allocator Answers " + message):
        desk.router.route(desk.ticket("t1"))
    assert desk.snapshot() == before


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (
            Allocation("a1", _state("a1"), "Ann \udcff"),
            r"gave a reason no store can keep: text must not contain a lone surrogate",
        ),
        (
            Allocation("a1", RotationState.model_construct(last="", given=1, extra={}), "x"),
            r"returned a state no store can keep: last is ''",
        ),
        (
            Allocation("a1", RotationState.model_construct(last="a1", given=-1, extra={}), "x"),
            r"returned a state no store can keep: given is -1",
        ),
    ],
    ids=["surrogate-reason", "empty-last", "negative-given"],
)
def test_what_a_store_cannot_keep_is_refused_on_every_store(
    make_desk: MakeDesk, answer: Any, message: str
) -> None:
    """A reason or a state no store keeps is refused before anything is written, on
    every store alike (the in-memory store kept them; SQLite raised pydantic's
    ``PydanticSerializationError``, or stored a state it had to read back)."""
    desk = make_desk(allocator=Answers(answer))
    desk.online("a1")
    before = desk.snapshot()
    with pytest.raises(ValidationError, match=r"^allocator Answers " + message):
        desk.router.route(desk.ticket("t1"))
    assert desk.snapshot() == before


def test_a_rotation_state_names_an_agent_every_store_keeps() -> None:
    """``last`` is an agent id: NUL or a lone surrogate is refused at ``$.last``."""
    for last in ("a\x00", "a\ud800"):
        with pytest.raises(ValidationError) as info:
            RotationState(last=last)
        assert [d.path for d in info.value.details] == ["$.last"]


def test_an_agent_at_capacity_is_refused(make_desk: MakeDesk) -> None:
    """Room counts as well as presence: a full agent may not be chosen."""
    desk = make_desk(allocator=Answers(Allocation("a1", _state("a1"), "x")), capacity=0)
    desk.online("a1")
    before = desk.snapshot()
    with pytest.raises(ValidationError, match=r"who is Offline or has no room"):
        desk.router.route(desk.ticket("t1"))
    assert desk.snapshot() == before


def test_an_answer_within_the_contract_is_taken(make_desk: MakeDesk) -> None:
    """An eligible agent, or nobody, is what the allocator said."""
    desk = make_desk(allocator=Answers(Allocation("a1", _state("a1"), "always Ann")))
    desk.online("a1")
    decision = desk.router.route(desk.ticket("t1"))
    assert decision.assignee == "a1"
    assert decision.allocation is not None
    assert decision.allocation.summary == "always Ann"
    nobody = make_desk(allocator=Answers(Allocation(None, RotationState(), "waits")))
    nobody.online("a1")
    assert nobody.router.route(nobody.ticket("t1")).assignee is None


@pytest.mark.parametrize("value", [5, object(), ["round_robin"]])
def test_a_router_refuses_an_allocator_that_is_none_when_made(value: object) -> None:
    """Router(allocator=5) was accepted, then failed at the first route with an
    AttributeError."""
    with pytest.raises(ArgumentTypeError, match=r"^allocator must be 'round_robin'"):
        Router(
            store=InMemoryStore(agents=[Agent(id="a1")]),
            customer_data=InMemoryCustomerData(),
            clock=ManualClock(MONDAY_10),
            allocator=value,  # type: ignore[arg-type]
        )


class Declines:
    """Round robin's choice, except that tickets tagged ``hold`` are declined (nobody)."""

    def allocate(self, ticket: Ticket, pool: Pool, state: RotationState) -> Allocation:
        if "hold" in ticket.tags:
            return Allocation(None, state, "held back")
        agent = next((a for a in pool.ids if pool.eligible(a)), None)
        return Allocation(agent, state if agent is None else _state(agent), "first with room")


def test_a_ticket_a_pluggable_allocator_declines_does_not_stop_the_walk(
    make_desk: MakeDesk,
) -> None:
    """A pluggable allocator may find nobody for one ticket while agents have room: the
    hand-out walk then goes on to the younger tickets. (A shipped allocator's nobody
    means nobody has room, and the walk drops the pool.)"""
    desk = make_desk(allocator=Declines(), capacity=1)
    desk.online("a1")
    assert desk.route() == "a1"  # t1: a1 is now full
    assert desk.route(tags=frozenset({"hold"})) is None  # t2: declined
    assert desk.route() is None  # t3: nobody has room
    desk.router.set_status("t1", "closed", actor="a1")  # a1 has room: the walk
    assert desk.assignee("t2") is None  # declined again
    assert desk.assignee("t3") == "a1"  # the walk went on past it


# A rotation state's ``extra`` is read back raw by the allocator that wrote it: only JSON
# values that read back as themselves. Before, NaN, sets and datetimes were kept as given
# by the memory store and read back changed by SQLite (None, a list, text).
_NOT_JSON = [
    pytest.param(float("nan"), "not a finite number", id="nan"),
    pytest.param({"a1"}, "set is not a JSON value", id="set"),
    pytest.param(("a1",), "tuple is not a JSON value", id="tuple"),
    pytest.param(MONDAY_10, "datetime is not a JSON value", id="datetime"),
    pytest.param(2**70, "integer beyond signed 64 bits", id="big-int"),
    pytest.param([{"deep": float("inf")}], r"at seen\[0\]\.deep: not a finite number", id="nested"),
]


@pytest.mark.parametrize(("value", "message"), _NOT_JSON)
def test_a_rotation_state_refuses_extra_a_store_would_change(value: Any, message: str) -> None:
    with pytest.raises(ValidationError, match=r"\$\.extra: at seen"):
        RotationState(extra={"seen": value})
    with pytest.raises(ValidationError, match=message):
        RotationState(extra={"seen": value})
    with pytest.raises(ValidationError, match=message):  # a changed copy is checked too
        RotationState().model_copy(update={"extra": {"seen": value}})


@pytest.mark.parametrize(("value", "message"), _NOT_JSON)
def test_an_allocator_state_made_unchecked_is_refused_and_nothing_changes(
    make_desk: MakeDesk, value: Any, message: str
) -> None:
    """``model_construct`` skips the model's check: the Router's check of the answer
    still refuses the state, naming the allocator, before anything is written."""
    state = RotationState.model_construct(last="a1", given=1, extra={"seen": value})
    desk = make_desk(allocator=Answers(Allocation("a1", state, "x")))
    desk.online("a1")
    before = desk.snapshot()
    with pytest.raises(
        ValidationError, match=r"^allocator Answers returned a state no store can keep: "
    ):
        desk.router.route(desk.ticket("t1"))
    assert desk.snapshot() == before


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        pytest.param({"last": 5}, "last is 5 (an agent id or None)", id="last-int"),
        pytest.param({"last": b"a1"}, "last is b'a1' (an agent id or None)", id="last-bytes"),
        pytest.param({"given": "many"}, "given is 'many' (a whole number", id="given-text"),
        pytest.param({"given": 1.0}, "given is 1.0 (a whole number", id="given-float"),
        pytest.param({"given": True}, "given is True (a whole number", id="given-bool"),
        pytest.param({"given": 2**70}, f"given is {2**70} (a whole number", id="given-huge"),
    ],
)
def test_an_allocator_state_made_unchecked_with_bad_fields_is_refused(
    make_desk: MakeDesk, fields: dict[str, Any], message: str
) -> None:
    """A ``model_construct`` state whose ``last`` or ``given`` the model would refuse:
    written, it made every later route of the pool fail on a SQL store (the state is
    read back with the model), whatever allocator routed."""
    state = RotationState.model_construct(**{"last": "a1", "given": 1, "extra": {}, **fields})
    desk = make_desk(allocator=Answers(Allocation("a1", state, "x")))
    desk.online("a1")
    before = desk.snapshot()
    with pytest.raises(ValidationError) as raised:
        desk.router.route(desk.ticket("t1"))
    assert str(raised.value).startswith(
        f"allocator Answers returned a state no store can keep: {message}"
    )
    assert desk.snapshot() == before


def test_an_allocator_state_reads_back_as_written_on_every_store(make_desk: MakeDesk) -> None:
    """What an allocator may write, it reads back the same, whatever the store."""
    extra = {"weights": [1, 2.5, -0.0, None, True], "seen": {"a1": "2026-03-30T10:00:00Z"}}
    desk = make_desk(
        allocator=Answers(Allocation("a1", RotationState(last="a1", extra=extra), "x"))
    )
    desk.online("a1")
    desk.router.route(desk.ticket("t1"))
    with desk.store.transaction() as tx:
        stored = tx.rotation("global").extra
    assert stored == extra
    assert json.dumps(stored) == json.dumps(extra)


def json_values() -> st.SearchStrategy[Any]:
    """JSON values as Python reads them: what ``extra`` may hold (text may still hold NUL
    or a lone surrogate, which every store refuses)."""
    scalars = (
        st.none()
        | st.booleans()
        | st.integers(min_value=-(2**63), max_value=2**63 - 1)
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text(max_size=5)
    )
    return st.recursive(
        scalars,
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
        ),
        max_leaves=8,
    )


@given(extra=st.dictionaries(st.text(max_size=5), json_values(), max_size=4))
@settings(max_examples=200, deadline=None)
def test_an_accepted_extra_round_trips_through_json(extra: dict[str, Any]) -> None:
    """Every ``extra`` a rotation state accepts reads back from its JSON as itself: the
    form SQLite and PostgreSQL keep it in."""
    try:
        state = RotationState(extra=extra)
    except ValidationError:
        return  # NUL or a lone surrogate in text: refused, nothing to read back
    again = RotationState.model_validate_json(state.model_dump_json())
    assert again == state
    assert json.dumps(again.extra, sort_keys=True) == json.dumps(state.extra, sort_keys=True)
