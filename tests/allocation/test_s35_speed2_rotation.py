"""The round-robin step's pieces built without pydantic's or the dataclass's own paths
are what those paths give: the rotation state after a step (``round_robin.rotated``),
and a :class:`Pool` from its own ``__init__``."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpdesk_routing.allocation import Pool
from helpdesk_routing.allocation.base import _everyone_online
from helpdesk_routing.allocation.round_robin import rotated
from helpdesk_routing.records import RotationState
from tests.test_trusted import same

_text = st.text("ab1 é", max_size=4)  # what a store keeps as text (no NUL, no surrogate)
_json = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | _text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner),
    max_leaves=6,
)


@given(
    last=st.none() | _text.filter(bool),
    given_=st.integers(0, 10**6),
    extra=st.dictionaries(_text, _json, max_size=3),
    agent=_text.filter(bool),
    set_fields=st.booleans(),
)
def test_the_state_after_a_step_is_the_validated_one(
    last: str | None, given_: int, extra: dict[str, Any], agent: str, set_fields: bool
) -> None:
    """``rotated`` gives the state validation gives (equal, the same JSON, fields-set and
    private attributes), with an ``extra`` of its own, and leaves the old state as it was."""
    state = RotationState(last=last, given=given_, extra=extra) if set_fields else RotationState()
    before = state.model_dump_json()
    after = rotated(state, agent)
    expected = RotationState(last=agent, given=state.given + 1, extra=state.extra)
    same(after, expected)
    assert list(after.__dict__) == list(expected.__dict__)  # field order, as stored
    assert after.__pydantic_private__ == expected.__pydantic_private__
    assert after.extra is not state.extra
    assert state.model_dump_json() == before


def _load(agent_id: str) -> int:
    return 0


def _capacity(agent_id: str) -> int | None:
    return None


def _offline(agent_id: str) -> bool:
    return False


def test_a_pool_is_built_as_the_dataclass_would_and_stays_frozen() -> None:
    """Positional and keyword forms, the default ``online``, equality, ``replace`` and the
    refusal of a changed field: what the dataclass's own ``__init__`` gave."""
    ids = ("a1", "a2")
    by_position = Pool("global", ids, _load, _capacity)
    by_name = Pool(name="global", ids=ids, load=_load, capacity=_capacity)
    assert by_position == by_name
    assert by_position.online is _everyone_online
    assert [getattr(by_name, f.name) for f in dataclasses.fields(Pool)] == [
        "global",
        ids,
        _load,
        _capacity,
        _everyone_online,
    ]
    team = dataclasses.replace(by_name, name="team:x", online=_offline)
    assert (team.name, team.ids, team.online) == ("team:x", ids, _offline)
    assert hash(by_position) == hash(by_name)
    with pytest.raises(dataclasses.FrozenInstanceError):
        by_name.name = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        Pool("global", ids)  # type: ignore[call-arg]
