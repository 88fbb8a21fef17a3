"""Run a document's ```python blocks in order, in one namespace (for docs not listed in
``tests/test_docs.py``)."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FENCE = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def run_blocks(name: str) -> None:
    """Execute every python block of ``name`` (relative to the repository root)."""
    blocks = FENCE.findall((ROOT / name).read_text("utf-8"))
    assert blocks, f"{name} has no python examples"
    namespace: dict[str, object] = {"__name__": f"doc_{Path(name).stem}"}
    for i, block in enumerate(blocks):
        code = compile(block, f"{name}[block {i}]", "exec")
        with contextlib.redirect_stdout(io.StringIO()):
            exec(code, namespace)
