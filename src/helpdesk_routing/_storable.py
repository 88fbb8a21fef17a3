"""What every store can keep: one rule for text and custom values, checked when a model is
built, so no store accepts what another refuses and no stored row becomes unreadable.

- **Text** (ids, names, tags, subjects, keys) must not hold NUL (``"\\x00"``: PostgreSQL
  ``text`` and ``jsonb`` cannot store it) nor a lone surrogate (``"\\ud800"``: not
  encodable as UTF-8, so neither SQLite nor PostgreSQL nor JSON can store it).
- **Custom values** (``Ticket.fields``, ``Profile.properties``, ``Event.properties``) are
  JSON values: ``None``, booleans, integers, finite floats, text, lists (tuples, sets and
  frozensets are written as lists, a set's members sorted: :func:`json_form`), objects
  with text keys, plus an aware ``datetime`` and a ``date`` (written as ISO-8601 text,
  which every date test reads back as the same instant: an offset of whole seconds is
  written with its seconds, ``+00:19:32``, one with a fraction of a second in UTC; a
  naive ``datetime`` is refused with the wording of a naive instant field).
  Anything else (a ``Decimal``, a custom object) is refused: a store would fail to write
  it, or write it in a form the others never produce.
- **Integers** lie in signed 64 bits (:data:`MIN_INT` to :data:`MAX_INT`): SQLite's
  integers are 64-bit and its JSON functions read a larger literal as a lossy float, and
  filters pushed down into SQL compare in 64 bits, so a larger value would compare
  differently in one store than in another. The same bounds hold for the documents
  :mod:`helpdesk_routing._json` reads and for the values of conditions.
- **Floats** are finite: JSON has no ``NaN`` or ``Infinity``, and PostgreSQL ``jsonb``
  refuses them.
- Values nest at most :data:`~helpdesk_routing._json.MAX_DEPTH` levels (checked without
  recursion: a value of any depth is refused, never a ``RecursionError``).

A set's iteration order is its hashes', which ``PYTHONHASHSEED`` changes for text: every
place here that names or writes the members of a set takes them in :func:`set_order`,
and a bad item of a set field given as a list is named at its index in the list as sent
(:data:`StoredTextSet`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Collection, Iterable, Iterator, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any

import pydantic_core
from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    PlainSerializer,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
)
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

from ._json import MAX_DEPTH, MAX_INT, MIN_INT
from ._shown import shown
from ._stored import is_stored
from ._time import OUT_OF_RANGE
from .errors import NAIVE, _line, _plain_key, _quoted_key

__all__ = [
    "MAX_INT",
    "MIN_INT",
    "CustomValues",
    "NonEmptyStoredText",
    "StoredText",
    "check_custom_values",
    "check_json_values",
    "check_set_text",
    "check_text",
    "json_form",
    "set_order",
    "stored_form",
    "stored_json",
    "stored_text",
    "surrogate_first",
    "text_problem",
    "value_problem",
]

# Tuples of types, not ``X | Y`` unions: isinstance with a union costs far more.
_DATES = (datetime, date)
_CONTAINERS = (list, tuple, set, frozenset, dict)
_JSON_CONTAINERS = (list, dict)


def text_problem(text: str) -> str | None:
    """Why no store can keep ``text``, or ``None`` when every store can."""
    if "\x00" in text:
        return "text must not contain NUL (\\x00)"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return f"text must not contain a lone surrogate (\\u{ord(text[exc.start]):04x})"
    return None


def check_text(text: str) -> str:
    """``text`` unchanged, or a pydantic error saying why no store can keep it."""
    if text.isascii() and "\x00" not in text:  # the common case: nothing to encode
        return text
    problem = text_problem(text)
    if problem is not None:
        raise PydanticCustomError("storable_text", problem)
    return text


def stored_text(value: object, name: str) -> str:
    """``value`` when it is text every store can keep: an argument that will be written
    (a segment, a ledger key). Not text: :class:`~helpdesk_routing.errors.ArgumentTypeError`
    naming ``name``; text no store keeps: :class:`~helpdesk_routing.errors.ValidationError`."""
    from .errors import ArgumentTypeError, ValidationError

    if not isinstance(value, str):
        raise ArgumentTypeError(f"{name} must be text, got {type(value).__name__}")
    problem = text_problem(value)
    if problem is not None:
        raise ValidationError(f"{name} {value!r} cannot be stored: {problem}")
    return value


def surrogate_first(value: object) -> object:
    """A lone surrogate in text given as text, refused before pydantic reads it: a length
    bound (``min_length``) makes pydantic read the text as UTF-8 first, which fails with
    its own ``string_unicode`` error, not the library's. ASCII text holds none. A
    ``BeforeValidator`` of every text field with such a bound (:data:`StoredText`, the
    ids of :mod:`helpdesk_routing.model`)."""
    if value.__class__ is str and not value.isascii():
        check_text(value)
    return value


StoredText = Annotated[str, AfterValidator(check_text), BeforeValidator(surrogate_first)]
"""A pydantic field type: text every store can keep (no NUL, no lone surrogate), refused
with the code ``storable_text`` whatever bounds the field puts on it."""

NonEmptyStoredText = Annotated[
    str, Field(min_length=1), AfterValidator(check_text), BeforeValidator(surrogate_first)
]
""":data:`StoredText` that is not empty. The bound is on the plain text, before the
check, so an empty text gets pydantic's wording for text ("String should have at least 1
character"); a bound put on :data:`StoredText` itself inside an optional field would get
its wording for a collection."""


def _item_shown(item: object) -> str:
    """A set's item as an error names it: its repr, or the start of a long one and its
    length (a segment of 256 characters, each shown as ``\\U0001aeb9``, made a line of
    two thousand)."""
    shown = repr(item)
    if len(shown) <= 80:
        return shown
    if isinstance(item, str):
        return f"{item[:20]!r}... ({len(item)} characters)"
    return f"{shown[:60]}..."


def _bad_text(item: object) -> str | None:
    return text_problem(item) if isinstance(item, str) else None


def check_set_text(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    """A wrap validator of a set-of-text field: the set, or pydantic's error naming each
    item no store can keep. The items are looked at in the input's order: an item of a
    list or a tuple (from Python or JSON) is named at its index as sent (not at a
    position of the set built from it, which the hash seed decides); an item of a set,
    which has no order, is named by its value, the items in :func:`set_order`. Text no
    store can keep is named with the items of another kind (every problem at once)."""
    try:
        built = handler(value)
    except PydanticValidationError as exc:
        # an iterator was read by the handler: nothing left to look at
        if not isinstance(value, list | tuple | set | frozenset):
            raise
        lines: list[Any] = []
        if isinstance(value, _SETS):  # no order: by value, as below
            # pydantic named an item of another kind at its place in the set's iteration
            # order, which the hash seed decides: by value too, with the text no store
            # can keep, all in set_order
            items = list(value)  # the order the handler read them in
            named: list[tuple[Any, InitErrorDetails]] = []
            for e in exc.errors(include_url=False):
                loc = e["loc"]
                if loc and type(loc[0]) is int and loc[0] < len(items):
                    item = items[loc[0]]
                    error = PydanticCustomError(e["type"], f"item {_item_shown(item)}: {e['msg']}")
                    named.append((item, InitErrorDetails(type=error, loc=(), input=item)))
                else:
                    lines.append(_line(e))
            for item in items:
                problem = _bad_text(item)
                if problem is not None:
                    error = PydanticCustomError(
                        "storable_text", f"item {_item_shown(item)}: {problem}"
                    )
                    named.append((item, InitErrorDetails(type=error, loc=(), input=item)))
            place = {id(item): i for i, item in enumerate(set_order(items))}
            named.sort(key=lambda pair: place[id(pair[0])])
            lines += [detail for _, detail in named]
            raise PydanticValidationError.from_exception_data("set", lines) from None
        lines = [_line(e) for e in exc.errors(include_url=False)]
        for index, item in enumerate(value):
            problem = _bad_text(item) if isinstance(item, str) else None
            if problem is not None:
                error = PydanticCustomError("storable_text", problem)
                lines.append(InitErrorDetails(type=error, loc=(index,), input=item))
        if len(lines) == exc.error_count():
            raise
        lines.sort(key=lambda line: line["loc"][:1])
        raise PydanticValidationError.from_exception_data("set", lines) from None
    if all(_storable(item) for item in built):  # the common case
        return built
    problems: list[InitErrorDetails] = []
    if isinstance(value, _SETS) or not isinstance(value, Collection):
        # No order to name (or an iterator, already read): by value, in a stable order.
        for item in set_order(built):
            problem = _bad_text(item)
            if problem is not None:
                error = PydanticCustomError("storable_text", f"item {_item_shown(item)}: {problem}")
                problems.append(InitErrorDetails(type=error, loc=(), input=item))
    else:
        for index, item in enumerate(value):
            problem = _bad_text(item)
            if problem is not None:
                error = PydanticCustomError("storable_text", problem)
                problems.append(InitErrorDetails(type=error, loc=(index,), input=item))
    raise PydanticValidationError.from_exception_data("set", problems)


def _where(path: str) -> str:
    return f"at {path}: " if path else ""


def _scalar_problem(value: Any) -> str | None:
    """Why no store can keep ``value`` (not a container), or ``None``."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return None if MIN_INT <= value <= MAX_INT else "integer beyond signed 64 bits"
    if isinstance(value, float):
        return None if math.isfinite(value) else f"not a finite number: {value!r}"
    if isinstance(value, str):
        return text_problem(value)
    if isinstance(value, datetime):
        # As an instant field refuses it: a naive one has no meaning, and would be kept
        # as ISO text without an offset, which no date test reads.
        offset = value.tzinfo.utcoffset(value) if value.tzinfo is not None else None
        if offset is None:
            return NAIVE
        if offset.microseconds and _datetime_form(value) is value:
            # Written in UTC (no date test reads an offset with a fraction of a second),
            # which this instant's UTC reading lies outside of.
            return f"an instant with a UTC offset of a fraction of a second {OUT_OF_RANGE}"
        return None
    if isinstance(value, date):
        return None
    if isinstance(value, Enum):
        # A str, int or float enum (StrEnum, IntEnum) was taken above, as its value.
        kind = type(value).__name__
        name = value.name
        member = shown(f"{kind}.{name}" if isinstance(name, str) else f"a {kind} member")
        return (
            f"{member} is not a JSON value: an enum member is stored only when its enum is"
            f" a str, int or float one (StrEnum, IntEnum); pass its .value"
        )
    return f"{type(value).__name__} is not a JSON value"


