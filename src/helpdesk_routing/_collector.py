"""The cyclic garbage collector paused around building many objects at once.

CPython's collector runs a pass every few hundred new container objects, and a pass of
the oldest generation walks every object the process keeps: building 100,000 replayed
tickets in a notebook that holds a large heap spent most of its time in those passes.
Objects built this way hold no cycles, so nothing is left for the collector meanwhile;
what other code makes during the pause is collected once the collector runs again.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block, then leave it as it was: on if
    it was on (off if the host had turned it off, or another thread paused it first)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
