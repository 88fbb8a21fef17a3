"""Events recorded under a profile id count for the ticket of that id even when the
customer data holds no profile by it (an AI agent records Escalated under a visitor's
id before anyone stores a profile: docs/events.md's own example)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

import helpdesk_routing as hr
from helpdesk_routing import events
from helpdesk_routing.conditions import event
from helpdesk_routing.model import Event
from tests.adapters import CustomerDataFactory

NOW = datetime(2026, 3, 30, 10, tzinfo=UTC)
ESCALATED = "Conversation with Customer Agent Escalated"


def _router(data: object) -> hr.Router:
    rules = [
        hr.RoutingRule(
            id="esc",
            when=event(ESCALATED).at_least(1).in_last(days=7),
            then=hr.AssignToTeam(team="care"),
        ),
        hr.RoutingRule(
            id="calm",
            when=event(ESCALATED).zero().in_last(days=7),
            then=hr.SaveAsView(view="calm"),
        ),
    ]
    return hr.Router(
        rules=hr.RuleSet(rules=rules),
        teams=[hr.Team(id="care", members=["a1"])],
        store=hr.InMemoryStore(agents=[hr.Agent(id="a1")]),
        customer_data=data,  # type: ignore[arg-type]
        clock=hr.ManualClock(NOW + timedelta(days=1)),
    )


def _ticket(tid: str, profile_id: str | None) -> hr.Ticket:
    return hr.Ticket(
        id=tid, channel="email", profile_id=profile_id, created_at=NOW + timedelta(days=1)
    )


def test_the_doc_example_routes_the_escalated_customer(
    request: pytest.FixtureRequest, customer_data_factory: CustomerDataFactory
) -> None:
    data = customer_data_factory(request, [], [])
    escalated = events.ConversationEscalated(
        conversation_id="c1", channel="webchat", tag="refund", reason="knowledge_gap"
    )
    assert events.record(escalated, data, profile_id="p1", at=NOW) is True
    assert data.profile("p1") is None
    router = _router(data)
    decision = router.route(_ticket("t1", "p1"))
    assert decision.team == "care"
    assert decision.views == ()
    text = decision.explain()
    assert "found at least 1 in [" in text
    # another unknown id has no events: the zero test holds, said as before
    other = router.route(_ticket("t2", "p2"))
    assert other.team is None
    assert other.views == ("calm",)
    assert "no profile: 0 events" in other.explain()
    # no profile id at all: no events, whatever is recorded
    none = router.route(_ticket("t3", None))
    assert none.team is None
    assert none.views == ("calm",)


def test_decide_counts_them_too(
    request: pytest.FixtureRequest, customer_data_factory: CustomerDataFactory
) -> None:
    data = customer_data_factory(
        request,
        [],
        [Event(profile_id="p1", metric=ESCALATED, timestamp=NOW - timedelta(days=1))],
    )
    rules = hr.RuleSet(
        rules=[
            hr.RoutingRule(
                id="esc",
                when=event(ESCALATED).at_least(1).in_last(days=7),
                then=hr.SaveAsView(view="escalated"),
            )
        ]
    )
    decided = hr.decide(rules, [], _ticket("t1", "p1"), data, NOW)
    assert decided.views == ("escalated",)
    assert hr.decide(rules, [], _ticket("t2", "p2"), data, NOW).views == ()


def test_a_visitor_known_by_e_mail_alone_counts_the_events_under_the_address(
    request: pytest.FixtureRequest, customer_data_factory: CustomerDataFactory
) -> None:
    """The handoff records Escalated under the visitor's address when it knows no
    profile id (docs/handoff.md); the visitor's next ticket, with that address and no
    profile id, counts them."""
    data = customer_data_factory(request, [], [])
    escalated = events.ConversationEscalated(
        conversation_id="c1", channel="webchat", tag="refund", reason="knowledge_gap"
    )
    assert events.record(escalated, data, profile_id="ann@example.com", at=NOW) is True
    router = _router(data)
    mail = hr.Ticket(
        id="t1", channel="email", email="ann@example.com", created_at=NOW + timedelta(days=1)
    )
    assert router.route(mail).team == "care"
    # a profile id, when the ticket has one, is who the customer is
    both = hr.Ticket(
        id="t2",
        channel="email",
        profile_id="p9",
        email="ann@example.com",
        created_at=NOW + timedelta(days=1),
    )
    assert router.route(both).team is None


def test_an_uncounted_test_never_says_no_events(
    request: pytest.FixtureRequest, customer_data_factory: CustomerDataFactory
) -> None:
    """ "no profile: 0 events" is said only of a count made that found none: a test that
    counts nothing (``at_least(0)``, a window that starts after now) says so instead."""
    data = customer_data_factory(
        request, [], [Event(profile_id="p1", metric=ESCALATED, timestamp=NOW)]
    )
    rules = hr.RuleSet(
        rules=[
            hr.RoutingRule(
                id="any", when=event(ESCALATED).at_least(0), then=hr.SaveAsView(view="any")
            ),
            hr.RoutingRule(
                id="later",
                when=event(ESCALATED).at_least(1).after(NOW + timedelta(days=3)),
                then=hr.SaveAsView(view="later"),
            ),
        ]
    )
    text = hr.decide(rules, [], _ticket("t1", "p1"), data, NOW).explain()
    assert "no profile: 0 events" not in text
    assert "any number of events passes: not counted" in text
    assert "the window counts no instant yet" in text
    bare = hr.decide(rules, [], _ticket("t2", None), data, NOW).explain()
    assert "any number of events passes: not counted" in bare
