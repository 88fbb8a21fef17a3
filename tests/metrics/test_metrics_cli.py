"""The `report` subcommand: parsing, a SQLite store, text and JSON output, bad input."""

from __future__ import annotations

import argparse
import inspect
import io
import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import helpdesk_routing
from helpdesk_routing import cli, events, metrics, metrics_cli
from helpdesk_routing.clock import ManualClock
from helpdesk_routing.handoff import (
    Conversation,
    Handoff,
    SendMessage,
    SendToHelpdesk,
    SqliteLedger,
)
from helpdesk_routing.model import Agent, Team, Ticket
from helpdesk_routing.router import Router
from helpdesk_routing.rules import RuleSet
from helpdesk_routing.stores.sqlite import SqliteCustomerData, SqliteStore

T0 = datetime(2026, 3, 30, 10, tzinfo=UTC)


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="helpdesk-routing")
    metrics_cli.add_parser(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(argv)


@pytest.fixture
def helpdesk(tmp_path: Path) -> Path:
    """A SQLite helpdesk with two tickets (one answered after 20 minutes) and a handoff."""
    path = tmp_path / "helpdesk.db"
    clock = ManualClock(T0)
    with SqliteStore(path, agents=[Agent(id="a1")]) as store, SqliteCustomerData(path) as data:
        router = Router(
            rules=RuleSet(rules=[]), teams=[], store=store, customer_data=data, clock=clock
        )
        router.set_online("a1", True, actor="a1")
        router.route(Ticket(id="t1", channel="email", created_at=T0))
        router.route(Ticket(id="t2", channel="email", created_at=T0))
        with SqliteLedger(tmp_path / "ledger.db") as ledger:
            Handoff(settings=SendToHelpdesk(), router=router, ledger=ledger, clock=clock).request(
                Conversation(id="c1", channel="sms", profile_id="p1")
            )
        clock.advance(minutes=20)
        router.reply("t1", actor="a1")
    return path


def test_report_prints_a_table(helpdesk: Path) -> None:
    """The text report names the figures: tickets, answered, TTFR and the agents' load."""
    args = _parse(
        [
            "report",
            "--store",
            f"sqlite:///{helpdesk}",
            "--from",
            "2026-03-30T00:00:00+00:00",
            "--to",
            "2026-03-31T00:00:00+00:00",
        ]
    )
    out = io.StringIO()
    assert metrics_cli.run(args, out) == 0
    text = out.getvalue()
    assert "tickets created        3" in text
    assert "answered / unanswered  1 / 2" in text
    assert "TTFR                           1   0:20:00   0:20:00   0:20:00   0:20:00" in text
    assert "a1                   3       0" in text


def test_report_json_with_ledger_and_office_hours(helpdesk: Path, tmp_path: Path) -> None:
    """--json prints the to_dict figures; --ledger counts handoffs; --office-hours adds
    business time."""
    hours = tmp_path / "hours.json"
    hours.write_text(json.dumps({"timezone": "UTC", "weekly": {"mon": [["09:00", "17:00"]]}}))
    args = _parse(
        [
            "report",
            "--store",
            f"sqlite:///{helpdesk}",
            "--from",
            "2026-03-30T00:00:00+00:00",
            "--to",
            "2026-03-31T00:00:00+00:00",
            "--json",
            "--ledger",
            f"sqlite:///{tmp_path / 'ledger.db'}",
            "--office-hours",
            str(hours),
        ]
    )
    out = io.StringIO()
    assert metrics_cli.run(args, out) == 0
    data = json.loads(out.getvalue())
    assert data["tickets"] == 3
    assert data["ttfr_seconds"]["mean"] == 1200
    assert data["ttfr_business_seconds"]["mean"] == 1200
    assert data["handoffs"] == {"handed_off": 1}
    assert data["assigned"]["a1"] == {"automatic": 3, "manual": 0, "total": 3}


def test_naive_instant_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    """--from without an offset is an argument error."""
    with pytest.raises(SystemExit):
        _parse(
            [
                "report",
                "--store",
                "sqlite:///x.db",
                "--from",
                "2026-03-30T00:00:00",
                "--to",
                "2026-03-31T00:00:00+00:00",
            ]
        )
    assert "needs a time zone offset" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("start", "end", "option"),
    [
        ("0001-01-01T00:00:00+01:00", "2026-03-31T00:00:00+00:00", "--from"),
        ("2026-03-30T00:00:00+00:00", "9999-12-31T23:59:59-01:00", "--to"),
    ],
)
def test_an_instant_outside_the_years_1_to_9999_is_named_by_its_option(
    capsys: pytest.CaptureFixture[str], start: str, end: str, option: str
) -> None:
    """It was told later, as a repr naming ``start`` or ``end`` (and with --json as
    neither), not as an argument error naming the option."""
    argv = ["report", "--store", "sqlite:///x.db", "--from", start, "--to", end]
    with pytest.raises(SystemExit):
        _parse(argv)
    err = capsys.readouterr().err
    assert f"argument {option}: must lie in years 1 to 9999 in UTC: " in err


