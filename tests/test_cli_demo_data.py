"""``helpdesk-routing demo --data`` and ``check`` on demo files whose parts do not fit
together, and ``demo --json`` on a day with closed tickets."""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from helpdesk_routing import RoutingError
from helpdesk_routing.cli import main

Files = dict[str, Any]


def _run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue()


def _demo_dir(tmp_path: Path, change: Callable[[Files], None] = lambda files: None) -> Path:
    """A copy of the bundled demo data in ``tmp_path``, changed by ``change``."""
    source = resources.files("helpdesk_routing").joinpath("demo_data")
    for name in ("config.json", "customers.json", "tickets.json"):
        shutil.copyfile(str(source.joinpath(name)), tmp_path / name)
    files = {
        n: json.loads((tmp_path / n).read_text("utf-8")) for n in ("config.json", "tickets.json")
    }
    change(files)
    for name, content in files.items():
        (tmp_path / name).write_text(json.dumps(content), "utf-8")
    return tmp_path


def _unknown_member(files: Files) -> None:
    files["config.json"]["teams"][0]["members"].append("ghost")


def _duplicated_agent(files: Files) -> None:
    files["config.json"]["agents"].append({"id": "ann"})


def _duplicated_team(files: Files) -> None:
    files["config.json"]["teams"].append(files["config.json"]["teams"][0])


def _unknown_presence(files: Files) -> None:
    presence = files["tickets.json"]["presence"]
    presence.append({"at": "2026-11-23T09:00:00Z", "agent": "ghost", "online": True})


def _conflicting_ticket(files: Files) -> None:
    tickets = files["tickets.json"]["tickets"]
    tickets.append({**tickets[0], "subject": "other"})


def _close_first_ticket(files: Files) -> None:
    files["tickets.json"]["tickets"][0]["status"] = "closed"


def _empty_day(files: Files) -> None:
    files["tickets.json"]["tickets"] = []
    files["tickets.json"]["presence"] = []


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (
            _unknown_member,
            "error: invalid config.json\n  $.teams[0].members[2]: unknown agent 'ghost'\n",
        ),
        (
            _duplicated_agent,
            "error: invalid config.json\n  $.agents[6].id: agent 'ann' is listed twice\n",
        ),
        (
            _duplicated_team,
            "error: invalid config.json\n  $.teams[4].id: team 'retention' is listed twice\n",
        ),
        (
            _unknown_presence,
            "error: invalid tickets.json\n  $.presence[5].agent: unknown agent 'ghost'\n",
        ),
        (
            _conflicting_ticket,
            "error: invalid tickets.json\n  $.tickets[11].id: ticket 'T-1001' is listed twice\n",
        ),
    ],
    ids=[
        "unknown_member",
        "duplicated_agent",
        "duplicated_team",
        "unknown_presence",
        "same_ticket_id",
    ],
)
def test_demo_refuses_data_whose_parts_do_not_fit_naming_file_and_entry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], change: Callable[[Files], None], error: str
) -> None:
    """A demo directory whose parts contradict each other exits 1 with the file and the
    entry on stderr, before printing anything, and no traceback."""
    code, text = _run("demo", "--data", str(_demo_dir(tmp_path, change)))
    assert (code, text) == (1, "")
    assert capsys.readouterr().err == error


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (_unknown_member, "$.teams[0].members[2]: unknown agent 'ghost'"),
        (_duplicated_agent, "$.agents[6].id: agent 'ann' is listed twice"),
        (_duplicated_team, "$.teams[4].id: team 'retention' is listed twice"),
    ],
    ids=["unknown_member", "duplicated_agent", "duplicated_team"],
)
def test_check_refuses_a_config_the_demo_refuses_with_the_demos_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], change: Callable[[Files], None], error: str
) -> None:
    """check of a demo config.json refuses what the demo refuses, at the same path with the
    same message (text and --json); its first line names the file."""
    config = _demo_dir(tmp_path, change) / "config.json"
    assert _run("check", str(config)) == (1, "")
    assert capsys.readouterr().err == f"error: invalid configuration in {config}\n  {error}\n"
    code, text = _run("check", "--json", str(config))
    assert code == 1
    path, message = error.split(": ", 1)
    assert [(e["path"], e["message"]) for e in json.loads(text)["errors"]] == [(path, message)]