def key_step(where: str, key: object) -> str:
    """The inner path ``where`` then the member ``key``: ``.key``, or the key as a
    bracketed JSON string where a ``.name`` step cannot say it (the empty key, one
    holding ``.``, ``[`` or ``]``, or a character that is not printable), as a JSON path
    of :func:`~helpdesk_routing.errors.json_path` says it: ``a[""]``, ``["a.b"].x``."""
    if isinstance(key, str) and _plain_key(key):
        return f"{where}.{key}" if where else key
    return f"{where}[{_quoted_key(key) if isinstance(key, str) else repr(key)}]"


def _members(where: str, item: Any) -> Iterator[tuple[str, Any, tuple[str, Any] | None]]:
    if isinstance(item, dict):
        return ((key_step(where, k), member, (where, k)) for k, member in item.items())
    if isinstance(item, _SETS):  # its index in the list it is written as
        item = set_order(item)
    return ((f"{where}[{i}]", member, None) for i, member in enumerate(item))


_SETS = (set, frozenset)


def _json_text(value: Any) -> str:
    try:
        return pydantic_core.to_json(json_form({"": value})[""]).decode()
    except (pydantic_core.PydanticSerializationError, ValueError, TypeError):
        return repr(value)  # a value no store keeps, named in an error: any stable text


