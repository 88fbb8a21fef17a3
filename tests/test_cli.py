"""The ``helpdesk-routing`` command: the demo day, rule-set checks, the schema."""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import Any, TextIO

import pytest

import helpdesk_routing as hr
from helpdesk_routing import __version__, cli
from helpdesk_routing.cli import Subcommand, load_demo, main, register, run_demo
from helpdesk_routing.errors import ArgumentTypeError, ValidationError
from helpdesk_routing.model import TicketStatus
from helpdesk_routing.schemas import json_schema


def _run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue()


def test_demo_routes_every_bundled_ticket_and_prints_a_summary() -> None:
    """The demo explains each ticket of the day and ends with per-agent counts and views."""
    code, text = _run("demo")
    day = load_demo()
    assert code == 0
    for t in day.tickets:
        assert f"{t.id} via {t.channel}" in text
    assert "== Summary" in text
    assert "team 'retention' chosen by rule 'churn'" in text


def test_demo_day_follows_the_routing_and_office_hours_rules() -> None:
    """Webchat before opening waits and is handed out later; webchat after closing stays waiting."""
    router = run_demo(load_demo(), io.StringIO())
    early = router.ticket("T-1001")
    late = router.ticket("T-1010")
    assert early.assignee is not None
    assert early.views == frozenset({"Urgent changes"})
    assert late.assignee is None
    assert late.status is TicketStatus.OPEN
    assert [r.id for r in router.views.unassigned().items] == ["T-1010"]
    assert router.ticket("T-1004").team == "team-a"  # sms + Order
    assert router.ticket("T-1005").team == "retention"  # segment membership at-risk
    assert router.ticket("T-1009").team == "returns"  # tag membership Return


def test_demo_reads_a_configuration_directory(tmp_path: Path) -> None:
    """--data points the demo at a directory with the same three files."""
    source = resources.files("helpdesk_routing").joinpath("demo_data")
    for name in ("config.json", "customers.json", "tickets.json"):
        shutil.copyfile(str(source.joinpath(name)), tmp_path / name)
    tickets = json.loads((tmp_path / "tickets.json").read_text())
    tickets["tickets"] = tickets["tickets"][:2]
    (tmp_path / "tickets.json").write_text(json.dumps(tickets))
    code, text = _run("demo", "--data", str(tmp_path))
    assert code == 0
    assert "T-1002" in text
    assert "T-1003" not in text


def test_check_reports_a_shadowed_rule_as_a_warning(tmp_path: Path) -> None:
    """check prints one warning per lint issue and exits 0 for a valid rule set."""
    rule = {
        "when": {"type": "ticket", "field": "channel", "op": "equals", "value": "sms"},
        "then": {"type": "assign_to_team", "team": "a"},
    }
    path = tmp_path / "rules.json"
    path.write_text(json.dumps({"rules": [{"id": "first", **rule}, {"id": "second", **rule}]}))
    code, text = _run("check", str(path))
    assert code == 0
    assert "warning: rule 'second' ($.rules[1].when): can never fire" in text
    assert text.strip().endswith("2 rule(s), 1 warning(s)")


def test_check_fails_on_an_invalid_rule_set_naming_the_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An invalid rule set exits 1 with the JSON path on stderr."""
    path = tmp_path / "rules.json"
    path.write_text('{"rules": [{"id": "r", "when": {"type": "segment"}, "then": {"type": "x"}}]}')
    code, _ = _run("check", str(path))
    assert code == 1
    assert "$.rules[0]" in capsys.readouterr().err


def test_check_with_teams_fails_on_an_unknown_team(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--teams validates the rules' teams: an unknown one exits 1 naming the rule."""
    rules = tmp_path / "rules.json"
    rules.write_text(
        json.dumps(
            {
                "rules": [
                    {
                        "id": "r",
                        "when": {"type": "segment", "segment": "vip"},
                        "then": {"type": "assign_to_team", "team": "ghosts"},
                    }
                ]
            }
        )
    )
    teams = tmp_path / "teams.json"
    teams.write_text(json.dumps([{"id": "real", "members": ["a1"]}]))
    code, _ = _run("check", str(rules), "--teams", str(teams))
    assert code == 1
    assert "rule 'r': unknown team 'ghosts'" in capsys.readouterr().err


