"""The models accept only what every store can keep, with one rule for all stores."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pydantic
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpdesk_routing._storable import MAX_INT, MIN_INT, text_problem, value_problem
from helpdesk_routing.errors import ValidationError
from helpdesk_routing.model import Agent, Event, Profile, Team, Ticket
from helpdesk_routing.stores.sqlite import SqliteCustomerData

T0 = datetime(2026, 3, 30, 12, tzinfo=UTC)


def _ticket(**changes: Any) -> Ticket:
    data: dict[str, Any] = {"id": "t1", "channel": "sms", "created_at": T0, **changes}
    return Ticket(**data)


def _problem(error: pydantic.ValidationError) -> tuple[tuple[Any, ...], str]:
    first = error.errors()[0]
    return first["loc"], first["msg"]


@pytest.mark.parametrize(
    ("changes", "loc"),
    [
        ({"id": "t\x00"}, ("id",)),
        ({"channel": "s\x00ms"}, ("channel",)),
        ({"subject": "\x00"}, ("subject",)),
        ({"priority": "hi\x00"}, ("priority",)),
        ({"email": "a\x00@b"}, ("email",)),
        ({"profile_id": "\x00"}, ("profile_id",)),
    ],
)
def test_ticket_text_with_nul_is_rejected(changes: dict[str, Any], loc: tuple[Any, ...]) -> None:
    """A NUL in any ticket text (PostgreSQL cannot store it) is refused at its field."""
    with pytest.raises(pydantic.ValidationError) as info:
        _ticket(**changes)
    assert _problem(info.value) == (loc, "text must not contain NUL (\\x00)")


def test_ticket_tag_with_lone_surrogate_is_rejected() -> None:
    """A tag with a lone surrogate (not UTF-8) is refused."""
    with pytest.raises(pydantic.ValidationError) as info:
        _ticket(tags={"ok", "\udc00"})
    # A set has no order: the bad item is named by its value, not at an index.
    assert _problem(info.value) == (
        ("tags",),
        "item '\\udc00': text must not contain a lone surrogate (\\udc00)",
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (2**63, "at f: integer beyond signed 64 bits"),
        (-(2**63) - 1, "at f: integer beyond signed 64 bits"),
        (float("nan"), "at f: not a finite number: nan"),
        (float("inf"), "at f: not a finite number: inf"),
        ([1, float("-inf")], "at f[1]: not a finite number: -inf"),
        ({"a": {"b": "x\x00"}}, "at f.a.b: text must not contain NUL (\\x00)"),
        ("\ud83d", "at f: text must not contain a lone surrogate (\\ud83d)"),
        (Decimal("1.5"), "at f: Decimal is not a JSON value"),
        (object(), "at f: object is not a JSON value"),
        ({1: "x"}, "at f: a key must be text, got int"),
        ({"\x00": 1}, "at f: key: text must not contain NUL (\\x00)"),
    ],
)
def test_custom_values_no_store_can_keep_are_rejected(value: object, message: str) -> None:
    """Ticket.fields, Profile.properties and Event.properties refuse, with one message,
    values some store cannot keep: big integers, NaN/Infinity, NUL, lone surrogates,
    objects that are not JSON values."""
    with pytest.raises(pydantic.ValidationError) as info:
        _ticket(fields={"f": value})
    assert _problem(info.value) == (("fields",), message)
    with pytest.raises(pydantic.ValidationError) as info:
        Profile(id="p1", properties={"f": value})
    assert _problem(info.value) == (("properties",), message)
    with pytest.raises(pydantic.ValidationError) as info:
        Event(profile_id="p1", metric="m", timestamp=T0, properties={"f": value})
    assert _problem(info.value) == (("properties",), message)


@pytest.mark.parametrize(("key", "kind"), [(1, "int"), (True, "bool"), (None, "NoneType")])
def test_a_top_level_key_that_is_no_text_is_named_as_a_key(key: object, kind: str) -> None:
    """A key that is no text is said as one lower down is, at the field (pydantic's own
    error named it as an array index, ``$.fields[1]``, "Input should be a valid string")."""
    message = f"a key must be text, got {kind}"
    with pytest.raises(pydantic.ValidationError) as info:
        _ticket(fields={key: "x"})
    assert _problem(info.value) == (("fields",), message)
    with pytest.raises(ValidationError) as wrapped:
        Profile(id="p1", properties={key: "x"})
    assert [(d.path, d.code, d.message) for d in wrapped.value.details] == [
        ("$.properties", "storable_value", message)
    ]


def test_custom_value_keys_are_storable_text() -> None:
    """A custom-value key with NUL is refused at the key."""
    with pytest.raises(pydantic.ValidationError) as info:
        Profile(id="p1", properties={"a\x00": 1})
    assert _problem(info.value)[1].endswith("text must not contain NUL (\\x00)")


def test_custom_values_every_store_keeps_are_accepted() -> None:
    """JSON values, the 64-bit bounds, dates and date-times are accepted."""
    fields = {
        "none": None,
        "yes": True,
        "small": MIN_INT,
        "big": MAX_INT,
        "pi": 3.14,
        "text": "Ünïcode ☃ 😀",
        "list": [1, "a", [2.5]],
        "set": frozenset({"a"}),
        "object": {"a": {"b": 1}},
        "when": T0,
        "day": date(2026, 3, 30),
    }
    assert _ticket(fields=fields).fields == fields


@pytest.mark.parametrize("capacity", ["5", True, 2.0, -1, 2**31])
def test_agent_capacity_is_a_strict_whole_number(capacity: object) -> None:
    """Agent.capacity refuses text, booleans, floats, negatives and values past 2**31 - 1."""
    with pytest.raises(pydantic.ValidationError):
        Agent(id="a1", capacity=capacity)


def test_agent_capacity_from_json_is_read() -> None:
    """A JSON integer capacity is read (strict mode still reads JSON numbers)."""
    assert Agent.model_validate_json('{"id": "a1", "capacity": 3}').capacity == 3


@pytest.mark.parametrize("field", ["id", "name"])
def test_agent_text_with_nul_is_rejected(field: str) -> None:
    """An agent's id or name with NUL is refused."""
    data = {"id": "a1", field: "x\x00"}
    with pytest.raises(pydantic.ValidationError):
        Agent(**data)


