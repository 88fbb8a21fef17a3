"""``ports.offers``: an optional capability, asked once per class."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from helpdesk_routing.ports import HandOutInStore, RoundRobinInStore, RoundRobinRoute, offers
from helpdesk_routing.records import AuditRecord, TicketRecord
from helpdesk_routing.stores.memory import InMemoryStore


class _Routes:
    """A transaction-like object with the round-robin route capability."""

    def route_round_robin(
        self,
        *,
        pool: str,
        members: Sequence[str] | None,
        capacity: int | None,
        record: TicketRecord,
        audit: AuditRecord,
        configuration_version: int | None = None,
    ) -> Callable[[], RoundRobinRoute] | None:
        return None


def test_offers_answers_like_isinstance_per_class() -> None:
    store = InMemoryStore()
    with store.transaction() as tx:
        assert offers(tx, RoundRobinInStore) is isinstance(tx, RoundRobinInStore) is False
        assert offers(tx, HandOutInStore) is False
    assert offers(_Routes(), RoundRobinInStore) is True
    assert offers(_Routes(), HandOutInStore) is False


def test_offers_asks_a_class_once() -> None:
    """The answer is kept per class: a capability added to one instance later is not
    seen (a class implements a capability or not; isinstance would inspect every
    member on every call)."""

    class Late:
        pass

    first = Late()
    assert offers(first, RoundRobinInStore) is False
    second = Late()
    second.route_round_robin = _Routes().route_round_robin  # type: ignore[attr-defined]
    assert isinstance(second, RoundRobinInStore)
    assert offers(second, RoundRobinInStore) is False


def test_units_serialised_false_declares_nothing() -> None:
    """``units_serialised = False`` is no declaration (a runtime-checkable Protocol sees
    the attribute only, so ``isinstance`` says yes): the Router then routed as in a
    store whose units never overlap, and a concurrent insert was a ``StoreError``."""
    from helpdesk_routing.ports import SerialisedUnits

    class Says:
        def __init__(self, value: object) -> None:
            self.units_serialised = value

    class SaysFalse(Says):
        pass

    class SaysTrue(Says):
        pass

    class SaysOne(Says):
        pass

    assert isinstance(SaysFalse(False), SerialisedUnits)
    assert offers(SaysFalse(False), SerialisedUnits) is False
    assert offers(SaysOne(1), SerialisedUnits) is False
    assert offers(SaysTrue(True), SerialisedUnits) is True
    with InMemoryStore().transaction() as tx:
        assert offers(tx, SerialisedUnits) is True
