"""A naive date-time in a condition is refused one way, however it is given.

A naive ``datetime`` and date-time text without an offset are the same mistake: both are
``must be timezone-aware, got a naive datetime`` with the code ``condition_value``, in a
window's bound as in a test's value, and a model built directly raises it as a
``ModelNaiveDatetimeError``, as the library's other instants do.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from helpdesk_routing.conditions import EventCondition, TicketCondition, parse_condition
from helpdesk_routing.errors import ModelNaiveDatetimeError, ValidationError

NAIVE = datetime(2026, 1, 1)


@pytest.mark.parametrize("start", [NAIVE, "2026-01-01T00:00:00"])
def test_a_naive_window_bound_is_a_condition_value_error(start: object) -> None:
    """A window's naive bound, a datetime or text, is ``condition_value`` at its path."""
    doc: dict[str, Any] = {
        "type": "event",
        "metric": "M",
        "window": {"type": "since", "start": start},
    }
    with pytest.raises(ValidationError) as info:
        parse_condition(doc)
    assert [(e["path"], e["code"]) for e in info.value.errors()] == [
        ("$.window.start", "condition_value")
    ]


@pytest.mark.parametrize("value", [NAIVE, "2026-01-01T00:00:00"])
def test_a_naive_date_built_directly_is_a_naive_datetime_error(value: object) -> None:
    """A window's bound or a test's value that is naive, given to the model itself, is a
    ModelNaiveDatetimeError with the parser's path and code."""
    with pytest.raises(ModelNaiveDatetimeError) as window:
        EventCondition(metric="M", window={"type": "since", "start": value})
    assert [(e["path"], e["code"]) for e in window.value.errors()] == [
        ("$.window.start", "condition_value")
    ]
    with pytest.raises(ModelNaiveDatetimeError) as test:
        TicketCondition(field="d", op="after", value=value)
    assert [(e["path"], e["code"]) for e in test.value.errors()] == [("$.value", "condition_value")]
