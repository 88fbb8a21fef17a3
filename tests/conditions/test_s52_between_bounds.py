"""A ``between``'s bad bound is named at its own index and by its side, as a bad item
of an ``in`` list is (docs/errors.md). It was named at ``$.value`` whichever bound was
bad (``[1, "5"]`` and ``["1", 5]`` gave the same detail), and only the first of two."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from helpdesk_routing import NaiveDatetimeError, ValidationError
from helpdesk_routing.conditions import parse_condition, profile


def _details(condition: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(ValidationError) as caught:
        parse_condition(condition)
    return [(d.path, d.message) for d in caught.value.details]


def _between(value: object) -> dict[str, Any]:
    return {"type": "profile", "property": "ltv", "op": "between", "value": value}


@pytest.mark.parametrize(
    ("value", "details"),
    [
        ([1, "5"], [("$.value[1]", "between's high bound needs a number, got text")]),
        (["1", 5], [("$.value[0]", "between's low bound needs a number, got text")]),
        (
            [1, 10**30],
            [("$.value[1]", "between's high bound: integer beyond signed 64 bits")],
        ),
        (
            ["2026-01-01T00:00:00Z", "soon"],
            [
                (
                    "$.value[1]",
                    "between's high bound needs a date-time: 'soon' is not a date-time "
                    "with a UTC offset, like '2026-03-30T12:00:00Z' or "
                    "'2026-03-30T14:00:00+02:00'",
                )
            ],
        ),
        (
            ["then", "soon"],
            [
                (
                    "$.value[0]",
                    "between's low bound needs a date-time: 'then' is not a "
                    "date-time with a UTC offset, like '2026-03-30T12:00:00Z' or "
                    "'2026-03-30T14:00:00+02:00'",
                ),
                (
                    "$.value[1]",
                    "between's high bound needs a date-time: 'soon' is not a "
                    "date-time with a UTC offset, like '2026-03-30T12:00:00Z' or "
                    "'2026-03-30T14:00:00+02:00'",
                ),
            ],
        ),
    ],
)
def test_a_bad_bound_is_named_at_its_index(value: object, details: list[tuple[str, str]]) -> None:
    assert _details(_between(value)) == details


def test_in_a_where_filter_too() -> None:
    condition = {
        "type": "event",
        "metric": "Placed Order",
        "where": [{"property": "v", "op": "between", "value": [None, 5]}],
    }
    assert _details(condition) == [
        ("$.where[0].value[0]", "between's low bound needs a number, got nothing")
    ]


def test_naive_bounds_are_each_named_and_still_a_naive_datetime_error() -> None:
    with pytest.raises(NaiveDatetimeError) as caught:
        profile("d").between(datetime(2026, 1, 1), datetime(2026, 2, 1))
    assert caught.value.paths == ("$.value[0]", "$.value[1]")


def test_good_bounds_and_their_order_are_checked_as_before() -> None:
    assert parse_condition(_between([1, 5.5])).value == (1, 5.5)
    assert _details(_between([5, 1])) == [("$.value", "between needs low <= high")]
    assert _details(_between([1])) == [("$.value", "between needs [low, high]")]