def test_bad_rules_do_not_hide_a_team_member_who_is_no_agent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``demo --data`` and ``check`` tell a rule id given twice and a member no agent is
    at once (the member was told only once the rules were mended)."""

    def change(files: Files) -> None:
        _unknown_member(files)
        rules = files["config.json"]["rules"]["rules"]
        rules.append(rules[0])

    data = _demo_dir(tmp_path, change)
    repeated = len(json.loads((data / "config.json").read_text("utf-8"))["rules"]["rules"]) - 1
    for argv in (("demo", "--data", str(data)), ("check", str(data / "config.json"))):
        assert _run(*argv)[0] == 1
        err = capsys.readouterr().err
        assert f"$.rules.rules[{repeated}].id: duplicate rule id" in err
        assert "$.teams[0].members[2]: unknown agent 'ghost'" in err


def test_an_empty_channel_beside_another_bad_one_is_told_by_both(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``office_hours_channels: ["", 3]``: ``demo --data`` tells the empty channel beside
    the number, as ``check`` does (the list refused, it told the number alone)."""

    def change(files: Files) -> None:
        files["config.json"]["office_hours_channels"] = ["", 3]

    data = _demo_dir(tmp_path, change)
    told = []
    for argv in (("demo", "--data", str(data)), ("check", str(data / "config.json"))):
        assert _run(*argv)[0] == 1
        told.append(capsys.readouterr().err.splitlines()[1:])
    assert (
        told[0]
        == told[1]
        == [
            "  $.office_hours_channels[1]: Input should be a valid string",
            "  $.office_hours_channels: a channel is at least one character, got ''",
        ]
    )


def _bad_repeated_team_and_unknown_team(files: Files) -> None:
    teams = files["config.json"]["teams"]
    teams.append({**teams[0], "oops": 1})
    files["config.json"]["rules"]["rules"][0]["then"] = {"type": "assign_to_team", "team": "nope"}


def _bad_zone_and_unknown_team(files: Files) -> None:
    files["config.json"]["office_hours"]["timezone"] = "Mars/Base"
    files["config.json"]["rules"]["rules"][0]["then"] = {"type": "assign_to_team", "team": "nope"}


def _misspelled_member_and_ghost(files: Files) -> None:
    files["config.json"]["presense"] = []
    _unknown_member(files)


def _extra_field_and_ghost(files: Files) -> None:
    files["config.json"]["teams"][1]["oops"] = 1
    _unknown_member(files)


@pytest.mark.parametrize(
    ("change", "found"),
    [
        (
            _bad_zone_and_unknown_team,
            [
                "$.office_hours.timezone: unknown time zone 'Mars/Base'",
                "$.rules.rules[0].then.team: rule '{rule}': unknown team 'nope'",
            ],
        ),
        (
            _misspelled_member_and_ghost,
            ["$.presense: unknown member", "$.teams[0].members[2]: unknown agent 'ghost'"],
        ),
        (
            _extra_field_and_ghost,
            [
                "$.teams[1].oops: Extra inputs are not permitted",
                "$.teams[0].members[2]: unknown agent 'ghost'",
            ],
        ),
        (
            # a team given again with a problem of its own: the repeat and the rule's
            # unknown team are told with it (the team's problem alone was)
            _bad_repeated_team_and_unknown_team,
            [
                "$.teams[4].oops: Extra inputs are not permitted",
                "$.teams[4].id: team 'retention' is listed twice",
                "$.rules.rules[0].then.team: rule '{rule}': unknown team 'nope'",
            ],
        ),
    ],
    ids=["zone_and_team", "member_and_ghost", "extra_and_ghost", "bad_repeat_and_team"],
)
def test_every_bad_part_of_a_config_is_told_at_once(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    change: Callable[[Files], None],
    found: list[str],
) -> None:
    """A part's own problem (a zone, an unknown member, a team's extra field) does not
    hide how the parts fit together (a rule's team, a member no agent is): ``check`` and
    ``demo --data`` tell both (each told the first alone)."""
    data = _demo_dir(tmp_path, change)
    rule = json.loads((data / "config.json").read_text("utf-8"))["rules"]["rules"][0]["id"]
    lines = [line.format(rule=rule) for line in found]
    assert _run("demo", "--data", str(data)) == (1, "")
    assert capsys.readouterr().err.splitlines()[1:] == [f"  {line}" for line in lines]
    assert _run("check", str(data / "config.json")) == (1, "")
    assert capsys.readouterr().err.splitlines()[1:] == [f"  {line}" for line in lines]


