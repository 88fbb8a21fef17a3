"""Policy simulation: what would happen to a helpdesk under other rules, allocators or staffing.

A :class:`Scenario` (pydantic, JSON) describes arrivals, the ticket mix, agents and shifts,
handling times and the configuration under test; :func:`run` simulates it through the real
Router (or, in ``mode="queueing"``, through the allocators alone) and returns a
:class:`SimulationResult` with per-ticket records, load and backlog over time and a summary
computed by :mod:`helpdesk_routing.metrics`. :func:`replicate` runs independent
replications, :func:`compare` sets two policies side by side with confidence intervals,
:func:`sweep` runs a grid on any ``concurrent.futures.Executor`` (a process pool, or a Dask
cluster's executor), and :mod:`~helpdesk_routing.simulation.theory` holds the queueing
formulas the simulator is tested against.
"""

from __future__ import annotations

from . import theory
from .compare import Comparison, Estimate, compare, estimate, replicate
from .engine import run
from .policies import RandomSplit
from .replay import ReplayArrivals, ReplayTicket
from .results import SimulationResult, Summary, TicketRecords
from .scenario import (
    AgentSpec,
    Empirical,
    Exponential,
    LogNormal,
    Pending,
    PoissonArrivals,
    PolicyName,
    Scenario,
    TicketEvent,
    TicketMix,
)
from .sweep import Cell, SweepRow, SweepTable, grid, sweep

__all__ = [
    "AgentSpec",
    "Cell",
    "Comparison",
    "Empirical",
    "Estimate",
    "Exponential",
    "LogNormal",
    "Pending",
    "PoissonArrivals",
    "PolicyName",
    "RandomSplit",
    "ReplayArrivals",
    "ReplayTicket",
    "Scenario",
    "SimulationResult",
    "Summary",
    "SweepRow",
    "SweepTable",
    "TicketEvent",
    "TicketMix",
    "TicketRecords",
    "compare",
    "estimate",
    "grid",
    "replicate",
    "run",
    "sweep",
    "theory",
]