def test_check_with_teams_names_a_team_listed_twice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A --teams file giving one team id twice is refused at the repeat, exit 1, as
    ``Router(...)`` and a configuration file's check refuse it (it passed, exit 0)."""
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps({"rules": []}))
    teams = tmp_path / "teams.json"
    teams.write_text(json.dumps([{"id": "t1", "members": ["a1"]}, {"id": "t1", "members": ["a2"]}]))
    code, _ = _run("check", str(rules), "--teams", str(teams))
    assert code == 1
    assert capsys.readouterr().err == (
        f"error: invalid teams in {teams}\n  $[1].id: team 't1' is listed twice\n"
    )
    # told beside another team's own problem, in the file's order (it was hidden)
    both = [{"id": "t1", "members": ["a1"]}, {"id": "t1", "members": ["a2"]}]
    teams.write_text(json.dumps([*both, {"id": "t3", "members": 5}]))
    code, _ = _run("check", str(rules), "--teams", str(teams))
    assert code == 1
    assert capsys.readouterr().err.splitlines()[1:] == [
        "  $[1].id: team 't1' is listed twice",
        "  $[2].members: Input should be a valid tuple",
    ]
    # a team's own details keep their order (members[2] before members[10])
    teams.write_text(json.dumps([{"id": "t", "members": [5] * 12}]))
    code, _ = _run("check", str(rules), "--teams", str(teams))
    assert code == 1
    paths = [line.split(":")[0].strip() for line in capsys.readouterr().err.splitlines()[1:]]
    assert paths == [f"$[0].members[{i}]" for i in range(12)]


def test_schema_prints_the_condition_json_schema() -> None:
    """schema prints a JSON Schema that knows every node type."""
    code, text = _run("schema")
    assert code == 0
    schema_text = json.dumps(json.loads(text))
    for node_type in ("ticket", "profile", "event", "segment", "all", "any", "not"):
        assert f'"{node_type}"' in schema_text


# -- version, JSON output, exit codes, configuration files ---------------------------------

CONFIG = resources.files("helpdesk_routing").joinpath("demo_data", "config.json")


def test_version_prints_the_package_version() -> None:
    """--version prints the version and exits 0, without a subcommand."""
    code, text = _run("--version")
    assert code == 0
    assert text.strip() == f"helpdesk-routing {__version__}"


def test_check_accepts_the_demo_configuration_file() -> None:
    """check reads the demo's own config.json (rules, teams, agents, office hours)."""
    code, text = _run("check", str(CONFIG))
    assert code == 0
    assert text.strip() == "4 rule(s), 0 warning(s)"


def test_check_json_reports_rules_and_warnings(tmp_path: Path) -> None:
    """check --json prints {ok, rules, warnings, errors} on stdout."""
    rule = {
        "when": {"type": "ticket", "field": "channel", "op": "equals", "value": "sms"},
        "then": {"type": "save_as_view", "view": "v"},
    }
    path = tmp_path / "rules.json"
    path.write_text(json.dumps({"rules": [{"id": "a", **rule}]}))
    code, text = _run("check", "--json", str(path))
    assert code == 0
    assert json.loads(text) == {"ok": True, "rules": 1, "warnings": [], "errors": []}


def test_check_json_reports_errors_as_422_entries(tmp_path: Path) -> None:
    """An invalid file with --json exits 1 with {ok: false, errors: [{path, code, message,
    rule_id}]} on stdout."""
    path = tmp_path / "rules.json"
    when = {"type": "profile", "property": "p", "op": "greater_than"}
    then = {"type": "save_as_view", "view": "v"}
    path.write_text(json.dumps({"rules": [{"id": "r", "when": when, "then": then}]}))
    code, text = _run("check", "--json", str(path))
    assert code == 1
    assert json.loads(text) == {
        "ok": False,
        "errors": [
            {
                "path": "$.rules[0].when.value",
                "code": "condition_value",
                "message": "rule 'r': greater_than needs a number, got nothing",
                "rule_id": "r",
            }
        ],
    }