def set_order(members: Iterable[Any]) -> list[Any]:
    """The members of a set in an order that does not depend on the hash seed: the order
    their JSON form lists them in. Text by code point (as ``sorted`` sorts it), numbers
    by value, any other mix by kind (numbers, whether ``int`` or ``float``, are one kind,
    by value: ``{1.0, 2, "a"}`` and the equal ``{1, 2.0, "a"}`` are listed alike, inside
    a tuple too), then by JSON text."""
    items = list(members)
    kinds = {item.__class__ for item in items}
    if kinds <= {str} or (kinds <= {int, float} and all(item == item for item in items)):
        return sorted(items)
    return sorted(items, key=_mixed_key)


def _mixed_key(item: Any) -> tuple[str, Any]:
    """The sort key of a member of a mixed set: a number (not NaN) among the others by
    value, named as an ``int`` is so that a set of whole numbers and text keeps its order;
    a tuple (a frozenset) by the keys of its members, in order (sorted), so that equal
    ones sort alike (``(1,)`` and ``(1.0,)``); any other value by its type's name and its
    JSON text."""
    kind = item.__class__
    if (kind is int or kind is float) and item == item:
        return ("int", item)
    if kind is tuple:
        return ("tuple", tuple(map(_mixed_key, item)))
    if kind is frozenset:
        return ("frozenset", tuple(sorted(map(_mixed_key, item))))
    return (kind.__name__, _json_text(item))


