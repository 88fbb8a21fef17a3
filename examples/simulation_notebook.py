# %% [markdown]
# # Simulating routing policies
#
# A percent-format notebook (open it in Jupyter with jupytext, VS Code or Spyder, or run it
# as a script: `python examples/simulation_notebook.py [DIRECTORY] [--full]`). It
# reproduces the classic pooling table against queueing theory, then shows what office
# hours do to webchat tickets that arrive at night. Plots are saved as PNG in DIRECTORY
# (a temporary one by default). `--full` runs the table with the sizes
# (10 replications of 200,000 tickets); the default is a quick version (8 of 20,000),
# whose intervals are wide at c=8, rho=0.9 but contain the theory.

# %%
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from helpdesk_routing.simulation import (
    AgentSpec,
    Exponential,
    PoissonArrivals,
    Scenario,
    estimate,
    replicate,
    run,
    theory,
)
from helpdesk_routing.simulation.demo import overnight_webchat, webshop_week

args = [a for a in sys.argv[1:] if not a.startswith("--")]
FULL = "--full" in sys.argv
OUT = Path(args[0]) if args else Path(tempfile.mkdtemp(prefix="simulation-"))
OUT.mkdir(parents=True, exist_ok=True)
TICKETS, REPLICATIONS = (200_000, 10) if FULL else (20_000, 8)

# %% [markdown]
# ## Pooling: one queue, least loaded, round robin, random
# A 24/7 helpdesk with `c` agents, Poisson arrivals and exponential handling of mean 1
# (so waits are in units of the handling time), simulated in the queueing-only mode: the
# library's own allocators decide, without rules or a store.

# %%
THEORY = {
    "pooled": theory.erlang_c_wait,
    "least_loaded": theory.least_loaded_wait,
    "round_robin": theory.round_robin_wait,
    "random": theory.random_split_wait,
}


def mmc(c: int, rho: float) -> Scenario:
    """A 24/7 M/M/c scenario of TICKETS tickets, the first tenth left out as warm-up."""
    return Scenario(
        name=f"M/M/{c}",
        arrivals=PoissonArrivals(per_hour=c * rho * 60),
        days=None,
        tickets=TICKETS,
        warmup_tickets=TICKETS // 10,
        agents=tuple(AgentSpec(id=f"a{i}") for i in range(c)),
        handling=Exponential(mean_minutes=1),
        mode="queueing",
    )


rows = []
for c, rho in [(2, 0.5), (4, 0.7), (8, 0.9)]:
    for policy, formula in THEORY.items():
        runs = replicate(mmc(c, rho).with_policy(policy), REPLICATIONS, seed=1)
        est = estimate([r.summary.ttfr.mean / 60 for r in runs], confidence=0.99)
        rows.append((c, rho, policy, formula(c, rho), est))

size = "full" if FULL else "quick: --full runs the issue's sizes"
print(f"{REPLICATIONS} replications of {TICKETS:,} tickets ({size})")
print(
    f"{'c':>2} {'rho':>4} {'policy':<13} {'theory':>8} {'simulated (99% CI)':>22}"
    f" {'error':>7}  theory in CI"
)
for c, rho, policy, expected, est in rows:
    error = (est.mean - expected) / expected
    inside = "yes" if abs(est.mean - expected) <= est.half_width else "NO"
    print(
        f"{c:>2} {rho:>4} {policy:<13} {expected:>8.4f} {est.mean:>10.4f} ± {est.half_width:<7.4f}"
        f" {error:>+7.1%}  {inside}"
    )

# %%
fig, ax = plt.subplots(figsize=(7, 4))
for policy in THEORY:
    xs = [f"c={c}, rho={rho}" for c, rho, p, _, _ in rows if p == policy]
    sim = [e.mean for _, _, p, _, e in rows if p == policy]
    err = [e.half_width for _, _, p, _, e in rows if p == policy]
    ax.errorbar(xs, sim, yerr=err, marker="o", capsize=3, label=policy)
    ax.scatter(xs, [t for _, _, p, t, _ in rows if p == policy], marker="x", color="black")
ax.set_yscale("log")
ax.set_ylabel("mean wait / mean handling time")
ax.set_title("Simulated (dots, 99% CI) against theory (x)")
ax.legend()
fig.tight_layout()
fig.savefig(OUT / "pooling.png", dpi=100)
plt.close(fig)

# %% [markdown]
# ## Office hours and the overnight backlog
# The bundled week of a web shop binds webchat to office hours (08:00-18:00). Give it an
# evening agent (18:00-23:00, Monday to Friday): email, SMS and social tickets of the
# evening are handed to them, but a webchat ticket that comes after closing waits for the
# morning. The same week with no channel bound shows what that costs webchat customers.

# %%
evening = AgentSpec(
    id="eve",
    name="Evening agent",
    shift={
        "timezone": "Europe/Amsterdam",
        "weekly": {d: [("18:00", "23:00")] for d in ("mon", "tue", "wed", "thu", "fri")},
    },
)
week = webshop_week().with_agent(evening)
unbound = week.model_copy(
    update={
        "configuration": week.configuration.model_copy(
            update={"office_hours_channels": frozenset()}
        )
    }
)
bound_result, unbound_result = run(week), run(unbound)
for name, result, scenario in [
    ("webchat bound", bound_result, week),
    ("nothing bound", unbound_result, unbound),
]:
    count, wait = overnight_webchat(result, scenario)
    print(
        f"{name:<14} overnight webchat tickets {count:>4}, mean wait {wait / 3600:5.1f} h,"
        f" mean backlog {result.summary.mean_backlog:5.1f}"
    )

# %%
fig, ax = plt.subplots(figsize=(9, 3.5))
for name, result in [("webchat bound", bound_result), ("nothing bound", unbound_result)]:
    ax.step([t / 3600 for t in result.sample_times], result.backlog, where="post", label=name)
ax.set_xlabel("hours since Monday 00:00")
ax.set_ylabel("tickets waiting")
ax.legend()
fig.tight_layout()
fig.savefig(OUT / "overnight.png", dpi=100)
plt.close(fig)
bound_result.plot(OUT / "week.png")
print(f"plots in {OUT}")
