"""Which condition in a list is caught by an earlier one, without comparing all pairs.

:func:`first_implied` answers, for each condition, the first earlier condition it
implies (:func:`~helpdesk_routing.conditions.analysis.implies`): what
``RuleSet.lint`` reports as "can never fire". Comparing every pair is quadratic
(half a million proofs for 1,000 rules); here each condition is compared only with the
earlier ones it *could* imply, found through an inverted index of tokens.

Why that loses nothing. ``implies`` is syntactic: it holds only through equal nodes, or
by descending into ``all``/``any``/``not`` down to two leaves on the same subject
(ticket field, profile property, event metric, segment). So for every condition ``b``
there is a set of tokens ``need(b)`` such that ``implies(a, b)`` requires ``a`` to
carry one of them (``has(a)``):

- a positive ``equals``/``in``/``contains`` leaf on plain values: one of its values
  on its subject (``in`` is also implied by an empty ``in`` list: a wildcard token);
- any other leaf: its subject;
- ``not x``: a subject of ``x`` (``not y`` implies ``not x`` only when ``x`` implies
  ``y``, and a leaf implies ``not x`` only on the same field);
- ``all``: the need of any one conjunct (every conjunct must be implied; the rarest
  is used); ``any``: the union of its alternatives' needs.

And an ``any`` implies ``b`` only when every alternative does (or when it equals ``b``),
so it is compared only with conditions that share a token with each alternative.

Groups are never empty in a rule set (validation refuses them), so every proof ends on
leaves. The property test compares this with all pairs on random rule sets.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel

from .analysis import implies_normal, normal_form
from .nodes import (
    EventCondition,
    Operator,
    ProfileCondition,
    SegmentCondition,
    TicketCondition,
)

__all__ = ["first_implied"]

Token = tuple[Any, ...]
_VALUE_OPS = (Operator.EQUALS, Operator.IN, Operator.CONTAINS)
_PLAIN = (str, int, float, bool)


def _subject(leaf: Any) -> Token:
    if isinstance(leaf, TicketCondition):
        return ("ticket", leaf.field)
    if isinstance(leaf, ProfileCondition):
        return ("profile", leaf.property)
    if isinstance(leaf, EventCondition):
        return ("event", leaf.metric)
    assert isinstance(leaf, SegmentCondition)
    return ("segment", leaf.segment)


def _scalar(v: Any) -> tuple[str, Any]:
    # As analysis compares values: text, numbers and booleans apart (True == 1).
    kind = "bool" if isinstance(v, bool) else "text" if isinstance(v, str) else "number"
    return kind, v


def _values(leaf: Any) -> tuple[Any, ...] | None:
    """The values of a positive equals/in/contains leaf, else ``None``."""
    if not isinstance(leaf, TicketCondition | ProfileCondition) or leaf.op not in _VALUE_OPS:
        return None
    return tuple(leaf.value) if leaf.op is Operator.IN else (leaf.value,)


def _walk(node: Any) -> list[Any]:
    """The leaves of a normal form."""
    if isinstance(node, tuple):
        return [leaf for child in node[1] for leaf in _walk(child)]
    if isinstance(node, BaseModel):
        return [node]
    return _walk(node.inner)  # a "not" marker


def _has(node: Any) -> set[Token]:
    tokens: set[Token] = set()
    for leaf in _walk(node):
        subject = _subject(leaf)
        tokens.add(subject)
        values = _values(leaf)
        if values is None:
            continue
        if not values:
            tokens.add((*subject, "*"))
        for v in values:
            try:
                tokens.add((*subject, _scalar(v)))
            except TypeError:  # an unhashable value proves nothing by itself
                continue
    return tokens


def _need(node: Any, frequency: dict[Token, int]) -> frozenset[Token]:
    if isinstance(node, tuple):
        needs = [_need(child, frequency) for child in node[1]]
        if node[0] == "any":
            return frozenset().union(*needs)
        return min(needs, key=lambda need: sum(frequency.get(t, 0) for t in need))
    if not isinstance(node, BaseModel):  # a "not" marker
        return frozenset(_subject(leaf) for leaf in _walk(node))
    subject = _subject(node)
    values = _values(node)
    if values and all(isinstance(v, _PLAIN) for v in values):
        need = {(*subject, _scalar(v)) for v in values}
        if isinstance(node, TicketCondition | ProfileCondition) and node.op is Operator.IN:
            need.add((*subject, "*"))
        return frozenset(need)
    return frozenset({subject})


def first_implied(conditions: Sequence[Any]) -> list[int | None]:
    """For each condition, the position of the first earlier condition it implies
    (``None``: none). Groups must not be empty (a rule set's never are)."""
    forms = [normal_form(c) for c in conditions]
    has = [_has(form) for form in forms]
    # An "any" implies b only when each alternative does (or it equals b, whose every
    # alternative then shares a token with the matching one): candidates must share a
    # token with every alternative, not just one.
    alternatives = [
        [_has(child) for child in form[1]] if isinstance(form, tuple) and form[0] == "any" else []
        for form in forms
    ]
    frequency: dict[Token, int] = {}
    for tokens in has:
        for token in tokens:
            frequency[token] = frequency.get(token, 0) + 1
    memo: dict[int, Any] = {}
    postings: dict[Token, list[int]] = {}
    found: list[int | None] = []
    for j, form in enumerate(forms):
        candidates = _candidates(has[j], postings)
        for tokens in alternatives[j]:
            if not candidates:
                break
            candidates &= _candidates(tokens, postings)
        first = next((i for i in sorted(candidates) if implies_normal(form, forms[i], memo)), None)
        found.append(first)
        for token in _need(form, frequency):
            postings.setdefault(token, []).append(j)
    return found


def _candidates(tokens: set[Token], postings: dict[Token, list[int]]) -> set[int]:
    found: set[int] = set()
    for token in tokens:
        found.update(postings.get(token, ()))
    return found
