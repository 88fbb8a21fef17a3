"""Suite-wide settings: hypothesis profiles (``ci`` is thorough, ``dev`` is quick)."""

from __future__ import annotations

import os
import random
import sys
import threading
from collections.abc import Generator, Iterator
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "dev", max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


def _pool_jitter_off_the_global_random() -> None:
    """psycopg_pool jitters connection lifetimes with the global ``random.random``, from
    its worker threads. Hypothesis fails a test whose global random state changes while
    it draws examples (it takes that for a strategy using ``random``), so a pool thread
    opening a connection at that moment failed a PostgreSQL property test at random.
    The pool gets a generator of its own; what it draws is as random as before."""
    try:
        import psycopg_pool.base as pool_base
    except ImportError:  # the postgres extra is not installed: nothing to do
        return
    pool_base.random = random.Random().random  # type: ignore[attr-defined]


_pool_jitter_off_the_global_random()


from tests.adapters import (  # noqa: E402
    CUSTOMER_DATA_FACTORIES,
    POSTGRES_ADAPTERS,
    STORE_FACTORIES,
    CustomerDataFactory,
    StoreFactory,
)
from tests.pg_server import postgres_dsn  # noqa: E402, F401
from tests.rrule_walk import periods_walked  # noqa: E402, F401


def _params(names: list[str]) -> list[object]:
    return [
        pytest.param(n, id=n, marks=[pytest.mark.postgres] if n in POSTGRES_ADAPTERS else [])
        for n in names
    ]


@pytest.fixture(params=_params(list(STORE_FACTORIES)))
def store_factory(request: pytest.FixtureRequest) -> StoreFactory:
    """A factory of empty stores, once per adapter (memory, SQLite, PostgreSQL)."""
    return STORE_FACTORIES[request.param]


@pytest.fixture(params=_params(list(CUSTOMER_DATA_FACTORIES)))
def customer_data_factory(request: pytest.FixtureRequest) -> CustomerDataFactory:
    """A factory of customer-data adapters, once per adapter."""
    return CUSTOMER_DATA_FACTORIES[request.param]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    """A test marked ``untraced`` runs with no trace function, in its thread and in the
    threads it starts: coverage (and any tracer) is off for its call and back after it,
    the same tracer object. Such a test repeats, thousands of times, code that smaller
    tests cover (statistical replications, all-pairs agreement ladders, years of a
    rule), and coverage's tracing made those five times slower (pytest-cov's own
    ``no_cover`` marker leaves a second tracer running in pytest-xdist's workers)."""
    if item.get_closest_marker("untraced") is None:
        return (yield)
    tracer, thread_tracer = sys.gettrace(), threading.gettrace()
    sys.settrace(None)
    threading.settrace(None)  # type: ignore[arg-type]
    try:
        return (yield)
    finally:
        sys.settrace(tracer)
        threading.settrace(thread_tracer)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def _trace_function_given_back() -> Iterator[None]:
    """Every test gives back the trace function it found (``sys.settrace``): a test that
    injects interrupts through one and leaves ``None`` behind switches coverage off for
    every test after it (it happened: coverage read 91% instead of 96%)."""
    before = sys.gettrace()
    yield
    after = sys.gettrace()
    if after is not before:
        sys.settrace(before)
        pytest.fail(f"the test left sys.settrace({after!r}) behind (it found {before!r})")


@pytest.fixture(autouse=True)
def _recursion_limit_given_back() -> Iterator[None]:
    """Every test leaves the recursion limit it found: mypy's API (``test_typed_use``)
    raises it to 16,384 for good, and Python's JSON parser then reads text nested
    thousands deep instead of raising ``RecursionError``, which changed where a later
    test's "too deep" error was placed (CI failed on the order of one xdist worker)."""
    before = sys.getrecursionlimit()
    yield
    if sys.getrecursionlimit() != before:
        sys.setrecursionlimit(before)


@pytest.fixture
def days_walked(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[date]]:
    """The local days whose windows the calendar's searches compute
    (``helpdesk_routing._open_time._day_intervals`` counted), in the order computed."""
    from helpdesk_routing import _open_time
    from helpdesk_routing import calendar as calendar_module

    walked: list[date] = []
    original = _open_time._day_intervals

    def counting(plan: Any, day: date) -> Any:
        walked.append(day)
        return original(plan, day)

    # the searches (_open_time._periods) and OfficeHours.is_open each call it by name
    monkeypatch.setattr(_open_time, "_day_intervals", counting)
    monkeypatch.setattr(calendar_module, "_day_intervals", counting)
    yield walked
    # A bound on the days walked holds trivially of a counter that counts nothing: every
    # test of it walks some day, so one that saw none lost the hook (a search moved).
    assert walked, "no day was counted: the calendar's searches no longer call the hook"