@pytest.mark.parametrize(
    ("minutes", "message"),
    [("-5", "must be a number of minutes of at least 0: '-5'"), ("soon", "not a number")],
)
def test_a_target_is_a_number_of_minutes_of_at_least_0(
    minutes: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """--target-minutes refuses a negative or unreadable value, naming the argument."""
    base = ["--from", "2026-03-30T00:00:00+00:00", "--to", "2026-03-31T00:00:00+00:00"]
    with pytest.raises(SystemExit):
        _parse(["report", "--store", "sqlite:///x.db", *base, "--target-minutes", minutes])
    err = capsys.readouterr().err
    assert "argument --target-minutes" in err
    assert message in err


def test_missing_store_file_and_unknown_url(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A SQLite path that does not exist, or an unknown scheme, exits 2 with the reason."""
    base = ["--from", "2026-03-30T00:00:00+00:00", "--to", "2026-03-31T00:00:00+00:00"]
    missing = _parse(["report", "--store", f"sqlite:///{tmp_path / 'none.db'}", *base])
    assert metrics_cli.run(missing, io.StringIO()) == 2
    path = str(tmp_path / "none.db")
    # with the reason, as for a directory (the path alone was said)
    assert capsys.readouterr().err == f"error: no SQLite store at {path!r}: no such file\n"
    unknown = _parse(["report", "--store", "mysql://x", *base])
    assert metrics_cli.run(unknown, io.StringIO()) == 2
    assert "unknown store URL 'mysql://...'" in capsys.readouterr().err


@pytest.mark.parametrize("flag", ["--store", "--ledger"])
@pytest.mark.parametrize(
    "url", ["host=db user=app password=S3cret", "mysql://app:S3cret@db/x", "app:S3cret@db"]
)
def test_an_unknown_url_never_shows_its_password(
    helpdesk: Path, flag: str, url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A URL of no known scheme (a key-value DSN, another database's URL) is refused
    showing at most its scheme: the rest may hold a password."""
    base = ["--from", "2026-03-30T00:00:00+00:00", "--to", "2026-03-31T00:00:00+00:00"]
    store = ["--store", f"sqlite:///{helpdesk}"] if flag == "--ledger" else []
    assert metrics_cli.run(_parse(["report", *store, flag, url, *base]), io.StringIO()) == 2
    err = capsys.readouterr().err
    assert "unknown" in err
    assert "S3cret" not in err


def test_a_target_too_large_for_a_duration_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    """--target-minutes 1e300 is a usage error naming the argument, not a traceback."""
    base = ["--from", "2026-03-30T00:00:00+00:00", "--to", "2026-03-31T00:00:00+00:00"]
    with pytest.raises(SystemExit):
        _parse(["report", "--store", "sqlite:///x.db", *base, "--target-minutes", "1e300"])
    err = capsys.readouterr().err
    assert "argument --target-minutes: too many minutes for a target: '1e300'" in err


def test_a_missing_ledger_file_or_office_hours_file_is_refused(
    helpdesk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A ledger path that does not exist is refused (not reported as an empty new
    ledger, and not created); an unknown ledger scheme, an office-hours file that is
    missing each exit 2 with the reason; an office-hours file that was read but is not
    valid exits 1 (invalid input, docs/cli.md), naming the problem."""
    base = ["--store", f"sqlite:///{helpdesk}"]
    base += ["--from", "2026-03-30T00:00:00+00:00", "--to", "2026-03-31T00:00:00+00:00"]
    missing = tmp_path / "typo.db"
    assert metrics_cli.run(_parse(["report", *base, "--ledger", f"sqlite:///{missing}"])) == 2
    said = f"no SQLite handoff ledger at {str(missing)!r}: no such file\n"
    assert capsys.readouterr().err.endswith(said)
    assert not missing.exists()
    assert metrics_cli.run(_parse(["report", *base, "--ledger", "mysql://x"])) == 2
    assert "unknown ledger URL 'mysql://...'" in capsys.readouterr().err
    assert metrics_cli.run(_parse(["report", *base, "--office-hours", str(missing)])) == 2
    assert "typo.db" in capsys.readouterr().err
    bad = tmp_path / "hours.json"
    bad.write_text('{"timezone": "Mars/Base"}', "utf-8")
    assert metrics_cli.run(_parse(["report", *base, "--office-hours", str(bad)])) == 1
    assert "Mars/Base" in capsys.readouterr().err


def test_with_json_an_error_is_a_json_object_on_stdout(
    helpdesk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``report --json``: an error is ``{"ok": false, "errors": [...]}`` on stdout, as
    every subcommand's (docs/cli.md), nothing on stderr; the exit status is the same."""
    base = ["report", "--json", "--from", "2026-03-30T00:00:00+00:00"]
    base += ["--to", "2026-03-31T00:00:00+00:00"]
    missing = tmp_path / "typo.db"
    out = io.StringIO()
    assert cli.main([*base, "--store", f"sqlite:///{missing}"], out) == 2
    answer = json.loads(out.getvalue())
    assert answer["ok"] is False
    assert answer["errors"][0]["code"] == "usage"
    assert "typo.db" in answer["errors"][0]["message"]
    assert capsys.readouterr().err == ""
    bad = tmp_path / "hours.json"
    bad.write_text('{"timezone": "Mars/Base"}', "utf-8")
    out = io.StringIO()
    argv = [*base, "--store", f"sqlite:///{helpdesk}", "--office-hours", str(bad)]
    assert cli.main(argv, out) == 1
    answer = json.loads(out.getvalue())
    assert answer["ok"] is False
    assert any("Mars/Base" in entry["message"] for entry in answer["errors"])
    assert capsys.readouterr().err == ""


def test_the_report_is_a_subcommand_of_the_cli(helpdesk: Path) -> None:
    """``helpdesk-routing report --json`` (through cli.main) prints the report's figures."""
    out = io.StringIO()
    argv = ["report", "--store", f"sqlite:///{helpdesk}", "--json"]
    argv += ["--from", "2026-03-30T00:00:00+00:00", "--to", "2026-03-31T00:00:00+00:00"]
    assert cli.main(argv, out) == 0
    figures = json.loads(out.getvalue())
    assert (figures["tickets"], figures["answered"], figures["unanswered"]) == (3, 1, 2)


_PERIOD = ["--from", "2026-03-30T00:00:00+00:00", "--to", "2026-03-31T00:00:00+00:00"]


def _tables(path: Path) -> list[str]:
    with closing(sqlite3.connect(path)) as conn:
        return sorted(r[0] for r in conn.execute("SELECT name FROM sqlite_master"))


def _ledger_file(path: Path) -> None:
    with SqliteLedger(path) as ledger:
        settings = SendMessage(text="Write to help@example.com")
        Handoff(settings=settings, ledger=ledger, clock=ManualClock(T0)).request(
            Conversation(id="c1", channel="sms", profile_id="p1")
        )


def _other_program(path: Path) -> None:
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("CREATE TABLE schema_version (version TEXT)")
        conn.execute("INSERT INTO schema_version VALUES ('2.1-beta')")
        conn.execute("CREATE TABLE tickets (id)")
        conn.execute("CREATE TABLE agents (id)")
        conn.execute("CREATE TABLE audit (id)")


NOT_A_STORE = "the file holds no helpdesk_routing store"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (_ledger_file, f"{NOT_A_STORE} (missing tables: schema_version, tickets, agents, audit)"),
        (lambda p: p.write_bytes(b""), f"{NOT_A_STORE} (missing tables: schema_version"),
        (lambda p: p.write_text("not a database\n"), "file is not a database"),
        (
            _other_program,
            "its schema_version table is not a helpdesk_routing store's "
            "(no whole version number in it)",
        ),
    ],
    ids=["handoff-ledger", "empty-file", "text-file", "another-programs-database"],
)
def test_a_sqlite_file_that_holds_no_store_is_refused_and_left_as_it_was(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    make: Callable[[Path], object],
    message: str,
) -> None:
    """A report only reads: a SQLite file that is not a store (a handoff ledger, an
    empty file, another program's database) exits 2 naming the file, and the file is
    left byte for byte as it was (the store's schema was created in it and an all-zero
    report printed, exit 0)."""
    path = tmp_path / "not-a-store.db"
    make(path)
    before = path.read_bytes()
    args = _parse(["report", "--store", f"sqlite:///{path}", *_PERIOD])
    assert metrics_cli.run(args, io.StringIO()) == 2
    assert capsys.readouterr().err.startswith(f"error: no SQLite store at {str(path)!r}: {message}")
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["not-a-store.db"]


def test_a_store_of_a_newer_schema_exits_2_untouched(
    helpdesk: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A store written by a newer library is refused with exit 2 and the store's own
    message, not a traceback, and left as it was."""
    with closing(sqlite3.connect(helpdesk)) as conn, conn:
        conn.execute("UPDATE schema_version SET version = 99")
    before = helpdesk.read_bytes()
    args = _parse(["report", "--store", f"sqlite:///{helpdesk}", *_PERIOD])
    assert metrics_cli.run(args, io.StringIO()) == 2
    assert "error: database schema version 99 is newer" in capsys.readouterr().err
    assert helpdesk.read_bytes() == before


def test_a_sqlite_file_that_holds_no_ledger_is_refused_as_a_ledger(
    helpdesk: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--ledger naming a file without a handoff ledger (the store's own file, say) exits
    2 naming it, and no ledger tables are created in it (they were, and the report
    counted no handoffs)."""
    before = _tables(helpdesk)
    args = _parse(
        [
            "report",
            "--store",
            f"sqlite:///{helpdesk}",
            "--ledger",
            f"sqlite:///{helpdesk}",
            *_PERIOD,
        ]
    )
    assert metrics_cli.run(args, io.StringIO()) == 2
    assert capsys.readouterr().err.startswith(
        f"error: no SQLite handoff ledger at {str(helpdesk)!r}: the file holds no handoff "
        "ledger (missing tables: handoff_ledger_schema, handoffs)"
    )
    assert _tables(helpdesk) == before


def test_a_store_and_a_ledger_may_share_one_file(tmp_path: Path) -> None:
    """A file that holds both a store and a ledger is read as either."""
    path = tmp_path / "both.db"
    with SqliteStore(path, agents=[Agent(id="a1")]):
        pass
    _ledger_file(path)
    out = io.StringIO()
    both = f"sqlite:///{path}"
    assert (
        metrics_cli.run(
            _parse(["report", "--store", both, "--ledger", both, "--json", *_PERIOD]), out
        )
        == 0
    )
    assert json.loads(out.getvalue())["handoffs"] == {"message_shown": 1}


def test_a_store_another_process_has_open_is_read(tmp_path: Path) -> None:
    """A store in use (its newest pages, the schema among them, still in the -wal file
    beside it) is read as a store, not refused."""
    path = tmp_path / "live.db"
    with SqliteStore(path, agents=[Agent(id="a1")]) as store, SqliteCustomerData(path) as data:
        router = Router(
            rules=RuleSet(rules=[]),
            teams=[],
            store=store,
            customer_data=data,
            clock=ManualClock(T0),
        )
        router.route(Ticket(id="t1", channel="email", created_at=T0))
        assert (tmp_path / "live.db-wal").exists()
        out = io.StringIO()
        args = _parse(["report", "--store", f"sqlite:///{path}", "--json", *_PERIOD])
        assert metrics_cli.run(args, out) == 0
        assert json.loads(out.getvalue())["tickets"] == 1


def _report_into_a_closed_pipe(helpdesk: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """``helpdesk-routing report ... | head -c 0``, made certain: the process's stdout is
    a pipe whose reading end is closed before it writes a byte."""
    src = str(Path(helpdesk_routing.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
    argv = [sys.executable, "-m", "helpdesk_routing.cli", "report"]
    argv += ["--store", f"sqlite:///{helpdesk}", *_PERIOD, *options]
    read, write = os.pipe()
    os.close(read)
    try:
        return subprocess.run(
            argv, stdout=write, stderr=subprocess.PIPE, text=True, env=env, timeout=120
        )
    finally:
        os.close(write)


@pytest.mark.parametrize("options", [["--json"], []], ids=["json", "text"])
def test_a_report_into_a_closed_pipe_ends_quietly(helpdesk: Path, options: list[str]) -> None:
    """``report --json | head -c 10`` printed a 22-line BrokenPipeError traceback (the
    error handler wrote JSON to the same closed pipe), exit 1; the text report said
    ``error: [Errno 32] Broken pipe``, exit 2. Now nothing on stderr, exit 141."""
    done = _report_into_a_closed_pipe(helpdesk, *options)
    assert (done.returncode, done.stderr) == (141, "")


def test_a_postgres_connection_failure_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    """libpq's message holds a second line (``\\n\\tIs the server running ...``): the
    error is printed on one line, exit 2."""
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    dsn = f"postgresql://nobody@127.0.0.1:{port}/none?connect_timeout=1"
    assert metrics_cli.run(_parse(["report", "--store", dsn, *_PERIOD]), io.StringIO()) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: cannot connect to PostgreSQL")
    assert "Connection refused" in err
    assert err.endswith("\n")
    assert err.splitlines(keepends=True) == [err]
    assert "\t" not in err


def test_an_unreachable_postgres_is_tried_as_often_as_a_store_tries_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``report``'s first look at a database it cannot reach connected once, failed,
    and left the store's opening to try three times more: at a host that never
    answers, 40 s before the error, not the store's 30. The look's tries are the
    store's (its ``attempts`` default), and their failure is the report's error."""
    import psycopg

    from helpdesk_routing.stores.postgres import PostgresStore, _database

    tried: list[str] = []

    def unreachable(dsn: str, **kwargs: Any) -> None:
        tried.append(dsn)
        raise psycopg.OperationalError("connection timeout expired")

    monkeypatch.setattr(psycopg, "connect", unreachable)
    monkeypatch.setattr(_database.time, "sleep", lambda seconds: None)
    dsn = "postgresql://nobody@192.0.2.1/none"
    assert metrics_cli.run(_parse(["report", "--store", dsn, *_PERIOD]), io.StringIO()) == 2
    store_tries = inspect.signature(PostgresStore).parameters["attempts"].default
    assert len(tried) == store_tries == _database.ATTEMPTS
    assert capsys.readouterr().err == (
        "error: cannot connect to PostgreSQL after 3 attempts: connection timeout expired\n"
    )


def test_the_text_report_shows_the_handoffs_of_a_ledger(helpdesk: Path, tmp_path: Path) -> None:
    """With --ledger the text report counts the handoffs by state, as --json does (it
    never mentioned them); a ledger without handoffs in the period says 0; without
    --ledger there is no handoff line."""
    base = ["report", "--store", f"sqlite:///{helpdesk}"]
    ledger = ["--ledger", f"sqlite:///{tmp_path / 'ledger.db'}"]
    out = io.StringIO()
    assert metrics_cli.run(_parse([*base, *_PERIOD, *ledger]), out) == 0
    assert "handoffs               1 (handed_off 1)\n" in out.getvalue()
    later = ["--from", "2026-04-01T00:00:00+00:00", "--to", "2026-04-02T00:00:00+00:00"]
    out = io.StringIO()
    assert metrics_cli.run(_parse([*base, *later, *ledger]), out) == 0
    assert "handoffs               0\n" in out.getvalue()
    out = io.StringIO()
    assert metrics_cli.run(_parse([*base, *_PERIOD]), out) == 0
    assert "handoffs" not in out.getvalue()


# --- The text report shows every figure of the JSON ----------------------------------

_SHARES = {"within_target", "within_target_business", "resolution_rate", "handoff_rate"}
_BY_ID = {"assigned", "waiting_by_team", "ai_by_channel", "handoffs"}  # keyed by an id


def _leaves(
    data: object, path: tuple[object, ...] = ()
) -> Iterator[tuple[tuple[object, ...], object]]:
    """Each figure of the report's JSON with its path, and each id a mapping is keyed by
    (an agent, a team, a channel, a state: ``(..., id, "id")``)."""
    if isinstance(data, dict):
        for key, value in data.items():
            if path and path[-1] in _BY_ID:
                yield (*path, key, "id"), key
            yield from _leaves(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _leaves(value, (*path, i))
    else:
        yield path, data


def _as_shown(path: tuple[object, ...], value: object) -> str:
    """How the text report shows a figure of the JSON: durations as H:MM:SS, shares and
    rates in percent, Jain and Gini to three decimals, NaN (null) as "-"."""
    key, parent = path[-1], str(path[-2]) if len(path) > 1 else ""
    if value is None:
        return "-"
    if key in _SHARES:
        return f"{value:.1%}"
    if key in ("jain", "gini"):
        return f"{value:.3f}"
    if key == "target_seconds" or (parent.endswith("_seconds") and key != "count"):
        assert isinstance(value, (int, float))
        return str(timedelta(seconds=round(value)))
    return str(value)


def _assert_the_same_figures(data: dict[str, Any], text: str) -> None:
    """Every figure of ``data`` (the JSON) is in ``text``, each in a place of its own
    (an occurrence found is struck out), and the text shows no number besides them (but
    the handoffs' total, the sum of their states): a figure added to one and not to the
    other fails here."""
    rest = text
    derived = [(("handoffs", "total"), sum(data["handoffs"].values()))] if data["handoffs"] else []
    for path, value in [*_leaves(data), *derived]:
        shown = _as_shown(path, value)
        found = re.search(rf"(?<![\w.:%+-]){re.escape(shown)}(?![\w.:%+])", rest)
        where = ".".join(map(str, path))
        assert found is not None, f"{where} = {value!r} is not shown ({shown!r}):\n{text}"
        rest = rest[: found.start()] + "§" + rest[found.end() :]
    assert re.findall(r"(?<!\w)\d\S*", rest) == [], f"numbers no figure has:\n{rest}"
    assert re.findall(r"(?<!\S)-(?!\S)", rest) == [], f"a '-' no figure has:\n{rest}"


def _busy_helpdesk(path: Path) -> None:
    """A SQLite helpdesk (with its handoff ledger in the same file) whose report has a
    figure of each kind: answered in and out of office hours, resolved, waiting in
    Unassigned and in a team's inbox, reassigned by hand, always-online agents, the AI
    agent's conversations on two channels, a handoff."""
    clock = ManualClock(datetime(2026, 3, 29, 12, tzinfo=UTC))
    agents = [Agent(id="a1"), Agent(id="a2"), Agent(id="a3")]
    teams = [Team(id="billing", members=("a3",))]
    with (
        SqliteStore(path, agents=agents) as store,
        SqliteCustomerData(path) as data,
        SqliteLedger(path) as ledger,
    ):
        router = Router(
            rules=RuleSet(rules=[]), teams=teams, store=store, customer_data=data, clock=clock
        )
        router.set_online("a1", True, actor="a1")
        router.set_online("a2", True, actor="a2")
        clock.set(datetime(2026, 3, 30, 8, tzinfo=UTC))  # before the office opens at 9:00
        router.route(Ticket(id="t0", channel="email", created_at=clock.now()))
        clock.set(datetime(2026, 3, 30, 9, 30, tzinfo=UTC))
        router.reply("t0", actor="a1")  # 1:30 elapsed, 0:30 in business time
        clock.set(T0)  # Monday 10:00 UTC
        for i in range(1, 6):
            router.route(Ticket(id=f"t{i}", channel="email", created_at=clock.now()))
        clock.advance(minutes=25)
        router.reply("t1", actor="a1")
        clock.advance(minutes=50)
        router.reply("t2", actor="a2")
        router.set_status("t1", "closed", actor="a1")
        other = "a1" if router.ticket("t3").assignee == "a2" else "a2"
        router.assign("t3", to=other, actor=other)  # by hand
        router.assign_to_team("t4", "billing", actor="a1")  # a3 is offline: it waits
        clock.set(datetime(2026, 3, 30, 19, tzinfo=UTC))  # closed at 17:00
        router.reply("t5", actor="a1")
        router.route(Ticket(id="t6", channel="email", created_at=clock.now()))
        router.unassign("t6", actor="a1")  # it waits in Unassigned
        for cid, channel, outcome in [
            ("c1", "webchat", events.ConversationResolved),
            ("c2", "webchat", None),
            ("c3", "sms", events.ConversationEscalated),
        ]:
            started = events.ConversationStarted(conversation_id=cid, channel=channel)
            events.record(started, data, profile_id="p1", at=clock.now())
            if outcome is not None:
                done = outcome(conversation_id=cid, channel=channel)
                events.record(done, data, profile_id="p1", at=clock.now())
        Handoff(settings=SendToHelpdesk(), router=router, ledger=ledger, clock=clock).request(
            Conversation(id="c3", channel="sms", profile_id="p1")
        )


def test_the_text_report_shows_every_figure_of_the_json(tmp_path: Path) -> None:
    """Without --json the report is "a table of the same figures" (docs/metrics.md): with
    office hours it left out within_target_business, both p99s, the counts of the
    duration figures, the agents' totals, the always-online agents and the AI agent's
    counts and rates per channel."""
    path = tmp_path / "helpdesk.db"
    _busy_helpdesk(path)
    hours = tmp_path / "hours.json"
    hours.write_text(json.dumps({"timezone": "UTC", "weekly": {"mon": [["09:00", "17:00"]]}}))
    argv = ["report", "--store", f"sqlite:///{path}", "--ledger", f"sqlite:///{path}", *_PERIOD]
    argv += ["--office-hours", str(hours), "--target-minutes", "45"]
    answer, table = io.StringIO(), io.StringIO()
    assert cli.main([*argv, "--json"], answer) == 0
    assert cli.main(argv, table) == 0
    data = json.loads(answer.getvalue())
    # the figures are of every kind (none left out of the walk by being empty or null)
    assert data["within_target_business"] not in (None, data["within_target"])
    assert data["always_online"]
    assert data["waiting_by_team"]
    assert data["waiting_unassigned"]
    assert len(data["ai_by_channel"]) == 2
    assert data["resolved"]
    assert data["handoffs"]
    assert any(load["manual"] for load in data["assigned"].values())
    _assert_the_same_figures(data, table.getvalue())


def test_render_text_shows_every_figure_of_to_dict() -> None:
    """A report whose figures all differ (so none can pass for another), with and
    without business time; a figure added to to_dict and not to the text fails here."""
    report = metrics.Report(
        start=datetime(2026, 3, 30, tzinfo=UTC),
        end=datetime(2026, 4, 6, tzinfo=UTC),
        target=timedelta(minutes=45),
        tickets=97,
        answered=61,
        unanswered=36,
        ttfr=metrics.DurationStats(61, 1234.0, 1001.0, 3333.0, 7777.0),
        ttfr_business=metrics.DurationStats(61, 1111.0, 999.0, 2222.0, 5555.0),
        within_target=0.62,
        within_target_business=0.71,
        assigned={"ann": metrics.AgentLoad(13, 4), "bob": metrics.AgentLoad(11, 2)},
        always_online=("ann", "bob"),
        fairness=metrics.FairnessStats(2, 2, 0.987, 0.043),
        waiting_unassigned=5,
        waiting_by_team={"billing": 7, "sales": 8},
        resolved=29,
        resolution=metrics.DurationStats(29, 40000.0, 38000.0, 70000.0, 80000.0),
        ai=metrics.AiRates(23, 9, 6),
        ai_by_channel={"sms": metrics.AiRates(10, 4, 3), "webchat": metrics.AiRates(13, 5, 3)},
        handoffs={"failed": 1, "handed_off": 6},
    )
    _assert_the_same_figures(report.to_dict(), metrics_cli.render_text(report))
    elapsed = replace(report, ttfr_business=None, within_target_business=None, handoffs={})
    data = {k: v for k, v in elapsed.to_dict().items() if v is not None}  # no business time
    _assert_the_same_figures(data, metrics_cli.render_text(elapsed))


@pytest.mark.parametrize(
    "damage",
    ["UPDATE handoff_ledger_schema SET version = 'abc'", "DELETE FROM handoff_ledger_schema"],
)
def test_a_damaged_ledger_file_exits_2_with_one_line(
    helpdesk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], damage: str
) -> None:
    """A ledger whose schema version is damaged exits 2 naming it, as a store does (a
    traceback, exit 1, ``TypeError`` or ``sqlite3.OperationalError``); with --json the
    error is the JSON object on stdout."""
    path = tmp_path / "ledger.db"
    _ledger_file(path)
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute(damage)
    base = ["report", "--store", f"sqlite:///{helpdesk}", *_PERIOD]
    base += ["--ledger", f"sqlite:///{path}"]
    assert metrics_cli.run(_parse(base), io.StringIO()) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ")
    assert str(path) in err
    assert "Traceback" not in err
    out = io.StringIO()
    assert metrics_cli.run(_parse([*base, "--json"]), out) == 2
    assert str(path) in json.loads(out.getvalue())["errors"][0]["message"]


def _bytes_and_files(path: Path) -> tuple[bytes, list[str]]:
    """The file's bytes and the files beside it of its name (``-wal``, ``-shm``, ...)."""
    return path.read_bytes(), sorted(
        p.name for p in path.parent.iterdir() if p.name.startswith(path.name)
    )


def test_a_sqlite_ledger_is_read_read_only(helpdesk: Path, tmp_path: Path) -> None:
    """``--ledger sqlite:///...`` opens the ledger read only: a ledger file in rollback
    mode keeps every byte (it was put in WAL mode, its header changed, and it took the
    write lock), and the reader cannot write to it."""
    folder = tmp_path / "ledgers"
    folder.mkdir()
    path = folder / "ledger.db"
    _ledger_file(path)
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA journal_mode=DELETE")
    before = _bytes_and_files(path)
    base = ["report", "--store", f"sqlite:///{helpdesk}", *_PERIOD]
    base += ["--ledger", f"sqlite:///{path}", "--json"]
    out = io.StringIO()
    assert metrics_cli.run(_parse(base), out) == 0
    assert json.loads(out.getvalue())["handoffs"] == {"message_shown": 1}
    assert _bytes_and_files(path) == before
    # The reader cannot write, whoever runs it (root ignores a file's mode): what a
    # read-only file or mount would refuse anyway.
    from helpdesk_routing.errors import StoreError
    from helpdesk_routing.handoff.sql_ledger import SqliteLedgerReader

    with SqliteLedgerReader(path) as reader:
        (stored,) = reader.created_between(T0, T0 + timedelta(days=1))
        later = stored.model_copy(update={"version": stored.version + 1})
        with pytest.raises(StoreError, match="opened only to read"):
            reader.replace(later)
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            reader._conn.execute("CREATE TABLE t (a)")  # SQLite itself refuses
    assert _bytes_and_files(path) == before


def test_a_sqlite_ledger_of_an_older_schema_is_refused_unmigrated(
    helpdesk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A ledger of an older schema version would be migrated by opening it writable: a
    report refuses it, exit 2, naming the file and the versions, and leaves it as it
    was."""
    from helpdesk_routing.handoff.sql_ledger import LEDGER_SCHEMA_VERSION

    path = tmp_path / "old.db"
    _ledger_file(path)
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("DELETE FROM handoff_ledger_schema WHERE version > 1")
    before = _bytes_and_files(path)
    base = ["report", "--store", f"sqlite:///{helpdesk}", *_PERIOD]
    assert metrics_cli.run(_parse([*base, "--ledger", f"sqlite:///{path}"]), io.StringIO()) == 2
    err = capsys.readouterr().err
    assert f"has schema version 1, older than this library's {LEDGER_SCHEMA_VERSION}" in err
    assert str(path) in err
    # every byte as it was (SQLite may leave empty -wal and -shm files of a WAL file it
    # read beside it, as docs/metrics.md says)
    assert _bytes_and_files(path)[0] == before[0]


def test_a_ledger_reader_on_a_file_that_is_no_database_is_a_store_error(tmp_path: Path) -> None:
    """``SqliteLedgerReader`` on a file that is no SQLite database raises ``StoreError``
    naming it (a raw ``sqlite3.DatabaseError``, its connection left open)."""
    from helpdesk_routing.errors import StoreError
    from helpdesk_routing.handoff.sql_ledger import SqliteLedgerReader

    path = tmp_path / "notes.txt"
    path.write_bytes(b"not a database, but long enough to be read as a header " * 20)
    with pytest.raises(StoreError, match="file is not a database"):
        SqliteLedgerReader(path)
