"""Pickling, on every protocol, of the library's changeable dataclasses with slots.

pickle's protocols 0 and 1 refuse a class with ``__slots__`` that does not define
``__getstate__`` itself ("a class that defines __slots__ without defining __getstate__
cannot be pickled"); protocols 2 and above use ``object``'s. A frozen dataclass with
slots gets one from :mod:`dataclasses`; a changeable one (a simulation's result and its
records, a replayed state) gets it here: its fields by name, set again by pickle.
"""

from __future__ import annotations

import dataclasses
from typing import Any


class SlotsState:
    """Gives a dataclass with slots its fields as its pickled state (see the module)."""

    __slots__ = ()

    def __getstate__(self) -> tuple[None, dict[str, Any]]:
        # (no __dict__, the slots by name): what pickle sets again attribute by attribute
        return None, {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}  # type: ignore[arg-type]
