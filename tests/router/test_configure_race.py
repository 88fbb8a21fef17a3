"""An edit that loses a race to another process's edit (PostgreSQL's units overlap)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from helpdesk_routing.clock import ManualClock
from helpdesk_routing.errors import StaleConfiguration, version_refused
from helpdesk_routing.model import Agent
from helpdesk_routing.ports import Transaction
from helpdesk_routing.router import Router
from helpdesk_routing.rules import RuleSet
from helpdesk_routing.stores.memory import InMemoryStore
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData
from tests.router.conftest import MONDAY_10


class _Racing:
    """A transaction whose ``put_configuration`` loses the race while ``races`` last:
    another process stored that version first (a commit this unit cannot see, as on
    PostgreSQL), so the store refuses the write as it refuses a stale one."""

    def __init__(self, tx: Transaction, store: _RacingStore) -> None:
        self._tx = tx
        self._store = store

    def put_configuration(self, configuration: Any) -> None:
        self._store.calls += 1
        if self._store.races:
            self._store.races -= 1
            raise version_refused(configuration.version, configuration.version)
        self._tx.put_configuration(configuration)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tx, name)


class _RacingStore:
    def __init__(self, store: InMemoryStore, races: int) -> None:
        self._store = store
        self.races = races
        self.calls = 0

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        with self._store.transaction() as tx:
            yield _Racing(tx, self)  # type: ignore[misc]


def _router(races: int) -> tuple[Router, InMemoryStore, _RacingStore]:
    store = InMemoryStore(agents=[Agent(id="m1", role="manager")])
    racing = _RacingStore(store, races=0)
    router = Router(
        rules=RuleSet(),
        teams=[],
        store=racing,  # type: ignore[arg-type]
        customer_data=InMemoryCustomerData(),
        clock=ManualClock(MONDAY_10),
    )
    racing.races = races  # the first version is stored; the races begin
    return router, store, racing


def test_an_edit_without_expected_version_applies_to_the_newest_after_a_lost_race() -> None:
    """docs/configuration.md: without expected_version the edit applies to whatever
    version is newest. A lost race (another process stored the version this edit
    computed) is edited again on the newest, not refused (PostgreSQL raised a plain
    ConflictError, 'version N cannot follow the stored version N')."""
    router, store, _ = _router(races=2)
    stored = router.configure(actor="m1", round_robin=False)
    assert stored.version == 2
    assert stored.round_robin is False
    with store.transaction() as tx:
        assert [c.version for c in tx.configurations()] == [1, 2]
        assert [r.action for r in tx.audit()].count("configured") == 2


def test_an_edit_with_expected_version_that_loses_the_race_is_stale() -> None:
    """With expected_version, the edit was made on a version that is no longer the
    newest: StaleConfiguration, tried once, nothing of it stored."""
    router, store, _ = _router(races=1)
    with pytest.raises(StaleConfiguration, match=r"^configuration version 1 is stale"):
        router.configure(actor="m1", round_robin=False, expected_version=1)
    with store.transaction() as tx:
        assert [c.version for c in tx.configurations()] == [1]


def test_an_edit_that_keeps_losing_gives_up() -> None:
    """Edits stored faster than a retry: StaleConfiguration after a bounded number of
    tries, never a loop for ever."""
    router, _, racing = _router(races=1000)
    with pytest.raises(StaleConfiguration):
        router.configure(actor="m1", round_robin=False)
    assert 1 < racing.calls < 1000
