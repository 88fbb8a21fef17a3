"""The builder used wrongly: every misuse the library's error, said the same wherever it
is made (a field left untested on either side, an amount without its unit), and a
date-time outside the calendar the one code wherever it is."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from helpdesk_routing.conditions import (
    all_of,
    any_of,
    event,
    not_,
    parse_condition,
    profile,
    segment,
    ticket,
)
from helpdesk_routing.errors import ArgumentTypeError, ValidationError
from helpdesk_routing.rules import AssignToTeam, RoutingRule

FIELD = "ticket('channel') is a field, not a condition: test it first"
A = segment("vip")


@pytest.mark.parametrize(
    "misuse",
    [
        lambda: ticket("channel") & A,
        lambda: A & ticket("channel"),
        lambda: A | ticket("channel"),
        lambda: not_(ticket("channel")),
        lambda: all_of(A, ticket("channel")),
        lambda: any_of(ticket("channel")),
    ],
)
def test_a_field_left_untested_is_said_so_on_either_side(misuse: Callable[[], Any]) -> None:
    """On the right of ``&`` and ``|`` and in the groups too (``expected a condition,
    got TicketField`` there)."""
    with pytest.raises(ArgumentTypeError, match=rf"^{re.escape(FIELD)}"):
        misuse()


def test_a_rule_given_a_field_says_it_is_a_field() -> None:
    """Not "a condition needs a 'type'", which does not say the field was never tested."""
    with pytest.raises(ValidationError) as info:
        RoutingRule(id="r", when=ticket("channel"), then=AssignToTeam(team="t"))  # type: ignore[arg-type]
    assert [(d.path, d.code) for d in info.value.details] == [("$.when", "condition_type")]
    assert info.value.details[0].message.startswith(FIELD)


@pytest.mark.parametrize(
    ("misuse", "said"),
    [
        (lambda b: b.in_last(years=1), "unknown unit 'years'"),
        (lambda b: b.in_last(), "got none"),
        (lambda b: b.in_last(days=1, hours=1), "got hours, days"),
        (lambda b: b.in_last(7), "an amount needs its unit (in_last(days=7)), got 7 without one"),
        (lambda b: b.in_next(7), "an amount needs its unit (in_next(days=7)), got 7 without one"),
    ],
)
def test_a_span_given_wrongly_is_an_argument_type_error(
    misuse: Callable[[Any], Any], said: str
) -> None:
    """No unit, two, an unknown one or an amount without one: each an
    ``ArgumentTypeError`` (the first two were plain ``ValidationError``s, the last
    Python's own ``TypeError``)."""
    for builder in (ticket("created_at"), profile("d")):
        with pytest.raises(ArgumentTypeError) as info:
            misuse(builder)
        assert [d.message for d in info.value.details] == [said]
    if "in_next" not in said:
        with pytest.raises(ArgumentTypeError):
            misuse(event("m").at_least(1))


def test_a_date_time_outside_the_calendar_has_one_code_wherever_it_is() -> None:
    """``datetime_range`` in a window, a value and an event filter alike (the value and
    the filter said ``condition_value``)."""
    early = datetime(1, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=1)))
    for build in (
        lambda: event("m").since(early),
        lambda: profile("d").after(early),
        lambda: event("m").where(v__after=early),
    ):
        with pytest.raises(ValidationError) as info:
            build()
        assert [d.code for d in info.value.details] == ["datetime_range"]


@pytest.mark.parametrize("value", [0.0, -0.0, False])
def test_zero_takes_0_only_as_a_whole_number(value: object) -> None:
    """Every count is a whole number (``1``, not ``1.0``): ``zero`` took ``0.0``."""
    with pytest.raises(ValidationError, match="zero takes no value"):
        parse_condition({"type": "event", "metric": "m", "count": {"op": "zero", "value": value}})
    counted = {"type": "event", "metric": "m", "count": {"op": "zero", "value": 0}}
    assert parse_condition(counted) == event("m").zero()
