"""A Router's cache of compiled versions keeps the newest few (docs/configuration.md: "a
small cache keyed by version"); the compiled rules live on the rule set, which the
in-memory store keeps for ever, so every version ever compiled kept its compiled rules
(about 70 KB for 10 rules, a version): a version the cache lets go drops them."""

from __future__ import annotations

from datetime import UTC, datetime

import helpdesk_routing as hr
from helpdesk_routing.conditions import ticket
from helpdesk_routing.rules import decide

NOW = datetime(2026, 1, 5, 9, tzinfo=UTC)


def _rules(k: int) -> hr.RuleSet:
    return hr.RuleSet(
        rules=[
            hr.RoutingRule(
                id=f"r{k}-{j}",
                name="r",
                when=ticket("tags").contains(f"x{k}-{j}"),
                then=hr.AssignToTeam(team="a"),
            )
            for j in range(3)
        ]
    )


def _compiled(store: hr.InMemoryStore, versions: range) -> list[int]:
    """The stored versions whose rule set holds its compiled rules."""
    with store.read() as tx:
        return [
            v
            for v in versions
            if (tx.configuration(v).rules.__pydantic_private__ or {}).get("_prepared")
        ]


def test_the_stored_versions_keep_no_more_compiled_rules_than_the_cache() -> None:
    store = hr.InMemoryStore(agents=[hr.Agent(id="m1", role="manager"), hr.Agent(id="a1")])
    router = hr.Router(
        rules=_rules(0),
        teams=[hr.Team(id="a", name="A", members=["a1"])],
        store=store,
        customer_data=hr.InMemoryCustomerData(),
        clock=hr.ManualClock(NOW),
    )
    given = []
    for k in range(1, 31):
        given.append(_rules(k))
        router.configure(actor="m1", rules=given[-1])
        decision = router.route(
            hr.Ticket(id=f"t{k}", channel="sms", created_at=NOW, tags={f"x{k}-1"})
        )
        assert decision.rule_id == f"r{k}-1"
    versions = range(1, router.configuration.version + 1)
    assert _compiled(store, versions) == list(versions)[-8:]
    # an old version read again (a ticket it decided) is compiled again, and right
    first = router.ticket("t1")
    assert first.decision is not None
    assert first.decision.rule_id == "r1-1"
    # a rule set the cache let go still decides, compiled again on its first use
    old = given[0]
    late = hr.Ticket(id="x", channel="sms", created_at=NOW, tags={"x1-2"})
    teams = [hr.Team(id="a", name="A", members=["a1"])]
    assert decide(old, teams, late, hr.InMemoryCustomerData(), NOW).rule_id == "r1-2"
