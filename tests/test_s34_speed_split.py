"""``bench_simulation.router_split`` times every ``set_status`` the simulator makes.

The Router's close runs in ``Router._set_status`` (``set_status`` is its public face,
and the simulator's backend calls the unit directly to learn the hand-outs): the split
times that, so no close lands in "the rest". Checked on a clock that ticks once per
reading, which makes each figure a count of the calls timed (one reading inside each)."""

from __future__ import annotations

import importlib.util
import itertools
import sys
from pathlib import Path
from types import ModuleType

import pytest

from helpdesk_routing.router import Router

ROOT = Path(__file__).resolve().parents[1]


def _bench() -> ModuleType:
    path = ROOT / "benchmarks" / "bench_simulation.py"
    spec = importlib.util.spec_from_file_location("s34_bench_simulation", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(path.parent))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(path.parent))
    return module


def test_the_split_times_every_close(monkeypatch: pytest.MonkeyPatch) -> None:
    bench = _bench()
    ticks = itertools.count()
    monkeypatch.setattr(bench.time, "perf_counter", lambda: next(ticks) * 1e-6)
    methods = {name: Router.__dict__[name] for name in ("route", "reply", "set_status")}
    methods["_set_status"] = Router.__dict__["_set_status"]
    split = bench.router_split(300)
    # One tick per call timed, per ticket: each of the 300 tickets is routed, replied
    # to when work starts, and closed when it ends.
    assert split["router_split_route_us"] == pytest.approx(1.0)
    assert split["router_split_reply_us"] == pytest.approx(1.0)
    assert split["router_split_set_status_us"] == pytest.approx(1.0)
    assert {name: Router.__dict__[name] for name in methods} == methods  # restored
