"""Every error of the library pickles with its class, message and attributes: a sweep's
worker process may raise any of them, and a ``ProcessPoolExecutor`` hands it back only
through pickle (``StaleConfiguration``, ``MissingExtra`` and the handoff's errors could
not be unpickled, so the caller got ``BrokenProcessPool``; ``UnknownTicket`` came back
saying ``unknown ticket "unknown ticket 't1'"``)."""

from __future__ import annotations

import importlib
import pickle
import pkgutil
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import pytest

import helpdesk_routing
from helpdesk_routing import errors as E
from helpdesk_routing.cli import UsageError
from helpdesk_routing.handoff import errors as H
from helpdesk_routing.handoff.connectors._http import _AnswerUnreadable
from helpdesk_routing.schemas import UnknownSchema
from helpdesk_routing.simulation.theory import UnknownReference
from helpdesk_routing.stores.postgres._database import LostRead

CASES: list[E.RoutingError] = [
    E.RoutingError("plain"),
    E.ValidationError("invalid rule set", [E.ErrorDetail("$.a", "bad", "x", "r1")]),
    E.ArgumentTypeError("store must be a Store, got dict"),
    E.NaiveDatetimeError("at"),
    E.PermissionDenied("role agent may not configure"),
    E.UnknownTicket("t1"),
    E.UnknownAgent("a1"),
    E.UnknownAgent("a1", where="team 'x', $.teams[0].members[0]"),
    E.UnknownTeam("billing"),
    E.ConflictError("held"),
    E.race_lost("deadlock"),
    E.StaleConfiguration(1, 3),
    E.StaleConfiguration(5, 3),
    E.version_refused(5, 3),
    E.StoreError("lost"),
    E.SchemaVersionError("newer"),
    E.MissingExtra("Report.to_pandas", "pandas"),
    H.HandoffError("base"),
    H.InvalidTransition("done", "confirm", conversation_id="c1", hint="h"),
    H.OtherDestination("h1", "zendesk", "gorgias"),
    H.UnknownHandoff("c1", by_conversation=True),
    H.UnknownHandoff("h1"),
    H.DeliveryError("zendesk", "boom"),
    H.AuthenticationFailed("zendesk", 401),
    H.ServiceRejected("zendesk", 422, {"error": "x"}),
    H.RateLimited("zendesk", 30.0, 60.0),
    H.Unreachable("zendesk", "dns"),
    H.OutcomeUnknown("zendesk", "timeout"),
    _AnswerUnreadable("gorgias", "HTTP 200 answer unreadable (not JSON)"),
    UnknownReference(3, 0.5),
    UnknownSchema("rules"),
    LostRead("lost the connection to PostgreSQL during a unit of work"),
    UsageError("bad --days"),
]


def _subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub, *_subclasses(sub)}
    return found


def test_the_cases_cover_every_error_class() -> None:
    """A new error class is added to CASES, or this fails (every module of the package
    imported first, whatever the tests that ran before imported)."""
    for module in pkgutil.walk_packages(helpdesk_routing.__path__, "helpdesk_routing."):
        importlib.import_module(module.name)
    covered = {type(e) for e in CASES}
    library = {
        c
        for c in _subclasses(E.RoutingError) | {E.RoutingError}
        if c.__module__.startswith("helpdesk_routing")
    }
    # ModelValidationError and its naive kind are built by pydantic; test_input_errors
    # pickles them.
    assert library - covered == {E.ModelValidationError, E.ModelNaiveDatetimeError}


def _same(error: E.RoutingError, again: Any) -> None:
    assert type(again) is type(error)
    assert str(again) == str(error)
    assert again.args == error.args
    assert vars(again) == vars(error)


@pytest.mark.parametrize("error", CASES, ids=lambda e: type(e).__name__)
def test_an_error_pickles_whole(error: E.RoutingError) -> None:
    _same(error, pickle.loads(pickle.dumps(error)))


