"""Replay files made by other tools: a tags cell written as a list, a CSV or a pretty-printed
object in a file not named ``.csv``, bytes that are not UTF-8; and a scenario's repr."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpdesk_routing import ValidationError
from helpdesk_routing import simulation as sim
from helpdesk_routing.simulation import ReplayArrivals

_HEADER = "created_at,channel,tags,profile_id\n"


def _error(path: Path) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        ReplayArrivals.from_file(path)
    return info.value


@pytest.mark.parametrize(
    "cell", ["\"['billing', 'vip']\"", '"[""a"",""b""]"', "[]", " [] ", '"[a|b]"', "[vip]"]
)
def test_a_tags_cell_written_as_a_list_is_refused_at_its_line(tmp_path: Path, cell: str) -> None:
    """pandas' to_csv of a list column writes ['a', 'b'] and []: read by | each became one
    tag with the brackets (a ticket without tags got the tag "[]"), without a word."""
    path = tmp_path / "tickets.csv"
    path.write_text(
        _HEADER + f"2026-03-30T09:00:00Z,email,billing|vip,p1\n2026-03-30T10:00:00Z,chat,{cell},\n"
    )
    error = _error(path)
    assert error.message == "invalid replay file tickets.csv"
    assert [(d.path, d.code) for d in error.details] == [("$[1].tags", "csv_tags_list")]
    said = error.details[0].message
    assert said.startswith("line 3: a list in brackets, as pandas writes a list column: ")
    assert "tags are separated by | (a|b)" in said


def test_the_other_cells_of_a_record_with_a_list_of_tags_are_checked_too(
    tmp_path: Path,
) -> None:
    path = tmp_path / "tickets.csv"
    path.write_text(_HEADER + "2026-03-30 10:00,,\"['a']\",\n")
    assert _error(path).paths == ("$[0].tags", "$[0].created_at", "$[0].channel")


def test_brackets_inside_a_cell_and_commas_are_tags_as_written(tmp_path: Path) -> None:
    """A tag may hold any text: a comma is part of it (a spreadsheet's "billing, vip" is
    one tag, as documented), and a cell not wholly in brackets is split by | as ever."""
    path = tmp_path / "tickets.csv"
    path.write_text(
        _HEADER + '2026-03-30T09:00:00Z,email,"billing, vip",\n'
        "2026-03-30T10:00:00Z,email,[vip]|x,\n"
        "2026-03-30T11:00:00Z,email,x|[vip],\n"
    )
    tags = [sorted(t.tags) for t in ReplayArrivals.from_file(path).tickets]
    assert tags == [["billing, vip"], ["[vip]", "x"], ["[vip]", "x"]]


def test_a_json_replay_keeps_a_tag_in_brackets(tmp_path: Path) -> None:
    path = tmp_path / "tickets.jsonl"
    record = {"created_at": "2026-03-30T09:00:00Z", "channel": "email", "tags": ["[]"]}
    path.write_text(json.dumps(record) + "\n")
    assert sorted(ReplayArrivals.from_file(path).tickets[0].tags) == ["[]"]


_EXPECTED = (
    "a replay file not named .csv is read as JSON, an array of tickets or one ticket object "
    "a line (JSON Lines); a CSV file is read as CSV only when its name ends in .csv"
)


def test_a_csv_not_named_csv_is_one_error_saying_what_is_expected(tmp_path: Path) -> None:
    """It gave one error per line (50,001 details, 2 MB of text, for 50,000 rows)."""
    path = tmp_path / "tickets.txt"
    path.write_text(_HEADER + "2026-03-30T09:00:00Z,email,billing,p1\n" * 50_000)
    error = _error(path)
    assert (
        error.message == f"invalid replay file tickets.txt: its first line is not JSON: {_EXPECTED}"
    )
    assert [str(d) for d in error.details] == [
        "$[0]: line 1: not JSON: Expecting value at column 1"
    ]
    assert error.details[0].code == "json_syntax"


def test_a_pretty_printed_object_is_one_error(tmp_path: Path) -> None:
    path = tmp_path / "one_ticket.json"
    record = {"created_at": "2026-03-30T09:00:00Z", "channel": "email"}
    path.write_text(json.dumps(record, indent=2) + "\n")
    error = _error(path)
    assert error.message.startswith("invalid replay file one_ticket.json: its first line is not")
    assert [str(d) for d in error.details] == [
        "$[0]: line 1: not JSON: Expecting property name enclosed in double quotes at column 2"
    ]


def test_lines_not_json_past_the_first_are_named_up_to_twenty(tmp_path: Path) -> None:
    """Past a good first line, 20 lines that are not JSON are named; reading stops at the
    21st, and the records read before it are checked as ever."""
    good = json.dumps({"created_at": "2026-03-30T09:00:00Z", "channel": "email"})
    bad_date = json.dumps({"created_at": "2026-03-30", "channel": "email"})
    path = tmp_path / "tickets.jsonl"
    path.write_text("\n".join([good, bad_date, *["x,y"] * 30, good]) + "\n")
    error = _error(path)
    assert error.message == (
        "invalid replay file tickets.jsonl: more than 20 lines are not JSON, reading stopped "
        f"at line 23: {_EXPECTED}"
    )
    assert len(error.details) == 21
    assert error.paths[0] == "$[1].created_at"
    assert [str(d) for d in error.details[1:3]] == [
        "$[2]: line 3: not JSON: Expecting value at column 1",
        "$[3]: line 4: not JSON: Expecting value at column 1",
    ]
    assert error.details[-1].message.startswith("line 22: ")


def test_twenty_lines_not_json_are_all_named_and_the_file_read_to_its_end(
    tmp_path: Path,
) -> None:
    good = json.dumps({"created_at": "2026-03-30T09:00:00Z", "channel": "email"})
    path = tmp_path / "tickets.jsonl"
    path.write_text("\n".join([good, *["{"] * 20, "null"]) + "\n")
    error = _error(path)
    assert error.message == "invalid replay file tickets.jsonl"
    assert len(error.details) == 21
    assert error.paths[-1] == "$[21]"  # the null record after them, read and checked


@pytest.mark.parametrize("name", ["tickets.csv", "tickets.jsonl"])
@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_bytes_not_utf8_are_named_by_offset_as_every_reader_names_them(
    tmp_path: Path, name: str, bom: bytes
) -> None:
    """Excel's plain "CSV" is cp1252: an é was refused without a place or the code."""
    if name.endswith(".csv"):
        good = _HEADER.encode() + b"2026-03-30T09:00:00Z,email,billing,p1\n" * 3
        bad = "2026-03-30T09:00:00Z,email,caf\xe9,p1\n".encode("cp1252")
    else:
        good = b'{"created_at": "2026-03-30T09:00:00Z", "channel": "email"}\n' * 3
        bad = '{"created_at": "2026-03-30T09:00:00Z", "channel": "caf\xe9"}\n'.encode("cp1252")
    path = tmp_path / name
    path.write_bytes(bom + good + bad)
    offset = len(bom + good) + bad.index(b"\xe9")
    error = _error(path)
    assert error.message == f"invalid replay file {name}"
    assert [(d.path, d.message, d.code) for d in error.details] == [
        ("$", f"not UTF-8: invalid byte at offset {offset}", "json_utf8")
    ]


