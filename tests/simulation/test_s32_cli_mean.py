"""``simulate --replications R`` says when a replication had no first response: it
dropped such replications from the mean silently (``0 ± 0 (95%, n=2)`` over three), or
left the line out. As ``estimate`` and ``compare`` refuse NaN, it gives no mean then."""

from __future__ import annotations

import argparse
import io
import re
from pathlib import Path

from helpdesk_routing.simulation import AgentSpec, Exponential, PoissonArrivals, Scenario, cli

# one ticket an hour for 72 minutes: some seeds draw none
_FEW = Scenario(
    name="few",
    arrivals=PoissonArrivals(per_hour=1),
    days=0.05,
    drain_days=0.1,
    agents=[AgentSpec(id="ann")],
    handling=Exponential(mean_minutes=1.5),
)


def _simulate(tmp_path: Path, seed: int) -> str:
    scenario = tmp_path / "few.json"
    scenario.write_text(_FEW.model_dump_json())
    parser = argparse.ArgumentParser(prog="helpdesk-routing")
    cli.add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(
        ["simulate", str(scenario), "--seed", str(seed), "--replications", "3"]
    )
    out, err = io.StringIO(), io.StringIO()
    assert cli.run(args, out, err) == 0
    return out.getvalue()


def _started(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"tickets \d+, started (\d+)", text)]


def test_a_replication_without_a_first_response_is_said(tmp_path: Path) -> None:
    text = _simulate(tmp_path, 5)
    assert _started(text) == [1, 0, 1]  # seed 6 starts none
    assert text.endswith(
        "mean time to first response (min): none: 1 of 3 replications (seed 6) had no "
        "first response (no measured ticket started), so the replications have no mean\n"
    )


def test_two_replications_without_one_are_said_too(tmp_path: Path) -> None:
    text = _simulate(tmp_path, 0)
    assert _started(text) == [0, 0, 1]
    assert text.endswith(
        "mean time to first response (min): none: 2 of 3 replications (seeds 0, 1) had "
        "no first response (no measured ticket started), so the replications have no mean\n"
    )


def test_replications_with_first_responses_have_their_interval(tmp_path: Path) -> None:
    text = _simulate(tmp_path, 7)  # seeds 7, 8, 9 each start some
    assert _started(text) == [1, 3, 1]
    assert re.search(r"mean time to first response \(min\): \S+ ± \S+ \(95%, n=3\)\n$", text)
