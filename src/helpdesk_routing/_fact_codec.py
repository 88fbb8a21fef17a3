"""The stored form of a decision's facts: :func:`stored_evaluated` and
:func:`stored_presented` write them, :func:`read_evaluated` and :func:`read_presented`
read them back and check them.

A decision records the values its conditions saw (per evaluated leaf: its number,
whether it held, the value seen) and what the ticket showed the rule index (channel,
tags, segments and indexed profile values). Those values come in kinds JSON lacks: a
datetime or date read from a profile, a tuple, a set, a dict, a float that is not
finite. Written as JSON alone they would come back as text, lists or objects (a set
seen as a list, a datetime as text), and the decision read back would neither equal
the one made nor explain the same. So a value seen keeps its kind: text, whole
numbers, booleans, ``null``, finite floats and lists are themselves; every other kind
is an object of one key naming it (``{"datetime": "2026-03-30T09:00:00+00:00"}``,
``{"date": ...}``, ``{"tuple": [...]}``, ``{"set": [...]}``, ``{"frozenset": [...]}``,
``{"dict": {...}}``, ``{"float": "nan"}``). Sets, tags and segments are written sorted,
so the JSON does not depend on the hash seed. Writing a value of any other type is a
``TypeError``. Deciding records the values as they are: the stored form is built only
when a decision is dumped.

Read from outside (``model_validate``, ``model_validate_json``, a store), the facts
are checked before anything explains them; each problem is a :class:`Refused` at its
path, which the decision turns into a ``ValidationError``. Refused are: an evaluated
rule not of the shape ``[rule id, outcome, number, held, seen, ...]`` (an explained one
records at least one test, an unexplained one nothing after its outcome); a rule id
that is empty, not text or listed twice; an outcome the decision does not allow; test
numbers that are not whole numbers rising; a ``held`` that is not a boolean;
``presented`` not of the shape ``[channel, tags, segments or null, property, value,
...]`` with text for the channel and the property names and a list of texts for tags
and for segments; a value seen nested deeper than
:data:`~helpdesk_routing._json.MAX_DEPTH` levels; an object naming a kind whose
content is not that kind's stored form; and (in Python input) a value of a type that
is none of these kinds. An object of one key that names no kind is read as the dict it
is, as earlier versions stored a dict seen.

Both directions look at every entry at once in C first and convert only the entries
that hold a value JSON lacks (a decision is dumped and read whole, and looking at each
entry in Python would cost more than the rest); the entry-by-entry reader
(:func:`read_each`) is the rule the fast path is held to.
"""

from __future__ import annotations

import json
import math
import reprlib
from collections.abc import Callable
from datetime import date, datetime
from enum import StrEnum
from itertools import chain, compress, count, pairwise, repeat
from operator import floordiv, itemgetter, not_, sub
from typing import Any

from helpdesk_routing._input import whole_number

from ._json import MAX_DEPTH

__all__ = [
    "Refused",
    "read_each",
    "read_evaluated",
    "read_presented",
    "stored_evaluated",
    "stored_presented",
]

_PLAIN: frozenset[type] = frozenset({str, int, bool, type(None)})
_BOOL: frozenset[type] = frozenset({bool})
_NOT_FINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}
_KINDS = "tuple, set, frozenset, dict, datetime, date or float"


_SEEN_AS_IS: frozenset[type] = _PLAIN | {float}
_INT: frozenset[type] = frozenset({int})
_STR: frozenset[type] = frozenset({str})
_ID = itemgetter(0)
_OUTCOME = itemgetter(1)
_FACTS = itemgetter(slice(2, None))


class Refused(Exception):
    """A part of a decision read from outside that is not of its shape."""

    def __init__(self, loc: tuple[str | int, ...], message: str, value: Any) -> None:
        super().__init__(message)
        self.loc = loc
        self.message = message
        self.value = value


_Loc = tuple[str | int, ...]


def stored_evaluated(evaluated: tuple[tuple[Any, ...], ...]) -> tuple[Any, ...]:
    """``evaluated`` in its stored form: each held a boolean, each value seen JSON that
    keeps its kind (the entries that need no change are the very ones given)."""
    facts = _flat_facts(evaluated)
    odd = _entries_with(evaluated, facts, _PLAIN, 2) | _entries_with(evaluated, facts, _BOOL, 1)
    if not odd:
        return evaluated  # the common case: every fact is stored as it is
    stored = list(evaluated)
    for i in odd:
        stored[i] = _stored_entry(stored[i])
    return tuple(stored)


