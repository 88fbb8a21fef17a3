"""What each operator means on one value: the semantics, written once.

``None`` stands for *not set* (the property is absent, ``None``, or for the built-in
ticket fields ``tags``/``subject``, empty). Every positive operator is false on it;
the negative operators are compiled as ``not`` of their positive twin, so they hold.

Types: text is ``str``; numbers are ``int`` and ``float`` (``bool`` is not a
number); booleans match only booleans. A list value (``list``, ``tuple``, ``set``,
``frozenset``; ticket tags) is tested element-wise by ``equals``, ``contains``,
``starts_with``, ``ends_with`` and ``in``: the test holds when it holds for at least
one element. Order and date tests never look inside a list.

Dates (``before``, ``after``, ``between`` of date-times, ``in_last``, ``in_next``)
read an aware ``datetime``; a ``date`` or a date-only ISO string (``2026-03-30``) is
midnight UTC at the start of that day; an ISO-8601 string with an offset is parsed.
A naive datetime (or a string without offset that has a time part) is the wrong
type, like any other value.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from helpdesk_routing._shown import INVISIBLE, quoted
from helpdesk_routing._time import DATE_TEXT, condition_date_time

from ._operands import NEGATIONS, Operator, Span

__all__ = [
    "as_instant",
    "cut_rendering",
    "cut_text",
    "describe_value",
    "first_difference",
    "positive_test",
    "text_repr",
    "type_mismatch",
]

# Enum members bound once: ``Operator.X`` costs a descriptor call on every access.
_AFTER = Operator.AFTER
_BEFORE = Operator.BEFORE
_BETWEEN = Operator.BETWEEN
_CONTAINS = Operator.CONTAINS
_ENDS_WITH = Operator.ENDS_WITH
_EQUALS = Operator.EQUALS
_GREATER_OR_EQUAL = Operator.GREATER_OR_EQUAL
_GREATER_THAN = Operator.GREATER_THAN
_IN = Operator.IN
_IN_LAST = Operator.IN_LAST
_IN_NEXT = Operator.IN_NEXT
_IS_SET = Operator.IS_SET
_LESS_OR_EQUAL = Operator.LESS_OR_EQUAL
_LESS_THAN = Operator.LESS_THAN
_STARTS_WITH = Operator.STARTS_WITH

SEQUENCES = (list, tuple, set, frozenset)

ValueTest = Callable[[Any, datetime], bool]


def _same_scalar(x: object, v: object) -> bool:
    """``v`` equals the condition's scalar ``x`` with the same kind (text/number/boolean)."""
    if isinstance(x, bool):
        return isinstance(v, bool) and v is x
    if isinstance(x, str):
        return isinstance(v, str) and v == x
    return isinstance(v, int | float) and not isinstance(v, bool) and v == x


