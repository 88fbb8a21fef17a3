"""A replayed ticket's bad tag given in a list is named at its index as sent, as a
``Ticket``'s is (errors.md): from Python, from a JSON or JSON Lines file, from a CSV
cell. A NUL was named at the whole field (``item 'b\\x00': ...``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpdesk_routing.errors import ValidationError
from helpdesk_routing.simulation import ReplayArrivals
from helpdesk_routing.simulation.replay import ReplayTicket

NUL = "text must not contain NUL (\\x00)"


def _found(error: ValidationError) -> list[tuple[str, str, str]]:
    return [(d.path, d.code, d.message) for d in error.details]


def test_from_python() -> None:
    with pytest.raises(ValidationError) as info:
        ReplayTicket(created_at="2026-03-30T10:00:00Z", channel="sms", tags=["a", "b\x00"])
    assert _found(info.value) == [("$.tags[1]", "storable_text", NUL)]


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        (
            "r.json",
            '[{"created_at":"2026-03-30T10:00:00Z","channel":"sms","tags":["a","b\\u0000"]}]',
            NUL,
        ),
        (
            "r.jsonl",
            '{"created_at":"2026-03-30T10:00:00Z","channel":"sms","tags":["a","b\\u0000"]}\n',
            f"line 1: {NUL}",
        ),
        ("r.csv", "created_at,channel,tags\n2026-03-30T10:00:00Z,sms,a|b\x00\n", f"line 2: {NUL}"),
    ],
)
def test_from_a_file(tmp_path: Path, name: str, text: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        ReplayArrivals.from_file(path)
    assert _found(info.value) == [("$[0].tags[1]", "storable_text", message)]


def test_a_set_is_named_at_the_field_by_its_value() -> None:
    with pytest.raises(ValidationError) as info:
        ReplayTicket(created_at="2026-03-30T10:00:00Z", channel="sms", tags={"b\x00"})
    [(path, code, message)] = _found(info.value)
    assert (path, code) == ("$.tags", "storable_text")
    assert message.startswith("item 'b\\x00': ")