def stored_presented(presented: tuple[Any, ...]) -> tuple[Any, ...]:
    """``presented`` in its stored form: tags and segments sorted, each property value
    JSON that keeps its kind."""
    if len(presented) < 3:
        return presented
    segments = presented[2]
    shown: list[Any] = [
        presented[0],
        sorted(presented[1]),
        None if segments is None else sorted(segments),
    ]
    for i in range(3, len(presented) - 1, 2):
        shown += (presented[i], _stored(presented[i + 1]))
    return tuple(shown)


def _flat_facts(evaluated: tuple[tuple[Any, ...], ...]) -> list[Any]:
    """The facts of every entry in one list, ``number, held, seen, number, ...`` (built
    in C: a decision is dumped and read whole, and looking at each entry in Python
    would cost more than the rest)."""
    return list(chain.from_iterable(map(_FACTS, evaluated)))


def _entries_with(
    evaluated: tuple[tuple[Any, ...], ...], facts: list[Any], kinds: frozenset[type], at: int
) -> set[int]:
    """The positions of the entries with a fact whose item ``at`` (1: held, 2: seen) is
    not of one of ``kinds`` (found in C, as :func:`_flat_facts` is)."""
    if kinds.issuperset(map(type, facts[at::3])):
        return set()
    found = compress(count(), map(not_, map(kinds.__contains__, map(type, facts[at::3]))))
    if len(facts) == 3 * len(evaluated):
        return set(found)  # one fact per entry: fact k is entry k's
    per_entry = map(floordiv, map(sub, map(len, evaluated), repeat(2)), repeat(3))
    owners = list(chain.from_iterable(map(repeat, count(), per_entry)))
    return {owners[k] for k in found}


def _stored_entry(entry: tuple[Any, ...]) -> tuple[Any, ...]:
    stored = list(entry)
    for i in range(3, len(stored) - 1, 3):
        stored[i] = bool(stored[i])
        stored[i + 1] = _stored(stored[i + 1])
    return tuple(stored)


