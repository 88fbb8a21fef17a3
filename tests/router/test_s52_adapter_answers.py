"""Custom adapters' answers, held to the ports' contracts.

- An allocator answering an id as a ``str`` subclass with its own ``==`` (a
  case-insensitive id) passed the pool check with ``"A1"`` for agent ``a1``: the ticket
  was stored assigned to nobody who exists, past ``a1``'s capacity. The id is read as
  plain text; NumPy's ``str_`` (``rng.choice(ids)``) is stored as the plain id, as is
  ``assign(to=np.str_(...))``.
- ``count_events`` was asked with the id of the profile the port answered, not with the
  ticket's ``profile_id`` (ports.py): an adapter resolving an alias answered its
  customer's profile, and the events recorded under the ticket's id were not counted."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

import helpdesk_routing as hr
from helpdesk_routing.allocation import Allocation
from helpdesk_routing.conditions import event
from helpdesk_routing.records import RotationState

T0 = datetime(2026, 3, 30, 9, tzinfo=UTC)


class CIStr(str):
    """An id compared without case, as some directories hand them out."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and self.lower() == other.lower()

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    __hash__ = str.__hash__


class Spelled:
    """The first eligible agent, its id given as ``spell`` makes it."""

    def __init__(self, spell: Any) -> None:
        self.spell = spell

    def allocate(self, ticket: hr.Ticket, pool: Any, state: RotationState) -> Allocation:
        for a in pool.ids:
            if pool.eligible(a):
                return Allocation(self.spell(a), RotationState(last=a, given=1), "first")
        return Allocation(None, state, "nobody")


def _router(allocator: object) -> hr.Router:
    store = hr.InMemoryStore(agents=[hr.Agent(id="a1", role="owner", capacity=1)])
    router = hr.Router(
        store=store,
        customer_data=hr.InMemoryCustomerData(),
        clock=hr.ManualClock(T0),
        allocator=allocator,  # type: ignore[arg-type]
    )
    router.set_online("a1", True, actor="a1")
    return router


def test_an_id_equal_only_by_its_own_eq_is_no_agent_of_the_pool() -> None:
    router = _router(Spelled(lambda a: CIStr(a.upper())))
    with pytest.raises(hr.ValidationError, match="chose 'A1', who is not in pool 'global'"):
        router.route(hr.Ticket(id="t1", channel="email", created_at=T0))
    assert router.views.all_tickets().ids == []


@pytest.mark.parametrize("spell", [CIStr, "numpy"])
def test_an_id_of_a_str_subclass_is_stored_as_plain_text(spell: Any) -> None:
    if spell == "numpy":
        spell = pytest.importorskip("numpy").str_
    router = _router(Spelled(spell))
    decision = router.route(hr.Ticket(id="t1", channel="email", created_at=T0))
    assert decision.assignee == "a1"
    assert type(decision.assignee) is str
    record = router.ticket("t1")
    assert type(record.assignee) is str
    assert router.views.my_inbox("a1").ids == ["t1"]


def test_a_manual_assignment_stores_the_plain_id() -> None:
    np = pytest.importorskip("numpy")
    router = _router(Spelled(str))
    router.set_online("a1", False, actor="a1")
    router.route(hr.Ticket(id="t1", channel="email", created_at=T0))
    (record,) = router.assign("t1", to=np.str_("a1"), actor="a1")
    assert type(record.assignee) is str
    assert type(router.ticket("t1").assignee) is str


class MergedCRM:
    """Profile 'visitor-42' was merged into 'cust-7'; events stay under the id they
    were recorded with."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def profile(self, profile_id: str) -> hr.Profile | None:
        return hr.Profile(id="cust-7") if profile_id in ("visitor-42", "cust-7") else None

    def count_events(self, profile_id: str, metric: str, **kwargs: Any) -> int:
        self.asked.append(profile_id)
        return 1 if (profile_id, metric) == ("visitor-42", "Escalated") else 0


def test_events_are_counted_under_the_tickets_profile_id() -> None:
    crm = MergedCRM()
    router = hr.Router(
        store=hr.InMemoryStore(agents=[hr.Agent(id="a1", role="owner")]),
        customer_data=crm,
        clock=hr.ManualClock(T0),
        rules=hr.RuleSet(
            rules=[
                hr.RoutingRule(
                    id="esc",
                    name="escalated",
                    when=event("Escalated").in_last(days=1),
                    then=hr.AssignToTeam(team="t2"),
                )
            ]
        ),
        teams=[hr.Team(id="t2", name="Tier 2", members=["a1"])],
    )
    decision = router.route(
        hr.Ticket(id="t1", channel="email", profile_id="visitor-42", created_at=T0)
    )
    assert crm.asked == ["visitor-42"]
    assert decision.team == "t2"
