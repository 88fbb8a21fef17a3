"""The rule index: which rules a ticket can match, and why the others cannot.

Each enabled rule whose condition requires one of a set of channels, tags, profile
texts (``equals``/``in``), segments or texts within a value -- a ticket field (built-in
or custom: ``subject`` ``contains``/``starts_with``/``ends_with``/``equals``/``in`` a
text) or a profile property (``contains``/``starts_with``/``ends_with`` a text) --
through its conjuncts and alternatives, is keyed on the most selective such requirement
(a tag, a segment, a profile text or a text before a channel, which a quarter of all
tickets share) and looked at only for tickets that have one of those keys; every other
rule always is. A rule the index skips is explained from its key alone: ``needs channel
'sms', ticket has 'email'``; ``needs subject to contain 'refund', ticket's subject does
not``.

Texts within a field are found by their grams: each required text is filed under one
of its substrings of three characters (the one the fewest of the rule set's texts
share; a shorter text under itself), and a ticket looks up the grams of its field's
value (of each text in it, when it is a list), or, when fewer grams are filed than the
value has characters, searches the value for each filed gram (one rule on a long
subject costs one search). Each of these tests holds only when the value is a text that
contains the required text, or a list holding such a text (``contains`` on a list asks
for an element equal to it, which contains it). A text can be there only if its gram
is, so no rule that can match is missed; a rule whose gram is there is evaluated in
full, as every looked-at rule is.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from ._shown import quoted, shown
from .conditions import (
    AllCondition,
    AnyCondition,
    Condition,
    Operator,
    ProfileCondition,
    SegmentCondition,
    TicketCondition,
)
from .conditions._leaves import BUILTIN_TICKET_FIELDS
from .conditions._values import cut_rendering, cut_text, first_difference, listed
from .model import Profile, Ticket

__all__ = ["Key", "RuleIndex", "SkipReasons", "presented", "requirement"]

Key = tuple[str, ...]
"""An index key: ("channel", c), ("tag", t), ("profile", property, text), ("segment", s),
("text", ticket field, text within it) or ("profile_text", property, text within it)."""

_SEQUENCES = (list, tuple, set, frozenset)
# The share of tickets one key of each kind is assumed to match: a channel is shared by
# about a quarter of all tickets, a tag, a segment or a profile text by far fewer.
_SHARE = {
    "channel": 0.25,
    "profile": 0.1,
    "tag": 0.05,
    "segment": 0.05,
    "text": 0.05,
    "profile_text": 0.05,
}
# Built-in ticket fields that hold one text or None; every other name but these and
# BUILTIN_TICKET_FIELDS reads a custom field (Ticket.fields).
_TEXT_FIELDS = frozenset({"subject", "channel", "id", "status", "priority", "email", "profile_id"})
# The tests with a text that hold only when the value is a text containing it, or a list
# holding such a text (exact and case-sensitive, as every text test is).
_WITHIN = (
    Operator.EQUALS,
    Operator.CONTAINS,
    Operator.STARTS_WITH,
    Operator.ENDS_WITH,
    Operator.IN,
)
_AFFIXES = (Operator.CONTAINS, Operator.STARTS_WITH, Operator.ENDS_WITH)
_GRAM = 3
"""The length of the substrings a required text is filed under."""


def _plain(text: str) -> str:
    # A str subclass (a StrEnum, say) compares equal to its text but may hash otherwise.
    return text if type(text) is str else str.__str__(text)


def _texts(op: Operator, value: Any) -> frozenset[str] | None:
    """The texts an ``equals``/``contains`` (one) or ``in`` (several) test looks for."""
    if op in (Operator.EQUALS, Operator.CONTAINS) and isinstance(value, str):
        return frozenset({_plain(value)})
    if (
        op is Operator.IN
        and isinstance(value, _SEQUENCES)
        and all(isinstance(v, str) for v in value)
    ):
        return frozenset(_plain(v) for v in value)
    return None


def _within(op: Operator, value: Any) -> frozenset[str] | None:
    """The non-empty texts one of which a value must contain for ``op value`` to hold."""
    if op in _AFFIXES:
        texts = frozenset({_plain(value)}) if isinstance(value, str) else None
    else:
        texts = _texts(op, value)
    if texts is None or "" in texts:  # every text contains ""
        return None
    return texts


def _cost(keys: Collection[Key]) -> float:
    """The expected share of tickets that present one of ``keys``."""
    return sum(_SHARE[key[0]] for key in keys)


def requirement(cond: Condition) -> frozenset[Key] | None:
    """Keys of which a ticket must have at least one for ``cond`` to hold (``None``: no
    such set is known, so the rule is always looked at); the most selective one known
    (see :func:`_required`)."""
    required = _required(cond)
    return None if required is None else frozenset(required)


def _required(cond: Condition) -> dict[Key, frozenset[Operator]] | None:
    """Keys of which a ticket must have at least one for ``cond`` to hold (``None``: no
    such set is known, so the rule is always looked at); the most selective one known.

    Each key maps to the operators of the tests that require it (how a skip reason
    words what the rule needs). Sound because these tests are exact and case-sensitive
    (docs/conditions.md):
    ``channel equals x`` holds only for channel ``x``; ``tags contains x`` only when ``x``
    is a tag; a profile property ``equals x`` (text) only when the value is the text ``x``
    or a list holding it; ``in`` is any of those; segment membership only for members; on
    a built-in ticket field that holds one text (or none), ``equals``, ``contains``,
    ``starts_with``, ``ends_with`` and ``in`` a non-empty text only when the value
    contains that text.
    """
    if isinstance(cond, TicketCondition):
        op = cond.op
        if cond.field == "channel" and op in (Operator.EQUALS, Operator.IN):
            return _keyed(op, _texts(op, cond.value), "channel")
        if cond.field == "tags" and op in (Operator.EQUALS, Operator.CONTAINS, Operator.IN):
            return _keyed(op, _texts(op, cond.value), "tag")
        if op in _WITHIN and (
            cond.field in _TEXT_FIELDS or cond.field not in BUILTIN_TICKET_FIELDS
        ):
            return _keyed(op, _within(op, cond.value), "text", cond.field)
        return None
    if isinstance(cond, ProfileCondition):
        op = cond.op
        if op in (Operator.EQUALS, Operator.IN):
            return _keyed(op, _texts(op, cond.value), "profile", cond.property)
        if op in _AFFIXES:
            return _keyed(op, _within(op, cond.value), "profile_text", cond.property)
        return None
    if isinstance(cond, SegmentCondition):
        return {("segment", cond.segment): frozenset()} if cond.member else None
    if isinstance(cond, AllCondition):
        # Any one conjunct's requirement is the whole condition's: take the most
        # selective (the first of equals, so the choice is stable).
        found = [r for r in map(_required, cond.conditions) if r is not None]
        return min(found, key=_cost) if found else None
    if isinstance(cond, AnyCondition):
        union: dict[Key, frozenset[Operator]] = {}
        for child in cond.conditions:
            required = _required(child)
            if required is None:
                return None
            for key, ops in required.items():
                union[key] = union.get(key, frozenset()) | ops
        return union
    return None


def _keyed(
    op: Operator, texts: frozenset[str] | None, *kind: str
) -> dict[Key, frozenset[Operator]] | None:
    return None if texts is None else {(*kind, t): frozenset({op}) for t in texts}


def presented(
    ticket: Ticket, profile: Profile | None, properties: Sequence[str]
) -> tuple[Any, ...]:
    """What a ticket shows the index, flat: ``(channel, tags, segments or None without a
    profile, property, value, property, value, ...)`` for the indexed ``properties`` the
    profile has."""
    if profile is None:
        return (ticket.channel, ticket.tags, None)
    values = profile.properties
    shown: list[Any] = [ticket.channel, ticket.tags, profile.segments]
    for name in properties:
        if name in values:
            shown += (name, values[name])
    return tuple(shown)


class RuleIndex:
    """Enabled rules by their most selective required key, so that most rules are
    never looked at. ``items`` are the enabled rules' entries, in rule order."""

    def __init__(self, conditions: Sequence[Condition]) -> None:
        self._count = len(conditions)
        self._always: list[int] = []
        self._by_key: dict[Key, list[int]] = {}
        self.keys: list[frozenset[Key] | None] = []
        """Each rule's key set (``None``: always looked at), by position."""
        self._conditions = conditions
        properties: set[str] = set()
        within: dict[
            tuple[str, str], dict[str, list[int]]
        ] = {}  # (kind, name) -> text -> positions
        for i, cond in enumerate(conditions):
            required = requirement(cond)
            self.keys.append(required)
            if required is None:
                self._always.append(i)
                continue
            for key in required:
                if key[0] == "text" or key[0] == "profile_text":
                    within.setdefault((key[0], key[1]), {}).setdefault(key[2], []).append(i)
                    continue
                self._by_key.setdefault(key, []).append(i)
                if key[0] == "profile":
                    properties.add(key[1])
        self.properties: tuple[str, ...] = tuple(sorted(properties))
        """The profile properties some rule is keyed on."""
        # (where the value is read, its name, positions by gram, gram lengths): a built-in
        # ticket field, a custom one, or a profile property.
        self._grams = [
            (
                "profile"
                if kind == "profile_text"
                else "ticket"
                if name in _TEXT_FIELDS
                else "custom",
                name,
                *_gram_table(texts),
            )
            for (kind, name), texts in sorted(within.items())
        ]
        self._flat = not self._by_key and not self._grams
        self._needs: dict[int, list[tuple[tuple[str, ...], str]]] = {}

    def needs(self, position: int) -> list[tuple[tuple[str, ...], str]]:
        """What the rule at ``position`` needs, by kind of key: ``(("channel",),
        "needs channel 'sms' or 'webchat'")``, ``(("profile", "risk"), "needs
        profile.risk 'High'")``, ``(("text", "subject"), "needs subject to start with
        'RE:'")``; empty for a rule that is always looked at.

        A text within a field is worded by the tests that require it (``equal``, for
        ``equals`` and ``in``; ``contain``; ``start with``; ``end with``): the index rules
        a rule out only when the value holds none of its texts, so it passes none of them.
        """
        found = self._needs.get(position)
        if found is None:
            groups: dict[tuple[str, ...], list[str]] = {}
            for key in sorted(self.keys[position] or ()):
                groups.setdefault(key[:-1], []).append(key[-1])
            ops = None
            found = []
            for group, wanted in groups.items():
                if group[0] == "text" or group[0] == "profile_text":
                    if ops is None:
                        ops = _required(self._conditions[position]) or {}
                    name = shown(group[1])
                    label = name if group[0] == "text" else f"profile.{name}"
                    tests = _tests_text([(w, ops.get((*group, w), frozenset())) for w in wanted])
                    found.append((group, f"needs {label} to {tests}"))
                    continue
                texts = _either(wanted)
                label = f"profile.{shown(group[1])}" if group[0] == "profile" else group[0]
                found.append((group, f"needs {label} {texts}"))
            self._needs[position] = found
        return found

    def positions(self, ticket: Ticket, profile: Profile | None) -> Sequence[int]:
        """The positions of the rules ``ticket`` (with ``profile``) can match, in order."""
        if self._flat:
            return range(self._count)
        by_key = self._by_key
        positions = set(self._always)
        positions.update(by_key.get(("channel", ticket.channel), ()))
        for tag in ticket.tags:
            positions.update(by_key.get(("tag", tag), ()))
        if profile is not None:
            for segment in profile.segments:
                positions.update(by_key.get(("segment", segment), ()))
            values = profile.properties
            for name in self.properties:
                value = values.get(name)
                if isinstance(value, str):
                    positions.update(by_key.get(("profile", name, _plain(value)), ()))
                elif isinstance(value, _SEQUENCES):
                    for item in value:
                        if isinstance(item, str):
                            positions.update(by_key.get(("profile", name, _plain(item)), ()))
        for source, name, table, sizes in self._grams:
            if source == "ticket":
                value = ticket.__dict__.get(name)
            elif source == "custom":
                value = ticket.fields.get(name)
            elif profile is not None:
                value = profile.properties.get(name)
            else:
                continue  # no profile: no property is set
            if isinstance(value, str):
                _look_up(value, table, sizes, positions)
            elif isinstance(value, _SEQUENCES):
                for item in value:
                    if isinstance(item, str):
                        _look_up(item, table, sizes, positions)
            # Anything else (not set, a number) holds no text.
        return sorted(positions)


