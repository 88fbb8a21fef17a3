"""A customer data adapter's answers are held to the port's contract: an event count is a
whole number of events (an integer of any type with ``__index__``, as NumPy's), a profile
is a ``Profile`` or ``None``. Anything else is a ``ValidationError`` naming the adapter,
never a test decided on a value of the wrong type, and the route writes nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

import helpdesk_routing as hr
from helpdesk_routing.conditions import event, profile

NOW = datetime(2026, 3, 30, 10, tzinfo=UTC)


class Index:
    """An integer of another type, as NumPy's ``int64``: it has ``__index__`` only."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __index__(self) -> int:
        return self.n

    def __repr__(self) -> str:
        return f"Index({self.n})"


class Answers:
    """A customer data a user wrote, whose count answers ``count``."""

    def __init__(self, count: object = 0, found: object = "profile") -> None:
        self.count = count
        self.found = found

    def profile(self, profile_id: str) -> Any:
        return hr.Profile(id=profile_id) if self.found == "profile" else self.found

    def count_events(self, profile_id: str, metric: str, **window: Any) -> Any:
        return self.count


def _router(data: Answers, when: Any, explain: bool = True) -> tuple[hr.Router, hr.InMemoryStore]:
    store = hr.InMemoryStore(agents=[hr.Agent(id="a1")])
    rules = hr.RuleSet(
        rules=[hr.RoutingRule(id="vip", name="vip", when=when, then=hr.AssignToTeam(team="vip"))]
    )
    router = hr.Router(
        store=store,
        customer_data=data,  # type: ignore[arg-type]
        clock=hr.ManualClock(NOW),
        rules=rules,
        teams=[hr.Team(id="vip", name="VIP", members=["a1"])],
        explain=explain,
    )
    return router, store


TICKET = hr.Ticket(id="t1", channel="email", created_at=NOW, profile_id="p1")
TWO_ORDERS = event("Placed Order").at_least(2).in_last(hours=24)


@pytest.mark.parametrize(
    ("count", "team"),
    [(0, None), (Index(0), None), (Index(1), None), (Index(2), "vip"), (2, "vip"), (7, "vip")],
)
@pytest.mark.parametrize("explain", [True, False])
def test_an_integer_count_of_any_type_decides_as_its_value(
    count: object, team: str | None, explain: bool
) -> None:
    router, _ = _router(Answers(count), TWO_ORDERS, explain)
    decision = router.route(TICKET)
    assert decision.team == team


@pytest.mark.parametrize(
    "count",
    [0.0, 2.0, None, "7", Decimal(3), True, False, -1, Index(-1)],
    ids=repr,
)
@pytest.mark.parametrize("test", ["at_least", "at_most", "exactly", "zero"])
def test_a_count_not_a_whole_number_is_refused_naming_the_adapter(count: object, test: str) -> None:
    base = event("Placed Order")
    when = base.zero() if test == "zero" else getattr(base, test)(2)
    router, store = _router(Answers(count), when.in_last(hours=24))
    with pytest.raises(hr.ValidationError) as raised:
        router.route(TICKET)
    message = str(raised.value)
    assert message.startswith("customer data Answers.count_events returned ")
    assert f"{count!r} for event 'Placed Order'" in message
    with store.transaction() as tx:
        assert tx.get_ticket("t1") is None


@pytest.mark.parametrize("found", [{"id": "p1"}, "p1", 0], ids=repr)
@pytest.mark.parametrize("explain", [True, False])
def test_a_profile_not_a_profile_is_refused_naming_the_adapter(
    found: object, explain: bool
) -> None:
    router, store = _router(Answers(found=found), profile("tier") == "gold", explain)
    with pytest.raises(hr.ValidationError) as raised:
        router.route(TICKET)
    assert str(raised.value) == (
        f"customer data Answers.profile('p1') returned {type(found).__name__}, "
        "not a Profile or None"
    )
    with store.transaction() as tx:
        assert tx.get_ticket("t1") is None


def test_no_profile_is_no_profile() -> None:
    router, _ = _router(Answers(found=None), profile("tier") == "gold")
    assert router.route(TICKET).team is None
