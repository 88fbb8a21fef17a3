"""Sets that are written to JSON in sorted order.

A ``frozenset`` of text iterates in an order that depends on the process's hash seed, so
pydantic's JSON of two equal models (the same ticket's tags, a configuration's channels)
could differ from one process to the next: noise in a configuration file under version
control, different bytes for equal records in a store. :data:`SortedSet` is a
``frozenset`` to Python and a sorted array to JSON.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Callable, KeysView
from collections.abc import Set as AbstractSet
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, PlainSerializer
from pydantic_core import PydanticSerializationError

from .errors import _article

__all__ = ["SortedSet", "dump_json", "passes_interrupts", "set_refused"]

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])

# pydantic turns whatever a serializer function raises, KeyboardInterrupt and SystemExit
# included, into a PydanticSerializationError (and model_dump_json keeps no cause): the
# library's serializer functions leave such an exception here, per thread, for
# dump_json to raise as itself.
_CUT_OFF = threading.local()

# What pydantic-core says when a KeyboardInterrupt cut off serialisation: in a serializer
# function (``Error calling function `name`: KeyboardInterrupt: ...``) or in the Python
# code pydantic-core itself calls (an Enum's value: ``KeyboardInterrupt: ...`` at once).
# Any other exception's type name would stand where ``KeyboardInterrupt`` does (a
# ValueError whose text says "KeyboardInterrupt" is "ValueError: KeyboardInterrupt"), and
# a function name holds no backtick: only a KeyboardInterrupt matches.
_INTERRUPTED = re.compile(
    r"Error serializing to JSON: (?:PydanticSerializationError: Error calling function "
    r"`[^`]*`: )?KeyboardInterrupt: (.*)",
    re.DOTALL,
)


def passes_interrupts(serializer: F) -> F:
    """``serializer`` (a pydantic serializer function of the library) keeping what cuts
    it off (a ``BaseException`` that is no ``Exception``) for :func:`dump_json`."""

    @functools.wraps(serializer)  # pydantic reads its signature (through __wrapped__)
    def serialize(*args: Any) -> Any:
        try:
            return serializer(*args)
        except BaseException as exc:
            if not isinstance(exc, Exception):
                _CUT_OFF.exc = exc
            raise

    return serialize  # type: ignore[return-value]


def dump_json(model: BaseModel, **options: Any) -> str:
    """``model.model_dump_json(**options)``, but a ``KeyboardInterrupt`` or
    ``SystemExit`` raised in one of the library's serializer functions comes out as
    itself, not as pydantic's ``PydanticSerializationError``; so does a
    ``KeyboardInterrupt`` (Ctrl-C) that arrived anywhere else in the serialisation
    (before a wrapper's ``try``, in a serializer function not wrapped, in the Python
    code pydantic-core calls), recognised by pydantic's message."""
    _CUT_OFF.exc = None
    try:
        return model.model_dump_json(**options)
    except PydanticSerializationError as exc:
        cut_off, _CUT_OFF.exc = _CUT_OFF.exc, None
        if cut_off is not None:
            raise cut_off from None
        interrupted = _INTERRUPTED.fullmatch(str(exc))
        if interrupted is not None:
            text = interrupted.group(1)
            raise (KeyboardInterrupt(text) if text else KeyboardInterrupt()) from exc
        raise


@passes_interrupts
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
        whose = f"{what}'" if what.endswith("s") else f"{what}'s"
        return (
            f"{takes}, not {_article(kind)} {kind} (a set's order changes with "
            f"PYTHONHASHSEED, and the {whose} order with it)"
        )
    return None