def _is_number(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def as_instant(v: object) -> datetime | None:
    """The instant a date-like value stands for, or ``None`` when it is not one."""
    if isinstance(v, datetime):
        if v.tzinfo is None or v.tzinfo.utcoffset(v) is None:
            return None
        return v
    if isinstance(v, date):
        return datetime(v.year, v.month, v.day, tzinfo=UTC)
    if isinstance(v, str):
        # The forms the condition JSON itself writes: ``YYYY-MM-DD``, or a date-time with
        # an offset (``DATE_TIME_PATTERN``). Python's ``fromisoformat`` reads more (week
        # dates ``2026-W14-1``, basic forms ``20260330T120000Z``, a lone hour), which a
        # condition refuses: a value in such a form is the wrong type, as a number is.
        if DATE_TEXT.fullmatch(v):
            try:
                d = date.fromisoformat(v)
            except ValueError:
                return None
            return datetime(d.year, d.month, d.day, tzinfo=UTC)
        try:
            return condition_date_time(v)
        except ValueError:  # another form, a moment that does not exist, or naive
            return None
    return None


_PLAIN = (str, int, float, bool)
"""The kinds of a condition's scalars that its ``in`` test looks up in a set."""


def positive_test(op: Operator, x: Any) -> ValueTest:
    """The test ``op`` with the condition's value ``x`` on a value (``None`` = not set).

    ``op`` must be a positive operator (not one of the ``not_*``/``is_not_set`` twins).
    """
    if op is _IS_SET:
        return lambda v, now: v is not None
    if op is _EQUALS:

        def equals(v: Any, now: datetime) -> bool:
            if isinstance(v, SEQUENCES):
                return any(_same_scalar(x, e) for e in v)
            return _same_scalar(x, v)

        return equals
    if op is _IN:
        xs = tuple(x)
        # One look-up a value (an event filter's list is tested on every event counted:
        # 10,000 events against a list of 10,000 took 12 s one comparison at a time):
        # text, numbers (1 and 1.0 one member) and booleans apart, as _same_scalar keeps
        # them; a value of a subclass (an enum, whose hash may not be its value's) is
        # compared one by one.
        texts = frozenset(a for a in xs if type(a) is str)
        numbers = frozenset(a for a in xs if type(a) is int or type(a) is float)
        flags = frozenset(a for a in xs if type(a) is bool)
        plain = all(type(a) in _PLAIN for a in xs)  # repeated items are plain too

        def one(e: Any) -> bool:
            kind = type(e)
            if kind is str:
                return e in texts
            if kind is int or kind is float:
                return e in numbers
            if kind is bool:
                return e in flags
            return any(_same_scalar(a, e) for a in xs)

        def is_in(v: Any, now: datetime) -> bool:
            if not plain:
                if isinstance(v, SEQUENCES):
                    return any(_same_scalar(a, e) for e in v for a in xs)
                return any(_same_scalar(a, v) for a in xs)
            if isinstance(v, SEQUENCES):
                return any(map(one, v))
            return one(v)

        return is_in
    if op is _CONTAINS:

        def contains(v: Any, now: datetime) -> bool:
            if isinstance(v, str):
                return x in v
            if isinstance(v, SEQUENCES):
                return any(isinstance(e, str) and e == x for e in v)
            return False

        return contains
    if op in (_STARTS_WITH, _ENDS_WITH):
        method = str.startswith if op is _STARTS_WITH else str.endswith

        def affix(v: Any, now: datetime) -> bool:
            if isinstance(v, str):
                return method(v, x)
            if isinstance(v, SEQUENCES):
                return any(isinstance(e, str) and method(e, x) for e in v)
            return False

        return affix
    if op is _GREATER_THAN:
        return lambda v, now: _is_number(v) and v > x
    if op is _GREATER_OR_EQUAL:
        return lambda v, now: _is_number(v) and v >= x
    if op is _LESS_THAN:
        return lambda v, now: _is_number(v) and v < x
    if op is _LESS_OR_EQUAL:
        return lambda v, now: _is_number(v) and v <= x
    if op is _BETWEEN:
        low, high = x
        if isinstance(low, datetime):

            def between_dates(v: Any, now: datetime) -> bool:
                d = as_instant(v)
                return d is not None and low <= d <= high

            return between_dates
        return lambda v, now: _is_number(v) and low <= v <= high
    if op is _BEFORE:

        def before(v: Any, now: datetime) -> bool:
            d = as_instant(v)
            return d is not None and d < x

        return before
    if op is _AFTER:

        def after(v: Any, now: datetime) -> bool:
            d = as_instant(v)
            return d is not None and d > x

        return after
    if op is _IN_LAST or op is _IN_NEXT:
        assert isinstance(x, Span)
        span = x
        past = op is _IN_LAST

        def relative(v: Any, now: datetime) -> bool:
            d = as_instant(v)
            if d is None:
                return False
            if past:
                if d > now:
                    return False
                # now - span below year 1: every date up to now is inside.
                lower = span.before(now)
                return lower is None or d >= lower
            if d < now:
                return False
            upper = span.after(now)
            return upper is None or d <= upper

        return relative
    raise ValueError(f"{op.value} is not a positive operator")


_TEXT_OPS = (_CONTAINS, _STARTS_WITH, _ENDS_WITH)
_NUMBER_OPS = (
    _GREATER_THAN,
    _GREATER_OR_EQUAL,
    _LESS_THAN,
    _LESS_OR_EQUAL,
)


def _kind(v: object) -> str:
    if isinstance(v, bool):
        return "boolean"
    if _is_number(v):
        return "number"
    if isinstance(v, str):
        return "text"
    return type(v).__name__


def type_mismatch(op: Operator, x: Any, v: Any) -> str | None:
    """Why ``v`` (set) has the wrong type for ``op``, or ``None`` when the type fits."""
    op = _positive(op)
    if op is _IS_SET:
        return None
    if op in (_EQUALS, _IN):
        wanted = {_kind(a) for a in (x if op is _IN else (x,))}
        seen = [_kind(e) for e in v] if isinstance(v, SEQUENCES) else [_kind(v)]
        if not wanted or any(k in wanted for k in seen):
            return None
        return f"wrong type: {_or(sorted(wanted))} needed, saw {_or(sorted(set(seen)))}"
    if op in _TEXT_OPS:
        if isinstance(v, str) or (isinstance(v, SEQUENCES) and any(isinstance(e, str) for e in v)):
            return None
        return f"wrong type: text needed, saw {_kind(v)}"
    if op in _NUMBER_OPS or (op is _BETWEEN and not isinstance(x[0], datetime)):
        return None if _is_number(v) else f"wrong type: number needed, saw {_kind(v)}"
    if as_instant(v) is None:
        return f"wrong type: an aware date-time needed, saw {_kind(v)}"
    return None


def _or(words: list[str]) -> str:
    return " or ".join(words) if words else "nothing"


def _positive(op: Operator) -> Operator:
    return NEGATIONS.get(op, op)


def text_repr(text: str) -> str:
    """``text`` quoted for a trace, so that it never looks like a text it does not equal
    (:func:`~helpdesk_routing._shown.quoted`): its ``repr``, each invisible character
    (U+034F, a variation selector, a Hangul filler, the Braille blank) escaped; its
    ``ascii`` form when it is not in Unicode NFC form (``"cafe\u0301"``, which would
    look like the composed ``'café'``)."""
    return quoted(str.__str__(text))


_CUT = 60  # a text longer than this is shown by its first _CUT - 3 characters and "..."
_CUT_SHOWN = 80  # a value's rendering longer than this: its first _CUT_SHOWN - 3 and "..."


def cut_text(text: str) -> str:
    """``text`` as a trace or a skip reason shows it: quoted (:func:`text_repr`), and
    when longer than 60 characters, by its first 57 and ``...``."""
    shown = str.__str__(text)
    return text_repr(shown if len(shown) <= _CUT else shown[: _CUT - 3] + "...")


def cut_rendering(text: str) -> str:
    """A value other than a text, already rendered (a list, a dict, ...), cut for a trace
    or a skip reason: when longer than 80 characters, its first 77 and ``...``."""
    return text if len(text) <= _CUT_SHOWN else text[: _CUT_SHOWN - 3] + "..."


_T = TypeVar("_T")

LISTED = 10
"""How many values of a list or a set a trace, a skip reason or a lint message shows
before saying how many more there are."""


def listed(values: Sequence[_T], render: Callable[[_T], str]) -> list[str]:
    """The first :data:`LISTED` of ``values``, each rendered, and how many more there are:
    ``["'a'", "'b'", ..., "... 5 more"]`` (a list of 100,000 values made a line of a
    megabyte); only those shown are rendered."""
    shown = [render(v) for v in values[:LISTED]]
    if len(values) > LISTED:
        shown.append(f"... {len(values) - LISTED:,} more")
    return shown


def describe_value(v: Any) -> str:
    """A short rendering of a value seen, for traces."""
    if v is None:
        return "not set"
    if isinstance(v, str):
        return cut_text(v)
    if isinstance(v, frozenset | set):
        # by its first ten members and how many more: 20,000 tags made a line of 200 KB
        members = sorted(v, key=repr)
        return "{" + ", ".join(listed(members, quoted)) + "}"
    if isinstance(v, datetime):
        return v.isoformat()
    return cut_rendering(quoted(v))


def _char(c: str) -> str:
    if c.isprintable() and not unicodedata.combining(c) and INVISIBLE.match(c) is None:
        return repr(c)
    return ascii(c)


def first_difference(expected: str, seen: str) -> str:
    """Where the text ``seen`` first differs from the condition's text ``expected`` (not
    equal to it), for a trace that would show the two alike: ``differs from the
    condition's text at character 61: '2', not '1'``."""
    at = next(
        (i for i, (a, b) in enumerate(zip(expected, seen, strict=False)) if a != b),
        min(len(expected), len(seen)),
    )
    where = f"differs from the condition's text at character {at + 1}: "
    if at >= len(seen):
        return where + f"the value seen ends there, the condition's text has {_char(expected[at])}"
    if at >= len(expected):
        return where + f"{_char(seen[at])}, where the condition's text ends"
    return where + f"{_char(seen[at])}, not {_char(expected[at])}"
