"""A scenario's name and the agents' ids are drawn as written: matplotlib read a pair of
``$`` in them as math text, so a name ``refunds $\\frac$`` or an agent ``$$`` made
``plot`` fail with matplotlib's own ``ValueError`` (and ``simulate --plot`` end in a
traceback after every run), and ``cost $5 to $10`` was drawn as math."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpdesk_routing import simulation as sim

NAMES = [r"refunds $\frac$ test", "cost $5 to $10", r"a\$", "plain"]
AGENTS = ["$$", r"c$\x$", "ann"]


def _result(name: str) -> sim.SimulationResult:
    scenario = sim.Scenario(
        name=name,
        arrivals=sim.PoissonArrivals(per_hour=60),
        days=None,
        tickets=30,
        warmup_tickets=0,
        agents=[sim.AgentSpec(id=a) for a in AGENTS],
        handling=sim.Exponential(mean_minutes=1.5),
        policy="round_robin",
    )
    return sim.run(scenario, 1)


@pytest.mark.parametrize("name", NAMES)
def test_names_and_agent_ids_are_drawn_as_written(name: str, tmp_path: Path) -> None:
    fig = _result(name).plot(tmp_path / "p.png")
    assert (tmp_path / "p.png").stat().st_size > 0
    title = fig._suptitle
    assert title._preprocess_math(title.get_text()) == (f"{name} · round_robin · seed 1", False)
    load_ax = fig.axes[2]
    drawn = [t._preprocess_math(t.get_text()) for t in load_ax.get_xticklabels()]
    assert drawn == [(a, False) for a in AGENTS]