def _raise(index: int) -> None:
    raise CASES[index]


def test_an_error_raised_in_a_worker_process_reaches_the_caller_whole() -> None:
    with ProcessPoolExecutor(max_workers=1) as pool:
        for index in (5, 10, 15, 19, 23):
            with pytest.raises(E.RoutingError) as raised:
                pool.submit(_raise, index).result()
            _same(CASES[index], raised.value)


def test_a_model_error_whose_input_does_not_pickle_pickles_with_its_json_form() -> None:
    """A model's error whose input holds what pickle refuses (a lock, a lambda) pickles
    and deep-copies, the input in its JSON form (what ``errors()`` shows): it raised
    pickle's ``TypeError``, and a sweep's parent got that instead of the library's."""
    import copy
    import pickle
    import threading
    from datetime import UTC, datetime

    from helpdesk_routing.model import Ticket

    lock = threading.Lock()
    with pytest.raises(E.ModelValidationError) as caught:
        Ticket(id="t1", channel="sms", created_at=datetime(2026, 1, 1, tzinfo=UTC), fields=lock)  # type: ignore[arg-type]
    error = caught.value
    for again in (pickle.loads(pickle.dumps(error)), copy.deepcopy(error)):
        assert type(again) is E.ModelValidationError
        assert again.details == error.details
        assert str(again) == str(error)
        assert again.errors()[0]["input"] == error.errors()[0]["input"]


_UNDER_TBLIB = """
import pickle, threading
from datetime import UTC, datetime
from tblib import pickling_support
import helpdesk_routing.errors as E
from helpdesk_routing.model import Ticket
pickling_support.install()  # what importing Dask's distributed does, for every exception class
lock = threading.Lock()
at = datetime(2026, 1, 1, tzinfo=UTC)
for make in (
    lambda: Ticket(id="t1", channel="sms", created_at=at, fields=lock),
    lambda: Ticket.model_validate({"id": "t1", "channel": "sms", "created_at": at, "fields": lock}),
):
    try:
        make()
    except E.ModelValidationError as error:
        again = pickle.loads(pickle.dumps(error))
        assert type(again) is E.ModelValidationError and again.details == error.details
        assert error.__context__ is None
print("ok")
"""


def test_a_model_error_pickles_under_a_pickler_that_carries_exceptions_contexts() -> None:
    """tblib's reducers (installed by importing Dask's ``distributed``) pickle an error's
    ``__context__`` too: pydantic's own error, the input whole, which held a lock. The
    suite failed when a Dask test had run earlier in the same worker, and a sweep's
    worker on a Dask cluster handed back pickle's ``TypeError``."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    src = str(Path(helpdesk_routing.__file__).resolve().parents[1])
    done = subprocess.run(
        [sys.executable, "-c", _UNDER_TBLIB],
        env={**os.environ, "PYTHONPATH": src},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (done.returncode, done.stdout.strip()) == (0, "ok"), done.stderr


def test_a_failed_models_input_is_freed_without_the_cycle_collector() -> None:
    """The error raised after the except block (no context): the local that held it in the
    raising frame made a cycle with its traceback, so each failed input stayed alive
    until the cycle collector ran (and for good where a caller paused it)."""
    import gc
    import weakref
    from datetime import UTC, datetime

    from helpdesk_routing.model import Ticket

    class Held:
        pass

    enabled = gc.isenabled()
    gc.disable()
    try:
        refs = []
        for _ in range(3):
            held = Held()
            refs.append(weakref.ref(held))
            with pytest.raises(E.ModelValidationError):
                Ticket(
                    id="t1", channel="sms", created_at=datetime(2026, 1, 1, tzinfo=UTC), fields=held
                )  # type: ignore[arg-type]
            with pytest.raises(E.ModelValidationError):
                Ticket.model_validate({"id": "t1", "channel": "sms", "fields": held})
            del held
        assert [r() for r in refs] == [None, None, None]
    finally:
        if enabled:
            gc.enable()
