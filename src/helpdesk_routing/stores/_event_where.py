"""Event property filters (``ports.EventWhere`` clauses) stated in SQL, where that is exact.

A clause ``(property, op, value)`` is pushed into the count's query only when its SQL
means exactly what the Python semantics (``conditions/_values.py``, ``docs/conditions.md``)
mean: a positive test is false on a missing or ``null`` property and on a value of the
wrong type (``bool`` is not a number); a list is searched element by element by
``equals``, ``in``, ``contains``, ``starts_with`` and ``ends_with``; a negative operator
is the negation of its positive twin. Every SQL predicate here is true or false, never
``NULL``, so ``NOT`` negates it exactly. What cannot be stated so (date tests,
``in_last``, values of other shapes) is left to ``EventWhere.test``, run in Python on the
rows the pushed clauses let through. So is, on SQLite, a property whose name JSON writes
with an escape (``"``, ``\\``, a control character U+0000..U+001F): SQLite (3.40, for one)
matches a path's label against the name as written in the stored JSON text, escapes and
all (a tab as ``\\t``), so it would never find it.

The condition's values are written into the SQL as literals (text quoted, numbers by
their ``repr``), which keeps one query text per filter and no parameter bookkeeping.
Numbers compare exactly, as Python compares an ``int`` with a ``float``. SQLite compares
JSON integers and reals exactly. PostgreSQL reads the properties as ``json`` (not
``jsonb``, which would turn the float ``2.0**60``, written ``1.152921504606847e18``, into
the integer ``1152921504606847000``), so each number keeps the token it was written with
(:func:`_pg_compare`): an integer token compares as ``numeric`` with the value's exact
decimal (``Decimal(2.0**60)`` for a float value); a float token (with ``.`` or an
exponent, as every float is written) compares as ``float8`` with the value rounded to a
float, and where the two are equal the verdict is the exact comparison of that float
with the value, known when the query is written.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, Literal

__all__ = ["Family", "push_down"]

Family = Literal["sqlite", "postgres"]

_NEGATIONS = {"not_equals": "equals", "not_contains": "contains", "not_in": "in"}
_COMPARE = {"greater_than": ">", "greater_or_equal": ">=", "less_than": "<", "less_or_equal": "<="}
# What JSON text writes with an escape (RFC 8259; DEL and the rest are written as they are).
_JSON_ESCAPED = re.compile(r'["\\\x00-\x1f]')
_FALSE = "(1 = 0)"
_TRUE = "(1 = 1)"
_AS_TEXT = " #>> '{}'"  # a json string's text
_SIGN_TEST = {
    "=": operator.eq,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def _number(x: object) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def _text(x: object) -> bool:
    if not isinstance(x, str) or "\x00" in x:
        return False
    try:
        x.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _scalar(x: object) -> bool:
    return isinstance(x, bool) or _number(x) or _text(x)


def _quote(family: Family, x: str) -> str:
    if family == "postgres":
        # An escape string: its meaning does not depend on standard_conforming_strings;
        # "%" doubled, as psycopg reads the query text for its "%s" placeholders.
        escaped = x.replace("\\", "\\\\").replace("'", "''").replace("%", "%%")
        return "E'" + escaped + "'"
    return "'" + x.replace("'", "''") + "'"


def _literal(family: Family, x: Any) -> str:
    if isinstance(x, str):
        return _quote(family, x)
    return repr(int(x)) if isinstance(x, int) else repr(float(x))


class _Reads:
    """How one database reads a property of ``properties`` (SQLite: the JSON text;
    PostgreSQL: ``p``, that text as ``json``)."""

    def __init__(self, family: Family, key: str) -> None:
        self.family = family
        self.key = _quote(family, key if family == "postgres" else '$."' + key + '"')

    def lit(self, x: Any) -> str:
        return _literal(self.family, x)

    def kind(self) -> str:
        """The JSON type of the property: NULL when missing."""
        if self.family == "sqlite":
            return f"json_type(properties, {self.key})"
        return f"json_typeof(p -> {self.key})"

    def is_set(self) -> str:
        return f"coalesce({self.kind()} <> 'null', {_FALSE})"

    def some(self, match: Callable[[str, str], str]) -> str:
        """Some element (of a list; the value itself when not a list) passes ``match``,
        a predicate of the element's JSON type and value."""
        if self.family == "sqlite":
            test = match("j.type", "j.value")
            return (
                f"(coalesce({self.kind()} <> 'object', {_FALSE}) AND EXISTS (SELECT 1 FROM "
                f"json_each(properties, {self.key}) j WHERE {test}))"
            )
        test = match("json_typeof(j.e)", "j.e")
        items = (
            f"CASE WHEN json_typeof(p -> {self.key}) = 'array' THEN p -> {self.key} "
            f"ELSE json_build_array(p -> {self.key}) END"
        )
        return f"EXISTS (SELECT 1 FROM json_array_elements({items}) j(e) WHERE {test})"

    def same(self, x: Any) -> Callable[[str, str], str]:
        """An element matcher: equal to the scalar ``x``, of the same kind."""
        if self.family == "postgres":
            # Same kind; numbers by exact value (5 = 5.0), text exactly.
            if isinstance(x, bool):
                word = "'true'" if x else "'false'"
                return lambda kind, value: f"({kind} = 'boolean' AND {value}::text = {word})"
            if isinstance(x, str):
                lit = self.lit(x)
                return lambda kind, value: f"({kind} = 'string' AND {value}{_AS_TEXT} = {lit})"
            return lambda kind, value: (
                f"({kind} = 'number' AND {_pg_compare(value + '::text', '=', x)})"
            )
        if isinstance(x, bool):
            name = "'true'" if x else "'false'"
            return lambda kind, value: f"{kind} = {name}"
        lit = self.lit(x)
        kinds = "('text')" if isinstance(x, str) else "('integer', 'real')"
        return lambda kind, value: f"({kind} IN {kinds} AND {value} = {lit})"

    def text_match(self, test: Callable[[str], str]) -> Callable[[str, str], str]:
        """An element matcher: a text element passing ``test`` (on its SQL text value)."""
        if self.family == "postgres":
            return lambda kind, value: f"({kind} = 'string' AND {test(value + _AS_TEXT)})"
        return lambda kind, value: f"({kind} = 'text' AND {test(value)})"

    def number(self, op: str, x: Any) -> str:
        if self.family == "sqlite":
            value = f"json_extract(properties, {self.key})"
            kinds = "('integer', 'real')"
            test = f"{value} {op} {self.lit(x)}"
        else:
            kinds = "('number')"
            test = _pg_compare(f"(p ->> {self.key})", op, x)
        # CASE: the value is read only when it is a number (a text cast would fail).
        return f"(CASE WHEN {self.kind()} IN {kinds} THEN {test} ELSE {_FALSE} END)"

    def substring(self, value: str, x: str) -> str:
        fn = "instr" if self.family == "sqlite" else "strpos"
        return f"{fn}({value}, {self.lit(x)}) > 0"

    def affix(self, value: str, x: str, start: bool) -> str:
        if not x:
            return _TRUE
        n = len(x)
        if self.family == "sqlite":
            part = f"substr({value}, 1, {n})" if start else f"substr({value}, {-n})"
        else:
            part = f"left({value}, {n})" if start else f"right({value}, {n})"
        return f"{part} = {self.lit(x)}"


