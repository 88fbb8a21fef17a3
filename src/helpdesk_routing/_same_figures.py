"""Equality of result data whose figures may be ``NaN`` (a mean over no tickets).

``NaN != NaN``, so a report or a simulation result holding one was unequal to its own
pickle and to an equal copy built apart (Python's ``==`` on a tuple or a list only
spares a ``NaN`` that is the very same object, which a pickle round trip never gives
back). The result types (:class:`~helpdesk_routing.metrics.Report`,
:class:`~helpdesk_routing.simulation.Summary`, ...) compare with :func:`same` instead:
a ``NaN`` equals a ``NaN`` at the same place. Nothing else changes: a float outside
these types keeps Python's meaning.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from typing import Any

__all__ = ["hash_key", "same", "same_fields"]

_NAN_KEY = ("NaN",)
"""What a ``NaN`` figure hashes as: every ``NaN`` alike (``hash(nan)`` is its object's
identity since Python 3.10, so two equal results would hash apart)."""


def same(a: object, b: object) -> bool:
    """``a == b``, but a float ``NaN`` equals a float ``NaN``, also inside lists, tuples
    and mappings (a result type inside them compares by its own ``==``, this one)."""
    if a is b:
        return True
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (a != a and b != b)
    if isinstance(a, list | tuple) and type(a) is type(b):
        other: Any = b
        return len(a) == len(other) and (a == other or all(map(same, a, other)))
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and (a == b or all(same(v, b[k]) for k, v in a.items()))
    return bool(a == b)


def same_fields(a: Any, b: Any) -> bool:
    """Whether two dataclass instances of one type hold :func:`same` values in every
    field that takes part in comparisons."""
    return all(same(getattr(a, f.name), getattr(b, f.name)) for f in fields(a) if f.compare)


def hash_key(value: object) -> object:
    """``value`` as a hash should see it: a ``NaN`` float as one constant, so that results
    equal by :func:`same` hash alike."""
    if isinstance(value, float) and value != value:
        return _NAN_KEY
    return value