def _datetime_form(value: datetime) -> datetime | str:
    """An aware ``datetime`` as :func:`json_form` gives it to the JSON writer: itself when
    its UTC offset is whole minutes (pydantic writes it exactly); its ISO text with the
    offset's seconds (``+00:19:32``, a local mean time) when the offset has seconds, which
    pydantic would drop (another instant); in UTC when the offset has a fraction of a
    second, which no ISO offset a date test reads can say. Itself when that UTC reading
    lies outside the calendar (the models refuse such a value) or it has no offset."""
    offset = value.utcoffset()
    if offset is None or not (offset.seconds % 60 or offset.microseconds):
        return value
    if not offset.microseconds:
        return datetime.isoformat(value)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        return value


def _json_member(value: Any) -> tuple[Any, bool]:
    """``value`` with every set inside it a list in :func:`set_order` and every
    ``datetime`` as :func:`_datetime_form` gives it (and whether that changed anything: a
    value without either is itself)."""
    if isinstance(value, _SETS):
        return set_order(_json_member(v)[0] for v in value), True
    if isinstance(value, dict):
        pairs = [(k, *_json_member(v)) for k, v in value.items()]
        if any(changed for _, _, changed in pairs):
            return {k: v for k, v, _ in pairs}, True
        return value, False
    if isinstance(value, list | tuple):
        members = [_json_member(v) for v in value]
        if any(changed for _, changed in members):
            return [v for v, _ in members], True
        return value, False
    if isinstance(value, datetime):
        form = _datetime_form(value)
        return form, form is not value
    return value, False


_FORMED = (*_CONTAINERS, datetime)


def stored_json(value: datetime) -> str:
    """The JSON text an aware ``datetime`` among custom values is kept as, offset
    included (``"2026-03-30T09:00:00Z"``, ``"2026-03-30T11:00:00+02:00"``)."""
    return pydantic_core.to_json(_datetime_form(value)).decode()


def json_form(values: dict[str, Any]) -> dict[str, Any]:
    """Custom values as their JSON is written (by the models, by every store): each set or
    frozenset, at any depth, a list in :func:`set_order`, so that equal values are the
    same JSON text in every process; each ``datetime`` whose UTC offset is not whole
    minutes as :func:`_datetime_form` gives it, so that its text names the same instant.
    ``values`` itself when it holds neither."""
    for value in values.values():
        if isinstance(value, _FORMED):
            break
    else:
        return values  # the common case: no container, nothing to look at
    form, changed = _json_member(values)
    return form if changed else values


# Classes a JSON round trip gives back as themselves (not a subclass: an enum member
# comes back as plain text or a plain number).
_PLAIN = frozenset({str, int, float, bool, type(None)})


