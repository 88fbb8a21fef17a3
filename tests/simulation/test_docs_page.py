"""The python examples of docs/simulation.md run."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FENCE = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def test_python_examples_of_the_simulation_page_run() -> None:
    """Every ```python block of docs/simulation.md runs, in order, in one namespace."""
    blocks = FENCE.findall((ROOT / "docs" / "simulation.md").read_text("utf-8"))
    assert len(blocks) >= 3
    namespace: dict[str, object] = {"__name__": "doc_simulation"}
    for i, block in enumerate(blocks):
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(block, f"docs/simulation.md[block {i}]", "exec"), namespace)
