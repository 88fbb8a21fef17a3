"""An instant argument that is no datetime (text, a date, a number, None) is the library's
``ArgumentTypeError``: a ``ValidationError`` naming the argument and a ``TypeError``, as
a wrong kind is in Python. It was a plain ``ValidationError``, which ``except TypeError``
missed (metrics.md says a wrong kind is an ``ArgumentTypeError`` everywhere)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest

import helpdesk_routing as hr
from helpdesk_routing import events

T0 = datetime(2026, 3, 30, 10, tzinfo=UTC)
HOURS = hr.OfficeHours(timezone="Europe/Paris", weekly={"mon": [["09:00", "17:00"]]})
DATA = hr.InMemoryCustomerData()

CALLS: dict[str, tuple[str, Callable[[Any], object]]] = {
    "ManualClock(start)": ("start", lambda v: hr.ManualClock(v)),
    "ManualClock.set": ("at", lambda v: hr.ManualClock(T0).set(v)),
    "OfficeHours.is_open": ("at", lambda v: HOURS.is_open(v)),
    "OfficeHours.next_open": ("after", lambda v: HOURS.next_open(v)),
    "OfficeHours.next_close": ("after", lambda v: HOURS.next_close(v)),
    "OfficeHours.business_time_between": ("end", lambda v: HOURS.business_time_between(T0, v)),
    "InMemoryCustomerData.events_between": ("start", lambda v: DATA.events_between(v, T0)),
    "ConversationStarted.to_event": (
        "at",
        lambda v: events.ConversationStarted(conversation_id="c1", channel="webchat").to_event(
            profile_id="p1", at=v
        ),
    ),
}


@pytest.mark.parametrize("value", ["2026-03-30T10:00:00Z", date(2026, 3, 30), 1774864800, None])
@pytest.mark.parametrize("call", list(CALLS))
def test_an_instant_of_the_wrong_kind_is_an_argument_type_error(call: str, value: Any) -> None:
    name, run = CALLS[call]
    with pytest.raises(hr.ArgumentTypeError, match=rf"^{name} must be an aware datetime, got "):
        run(value)
    with pytest.raises(TypeError):
        run(value)


@pytest.mark.parametrize("call", list(CALLS))
def test_a_naive_instant_is_still_a_validation_error_and_no_type_error(call: str) -> None:
    """The right kind with a wrong value stays what it was."""
    _, run = CALLS[call]
    with pytest.raises(hr.ValidationError) as info:
        run(datetime(2026, 3, 30, 10))
    assert not isinstance(info.value, TypeError)
