"""Models built from values that are already valid, and one shared fields-set per shape.

Two costs of pydantic that the hot paths (a route, a reply, a close) do not need:

* **Validating again.** ``Model(...)`` validates every value, ``model_construct`` walks
  every field with its aliases and defaults, and ``model_copy(update=...)`` copies the
  instance through ``copy``; a route builds or copies half a dozen records whose values
  were validated moments before (the ticket by its model, the decision by
  ``decide``, the instant by the Router's clock check). :func:`construct` and
  :func:`updated` set the instance's ``__dict__`` directly, in field order (a model's
  JSON follows it), with the field defaults for the rest.
* **A fields-set per record.** Every pydantic instance carries
  ``__pydantic_fields_set__``, a ``set`` of the names given when it was built: about
  200-700 bytes per record, as much as the record's own values. The memory store keeps
  hundreds of thousands of records with one of a handful of such sets, so records get
  the one shared set of their shape. Safe because these models are frozen: pydantic
  changes a fields-set only on a copy it has just made, never the original's.

Only for values of the fields' types that have passed the fields' validation (the
callers say where their values come from). ``tests/test_trusted.py`` holds every
model built here equal, field for field and in JSON, to the validated one.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

M = TypeVar("M", bound=BaseModel)

__all__ = ["SharedNames", "assemble", "construct", "share_fields_set", "shared_names", "updated"]


class _Shared(set[str]):
    """A fields-set shared by every record of its shape (its type marks it as such).

    ``plus`` remembers, per tuple of changed names, the shared set of an
    :func:`updated` copy, so a copy costs no set arithmetic once its shape is known.
    """

    __slots__ = ("plus",)

    def __init__(self, names: frozenset[str]) -> None:
        super().__init__(names)
        self.plus: dict[tuple[str, ...], _Shared] = {}

    # A copy (pydantic's model_copy copies the fields-set, then adds to it) is a plain set
    # of its own: it must neither change the shared one nor carry its ``plus``, which
    # would describe the shared names, not the copy's. A pickled one is the receiving
    # process's shared set of the same names (with that process's own ``plus``): a model
    # sent to a worker (a sweep's events) keeps the mark of a validated one, and pydantic
    # changes an unpickled model's fields-set only on a copy, as any other's.
    def __copy__(self) -> set[str]:
        return set(self)

    def __deepcopy__(self, memo: dict[int, object]) -> set[str]:
        return set(self)

    def __reduce__(self) -> tuple[Any, tuple[frozenset[str]]]:
        return (shared_names, (frozenset(self),))


SharedNames = _Shared
"""The type of a shared fields-set: a model whose ``__pydantic_fields_set__`` is of it
has nothing for :func:`share_fields_set` to do (a test a caller may make inline)."""

_SHARED: dict[frozenset[str], _Shared] = {}
_BY_NAMES: dict[tuple[str, ...], _Shared] = {}  # the same sets, by the names in given order
# dict.setdefault is atomic under the GIL: two threads meeting a new shape get one set.


class _Plan:
    """How to build one model class: its defaults in field order, and the rest."""

    __slots__ = ("factories", "private", "required", "template")

    def __init__(self, cls: type[BaseModel]) -> None:
        fields = cls.model_fields
        self.template = {
            name: None if info.default is PydanticUndefined else info.default
            for name, info in fields.items()
        }
        self.factories = tuple(
            (name, info.default_factory)
            for name, info in fields.items()
            if info.default_factory is not None
        )
        self.required = frozenset(name for name, info in fields.items() if info.is_required())
        private = {name: attr.get_default() for name, attr in cls.__private_attributes__.items()}
        self.private = private or None


_PLANS: dict[type[BaseModel], _Plan] = {}


def shared_names(names: set[str] | frozenset[str]) -> _Shared:
    """The one shared fields-set holding ``names`` (never to be changed in place)."""
    key = names if isinstance(names, frozenset) else frozenset(names)
    shared = _SHARED.get(key)
    if shared is None:
        shared = _SHARED.setdefault(key, _Shared(key))
    return shared


def share_fields_set(model: BaseModel) -> None:
    """Replace ``model``'s own fields-set with the shared one of the same names."""
    names = model.__pydantic_fields_set__
    if type(names) is not _Shared:
        object.__setattr__(model, "__pydantic_fields_set__", shared_names(names))