def _naive_and_repeated_ticket(files: Files) -> None:
    _conflicting_ticket(files)
    files["tickets.json"]["tickets"][2]["created_at"] = "2026-11-23T09:00:00"


def _misspelled_day_member(files: Files) -> None:
    files["tickets.json"]["presense"] = []
    _conflicting_ticket(files)
    _unknown_presence(files)


@pytest.mark.parametrize(
    ("change", "found"),
    [
        (
            _naive_and_repeated_ticket,
            [
                "$.tickets[2].created_at: must be timezone-aware, got a naive datetime",
                "$.tickets[11].id: ticket 'T-1001' is listed twice",
            ],
        ),
        (
            _misspelled_day_member,
            [
                "$.presense: unknown member",
                "$.tickets[11].id: ticket 'T-1001' is listed twice",
                "$.presence[5].agent: unknown agent 'ghost'",
            ],
        ),
    ],
    ids=["naive_and_repeated", "member_repeated_ghost"],
)
def test_every_bad_part_of_tickets_json_is_told_at_once(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    change: Callable[[Files], None],
    found: list[str],
) -> None:
    """A bad ticket or an unknown member does not hide a ticket id listed twice or a
    presence change of no agent."""
    assert _run("demo", "--data", str(_demo_dir(tmp_path, change))) == (1, "")
    err = capsys.readouterr().err.splitlines()
    assert err == ["error: invalid tickets.json", *(f"  {line}" for line in found)]


