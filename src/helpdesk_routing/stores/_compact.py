"""Smaller stored records for the in-memory store: one shared fields-set per shape.

Every pydantic model instance carries ``__pydantic_fields_set__``, a ``set`` of the
names given when it was built: about 200-700 bytes per record, as much as the record's
own values. The memory store keeps hundreds of thousands of records, nearly all with
one of a handful of such sets, so it gives each stored record the one shared set of its
shape. Safe because the stored models are frozen: pydantic changes a fields-set only on
a copy it has just made (``model_copy``), never the original's.
"""

from __future__ import annotations

import threading
from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)

__all__ = ["share_fields_set", "updated"]

_SHARED: dict[frozenset[str], set[str]] = {}
_LOCK = threading.Lock()


def share_fields_set(model: BaseModel) -> None:
    """Replace ``model``'s own fields-set with the shared one of the same names."""
    names = model.__pydantic_fields_set__
    key = frozenset(names)
    shared = _SHARED.get(key)
    if shared is None:
        with _LOCK:
            shared = _SHARED.setdefault(key, set(key))
    if shared is not names:
        object.__setattr__(model, "__pydantic_fields_set__", shared)


def updated(model: M, **changes: Any) -> M:
    """A copy of ``model`` with ``changes`` (values of its fields' types, not validated),
    sharing the fields-set of its shape: what ``model_copy(update=...)`` gives, without a
    copy of the fields-set per stored record."""
    copy = type(model).__new__(type(model))
    values = dict(model.__dict__)
    values.update(changes)
    object.__setattr__(copy, "__dict__", values)
    object.__setattr__(copy, "__pydantic_extra__", None)
    private = model.__pydantic_private__
    object.__setattr__(copy, "__pydantic_private__", None if private is None else dict(private))
    names = model.__pydantic_fields_set__ | changes.keys()
    key = frozenset(names)
    shared = _SHARED.get(key)
    if shared is None:
        with _LOCK:
            shared = _SHARED.setdefault(key, set(key))
    object.__setattr__(copy, "__pydantic_fields_set__", shared)
    return copy
