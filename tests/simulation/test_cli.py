"""The simulate command and the demo report."""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
from pathlib import Path

import pytest

from helpdesk_routing import cli as main_cli
from helpdesk_routing.errors import ValidationError
from helpdesk_routing.simulation import cli
from helpdesk_routing.simulation.demo import demo, webshop_week

from .conftest import mmc


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="helpdesk-routing")
    sub = parser.add_subparsers(dest="command", required=True)
    cli.add_parser(sub)
    return parser.parse_args(argv)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_simulate_prints_reports_and_writes_json_and_png(tmp_path: Path) -> None:
    """Three replications: three reports, an interval line, a PNG and one JSON entry per run."""
    scenario = tmp_path / "s.json"
    scenario.write_text(mmc(2, 0.7, 500).model_dump_json())
    png, figures = tmp_path / "out.png", tmp_path / "out.json"
    args = _parse(
        [
            "simulate",
            str(scenario),
            "--seed",
            "5",
            "--replications",
            "3",
            "--policy",
            "pooled",
            "--plot",
            str(png),
            "--json",
            str(figures),
        ]
    )
    out, err = io.StringIO(), io.StringIO()
    assert cli.run(args, out, err) == 0
    text = out.getvalue()
    assert text.count("policy pooled") == 3
    assert "seed 7" in text
    assert "mean time to first response (min):" in text
    assert err.getvalue() == ""  # not a terminal: no progress bar
    assert png.read_bytes()[:4] == b"\x89PNG"
    data = json.loads(figures.read_text())
    assert [d["seed"] for d in data] == [5, 6, 7]


def test_simulate_days_overrides_the_scenario(tmp_path: Path) -> None:
    """--days bounds the arrivals of a scenario given in days."""
    scenario = tmp_path / "week.json"
    scenario.write_text(webshop_week().model_dump_json())
    out = io.StringIO()
    assert cli.run(_parse(["simulate", str(scenario), "--days", "1"]), out, io.StringIO()) == 0
    tickets = int(out.getvalue().split("tickets ")[1].split(",")[0])
    assert 50 < tickets < 300


def test_simulate_refuses_a_bad_file(tmp_path: Path) -> None:
    """A missing file exits 2 (usage); a file whose content is invalid exits 1, with the
    JSON path of the bad part on stderr; a bad ``--days`` exits 2."""
    err = io.StringIO()
    assert cli.run(_parse(["simulate", str(tmp_path / "nope.json")]), io.StringIO(), err) == 2
    assert err.getvalue().startswith("error: cannot read scenario")
    bad = tmp_path / "bad.json"
    bad.write_text('{"agents": []}')
    err = io.StringIO()
    assert cli.run(_parse(["simulate", str(bad)]), io.StringIO(), err) == 1
    assert err.getvalue().startswith(f"error: invalid scenario in {bad}\n  $.")
    assert "$.agents: Tuple should have at least 1 item" in err.getvalue()
    duplicate = tmp_path / "duplicate.json"
    duplicate.write_text('{"name": "a", "name": "b"}')
    err = io.StringIO()
    assert cli.run(_parse(["simulate", str(duplicate)]), io.StringIO(), err) == 1
    assert "duplicate key 'name'" in err.getvalue()
    week = tmp_path / "week.json"
    week.write_text(webshop_week().model_dump_json())
    err = io.StringIO()
    assert cli.run(_parse(["simulate", str(week), "--days", "-1"]), io.StringIO(), err) == 2
    assert err.getvalue() == "error: bad --days -1: Input should be greater than 0\n"


def test_progress_bar_draws_only_on_a_terminal() -> None:
    """The bar writes to a TTY (after min_seconds) and stays silent otherwise."""
    tty = _Terminal()
    bar = cli.Progress(tty, "run", min_seconds=0)
    bar(0.5)
    bar.close()
    assert "run [" in tty.getvalue()
    assert "50%" in tty.getvalue()
    plain = io.StringIO()
    quiet = cli.Progress(plain, "run", min_seconds=0)
    quiet(0.5)
    quiet.close()
    assert plain.getvalue() == ""


