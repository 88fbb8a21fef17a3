"""The strict-JSON and storable-value walks: no recursion, short paths, 64-bit integers."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import pytest

from helpdesk_routing._json import MAX_DEPTH, MAX_INT, MIN_INT, check_data, loads, short_path
from helpdesk_routing._storable import value_problem
from helpdesk_routing.errors import ValidationError


def _at_stack_depth(frames: int, call: Callable[[], Any]) -> Any:
    """``call()`` run ``frames`` Python frames deeper than here."""
    if frames == 0:
        return call()
    return _at_stack_depth(frames - 1, call)


def _deep_list(levels: int) -> Any:
    deep: Any = []
    for _ in range(levels - 1):
        deep = [deep]
    return deep


def test_check_data_refuses_deep_data_without_recursing() -> None:
    """check_data refuses data too deep even when the caller's stack is almost full."""
    room = sys.getrecursionlimit() - 60  # leaves fewer frames than MAX_DEPTH
    with pytest.raises(ValidationError) as info:
        _at_stack_depth(room, lambda: check_data({"a": _deep_list(10_000)}))
    assert [d.code for d in info.value.details] == ["json_depth"]


def test_value_problem_refuses_deep_values_without_recursing() -> None:
    """A custom value nested 10 000 deep is refused by value_problem, however deep the stack."""
    room = sys.getrecursionlimit() - 60
    problem = _at_stack_depth(room, lambda: value_problem(_deep_list(10_000), "p"))
    assert problem is not None
    assert problem.endswith(f"nested deeper than {MAX_DEPTH} levels")


def test_depth_error_paths_are_shortened_and_say_so() -> None:
    """A path to a level past MAX_DEPTH keeps its first and last steps and says how many
    it left out, in at most about 200 characters."""
    with pytest.raises(ValidationError) as info:
        loads('{"a": ' * 150 + "1" + "}" * 150)
    (detail,) = info.value.details
    assert detail.code == "json_depth"
    assert detail.path.startswith("$.a.a.a.a")
    assert "steps left out)…" in detail.path
    assert len(detail.path) <= 200


def test_short_path_keeps_short_paths_whole() -> None:
    """A path of up to 200 characters is written out in full."""
    assert short_path(["rules", 3, "when", "conditions", 1]) == "$.rules[3].when.conditions[1]"
    assert short_path(["condition"] * 19) == "$" + ".condition" * 19


def test_short_path_counts_the_steps_left_out() -> None:
    """The steps written and the count left out add up to the whole path."""
    loc: list[str | int] = ["rules", 0, "when", *(["conditions", 0] * 60)]
    text = short_path(loc)
    head, rest = text.split("…(", 1)
    count, tail = rest.split(" steps left out)…", 1)
    written = head.count(".") + head.count("[") + tail.count(".") + tail.count("[")
    assert written + int(count) == len(loc)
    assert text.startswith("$.rules[0].when.conditions[0]")
    assert text.endswith(".conditions[0]")


def test_errors_are_reported_in_document_order() -> None:
    """The walk reports problems in the order they appear, keys before their values."""
    with pytest.raises(ValidationError) as info:
        loads('{"a": [1, NaN, {"b": "\\ud800", "b": 2}], "c": Infinity}')
    assert [(d.path, d.code) for d in info.value.details] == [
        ("$.a[1]", "json_number"),
        ("$.a[2].b", "json_surrogate"),
        ("$.a[2].b", "json_duplicate_key"),
        ("$.c", "json_number"),
    ]


@pytest.mark.parametrize("number", [MAX_INT + 1, MIN_INT - 1, 2**70, -(2**100)])
def test_integers_beyond_64_bits_are_refused_in_documents(number: int) -> None:
    """A JSON integer beyond signed 64 bits is refused at its path, by loads and check_data
    alike (SQLite and most JSON readers would read it as a lossy float)."""
    for check in (lambda: loads(f'{{"n": [{number}]}}'), lambda: check_data({"n": [number]})):
        with pytest.raises(ValidationError) as info:
            check()
        assert info.value.errors() == [
            {
                "path": "$.n[0]",
                "code": "json_number",
                "message": "integer beyond signed 64 bits",
                "rule_id": None,
            }
        ]


@pytest.mark.parametrize("number", [MAX_INT, MIN_INT, 0, True])
def test_integers_within_64_bits_are_read(number: int) -> None:
    """The 64-bit bounds themselves (and booleans) are accepted."""
    assert loads(f'{{"n": {str(number).lower()}}}') == {"n": number}
    check_data({"n": number})
