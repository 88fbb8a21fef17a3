"""A simulated helpdesk's routine records are kept out of the host's log.

A run drives the real Router, whose hand-outs and configuration changes are logged at
INFO (docs/concepts.md): a service that logs at INFO and runs a simulation, or a sweep,
would find thousands of hand-outs no helpdesk made among its own, under the same logger
and fields. While :func:`quiet` holds in a thread, the records below WARNING that the
library's routing loggers make in that thread are dropped; warnings and errors pass.
Other threads (a service routing real tickets beside a notebook's run) are untouched.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["quiet"]

_LOGGERS = (
    "helpdesk_routing.router",
    "helpdesk_routing.handout",
    "helpdesk_routing.configuration",
)
"""The loggers a run's Router writes its routine records to."""

_QUIET: dict[int, int] = {}
"""Thread id -> how many :func:`quiet` blocks it is in."""
_LOCK = threading.Lock()


class _DropSimulated(logging.Filter):
    """Drops a record below WARNING made in a thread that runs a simulation."""

    def filter(self, record: logging.LogRecord) -> bool:
        # the thread making the record (a logger's filters run in it): record.thread is
        # None when logging.logThreads is off
        return record.levelno >= logging.WARNING or threading.get_ident() not in _QUIET


_FILTER = _DropSimulated()
for _name in _LOGGERS:
    logging.getLogger(_name).addFilter(_FILTER)


@contextmanager
def quiet() -> Iterator[None]:
    """Within it, this thread's routine routing records (below WARNING) are dropped."""
    me = threading.get_ident()
    with _LOCK:
        _QUIET[me] = _QUIET.get(me, 0) + 1
    try:
        yield
    finally:
        with _LOCK:
            left = _QUIET[me] - 1
            if left:
                _QUIET[me] = left
            else:
                del _QUIET[me]