def _scenario(**fields: object) -> sim.Scenario:
    base: dict[str, object] = {
        "arrivals": sim.PoissonArrivals(per_hour=60),
        "agents": [sim.AgentSpec(id="ann"), sim.AgentSpec(id="bob")],
        "handling": sim.Exponential(mean_minutes=1.5),
    }
    return sim.Scenario(**{**base, **fields})  # type: ignore[arg-type]


def test_a_scenario_repr_is_one_short_line() -> None:
    """pydantic's repr wrote every field out, a replay's tickets too (megabytes)."""
    assert repr(_scenario(name="two agents", days=None, tickets=3000)) == (
        "<Scenario 'two agents': at most 3,000 tickets, 2 agents, poisson arrivals>"
    )
    assert repr(_scenario(agents=[sim.AgentSpec(id="ann")], days=2.5)) == (
        "<Scenario 'scenario': 2.5 days, 1 agent, poisson arrivals>"
    )
    ticket = sim.ReplayTicket(created_at="2026-11-23T09:00:00Z", channel="email")  # type: ignore[arg-type]
    replay = sim.ReplayArrivals(tickets=(ticket,) * 5000)
    scenario = _scenario(name="week", arrivals=replay, tickets=100)
    assert repr(scenario) == (
        "<Scenario 'week': 7 days, at most 100 tickets, 2 agents, "
        "replay arrivals (5,000 recorded tickets)>"
    )
    assert "\n" not in repr(scenario)
    assert len(repr(scenario)) < 120
    # equality and JSON are pydantic's, as before
    again = sim.Scenario.from_json(scenario.model_dump_json())
    assert again == scenario
    assert again != scenario.model_copy(update={"seed": 1})
    assert json.loads(scenario.model_dump_json())["name"] == "week"
