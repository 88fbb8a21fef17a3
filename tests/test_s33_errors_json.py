"""``ValidationError.errors()`` is an HTTP 422 body for every ``ValidationError``,
including a ``ModelValidationError`` whose pydantic entries held the bad input as given
(a naive datetime, a set, an exception in ``ctx``): ``json.dumps`` failed on them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

import helpdesk_routing as hr

NOW = datetime(2026, 3, 30, 10, tzinfo=UTC)


def _router() -> hr.Router:
    return hr.Router(
        store=hr.InMemoryStore(),
        customer_data=hr.InMemoryCustomerData(),
        clock=hr.ManualClock(NOW),
    )


class Opaque:
    def __repr__(self) -> str:
        return "<Opaque>"


@pytest.mark.parametrize(
    ("payload", "bad_input"),
    [
        ({"created_at": datetime(2026, 3, 30, 10)}, "2026-03-30T10:00:00"),
        ({"created_at": NOW, "tags": {"a", 7}}, None),
        ({"created_at": NOW, "priority": Opaque()}, "<Opaque>"),
        ({"created_at": NOW, "fields": {"n": 2**64}}, None),
    ],
    ids=["naive-datetime", "set-of-mixed", "opaque-object", "big-int-field"],
)
def test_a_422_handler_dumps_the_errors_of_a_mapping_routed(
    payload: dict[str, Any], bad_input: str | None
) -> None:
    router = _router()
    with pytest.raises(hr.ValidationError) as raised:
        router.route({"id": "t1", "channel": "email", **payload})
    error = raised.value
    assert isinstance(error, hr.ModelValidationError)
    body = json.loads(json.dumps({"detail": error.errors()}))
    entries = body["detail"]
    assert entries
    for entry in entries:
        assert isinstance(entry["path"], str)
        assert entry["path"].startswith("$")
        assert isinstance(entry["code"], str)
        assert isinstance(entry["message"], str)
        assert "loc" in entry
        assert "msg" in entry
    if bad_input is not None:
        assert bad_input in [entry.get("input") for entry in entries]
    with pytest.raises(hr.UnknownTicket):
        router.ticket("t1")  # nothing stored


def test_pydantic_s_keywords_are_taken_by_every_validation_error() -> None:
    """A handler typed against ``hr.ValidationError`` may ask pydantic's question; a
    loader's error (not pydantic's) answers it with its own entries."""
    with pytest.raises(hr.ValidationError) as raised:
        hr.RuleSet.from_json("{")
    plain = raised.value
    assert not isinstance(plain, hr.ModelValidationError)
    assert plain.errors(include_input=False, include_context=False, include_url=False) == (
        plain.errors()
    )
    with pytest.raises(hr.ModelValidationError) as model_raised:
        hr.Ticket.model_validate({"id": "t1", "channel": "email", "created_at": "x"})
    entries = model_raised.value.errors(include_input=False, include_url=False)
    assert "input" not in entries[0]
    assert "url" not in entries[0]
    assert entries[0]["path"] == "$.created_at"
