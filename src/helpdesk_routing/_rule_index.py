"""The rule index: which rules a ticket can match, and why the others cannot.

Each enabled rule whose condition requires one of a set of channels, tags, profile
texts (``equals``/``in``) or segments -- through its conjuncts and alternatives -- is
keyed on the most selective such requirement (a tag, a segment or a profile text before
a channel, which a quarter of all tickets share) and looked at only for tickets that
have one of those keys; every other rule always is. A rule the index skips is explained
from its key alone: ``needs channel 'sms', ticket has 'email'``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .conditions import (
    AllCondition,
    AnyCondition,
    Condition,
    Operator,
    ProfileCondition,
    SegmentCondition,
    TicketCondition,
)
from .model import Profile, Ticket

__all__ = ["Key", "RuleIndex", "presented", "requirement", "skip_reason"]

Key = tuple[str, ...]
"""An index key: ("channel", c), ("tag", t), ("profile", property, text) or ("segment", s)."""

_SEQUENCES = (list, tuple, set, frozenset)
# The share of tickets one key of each kind is assumed to match: a channel is shared by
# about a quarter of all tickets, a tag, a segment or a profile text by far fewer.
_SHARE = {"channel": 0.25, "profile": 0.1, "tag": 0.05, "segment": 0.05}


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


def _cost(keys: frozenset[Key]) -> float:
    """The expected share of tickets that present one of ``keys``."""
    return sum(_SHARE[key[0]] for key in keys)


def requirement(cond: Condition) -> frozenset[Key] | None:
    """Keys of which a ticket must have at least one for ``cond`` to hold (``None``: no
    such set is known, so the rule is always looked at); the most selective one known.

    Sound because these tests are exact and case-sensitive (docs/conditions.md):
    ``channel equals x`` holds only for channel ``x``; ``tags contains x`` only when ``x``
    is a tag; a profile property ``equals x`` (text) only when the value is the text ``x``
    or a list holding it; ``in`` is any of those; segment membership only for members.
    """
    if isinstance(cond, TicketCondition):
        if cond.field == "channel" and cond.op in (Operator.EQUALS, Operator.IN):
            texts = _texts(cond.op, cond.value)
            return None if texts is None else frozenset(("channel", t) for t in texts)
        if cond.field == "tags" and cond.op in (Operator.EQUALS, Operator.CONTAINS, Operator.IN):
            texts = _texts(cond.op, cond.value)
            return None if texts is None else frozenset(("tag", t) for t in texts)
        return None
    if isinstance(cond, ProfileCondition):
        if cond.op in (Operator.EQUALS, Operator.IN):
            texts = _texts(cond.op, cond.value)
            if texts is not None:
                return frozenset(("profile", cond.property, t) for t in texts)
        return None
    if isinstance(cond, SegmentCondition):
        return frozenset({("segment", cond.segment)}) if cond.member else None
    if isinstance(cond, AllCondition):
        # Any one conjunct's requirement is the whole condition's: take the most
        # selective (the first of equals, so the choice is stable).
        found = [r for r in map(requirement, cond.conditions) if r is not None]
        return min(found, key=_cost) if found else None
    if isinstance(cond, AnyCondition):
        union: set[Key] = set()
        for child in cond.conditions:
            required = requirement(child)
            if required is None:
                return None
            union |= required
        return frozenset(union)
    return None


def presented(
    ticket: Ticket, profile: Profile | None, properties: Sequence[str]
) -> tuple[Any, ...]:
    """What a ticket shows the index: ``(channel, tags, segments or None without a
    profile, ((property, value), ...))`` for the indexed ``properties`` the profile has."""
    if profile is None:
        return (ticket.channel, ticket.tags, None, ())
    values = profile.properties
    return (
        ticket.channel,
        ticket.tags,
        profile.segments,
        tuple((name, values[name]) for name in properties if name in values),
    )


class RuleIndex:
    """Enabled rules by their most selective required key, so that most rules are
    never looked at. ``items`` are the enabled rules' entries, in rule order."""

    def __init__(self, conditions: Sequence[Condition]) -> None:
        self._count = len(conditions)
        self._always: list[int] = []
        self._by_key: dict[Key, list[int]] = {}
        self.keys: list[frozenset[Key] | None] = []
        """Each rule's key set (``None``: always looked at), by position."""
        properties: set[str] = set()
        for i, cond in enumerate(conditions):
            required = requirement(cond)
            self.keys.append(required)
            if required is None:
                self._always.append(i)
                continue
            for key in required:
                self._by_key.setdefault(key, []).append(i)
                if key[0] == "profile":
                    properties.add(key[1])
        self.properties: tuple[str, ...] = tuple(sorted(properties))
        """The profile properties some rule is keyed on."""
        self._flat = not self._by_key

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
        return sorted(positions)


def skip_reason(keys: frozenset[Key], shown: tuple[Any, ...]) -> str:
    """Why a ticket that showed ``shown`` (see :func:`presented`) cannot match a rule
    keyed on ``keys``: ``needs channel 'sms', ticket has 'email'``."""
    groups: dict[tuple[str, ...], list[str]] = {}
    for key in sorted(keys):
        groups.setdefault(key[:-1], []).append(key[-1])
    channel, tags, segments, values = shown
    parts = []
    for group, wanted in groups.items():
        alternatives = " or ".join(repr(w) for w in wanted)
        kind = group[0]
        if kind == "channel":
            parts.append(f"needs channel {alternatives}, ticket has {channel!r}")
        elif kind == "tag":
            has = ", ".join(repr(t) for t in sorted(tags)) if tags else "no tags"
            parts.append(f"needs tag {alternatives}, ticket has {has}")
        elif kind == "segment":
            if segments is None:
                has = "no profile"
            elif segments:
                has = "profile is in " + ", ".join(repr(s) for s in sorted(segments))
            else:
                has = "profile is in no segment"
            parts.append(f"needs segment {alternatives}, {has}")
        else:
            name = group[1]
            if segments is None:
                has = "no profile"
            else:
                found = dict(values).get(name)
                has = "not set" if found is None else f"profile has {_shown(found)}"
            parts.append(f"needs profile.{name} {alternatives}, {has}")
    return "; ".join(parts)


def _shown(value: Any) -> str:
    if isinstance(value, _SEQUENCES):
        return "[" + ", ".join(repr(v) for v in value) + "]"
    return repr(value)