def _pg_compare(token: str, op: str, x: int | float) -> str:
    """PostgreSQL: whether the JSON number whose token is the SQL text ``token`` stands in
    relation ``op`` to ``x``, exactly as Python compares them (never ``NULL``).

    An integer token is exact as ``numeric``. A float token is a float ``f``: against
    ``x`` rounded to a float, ``xf``, ``f < xf`` implies ``f < x`` and ``f > xf`` implies
    ``f > x`` (rounding keeps order), and ``f = xf`` leaves the exact comparison of
    ``xf`` with ``x``, decided here."""
    test = _SIGN_TEST[op]
    exact = Decimal(x)
    rounded = float(x)
    at_rounded = (Decimal(rounded) > exact) - (Decimal(rounded) < exact)

    def verdict(sign: int) -> str:
        return _TRUE if test(sign, 0) else _FALSE

    as_float = (
        f"(CASE WHEN {token}::float8 < '{rounded!r}'::float8 THEN {verdict(-1)} "
        f"WHEN {token}::float8 > '{rounded!r}'::float8 THEN {verdict(1)} "
        f"ELSE {verdict(at_rounded)} END)"
    )
    as_integer = f"({token}::numeric {op} '{exact}'::numeric)"
    return f"(CASE WHEN {token} ~ '[.eE]' THEN {as_float} ELSE {as_integer} END)"