@pytest.mark.slow
def test_demo_sets_three_weeks_side_by_side() -> None:
    """The demo reports the configured week, the overnight webchat wait, and three columns."""
    text = demo()
    assert "web shop week" in text
    assert "webchat tickets came while office hours were closed" in text
    header = text.split("side by side:\n")[1].splitlines()[0]
    assert "as configured" in header
    assert "least loaded" in header
    assert "one more agent" in header
    # The extra agent joins the first agent's teams: the queues they wait in get shorter
    # (an agent in no team would take only the few tickets of no team; the bundled week
    # then waited longer on average, 473.6 min against 469.4, round robin not being
    # monotone).
    table = {
        line[:22].strip(): line[22:].split()
        for line in text.split("side by side:\n")[1].splitlines()[1:]
    }
    configured, _least, more = (float(x) for x in table["TTFR mean (min)"])
    assert more < 0.9 * configured


def test_demo_on_a_short_week() -> None:
    """The demo runs on any scenario; two days of the web shop give the same layout."""
    text = demo(webshop_week().model_copy(update={"days": 1.0, "drain_days": 1.0}))
    assert "TTFR mean (min)" in text
    assert text.count("\n") > 15


def test_simulate_is_a_subcommand_of_the_cli(tmp_path: Path) -> None:
    """``helpdesk-routing simulate SCENARIO --days 1`` runs through cli.main and reports."""
    scenario = tmp_path / "week.json"
    scenario.write_text(webshop_week().model_dump_json())
    out = io.StringIO()
    assert main_cli.main(["simulate", str(scenario), "--days", "1", "--seed", "3"], out) == 0
    assert "tickets " in out.getvalue()
    assert main_cli.main(["simulate", str(tmp_path / "nope.json")], io.StringIO()) == 2


def _mmc_file(tmp_path: Path) -> Path:
    scenario = tmp_path / "s.json"
    scenario.write_text(mmc(2, 0.7, 200).model_dump_json())
    return scenario


@pytest.mark.parametrize(
    ("option", "where", "problem"),
    [
        ("--json", "missing/out.json", "folder '{tmp}/missing' does not exist"),
        ("--plot", "missing/out.png", "folder '{tmp}/missing' does not exist"),
        ("--plot", ".", "it is a directory"),
    ],
)
def test_an_output_that_cannot_be_written_is_refused_before_the_runs(
    tmp_path: Path, option: str, where: str, problem: str
) -> None:
    """A --json or --plot file that cannot be written exits 2 naming the option, the
    path and why, and nothing is simulated (the runs may be long)."""
    target = tmp_path / where
    out, err = io.StringIO(), io.StringIO()
    assert (
        cli.run(_parse(["simulate", str(_mmc_file(tmp_path)), option, str(target)]), out, err) == 2
    )
    assert err.getvalue() == (
        f"error: cannot write {option} {target}: {problem.format(tmp=tmp_path)}\n"
    )
    assert out.getvalue() == ""


@pytest.mark.parametrize("name", ["out.xyz", "out.pdf", "outnoext", "out.png.bak"])
def test_a_plot_path_not_ending_in_png_is_refused_before_the_runs(
    tmp_path: Path, name: str
) -> None:
    """The plot is PNG: --plot with another suffix or none exits 2 with one line naming
    it, before anything is simulated (out.xyz was matplotlib's traceback after the whole
    run; out.pdf a PDF; outnoext wrote outnoext.png), and nothing is written."""
    target = tmp_path / name
    out, err = io.StringIO(), io.StringIO()
    args = _parse(["simulate", str(_mmc_file(tmp_path)), "--plot", str(target)])
    assert cli.run(args, out, err) == 2
    assert err.getvalue() == (
        f"error: cannot write --plot {target}: a plot is saved as PNG, to a path ending "
        f"in .png; got {str(target)!r}\n"
    )
    assert out.getvalue() == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.json"]


def test_a_plot_path_in_capitals_is_written_at_exactly_that_path(tmp_path: Path) -> None:
    """OUT.PNG is a PNG path: the PNG is written there and nowhere else."""
    target = tmp_path / "OUT.PNG"
    args = _parse(["simulate", str(_mmc_file(tmp_path)), "--plot", str(target)])
    assert cli.run(args, io.StringIO(), io.StringIO()) == 0
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["OUT.PNG", "s.json"]


