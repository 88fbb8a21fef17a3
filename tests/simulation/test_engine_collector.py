"""A run pauses the cyclic garbage collector and settles its objects now and then
(``engine._SETTLE_EVERY``): the results do not change, cycles made during the run are
still freed during it, and the collector is left as the host had it."""

from __future__ import annotations

import gc
import heapq
import weakref
from collections.abc import Iterator
from typing import Any

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
    those made since the last settling, and the few frozen before a sampled slice first
    met one (a slice is one step here), are gone (a freeze alone would keep them all)."""
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
    assert alive_at_end[0] <= 32


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


def _quiet_calls(intervals: int) -> list[str]:
    """The collector calls of a run that makes no cyclic garbage, over ``intervals``
    settling intervals of 64 steps (16 slices of 4): the collection at the start; then in
    each interval the steps before its sampled slice frozen unwalked (none in the first
    slice), the slice collected (by the settling itself for the last slice), and the
    settling's freeze."""
    calls = ["collect"]
    for interval in range(intervals):
        if interval % 16:
            calls.append("freeze")
        calls += ["collect", "freeze"]
    return calls


def test_a_run_that_makes_no_cyclic_garbage_settles_without_collecting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The Router makes no cyclic garbage: each settling interval is sampled once (a
    collection of the objects of one sixteenth of it, which frees nothing) and settled
    by a freeze alone, so most objects a run keeps are never walked."""
    monkeypatch.setattr(engine, "_SETTLE_EVERY", 64)
    recording = _Recording()
    monkeypatch.setattr(engine, "gc", recording)
    run(mmc(2, 0.5, 600, mode="router"), 1)
    assert recording.calls.count("freeze") >= 30  # every slice sampled, and then again
    assert recording.calls == _quiet_calls(40)[: len(recording.calls)]


def test_each_interval_samples_the_next_slice() -> None:
    """Over ``_PROBE_AT`` intervals the sampled slices tile an interval's steps, whatever
    the interval's length (here lengths that 16 divides and lengths it does not)."""
    for every in (1, 7, 16, 64, 100, 65_536):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(engine, "_SETTLE_EVERY", every)
            width = max(1, every // engine._PROBE_AT)
            slices = [engine._sampled_slice(i) for i in range(-(-every // width))]
            covered: list[int] = []
            for aside, sample in slices:
                assert 0 <= aside < every
                covered += range(aside, sample or every)
            assert covered == list(range(every)), every
            assert engine._sampled_slice(len(slices)) == slices[0]


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


class _CountingHeapq:
    """``heapq`` as the engine sees it, counting the events the loop takes (the pops of
    its event heap: the agents' queues hold ticket numbers, its heap tuples)."""

    def __init__(self) -> None:
        self.events = 0

    def __getattr__(self, name: str) -> object:
        return getattr(heapq, name)

    def heappop(self, heap: list[Any]) -> Any:
        item = heapq.heappop(heap)
        if isinstance(item, tuple):
            self.events += 1
        return item


def test_cyclic_garbage_made_late_in_every_interval_is_found(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Garbage made only in the tenth sixteenth of each interval (never in the first,
    which alone was sampled before) is found when the tenth interval samples that slice;
    from then on the settlings collect it, so most of it is freed during the run."""
    monkeypatch.setattr(engine, "_SETTLE_EVERY", 64)
    counting = _CountingHeapq()
    monkeypatch.setattr(engine, "heapq", counting)
    recording = _Recording()
    monkeypatch.setattr(engine, "gc", recording)
    refs: list[weakref.ref[_Cycle]] = []
    alive_at_end: list[int] = []
    arrive = RouterBackend.arrive

    def leaky(self: RouterBackend, *args: object, **kwargs: object) -> object:
        if 36 < counting.events % 64 <= 40:  # the steps of the tenth slice, 37 to 40
            refs.append(weakref.ref(_Cycle()))
        alive_at_end[:] = [sum(r() is not None for r in refs)]
        return arrive(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(RouterBackend, "arrive", leaky)
    run(mmc(2, 0.5, 1200, mode="router"), 1)
    quiet = _quiet_calls(9)
    assert recording.calls[: len(quiet)] == quiet  # nothing found in intervals 0 to 8
    found = recording.calls[len(quiet) :]
    assert found[:3] == ["freeze", "collect", "collect"]  # interval 9's sample; settling
    assert set(found[2:][::2]) == {"collect"}  # every settling collects from then on
    assert len(refs) >= 50
    assert alive_at_end[0] < len(refs) // 2


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
