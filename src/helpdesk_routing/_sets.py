"""Sets that are written to JSON in sorted order.

A ``frozenset`` of text iterates in an order that depends on the process's hash seed, so
pydantic's JSON of two equal models (the same ticket's tags, a configuration's channels)
could differ from one process to the next: noise in a configuration file under version
control, different bytes for equal records in a store. :data:`SortedSet` is a
``frozenset`` to Python and a sorted array to JSON.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from pydantic import PlainSerializer

__all__ = ["SortedSet"]

T = TypeVar("T")


def _sorted(values: frozenset[Any]) -> list[Any]:
    return sorted(values)


SortedSet = Annotated[frozenset[T], PlainSerializer(_sorted, when_used="json")]
"""``frozenset[T]``, dumped to JSON (``model_dump_json``, ``model_dump(mode="json")``) as
a sorted list."""