def test_simulate_through_the_main_cli_reports_a_bad_output_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Through ``cli.main`` too, where ``--json`` of other commands means JSON output:
    simulate's --json is a file, and its error is simulate's own line, not an envelope."""
    target = tmp_path / "missing" / "out.json"
    out = io.StringIO()
    assert main_cli.main(["simulate", str(_mmc_file(tmp_path)), "--json", str(target)], out) == 2
    assert out.getvalue() == ""
    assert capsys.readouterr().err.startswith(f"error: cannot write --json {target}:")


def test_plot_without_its_extra_is_refused_before_the_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without matplotlib, --plot exits 2 naming the extra, before anything is simulated."""
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import fails as if absent
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    out, err = io.StringIO(), io.StringIO()
    args = _parse(["simulate", str(_mmc_file(tmp_path)), "--plot", str(tmp_path / "p.png")])
    assert cli.run(args, out, err) == 2
    assert err.getvalue() == (
        "error: simulate --plot needs the optional extra 'plot': "
        "pip install 'helpdesk-routing[plot]'\n"
    )
    assert out.getvalue() == ""


def test_a_write_that_fails_part_way_leaves_the_file_that_was_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A results file that was there is left byte for byte when the new results cannot
    be written whole (a full disk part way): it was overwritten in place, and left half
    written, neither the old figures nor the new. Its permissions stay; nothing is left
    beside it."""
    target = tmp_path / "out.json"
    target.write_text('[{"seed": 1}]\n', "utf-8")
    target.chmod(0o640)
    original = Path.write_text

    def half(self: Path, data: str, *args: object, **kwargs: object) -> int:
        original(self, data[:10], "utf-8")
        raise OSError(28, "No space left on device")

    args = _parse(["simulate", str(_mmc_file(tmp_path)), "--json", str(target)])
    monkeypatch.setattr(Path, "write_text", half)
    assert cli.run(args, io.StringIO(), io.StringIO()) == 2
    assert target.read_text("utf-8") == '[{"seed": 1}]\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json", "s.json"]
    monkeypatch.setattr(Path, "write_text", original)
    assert cli.run(args, io.StringIO(), io.StringIO()) == 0
    assert "ttfr" in json.dumps(json.loads(target.read_text("utf-8"))[0])
    assert target.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json", "s.json"]


def test_a_results_file_that_is_no_regular_one_is_written_in_place(tmp_path: Path) -> None:
    """``--json /dev/stdout`` into a pipe writes down the pipe (a new file beside it could
    not be made, and the pipe's /proc name was written to); a file with another name
    (a hard link) is written in place, so both names hold the results; a symbolic link
    stays a link, its target given the results."""
    import subprocess

    scenario = _mmc_file(tmp_path)
    command = [sys.executable, "-m", "helpdesk_routing", "simulate", str(scenario)]
    done = subprocess.run(
        [*command, "--json", "/dev/stdout"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert '"seed"' in done.stdout
    target = tmp_path / "out.json"
    target.write_text("[]\n", "utf-8")
    other = tmp_path / "other.json"
    os.link(target, other)
    args = _parse(["simulate", str(scenario), "--json", str(target)])
    assert cli.run(args, io.StringIO(), io.StringIO()) == 0
    assert other.read_text("utf-8") == target.read_text("utf-8") != "[]\n"
    link = tmp_path / "link.json"
    link.symlink_to(tmp_path / "real.json")
    (tmp_path / "real.json").write_text("[]\n", "utf-8")
    args = _parse(["simulate", str(scenario), "--json", str(link)])
    assert cli.run(args, io.StringIO(), io.StringIO()) == 0
    assert link.is_symlink()
    assert '"seed"' in (tmp_path / "real.json").read_text("utf-8")


def test_a_write_that_fails_after_the_runs_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write that fails anyway (the disk, a race) exits 2 with the option, not a traceback."""

    def refuse(self: Path, *args: object, **kwargs: object) -> int:
        raise OSError(28, "No space left on device")

    target = tmp_path / "out.json"
    args = _parse(["simulate", str(_mmc_file(tmp_path)), "--json", str(target)])
    monkeypatch.setattr(Path, "write_text", refuse)
    err = io.StringIO()
    assert cli.run(args, io.StringIO(), err) == 2
    assert err.getvalue() == (
        f"error: cannot write --json {target}: [Errno 28] No space left on device\n"
    )
    assert not target.exists()  # opened before the runs, removed: no empty file left


def test_json_figures_are_standard_json_when_nothing_was_started(tmp_path: Path) -> None:
    """A run without tickets has no waits: its figures are null, not NaN (which strict
    JSON readers refuse)."""
    empty = tmp_path / "empty.json"
    scenario = mmc(1, 0.5, 10).model_dump(mode="json")
    scenario.update(
        tickets=None, days=0.01, arrivals={"type": "poisson", "per_hour": 0.001}, drain_days=0
    )
    empty.write_text(json.dumps(scenario))
    target = tmp_path / "out.json"
    args = _parse(["simulate", str(empty), "--json", str(target)])
    assert cli.run(args, io.StringIO(), io.StringIO()) == 0
    text = target.read_text()
    assert "NaN" not in text
    (figures,) = json.loads(text, parse_constant=lambda name: pytest.fail(f"non-JSON {name}"))
    assert figures["tickets"] == 0
    assert figures["ttfr_mean"] is None
    assert figures["jain"] == 1.0


def test_a_scenario_file_that_is_not_utf8_is_invalid_input(tmp_path: Path) -> None:
    """Bytes that are not UTF-8 are content that is not valid (exit 1, named at $), as
    check, demo --data and report --office-hours have them; it exited 2, "cannot read"."""
    path = tmp_path / "latin1.json"
    path.write_bytes(b'{"name": "caf\xe9"}')
    err = io.StringIO()
    assert cli.run(_parse(["simulate", str(path)]), io.StringIO(), err) == 1
    assert err.getvalue() == (
        f"error: invalid scenario in {path}\n  $: not UTF-8: invalid byte at offset 13\n"
    )


def _endless(tmp_path: Path) -> Path:
    """A scenario file with neither days nor tickets."""
    data = mmc(2, 0.5, 100).model_dump(mode="json")
    data.update(days=None, tickets=None, warmup_tickets=0)
    path = tmp_path / "endless.json"
    path.write_text(json.dumps(data))
    return path


def test_days_ends_a_scenario_that_has_neither_days_nor_tickets(tmp_path: Path) -> None:
    """--days is applied before the scenario is checked: a file without days or tickets
    runs with it (it was refused, "needs days or tickets", whatever --days said)."""
    out, err = io.StringIO(), io.StringIO()
    args = _parse(["simulate", str(_endless(tmp_path)), "--days", "0.05"])
    assert cli.run(args, out, err) == 0
    assert err.getvalue() == ""
    assert "policy round_robin" in out.getvalue()


def test_without_days_a_scenario_without_days_or_tickets_is_refused(tmp_path: Path) -> None:
    """Without --days the same file is invalid input naming what it lacks, once."""
    path = _endless(tmp_path)
    err = io.StringIO()
    assert cli.run(_parse(["simulate", str(path)]), io.StringIO(), err) == 1
    assert err.getvalue() == (
        f"error: invalid scenario in {path}\n"
        "  $: Poisson arrivals need days or tickets to end them\n"
    )


@pytest.mark.parametrize(
    ("days", "reason"),
    [
        ("0", "Input should be greater than 0"),
        ("nan", "Input should be a finite number"),
        ("1e7", "days (1e+07) and drain_days (7) from start 2026-11-23T00:00:00+00:00 run past"),
    ],
)
def test_a_bad_days_is_a_usage_error_naming_days_alone(
    tmp_path: Path, days: str, reason: str
) -> None:
    """A --days the scenario cannot take exits 2 naming --days and why, not "--days or
    --policy" (argparse checks --policy), and nothing runs."""
    out, err = io.StringIO(), io.StringIO()
    args = _parse(["simulate", str(_endless(tmp_path)), "--days", days, "--policy", "pooled"])
    assert cli.run(args, out, err) == 2
    assert err.getvalue().startswith(f"error: bad --days {float(days):g}: {reason}")
    assert out.getvalue() == ""


@pytest.mark.parametrize("how", ["same path", "another spelling", "a link"])
def test_an_output_that_is_the_scenario_file_is_refused(tmp_path: Path, how: str) -> None:
    """--json naming the scenario file exits 2 before the runs and leaves the file as it
    was (the results replaced the scenario, silently)."""
    scenario = _mmc_file(tmp_path)
    before = scenario.read_bytes()
    target = {
        "same path": scenario,
        "another spelling": tmp_path / "." / "s.json",
        "a link": tmp_path / "link.json",
    }[how]
    if how == "a link":
        target.symlink_to(scenario)
    out, err = io.StringIO(), io.StringIO()
    assert cli.run(_parse(["simulate", str(scenario), "--json", str(target)]), out, err) == 2
    assert err.getvalue() == (
        f"error: cannot write --json {target}: it is the scenario file, which the results "
        "would replace\n"
    )
    assert out.getvalue() == ""
    assert scenario.read_bytes() == before


def test_plot_and_json_naming_one_file_are_refused(tmp_path: Path) -> None:
    """--plot and --json of one file exit 2 before the runs (the JSON replaced the PNG)."""
    target = tmp_path / "out.png"
    out, err = io.StringIO(), io.StringIO()
    argv = ["simulate", str(_mmc_file(tmp_path)), "--plot", str(target), "--json", str(target)]
    assert cli.run(_parse(argv), out, err) == 2
    assert err.getvalue() == f"error: --plot and --json name the same file, {target}\n"
    assert not target.exists()


def test_json_dash_is_refused_not_written_to_a_file_named_dash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """simulate's --json takes a file: '-' (standard output elsewhere) is refused, where
    a file named '-' was written."""
    monkeypatch.chdir(tmp_path)
    err = io.StringIO()
    assert (
        cli.run(_parse(["simulate", str(_mmc_file(tmp_path)), "--json", "-"]), io.StringIO(), err)
        == 2
    )
    assert err.getvalue() == (
        "error: cannot write --json -: --json takes a file to write, not standard output "
        "(./- for a file named -)\n"
    )
    assert not (tmp_path / "-").exists()


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc")
def test_an_output_only_the_system_refuses_is_found_before_the_runs(tmp_path: Path) -> None:
    """/proc is a folder that exists and looks writable but takes no new file: the file
    is opened before the runs (it failed after them, having printed the reports)."""
    out, err = io.StringIO(), io.StringIO()
    args = _parse(["simulate", str(_mmc_file(tmp_path)), "--json", "/proc/x.json"])
    assert cli.run(args, out, err) == 2
    assert err.getvalue() == "error: cannot write --json /proc/x.json: No such file or directory\n"
    assert out.getvalue() == ""


@pytest.mark.parametrize(
    "failure", [ValidationError("arrivals past the span"), KeyboardInterrupt()]
)
def test_a_run_that_fails_leaves_no_output_file_it_made_and_others_as_they_were(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: BaseException
) -> None:
    """The outputs are opened before the runs; when a run stops (an error, Ctrl-C) the
    files opened that were not there are removed, and a file that was is unchanged."""

    def stop(*args: object, **kwargs: object) -> None:
        raise failure

    monkeypatch.setattr(cli, "simulate", stop)
    new, old = tmp_path / "new.json", tmp_path / "old.png"
    old.write_bytes(b"the last run's plot")
    args = _parse(["simulate", str(_mmc_file(tmp_path)), "--json", str(new), "--plot", str(old)])
    if isinstance(failure, KeyboardInterrupt):
        with pytest.raises(KeyboardInterrupt):
            cli.run(args, io.StringIO(), io.StringIO())
    else:
        assert cli.run(args, io.StringIO(), io.StringIO()) == 1
    assert not new.exists()
    assert old.read_bytes() == b"the last run's plot"
