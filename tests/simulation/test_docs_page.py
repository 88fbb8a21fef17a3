"""The python examples of docs/simulation.md run."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FENCE = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


@pytest.mark.untraced  # repeats code smaller tests cover (conftest)
def test_python_examples_of_the_simulation_page_run() -> None:
    """Every ```python block of docs/simulation.md runs, in order, in one namespace."""
    blocks = FENCE.findall((ROOT / "docs" / "simulation.md").read_text("utf-8"))
    assert len(blocks) >= 3
    namespace: dict[str, object] = {"__name__": "doc_simulation"}
    for i, block in enumerate(blocks):
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(block, f"docs/simulation.md[block {i}]", "exec"), namespace)


@pytest.mark.untraced  # repeats code smaller tests cover (conftest)
def test_the_sweep_example_compares_cells_without_figures() -> None:
    """The sweep example holds when a cell started no ticket (its figures NaN): its rows
    compare equal with ``==``, a NaN equal to a NaN in the same place (``==`` was False
    after pickling, NaN being unequal to itself), here with every cell's only agent
    taking nothing."""
    from helpdesk_routing import simulation as sim

    blocks = FENCE.findall((ROOT / "docs" / "simulation.md").read_text("utf-8"))
    sweep = next(i for i, block in enumerate(blocks) if "sim.sweep(cells, pool)" in block)
    namespace: dict[str, object] = {"__name__": "doc_simulation"}
    for i, block in enumerate(blocks[:sweep]):
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(block, f"docs/simulation.md[block {i}]", "exec"), namespace)
    scenario = namespace["scenario"]
    assert isinstance(scenario, sim.Scenario)
    namespace["scenario"] = scenario.model_copy(
        update={
            "tickets": 20,
            "warmup_tickets": 0,
            "drain_days": 0.1,
            "agents": [sim.AgentSpec(id="ann", capacity=0)],
        }
    )
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(blocks[sweep], f"docs/simulation.md[block {sweep}]", "exec"), namespace)
    rows = namespace["rows"]
    assert isinstance(rows, list)
    assert all(row.figures["ttfr_mean"] != row.figures["ttfr_mean"] for row in rows)  # NaN
