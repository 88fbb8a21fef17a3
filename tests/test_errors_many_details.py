"""An error with many problems lists the first ``SHOWN_DETAILS`` in its text and counts
the rest; ``details`` and ``errors()`` keep every one. A replay of 100,000 records with a
misnamed column made a 12 MB message, more than a notebook or a terminal shows."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pydantic
import pytest

import helpdesk_routing as hr
from helpdesk_routing.errors import SHOWN_DETAILS, ErrorDetail, ModelValidationError
from helpdesk_routing.simulation import ReplayArrivals, Scenario


def _details(n: int) -> list[ErrorDetail]:
    return [ErrorDetail(f"$.rules[{i}].when", f"problem {i}", "invalid") for i in range(n)]


@pytest.mark.parametrize("n", [0, 1, SHOWN_DETAILS - 1, SHOWN_DETAILS])
def test_up_to_the_limit_every_detail_is_a_line(n: int) -> None:
    error = hr.ValidationError("invalid rule set", _details(n))
    lines = str(error).splitlines()
    assert lines == ["invalid rule set", *(f"  $.rules[{i}].when: problem {i}" for i in range(n))]


@pytest.mark.parametrize(
    ("n", "last"),
    [
        (SHOWN_DETAILS + 1, "  ... and 1 more problem"),
        (
            SHOWN_DETAILS + 12_345,
            "  ... and 12,345 more problems",
        ),
    ],
)
def test_beyond_the_limit_the_rest_are_counted(n: int, last: str) -> None:
    error = hr.ValidationError("invalid rule set", _details(n))
    lines = str(error).splitlines()
    assert len(lines) == 1 + SHOWN_DETAILS + 1
    assert lines[1:-1] == [f"  $.rules[{i}].when: problem {i}" for i in range(SHOWN_DETAILS)]
    assert lines[-1] == last
    assert len(error.details) == n
    assert [e["path"] for e in error.errors()] == [f"$.rules[{i}].when" for i in range(n)]
    again = pickle.loads(pickle.dumps(error))
    assert str(again) == str(error)
    assert again.details == error.details
    moved = error.under("$.configuration")
    assert str(moved).splitlines()[-1] == last
    assert len(moved.details) == n


def _scenario(tickets: list[dict[str, object]]) -> dict[str, object]:
    return {
        "name": "replayed",
        "arrivals": {"type": "replay", "tickets": tickets},
        "agents": [{"id": "a1"}],
        "handling": {"type": "exponential", "mean_minutes": 8},
    }


def test_a_models_error_shows_the_first_problems_and_keeps_them_all() -> None:
    """pydantic's side too: ``errors()`` has every entry, the text and ``repr`` do not."""
    tickets = [
        {"created": f"2026-01-05T{10 + i // 60}:{i % 60:02d}:00Z", "channel": "email"}
        for i in range(115)
    ]
    with pytest.raises(ModelValidationError) as caught:
        Scenario.model_validate(_scenario(tickets))
    error = caught.value
    assert isinstance(error, pydantic.ValidationError)
    assert error.error_count() == 230
    assert len(error.errors()) == 230
    assert len(error.details) == 230
    lines = str(error).splitlines()
    assert lines[0] == "230 validation errors for Scenario"
    assert lines[1] == "  $.arrivals.tickets[0].created_at: Field required"
    assert len(lines) == 1 + SHOWN_DETAILS + 1
    assert lines[-1] == "  ... and 30 more problems"
    assert error.args == (str(error),)
    shown = repr(error)
    assert shown.endswith("'$.arrivals.tickets[99].created', ... and 30 more))")
    assert shown.count("$.arrivals") == SHOWN_DETAILS
    assert str(pickle.loads(pickle.dumps(error))) == str(error)


def test_a_replay_file_with_a_misnamed_column_names_its_first_records(tmp_path: Path) -> None:
    path = tmp_path / "tickets.jsonl"
    records = [
        {"created": f"2026-01-05T10:{i % 60:02d}:00Z", "channel": "email"} for i in range(3000)
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    with pytest.raises(hr.ValidationError) as caught:
        ReplayArrivals.from_file(path)
    error = caught.value
    assert len(error.details) == 6000
    text = str(error)
    assert len(text) < 20_000
    lines = text.splitlines()
    assert lines[:3] == [
        "invalid replay file tickets.jsonl",
        "  $[0].created_at: line 1: Field required",
        "  $[0].created: line 1: Extra inputs are not permitted",
    ]
    assert lines[-1] == "  ... and 5,800 more problems"


def test_a_huge_value_echoed_in_a_message_is_cut_in_the_text() -> None:
    """Each line of ``str(error)`` is at most ``SHOWN_LINE`` characters, ending with how
    long it was (an unknown key of a megabyte was a megabyte-long line); ``details``
    keep the whole message, and an unknown id is named by its cut ``repr``."""
    from helpdesk_routing.conditions import parse_condition
    from helpdesk_routing.errors import SHOWN_LINE, UnknownTicket, ValidationError

    key = "k" * 1_000_000
    data = {"type": "ticket", "field": "channel", "op": "equals", "value": "x", key: 1}
    with pytest.raises(ValidationError) as caught:
        parse_condition(data)
    lines = str(caught.value).splitlines()
    assert max(map(len, lines)) <= SHOWN_LINE
    assert lines[1].endswith("characters in all)")
    assert len(caught.value.details[0].message) + len(caught.value.details[0].path) > SHOWN_LINE
    unknown = UnknownTicket("t" * 1_000_000)
    assert len(str(unknown)) < 1100
    assert str(unknown).endswith("... (cut: 1,000,002 characters in all)")
    assert unknown.ticket_id == "t" * 1_000_000
    # an id of any length a store keeps is named whole (a team member of 150 characters
    # was cut in check's and demo's details)
    from helpdesk_routing.errors import UnknownAgent

    assert str(UnknownAgent("g" * 255)) == f"unknown agent {'g' * 255!r}"
    # a model error's repr lists its paths cut as its text cuts lines (a megabyte before)
    with pytest.raises(ModelValidationError) as model_error:
        hr.Ticket.model_validate(
            {"id": "t1", "channel": "sms", "created_at": "2026-01-01T00:00:00Z", key: 1}
        )
    assert len(repr(model_error.value)) < 2 * SHOWN_LINE


def test_the_error_classes_refuse_arguments_of_the_wrong_kind() -> None:
    """``ErrorDetail`` with a path that is no text, ``ValidationError`` with a message
    that is no text, and ``from_pydantic`` of what is no pydantic error are refused where
    they are made (they failed later, as ``AttributeError`` or ``TypeError``)."""
    from helpdesk_routing.errors import ArgumentTypeError, ValidationError

    with pytest.raises(ArgumentTypeError, match="ErrorDetail's path must be text, got tuple"):
        ErrorDetail(("rules", 0), "bad")  # type: ignore[arg-type]
    with pytest.raises(ArgumentTypeError, match="ErrorDetail's message must be text, got int"):
        ErrorDetail("$", 404)  # type: ignore[arg-type]
    with pytest.raises(ArgumentTypeError, match="rule_id must be text or None, got int"):
        ErrorDetail("$", "bad", "invalid", 3)  # type: ignore[arg-type]
    with pytest.raises(ArgumentTypeError, match="message must be text, got int"):
        ValidationError(404)  # type: ignore[arg-type]
    with pytest.raises(
        ArgumentTypeError, match=r"wraps a pydantic\.ValidationError, got ValueError"
    ):
        ValidationError.from_pydantic("rule set", ValueError("x"))
