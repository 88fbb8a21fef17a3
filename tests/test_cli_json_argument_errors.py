"""With the ``--json`` flag (of ``demo``, ``check`` and ``report``), an argument error
that argparse finds is told as every other error is: one JSON object on stdout, stderr
empty, exit 2; without the flag it is argparse's usage text on stderr, exit 2. And a
JSON entry's ``code`` agrees with the exit status (docs/cli.md)."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

import pytest

from helpdesk_routing import cli
from helpdesk_routing.errors import ErrorDetail, ValidationError

PERIOD = ["--from", "2026-03-30T00:00:00+00:00", "--to", "2026-03-31T00:00:00+00:00"]
STORE = ["--store", "sqlite:///nowhere.db"]

# (argv with the flag, a part of argparse's message)
ARGUMENT_ERRORS: list[tuple[list[str], str]] = [
    (["demo", "--json", "--bogus"], "unrecognized arguments: --bogus"),
    (["demo", "--bogus", "--json"], "unrecognized arguments: --bogus"),
    (["demo", "--json", "--data"], "argument --data: expected one argument"),
    (["check", "--json"], "the following arguments are required: file"),
    (["check", "rules.json", "--json", "--teams"], "argument --teams: expected one argument"),
    (["check", "rules.json", "--json", "extra.json"], "unrecognized arguments: extra.json"),
    (["report", "--json"], "the following arguments are required: --store, --from, --to"),
    (
        ["report", "--json", *STORE, "--from", "2026-03-30T00:00:00", "--to", PERIOD[3]],
        "argument --from: needs a time zone offset: '2026-03-30T00:00:00'",
    ),
    (
        ["report", *STORE, *PERIOD, "--target-minutes", "-5", "--json"],
        "argument --target-minutes: must be a number of minutes of at least 0: '-5'",
    ),
    (
        ["report", *STORE, *PERIOD, "--target-minutes", "soon", "--js"],
        "argument --target-minutes: not a number of minutes: 'soon'",
    ),
    (["report", "--json", *STORE, *PERIOD, "--bogus"], "unrecognized arguments: --bogus"),
    (["report", "--store", "--json", *PERIOD], "argument --store: expected one argument"),
]


def _main(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    out = io.StringIO()
    code = cli.main(argv, out)
    captured = capsys.readouterr()
    assert captured.out == ""
    return code, out.getvalue(), captured.err


@pytest.mark.parametrize(("argv", "message"), ARGUMENT_ERRORS)
def test_with_the_json_flag_an_argument_error_is_a_json_object(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bad value of a typed option, an unknown option, a missing argument: each was
    argparse's usage text on stderr, stdout empty, even with --json (or its prefix
    --js, which argparse reads as it)."""
    code, out, err = _main(argv, capsys)
    assert (code, err) == (2, "")
    answer = json.loads(out)
    assert answer == {"ok": False, "errors": [answer["errors"][0]]}
    entry = answer["errors"][0]
    assert (entry["path"], entry["code"], entry["rule_id"]) == ("$", "usage", None)
    assert message in entry["message"]
    assert "usage:" not in entry["message"]


@pytest.mark.parametrize(("argv", "message"), ARGUMENT_ERRORS)
def test_without_the_json_flag_an_argument_error_is_usage_text_on_stderr(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without the flag nothing changes: the usage and the message on stderr, exit 2."""
    plain = [a for a in argv if a not in ("--json", "--js")]
    code, out, err = _main(plain, capsys)
    assert (code, out) == (2, "")
    assert err.startswith("usage: helpdesk-routing")
    assert err.splitlines()[-1].endswith(f"error: {message}")


@pytest.mark.parametrize(
    "argv",
    [
        ["simulate", "--json"],  # its --json names a file: not the flag
        ["simulate", "scenario.json", "--json", "out.json", "--bogus"],
        ["schema", "--json"],  # schema has no --json
        ["check", "rules.json", "--", "--json"],  # after --, an argument, not the flag
        ["report", *STORE, *PERIOD, "--json=yes"],  # the flag takes no value
        ["--json", "bogus"],  # no such subcommand
    ],
)
def test_what_is_not_the_json_flag_leaves_the_usage_text(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """``simulate --json OUT.json`` keeps its own behaviour (errors on stderr,
    docs/cli.md), and so does a command line whose ``--json`` is not the flag."""
    code, out, err = _main(argv, capsys)
    assert (code, out) == (2, "")
    assert err.startswith("usage: helpdesk-routing")


def test_help_with_the_json_flag_is_still_help(capsys: pytest.CaptureFixture[str]) -> None:
    """--help is no error: its text on stdout, exit 0."""
    assert cli.main(["report", "--json", "--help"]) == 0
    assert "usage: helpdesk-routing report" in capsys.readouterr().out


def test_a_period_that_ends_before_it_starts_is_usage_with_code_usage(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``report --from`` after ``--to`` is bad arguments: exit 2 (docs/cli.md's table),
    and its JSON entry says so (it said ``"invalid"``, the code of invalid input, exit 1),
    naming the options as given."""
    argv = ["report", *STORE, "--from", PERIOD[3], "--to", PERIOD[1]]
    code, out, err = _main([*argv, "--json"], capsys)
    assert (code, err) == (2, "")
    [entry] = json.loads(out)["errors"]
    assert entry["code"] == "usage"
    assert entry["message"].startswith("--to must be after --from, got 2026-03-31T00:00:00+00:00")
    code, out, err = _main(argv, capsys)
    assert (code, out) == (2, "")
    assert err.startswith("error: --to must be after --from")


def test_a_store_that_cannot_be_read_says_usage(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An error that exits 2 says ``"usage"`` in every entry."""
    missing = tmp_path / "none.db"
    code, out, _ = _main(["report", "--json", "--store", f"sqlite:///{missing}", *PERIOD], capsys)
    assert code == 2
    assert [e["code"] for e in json.loads(out)["errors"]] == ["usage"]


def test_fail_gives_each_entry_the_code_of_its_exit_status() -> None:
    """cli.fail: exit 2 makes every entry's code ``"usage"`` (a ValidationError's details
    too); exit 1 keeps the details' own codes."""
    error = ValidationError(
        "bad", [ErrorDetail("$.a", "wrong", "invalid"), ErrorDetail("$.b", "worse", "missing")]
    )
    flag = argparse.Namespace(json=True)
    out = io.StringIO()
    assert cli.fail(flag, out, cli.EXIT_USAGE, error) == 2
    entries = json.loads(out.getvalue())["errors"]
    assert [(e["path"], e["code"]) for e in entries] == [("$.a", "usage"), ("$.b", "usage")]
    out = io.StringIO()
    assert cli.fail(flag, out, cli.EXIT_INVALID, error) == 1
    entries = json.loads(out.getvalue())["errors"]
    assert [(e["path"], e["code"]) for e in entries] == [("$.a", "invalid"), ("$.b", "missing")]
