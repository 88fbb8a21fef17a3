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


class _Recording:
    """``gc`` as the engine sees it, recording each ``collect`` and ``freeze``."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> object:
        return getattr(gc, name)

    def collect(self, generation: int = 2) -> int:
        self.calls.append("collect")
        return gc.collect(generation)

    def freeze(self) -> None:
        self.calls.append("freeze")
        gc.freeze()


def test_a_run_that_makes_no_cyclic_garbage_settles_without_collecting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The Router makes no cyclic garbage: each settling interval is sampled once (a
    collection of the objects of its first sixteenth, which frees nothing) and settled
    by a freeze alone, so most objects a run keeps are never walked."""
    monkeypatch.setattr(engine, "_SETTLE_EVERY", 64)
    recording = _Recording()
    monkeypatch.setattr(engine, "gc", recording)
    run(mmc(2, 0.5, 300, mode="router"), 1)
    settlings = recording.calls.count("freeze")
    assert settlings >= 5
    # a sample, then its interval's settling, every time: no collection at a settling
    # the run's start clears the young objects made before it; then a sample and its
    # interval's settling, every time: no collection at a settling
    assert recording.calls[: 1 + 2 * settlings] == ["collect"] + ["collect", "freeze"] * settlings


def test_once_a_sample_frees_cyclic_garbage_every_settling_collects(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A run whose steps make cyclic garbage (here one piece per arrival) is found by its
    first sample; from then on each settling collects before it freezes, and samples
    stop (the settlings walk everything)."""
    monkeypatch.setattr(engine, "_SETTLE_EVERY", 64)
    recording = _Recording()
    monkeypatch.setattr(engine, "gc", recording)
    arrive = RouterBackend.arrive

    def leaky(self: RouterBackend, *args: object, **kwargs: object) -> object:
        _Cycle()
        return arrive(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(RouterBackend, "arrive", leaky)
    run(mmc(2, 0.5, 300, mode="router"), 1)
    settlings = recording.calls.count("freeze")
    assert settlings >= 5
    assert recording.calls == ["collect", "collect"] + ["collect", "freeze"] * settlings


@pytest.mark.parametrize("explain", [False, True], ids=["as-simulated", "explained"])
def test_the_bundled_week_through_the_router_makes_no_cyclic_garbage(
    monkeypatch: pytest.MonkeyPatch, explain: bool
) -> None:
    """The premise of settling without collecting, on the bundled week (rules, teams,
    office hours, shifts, pending tickets): no sample of any interval frees anything,
    as the simulator runs the Router and with explanations (the default Router)."""
    from helpdesk_routing.simulation.demo import webshop_week

    monkeypatch.setattr(engine, "_SETTLE_EVERY", 128)
    monkeypatch.setattr(RouterBackend, "explain", explain)
    freed: list[int] = []

    class Counting(_Recording):
        def collect(self, generation: int = 2) -> int:
            found = super().collect(generation)
            freed.append(found)
            return found

    monkeypatch.setattr(engine, "gc", Counting())
    run(webshop_week(), 1)
    assert len(freed) >= 10
    assert freed[1:] == [0] * (len(freed) - 1)  # the first clears what came before the run