# pydantic keeps an instance's state in four slots of BaseModel; their descriptors set
# them directly, a third of what ``object.__setattr__`` costs per slot (this module
# builds half a dozen records per route).
_new = object.__new__
_set_dict = BaseModel.__dict__["__dict__"].__set__
_set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__


def assemble(
    cls: type[M], values: dict[str, Any], names: set[str], private: dict[str, Any] | None
) -> M:
    """An instance of ``cls`` holding exactly ``values`` (its ``__dict__``, in field
    order), with the fields-set ``names`` and the private attributes ``private``: what
    :func:`construct` and :func:`updated` end with, and what a model that builds its
    own trusted instances (``RoutingDecision``) calls."""
    model = _new(cls)
    _set_dict(model, values)
    _set_fields_set(model, names)
    _set_extra(model, None)
    _set_private(model, private)
    return model


def updated(model: M, **changes: Any) -> M:
    """A copy of ``model`` with ``changes`` (values of its fields' types, already valid),
    sharing the fields-set of its shape: what ``model_copy(update=...)`` gives, at a
    fraction of its cost and without a fields-set per stored record."""
    values = model.__dict__.copy()
    values.update(changes)
    names = model.__pydantic_fields_set__
    if type(names) is _Shared:
        key = tuple(changes)
        shared = names.plus.get(key)
        if shared is None:
            shared = names.plus.setdefault(key, shared_names(names | changes.keys()))
    else:
        shared = shared_names(names | changes.keys())
    private = model.__pydantic_private__
    # assemble(), written out: a route copies and builds a dozen records, and the call
    # would cost a tenth of each.
    copy = _new(type(model))
    _set_dict(copy, values)
    _set_fields_set(copy, shared)
    _set_extra(copy, None)
    _set_private(copy, None if private is None else dict(private))
    return copy


class _Shape:
    """How to build one model class from one tuple of given names (checked once): the
    defaults template, the shared fields-set, the factories of the fields not given."""

    __slots__ = ("factories", "names", "private", "template")

    def __init__(self, cls: type[BaseModel], given: tuple[str, ...]) -> None:
        plan = _PLANS.get(cls)
        if plan is None:
            plan = _PLANS[cls] = _Plan(cls)
        unknown = [name for name in given if name not in plan.template]
        missing = plan.required - set(given)
        if unknown or missing:
            raise TypeError(
                f"{cls.__name__}: not fields {sorted(unknown)}, missing {sorted(missing)}"
            )
        self.template = plan.template
        self.factories = tuple((n, f) for n, f in plan.factories if n not in given)
        names = _BY_NAMES.get(given)
        if names is None:
            names = _BY_NAMES.setdefault(given, shared_names(frozenset(given)))
        self.names = names
        self.private = plan.private


_SHAPES: dict[tuple[Any, ...], _Shape] = {}


def construct(cls: type[M], /, **values: Any) -> M:
    """An instance of ``cls`` from ``values`` already valid for its fields; the fields not
    given take their defaults. ``TypeError`` when a required field is missing or a name
    is not a field (a mistake in the caller, never bad input)."""
    key = (cls, *values)
    shape = _SHAPES.get(key)
    if shape is None:
        shape = _SHAPES.setdefault(key, _Shape(cls, tuple(values)))
    out = shape.template.copy()  # in field order: a model's JSON follows its __dict__
    out.update(values)
    for name, factory in shape.factories:
        out[name] = factory()  # type: ignore[call-arg]
    private = shape.private
    model = _new(cls)  # assemble(), written out (see updated)
    _set_dict(model, out)
    _set_fields_set(model, shape.names)
    _set_extra(model, None)
    _set_private(model, None if private is None else dict(private))
    return model
