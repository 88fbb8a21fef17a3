"""The command line writes no control character from data: ESC and the other controls
are backslash escapes on any stream, and a key with a line break in a ``check`` error
stays on its detail's line."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest

import helpdesk_routing
from helpdesk_routing._console import console
from helpdesk_routing.cli import fail
from helpdesk_routing.errors import RoutingError, UnknownTicket

SRC = str(Path(helpdesk_routing.__file__).resolve().parents[1])
ESC = "\x1b[2J\x1b]8;;https://evil.example/\x07"
FORGED = "\n  $.rules[0].then.team: unknown team 'billing'"


def _cli(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONIOENCODING": "utf-8",
        "PYTHONPATH": os.pathsep.join([SRC, os.environ.get("PYTHONPATH", "")]),
    }
    return subprocess.run(
        [sys.executable, "-m", "helpdesk_routing", *argv],
        capture_output=True,
        env=env,
        cwd=cwd,
        text=True,
        encoding="utf-8",
        timeout=300,
        check=False,
    )


def test_the_console_escapes_control_characters_but_its_own_line_breaks() -> None:
    """ESC, C1, DEL, U+2028 and a bidi override are escapes; ``\\n``, ``\\r``, ``\\t`` and
    printable text (``✓``, ``é``) are written as they are, on a UTF-8 stream too."""
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="utf-8", newline="")
    out = console(stream)
    out.write("t1\x1b[2J \x85\x7f\u2028\u202e ✓ é\n\r\tend")
    out.flush()
    assert raw.getvalue().decode("utf-8") == "t1\\x1b[2J \\x85\\x7f\\u2028\\u202e ✓ é\n\r\tend"


def test_a_check_error_keeps_a_key_with_a_line_break_on_its_line(tmp_path: Path) -> None:
    """An unknown key holding a line break and ESC is one bracketed step of its detail's
    path: the error is its message and one detail line, no ESC."""
    key = "x" + FORGED + ESC
    rule = {
        "id": "r1",
        "when": {"type": "ticket", "field": "channel", "op": "equals", "value": "e", key: 1},
        "then": {"type": "assign_to_team", "team": "t"},
    }
    (tmp_path / "rules.json").write_text(json.dumps({"rules": [rule]}), "utf-8")
    done = _cli("check", "rules.json", cwd=tmp_path)
    assert done.returncode == 1
    assert "\x1b" not in done.stderr
    assert done.stderr.splitlines() == [
        "error: invalid rule set in rules.json",
        f"  $.rules[0].when[{json.dumps(key)}]: rule 'r1': Extra inputs are not permitted",
    ]


def test_an_unknown_member_of_a_configuration_file_is_one_detail_line(tmp_path: Path) -> None:
    """A configuration file's unknown top-level member is named by a bracketed key when it
    holds a line break, so it cannot add an error line of its own."""
    key = "x" + FORGED
    document = {"rules": {"rules": []}, "teams": [], key: 1}
    (tmp_path / "config.json").write_text(json.dumps(document), "utf-8")
    done = _cli("check", "config.json", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "error: invalid configuration in config.json",
        f"  $[{json.dumps(key)}]: unknown member",
    ]


def test_demo_data_with_escape_sequences_writes_none(tmp_path: Path) -> None:
    """A ticket id holding ESC and an OSC-8 hyperlink reaches stdout as escapes."""
    source = resources.files("helpdesk_routing").joinpath("demo_data")
    for name in ("config.json", "customers.json", "tickets.json"):
        shutil.copyfile(str(source.joinpath(name)), tmp_path / name)
    tickets = json.loads((tmp_path / "tickets.json").read_text("utf-8"))
    tickets["tickets"][0]["id"] = "T-1001" + ESC
    (tmp_path / "tickets.json").write_text(json.dumps(tickets), "utf-8")
    done = _cli("demo", "--data", str(tmp_path), cwd=tmp_path)
    assert (done.returncode, done.stderr) == (0, "")
    assert not [c for c in done.stdout if c != "\n" and not c.isprintable()]
    assert f"ticket {'T-1001' + ESC!r}:" in done.stdout.splitlines()


def test_an_error_that_is_not_a_validation_error_is_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``fail`` writes any other library error on one line, its data shown as its repr."""
    text = "cannot read a.json" + FORGED
    assert fail(None, io.StringIO(), 1, RoutingError(text)) == 1
    assert capsys.readouterr().err.splitlines() == [f"error: {text!r}"]
    assert fail(None, io.StringIO(), 1, UnknownTicket("t1")) == 1
    assert capsys.readouterr().err.splitlines() == ["error: unknown ticket 't1'"]