_VERBS = (
    ("equal", (Operator.EQUALS, Operator.IN)),
    ("contain", (Operator.CONTAINS,)),
    ("start with", (Operator.STARTS_WITH,)),
    ("end with", (Operator.ENDS_WITH,)),
)


def _either(texts: Sequence[str]) -> str:
    """``'a' or 'b'``: the texts a rule needs, each cut, the first ten and how many more
    (a rule's `in` of 100,000 texts made a skip reason of a megabyte)."""
    return " or ".join(listed(texts, cut_text))


def _tests_text(wanted: list[tuple[str, frozenset[Operator]]]) -> str:
    """``equal 'closed' or start with 'RE:'``: the texts within a field a rule needs, by
    the tests that need them (``contain`` when none is known)."""
    clauses = []
    for verb, ops in _VERBS:
        texts = [text for text, by in wanted if any(op in by for op in ops)]
        if texts:
            clauses.append(f"{verb} " + _either(texts))
    if not clauses:
        return "contain " + _either([t for t, _ in wanted])
    return " or ".join(clauses)


def _look_up(
    value: str, table: dict[str, list[int]], sizes: tuple[int, ...], positions: set[int]
) -> None:
    """Add the positions filed under the grams found in ``value``."""
    if len(table) <= len(value):
        # Fewer grams filed than characters: search the value for each (in C).
        for gram, found in table.items():
            if gram in value:
                positions.update(found)
        return
    seen = {value[i : i + size] for size in sizes for i in range(len(value) - size + 1)}
    for gram in seen & table.keys():
        positions.update(table[gram])


