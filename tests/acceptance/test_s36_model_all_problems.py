"""A model names all of its problems at once: a field pydantic refuses does not hide a
value no store can keep (a NaN custom value, a NUL in the subject), nor the reverse.

The reference is each problem alone: the paths of a model given several problems are
the union of the paths each one is named at when given alone."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import helpdesk_routing as hr

T0 = datetime(2026, 1, 1, tzinfo=UTC)

GOOD: dict[type[Any], dict[str, Any]] = {
    hr.Ticket: {"id": "t", "channel": "sms", "created_at": T0},
    hr.Profile: {"id": "p"},
    hr.Event: {"profile_id": "p", "metric": "m", "timestamp": T0},
    hr.Agent: {"id": "a"},
    hr.Team: {"id": "x", "members": ["a1"]},
}

# Per model: a bad value per field, and the path it is named at when given alone.
BAD: dict[type[Any], dict[str, tuple[object, str]]] = {
    hr.Ticket: {
        "id": ("", "$.id"),
        "channel": ("a\x00", "$.channel"),
        "created_at": (datetime(2026, 1, 1), "$.created_at"),
        "tags": (["ok", "b\x00"], "$.tags[1]"),
        "subject": ("s\x00", "$.subject"),
        "status": ("bogus", "$.status"),
        "priority": ("\ud800", "$.priority"),
        "profile_id": ("", "$.profile_id"),
        "email": ("e\x00", "$.email"),
        "fields": ({"n": float("nan")}, "$.fields"),
    },
    hr.Profile: {
        "id": ("p\x00", "$.id"),
        "properties": ({"big": 2**70}, "$.properties"),
        "segments": (["s\x00"], "$.segments[0]"),
    },
    hr.Event: {
        "profile_id": ("p\x00", "$.profile_id"),
        "metric": ("", "$.metric"),
        "timestamp": (datetime(2026, 1, 1), "$.timestamp"),
        "properties": ({"x": float("inf")}, "$.properties"),
        "unique_id": ("u\x00", "$.unique_id"),
    },
    hr.Agent: {
        "id": ("a\x00", "$.id"),
        "name": ("n\x00", "$.name"),
        "capacity": (-1, "$.capacity"),
    },
    hr.Team: {
        "id": ("", "$.id"),
        "name": ("\ud800", "$.name"),
        "description": ("d\x00", "$.description"),
        "members": (["a1", "b\x00"], "$.members[1]"),
        "tags": (["t\x00"], "$.tags[0]"),
    },
}


def _paths(model: type[Any], bad: dict[str, object]) -> set[str]:
    with pytest.raises(hr.ValidationError) as caught:
        model(**{**GOOD[model], **bad})
    assert isinstance(caught.value, hr.RoutingError)
    return set(caught.value.paths)


@pytest.mark.parametrize(
    ("bad", "paths"),
    [
        (
            {"created_at": datetime(2026, 1, 1), "fields": {"n": float("nan")}},
            {"$.created_at", "$.fields"},
        ),
        ({"subject": "a\x00b", "tags": ["ok", 5]}, {"$.subject", "$.tags[1]"}),
    ],
    ids=["naive instant and NaN", "NUL subject and bad tag"],
)
def test_the_probes_tickets_name_every_problem(bad: dict[str, object], paths: set[str]) -> None:
    assert _paths(hr.Ticket, bad) == paths


def test_a_nan_is_named_at_its_key_beside_a_naive_instant() -> None:
    with pytest.raises(hr.ValidationError) as caught:
        hr.Ticket(id="t", channel="s", created_at=datetime(2026, 1, 1), fields={"n": float("nan")})
    text = str(caught.value)
    assert "$.created_at" in text
    assert "$.fields: at n: not a finite number: nan" in text


@st.composite
def _bad_sets(draw: st.DrawFn) -> tuple[type[Any], list[str]]:
    model = draw(st.sampled_from(sorted(BAD, key=lambda m: m.__name__)))
    names = draw(st.lists(st.sampled_from(sorted(BAD[model])), min_size=1, unique=True))
    return model, names


@given(_bad_sets())
def test_every_problem_is_named_as_when_alone(case: tuple[type[Any], list[str]]) -> None:
    model, names = case
    alone = {BAD[model][name][1] for name in names}
    for name in names:
        assert _paths(model, {name: BAD[model][name][0]}) == {BAD[model][name][1]}
    assert _paths(model, {name: BAD[model][name][0] for name in names}) == alone
