"""Instants stay in years 1 to 9999 in UTC: bad ones fail as input, never as OverflowError."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pydantic
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpdesk_routing._time import (
    MAX_SPAN,
    NOT_A_NUMBER,
    OUT_OF_RANGE,
    parse_instant,
    shift_clamped,
)
from helpdesk_routing.configuration import Configuration
from helpdesk_routing.errors import NaiveDatetimeError, ValidationError
from helpdesk_routing.model import Event, Ticket
from helpdesk_routing.records import AuditRecord
from helpdesk_routing.simulation import Scenario

PLUS_ONE = timezone(timedelta(hours=1))
MINUS_ONE = timezone(timedelta(hours=-1))


@pytest.mark.parametrize(
    "value",
    [
        "0001-01-01T00:30:00+01:00",
        "9999-12-31T23:30:00-01:00",
        datetime(1, 1, 1, tzinfo=PLUS_ONE),
        datetime(9999, 12, 31, 23, 59, tzinfo=MINUS_ONE),
    ],
)
def test_a_cursor_outside_the_calendar_is_a_validation_error(value: object) -> None:
    """parse_instant (for client-supplied view cursors) refuses an instant whose UTC
    reading falls before year 1 or after 9999, with the rule as its message."""
    with pytest.raises(ValidationError) as info:
        parse_instant(value, "cursor")
    assert info.value.message == "invalid cursor"
    assert info.value.errors()[0]["message"] == OUT_OF_RANGE


@pytest.mark.parametrize("value", ["yesterday", 1700000000, None, "2026-13-01T00:00:00+00:00"])
def test_a_cursor_that_is_not_a_date_time_is_a_validation_error(value: object) -> None:
    """Text that is not ISO-8601, or a value of another type, is a ValidationError."""
    with pytest.raises(ValidationError, match="invalid cursor"):
        parse_instant(value, "cursor")


def test_a_naive_cursor_is_refused() -> None:
    """A cursor without an offset is a NaiveDatetimeError (a ValidationError)."""
    with pytest.raises(NaiveDatetimeError):
        parse_instant("2026-03-30T12:00:00", "cursor")


def test_a_cursor_at_the_calendar_ends_is_read_in_utc() -> None:
    """The first and last instants of the calendar are accepted and returned in UTC."""
    assert parse_instant("0001-01-01T00:00:00+00:00") == datetime.min.replace(tzinfo=UTC)
    last = "9999-12-31T23:59:59.999999+00:00"
    assert parse_instant(last) == datetime.max.replace(tzinfo=UTC)
    assert parse_instant("2026-03-30T14:00:00+02:00") == datetime(2026, 3, 30, 12, tzinfo=UTC)


def test_model_datetimes_outside_the_calendar_fail_at_their_field() -> None:
    """A model's aware datetime that overflows UTC is a pydantic error at the field."""
    with pytest.raises(pydantic.ValidationError) as info:
        Ticket(id="t", channel="sms", created_at=datetime(1, 1, 1, tzinfo=PLUS_ONE))
    error = info.value.errors()[0]
    assert (error["loc"], error["msg"]) == (("created_at",), OUT_OF_RANGE)


@given(
    st.datetimes(timezones=st.just(UTC)),
    st.timedeltas(min_value=-MAX_SPAN, max_value=MAX_SPAN),
)
def test_shift_clamped_never_overflows(moment: datetime, delta: timedelta) -> None:
    """shift_clamped adds exactly, or clamps to the first/last instant; it never raises."""
    shifted = shift_clamped(moment, delta)
    low, high = datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC)
    assert low <= shifted <= high
    if _fits(moment, delta):
        assert shifted == moment + delta
    else:
        assert shifted == (high if delta > timedelta(0) else low)


def _fits(moment: datetime, delta: timedelta) -> bool:
    try:
        moment + delta
    except OverflowError:
        return False
    return True


@pytest.mark.parametrize("value", [1700000000, 1.7e12, "1700000000", " 1700000000.5 ", b"17"])
def test_an_instant_given_as_a_number_is_refused_at_its_field(value: object) -> None:
    """pydantic would read a number (or a string of one) as Unix time, in seconds or
    milliseconds by its size; an instant must be an ISO 8601 date-time, as the JSON
    Schemas say. Refused with the rule as the message, at the field."""
    cases: list[tuple[type[pydantic.BaseModel], dict[str, object], str]] = [
        (Ticket, {"id": "t", "channel": "sms", "created_at": value}, "created_at"),
        (Event, {"profile_id": "p", "metric": "m", "timestamp": value}, "timestamp"),
        (Configuration, {"version": 1, "at": value}, "at"),
        (AuditRecord, {"at": value, "actor": None, "action": "x"}, "at"),
    ]
    for model, data, field in cases:
        with pytest.raises(pydantic.ValidationError) as info:
            model.model_validate(data)
        error = info.value.errors()[0]
        assert error["loc"] == (field,)
        assert NOT_A_NUMBER in error["msg"]
    assert Ticket(id="t", channel="sms", created_at="2026-03-30T10:00:00Z").created_at == (
        datetime(2026, 3, 30, 10, tzinfo=UTC)
    )


def test_a_number_as_an_instant_in_json_input_names_its_json_path() -> None:
    """Through a loader, the error is the library's, with the JSON path of the value."""
    with pytest.raises(ValidationError) as info:
        Scenario.from_json(
            '{"name": "x", "start": 1700000000, "agents": [{"id": "a1"}],'
            ' "arrivals": {"type": "poisson", "per_hour": 1}, "days": 1,'
            ' "handling": {"type": "exponential", "mean_minutes": 5}}'
        )
    (detail,) = info.value.errors()
    assert detail["path"] == "$.start"
    assert NOT_A_NUMBER in detail["message"]


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2026-03-30T10:00:00+02", datetime(2026, 3, 30, 8, tzinfo=UTC)),
        ("2026-03-30T10:00:00+02:00:30", datetime(2026, 3, 30, 7, 59, 30, tzinfo=UTC)),
        ("2026-03-30T10:00:00-0330", datetime(2026, 3, 30, 13, 30, tzinfo=UTC)),
        ("2026-03-30 10:00z", datetime(2026, 3, 30, 10, tzinfo=UTC)),
    ],
)
def test_a_models_instant_reads_text_as_the_conditions_do(text: str, utc: datetime) -> None:
    """ISO 8601 offsets of hours only or with seconds, which the condition JSON reads,
    were refused by the models' instants (pydantic's parser): now one reading of text."""
    import json

    import helpdesk_routing as hr

    assert hr.Ticket(id="t", channel="e", created_at=text).created_at == utc
    assert hr.Event(profile_id="p", metric="m", timestamp=text).timestamp == utc
    doc = json.dumps({"id": "t", "channel": "e", "created_at": text})
    assert hr.Ticket.model_validate_json(doc).created_at == utc
    condition = hr.parse_condition(
        {"type": "ticket", "field": "created_at", "op": "after", "value": text}
    )
    assert condition.model_dump()["value"] == utc


def test_text_of_a_moment_that_does_not_exist_is_still_refused_at_its_field() -> None:
    import helpdesk_routing as hr

    with pytest.raises(hr.ValidationError, match=r"\$\.created_at"):
        hr.Ticket(id="t", channel="e", created_at="2026-02-30T10:00:00+02")
