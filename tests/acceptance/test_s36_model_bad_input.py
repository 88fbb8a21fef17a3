"""The models refuse bad input with the library's error, naming what is wrong and where;
what a store wrote before a rule was tightened still reads back (context ``STORED``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import helpdesk_routing as hr
from helpdesk_routing import events, handoff
from helpdesk_routing._stored import STORED
from helpdesk_routing.conditions import compile_condition, event, ticket
from helpdesk_routing.records import RotationState, TicketRecord
from tests.conditions.helpers import NOW, context

T0 = datetime(2026, 3, 30, 10, tzinfo=UTC)
TEXT_TOO_SHORT = "String should have at least 1 character"


def _refused(make: Callable[[], object]) -> str:
    with pytest.raises(hr.ValidationError) as caught:
        make()
    assert isinstance(caught.value, hr.RoutingError)
    return str(caught.value)


EMPTY_IDS: dict[str, tuple[Callable[[], object], str]] = {
    "conversation id": (lambda: handoff.Conversation(id="", channel="x"), "$.id"),
    "conversation channel": (lambda: handoff.Conversation(id="c", channel=""), "$.channel"),
    "conversation profile id": (
        lambda: handoff.Conversation(id="c", channel="x", profile_id=""),
        "$.profile_id",
    ),
    "AssignToTeam team": (lambda: hr.AssignToTeam(team=""), "$.team"),
    "SaveAsView view": (lambda: hr.SaveAsView(view=""), "$.view"),
    "ticket profile id": (
        lambda: hr.Ticket(id="t", channel="email", created_at=T0, profile_id=""),
        "$.profile_id",
    ),
    "ticket record assignee": (
        lambda: TicketRecord(ticket=hr.Ticket(id="t", channel="e", created_at=T0), assignee=""),
        "$.assignee",
    ),
    "ticket record team": (
        lambda: TicketRecord(ticket=hr.Ticket(id="t", channel="e", created_at=T0), team=""),
        "$.team",
    ),
    "rotation state last agent": (lambda: RotationState(last=""), "$.last"),
    "recommended product": (
        lambda: events.ProductRecommendationReceived(
            conversation_id="c", channel="x", products=("p1", "")
        ),
        "$.products[1]",
    ),
    "escalated tag": (
        lambda: events.ConversationEscalated(conversation_id="c", channel="x", tag=""),
        "$.tag",
    ),
    "resolved tag": (
        lambda: events.ConversationResolved(conversation_id="c", channel="x", tag=""),
        "$.tag",
    ),
    "resolved skill": (
        lambda: events.ConversationResolved(conversation_id="c", channel="x", last_skill=""),
        "$.last_skill",
    ),
    "started skill": (
        lambda: events.ConversationStarted(conversation_id="c", channel="x", starting_skill=""),
        "$.starting_skill",
    ),
}


@pytest.mark.parametrize("case", list(EMPTY_IDS))
def test_an_empty_id_or_name_is_refused_in_words_for_text(case: str) -> None:
    make, path = EMPTY_IDS[case]
    message = _refused(make)
    assert f"{path}: {TEXT_TOO_SHORT}" in message
    assert "item" not in message


def test_a_stored_id_still_refuses_text_no_store_keeps() -> None:
    """The reordered id type keeps the storable-text check: NUL and a lone surrogate."""
    assert "$.id: text must not contain NUL" in _refused(
        lambda: handoff.Conversation(id="a\x00", channel="x")
    )
    assert "$.team: text must not contain a lone surrogate" in _refused(
        lambda: hr.AssignToTeam(team="\ud800")
    )


def test_event_texts_no_store_keeps_are_refused() -> None:
    assert "$.tag: text must not contain NUL" in _refused(
        lambda: events.ConversationEscalated(conversation_id="c", channel="x", tag="a\x00")
    )


def test_a_ticket_profile_id_is_an_id_like_an_events() -> None:
    long = "p" * 256
    message = _refused(lambda: hr.Ticket(id="t", channel="e", created_at=T0, profile_id=long))
    assert "$.profile_id: String should have at most 255 characters" in message
    with pytest.raises(hr.ValidationError, match=r"\$\.profile_id"):
        hr.Event(profile_id=long, metric="m", timestamp=T0)
    kept = hr.Ticket(id="t", channel="e", created_at=T0, profile_id="p" * 255)
    assert kept.profile_id == "p" * 255
    schema = hr.Ticket.model_json_schema()["properties"]["profile_id"]["anyOf"][0]
    assert (schema["minLength"], schema["maxLength"]) == (1, 255)


def test_a_negative_rotation_count_is_refused() -> None:
    message = _refused(lambda: RotationState(given=-1))
    assert "$.given: Input should be greater than or equal to 0" in message
    assert RotationState(given=0).given == 0


@pytest.mark.parametrize(
    ("given", "path", "said"),
    [
        ({"given": True}, "$.given", "Input should be a valid integer"),
        ({"given": 2.0}, "$.given", "Input should be a valid integer"),
        ({"given": "2"}, "$.given", "Input should be a valid integer"),
    ],
)
def test_a_rotation_state_counts_in_integers(given: dict[str, Any], path: str, said: str) -> None:
    message = _refused(lambda: RotationState(**given))
    assert f"{path}: {said}" in message
    assert RotationState.model_validate_json('{"last": "a1", "given": 2}').given == 2


def _record(profile_id: str, assignee: str | None, team: str | None = None) -> dict[str, Any]:
    record = TicketRecord(
        ticket=hr.Ticket(id="t1", channel="email", created_at=T0, profile_id="p"), assignee="a1"
    )
    data: dict[str, Any] = json.loads(record.model_dump_json())
    data["ticket"]["profile_id"] = profile_id
    data["assignee"] = assignee
    data["team"] = team
    return data


@pytest.mark.parametrize(
    ("document", "path"),
    [
        ({"last": "a1", "given": -1, "extra": {}}, "$.given"),
    ],
)
def test_an_old_rotation_state_reads_back(document: dict[str, Any], path: str) -> None:
    text = json.dumps(document)
    with pytest.raises(hr.ValidationError, match=path.replace("$", r"\$")):
        RotationState.model_validate_json(text)
    kept = RotationState.model_validate_json(text, context=STORED)
    assert json.loads(kept.model_dump_json()) == document


@pytest.mark.parametrize(
    ("profile_id", "assignee", "team", "path"),
    [
        ("p" * 300, "a1", None, "$.ticket.profile_id"),
        ("", "a1", None, "$.ticket.profile_id"),
        ("p", "", None, "$.assignee"),
        ("p", "a1", "", "$.team"),
    ],
)
def test_an_old_ticket_record_reads_back_from_sqlite(
    tmp_path: Path, profile_id: str, assignee: str, team: str | None, path: str
) -> None:
    """A record an older version wrote (a long or empty profile id, an empty assignee or
    team) is refused as input, yet the store reads it back as written."""
    document = _record(profile_id, assignee, team)
    with pytest.raises(hr.ValidationError, match=path.replace("$", r"\$")):
        TicketRecord.model_validate_json(json.dumps(document))
    old = TicketRecord.model_validate(document, context=STORED)
    agents = [hr.Agent(id="a1")]
    with hr.SqliteStore(tmp_path / "desk.db", agents=agents) as store, store.transaction() as tx:
        assert tx.add_ticket(old) is None  # as an older version wrote it
    with hr.SqliteStore(tmp_path / "desk.db") as again, again.transaction() as tx:
        found = tx.get_ticket("t1")
    assert found is not None
    assert found.ticket.profile_id == profile_id
    assert found.assignee == assignee
    assert found.team == team


@pytest.mark.parametrize(
    ("day", "why"),
    [
        ("2026-02-30", "day is out of range for month"),
        ("2026-13-01", "month must be in 1..12"),
        ("2025-02-29", "day is out of range for month"),
    ],
)
def test_a_holiday_that_does_not_exist_is_named(day: str, why: str) -> None:
    message = _refused(lambda: hr.OfficeHours(timezone="UTC", holidays=["2026-01-01", day]))
    assert f"$.holidays[1]: holiday {day!r}: the date does not exist ({why})" in message
    assert "datetime" not in message
    from_json = _refused(
        lambda: hr.OfficeHours.model_validate_json(
            json.dumps({"timezone": "UTC", "holidays": [day]})
        )
    )
    assert "$.holidays[0]: holiday" in from_json
    assert "does not exist" in from_json


@pytest.mark.parametrize(
    ("day", "why"),
    [
        ("2026-02-30", "day is out of range for month"),
        ("2026-13-01", "month must be in 1..12"),
        ("2025-02-29", "day is out of range for month"),
    ],
)
def test_an_exception_on_a_date_that_does_not_exist_is_named(day: str, why: str) -> None:
    exceptions = {"2026-01-01": [], day: [["09:00", "12:00"]]}
    message = _refused(lambda: hr.OfficeHours(timezone="UTC", exceptions=exceptions))
    assert f"$.exceptions.{day}: exception {day!r}: the date does not exist ({why})" in message
    assert "datetime" not in message
    assert message.count("$.") == 1
    from_json = _refused(
        lambda: hr.OfficeHours.model_validate_json(
            json.dumps({"timezone": "UTC", "exceptions": exceptions})
        )
    )
    assert f"$.exceptions.{day}: exception {day!r}: the date does not exist" in from_json
    leap = hr.OfficeHours(timezone="UTC", exceptions={"2028-02-29": [["09:00", "12:00"]]})
    assert [d.isoformat() for d in leap.exceptions] == ["2028-02-29"]


def test_a_leap_day_is_a_holiday() -> None:
    assert hr.OfficeHours(timezone="UTC", holidays=["2028-02-29"]).holidays[0].day == 29


@pytest.mark.parametrize(
    ("amount", "unit", "text"),
    [(1, "days", "1 day"), (2, "days", "2 days"), (1, "hours", "1 hour"), (1, "months", "1 month")],
)
def test_explain_reads_a_span_of_one_in_the_singular(amount: int, unit: str, text: str) -> None:
    found = compile_condition(event("Placed Order").at_least(1).in_last(**{unit: amount})).explain(
        context(events=[hr.Event(profile_id="p1", metric="Placed Order", timestamp=NOW)])
    )
    assert found.description == f"event 'Placed Order' at least 1 time in the last {text}"
    field = compile_condition(ticket("created_at").in_last(**{unit: amount})).explain(
        context(hr.Ticket(id="t", channel="e", created_at=NOW - timedelta(minutes=1)))
    )
    assert field.description == f"ticket.created_at in_last {text}"
