"""The examples of docs/configuration.md run, in order, in one namespace."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FENCE = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def test_configuration_doc_examples_run() -> None:
    """Every ```python block of docs/configuration.md runs and its assertions hold."""
    text = (ROOT / "docs" / "configuration.md").read_text("utf-8")
    blocks = FENCE.findall(text)
    assert len(blocks) >= 5
    namespace: dict[str, object] = {"__name__": "doc_configuration"}
    for i, block in enumerate(blocks):
        code = compile(block, f"docs/configuration.md[block {i}]", "exec")
        with contextlib.redirect_stdout(io.StringIO()):
            exec(code, namespace)