def test_check_of_a_configuration_names_paths_inside_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bad part of a configuration file is named by its path in the file."""
    config = json.loads(CONFIG.read_text("utf-8"))
    config["rules"]["rules"][0]["when"].pop("value")
    config["teams"][0]["members"] = ["ann", "ann"]
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    code, _ = _run("check", str(path))
    assert code == 1
    assert "$.rules.rules[0].when.value" in capsys.readouterr().err
    del config["rules"]["rules"][0]["when"]["op"]
    config["rules"]["rules"][0]["when"] = {"type": "segment", "segment": "vip"}
    path.write_text(json.dumps(config))
    code, _ = _run("check", str(path))
    assert code == 1
    assert "$.teams[0].members: agent 'ann' is listed twice" in (capsys.readouterr().err)


def _sms_rule(rule_id: str, team: str) -> dict[str, object]:
    sms = {"type": "ticket", "field": "channel", "op": "equals", "value": "sms"}
    return {"id": rule_id, "when": sms, "then": {"type": "assign_to_team", "team": team}}


def test_check_of_a_configuration_names_warnings_at_their_place_in_it(tmp_path: Path) -> None:
    """A warning's path is its place in the configuration file, as an error's is
    (``$.rules.rules[1].when``, not the rule set's own ``$.rules[1].when``)."""
    config = {
        "agents": [{"id": "a1"}],
        "teams": [{"id": "t1", "name": "T1", "members": ["a1"]}],
        "rules": {"rules": [_sms_rule("a", "t1"), _sms_rule("b", "t1")]},
    }
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    code, text = _run("check", "--json", str(path))
    assert code == 0
    assert [w["path"] for w in json.loads(text)["warnings"]] == ["$.rules.rules[1].when"]
    code, text = _run("check", str(path))
    assert "warning: rule 'b' ($.rules.rules[1].when): can never fire" in text


def test_check_of_a_configuration_tells_bad_rules_and_bad_teams_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Bad rules do not hide a team member who is no agent: every bad part at once."""
    config = {
        "agents": [{"id": "a1"}],
        "teams": [{"id": "t1", "name": "T1", "members": ["ghost"]}],
        "rules": {"rules": [_sms_rule("a", "t1"), _sms_rule("a", "t1")]},
    }
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    assert _run("check", str(path))[0] == 1
    err = capsys.readouterr().err
    assert err.startswith("error: invalid configuration in ")
    assert "$.rules.rules[1].id: duplicate rule id 'a' (first at rules[0])" in err
    assert "$.teams[0].members[0]: unknown agent 'ghost'" in err


def test_check_refuses_unknown_members_of_a_configuration(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A configuration file with an unknown top-level member exits 1 naming it."""
    config = json.loads(CONFIG.read_text("utf-8"))
    config["rule"] = []
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    assert _run("check", str(path))[0] == 1
    assert "$.rule: unknown member" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("content", "what"),
    [
        (b"\xff\xfe", "document"),
        (b'{"rules": [], "rules": []}', "rule set"),  # an object of a rule set's members
        (b'{"rules": NaN}', "rule set"),
        (b"[" * 5000, "document"),
        (b"not json", "document"),
    ],
)
def test_check_malformed_files_exit_1_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, what: str
) -> None:
    """Malformed JSON of every kind is one error line on stderr and exit status 1, titled
    as the document's loader titles it."""
    path = tmp_path / "rules.json"
    path.write_bytes(content)
    assert _run("check", str(path))[0] == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: invalid {what}")
    assert "Traceback" not in err


