"""The per-ticket fast paths of session 35 answer what the general paths answer.

* ``rules.decide`` with no enabled rule skips the stored-form conversion and the rule
  index: held to a decision over one enabled rule that never matches (the general
  path), team, membership, views and deciding rule alike.
* The simulator's backend moves its clock positionally (``timedelta(0, t)``): the
  instant is the one ``timedelta(seconds=t)`` gives.
* ``Router.set_status`` takes a ``TicketStatus`` member without the enum's call: the
  same record and log as the status's text, and text that is no status is still
  refused.
* Call budgets for a route and a reply on the in-memory store (what a simulated ticket
  costs besides its close, budgeted in ``tests/test_s34_speed_calls.py``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk_routing.clock import ManualClock
from helpdesk_routing.conditions import not_
from helpdesk_routing.conditions import ticket as ticket_field
from helpdesk_routing.errors import ValidationError
from helpdesk_routing.model import Agent, Profile, Role, Team, Ticket, TicketStatus
from helpdesk_routing.router import Router
from helpdesk_routing.rules import AssignToTeam, RoutingRule, RuleSet, decide
from helpdesk_routing.simulation._backends import RouterBackend
from helpdesk_routing.simulation.scenario import Scenario
from helpdesk_routing.stores.memory import InMemoryStore
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData
from tests.call_count import calls_of

T0 = datetime(2026, 3, 30, 9, tzinfo=UTC)
WORDS = ("vip", "returns", "billing", "fr")

TEAMS = (
    Team(id="vip", members=("a1",), tags=frozenset({"vip"}), segments=frozenset({"gold"})),
    Team(id="returns", members=("a2",), tags=frozenset({"returns", "billing"})),
    Team(id="french", members=("a1", "a2"), segments=frozenset({"fr"})),
)

# An enabled rule no ticket below matches (no custom value is four letters long), written
# so that the rule index cannot rule it out and reading a custom field: decide takes its
# general path with it (the stored form of the fields, the index, the evaluation) and
# decides by membership.
NEVER = RoutingRule(
    id="never",
    when=not_(not_(ticket_field("order") == "zzzz")),
    then=AssignToTeam(team="vip"),
)

words = st.frozensets(st.sampled_from(WORDS), max_size=3)
custom_values = st.one_of(
    # No NUL or lone surrogate: no store keeps them, so the models refuse them.
    st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=3),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.dates(),
    st.just(date(2026, 1, 2)),
)


@st.composite
def tickets_and_profiles(draw: st.DrawFn) -> tuple[Ticket, Profile | None]:
    profile = None
    if draw(st.booleans()):
        profile = Profile(id="p1", segments=draw(words), properties={"tier": draw(custom_values)})
    ticket = Ticket(
        id="t1",
        channel=draw(st.sampled_from(("email", "webchat"))),
        created_at=T0,
        tags=draw(words),
        profile_id=None if profile is None else profile.id,
        fields=draw(st.dictionaries(st.sampled_from(("order", "due")), custom_values)),
    )
    return ticket, profile


@settings(max_examples=150, deadline=None)
@given(
    tickets_and_profiles(),
    st.booleans(),
    st.permutations(TEAMS).map(tuple),
    st.sampled_from([(), (NEVER.model_copy(update={"enabled": False}),)]),
)
def test_deciding_with_no_enabled_rule_is_deciding_with_a_rule_that_never_matches(
    case: tuple[Ticket, Profile | None],
    explain: bool,
    teams: tuple[Team, ...],
    disabled: tuple[RoutingRule, ...],
) -> None:
    ticket, profile = case
    data = InMemoryCustomerData(profiles=[] if profile is None else [profile])
    fast = decide(RuleSet(rules=list(disabled)), teams, ticket, data, T0, explain=explain)
    general = decide(RuleSet(rules=[NEVER]), teams, ticket, data, T0, explain=explain)
    for name in ("ticket_id", "at", "team", "views", "rule_id", "decided_by", "membership"):
        assert getattr(fast, name) == getattr(general, name), name
    assert fast.evaluated == ()
    if explain:  # the general path evaluated the rule
        assert [entry[0] for entry in general.evaluated] == ["never"]


@settings(max_examples=300, deadline=None)
@given(st.floats(min_value=0.0, max_value=400 * 86400.0, allow_nan=False))
def test_the_backend_moves_its_clock_to_the_start_plus_t_seconds(t: float) -> None:
    scenario = Scenario.model_validate(
        {
            "name": "clock",
            "arrivals": {"type": "poisson", "per_hour": 1.0},
            "days": 1,
            "agents": [{"id": "a1"}],
            "handling": {"type": "exponential", "mean_minutes": 5},
        }
    )
    backend = RouterBackend(scenario, _policy(scenario))
    backend._at(t)
    assert backend._clock.now() == scenario.start + timedelta(seconds=t)


def _policy(scenario: Scenario) -> Any:
    from helpdesk_routing.simulation.policies import policy_for

    return policy_for(scenario, 1)


def _router(store: InMemoryStore, clock: ManualClock) -> Router:
    return Router(
        rules=RuleSet(rules=[]), store=store, customer_data=InMemoryCustomerData(), clock=clock
    )


@pytest.mark.parametrize("status", list(TicketStatus))
def test_a_status_member_and_its_text_set_the_same_status(status: TicketStatus) -> None:
    logs = []
    for given_as in (status, status.value):
        store = InMemoryStore(agents=[Agent(id="a1"), Agent(id="o", role=Role.OWNER)])
        router = _router(store, ManualClock(T0))
        router.set_online("a1", online=True, actor="a1")
        router.route(Ticket(id="t1", channel="email", created_at=T0))
        router.set_status("t1", TicketStatus.PENDING, actor="a1")
        router.set_status("t1", given_as, actor="a1")
        logs.append([r.model_dump() for r in router.history("t1")])
        assert router.ticket("t1").ticket.status is status
    assert logs[0] == logs[1]


@pytest.mark.parametrize("bad", ["shut", "OPEN", 1, None])
def test_a_status_that_is_none_is_still_refused(bad: object) -> None:
    store = InMemoryStore(agents=[Agent(id="a1")])
    router = _router(store, ManualClock(T0))
    router.route(Ticket(id="t1", channel="email", created_at=T0))
    with pytest.raises(ValidationError, match="invalid status"):
        router.set_status("t1", bad, actor="a1")  # type: ignore[arg-type]


ROUTE_BUDGET = 151
"""Calls of one route (no rules, round robin, an agent free): 160 before session 35, 154
after, 138 before its second round and 133 after (counted as
``tests/test_s34_speed_calls.py`` counts a close)."""
REPLY_BUDGET = 51
"""Calls of one reply: 51 before session 35, 50 after."""


def test_a_route_and_a_reply_keep_to_their_call_budgets() -> None:
    store = InMemoryStore(agents=[Agent(id="a1"), Agent(id="a2")])
    router = _router(store, ManualClock(T0))
    for agent in ("a1", "a2"):
        router.set_online(agent, online=True, actor=agent)
    router.route(Ticket(id="t0", channel="email", created_at=T0))  # the caches warm
    router.reply("t0", actor="a1")
    ticket = Ticket(id="t1", channel="email", created_at=T0)
    routed = calls_of(lambda: router.route(ticket))
    replied = calls_of(lambda: router.reply("t1", actor="a2"))
    assert router.ticket("t1").assignee == "a2"
    assert [r.action for r in router.history("t1")] == ["routed", "replied"]
    assert routed <= ROUTE_BUDGET, routed
    assert replied <= REPLY_BUDGET, replied