def _written(value: Any) -> Any:
    """``value`` through the JSON every store writes and reads back."""
    return json.loads(pydantic_core.to_json(json_form({"": value})[""]))


def _stored_value(value: Any) -> Any:
    """One custom value (not of a :data:`_PLAIN` class) as a store gives it back:
    ``value`` itself when it already is (a list or an object of such values), else a new
    value. Dates and tuples are converted here; sets, subclasses of text or numbers and
    anything rarer go through the JSON writer itself, so the result is what a store
    holds. Recursive: the depth is bounded by the model's check."""
    cls = value.__class__
    if cls is list:
        out = None
        for i, item in enumerate(value):
            if item.__class__ not in _PLAIN and (new := _stored_value(item)) is not item:
                if out is None:
                    out = list(value)
                out[i] = new
        return value if out is None else out
    if cls is dict:
        copied = None
        for key, item in value.items():
            if key.__class__ is not str:
                return _written(value)  # a key of a text subclass is read back as text
            if item.__class__ not in _PLAIN and (new := _stored_value(item)) is not item:
                if copied is None:
                    copied = dict(value)
                copied[key] = new
        return value if copied is None else copied
    if cls is tuple:
        return [item if item.__class__ in _PLAIN else _stored_value(item) for item in value]
    if cls is datetime:
        form = _datetime_form(value)
        return form if form.__class__ is str else pydantic_core.to_json(form)[1:-1].decode()
    if cls is date:
        return value.isoformat()
    return _written(value)


def stored_form(
    values: Mapping[str, Any], names: Collection[str] | None = None
) -> Mapping[str, Any]:
    """Custom ``values`` as every store gives them back (a ``date`` or ``datetime`` as
    its ISO text, a tuple or a set as a list, an enum member as its value), or only
    those at ``names`` when given (the others are left as they are: what a decision
    reads is the names its rules test). ``values`` itself when nothing changes (the
    common case: no copy); else a new dict, whose unchanged values are shared with
    ``values``. One walk: each value is looked at once, and only a value of another
    class than text, a number, a boolean or ``None`` is looked into."""
    plain = _PLAIN
    if names is None:
        looked = [name for name, value in values.items() if value.__class__ not in plain]
    elif len(names) >= len(values):
        looked = [n for n, v in values.items() if v.__class__ not in plain and n in names]
    else:
        get = values.get  # an absent name reads None: plain
        looked = [name for name in names if get(name).__class__ not in plain]
    changed: dict[str, Any] | None = None
    for name in looked:
        value = values[name]
        new = _stored_value(value)
        if new is not value:
            if changed is None:
                changed = dict(values)
            changed[name] = new
    return values if changed is None else changed


def value_problem(value: Any, path: str = "", *, json_only: bool = False) -> str | None:
    """Why no store can keep the custom value ``value`` (naming the inner ``path``), or
    ``None`` when every store can. The first problem in the value's order is named; the
    walk keeps its own stack, so it never recurses.

    ``json_only``: the value must read back from JSON as the same Python value, for
    state its owner reads back raw (``RotationState.extra``): a tuple or a set (read
    back as a list) and a date (read back as text) are refused too."""
    # One entry per open container: its remaining (path, item, member of) triples, where
    # "member of" is the (path, key) of the object holding the item, or None.
    stack: list[Iterator[tuple[str, Any, tuple[str, Any] | None]]] = [iter(((path, value, None),))]
    # Containers walked whole at a level without a problem (the walk returns at the first):
    # a part held in several places is walked once a level, not once a path (nested
    # [a, a] lists, 24 levels of them, were 2**24 paths: 24 s).
    walked: set[tuple[int, int]] = set()
    while stack:
        step = next(stack[-1], None)
        if step is None:
            stack.pop()
            continue
        where, item, member_of = step
        if member_of is not None:
            # A member of an object: its key first, as it comes before its value.
            owner, key = member_of
            if not isinstance(key, str):
                return f"{_where(owner)}a key must be text, got {type(key).__name__}"
            problem = text_problem(key)
            if problem is not None:
                return f"{_where(owner)}key: {problem}"
        if not isinstance(item, _CONTAINERS):
            problem = _scalar_problem(item)
            if problem is None and json_only and isinstance(item, _DATES):
                problem = (
                    f"{type(item).__name__} is not a JSON value (a store reads it back as "
                    "text: write its ISO text)"
                )
            if problem is not None:
                return _where(where) + problem
            continue
        if json_only and not isinstance(item, _JSON_CONTAINERS):
            return (
                f"{_where(where)}{type(item).__name__} is not a JSON value (a store reads it "
                "back as a list: write a list)"
            )
        if len(stack) > MAX_DEPTH:  # ``item`` is level len(stack)
            return f"{_where(where)}nested deeper than {MAX_DEPTH} levels"
        seen = (id(item), len(stack))
        if seen in walked:
            continue
        walked.add(seen)
        stack.append(_members(where, item))
    return None