def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown subcommand, a missing argument and an unreadable file exit 2."""
    assert _run("bogus")[0] == 2
    assert _run("check")[0] == 2
    assert _run("schema", "nothing")[0] == 2
    assert _run("check", str(tmp_path / "missing.json"))[0] == 2
    assert "No such file" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "command", "extra"),
    [
        (["demo", "--bogus"], "demo", "--bogus"),
        (["schema", "condition", "extra"], "schema", "extra"),
        (["check", "rules.json", "--bogus", "x"], "check", "--bogus x"),
    ],
)
def test_an_unrecognized_argument_is_told_by_its_subcommand(
    capsys: pytest.CaptureFixture[str], argv: list[str], command: str, extra: str
) -> None:
    """docs/cli.md: an argument error is the subcommand's usage and ``helpdesk-routing
    SUBCOMMAND: error: ...``; an argument no subcommand takes was told by the command's
    own usage and ``helpdesk-routing: error:``."""
    assert _run(*argv)[0] == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(f"usage: helpdesk-routing {command} ")
    assert err[-1] == f"helpdesk-routing {command}: error: unrecognized arguments: {extra}"


def test_an_unrecognized_argument_before_the_subcommand_is_the_commands(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Given before the subcommand's name, it is the command's own: told by it."""
    assert _run("--bogus", "schema")[0] == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("usage: helpdesk-routing [-h]")
    assert err[-1] == "helpdesk-routing: error: unrecognized arguments: --bogus"


def test_demo_json_prints_where_every_ticket_ended() -> None:
    """demo --json prints every ticket's team, assignee and views, and per-agent counts."""
    code, text = _run("demo", "--json")
    assert code == 0
    outcome = json.loads(text)
    day = load_demo()
    assert [t["id"] for t in outcome["tickets"]] == sorted(t.id for t in day.tickets)
    assert sum(outcome["per_agent"].values()) + outcome["unassigned"] <= len(day.tickets)
    by_id = {t["id"]: t for t in outcome["tickets"]}
    assert by_id["T-1004"]["team"] == "team-a"  # sms + Order
    assert by_id["T-1001"]["views"] == ["Urgent changes"]


