"""A replayed ticket is checked against the Ticket's rules once, when it is built: given
as a ``ReplayTicket`` (a replay read from a file, a replay cut to a span) it is taken as
it is, as pydantic takes instances, instead of building a whole Ticket for it again."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from helpdesk_routing.errors import ValidationError
from helpdesk_routing.simulation import ReplayArrivals, ReplayTicket
from helpdesk_routing.simulation import replay as replay_module

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The Ticket checks made (each call of ``as_core`` from a replayed ticket)."""
    made: list[object] = []
    check = replay_module.as_core

    def counted(model: object, fields: object) -> None:
        made.append(fields)
        check(model, fields)  # type: ignore[arg-type]

    monkeypatch.setattr(replay_module, "as_core", counted)
    return made


def test_a_ticket_is_checked_once_when_built(checks: list[object]) -> None:
    tickets = [
        ReplayTicket(created_at=T0 + timedelta(minutes=i), channel="email") for i in range(5)
    ]
    assert len(checks) == 5
    whole = ReplayArrivals(tickets=tickets)
    cut = ReplayArrivals(tickets=[t for t in whole.tickets if t.created_at < T0 + timedelta(3)])
    assert ReplayTicket.model_validate(tickets[0]) is tickets[0]
    assert len(checks) == 5
    assert cut.tickets == whole.tickets


def test_a_replay_file_checks_each_record_once(checks: list[object], tmp_path: Path) -> None:
    path = tmp_path / "tickets.jsonl"
    rows = [
        {"created_at": (T0 + timedelta(minutes=i)).isoformat(), "channel": "sms"} for i in range(7)
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert len(ReplayArrivals.from_file(path).tickets) == 7
    assert len(checks) == 7


def test_a_ticket_given_as_data_is_still_held_to_the_tickets_rules() -> None:
    with pytest.raises(ValidationError) as caught:
        ReplayArrivals.model_validate(
            {"tickets": [{"created_at": T0.isoformat(), "channel": "e\x00mail"}]}
        )
    assert caught.value.paths == ("$.tickets[0].channel",)
