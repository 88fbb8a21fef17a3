"""Every subcommand that prints survives an output that is not UTF-8 (a Windows file in
cp1252, ``PYTHONIOENCODING=ascii``): symbols as ASCII stand-ins, the user's text as
backslash escapes, never a ``UnicodeEncodeError`` traceback."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

import helpdesk_routing
from helpdesk_routing._console import console
from helpdesk_routing.clock import ManualClock
from helpdesk_routing.model import Agent, Ticket
from helpdesk_routing.router import Router
from helpdesk_routing.rules import RuleSet
from helpdesk_routing.simulation import AgentSpec, Exponential, PoissonArrivals, Scenario
from helpdesk_routing.stores.sqlite import SqliteCustomerData, SqliteStore

ENCODINGS = ["ascii", "cp1252"]
SRC = str(Path(helpdesk_routing.__file__).resolve().parents[1])
T0 = datetime(2026, 3, 30, 10, tzinfo=UTC)


def _cli(encoding: str, *argv: str) -> subprocess.CompletedProcess[bytes]:
    env = {
        **os.environ,
        "PYTHONIOENCODING": encoding,
        "PYTHONPATH": os.pathsep.join([SRC, os.environ.get("PYTHONPATH", "")]),
    }
    return subprocess.run(
        [sys.executable, "-m", "helpdesk_routing", *argv],
        capture_output=True,
        env=env,
        timeout=300,
        check=False,
    )


def _ok(done: subprocess.CompletedProcess[bytes], encoding: str) -> str:
    """The output of a run that ended well, decoded as the stream's encoding."""
    assert (done.returncode, done.stderr.decode(encoding)) == (0, "")
    return done.stdout.decode(encoding)


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_demo_writes_its_explanations_to_any_encoding(encoding: str) -> None:
    """The demo's ✓ and ✗ (which neither ASCII nor cp1252 holds) are ``ok`` and ``x``."""
    text = _ok(_cli(encoding, "demo"), encoding)
    assert "    ok event 'Placed Order'" in text
    assert "    x event 'Placed Order'" in text
    assert "== Summary" in text
    dash = "--" if encoding == "ascii" else "\u2014"  # cp1252 holds the dash
    assert f"skipped {dash} needs" in text


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_simulate_writes_its_report_to_any_encoding(encoding: str, tmp_path: Path) -> None:
    """The report's · and ± are - and +/- where the stream lacks them; a scenario name
    it cannot hold is written with backslash escapes."""
    scenario = Scenario(
        name="caf\u00e9 \u2615",
        arrivals=PoissonArrivals(per_hour=60),
        days=None,
        tickets=100,
        warmup_tickets=0,
        agents=[AgentSpec(id="ann"), AgentSpec(id="bob")],
        handling=Exponential(mean_minutes=1.5),
        mode="queueing",
    )
    path = tmp_path / "s.json"
    path.write_text(scenario.model_dump_json(), "utf-8")
    text = _ok(_cli(encoding, "simulate", str(path), "--replications", "2"), encoding)
    if encoding == "ascii":
        assert "caf\\xe9 \\u2615 - policy configured - seed 0" in text
        assert " +/- " in text
    else:
        assert "caf\u00e9 \\u2615 \u00b7 policy configured \u00b7 seed 0" in text
        assert " \u00b1 " in text


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_check_writes_a_warning_naming_any_rule_id(encoding: str, tmp_path: Path) -> None:
    """A warning naming rules whose ids the stream cannot hold escapes those characters."""
    rule = {
        "when": {"type": "ticket", "field": "channel", "op": "equals", "value": "sms"},
        "then": {"type": "assign_to_team", "team": "t"},
    }
    path = tmp_path / "rules.json"
    rules = [{"id": "r\u00e8gle", **rule}, {"id": "\u03c1", **rule}]
    path.write_text(json.dumps({"rules": rules}), "utf-8")
    text = _ok(_cli(encoding, "check", str(path)), encoding)
    first = "r\\xe8gle" if encoding == "ascii" else "r\u00e8gle"
    assert text.startswith("warning: rule '\\u03c1' ($.rules[1].when): can never fire: ")
    assert f"rule '{first}' catches every ticket it matches" in text


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_check_writes_an_error_naming_any_team(encoding: str, tmp_path: Path) -> None:
    """An error on stderr names a team the stream cannot hold with backslash escapes."""
    rule = {
        "id": "r",
        "when": {"type": "ticket", "field": "channel", "op": "equals", "value": "sms"},
        "then": {"type": "assign_to_team", "team": "\u03c4"},
    }
    path, teams = tmp_path / "rules.json", tmp_path / "teams.json"
    path.write_text(json.dumps({"rules": [rule]}), "utf-8")
    teams.write_text("[]", "utf-8")
    done = _cli(encoding, "check", str(path), "--teams", str(teams))
    assert done.returncode == 1
    message = done.stderr.decode(encoding)
    assert message.startswith("error: ")
    assert "'\\u03c4'" in message
    assert "Traceback" not in message