def test_demo_with_bad_presence_names_the_file_and_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A presence entry whose online is the text "false" is refused (not read as True)."""
    source = resources.files("helpdesk_routing").joinpath("demo_data")
    for name in ("config.json", "customers.json", "tickets.json"):
        shutil.copyfile(str(source.joinpath(name)), tmp_path / name)
    tickets = json.loads((tmp_path / "tickets.json").read_text())
    tickets["presence"][0]["online"] = "false"
    (tmp_path / "tickets.json").write_text(json.dumps(tickets))
    assert _run("demo", "--data", str(tmp_path))[0] == 1
    err = capsys.readouterr().err
    assert err.startswith("error: invalid tickets.json")
    assert "$.presence[0].online" in err


@pytest.mark.parametrize("name", ["condition", "rule-set", "team", "office-hours", "configuration"])
def test_schema_prints_each_named_schema(name: str) -> None:
    """schema NAME prints that Draft 2020-12 schema."""
    code, text = _run("schema", name)
    assert code == 0
    assert json.loads(text) == json_schema(name)


def test_a_registered_subcommand_is_offered_and_run() -> None:
    """A Subcommand added with register() is parsed and run like a built-in one."""

    def configure(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("word")

    def run(args: argparse.Namespace, out: TextIO) -> int:
        print(args.word.upper(), file=out)
        return 0

    register(Subcommand("shout", "say it louder", configure, run))
    try:
        assert _run("shout", "hi") == (0, "HI\n")
    finally:
        cli._REGISTERED.clear()


@pytest.mark.parametrize("name", ["report", "demo", "shout"])
def test_register_refuses_a_name_the_command_has(name: str) -> None:
    """A built-in name, or a subcommand registered twice, is a ValidationError naming it;
    nothing is registered and the command still runs (every main() raised argparse's
    'conflicting subparser' with a traceback, --version too)."""

    def run(args: argparse.Namespace, out: TextIO) -> int:
        return 0

    register(Subcommand("shout", "say it louder", lambda parser: None, run))
    try:
        with pytest.raises(ValidationError) as caught:
            register(Subcommand(name, "again", lambda parser: None, run))
        assert str(caught.value) == (
            f"a subcommand named {name!r} exists already; give yours another name "
            "(taken: demo, check, schema, report, simulate, shout)"
        )
        assert [c.name for c in cli._REGISTERED] == ["shout"]
        assert _run("--version") == (0, f"helpdesk-routing {__version__}\n")
    finally:
        cli._REGISTERED.clear()


def test_register_refuses_what_is_no_subcommand() -> None:
    """register takes a Subcommand: anything else is an ArgumentTypeError."""
    with pytest.raises(ArgumentTypeError, match="register takes a Subcommand, got 'x'"):
        register("x")  # type: ignore[arg-type]
    assert cli._REGISTERED == []


def test_check_accepts_a_stored_configuration(tmp_path: Path) -> None:
    """check reads a stored Configuration (version, at, rules, teams) and validates it."""
    from helpdesk_routing.configuration import Configuration

    day = load_demo()
    config = Configuration(
        version=3, at=day.tickets[0].created_at, rules=day.rules, teams=day.teams
    )
    path = tmp_path / "configuration.json"
    path.write_text(config.model_dump_json())
    assert _run("check", str(path)) == (0, "4 rule(s), 0 warning(s)\n")
    data = json.loads(config.model_dump_json())
    data["version"] = 0
    path.write_text(json.dumps(data))
    code, text = _run("check", "--json", str(path))
    assert code == 1
    assert json.loads(text)["errors"][0]["path"] == "$.version"


def test_demo_with_a_missing_part_names_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A demo directory whose config.json lacks agents fails naming $.agents (teams and
    office hours left out are none, as check reads the file); one that is not an object
    fails at $."""
    source = resources.files("helpdesk_routing").joinpath("demo_data")
    for name in ("config.json", "customers.json", "tickets.json"):
        shutil.copyfile(str(source.joinpath(name)), tmp_path / name)
    config = json.loads((tmp_path / "config.json").read_text())
    del config["agents"]
    (tmp_path / "config.json").write_text(json.dumps(config))
    assert _run("demo", "--data", str(tmp_path))[0] == 1
    assert "$.agents: Field required" in capsys.readouterr().err
    (tmp_path / "config.json").write_text("[]")
    assert _run("demo", "--data", str(tmp_path))[0] == 1
    assert "$: needs a JSON object" in capsys.readouterr().err


def test_check_of_a_stored_configuration_names_clean_paths(tmp_path: Path) -> None:
    """Errors inside a stored configuration's rules carry JSON paths without union tags."""
    from helpdesk_routing.configuration import Configuration

    day = load_demo()
    config = Configuration(
        version=1, at=day.tickets[0].created_at, rules=day.rules, teams=day.teams
    )
    data = json.loads(config.model_dump_json())
    data["rules"]["rules"][0]["when"] = {"type": "profile", "property": "p", "op": "in"}
    data["rules"]["rules"][1]["then"] = {"type": "assign_to_team"}
    path = tmp_path / "configuration.json"
    path.write_text(json.dumps(data))
    code, text = _run("check", "--json", str(path))
    assert code == 1
    assert [e["path"] for e in json.loads(text)["errors"]] == [
        "$.rules.rules[0].when.value",
        "$.rules.rules[1].then.team",
    ]


