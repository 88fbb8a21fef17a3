"""Frozen models hash, equal models alike, also when a field holds a dict or a list.

pydantic's own hash of a frozen model hashes its field values, so every ``Ticket`` (its
``fields`` is a dict), ``Profile``, ``Event``, audit record and ``Scenario`` raised
``TypeError: unhashable type: 'dict'``: none could be put in a set or be a dict key.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import helpdesk_routing as hr
from helpdesk_routing._input import InputModel
from helpdesk_routing.records import AuditRecord, RotationState
from helpdesk_routing.simulation import Scenario

T0 = datetime(2026, 3, 30, 10, tzinfo=UTC)

_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(alphabet="abc", max_size=3),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(alphabet="xyz", max_size=2), inner, max_size=3)
    ),
    max_leaves=8,
)
_custom = st.dictionaries(st.text(alphabet="kmn", min_size=1, max_size=3), _values, max_size=4)


def _reordered(value: Any) -> Any:
    """``value`` with every dict's keys in reverse order (an equal value)."""
    if isinstance(value, dict):
        return {k: _reordered(value[k]) for k in reversed(list(value))}
    if isinstance(value, list):
        return [_reordered(v) for v in value]
    return value


@given(fields=_custom, tags=st.frozensets(st.text(alphabet="ab", min_size=1, max_size=2)))
@settings(max_examples=200, deadline=None)
def test_equal_tickets_hash_alike(fields: dict[str, Any], tags: frozenset[str]) -> None:
    ticket = hr.Ticket(id="t1", channel="sms", created_at=T0, tags=tags, fields=fields)
    again = hr.Ticket.model_validate_json(ticket.model_dump_json())
    shuffled = hr.Ticket(
        id="t1", channel="sms", created_at=T0, tags=set(tags), fields=_reordered(fields)
    )
    assert again == ticket == shuffled
    assert hash(again) == hash(ticket) == hash(shuffled)
    assert len({ticket, again, shuffled}) == 1


@given(properties=_custom)
@settings(max_examples=100, deadline=None)
def test_equal_profiles_and_events_hash_alike(properties: dict[str, Any]) -> None:
    profile = hr.Profile(id="p1", properties=properties, segments={"vip"})
    event = hr.Event(profile_id="p1", metric="Placed Order", timestamp=T0, properties=properties)
    for model in (profile, event):
        again = type(model).model_validate_json(model.model_dump_json())
        assert again == model
        assert hash(again) == hash(model)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ({"vip": True}, {"vip": 1}),
        ({"x": [False]}, {"x": [0]}),
        ({"x": {"y": True}}, {"x": {"y": 1}}),
    ],
)
def test_true_is_not_1_in_custom_values(one: dict[str, Any], other: dict[str, Any]) -> None:
    """Conditions tell ``True`` from ``1`` and the JSON writes them apart: the models do
    too (two tickets that route differently were equal, one member of a set); ``1`` and
    ``1.0`` stay equal, as conditions compare numbers by value."""
    tickets = [hr.Ticket(id="t1", channel="sms", created_at=T0, fields=f) for f in (one, other)]
    profiles = [hr.Profile(id="p1", properties=p) for p in (one, other)]
    events = [
        hr.Event(profile_id="p1", metric="m", timestamp=T0, properties=p) for p in (one, other)
    ]
    for a, b in (tickets, profiles, events):
        assert a != b
        assert len({a, b}) == 2
        assert a == type(a).model_validate_json(a.model_dump_json())
    assert hr.Profile(id="p", properties={"n": 1}) == hr.Profile(id="p", properties={"n": 1.0})


def test_models_with_dicts_are_usable_as_keys() -> None:
    ticket = hr.Ticket(id="t1", channel="sms", created_at=T0, fields={"order": {"n": [1, 2]}})
    other = hr.Ticket(id="t1", channel="sms", created_at=T0, fields={"order": {"n": [1, 3]}})
    seen = {ticket: "first"}
    assert seen[hr.Ticket.model_validate_json(ticket.model_dump_json())] == "first"
    assert other not in seen
    audit = AuditRecord(
        at=T0, actor="m1", action="configured", detail={"version": 1, "changed": ["rules"]}
    )
    assert hash(audit) == hash(AuditRecord.model_validate_json(audit.model_dump_json()))
    state = RotationState(last="a1", extra={"seen": ["a1"]})
    assert {state, RotationState(last="a1", extra={"seen": ["a1"]})} == {state}
    scenario = Scenario.from_json(
        json.dumps(
            {
                "name": "s",
                "arrivals": {"type": "poisson", "per_hour": 6},
                "handling": {"type": "exponential", "mean_minutes": 5},
                "handling_by_channel": {"sms": {"type": "exponential", "mean_minutes": 2}},
                "tickets": 10,
                "agents": [{"id": "a1"}],
            }
        )
    )
    assert hash(scenario) == hash(Scenario.from_json(scenario.model_dump_json()))


def test_models_that_were_hashable_still_hash_as_equal() -> None:
    assert hash(hr.Agent(id="a1")) == hash(hr.Agent(id="a1"))
    assert hash(hr.Team(id="t", name="T", members=["a1", "a2"])) == hash(
        hr.Team(id="t", name="T", members=("a1", "a2"))
    )
    assert len({hr.Agent(id="a1"), hr.Agent(id="a1"), hr.Agent(id="a2")}) == 2


class _Mutable(InputModel):
    n: int = 0


def test_a_model_that_is_not_frozen_is_unhashable() -> None:
    with pytest.raises(TypeError, match="unhashable type: '_Mutable'"):
        hash(_Mutable())