def _value_error(problem: str) -> PydanticCustomError:
    """The error of a custom value no store can keep. A naive datetime carries the cause
    that marks it as one (``errors._naive``), so a model raises it as a
    ``ModelNaiveDatetimeError``, as it does a naive ``created_at``. The problem is given
    as context, never as the template: a key naming ``{error}`` is shown as it is."""
    if problem.endswith(NAIVE):
        return PydanticCustomError(
            "storable_value", "{problem}", {"error": ValueError(NAIVE), "problem": problem}
        )
    return PydanticCustomError("storable_value", problem)


def check_custom_values(values: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
    """``values``, or a pydantic error naming the first value no store can keep.

    A list, dict or set among them is the model's own (:func:`_owned`): the caller's,
    kept, changed a frozen ticket or profile when the caller changed it afterwards (its
    value and its hash, so a set holding it no longer found it). Values read from JSON,
    or a store's own rows read back, are nobody else's: kept as they are."""
    stored = is_stored(info)
    own = info.mode == "json" or stored
    copies: dict[str, Any] | None = None
    for key, value in values.items():
        if key.__class__ is str and key.isascii() and "\x00" not in key:
            # The common kinds, decided inline (this runs for every model built).
            cls = value.__class__
            if value is None or cls is bool:
                continue
            if cls is str:
                if value.isascii() and "\x00" not in value:
                    continue
            elif cls is int:
                if MIN_INT <= value <= MAX_INT:
                    continue
            elif cls is float and math.isfinite(value):
                continue
        problem = text_problem(key)
        if problem is not None:
            raise _value_error(f"key: {problem}")
        if not own and isinstance(value, _CONTAINERS):
            # copied first, the copy checked: checked, then copied, a container could
            # give its second walk other values than its first (a subclass's iteration)
            value = _owned(value)
            if copies is None:
                copies = {}
            copies[key] = value
        problem = value_problem(value, key_step("", key))
        if problem is not None and stored:
            # A float PostgreSQL's jsonb wrote as an integer (1e300 as 301 digits: the
            # hand-out function before schema 12, a process of that release still
            # running after a newer one migrated the database) is read as that float.
            floated = _big_ints_as_floats(value)
            if floated is not value:
                # what is left wrong once the floats are read (or nothing): the first
                # problem named was perhaps one of those floats
                problem = value_problem(floated, key_step("", key))
                if problem is None:
                    value = floated
                    if copies is None:
                        copies = {}
                    copies[key] = floated
        if problem is not None:
            raise _value_error(problem)
    return values if copies is None else {**values, **copies}


def _big_ints_as_floats(value: Any) -> Any:
    """``value`` with each integer beyond signed 64 bits (at any depth) as a float; the
    value itself when it holds none. Only a store's own rows read back come here: the
    library never writes such an integer (input refuses it), so one holding exactly the
    digits of a float's shortest decimal is that float, which jsonb rewrote; ``float``
    of them gives it back exactly."""
    if value.__class__ is int:
        if MIN_INT <= value <= MAX_INT:
            return value
        try:
            floated = float(value)
        except OverflowError:  # beyond any float: no float jsonb rewrote, left refused
            return value
        # only the digits of a float's own decimal (what jsonb writes of "1e+300"):
        # another big integer (2**64 + 1, stored by an older adapter) stays refused,
        # never read as a float near it
        return floated if int(Decimal(repr(floated))) == value else value
    if isinstance(value, dict):
        items = {key: _big_ints_as_floats(item) for key, item in value.items()}
        changed = any(items[key] is not item for key, item in value.items())
        return items if changed else value
    if isinstance(value, (list, tuple)):
        members = [_big_ints_as_floats(item) for item in value]
        if all(new is old for new, old in zip(members, value, strict=True)):
            return value
        return members if isinstance(value, list) else tuple(members)
    return value


def _owned(value: Any, depth: int = 0, memo: dict[int, tuple[Any, Any]] | None = None) -> Any:
    """``value`` (a custom value that passed :func:`value_problem`) with every container
    in it a new one of its builtin kind, and every other value as it is: a leaf (text, a
    number, a datetime with whatever ``tzinfo``) is immutable and never copied. Not
    ``copy.deepcopy``, which rebuilt a custom ``tzinfo`` by calling its class without
    arguments (a raw ``TypeError``), failed on a list subclass holding a lock, and kept
    unchecked whatever a container's own ``__deepcopy__`` gave. Made before the check
    (the check reads the copy), it stops below ``MAX_DEPTH`` levels, deeper than any
    value the check takes: a list holding itself ends there, refused as too deep."""
    if depth > MAX_DEPTH or not isinstance(value, _CONTAINERS):
        return value
    if memo is None:
        memo = {}
    key = id(value)
    if key in memo:
        # copied already (a part held twice: copied once, as deepcopy does), or being
        # copied (a container holding itself: left as it is, for the check to refuse
        # as too deep; copying each path of [a, a] with a in it was 2**100 of them).
        # The memo holds each original, so no id is reused within the call (a
        # subclass's iteration handing out temporaries got an earlier one's copy).
        _, found = memo[key]
        return value if found is None else found
    memo[key] = (value, None)
    deeper = depth + 1
    copied: Any
    if isinstance(value, dict):
        copied = {k: _owned(item, deeper, memo) for k, item in value.items()}
    elif isinstance(value, list):
        copied = [_owned(item, deeper, memo) for item in value]
    elif isinstance(value, tuple):
        copied = tuple(_owned(item, deeper, memo) for item in value)
    elif isinstance(value, set):
        copied = {_owned(item, deeper, memo) for item in value}
    else:
        copied = frozenset(_owned(item, deeper, memo) for item in value)
    memo[key] = (value, copied)
    return copied


def check_json_values(values: dict[str, Any]) -> dict[str, Any]:
    """``values`` unchanged, or a pydantic error naming the first value that does not read
    back from JSON as itself (:func:`value_problem` with ``json_only``)."""
    for key, value in values.items():
        problem = text_problem(key) if isinstance(key, str) else None
        problem = (
            f"key: {problem}"
            if problem is not None
            else value_problem(value, key_step("", key), json_only=True)
        )
        if problem is not None:
            raise _value_error(problem)
    return values


def text_keys(values: Any) -> Any:
    """``values`` unchanged, or the error of a key that is no text at the top level,
    said as one lower down is (pydantic's own named the key as an array index,
    ``$.fields[1]``, "Input should be a valid string")."""
    if isinstance(values, dict):
        for key in values:
            if not isinstance(key, str):
                raise _value_error(f"a key must be text, got {type(key).__name__}")
    return values


CustomValues = Annotated[
    dict[str, Any],
    BeforeValidator(text_keys),
    AfterValidator(check_custom_values),
    PlainSerializer(json_form, return_type=dict[str, Any], when_used="json"),
]
"""A pydantic field type of custom values: checked by :func:`check_custom_values` (the
first value no store keeps named, at the field), written to JSON by :func:`json_form` (a
set sorted)."""


def _storable(text: str) -> bool:
    # ASCII text cannot hold a surrogate: only NUL is left to look for.
    if "\x00" in text:
        return False
    return text.isascii() or text_problem(text) is None
