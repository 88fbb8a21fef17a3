"""The bundled week of a web shop's helpdesk, and the ``make demo`` report.

``data/webshop_week.json`` is a :class:`~helpdesk_routing.simulation.Scenario`: five agents
on shifts in three time zones, the four recipes of the product documents (churn defense,
urgent order mod, French speakers, SMS order problems) plus a Returns team by tag, office
hours that webchat follows (so webchat tickets of the night wait for the morning), Poisson
arrivals by hour of the week, log-normal handling, and a fifth of tickets pending for a
while after work. :func:`demo` simulates the week as configured, then under least loaded
and with one more agent (on the first agent's shift, in the same teams), and sets the
three side by side.
"""

from __future__ import annotations

import math
from datetime import timedelta
from importlib import resources

from .engine import run
from .results import SimulationResult
from .scenario import AgentSpec, Scenario

__all__ = ["demo", "overnight_webchat", "side_by_side", "webshop_week"]


def webshop_week() -> Scenario:
    """The bundled scenario: a week of a web shop's helpdesk."""
    text = (
        resources.files("helpdesk_routing.simulation")
        .joinpath("data", "webshop_week.json")
        .read_text("utf-8")
    )
    return Scenario.model_validate_json(text)


def overnight_webchat(result: SimulationResult, scenario: Scenario) -> tuple[int, float]:
    """How many webchat tickets came while office hours were closed, and the mean wait (s)
    of those that started (``nan`` when none did). Every such ticket counts, one still
    waiting when the run ended too (it has no wait yet: :func:`_overnight` says how many):
    runs on the same arrivals count the same tickets."""
    count, waits = _overnight(result, scenario)
    return count, (math.fsum(waits) / len(waits) if waits else math.nan)


def _overnight(result: SimulationResult, scenario: Scenario) -> tuple[int, list[float]]:
    """The webchat tickets that came while office hours were closed: how many, and the
    waits of those that started."""
    hours = scenario.configuration.office_hours
    if hours is None:
        return 0, []
    r = result.records
    count, waits = 0, []
    for c, ch, s in zip(r.created, r.channel, r.started, strict=True):
        if ch == "webchat" and not hours.is_open(scenario.start + timedelta(seconds=c)):
            count += 1
            if not math.isnan(s):
                waits.append(s - c)
    return count, waits


def side_by_side(columns: dict[str, tuple[SimulationResult, Scenario]]) -> str:
    """A table of the main figures, one column per named run."""

    def minutes(x: float) -> str:
        return "-" if math.isnan(x) else f"{x / 60:.1f}"

    rows: list[tuple[str, list[str]]] = []
    stats = {name: r.summary for name, (r, _) in columns.items()}
    night = {name: overnight_webchat(r, s) for name, (r, s) in columns.items()}
    rows.append(("tickets", [str(s.tickets) for s in stats.values()]))
    rows.append(("TTFR mean (min)", [minutes(s.ttfr.mean) for s in stats.values()]))
    rows.append(("TTFR median (min)", [minutes(s.ttfr.median) for s in stats.values()]))
    rows.append(("TTFR p90 (min)", [minutes(s.ttfr.p90) for s in stats.values()]))
    rows.append(("over target", [f"{s.over_target:.1%}" for s in stats.values()]))
    rows.append(("webchat overnight", [str(n) for n, _ in night.values()]))
    rows.append(("  their wait (h)", [minutes(w / 60) for _, w in night.values()]))
    rows.append(("mean backlog", [f"{s.mean_backlog:.1f}" for s in stats.values()]))
    rows.append(("spread max-min", [str(s.fairness.spread) for s in stats.values()]))
    rows.append(("Jain", [f"{s.fairness.jain:.3f}" for s in stats.values()]))
    rows.append(("Gini", [f"{s.fairness.gini:.3f}" for s in stats.values()]))
    names = list(columns)
    width = max(len(n) for n in names) + 2
    label = max(len(r[0]) for r in rows) + 2
    lines = [" " * label + "".join(n.rjust(width) for n in names)]
    for name, cells in rows:
        lines.append(name.ljust(label) + "".join(c.rjust(width) for c in cells))
    return "\n".join(lines)


def demo(scenario: Scenario | None = None) -> str:
    """Simulate the week as configured, under least loaded, and with one more agent (the
    first agent's shift and teams).

    Returns the report: the configured week's summary, then the three side by side.
    """
    week = webshop_week() if scenario is None else scenario
    # One more agent like the first: the same shift and the same teams (an agent in no
    # team would take only the tickets of no team, and leave the teams' queues as long).
    first = week.agents[0]
    extra = AgentSpec(id="extra-agent", name="One more agent", shift=first.shift)
    teams = [t.id for t in week.configuration.teams if first.id in t.members]
    runs = {
        "as configured": week,
        "least loaded": week.with_policy("least_loaded"),
        "one more agent": week.with_agent(extra, teams=teams),
    }
    results = {name: (run(s), s) for name, s in runs.items()}
    configured = results["as configured"][0]
    count, waits = _overnight(configured, week)
    if not count:
        overnight = "  no webchat ticket came while office hours were closed"
    elif len(waits) == count:
        overnight = (
            f"  {count} webchat tickets came while office hours were closed; they waited "
            f"{math.fsum(waits) / count / 3600:.1f} h on average (they wait for the opening)"
        )
    else:
        late = count - len(waits)
        started = (
            f"the {len(waits)} that started waited "
            f"{math.fsum(waits) / len(waits) / 3600:.1f} h on average"
            if waits
            else "none started"
        )
        overnight = (
            f"  {count} webchat tickets came while office hours were closed; {started}, "
            f"{late} had not started when the run ended"
        )
    return "\n".join(
        [
            configured.report(),
            overnight,
            "",
            "The same week, side by side:",
            side_by_side(results),
        ]
    )


if __name__ == "__main__":  # pragma: no cover - ``python -m helpdesk_routing.simulation.demo``
    import sys

    from helpdesk_routing._console import console

    # The report's symbols (· ±) as ASCII where the output cannot hold them (cp1252).
    print(demo(), file=console(sys.stdout))
