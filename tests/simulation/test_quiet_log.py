"""A simulation keeps its routine routing records out of the host's log: a service that
logs at INFO and runs a simulation found thousands of hand-outs no helpdesk made."""

from __future__ import annotations

import logging
import threading

import pytest

from helpdesk_routing.simulation import AgentSpec, run
from helpdesk_routing.simulation._quiet import quiet

from .conftest import mmc


def test_a_run_logs_nothing_below_warning(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="helpdesk_routing")
    scenario = mmc(2, 0.7, 200, mode="router").model_copy(
        update={"agents": (AgentSpec(id="a", capacity=1), AgentSpec(id="b", capacity=1))}
    )
    result = run(scenario, 1)
    assert len(result.records) == 200
    assert [r for r in caplog.records if r.name.startswith("helpdesk_routing")] == []
    # after the run, the library's records pass again
    logging.getLogger("helpdesk_routing.handout").info("a real hand-out")
    assert [r.getMessage() for r in caplog.records] == ["a real hand-out"]


def test_quiet_drops_only_its_own_threads_routine_records(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="helpdesk_routing")
    log = logging.getLogger("helpdesk_routing.handout")
    with quiet():
        log.info("simulated")
        log.warning("a warning passes")
        other = threading.Thread(target=lambda: log.info("another thread's"))
        other.start()
        other.join()
        with quiet():
            log.info("nested")
        log.info("still simulated")
    log.info("after")
    said = [r.getMessage() for r in caplog.records]
    assert said == ["a warning passes", "another thread's", "after"]


def test_quiet_holds_when_records_carry_no_thread(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With ``logging.logThreads`` off a record's ``thread`` is ``None``: the filter asks
    the thread making the record, so the run stays quiet (68 records of a 50-ticket run
    reached the log)."""
    monkeypatch.setattr(logging, "logThreads", False)
    caplog.set_level(logging.DEBUG, logger="helpdesk_routing")
    with quiet():
        logging.getLogger("helpdesk_routing.handout").info("simulated")
    assert caplog.records == []
