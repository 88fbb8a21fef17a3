"""The models' bad input raises one error that is this library's and pydantic's at once.

Building a model (``hr.Ticket(...)``) or calling ``model_validate``,
``model_validate_json`` or ``model_validate_strings`` on one raises
:class:`~helpdesk_routing.errors.ModelValidationError` on bad input: an
``hr.ValidationError`` (so an ``hr.RoutingError``: ``details`` with JSON paths,
``paths``, ``message``) and a ``pydantic.ValidationError`` (``title``,
``error_count()``, ``json()``, ``errors()`` with ``loc``, ``msg``, ``type``, ``input``),
so ``except hr.RoutingError``, ``except hr.ValidationError``, ``except
pydantic.ValidationError`` and ``except ValueError`` each catch it.

A changed copy of the input models (the stored nouns, ``Configuration``, a
scenario's parts) is checked too (:class:`CheckedCopy`): ``model_copy(update=...)``
validates the result as the constructor would, where pydantic's own copy takes the update
unchecked. The records the library builds for itself (``TicketRecord``, audit records,
decisions) keep pydantic's copy.

Only a direct call is wrapped: a model validated as a part of another (a ``Team`` in a
``Configuration``), by a ``TypeAdapter`` or by a web framework goes through pydantic's
validator as before (the override of ``__init__`` is marked as pydantic's own, so
pydantic does not route nested validation through it) and the outermost call wraps.
"""

from __future__ import annotations

import copy
import json
import numbers
import operator
from collections.abc import Iterable, Mapping, Sized
from typing import Any, ClassVar, Self, TypeGuard, TypeVar

import pydantic
from pydantic import BaseModel
from pydantic_core import ErrorDetails, InitErrorDetails, PydanticCustomError

from helpdesk_routing._collector import collector_paused
from helpdesk_routing._json import MAX_DEPTH, loads
from helpdesk_routing._stored import stored_context
from helpdesk_routing._trusted import SharedNames, share_fields_set
from helpdesk_routing.errors import (
    ErrorDetail,
    ModelValidationError,
    ValidationError,
    _article,
    _line,
    input_details,
    path_loc,
)

__all__ = ["CheckedCopy", "InputModel", "as_model", "whole_number", "without_follow_ons"]

M = TypeVar("M", bound=BaseModel)


class InputModel(BaseModel):
    """Base of the package's models: a direct call with bad input raises
    :class:`~helpdesk_routing.errors.ModelValidationError` (see the module docstring)."""

    _json_depth: ClassVar[int] = MAX_DEPTH
    """How deep the model's JSON may nest (``_json.loads``' ``depth``): deeper for a
    document that holds a rule set lower down than a rule set's own."""

    _json_rules_key: ClassVar[str | tuple[str, ...] | None] = None
    """The member of the model's JSON that lists rules (``"rules"`` for a rule set): a
    problem of strict JSON inside ``$.<key>[i]`` names that rule's id, as the loader's do."""

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
            return
        except pydantic.ValidationError as error:
            wrapped = type(self)._wrapped(error, data)
        # Raised after the except block, so it has no __context__ (pydantic's error, the
        # input whole): a pickler of exceptions that carries the context along (tblib's,
        # which Dask's distributed installs for every exception class) could not pickle
        # an input holding a lock or a lambda, and a sweep's worker handed back pickle's
        # TypeError. The local is deleted as it propagates: no frame holds the error its
        # own traceback holds (a cycle that kept a failed input alive until collected).
        try:
            raise wrapped
        finally:
            del wrapped

    # pydantic keeps nested validation away from a custom __init__ only when it is
    # marked as its own: this one only wraps the error of the outermost call.
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        """A frozen model's hash, equal for equal models, also when a field holds a dict or
        a list (custom values, an audit record's detail): pydantic's own hash raised
        ``TypeError: unhashable type: 'dict'`` for every ``Ticket``. A model that is not
        frozen is unhashable, as pydantic makes it."""
        if not type(self).model_config.get("frozen"):
            raise TypeError(f"unhashable type: {type(self).__name__!r} (not frozen)")
        values = self.__dict__.values()
        try:
            return hash((type(self), *values))
        except TypeError:
            return hash((type(self), *map(_hashable, values)))

    @classmethod
    def model_validate(cls, obj: Any, **kwargs: Any) -> Self:
        try:
            return super().model_validate(obj, **kwargs)
        except pydantic.ValidationError as error:
            wrapped = cls._wrapped(error, obj)
        try:  # after the except block, the local deleted: see __init__
            raise wrapped
        finally:
            del wrapped

    @classmethod
    def model_validate_json(cls, json_data: str | bytes | bytearray, **kwargs: Any) -> Self:
        """pydantic's, holding JSON text to the library's strict JSON first, as the loaders
        (``from_json``) do: a key given twice, a lone surrogate escape, a number no store
        keeps are refused at their path (pydantic let the last duplicate win), and a
        leading byte-order mark is read past. Not for a store's own rows read back
        (context ``STORED``, ``helpdesk_routing._stored``): they were checked when written."""
        if isinstance(json_data, str | bytes | bytearray) and not stored_context(
            kwargs.get("context")
        ):
            json_data = _strict_json(cls, json_data)
        try:
            return super().model_validate_json(json_data, **kwargs)
        except pydantic.ValidationError as error:
            wrapped = cls._wrapped(error, json_data, json_input=True)
        try:  # after the except block, the local deleted: see __init__
            raise wrapped
        finally:
            del wrapped

    @classmethod
    def model_validate_strings(cls, obj: Any, **kwargs: Any) -> Self:
        try:
            return super().model_validate_strings(obj, **kwargs)
        except pydantic.ValidationError as error:
            wrapped = cls._wrapped(error, obj)
        try:  # after the except block, the local deleted: see __init__
            raise wrapped
        finally:
            del wrapped

    @classmethod
    def _wrapped(
        cls, error: pydantic.ValidationError, data: Any, *, json_input: bool = False
    ) -> ModelValidationError:
        """``error`` as this library's, its details read against the input ``data`` (JSON
        text when ``json_input``)."""
        # With the collector paused: an error of 200,000 problems is a million small
        # objects, and its passes over the caller's heap were half the time.
        with collector_paused():
            given = _parsed(data) if json_input else data
            error = without_follow_ons(error) or error
            return ModelValidationError.of(
                error, cls._input_details(error, given), json_input=json_input
            )

    @classmethod
    def _input_details(cls, error: pydantic.ValidationError, data: Any) -> list[ErrorDetail] | None:
        """The library's details of ``error`` for input ``data``: one per error, at its
        JSON path in ``data`` (without pydantic's union labels: ``errors.input_path``). A
        model whose loader locates errors better says so here."""
        return input_details(error.errors(include_url=False), data)


