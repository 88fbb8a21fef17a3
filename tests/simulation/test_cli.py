"""The simulate command and the demo report."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

import pytest

from helpdesk_routing import cli as main_cli
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
    assert err.getvalue().startswith("simulate: cannot read scenario")
    bad = tmp_path / "bad.json"
    bad.write_text('{"agents": []}')
    err = io.StringIO()
    assert cli.run(_parse(["simulate", str(bad)]), io.StringIO(), err) == 1
    assert err.getvalue().startswith(f"simulate: invalid scenario {bad}: invalid scenario")
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
    assert err.getvalue().startswith("simulate: bad --days or --policy")


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
