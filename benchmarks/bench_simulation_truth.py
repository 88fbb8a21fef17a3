"""The simulator against queueing theory at full size: the issue's truth table.

For each (c, rho) of the reference table and each policy (pooled = Erlang C, least
loaded, round robin = E_c/M/1, random split = M/M/1), independent replications of a
24/7 M/M/c scenario in the queueing-only mode (the library's own allocators), mean
handling 1 minute. Prints the simulated mean wait (in units of the mean handling time)
with its 99% confidence interval, the theoretical value, the relative error, and
whether both criteria hold: within 3% and inside the interval. The test suite runs a
scaled-down version (``tests/simulation/test_truth.py``).

    python benchmarks/bench_simulation_truth.py [--quick] [--json FILE]
        [--replications R] [--tickets N]

``--json FILE`` writes a flat JSON object name -> number (errors in percent, 1/0 for
the criteria); ``--quick`` is a smoke run (few tickets: the criteria are not expected
to hold there).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from helpdesk_routing.simulation import estimate, replicate, theory
from helpdesk_routing.simulation.scenario import AgentSpec, Exponential, PoissonArrivals, Scenario

CASES = ((2, 0.5), (4, 0.7), (8, 0.9))
POLICIES = {
    "pooled": theory.erlang_c_wait,
    "least_loaded": theory.least_loaded_wait,
    "round_robin": theory.round_robin_wait,
    "random": theory.random_split_wait,
}


def scenario(c: int, rho: float, tickets: int, policy: str) -> Scenario:
    """A 24/7 M/M/c scenario, mean handling 1 minute, the first tenth as warm-up."""
    return Scenario.model_validate(
        {
            "name": f"M/M/{c} rho={rho}",
            "arrivals": PoissonArrivals(per_hour=c * rho * 60).model_dump(),
            "days": None,
            "tickets": tickets,
            "agents": [AgentSpec(id=f"a{i}").model_dump() for i in range(c)],
            "handling": Exponential(mean_minutes=1).model_dump(),
            "mode": "queueing",
            "policy": policy,
            "warmup_tickets": tickets // 10,
        }
    )


def main() -> None:
    """Run the table, print it, write the JSON figures when asked."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run")
    parser.add_argument("--json", type=Path, help="write name -> number as JSON here")
    parser.add_argument("--replications", type=int, default=10)
    parser.add_argument("--tickets", type=int, default=200_000, help="per replication")
    args = parser.parse_args()
    replications = 3 if args.quick else args.replications
    figures: dict[str, float] = {}
    print(
        f"{'c':>2} {'rho':>4} {'policy':<13}{'simulated':>10}{'99% CI':>20}"
        f"{'theory':>9}{'error':>8}  criteria"
    )
    started = time.perf_counter()
    for c, rho in CASES:
        tickets = 2_000 if args.quick else args.tickets
        for policy, formula in POLICIES.items():
            runs = replicate(scenario(c, rho, tickets, policy), replications, seed=1000)
            found = estimate([r.summary.ttfr.mean / 60 for r in runs], confidence=0.99)
            expected = formula(c, rho)
            error = (found.mean - expected) / expected * 100
            ok = abs(error) <= 3 and found.contains(expected)
            interval = f"[{found.low:.4f}, {found.high:.4f}]"
            print(
                f"{c:>2} {rho:>4} {policy:<13}{found.mean:>10.4f}{interval:>20}"
                f"{expected:>9.4f}{error:>7.2f}%  {'ok' if ok else 'MISSED'}"
            )
            key = f"c{c}_rho{rho}_{policy}"
            figures[f"{key}_error_pct"] = round(error, 3)
            figures[f"{key}_ok"] = 1.0 if ok else 0.0
    figures["seconds"] = round(time.perf_counter() - started, 1)
    print(f"{replications} replications per row; {figures['seconds']} s")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