def _hashable(value: Any) -> Any:
    """``value`` itself when hashable, else an equal-hashing stand-in: a dict as the set
    of its items, a list as a tuple, a set as a
    frozenset, each member made hashable in turn (custom values nest at most
    ``MAX_DEPTH`` levels, so this recursion is bounded)."""
    try:
        hash(value)
    except TypeError:
        pass
    else:
        return value
    if isinstance(value, Mapping):  # equal dicts in any order: a set of their items
        return (dict, frozenset((k, _hashable(v)) for k, v in value.items()))
    if isinstance(value, (set, frozenset)):
        return frozenset(_hashable(v) for v in value)
    if isinstance(value, (list, tuple)):
        return tuple(_hashable(v) for v in value)
    raise TypeError(f"unhashable type: {type(value).__name__!r}")


class CheckedCopy(InputModel):
    """An input model whose changed copy is validated like one built with its values.

    pydantic's ``model_copy(update=...)`` puts the update into the copy unchecked, so
    ``agent.model_copy(update={"capacity": "lots"})`` gave an ``Agent`` no document could
    be read as, which failed later, deep in the Router or a store. The library's own
    copies of these models, on paths that must stay fast, use
    ``helpdesk_routing._trusted.updated`` with values known to be valid.
    """

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy; with ``update``, a new model validated as one built with those values
        is (:class:`~helpdesk_routing.errors.ModelValidationError` naming each bad field by
        its path, ``$.capacity``), so ``{"capacity": "5"}`` is refused where the
        constructor refuses it and converted where it converts. The fields set are those
        of the original and the update, as pydantic's copy has them; ``deep`` copies the
        original's values first. Without an update, pydantic's plain copy."""
        if not update:
            copied = super().model_copy(deep=deep)
            if type(self.__pydantic_fields_set__) is SharedNames:
                # a copy of a validated model is one (the mark of it, on a frozen model)
                share_fields_set(copied)
            return copied
        given = self.model_fields_set
        fields = type(self).model_fields
        values = {name: getattr(self, name) for name in fields if name in given}
        if deep:
            values = copy.deepcopy(values)
        # Validated as its input is written: a field with an alias under the alias (an
        # event condition's ``filters`` are ``where``, the only name its input takes),
        # whether the update names the field or the alias.
        merged = {**values, **update}
        return self.model_validate(
            {(fields[key].alias or key) if key in fields else key: v for key, v in merged.items()}
        )


def _strict_json(model: type[BaseModel], text: str | bytes | bytearray) -> str:
    """``text`` as text without a leading byte-order mark, once :func:`~helpdesk_routing.
    _json.loads` found it strict JSON; else its problems as a ``ModelValidationError`` of
    ``model`` (each at its JSON path, with its ``json_*`` code)."""
    try:
        loads(
            text,
            model.__name__,
            rules_key=getattr(model, "_json_rules_key", None),
            depth=getattr(model, "_json_depth", MAX_DEPTH),
        )
    except ValidationError as error:
        found = pydantic.ValidationError.from_exception_data(
            model.__name__,
            [
                InitErrorDetails(
                    type=PydanticCustomError(d.code, "{message}", {"message": d.message}),
                    # where the path says (pydantic's contract reads loc), () for one
                    # shortened for its depth
                    loc=path_loc(d.path) or (),
                    input=None,
                )
                for d in error.details
            ],
        )
        raise ModelValidationError.of(found, list(error.details), json_input=True) from None
    if isinstance(text, bytes | bytearray):
        return bytes(text).decode("utf-8-sig")  # loads read it as UTF-8 already
    return text.removeprefix("\ufeff")


def without_follow_ons(error: pydantic.ValidationError) -> pydantic.ValidationError | None:
    """``error`` without the ``too_short`` errors that only follow from failed items, or
    ``None`` when it has none of them.

    pydantic counts the items that validated, so ``members=[5]`` gave ``$.members[0]``
    and a misleading ``$.members: Tuple should have at least 1 item after validation, not
    0``. The follow-on is dropped when the list given was long enough and an error lies
    inside it; an empty list is still refused as too short."""
    found = error.errors(include_url=False)
    kept = [e for e in found if not _follows_on(e, found)]
    if len(kept) == len(found):
        return None
    return pydantic.ValidationError.from_exception_data(error.title, [_line(e) for e in kept])


def _follows_on(entry: ErrorDetails, found: list[ErrorDetails]) -> bool:
    if entry["type"] != "too_short":
        return False
    given, least = entry["input"], entry.get("ctx", {}).get("min_length")
    if not isinstance(given, Sized) or not isinstance(least, int) or len(given) < least:
        return False
    loc = entry["loc"]
    return any(len(e["loc"]) > len(loc) and e["loc"][: len(loc)] == loc for e in found)


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


def plain_text(value: Any) -> Any:
    """``value`` as a plain ``str`` when its type is a ``str`` subclass (NumPy's ``str_``,
    a ``StrEnum`` member, an id with its own ``==`` and hash), else as given: judged by
    its real type, so an object that only claims to be text (``__class__``) is left for
    the caller's own check to refuse, not failed by ``str.__str__``."""
    kind = type(value)
    if kind is str or not issubclass(kind, str):
        return value
    return str.__str__(value)


