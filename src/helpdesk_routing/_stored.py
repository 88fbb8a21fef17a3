"""Reading back what a store wrote: the validation context that keeps old rows readable.

A newer version of the library may refuse input an older one took: ids longer than
:data:`~helpdesk_routing.model.MAX_ID_LENGTH`, an e-mail address its rule no longer
accepts, rotation state that does not read back from JSON as itself, an empty bound
channel. Those rules are for input. A row a store wrote under the older rules is not
input: refusing it when read back made a whole store unopenable (a configuration naming
a view of 300 characters: no Router, so no way to fix it), a view unreadable (one long
ticket id hid every ticket of "All tickets") or a ledger unmigratable. The stores read
their own rows with the context :data:`STORED`; the checks that are only input rules
pass them there (:func:`is_stored`), while everything the models need to work with a
value (its type, text a store can keep) is checked as always.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, Final

from pydantic import ValidationInfo
from pydantic_core import PydanticKnownError

__all__ = [
    "STORED",
    "at_least",
    "at_most",
    "is_stored",
    "not_negative",
    "schema_max_length",
    "stored_context",
]

_KEY = "helpdesk_routing.stored"

STORED: Final[Mapping[str, bool]] = MappingProxyType({_KEY: True})
"""The validation context of a row a store reads back
(``TicketRecord.model_validate_json(text, context=STORED)``)."""


def is_stored(info: ValidationInfo) -> bool:
    """Whether the value being validated is a stored row read back (context :data:`STORED`)."""
    return stored_context(info.context)


def stored_context(context: object) -> bool:
    """Whether ``context`` (a validation context, or ``None``) is :data:`STORED`'s."""
    return isinstance(context, Mapping) and context.get(_KEY) is True


def at_most(length: int) -> Callable[[str, ValidationInfo], str]:
    """An after-validator: text of at most ``length`` characters, pydantic's own
    ``string_too_long`` error otherwise, except in a stored row read back (kept as
    written)."""

    def check(value: str, info: ValidationInfo) -> str:
        if len(value) > length and not is_stored(info):
            raise PydanticKnownError("string_too_long", {"max_length": length})
        return value

    return check


def at_least(length: int) -> Callable[[str, ValidationInfo], str]:
    """An after-validator: text of at least ``length`` characters, pydantic's own
    ``string_too_short`` error otherwise, except in a stored row read back (an empty
    text an older version took reads back as written)."""

    def check(value: str, info: ValidationInfo) -> str:
        if len(value) < length and not is_stored(info):
            raise PydanticKnownError("string_too_short", {"min_length": length})
        return value

    return check


def not_negative(value: int, info: ValidationInfo) -> int:
    """An after-validator: an integer of at least 0, pydantic's own
    ``greater_than_equal`` error otherwise, except in a stored row read back."""
    if value < 0 and not is_stored(info):
        raise PydanticKnownError("greater_than_equal", {"ge": 0})
    return value


def schema_max_length(length: int) -> dict[str, Any]:
    """The ``json_schema_extra`` that states :func:`at_most`'s bound in a JSON Schema."""
    return {"maxLength": length}