def _gram_table(texts: dict[str, list[int]]) -> tuple[dict[str, list[int]], tuple[int, ...]]:
    """Positions by gram for the ``texts`` required within one field (text -> positions),
    and the gram lengths used. Each text is filed under the one of its grams the fewest of
    these texts share (the first such, so the choice depends on the rule set alone)."""
    shared: dict[str, int] = {}
    for text in texts:
        for gram in _grams_of(text):
            shared[gram] = shared.get(gram, 0) + 1
    table: dict[str, list[int]] = {}
    sizes: set[int] = set()
    for text, positions in texts.items():
        grams = _grams_of(text)
        gram = min(grams, key=shared.__getitem__)  # min keeps the first of equals
        sizes.add(len(gram))
        table.setdefault(gram, []).extend(positions)
    return table, tuple(sorted(sizes))


def _grams_of(text: str) -> list[str]:
    """The distinct substrings of ``_GRAM`` characters of ``text`` in order of first
    appearance (the text itself when shorter)."""
    if len(text) <= _GRAM:
        return [text]
    return list(dict.fromkeys(text[i : i + _GRAM] for i in range(len(text) - _GRAM + 1)))


def _first_of(texts: Collection[str]) -> str:
    """A ticket's tags or a profile's segments in a skip reason: the first ten in
    code-point order, each cut, and how many more (20,000 tags made a line of 200 KB)."""
    return ", ".join(listed(sorted(texts), cut_text))