@pytest.mark.parametrize(
    "argv", [["schema", "condition"], ["check", "--json", "MISSING.json"]], ids=["out", "error"]
)
def test_any_subcommand_into_a_closed_pipe_ends_quietly(argv: list[str]) -> None:
    """``helpdesk-routing schema | head -c 0``: a BrokenPipeError traceback (or the error
    handler failing again on the same closed pipe) before; now nothing on stderr and the
    exit status 141, as a shell reports a program a broken pipe ended."""
    import os
    import subprocess
    import sys

    import helpdesk_routing

    src = str(Path(helpdesk_routing.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
    read, write = os.pipe()
    os.close(read)  # the reader went away before a byte was written
    try:
        done = subprocess.run(
            [sys.executable, "-m", "helpdesk_routing.cli", *argv],
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            timeout=120,
        )
    finally:
        os.close(write)
    assert (done.returncode, done.stderr) == (141, "")


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (hr.PermissionDenied("agent 'a3' (support) may not edit rules"), 1),
        (hr.UnknownTicket("t9"), 1),
        (hr.ConflictError("lost a race"), 1),
        (FileNotFoundError(2, "No such file or directory"), 2),
    ],
    ids=["permission", "unknown", "conflict", "file"],
)
def test_a_subcommand_s_library_error_exits_1_even_when_it_is_an_os_error(
    error: Exception, code: int
) -> None:
    """docs/cli.md: any RoutingError a subcommand raises exits 1. ``PermissionDenied``
    is a ``PermissionError`` too (an ``OSError``), which exited 2 as a usage error."""

    def configure(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--json", action="store_true")

    def run(args: argparse.Namespace, out: TextIO) -> int:
        raise error

    register(Subcommand("fails", "raises", configure, run))
    try:
        assert _run("fails")[0] == code
        done, text = _run("fails", "--json")
        assert done == code
        assert json.loads(text)["errors"][0]["code"] == ("usage" if code == 2 else "invalid")
    finally:
        cli._REGISTERED.clear()


def _cli_process(argv: list[str], **streams: Any) -> subprocess.CompletedProcess[str]:
    import helpdesk_routing

    src = str(Path(helpdesk_routing.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
    return subprocess.run(
        [sys.executable, "-m", "helpdesk_routing.cli", *argv],
        text=True,
        env=env,
        timeout=120,
        **streams,
    )


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["schema", "condition"], "error: [Errno 28] No space left on device"),
        (
            ["check", "--json", "MISSING.json"],
            "error: [Errno 2] No such file or directory: 'MISSING.json' "
            "(and the JSON answer could not be written: [Errno 28] No space left on device)",
        ),
        (
            ["demo", "--json"],
            "error: the JSON answer could not be written: [Errno 28] No space left on device",
        ),
    ],
    ids=["text", "json-error", "json-answer"],
)
def test_an_output_that_cannot_be_written_is_one_line_on_stderr(argv: list[str], said: str) -> None:
    """A full device (``> /dev/full``): with ``--json`` the error's JSON could not be
    written either, and two chained tracebacks followed; now one line, exit 2."""
    if not Path("/dev/full").exists():  # pragma: no cover - Linux has it
        pytest.skip("no /dev/full on this system")
    with open("/dev/full", "w") as full:
        done = _cli_process(argv, stdout=full, stderr=subprocess.PIPE)
    assert (done.returncode, done.stderr) == (2, said + "\n")


def test_invalid_input_unwritten_as_json_keeps_its_details_a_line_each(tmp_path: Path) -> None:
    """An invalid file met with ``--json`` into a full device: its title, with the
    unwritten answer's note, then its details a line each as without ``--json`` (it was
    the repr of the whole text on one line, quotes and ``\\n`` included)."""
    if not Path("/dev/full").exists():  # pragma: no cover - Linux has it
        pytest.skip("no /dev/full on this system")
    bad = tmp_path / "rules.json"
    bad.write_text("{", encoding="utf-8")
    with open("/dev/full", "w") as full:
        done = _cli_process(
            ["check", "--json", str(bad)], stdout=full, stderr=subprocess.PIPE, cwd=tmp_path
        )
    lines = done.stderr.splitlines()
    assert done.returncode == 2
    assert lines[0].startswith("error: invalid ")
    assert lines[0].endswith(
        "(and the JSON answer could not be written: [Errno 28] No space left on device)"
    )
    assert "'" not in lines[0]
    assert "\\n" not in done.stderr
    assert len(lines) == 2
    assert lines[1].startswith("  $: not JSON")


