"""The stand-in a memory transaction reads as its store where it may not use it: its
StoreError guards every real use, while introspection (``hasattr``, ``inspect.unwrap``,
``doctest``) of the module's names works."""

from __future__ import annotations

import doctest
import inspect
import subprocess
import sys
from datetime import UTC, datetime

import pytest

from helpdesk_routing.errors import StoreError
from helpdesk_routing.model import Agent
from helpdesk_routing.stores import memory
from helpdesk_routing.stores.memory import InMemoryStore

SENTINELS = [memory._NOT_RUNNING, memory._READ_ONLY]


@pytest.mark.parametrize("sentinel", SENTINELS, ids=["not_running", "read_only"])
def test_introspection_of_the_stand_in_answers_as_for_any_object(sentinel: object) -> None:
    for name in ("__wrapped__", "__signature__", "__test__", "_repr_html_", "__length_hint__"):
        assert not hasattr(sentinel, name)
        with pytest.raises(AttributeError, match=name):
            getattr(sentinel, name)
    assert inspect.unwrap(sentinel) is sentinel  # type: ignore[arg-type]
    assert sentinel.__doc__ is not None
    assert "StoreError" in sentinel.__doc__
    assert repr(sentinel).startswith("<refusing store: ")
    assert inspect.getmembers(memory)  # walks every module global


def test_doctest_runs_the_module_examples() -> None:
    """``doctest`` collects the module (it asks each global for ``__wrapped__``) and runs
    the InMemoryStore example."""
    result = doctest.testmod(memory)
    assert result.failed == 0
    assert result.attempted >= 2
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--doctest-modules",
            "--pyargs",
            "helpdesk_routing.stores.memory",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout


@pytest.mark.parametrize("sentinel", SENTINELS, ids=["not_running", "read_only"])
def test_the_stand_in_still_refuses_every_name_of_the_store(sentinel: object) -> None:
    for name in ("_tickets", "_agents", "_lock", "add_ticket", "anything"):
        with pytest.raises(StoreError):
            getattr(sentinel, name)


def test_a_unit_is_refused_before_it_begins_and_after_it_ends() -> None:
    store = InMemoryStore(agents=[Agent(id="a1")])
    unit = store.transaction()
    with pytest.raises(StoreError, match="the transaction has ended"):
        unit.get_agent("a1")
    with unit as tx:
        assert tx.get_agent("a1") == Agent(id="a1")
    with pytest.raises(StoreError, match="the transaction has ended"):
        tx.get_agent("a1")
    with pytest.raises(StoreError, match="the transaction has ended"):
        tx.set_online("a1", True, datetime(2026, 3, 30, tzinfo=UTC))


def test_a_read_only_unit_still_refuses_a_write() -> None:
    store = InMemoryStore(agents=[Agent(id="a1")])
    with store.read() as tx:
        assert not tx.is_online("a1")
        with pytest.raises(StoreError, match="a read-only unit of work cannot write"):
            tx.set_online("a1", True, datetime(2026, 3, 30, tzinfo=UTC))
    with store.read() as tx:
        assert not tx.is_online("a1")  # nothing was written