class SkipReasons:
    """Why the rules the index skipped could not match one ticket, from what the ticket
    showed (see :func:`presented`): ``needs channel 'sms', ticket has 'email'``.

    What the ticket had is put into words once per decision; what each rule needs, once
    per rule set (:meth:`RuleIndex.needs`). Texts are cut as a trace cuts them (a text
    longer than 60 characters shown by its first 57 and ``...``), here when rendered: what
    a stored decision keeps is the ticket's values whole, so a decision read back, made
    before or after, explains the same.
    """

    def __init__(self, index: RuleIndex, shown: Sequence[Any]) -> None:
        self._index = index
        channel, tags, segments = shown[0], shown[1], shown[2]
        self._has: dict[tuple[str, ...], str] = {
            ("channel",): f"ticket has {cut_text(channel)}",
            ("tag",): "ticket has " + (_first_of(tags) or "no tags"),
        }
        if segments is None:
            self._has[("segment",)] = "no profile"
        elif segments:
            self._has[("segment",)] = "profile is in " + _first_of(segments)
        else:
            self._has[("segment",)] = "profile is in no segment"
        self._no_profile = segments is None
        self._channel = channel
        self._values = {shown[i]: shown[i + 1] for i in range(3, len(shown) - 1, 2)}

    def reason(self, position: int) -> str:
        """Why the rule at ``position`` (among the enabled rules) cannot match."""
        needs = self._index.needs(position)
        if not needs:  # keyed by nothing: ``in []`` and the like, no value matches
            return "its condition can match no ticket"
        if len(needs) == 1:
            group, wanted = needs[0]
            has = self._has.get(group) or self._has_text(group)
            return f"{wanted}, {has}{self._where(position, group)}"
        return "; ".join(
            f"{wanted}, {self._has_text(group)}{self._where(position, group)}"
            for group, wanted in needs
        )

    def _where(self, position: int, group: tuple[str, ...]) -> str:
        """`` (differs from the condition's text at character N: ...)`` when the one text
        the ticket has for ``group`` (its channel, a profile property's text) is cut to
        what one of the rule's texts is cut to (the two differ beyond the cut), as a
        trace says it; empty otherwise."""
        if group[0] == "channel":
            value = self._channel
        elif group[0] == "profile" and not self._no_profile:
            value = self._values.get(group[1])
        else:
            return ""
        if not isinstance(value, str) or len(value) < 60:
            return ""  # shown whole, and unlike any text cut to 57 characters and "..."
        value = _plain(value)
        shown = cut_text(value)
        for key in sorted(self._index.keys[position] or ()):
            if key[:-1] == group and key[-1] != value and cut_text(key[-1]) == shown:
                return f" ({first_difference(key[-1], value)})"
        return ""

    def _has_text(self, group: tuple[str, ...]) -> str:
        text = self._has.get(group)
        if text is None:
            if group[0] == "text":
                text = f"ticket's {shown(group[1])} does not"
            elif self._no_profile:
                text = "no profile"
            elif group[0] == "profile_text":
                text = f"profile's {shown(group[1])} does not"
            else:
                found = self._values.get(group[1])
                text = "not set" if found is None else f"profile has {_shown(found)}"
            self._has[group] = text
        return text


def _shown(value: Any) -> str:
    """A profile's value, as a skip reason shows it: the same for a value read back from
    a stored decision (a set sorted, text as text, a date-time in ISO form), cut as a
    trace cuts a value seen (:func:`~.conditions._values.cut_text`, and a rendering
    longer than 80 characters by its first 77 and ``...``)."""
    if isinstance(value, str):
        return cut_text(value)
    return cut_rendering(_rendered(value))


def _rendered(value: Any) -> str:
    """``value`` (other than a text at the top) whole, for :func:`_shown` to cut."""
    if isinstance(value, _SEQUENCES):
        items = [_rendered(v) for v in value]
        if isinstance(value, set | frozenset):
            items.sort()
        return "[" + ", ".join(items) + "]"
    if isinstance(value, str):
        return quoted(_plain(value))
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_rendered(k)}: {_rendered(v)}" for k, v in value.items()) + "}"
    return repr(value)