def test_check_names_an_unknown_team_of_a_config_at_its_path_in_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A config.json rule naming a missing team is refused at $.rules.rules[i], like the demo."""

    def unknown_team(files: Files) -> None:
        files["config.json"]["rules"]["rules"][0]["then"]["team"] = "nope"

    directory = _demo_dir(tmp_path, unknown_team)
    line = "  $.rules.rules[0].then.team: rule 'churn': unknown team 'nope'\n"
    assert _run("check", str(directory / "config.json"))[0] == 1
    assert capsys.readouterr().err == (
        f"error: invalid configuration in {directory / 'config.json'}\n" + line
    )
    assert _run("demo", "--data", str(directory))[0] == 1
    assert capsys.readouterr().err == "error: invalid config.json\n" + line


@pytest.mark.parametrize(
    ("change", "line"),
    [
        (
            lambda files: files["config.json"].update(office_hours="9-17"),
            "  $.office_hours: Input should be a valid dictionary or instance of OfficeHours\n",
        ),
        (
            lambda files: files["config.json"]["office_hours"].update(timezone="Mars/Olympus"),
            "  $.office_hours.timezone: unknown time zone 'Mars/Olympus'\n",
        ),
        (
            lambda files: files["config.json"]["rules"]["rules"][0].update(when=None),
            "  $.rules.rules[0].when: rule 'churn': a condition needs a 'type': one of 'all', "
            "'any', 'not', 'ticket', 'profile', 'event', 'segment'\n",
        ),
    ],
    ids=["office_hours_text", "office_hours_zone", "rule_without_condition"],
)
def test_demo_names_config_json_for_a_part_its_own_loader_refuses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], change: Callable[[Files], None], line: str
) -> None:
    """Office hours and rules have loaders of their own ("invalid office hours"); the demo
    still says which file was wrong, with the path in it."""
    assert _run("demo", "--data", str(_demo_dir(tmp_path, change))) == (1, "")
    assert capsys.readouterr().err == "error: invalid config.json\n" + line


@pytest.mark.parametrize(
    "change",
    [
        lambda files: files["config.json"].update(office_hours=None),
        lambda files: files["config.json"].pop("office_hours"),
    ],
    ids=["office_hours_null", "office_hours_left_out"],
)
def test_a_config_json_without_office_hours_is_always_open_for_check_and_the_demo(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], change: Callable[[Files], None]
) -> None:
    """check passed such a file (a configuration's office hours may be none) and demo
    --data refused it: both take it now, and the demo's webchat tickets then wait for no
    opening (the Router's default: no office hours, always open)."""
    directory = _demo_dir(tmp_path, change)
    assert _run("check", str(directory / "config.json"))[0] == 0
    code, text = _run("demo", "--data", str(directory), "--json")
    assert code == 0
    open_hours = json.loads(_run("demo", "--json")[1])
    always = json.loads(text)
    assert open_hours["unassigned"] > 0  # the bundled day's night webchat waits
    assert always["unassigned"] < open_hours["unassigned"]
    capsys.readouterr()


def test_a_config_json_without_teams_has_none_for_check_and_the_demo(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Teams left out are none, for both: the rules naming teams are then refused alike."""

    def no_teams(files: Files) -> None:
        files["config.json"].pop("teams")

    directory = _demo_dir(tmp_path, no_teams)
    assert _run("check", str(directory / "config.json"))[0] == 1
    checked = capsys.readouterr().err.splitlines()[1:]
    assert _run("demo", "--data", str(directory))[0] == 1
    assert capsys.readouterr().err.splitlines()[1:] == checked
    assert checked[0] == "  $.rules.rules[0].then.team: rule 'churn': unknown team 'retention'"


def test_an_empty_day_is_an_empty_report(tmp_path: Path) -> None:
    """A day without tickets or presence changes prints a summary of zeros, exit 0."""
    directory = str(_demo_dir(tmp_path, _empty_day))
    code, text = _run("demo", "--data", directory)
    assert code == 0
    assert "== Summary" in text
    assert "ann              0" in text
    code, text = _run("demo", "--data", directory, "--json")
    assert code == 0
    outcome = json.loads(text)
    assert outcome["tickets"] == []
    assert set(outcome["per_agent"].values()) == {0}
    assert outcome["unassigned"] == 0


def test_demo_json_lists_closed_tickets_too(tmp_path: Path) -> None:
    """demo --json lists every ticket of the day with its status, closed ones included."""
    code, text = _run("demo", "--json", "--data", str(_demo_dir(tmp_path, _close_first_ticket)))
    assert code == 0
    tickets = json.loads(text)["tickets"]
    assert len(tickets) == 11
    assert tickets[0] == {
        "id": "T-1001",
        "status": "closed",
        "team": None,
        "assignee": None,
        "views": ["Urgent changes"],
    }
    assert {t["status"] for t in tickets[1:]} == {"open"}


def test_demo_summary_counts_closed_tickets(tmp_path: Path) -> None:
    """The text summary counts every ticket of the day and says how many are closed."""
    code, text = _run("demo", "--data", str(_demo_dir(tmp_path, _close_first_ticket)))
    assert code == 0
    summary = text.split("== Summary", 1)[1]
    assert "\nClosed                   1\n" in summary
    assert "\nview 'Urgent changes'    2\n" in summary


def test_the_bundled_demo_summary_has_no_status_lines() -> None:
    """On the bundled day, where every ticket is open, the summary has no Closed line."""
    code, text = _run("demo")
    assert code == 0
    assert "Closed" not in text
    assert "Pending" not in text


def test_main_prints_any_routing_error_as_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A RoutingError a subcommand raises (not a ValidationError) is one line, exit 1."""

    def fail(*args: object) -> object:
        raise RoutingError("something did not fit")

    monkeypatch.setattr("helpdesk_routing.cli.run_demo", fail)
    assert _run("demo") == (1, "")
    assert capsys.readouterr().err == "error: something did not fit\n"
    code, text = _run("demo", "--json")
    assert code == 1
    assert json.loads(text) == {
        "ok": False,
        "errors": [
            {"path": "$", "code": "invalid", "message": "something did not fit", "rule_id": None}
        ],
    }


@pytest.mark.parametrize("name", ["config.json", "customers.json", "tickets.json"])
def test_a_file_that_is_no_json_object_is_told_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    """A file holding an array: "$: needs a JSON object" once, not once per part it has
    (config.json said it five times)."""
    directory = _demo_dir(tmp_path)
    (directory / name).write_text("[]")
    assert _run("demo", "--data", str(directory)) == (1, "")
    assert capsys.readouterr().err == f"error: invalid {name}\n  $: needs a JSON object\n"
