"""The models' bad input raises one error that is this library's and pydantic's at once.

Building a model (``hr.Ticket(...)``) or calling ``model_validate``,
``model_validate_json`` or ``model_validate_strings`` on one raises
:class:`~helpdesk_routing.errors.ModelValidationError` on bad input: an
``hr.ValidationError`` (so an ``hr.RoutingError``: ``details`` with JSON paths,
``paths``, ``message``) and a ``pydantic.ValidationError`` (``title``,
``error_count()``, ``json()``, ``errors()`` with ``loc``, ``msg``, ``type``, ``input``),
so ``except hr.RoutingError``, ``except hr.ValidationError``, ``except
pydantic.ValidationError`` and ``except ValueError`` each catch it.

Only a direct call is wrapped: a model validated as a part of another (a ``Team`` in a
``Configuration``), by a ``TypeAdapter`` or by a web framework goes through pydantic's
validator as before (the override of ``__init__`` is marked as pydantic's own, so
pydantic does not route nested validation through it) and the outermost call wraps.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Self, TypeGuard, TypeVar

import pydantic
from pydantic import BaseModel

from helpdesk_routing.errors import (
    ErrorDetail,
    ModelValidationError,
    ValidationError,
    input_details,
)

__all__ = ["InputModel", "as_model", "whole_number"]

M = TypeVar("M", bound=BaseModel)


class InputModel(BaseModel):
    """Base of the package's models: a direct call with bad input raises
    :class:`~helpdesk_routing.errors.ModelValidationError` (see the module docstring)."""

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
        except pydantic.ValidationError as error:
            raise type(self)._wrapped(error, data) from None

    # pydantic keeps nested validation away from a custom __init__ only when it is
    # marked as its own: this one only wraps the error of the outermost call.
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    @classmethod
    def model_validate(cls, obj: Any, **kwargs: Any) -> Self:
        try:
            return super().model_validate(obj, **kwargs)
        except pydantic.ValidationError as error:
            raise cls._wrapped(error, obj) from None

    @classmethod
    def model_validate_json(cls, json_data: str | bytes | bytearray, **kwargs: Any) -> Self:
        try:
            return super().model_validate_json(json_data, **kwargs)
        except pydantic.ValidationError as error:
            raise cls._wrapped(error, json_data, json_input=True) from None

    @classmethod
    def model_validate_strings(cls, obj: Any, **kwargs: Any) -> Self:
        try:
            return super().model_validate_strings(obj, **kwargs)
        except pydantic.ValidationError as error:
            raise cls._wrapped(error, obj) from None

    @classmethod
    def _wrapped(
        cls, error: pydantic.ValidationError, data: Any, *, json_input: bool = False
    ) -> ModelValidationError:
        """``error`` as this library's, its details read against the input ``data`` (JSON
        text when ``json_input``)."""
        given = _parsed(data) if json_input else data
        return ModelValidationError.of(
            error, cls._input_details(error, given), json_input=json_input
        )

    @classmethod
    def _input_details(cls, error: pydantic.ValidationError, data: Any) -> list[ErrorDetail] | None:
        """The library's details of ``error`` for input ``data``: one per error, at its
        JSON path in ``data`` (without pydantic's union labels: ``errors.input_path``). A
        model whose loader locates errors better says so here."""
        return input_details(error.errors(include_url=False), data)


def _parsed(text: str | bytes | bytearray) -> Any:
    """The JSON text read again, to locate its errors; ``None`` when it cannot be read
    (pydantic's parser stops nesting before Python's does, so text pydantic refused as
    too deep may be too deep for ``json`` too: its paths are then left as pydantic gives
    them)."""
    try:
        return json.loads(text)
    except (ValueError, TypeError, RecursionError):
        return None


def whole_number(value: object) -> TypeGuard[int]:
    """Whether ``value`` is an ``int`` and not a ``bool`` (``True`` is no count, no
    version, no seed, though Python makes it an ``int``)."""
    return isinstance(value, int) and not isinstance(value, bool)


def as_model(cls: type[M], value: object, what: str) -> M:
    """``value`` as a ``cls`` where a method takes one: itself when it is one, validated
    when it is a mapping of its fields (``ModelValidationError`` with JSON paths on bad
    input, as ``cls.model_validate`` raises); anything else is refused with a
    :class:`~helpdesk_routing.errors.ValidationError` naming ``what`` and the type given."""
    if isinstance(value, cls):
        return value
    if isinstance(value, Mapping):
        return cls.model_validate(value)
    raise ValidationError(
        f"{what} must be a {cls.__name__} or a mapping of its fields, got {type(value).__name__}"
    )
