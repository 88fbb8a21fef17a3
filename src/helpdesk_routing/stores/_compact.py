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

from pydantic import BaseModel

__all__ = ["share_fields_set"]

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
