"""The examples in the README and the docs run, and the public surface is declared once."""

from __future__ import annotations

import contextlib
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

import helpdesk_routing as hr
from helpdesk_routing import cli

ROOT = Path(__file__).resolve().parent.parent
FENCE = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)
DOCUMENTS = [
    "README.md",
    "docs/recipes.md",
    "docs/conditions.md",
    "docs/calendar.md",
    "docs/assignment.md",
    "docs/stores.md",
    "docs/configuration.md",
    "docs/events.md",
    "docs/handoff.md",
    "docs/metrics.md",
    "docs/errors.md",
    "docs/cli.md",
    "docs/explain.md",
]


def _blocks(name: str) -> list[str]:
    return FENCE.findall((ROOT / name).read_text("utf-8"))


@pytest.mark.parametrize("name", DOCUMENTS)
def test_python_examples_in_document_run(name: str) -> None:
    """Every ```python block of the document runs, in order, in one namespace."""
    blocks = _blocks(name)
    assert blocks, f"{name} has no python examples"
    namespace: dict[str, object] = {"__name__": f"doc_{Path(name).stem}"}
    registered = list(cli._REGISTERED)  # docs/cli.md registers a subcommand
    try:
        for i, block in enumerate(blocks):
            code = compile(block, f"{name}[block {i}]", "exec")
            with contextlib.redirect_stdout(io.StringIO()):
                exec(code, namespace)
    finally:
        cli._REGISTERED[:] = registered


def test_all_is_sorted_and_complete() -> None:
    """__all__ is sorted, names only existing attributes, and covers every public name."""
    assert list(hr.__all__) == sorted(hr.__all__)
    for name in hr.__all__:
        assert hasattr(hr, name), name
    public = {n for n in vars(hr) if not n.startswith("_")}
    modules = {n for n, v in vars(hr).items() if type(v).__name__ == "module"}
    assert public - modules <= set(hr.__all__)


# The simulation notebook (half a minute a run) is run twice, and its output read, by
# tests/simulation/test_notebook.py.
SCRIPTS = sorted(
    p.name for p in (ROOT / "examples").glob("*.py") if p.name != "simulation_notebook.py"
)


@pytest.mark.parametrize("script", SCRIPTS)
def test_example_script_runs_twice_on_one_store(script: str, tmp_path: Path) -> None:
    """An example script runs, and again on the same directory with the same output."""
    command = [sys.executable, str(ROOT / "examples" / script), str(tmp_path)]
    first = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    second = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip()
    assert second.stdout == first.stdout


def test_the_reference_page_indexes_every_public_name() -> None:
    """docs/reference.md is what ``make reference`` writes: every name in the ``__all__``
    of the package and its subpackages, so none goes undocumented (39 were named in no
    page)."""
    from tests.reference_page import MODULES, page

    text = (ROOT / "docs" / "reference.md").read_text("utf-8")
    assert text == page(), "docs/reference.md is stale: run `make reference`"
    for module in MODULES:
        for name in __import__(module, fromlist=["__all__"]).__all__:
            assert f"| `{name}` |" in text, (module, name)