def test_a_closed_standard_output_is_one_line_on_stderr() -> None:
    """Started with stdout closed (``>&-``): Python has no sys.stdout, and every
    subcommand ended in an AttributeError traceback."""
    done = _cli_process(["schema", "condition"], stderr=subprocess.PIPE, preexec_fn=_close_stdout)
    assert (done.returncode, done.stderr) == (
        2,
        "error: standard output is closed: nothing can be written\n",
    )


def _close_stdout() -> None:
    os.close(1)


@pytest.mark.parametrize("argv", [["--help"], ["check", "--help"], ["report", "-h"]])
def test_help_that_cannot_be_written_is_told_as_every_output(argv: list[str]) -> None:
    """argparse swallowed the OSError: ``--help`` to a closed pipe or a full device exited
    0, its text lost; it is 141 for a closed pipe and 2 with one line for a full device,
    as ``--version`` and every subcommand's output."""
    reader, writer = os.pipe()
    os.close(reader)  # the reader went away before anything was written
    try:
        closed = _cli_process(argv, stdout=writer, stderr=subprocess.PIPE)
    finally:
        os.close(writer)
    assert (closed.returncode, closed.stderr) == (141, "")
    if Path("/dev/full").exists():
        with open("/dev/full", "w") as full:
            done = _cli_process(argv, stdout=full, stderr=subprocess.PIPE)
        assert (done.returncode, done.stderr) == (
            2,
            "error: [Errno 28] No space left on device\n",
        )


@pytest.mark.parametrize("argv", [["check", "--bogus"], ["check", "/nonexistent"]])
def test_a_usage_error_told_to_a_stderr_that_cannot_be_written_still_exits_2(
    argv: list[str],
) -> None:
    """The OSError of printing the error got out of main, and Python exited 1 ("invalid
    input")."""
    reader, writer = os.pipe()
    os.close(reader)
    try:
        done = _cli_process(argv, stdout=subprocess.DEVNULL, stderr=writer)
    finally:
        os.close(writer)
    assert done.returncode == 2


@pytest.mark.parametrize("other_problem", [False, True])
def test_a_configuration_files_rules_as_an_array_are_named_as_json_text_writes_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], other_problem: bool
) -> None:
    """A config.json whose rules are an array (not {"rules": [...]}) was "invalid rule
    set" alone and "invalid configuration" beside another problem, in pydantic's words:
    always the configuration now, in the words a stored Configuration's file has."""
    member = "ghost" if other_problem else "a"
    document = {
        "agents": [{"id": "a"}],
        "teams": [{"id": "t", "name": "T", "members": [member]}],
        "rules": [],
    }
    path = tmp_path / "config.json"
    path.write_text(json.dumps(document))
    said = '  $.rules: JSON text writes rules as a rule set, {"rules": [...]}, got an array'
    ghost = ["  $.teams[0].members[0]: unknown agent 'ghost'"] if other_problem else []
    assert _run("check", str(path))[0] == 1
    assert capsys.readouterr().err.splitlines() == [
        f"error: invalid configuration in {path}",
        said,
        *ghost,
    ]
    stored = {"version": 1, "at": "2026-01-01T00:00:00Z", **document}
    stored.pop("agents")
    path.write_text(json.dumps(stored))
    assert _run("check", str(path))[0] == 1
    assert said in capsys.readouterr().err.splitlines()
    source = resources.files("helpdesk_routing").joinpath("demo_data")
    for name in ("customers.json", "tickets.json"):
        shutil.copyfile(str(source.joinpath(name)), tmp_path / name)
    demo_config = json.loads(source.joinpath("config.json").read_text())
    demo_config["rules"] = []
    (tmp_path / "config.json").write_text(json.dumps(demo_config))
    assert _run("demo", "--data", str(tmp_path))[0] == 1
    assert capsys.readouterr().err.splitlines() == ["error: invalid config.json", said]
