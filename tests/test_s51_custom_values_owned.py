"""A ticket's fields and a profile's or an event's properties own their lists, dicts and
sets: a caller changing its own list after building the model changed the frozen model
too, its value and its hash (a set holding the ticket no longer found it)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

import helpdesk_routing as hr

AT = datetime(2026, 3, 2, 9, tzinfo=UTC)


def _models(values: dict[str, Any]) -> list[Any]:
    return [
        hr.Ticket(id="t1", channel="email", created_at=AT, fields=values),
        hr.Profile(id="p1", properties=values),
        hr.Event(profile_id="p1", metric="Placed Order", timestamp=AT, properties=values),
    ]


def _change(values: dict[str, Any]) -> None:
    values["items"].append("b")
    values["address"]["city"] = "Lyon"
    values["address"]["lines"].append("2nd floor")
    values["seen"].add("sms")


@pytest.mark.parametrize("index", [0, 1, 2])
def test_a_caller_changing_its_values_afterwards_changes_no_model(index: int) -> None:
    given: dict[str, Any] = {
        "items": ["a"],
        "address": {"city": "Paris", "lines": ["1 rue"]},
        "seen": {"email"},
        "n": 3,
    }
    model = _models(given)[index]
    before = hash(model)
    held = {model}
    _change(given)
    twin = _models(
        {
            "items": ["a"],
            "address": {"city": "Paris", "lines": ["1 rue"]},
            "seen": {"email"},
            "n": 3,
        }
    )[index]
    assert model == twin
    assert hash(model) == before == hash(twin)
    assert model in held


def test_plain_values_are_kept_as_given() -> None:
    values = {"n": 3, "name": "Ann", "vip": True, "none": None, "x": 1.5}
    ticket = hr.Ticket(id="t1", channel="email", created_at=AT, fields=values)
    assert ticket.fields == values
    assert all(ticket.fields[k] is v for k, v in values.items())
