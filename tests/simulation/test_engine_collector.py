"""A run pauses the cyclic garbage collector and settles its objects now and then
(``engine._SETTLE_EVERY``): the results do not change, cycles made during the run are
still freed during it, and the collector is left as the host had it."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from helpdesk_routing.simulation import engine, run
from helpdesk_routing.simulation._backends import RouterBackend

from .conftest import mmc


@pytest.fixture(autouse=True)
def _collector_restored() -> Iterator[None]:
    enabled = gc.isenabled()
    yield
    gc.unfreeze()
    if enabled:
        gc.enable()


def test_settling_often_changes_no_result(monkeypatch: pytest.MonkeyPatch) -> None:
    scenario = mmc(3, 0.8, 600, mode="router")
    usual = run(scenario, 2)
    monkeypatch.setattr(engine, "_SETTLE_EVERY", 7)
    often = run(scenario, 2)
    assert often.records == usual.records
    assert often.backlog == usual.backlog
    assert often.load == usual.load


def test_the_collector_is_left_as_it_was() -> None:
    scenario = mmc(2, 0.5, 200, mode="router")
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0
    run(scenario, 1)
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0
    gc.disable()
    run(scenario, 1)
    assert not gc.isenabled()
    assert gc.get_freeze_count() == 0
    gc.enable()
    kept = [[] for _ in range(50)]
    gc.freeze()
    frozen = gc.get_freeze_count()
    assert frozen > 0
    run(scenario, 1)
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen
    del kept


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_cycles_made_during_a_run_are_freed_during_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every arrival leaves one cyclic piece of garbage; by the run's last arrival all but
    those made since the last settling are gone (a freeze alone would keep them all)."""
    monkeypatch.setattr(engine, "_SETTLE_EVERY", 16)
    refs: list[weakref.ref[_Cycle]] = []
    alive_at_end: list[int] = []
    arrive = RouterBackend.arrive

    def leaky(self: RouterBackend, *args: object, **kwargs: object) -> object:
        refs.append(weakref.ref(_Cycle()))
        alive_at_end[:] = [sum(r() is not None for r in refs)]
        return arrive(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(RouterBackend, "arrive", leaky)
    run(mmc(2, 0.5, 300, mode="router"), 1)
    assert len(refs) == 300
    assert alive_at_end[0] <= 16
