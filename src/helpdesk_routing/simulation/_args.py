"""The simulator's functions read an integer argument one way: any integral number.

A seed, a count of replications or a seed of a grid may be an ``int`` or any other
integral number, a numpy integer (``np.int64(1)``, the items of ``np.arange(3)``)
included: ``numbers.Integral``, read with ``operator.index``, as ``theory`` reads its
``c``. A ``bool`` is no integer here (``seed=True`` is a mistake, not seed 1), nor is a
float, even ``1.0``.
"""

from __future__ import annotations

import numbers
import operator

from helpdesk_routing._storable import MAX_INT, MIN_INT
from helpdesk_routing.errors import ArgumentTypeError, ValidationError

__all__ = ["integer", "seed_value", "shown"]


def integer(value: object, what: str, *, kind: str = "an integer") -> int:
    """``value`` as an ``int`` when it is an integral number and no ``bool``; else
    ``ArgumentTypeError``: ``"{what} must be {kind}, got {value!r}"``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ArgumentTypeError(f"{what} must be {kind}, got {value!r}")
    return operator.index(value)


def seed_value(value: object, what: str = "seed", *, kind: str = "an integer") -> int:
    """``value`` as a seed: an integer (:func:`integer`) in signed 64 bits, else
    ``ValidationError``: ``"{what} must lie in signed 64 bits, got {value}"``."""
    seed = integer(value, what, kind=kind)
    if not MIN_INT <= seed <= MAX_INT:
        raise ValidationError(f"{what} must lie in signed 64 bits, got {shown(seed)}")
    return seed


def shown(value: object) -> str:
    """``value`` for a message: as ``str`` gives it, but an integer past 128 bits by its
    size (Python refuses to write one of over 4,300 digits; nobody reads 40)."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        bits = abs(operator.index(value)).bit_length()
        if bits > 128:
            return f"{'a negative' if value < 0 else 'an'} integer of {bits} bits"
    try:
        return str(value)
    except ValueError:  # a Fraction of such integers
        return f"a {type(value).__name__} too long to write"
