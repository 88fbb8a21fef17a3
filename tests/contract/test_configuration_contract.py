"""The configuration part of the Store contract: versions 1, 2, 3, ... appended, all kept."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from helpdesk_routing.configuration import Configuration
from helpdesk_routing.errors import ConflictError, StaleConfiguration
from helpdesk_routing.model import Agent, Team
from helpdesk_routing.ports import Store
from tests.adapters import StoreFactory

T0 = datetime(2026, 3, 30, 9, tzinfo=UTC)


@pytest.fixture
def store(store_factory: StoreFactory, request: pytest.FixtureRequest) -> Store:
    """A fresh store of the adapter under test."""
    return store_factory(request, [Agent(id="a1")])


def config(version: int, **changes: object) -> Configuration:
    """A configuration of ``version`` with one team."""
    base: dict[str, object] = {
        "version": version,
        "at": T0,
        "actor": "m1",
        "teams": (Team(id="t", members=("a1",)),),
    }
    return Configuration.model_validate({**base, **changes})


def test_an_empty_store_has_version_zero_and_no_configuration(store: Store) -> None:
    """Before anything is stored the version is 0 and there is nothing to read."""
    with store.transaction() as tx:
        assert tx.configuration_version() == 0
        assert tx.configuration() is None
        assert tx.configuration(1) is None
        assert tx.configurations() == []


def test_versions_are_appended_and_every_one_is_kept(store: Store) -> None:
    """put_configuration appends; the newest is the default read, old ones stay readable."""
    first, second = config(1), config(2, round_robin=False, comment="night")
    with store.transaction() as tx:
        tx.put_configuration(first)
    with store.transaction() as tx:
        tx.put_configuration(second)
    with store.transaction() as tx:
        assert tx.configuration_version() == 2
        assert tx.configuration() == second
        assert tx.configuration(1) == first
        assert tx.configurations() == [first, second]


@pytest.mark.parametrize(
    ("version", "error", "message"),
    [
        # the writer read version 0: a newer one is stored (a lost race, or an old edit)
        (1, StaleConfiguration, "configuration version 0 is stale: version 1 is stored"),
        (3, ConflictError, "configuration version 3 cannot follow the stored version 1"),
    ],
)
def test_a_version_that_does_not_follow_the_stored_one_is_refused(
    store: Store, version: int, error: type[Exception], message: str
) -> None:
    """Only stored + 1 may be written; the error names the stored version, nothing is
    kept. Every store says StaleConfiguration when a newer version is stored, so the
    keeper can edit the newest version again."""
    with store.transaction() as tx:
        tx.put_configuration(config(1))
    with (
        pytest.raises(error, match=f"^{message}$"),
        store.transaction() as tx,
    ):
        tx.put_configuration(config(version))
    with store.transaction() as tx:
        assert tx.configuration_version() == 1


def test_a_unit_that_raises_keeps_no_configuration(store: Store) -> None:
    """A configuration written in a unit of work that fails is not kept."""

    def fail() -> None:
        with store.transaction() as tx:
            tx.put_configuration(config(1))
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        fail()
    with store.transaction() as tx:
        assert tx.configuration_version() == 0
