"""Faults next to this stop's fixes of ids and condition values, found by reviewing them.

- NumPy's ``str_`` as an agent id went into the in-memory store's Online list through
  ``set_online`` and from there into the shipped allocators' answers, records, audit
  and rotation (SQLite gave plain text): every id a Router method takes is stored as
  the stored agent's id.
- NumPy's ``timedelta64`` (an ``Integral`` that is no index) raised Python's own
  ``TypeError`` as a condition value or a span's amount.
- A set of texts holding a ``StrEnum`` member or NumPy's ``str_`` was ordered by type
  name: unequal nodes for equal sets.
- ``render`` refused a subclass message with an aliased field; ``lint`` named an
  unknown ticket field with ``repr``; an ``Allocation`` subclass answered with a
  ``str_`` id lost its own reason (or raised ``AttributeError``)."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import Field

import helpdesk_routing as hr
from helpdesk_routing.allocation import Allocation
from helpdesk_routing.conditions import FieldCatalogue, event, profile, ticket
from helpdesk_routing.handoff.messages import MessageKey, VisitorMessage, render
from helpdesk_routing.records import RotationState

np = pytest.importorskip("numpy")
T0 = datetime(2026, 3, 30, 9, tzinfo=UTC)


def _online_a1(allocator: object) -> hr.Router:
    """A Router on an in-memory store whose one agent, owner ``a1``, is Online, handing
    out with ``allocator``."""
    router = hr.Router(
        store=hr.InMemoryStore(agents=[hr.Agent(id="a1", role="owner")]),
        customer_data=hr.InMemoryCustomerData(),
        clock=hr.ManualClock(T0),
        allocator=allocator,  # type: ignore[arg-type]
    )
    router.set_online("a1", True, actor="a1")
    return router


@pytest.mark.parametrize("allocator", ["round_robin", "least_loaded"])
def test_a_numpy_id_is_stored_as_the_plain_id(allocator: str) -> None:
    store = hr.InMemoryStore(agents=[hr.Agent(id="a1", role="owner")])
    router = hr.Router(
        store=store,
        customer_data=hr.InMemoryCustomerData(),
        clock=hr.ManualClock(T0),
        allocator=allocator,  # type: ignore[arg-type]
    )
    a1 = np.array(["a1"])[0]
    router.set_online(a1, True, actor=a1)
    decision = router.route(hr.Ticket(id="t1", channel="email", created_at=T0))
    router.reply("t1", actor=a1)
    router.set_status("t1", "closed", actor=a1)
    assert type(decision.assignee) is str
    assert type(router.ticket("t1").assignee) is str
    for record in router.history("t1"):
        assert record.actor is None or type(record.actor) is str
        assert record.assignee is None or type(record.assignee) is str
    with store.read() as tx:
        last = tx.rotation("global").last
    assert last is None or type(last) is str


def test_a_timedelta64_is_refused_as_a_value_and_an_amount() -> None:
    for make in (
        lambda: profile("x") == np.timedelta64(5, "s"),
        lambda: event("M").in_last(hours=np.timedelta64(7, "D")),
        lambda: event("M").where(x__gt=np.timedelta64(7, "D")),
        lambda: event("M").at_least(np.timedelta64(2, "D")),
    ):
        with pytest.raises(hr.ValidationError):
            make()


class Tier(enum.StrEnum):
    GOLD = "gold"


@pytest.mark.parametrize("item", [Tier.GOLD, "numpy"])
def test_a_set_of_texts_is_ordered_as_plain_text(item: Any) -> None:
    if item == "numpy":
        item = np.str_("gold")
    built, plain = profile("tier").is_in({item, "basic"}), profile("tier").is_in({"gold", "basic"})
    assert built == plain
    assert built.model_dump_json() == plain.model_dump_json()


class ChannelMessage(VisitorMessage):
    channel_name: str = Field(default="webchat", alias="channelName")


def test_a_subclass_message_with_an_aliased_field_renders() -> None:
    message = ChannelMessage(key=MessageKey.ASK_EMAIL, channelName="sms")
    assert render(message) == render(VisitorMessage(key=MessageKey.ASK_EMAIL))


def test_lint_quotes_an_unknown_ticket_field() -> None:
    (issue,) = FieldCatalogue(ticket_fields=["café"]).lint(ticket("cafe\u0301") == 1)
    assert issue.message == "unknown ticket field 'cafe\\u0301'; did you mean 'café'?"


class Explained(Allocation):
    __slots__ = ()

    @property
    def reason(self) -> str:
        return f"{self.agent}: picked by the skills matcher"


def test_an_allocation_subclass_keeps_its_reason_with_a_numpy_id() -> None:
    class First:
        def allocate(self, ticket: hr.Ticket, pool: Any, state: RotationState) -> Allocation:
            a = next(x for x in pool.ids if pool.eligible(x))
            return Explained(np.str_(a), RotationState(last=a, given=1), "placeholder")

    router = _online_a1(First())
    decision = router.route(hr.Ticket(id="t1", channel="email", created_at=T0))
    assert type(decision.assignee) is str
    assert "a1: picked by the skills matcher" in decision.explain()


class Unpicklable(Allocation):
    __slots__ = ()

    def __reduce__(self) -> Any:
        raise TypeError(f"cannot pickle {type(self).__name__!r} object")


class Immutable(Allocation):
    __slots__ = ()

    def __copy__(self) -> Immutable:
        return self


@pytest.mark.parametrize("kind", [Unpicklable, Immutable])
def test_the_allocators_answer_is_neither_copied_nor_changed(kind: type[Allocation]) -> None:
    answers: list[Allocation] = []

    class Skills:
        def allocate(self, ticket: hr.Ticket, pool: Any, state: RotationState) -> Allocation:
            a = np.array([x for x in pool.ids if pool.eligible(x)])[0]
            answers.append(kind(a, RotationState(last=str(a), given=1), "by skill"))
            return answers[-1]

    router = _online_a1(Skills())
    decision = router.route(hr.Ticket(id="t1", channel="email", created_at=T0))
    assert decision.assignee == "a1"
    assert type(decision.assignee) is str
    assert type(answers[0].agent) is not str  # the allocator's own object, as answered


def test_a_message_without_params_renders_with_none() -> None:
    message = VisitorMessage.model_construct(key=MessageKey.CONFIRM_HANDOFF)
    del message.__dict__["params"]
    assert render(message) == render(VisitorMessage(key=MessageKey.CONFIRM_HANDOFF))
    keyless = VisitorMessage.model_construct()  # no key: a required field left out
    with pytest.raises(hr.ValidationError) as caught:
        render(keyless)
    assert [(d.path, d.message) for d in caught.value.details] == [("$.key", "Field required")]


class Caseless(str):
    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and self.lower() == other.lower()

    def __hash__(self) -> int:
        return hash(self.lower())


def test_a_team_id_is_read_as_plain_text() -> None:
    router = hr.Router(
        rules=hr.RuleSet(),
        teams=[hr.Team(id="t", name="T", members=["a1"])],
        store=hr.InMemoryStore(agents=[hr.Agent(id="m1", role="manager"), hr.Agent(id="a1")]),
        customer_data=hr.InMemoryCustomerData(),
        clock=hr.ManualClock(T0),
    )
    router.route(hr.Ticket(id="t1", channel="email", created_at=T0))
    with pytest.raises(hr.UnknownTeam):
        router.assign_to_team("t1", team=Caseless("T"), actor="m1")
    (record,) = router.assign_to_team("t1", team=np.array(["t"])[0], actor="m1")
    assert type(record.team) is str
    assert type(router.ticket("t1").team) is str
    assert router.views.team("t").ids == ["t1"]


@pytest.mark.parametrize("name", ["jain_index", "gini"])
def test_a_timedelta64_count_is_no_number(name: str) -> None:
    from helpdesk_routing import metrics

    with pytest.raises(hr.ArgumentTypeError, match=r"counts\[1\] must be a number"):
        getattr(metrics, name)([1, np.timedelta64(3, "s")])
    with pytest.raises(hr.ArgumentTypeError, match=r"sorted_values\[1\]"):
        metrics.percentile([1, np.timedelta64(3, "s")], 50)
    with pytest.raises(hr.ArgumentTypeError):
        metrics.DurationStats.of([1.0, np.timedelta64(3, "s")])


class Fickle(Allocation):
    """A reason that is another text each time it is read."""

    __slots__ = ("_reads",)

    def __init__(self, agent: str | None, state: RotationState) -> None:
        super().__init__(agent, state, "unused")
        object.__setattr__(self, "_reads", [0])

    @property
    def reason(self) -> str:
        self._reads[0] += 1
        if self._reads[0] == 1:
            return "ok"
        raise RuntimeError("read twice")


@pytest.mark.parametrize("plain", [True, False])
def test_the_reason_is_read_once_and_kept(plain: bool) -> None:
    class Skills:
        def allocate(self, ticket: hr.Ticket, pool: Any, state: RotationState) -> Allocation:
            a = next(x for x in pool.ids if pool.eligible(x))
            return Fickle(a if plain else None, RotationState(last=a, given=1))

    router = _online_a1(Skills())
    decision = router.route(hr.Ticket(id="t1", channel="email", created_at=T0))
    assert decision.assignee == ("a1" if plain else None)
    assert "ok" in decision.explain()


def test_ids_are_looked_up_as_plain_text() -> None:
    router = hr.Router(
        rules=hr.RuleSet(),
        teams=[hr.Team(id="t", name="T", members=["a1"])],
        store=hr.InMemoryStore(agents=[hr.Agent(id="m1", role="manager"), hr.Agent(id="a1")]),
        customer_data=hr.InMemoryCustomerData(),
        clock=hr.ManualClock(T0),
    )
    router.route(hr.Ticket(id="t1", channel="email", created_at=T0))
    with pytest.raises(hr.UnknownTicket):
        router.ticket(Caseless("T1"))
    with pytest.raises(hr.UnknownAgent):
        router.set_status("t1", "pending", actor=Caseless("M1"))
    with pytest.raises(hr.UnknownAgent):
        router.views.my_inbox(Caseless("A1"))
    with pytest.raises(hr.UnknownTeam):
        router.views.team(Caseless("T"))
    router.assign_to_team("t1", team="t", actor="m1")
    assert router.views.team(np.str_("t"), statuses=None).ids == ["t1"]


def _caseless_desk(*agents: hr.Agent) -> tuple[hr.Router, hr.InMemoryStore]:
    store = hr.InMemoryStore(agents=list(agents))
    router = hr.Router(
        store=store, customer_data=hr.InMemoryCustomerData(), clock=hr.ManualClock(T0)
    )
    return router, store


def test_remove_agent_removes_the_agent_it_checked() -> None:
    router, store = _caseless_desk(
        hr.Agent(id="m1", role="manager"),
        hr.Agent(id="a1", role="owner"),
        hr.Agent(id="A1", role="support"),
    )
    router.remove_agent(Caseless("A1"), actor="m1")
    with store.read() as tx:
        assert sorted(a.id for a in tx.agents()) == ["a1", "m1"]


def test_configure_reads_its_actor_as_plain_text() -> None:
    router, _ = _caseless_desk(hr.Agent(id="s", role="manager"), hr.Agent(id="S"))
    with pytest.raises(hr.PermissionDenied):
        router.configure(actor=Caseless("S"), capacity=3)


def test_history_and_ticket_agree_and_reroute_checks_the_plain_id() -> None:
    router, _ = _caseless_desk(hr.Agent(id="m1", role="manager"))
    router.route(hr.Ticket(id="t1", channel="email", created_at=T0))
    router.route(hr.Ticket(id="T1", channel="email", created_at=T0))
    assert router.ticket(Caseless("T1")).ticket.id == "T1"
    assert {r.ticket_id for r in router.history(Caseless("T1"))} == {"T1"}
    with pytest.raises(hr.ValidationError, match="does not match"):
        router.reroute(
            Caseless("T1"),
            actor="m1",
            ticket=hr.Ticket(id="t1", channel="sms", created_at=T0),
        )


class FickleState(Allocation):
    __slots__ = ("_reads",)

    def __init__(self, agent: str) -> None:
        object.__setattr__(self, "agent", agent)
        object.__setattr__(self, "_reason", "by skill")
        object.__setattr__(self, "_reads", [0])

    @property  # type: ignore[override]
    def state(self) -> RotationState:
        self._reads[0] += 1
        if self._reads[0] == 1:
            return RotationState(last="a1", given=1)
        return RotationState.model_construct(last="", given=-5, extra={})


def test_the_state_checked_is_the_state_kept() -> None:
    class Skills:
        def allocate(self, ticket: hr.Ticket, pool: Any, state: RotationState) -> Allocation:
            return FickleState("a1")

    store = hr.InMemoryStore(agents=[hr.Agent(id="a1", role="owner")])
    router = hr.Router(
        store=store,
        customer_data=hr.InMemoryCustomerData(),
        clock=hr.ManualClock(T0),
        allocator=Skills(),  # type: ignore[arg-type]
    )
    router.set_online("a1", True, actor="a1")
    router.route(hr.Ticket(id="t1", channel="email", created_at=T0))
    with store.read() as tx:
        assert tx.rotation("global") == RotationState(last="a1", given=1)


def test_an_object_only_claiming_to_be_text_gets_the_librarys_errors() -> None:
    from unittest.mock import NonCallableMock

    router, _ = _caseless_desk(hr.Agent(id="m1", role="manager"))
    fake = NonCallableMock(spec=np.str_)
    with pytest.raises(hr.UnknownAgent):
        router.configure(actor=fake, capacity=3)
    with pytest.raises(hr.UnknownAgent):
        router.set_status("t1", "pending", actor=fake)
    with pytest.raises(hr.ValidationError, match="does not match"):
        router.reroute(fake, actor="m1", ticket=hr.Ticket(id="x", channel="sms", created_at=T0))


def test_ticket_ids_are_each_once_as_plain_text() -> None:
    router, _ = _caseless_desk(hr.Agent(id="m1", role="manager"), hr.Agent(id="x"))
    router.route(hr.Ticket(id="t1", channel="email", created_at=T0))
    router.route(hr.Ticket(id="T1", channel="email", created_at=T0))
    records = router.assign(["t1", Caseless("T1")], to="x", actor="m1")
    assert [r.ticket.id for r in records] == ["t1", "T1"]
    assert router.ticket("T1").assignee == "x"
