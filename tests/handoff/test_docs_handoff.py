"""The python examples of docs/handoff.md run."""

from __future__ import annotations

from tests.doc_blocks import run_blocks


def test_docs_handoff_examples_run() -> None:
    """Every python block of docs/handoff.md runs, in order, in one namespace."""
    run_blocks("docs/handoff.md")
