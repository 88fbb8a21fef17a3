"""Running a Router operation again when the database broke a race it was part of.

Two units of work on PostgreSQL that lock the same rows in different orders (a route
walking past a full agent to another, an agent coming Online, a team move) may deadlock;
the server then rolls one of them back. Nothing of that unit was kept, and nothing was
wrong with it: run again, it almost always goes through. Every Router operation that
writes is one unit of work (``route`` may read a second time), so running the whole
operation again is safe; :func:`retried` does so up to :data:`RACE_ATTEMPTS` times, after
a short random pause that grows with the attempts, for a
:class:`~helpdesk_routing.errors.ConflictError` that is ``retryable`` only. A lock that
stayed taken for the store's timeout, a stale configuration edit, a ticket id stored
with other content: those are answers, not races, and go straight to the caller.
"""

from __future__ import annotations

import functools
import logging
import random
import time
from collections.abc import Callable
from typing import Concatenate, Final, ParamSpec, TypeVar

from helpdesk_routing.errors import ConflictError

__all__ = ["RACE_ATTEMPTS", "retried"]

RACE_ATTEMPTS: Final = 5
"""How many times a Router operation runs when each run loses a race the database broke
(a deadlock, a serialization failure); the last run's ``ConflictError`` goes through."""

_PAUSE: Final = 0.004
"""Seconds: the upper bound of the first random pause, doubled after each lost race."""

_log = logging.getLogger("helpdesk_routing.router")

S = TypeVar("S")
P = ParamSpec("P")
R = TypeVar("R")


def retried(method: Callable[Concatenate[S, P], R]) -> Callable[Concatenate[S, P], R]:
    """``method`` run again (up to :data:`RACE_ATTEMPTS` runs in all) while it raises a
    ``retryable`` :class:`ConflictError`; any other outcome is returned or raised as is."""

    # The operation a log record names is the one the caller called: a private method
    # doing a public one's work (``Router._set_status`` for ``set_status``) logs as it.
    operation = method.__name__.removeprefix("_")

    @functools.wraps(method)
    def run(self: S, /, *args: P.args, **kwargs: P.kwargs) -> R:
        attempt = 1
        while True:
            try:
                return method(self, *args, **kwargs)
            except ConflictError as error:
                if not error.retryable or attempt >= RACE_ATTEMPTS:
                    raise
                _log.info(
                    "%s lost a race the database broke; running it again: %s",
                    operation,
                    error,
                    extra={"operation": operation, "attempt": attempt, "error": str(error)},
                )
                # Random, so that two units that deadlocked do not meet again in step.
                time.sleep(random.uniform(0, _PAUSE * 2 ** (attempt - 1)))
                attempt += 1

    return run
