"""The configuration one Router obeys: seeded once, followed as the store's versions change.

A :class:`ConfigurationKeeper` belongs to one Router. It writes the constructor arguments
as version 1 of an empty store (or checks them against the stored version), reads the
stored version number in every unit of work the Router gives it and swaps in the newly
compiled version when it changed, and writes new versions for ``configure`` and
``rollback``. What it hands out is immutable, so the Router's threads share it safely.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from enum import Enum
from typing import Any, Final, Literal, SupportsIndex

from pydantic import BaseModel

from helpdesk_routing._input import integer_argument
from helpdesk_routing._shown import shown
from helpdesk_routing.allocation import Allocator
from helpdesk_routing.audit import configured
from helpdesk_routing.configuration import (
    CONTENT_FIELDS,
    CompiledConfiguration,
    Configuration,
    ConfigurationCache,
    check_against_agents,
    content,
    same,
    updated,
)
from helpdesk_routing.errors import (
    ArgumentTypeError,
    ConflictError,
    ErrorDetail,
    StaleConfiguration,
    UnknownAgent,
    ValidationError,
)
from helpdesk_routing.model import UNORDERED, unordered
from helpdesk_routing.permissions import Action, require
from helpdesk_routing.ports import Store, Transaction, reading

__all__ = ["EMPTY", "NOT_GIVEN", "ConfigurationKeeper", "Maybe", "changes"]

_log = logging.getLogger("helpdesk_routing.configuration")
_START_ATTEMPTS = 5


class _NotGiven(Enum):
    NOT_GIVEN = "NOT_GIVEN"

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = _NotGiven.NOT_GIVEN
"""The default of a configuration argument that was not given (``None`` means something)."""

Maybe = Literal[_NotGiven.NOT_GIVEN]

# The empty configuration of a store that holds none (version 0, never stored).
EMPTY = Configuration.model_construct(version=0, at=datetime(1970, 1, 1, tzinfo=UTC))

_ACTION_OF: dict[str, Action] = {
    "rules": Action.EDIT_RULES,
    "teams": Action.EDIT_TEAMS,
    "round_robin": Action.SET_ROUND_ROBIN,
}


def changes(**fields: Any) -> dict[str, Any]:
    """The configuration fields given, normalised (a plain string is one channel)."""
    out = {name: value for name, value in fields.items() if value is not NOT_GIVEN}
    channels = out.get("office_hours_channels")
    if isinstance(channels, str):
        out["office_hours_channels"] = (channels,)
    elif channels is not None and "office_hours_channels" in out:
        # in the order given (the model makes the set): a bad item's path is its index
        out["office_hours_channels"] = tuple(_items("office_hours_channels", channels))
    if "teams" in out:
        out["teams"] = tuple(_items("teams", out["teams"], ordered=True))
    return out


def _items(name: str, value: Any, *, ordered: bool = False) -> Any:
    """``value`` when it is a collection of items; ``ValidationError`` naming ``name``.
    An ``ordered`` collection (the teams, tried in their order) refuses a set, whose
    order the hash seed decides: ``ValidationError`` at ``$.{name}``, code
    :data:`~helpdesk_routing.model.UNORDERED`, as the model says it."""
    if isinstance(value, str | bytes | Mapping | BaseModel) or not isinstance(value, Iterable):
        # at its place in the configuration document, as every other problem there; a
        # model (one Team) is iterable too, over its fields, each then a bad "item"
        given = (
            f"one {type(value).__name__} (a list of one is [it])"
            if isinstance(value, BaseModel)
            else repr(value)
        )
        wrong = f"{name} must be a list, got {given}"
        raise ValidationError(wrong, [ErrorDetail(f"$.{name}", wrong, "list_type")])
    said = unordered(name, value) if ordered else None
    if said is not None:
        raise ValidationError(said, [ErrorDetail(f"$.{name}", said, UNORDERED)])
    return value


_WRITE_ATTEMPTS = 20
"""How many times an edit without ``expected_version`` is made again on the newest
version when another process stored one between its read and its write."""


class ConfigurationKeeper:
    """Seeds, follows and writes the stored configuration for one Router.

    ``now`` is the Router's clock reading (aware); ``custom`` its custom allocator, if any.
    """

    def __init__(self, store: Store, now: Callable[[], datetime], custom: Allocator | None) -> None:
        self._store = store
        self._now = now
        self._cache = ConfigurationCache(custom=custom)
        self._current = CompiledConfiguration.of(EMPTY, allocator=custom)
        # Whether the store routes round robin in one call (RoundRobinInStore), and
        # whether that call checks the configuration version itself.

    @property
    def current(self) -> CompiledConfiguration:
        """The newest version this Router has seen (its next unit of work checks it)."""
        return self._current

    def load(self, tx: Transaction, version: int) -> CompiledConfiguration | None:
        """A stored version, compiled (cached); ``None`` when it is not stored."""
        return self._cache.load(tx, version)

    def start(self, given: dict[str, Any]) -> None:
        """Store ``given`` as version 1 of an empty store, or check it against the stored
        version (``ConflictError`` naming the fields that differ)."""
        for _ in range(_START_ATTEMPTS):
            writing = False
            try:
                with self._store.transaction() as tx:
                    version = tx.configuration_version()
                    if version == 0:
                        if not given:
                            return
                        now = self._now()
                        first = updated(EMPTY, given, version=1, at=now, actor=None, written=True)
                        check_against_agents(tx, first, rules_given=given.get("rules"))
                        writing = True
                        tx.put_configuration(first)
                        # the fields given, in the order configure names them
                        changed = [f for f in CONTENT_FIELDS if f in given]
                        tx.append_audit(configured(now, None, 1, changed, None))
                    else:
                        compiled = self._load(tx, version)
            except ConflictError:
                if writing:  # another process stored version 1 first: compare with it
                    continue
                raise
            if version == 0:
                self._current = self._cache.put(first)
                _log.info("configuration version 1 stored", extra={"configuration_version": 1})
                return
            break
        else:  # pragma: no cover - only if version 1 keeps vanishing
            raise ConflictError("the stored configuration could not be read")
        stored = compiled.configuration
        if not given:
            # Nothing to compare: the stored version is in force as it was read back (a
            # version kept as written, a team id repeated by an older release, opens:
            # configure or rollback can then mend it; updated() checked it as input).
            self._current = compiled
            return
        ours = updated(stored, given, version=stored.version, at=stored.at)
        mine, theirs = content(ours), content(stored)
        differ = [f for f in given if not same(f, mine[f], theirs[f])]
        if differ:
            _log.warning(
                "constructor arguments differ from the stored configuration",
                extra={"configuration_version": stored.version, "fields": differ},
            )
            raise ConflictError(
                f"the store holds configuration version {stored.version}, which differs "
                f"from the constructor arguments in: {', '.join(differ)}; change it with "
                "router.configure(...)"
            )
        self._current = compiled

    def _load(self, tx: Transaction, version: int) -> CompiledConfiguration:
        compiled = self._cache.load(tx, version)
        if compiled is None:  # pragma: no cover - a store that loses versions
            raise ConflictError(f"configuration version {version} is not stored")
        return compiled

    def snapshot(self, tx: Transaction) -> CompiledConfiguration:
        """The configuration in force for this unit of work (reloaded when it changed)."""
        version = tx.configuration_version()
        current = self._current
        if version == current.version:
            return current
        compiled = self._load(tx, version) if version > 0 else current
        if compiled.version > self._current.version:
            self._current = compiled
            _log.info(
                "configuration version %d in force",
                version,
                extra={"configuration_version": version},
            )
        return compiled

    def refresh(self) -> CompiledConfiguration:
        """The configuration in force, read in a unit of work of its own: a read-only one
        when the store offers it (:func:`~helpdesk_routing.ports.reading`), which waits
        for no writer."""
        with reading(self._store) as tx:
            return self.snapshot(tx)

    def write(
        self,
        actor: str,
        changes: dict[str, Any],
        comment: str | None,
        given_version: SupportsIndex | None,
        rollback_to: int | None = None,
    ) -> Configuration:
        """Store a new version: the one in force with ``changes``, checked, audited."""
        expected_version: int | None = None
        if given_version is not None:
            whole = integer_argument(given_version)
            if whole is None:
                raise ValidationError(
                    f"expected_version must be a whole number (or None), got {given_version!r}"
                )
            expected_version = whole
        if expected_version is not None and expected_version < 0:
            # no version below 0 (the empty configuration) is ever stored: a bad argument,
            # not a stale edit to reload
            raise ValidationError(
                f"expected_version must be 0 or more (0 is the empty configuration), "
                f"got {expected_version}"
            )
        if not isinstance(actor, str):
            raise ValidationError(f"actor must be text, got {actor!r}")
        if comment is not None and not isinstance(comment, str):
            # bytes would be read as text by the configuration but kept raw by the audit
            # record of the memory store: one comment, two values
            raise ArgumentTypeError(f"comment must be text (or None), got {type(comment).__name__}")
        for attempt in range(1, _WRITE_ATTEMPTS + 1):
            try:
                return self._write_once(actor, changes, comment, expected_version, rollback_to)
            except StaleConfiguration:
                # Another process stored a version between this unit's read and its write
                # (a store whose units overlap: PostgreSQL). With an expected version the
                # edit was made on the older one: refused. Without, it applies to whatever
                # is newest: decided again on it.
                if expected_version is not None or attempt == _WRITE_ATTEMPTS:
                    raise
                # A short random pause, growing with the attempts, so that writers that
                # keep colliding fall out of step.
                time.sleep(random.uniform(0, 0.002 * attempt))
                _log.info(
                    "configuration stored meanwhile; editing the newest version again",
                    extra={"attempt": attempt, "actor": actor},
                )
        raise AssertionError("unreachable")  # pragma: no cover

    def _write_once(
        self,
        actor: str,
        changes: dict[str, Any],
        comment: str | None,
        expected_version: int | None,
        rollback_to: int | None,
    ) -> Configuration:
        now = self._now()
        with self._store.transaction() as tx:
            agent = tx.get_agent(actor)
            if agent is None:
                raise UnknownAgent(actor)
            for field in changes or ("",):
                require(agent, _ACTION_OF.get(field, Action.CONFIGURE))
            base = self.snapshot(tx)
            if expected_version is not None and expected_version != base.version:
                _log.warning(
                    "stale configuration edit refused",
                    extra={"configuration_version": base.version, "expected": expected_version},
                )
                raise StaleConfiguration(expected_version, base.version)
            new = updated(
                base.configuration,
                changes,
                version=base.version + 1,
                as_input=rollback_to is None,
                written=True,
                at=now,
                actor=actor,
                comment=comment,
            )
            check_against_agents(tx, new, rules_given=changes.get("rules"), version=rollback_to)
            before, after = content(base.configuration), content(new)
            changed = [f for f in CONTENT_FIELDS if not same(f, before[f], after[f])]
            tx.put_configuration(new)
            tx.append_audit(configured(now, actor, new.version, changed, comment, rollback_to))
        compiled = self._cache.put(new)
        if compiled.version > self._current.version:
            self._current = compiled
        _log.info(
            "configuration version %d stored by %s",
            new.version,
            shown(actor),
            extra={"configuration_version": new.version, "actor": actor, "fields": changed},
        )
        return new