def _stored(value: Any) -> Any:
    """``value`` in its stored form: JSON that keeps its kind."""
    if value.__class__ in _PLAIN:
        return value
    if isinstance(value, str):  # a StrEnum, say: tested, and shown, as its text
        return str.__str__(value)
    if isinstance(value, int):
        return value if isinstance(value, bool) else int(value)
    if isinstance(value, float):
        return float(value) if math.isfinite(value) else {"float": repr(float(value))}
    if isinstance(value, list):
        return [_stored(v) for v in value]
    if isinstance(value, tuple):
        return {"tuple": [_stored(v) for v in value]}
    if isinstance(value, frozenset):
        return {"frozenset": _in_order([_stored(v) for v in value])}
    if isinstance(value, set):
        return {"set": _in_order([_stored(v) for v in value])}
    if isinstance(value, dict):
        return {"dict": {str(k): _stored(v) for k, v in value.items()}}
    if isinstance(value, datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    raise TypeError(f"a decision cannot store a value of type {type(value).__name__}")


def _in_order(items: list[Any]) -> list[Any]:
    """The stored members of a set in an order that does not depend on the hash seed."""
    try:
        return sorted(items)
    except TypeError:  # kinds that do not compare: by kind, then by JSON text
        return sorted(items, key=lambda v: (type(v).__name__, json.dumps(v, sort_keys=True)))


def _read(value: Any, loc: _Loc, depth: int = 0) -> Any:
    """A value seen, from its stored form (or as given in Python, for a kind JSON has
    not); raises :class:`Refused` at ``loc`` when it is neither."""
    cls = value.__class__
    if cls in _PLAIN or cls is float:
        return value
    if depth >= MAX_DEPTH:
        raise Refused(loc, f"a value seen nests deeper than {MAX_DEPTH} levels", value)
    if cls is list:
        return [_read(v, loc, depth + 1) for v in value]
    if cls is dict:
        reader = _READERS.get(next(iter(value))) if len(value) == 1 else None
        if reader is None:
            # Not one of the stored forms: an object that earlier versions stored as it
            # was (they wrote a dict seen as plain JSON), read as that dict.
            return {k: _read(v, loc, depth + 1) for k, v in value.items()}
        kind, inner = next(iter(value.items()))
        try:
            return reader(inner, loc, depth + 1)
        except (TypeError, ValueError, KeyError):
            # what is wrong with this one, not only the shape it already has
            raise Refused(
                loc,
                f"a value seen of a kind JSON lacks is an object of one key naming it "
                f"({_KINDS}) and its stored form: a stored {kind} is {_FORMS[kind]}, "
                f"got {reprlib.repr(inner)}",
                value,
            ) from None
    if isinstance(value, str | int | float | tuple | set | frozenset | date):
        return value  # given in Python, as it was seen
    raise Refused(loc, f"a value seen cannot be of type {type(value).__name__}", value)


def _items(inner: Any, loc: _Loc, depth: int) -> list[Any]:
    if inner.__class__ is not list:
        raise TypeError
    return [_read(v, loc, depth) for v in inner]


def _read_dict(inner: Any, loc: _Loc, depth: int) -> dict[str, Any]:
    if inner.__class__ is not dict:
        raise TypeError
    return {k: _read(v, loc, depth) for k, v in inner.items()}


def _aware(text: str) -> datetime:
    """A stored date-time, which always has its offset: one without (``"2026-03-30"``,
    ``"2026-03-30T09:00:00"``) is no stored form (a naive value would be read)."""
    value = datetime.fromisoformat(text)
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("a stored date-time has its offset")
    return value


def _read_text(parse: Callable[[str], Any]) -> Callable[[Any, _Loc, int], Any]:
    def read(inner: Any, loc: _Loc, depth: int) -> Any:
        if inner.__class__ is not str:
            raise TypeError
        return parse(inner)

    return read


_FORMS = {
    "tuple": "an array",
    "set": "an array of values a set can hold (no array nor object among them)",
    "frozenset": "an array of values a set can hold (no array nor object among them)",
    "dict": "an object",
    "datetime": "ISO 8601 text of a moment that exists, with its offset",
    "date": "ISO 8601 text of a day that exists (YYYY-MM-DD)",
    "float": "the text of a float JSON lacks: 'nan', 'inf' or '-inf'",
}
"""What each stored form holds, said when a value seen is not of its form."""

_READERS: dict[str, Callable[[Any, _Loc, int], Any]] = {
    "tuple": lambda inner, loc, depth: tuple(_items(inner, loc, depth)),
    "set": lambda inner, loc, depth: set(_items(inner, loc, depth)),
    "frozenset": lambda inner, loc, depth: frozenset(_items(inner, loc, depth)),
    "dict": _read_dict,
    "datetime": _read_text(_aware),
    "date": _read_text(date.fromisoformat),
    "float": _read_text(_NOT_FINITE.__getitem__),
}


def read_evaluated(
    evaluated: tuple[tuple[Any, ...], ...], explained: bool, outcomes: frozenset[StrEnum]
) -> tuple[tuple[Any, ...], ...]:
    """``evaluated`` as read from outside, checked: one entry per rule, each ``[rule id,
    outcome, number, held, seen, ...]`` with its leaf numbers rising.

    ``outcomes`` are the outcomes an entry may record (the decision's vocabulary, given
    by the caller so that this module does not import the decision): those of rules
    evaluated with their facts when ``explained``, else those of matched rules."""
    if not evaluated:
        return evaluated
    facts = _well_formed(evaluated, outcomes) if explained else None
    if facts is None:
        return read_each(evaluated, explained, outcomes)
    odd = _entries_with(evaluated, facts, _SEEN_AS_IS, 2)
    if not odd:
        return evaluated
    read = list(evaluated)
    for i in odd:
        read[i] = _read_seen(read[i], i)
    return tuple(read)


def _well_formed(
    evaluated: tuple[tuple[Any, ...], ...], outcomes: frozenset[StrEnum]
) -> list[Any] | None:
    """The flat facts of explained ``evaluated`` when it has the shape of one (the values
    seen aside), else ``None`` (:func:`read_each` then says where it has not)."""
    sizes = set(map(len, evaluated))
    if min(sizes) < 5 or any((size - 2) % 3 for size in sizes):
        return None
    ids = list(map(_ID, evaluated))
    if not _STR.issuperset(map(type, ids)) or "" in ids or len(set(ids)) != len(ids):
        return None
    try:
        if not outcomes.issuperset(map(_OUTCOME, evaluated)):
            return None
    except TypeError:  # an outcome that is not text (a list, say)
        return None
    facts = _flat_facts(evaluated)
    numbers = facts[0::3]
    if not (_INT.issuperset(map(type, numbers)) and _BOOL.issuperset(map(type, facts[1::3]))):
        return None
    if min(numbers) < 0:
        return None
    if max(sizes) > 5:
        for entry in evaluated:
            rising = entry[2::3]
            if any(a >= b for a, b in pairwise(rising)):
                return None
    return facts


def _read_seen(entry: tuple[Any, ...], i: int) -> tuple[Any, ...]:
    read = list(entry)
    for j in range(4, len(read), 3):
        read[j] = _read(read[j], ("evaluated", i, j))
    return tuple(read)


def read_each(
    evaluated: tuple[tuple[Any, ...], ...], explained: bool, outcomes: frozenset[StrEnum]
) -> tuple[tuple[Any, ...], ...]:
    """``evaluated`` read and checked entry by entry, as :func:`read_evaluated` does when
    its checks of all entries at once find a problem: raises :class:`Refused` at the
    first one, and gives each outcome as its member of ``outcomes``."""
    read: list[tuple[Any, ...]] = []
    ids: set[str] = set()
    member = {o.value: o for o in outcomes}
    for i, entry in enumerate(evaluated):
        at: _Loc = ("evaluated", i)
        if len(entry) < 2 or (len(entry) - 2) % 3 or (not explained and len(entry) > 2):
            shape = "then number, held, seen per test" if explained else "nothing more"
            raise Refused(at, f"an evaluated rule is [rule id, outcome, {shape}]", entry)
        rule_id, outcome = entry[0], entry[1]
        if not isinstance(rule_id, str) or not rule_id:
            raise Refused((*at, 0), "a rule id is non-empty text", rule_id)
        if rule_id in ids:
            raise Refused((*at, 0), f"rule {rule_id!r} is listed twice", rule_id)
        ids.add(rule_id)
        if not isinstance(outcome, str) or outcome not in outcomes:
            wanted = ", ".join(sorted(o.value for o in outcomes))
            raise Refused((*at, 1), f"an evaluated rule's outcome is one of {wanted}", outcome)
        if explained and len(entry) == 2:
            raise Refused(at, "an explained rule records at least one test", entry)
        facts: list[Any] = [rule_id, member[outcome]]
        last = -1
        for j in range(2, len(entry), 3):
            number, held = entry[j], entry[j + 1]
            if not whole_number(number) or number <= last:
                raise Refused(
                    (*at, j), "a test's number is a whole number above the one before", number
                )
            if held.__class__ is not bool:
                raise Refused((*at, j + 1), "whether a test held is true or false", held)
            facts += (number, held, _read(entry[j + 2], (*at, j + 2)))
            last = number
        read.append(tuple(facts))
    return tuple(read)


def read_presented(presented: tuple[Any, ...]) -> tuple[Any, ...]:
    """``presented`` as read from outside, checked: ``[channel, tags, segments or null,
    property, value, ...]``."""
    if len(presented) < 3 or len(presented) % 2 == 0:
        raise Refused(
            ("presented",),
            "presented is [channel, tags, segments or null, then property, value pairs]",
            presented,
        )
    channel, segments = presented[0], presented[2]
    if not isinstance(channel, str):
        raise Refused(("presented", 0), "a channel is text", channel)
    shown: list[Any] = [
        channel,
        _texts(presented[1], 1, "tags"),
        None if segments is None else _texts(segments, 2, "segments"),
    ]
    for i in range(3, len(presented), 2):
        name = presented[i]
        if not isinstance(name, str):
            raise Refused(("presented", i), "a property name is text", name)
        shown += (name, _read(presented[i + 1], ("presented", i + 1)))
    return tuple(shown)


def _texts(value: Any, at: int, what: str) -> frozenset[str]:
    if not isinstance(value, list | tuple | set | frozenset) or not all(
        isinstance(v, str) for v in value
    ):
        raise Refused(("presented", at), f"{what} are a list of texts", value)
    return frozenset(value)