@pytest.fixture
def helpdesk(tmp_path: Path) -> Path:
    """A SQLite helpdesk whose one agent is named in Greek, with one ticket."""
    path = tmp_path / "helpdesk.db"
    clock = ManualClock(T0)
    agents = [Agent(id="\u03b6\u03c9\u03ae")]
    with SqliteStore(path, agents=agents) as store, SqliteCustomerData(path) as data:
        router = Router(
            rules=RuleSet(rules=[]), teams=[], store=store, customer_data=data, clock=clock
        )
        router.set_online(agents[0].id, True, actor=agents[0].id)
        router.route(Ticket(id="t1", channel="email", created_at=T0))
    return path


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_report_writes_any_agent_id(encoding: str, helpdesk: Path) -> None:
    """``report`` names an agent the stream cannot hold with backslash escapes."""
    text = _ok(
        _cli(
            encoding,
            "report",
            "--store",
            f"sqlite:///{helpdesk}",
            "--from",
            "2026-03-30T00:00:00+00:00",
            "--to",
            "2026-03-31T00:00:00+00:00",
        ),
        encoding,
    )
    assert "\\u03b6\\u03c9\\u03ae" in text


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_schema_writes_to_any_encoding(encoding: str) -> None:
    """The schemas are JSON with ASCII escapes: the same bytes in any encoding."""
    text = _ok(_cli(encoding, "schema", "rule-set"), encoding)
    assert json.loads(text)["$schema"].startswith("https://json-schema.org/")


def test_a_utf8_stream_is_written_unchanged() -> None:
    """A UTF-8 stream keeps every symbol and character; one without an encoding is
    not wrapped at all."""
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="utf-8")
    console(stream).write("\u2713 \u00b7 \u00b1 caf\u00e9 \u03c1\n")
    stream.flush()
    assert raw.getvalue().decode("utf-8") == "\u2713 \u00b7 \u00b1 caf\u00e9 \u03c1\n"
    plain = io.StringIO()
    assert console(plain) is plain


def test_every_symbol_of_the_output_has_an_ascii_stand_in() -> None:
    """In ASCII each symbol the library prints is its plain stand-in."""
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="ascii")
    console(stream).write("\u2713 \u2717 \u00b7 \u00b1 \u2014 \u2026 \u221e\n")
    stream.flush()
    assert raw.getvalue() == b"ok x - +/- -- ... inf\n"


def test_the_simulation_demo_writes_to_ascii() -> None:
    """``make demo``'s second command (``python -m helpdesk_routing.simulation.demo``)
    too: its report's · is -."""
    env = {
        **os.environ,
        "PYTHONIOENCODING": "ascii",
        "PYTHONPATH": os.pathsep.join([SRC, os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [sys.executable, "-m", "helpdesk_routing.simulation.demo"],
        capture_output=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, b"")
    assert done.stdout.decode("ascii").startswith("web shop week - policy configured - seed ")