def integer_argument(value: object) -> int | None:
    """``value`` as an ``int`` when it is a whole number given to a method (an ``int``,
    or any integral number: a NumPy or pandas integer, read with ``operator.index``),
    else ``None``; a ``bool`` is none (``True`` is no count, no version)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        return None
    try:
        return operator.index(value)
    except TypeError:  # NumPy's timedelta64 is Integral, and no whole number
        return None


def as_model(cls: type[M], value: object, what: str) -> M:
    """``value`` as a ``cls`` where a method takes one: itself when it is one, validated
    when it is a subclass's object (as the model itself, from its values) or a mapping of
    its fields (``ModelValidationError`` with JSON paths on bad
    input, as ``cls.model_validate`` raises); anything else is refused with a
    :class:`~helpdesk_routing.errors.ValidationError` naming ``what`` and the type given."""
    if type(value) is cls:
        return value
    if isinstance(value, cls):
        # A subclass: as the model itself, from its values (an extra field refused at
        # its path), so that every store keeps what the others do (the in-memory store
        # kept the subclass, a SQL store wrote its extra field and could not read it).
        return cls.model_validate(dict(value))
    if isinstance(value, Mapping):
        return cls.model_validate(value)
    raise ValidationError(
        f"{what} must be {_article(cls.__name__)} {cls.__name__} or a mapping of its fields, "
        f"got {type(value).__name__}"
    )


def listed_twice(
    given: Iterable[tuple[int, object]], at: str, noun: str, *, name: str | None = None
) -> list[ErrorDetail]:
    """A ``duplicate`` detail at ``{at}[i].id`` for each ``(i, id)`` of ``given`` whose id
    an earlier one gives (``team 't1' is listed twice``, as ``Router(...)`` says it; with
    ``name``, both places too: ``(profiles[0] and profiles[2])``). An id that is no text
    is passed over (its own problem is told where it is read)."""
    first: dict[str, int] = {}
    details: list[ErrorDetail] = []
    for i, item_id in given:
        if not isinstance(item_id, str):
            continue
        before = first.setdefault(item_id, i)
        if before != i:
            said = f"{noun} {item_id!r} is listed twice"
            if name is not None:
                said += f" ({name}[{before}] and {name}[{i}])"
            details.append(ErrorDetail(f"{at}[{i}].id", said, "duplicate"))
    return details