@pytest.mark.parametrize(
    "changes",
    [
        {"members": ["a\x00"]},
        {"tags": {"\x00"}},
        {"segments": {"\udfff"}},
        {"name": "\x00"},
        {"description": "\x00"},
        {"members": [True]},
    ],
)
def test_team_text_no_store_can_keep_is_rejected(changes: dict[str, Any]) -> None:
    """A team's members, tags, segments, name and description are storable text."""
    data: dict[str, Any] = {"id": "t", "members": ["a1"], **changes}
    with pytest.raises(pydantic.ValidationError):
        Team(**data)


_keys = st.text(max_size=4)
_storable_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=MIN_INT, max_value=MAX_INT),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=6),
    ),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_keys, inner, max_size=3),
    max_leaves=6,
)
_any_values = st.one_of(
    _storable_values,
    st.integers(),
    st.floats(),
    st.text(alphabet=st.characters(codec=None), max_size=4),
    st.lists(st.one_of(st.floats(), st.integers(), st.characters(codec=None)), max_size=3),
)


@settings(max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(properties=st.dictionaries(_keys, _any_values, max_size=3))
def test_what_the_model_accepts_sqlite_keeps_and_reads_back(
    tmp_path: Path, properties: dict[str, Any]
) -> None:
    """Any properties the model accepts are written by SQLite and read back as the same
    JSON; what the model refuses is exactly what value_problem names."""
    problems = [value_problem(v, k) for k, v in properties.items()]
    try:
        profile = Profile(id="p1", properties=properties)
    except pydantic.ValidationError:
        assert any(p is not None for p in problems) or any(map(text_problem, properties))
        return
    assert all(p is None for p in problems)
    data = SqliteCustomerData(tmp_path / "data.db", profiles=[profile])
    try:
        stored = data.profile("p1")
    finally:
        data.close()
        (tmp_path / "data.db").unlink()
    assert stored is not None
    assert stored.properties == json.loads(json.dumps(properties, allow_nan=False))


_HASH_SEEDED = r"""
import json, sys
from datetime import UTC, datetime
from helpdesk_routing.errors import ValidationError
from helpdesk_routing.model import Profile, Team, Ticket
now = datetime(2026, 3, 30, tzinfo=UTC)
makers = [
    lambda: Ticket(id="t", channel="email", tags={"alpha", "b", "g", 7, None, "a\x00"},
                   created_at=now),
    lambda: Profile(id="p", segments={"alpha", "beta", 2.5, "gamma"}),
    lambda: Team(id="t", name="T", members=["a"], tags={"alpha", "beta", "gamma", 7}),
]
said = []
for make in makers:
    try:
        make()
    except ValidationError as exc:
        said.append([(d["path"], d["message"]) for d in exc.errors()])
print(json.dumps(said))
"""


def test_a_sets_items_of_another_kind_are_named_by_value_whatever_the_hash_seed() -> None:
    """An item of a set that is no text was named at its place in the set's iteration
    order (`$.tags[3]` under one PYTHONHASHSEED, `$.tags[1]` under another); it is named
    at the field by its value, with the text no store can keep, in one order."""
    import os
    import subprocess
    import sys

    import helpdesk_routing

    src = str(Path(helpdesk_routing.__file__).resolve().parents[1])
    answers = set()
    for seed in ("0", "1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": src}
        done = subprocess.run(
            [sys.executable, "-c", _HASH_SEEDED], env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        answers.add(done.stdout)
    assert len(answers) == 1
    said = json.loads(answers.pop())
    assert said[0] == [
        ["$.tags", "item None: Input should be a valid string"],
        ["$.tags", "item 7: Input should be a valid string"],
        ["$.tags", "item 'a\\x00': text must not contain NUL (\\x00)"],
    ]
    assert said[1] == [["$.segments", "item 2.5: Input should be a valid string"]]
    assert said[2] == [["$.tags", "item 7: Input should be a valid string"]]
