"""``max_amount(unit)`` takes a unit as a ``TimeUnit`` or its text; an unknown unit is
the library's error naming it and the known units."""

from __future__ import annotations

import pytest

from helpdesk_routing.conditions.nodes import TimeUnit, max_amount
from helpdesk_routing.errors import ArgumentTypeError, ValidationError

KNOWN = "'minutes', 'hours', 'days', 'weeks', 'months'"


@pytest.mark.parametrize("unit", list(TimeUnit))
def test_a_unit_as_text_is_the_unit(unit: TimeUnit) -> None:
    assert max_amount(unit.value) == max_amount(unit)
    assert max_amount(str(unit.value)) == max_amount(unit)


def test_the_documented_bounds() -> None:
    assert [max_amount(u) for u in ("minutes", "hours", "days", "weeks", "months")] == [
        5258964959,
        87649415,
        3652058,
        521722,
        119987,
    ]


@pytest.mark.parametrize("unit", ["fortnights", "Days", "", "day"])
def test_an_unknown_unit_is_named_with_the_known_ones(unit: str) -> None:
    with pytest.raises(ValidationError) as caught:
        max_amount(unit)
    assert str(caught.value).startswith(f"unknown time unit {unit!r}: the units are {KNOWN}")


def test_a_unit_of_another_kind_is_an_argument_type_error() -> None:
    with pytest.raises(ArgumentTypeError, match="unit must be a TimeUnit or its text"):
        max_amount(5)  # type: ignore[arg-type]
