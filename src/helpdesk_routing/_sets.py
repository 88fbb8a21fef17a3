"""Sets that are written to JSON in sorted order.

A ``frozenset`` of text iterates in an order that depends on the process's hash seed, so
pydantic's JSON of two equal models (the same ticket's tags, a configuration's channels)
could differ from one process to the next: noise in a configuration file under version
control, different bytes for equal records in a store. :data:`SortedSet` is a
``frozenset`` to Python and a sorted array to JSON.
"""

from __future__ import annotations

from collections.abc import KeysView
from collections.abc import Set as AbstractSet
from typing import Annotated, Any, TypeVar

from pydantic import PlainSerializer

from .errors import _article

__all__ = ["SortedSet", "set_refused"]

T = TypeVar("T")


def _sorted(values: frozenset[Any]) -> list[Any]:
    return sorted(values)


SortedSet = Annotated[frozenset[T], PlainSerializer(_sorted, when_used="json")]
"""``frozenset[T]``, dumped to JSON (``model_dump_json``, ``model_dump(mode="json")``) as
a sorted list."""


def set_refused(value: object, takes: str, what: str) -> str | None:
    """Why ``value`` is refused where order matters (``"{takes}, not a set ..."``): a set
    iterates in its hashes' order, which ``PYTHONHASHSEED`` changes for text (and a
    model's hash is its text's), so the ``what`` made from it would come in another
    order in each process (another rule or team first, other rows). ``None`` for
    anything else: a list, a tuple, a mapping's keys (``dict.keys()`` keep its order)."""
    if isinstance(value, AbstractSet) and not isinstance(value, KeysView):
        kind = type(value).__name__
        return (
            f"{takes}, not {_article(kind)} {kind} (a set's order changes with "
            f"PYTHONHASHSEED, and the {what}' order with it)"
        )
    return None