_MAX_NUMBERS = 100
"""The most numbers of an ``in`` list PostgreSQL is given (each its own exact
comparison, :func:`_pg_compare`): a longer list is tested in Python, where it is one
look-up a value."""

_MAX_PUSHED = 50
"""The most clauses pushed into one count's query: SQLite refuses an expression nested
deeper than 1,000 levels, and a chain of ``AND`` nests one level a clause (the rest are
tested in Python, on the rows the pushed ones let through)."""


def _one_of(r: _Reads, x: Sequence[Any]) -> str | None:
    """An element equal to one of the scalars ``x``, each of its own kind: the text and
    (SQLite) the numbers as one ``IN`` list each, not a chain of ``OR`` a value (SQLite
    refuses an expression nested deeper than 1,000 levels: an ``in`` list of 500 values
    failed); ``None`` when PostgreSQL would be given more than :data:`_MAX_NUMBERS`
    numbers."""
    texts = [a for a in x if isinstance(a, str)]
    numbers = [a for a in x if _number(a)]
    flags = sorted({a for a in x if isinstance(a, bool)})
    if r.family == "postgres" and len(numbers) > _MAX_NUMBERS:
        return None

    def match(kind: str, value: str) -> str:
        parts = [r.same(flag)(kind, value) for flag in flags]
        if texts:
            listed = ", ".join(r.lit(a) for a in texts)
            if r.family == "sqlite":
                parts.append(f"({kind} = 'text' AND {value} IN ({listed}))")
            else:
                parts.append(f"({kind} = 'string' AND {value}{_AS_TEXT} IN ({listed}))")
        if numbers and r.family == "sqlite":
            listed = ", ".join(r.lit(a) for a in numbers)
            parts.append(f"({kind} IN ('integer', 'real') AND {value} IN ({listed}))")
        elif numbers:
            parts += [r.same(a)(kind, value) for a in numbers]
        return "(" + " OR ".join(parts) + ")"

    return r.some(match)


def _positive(r: _Reads, op: str, x: Any) -> str | None:
    if op == "is_set":
        return r.is_set()
    if op == "equals" and _scalar(x):
        return r.some(r.same(x))
    if op == "in" and isinstance(x, list | tuple) and all(_scalar(a) for a in x):
        if not x:
            return _FALSE
        return _one_of(r, x)
    if op == "contains" and _text(x):
        # Text: a substring; a list: an element equal to x (not a substring of one).
        text = "'text'" if r.family == "sqlite" else "'string'"
        whole = r.some(r.text_match(lambda v: r.substring(v, x)))
        element = r.some(r.same(x))
        return (
            f"((coalesce({r.kind()} = {text}, {_FALSE}) AND {whole}) "
            f"OR (coalesce({r.kind()} = 'array', {_FALSE}) AND {element}))"
        )
    if op in ("starts_with", "ends_with") and _text(x):
        start = op == "starts_with"
        return r.some(r.text_match(lambda v: r.affix(v, x, start)))
    if op in _COMPARE and _number(x):
        return r.number(_COMPARE[op], x)
    if (
        op == "between"
        and isinstance(x, list | tuple)
        and len(x) == 2
        and all(_number(a) for a in x)
    ):
        return f"({r.number('>=', x[0])} AND {r.number('<=', x[1])})"
    return None


def push_down(family: Family, clauses: Sequence[tuple[str, str, Any]]) -> tuple[list[str], bool]:
    """The SQL predicates of the clauses that can be stated exactly, and whether any
    clause could not (then ``EventWhere.test`` must run on each row the SQL lets through)."""
    pushed: list[str] = []
    rest = False
    for prop, op, x in clauses:
        op = str(getattr(op, "value", op))
        if not _text(prop) or (family == "sqlite" and _JSON_ESCAPED.search(prop)):
            rest = True
            continue
        reads = _Reads(family, prop)
        if op == "is_not_set":
            sql = _positive(reads, "is_set", None)
            negate = True
        else:
            sql = _positive(reads, _NEGATIONS.get(op, op), x)
            negate = op in _NEGATIONS
        if sql is None or len(pushed) == _MAX_PUSHED:
            rest = True
        else:
            pushed.append(f"NOT {sql}" if negate else sql)
    return pushed, rest
