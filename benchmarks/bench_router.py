"""How fast the default Router routes tickets, against a bare hand-written router.

The Router is built as a new user builds it -- ``hr.Router(...)`` with no knobs, so every
decision keeps what its full rule-by-rule explanation needs. In the same run a bare
Python router does the same job: the same rules as lambdas in a first-match loop (views
accumulate; the first team rule that matches wins, and once a team is chosen no later
team rule is tested, while view rules still are), round robin over plain lists of
Online members, one dict per ticket stored. The script checks that both make the same
decisions (team, deciding rule, views, assignee) on every ticket. Both route the same tickets at 1,000 agents (half Online,
20 teams, always open) through 10, 100 and 1,000 rules: a fifth send a topic tag to a
team, the rest test profile properties and channels and rarely match.

Prints tickets per second of both and the ratio (targets: the Router reaches >= 10% of
the bare loop at 100 rules and >= 50% at 1,000); the memory kept per stored ticket at
100 rules (tracemalloc; target <= 3 KB, met or not met), counting everything the store
keeps for a ticket, the ``Ticket`` included: each ticket is parsed from its JSON inside
the traced window (``Ticket.model_validate_json``), as a service parsing a request
would, so that only the store holds it; the memory a decision from ``decide()`` holds
at 100 rules (tracemalloc, explained as by default; the ticket it decided is built
beforehand and not counted); the time to render ``decision.explain()`` of one decision
at 100 rules (target <= 1 ms), and tickets per second at 10 to 10,000 agents (target:
10,000 agents under 1.5x the time per ticket of 100). Each rate is the best of
``--repeat`` runs.

    python benchmarks/bench_router.py [--quick] [--json FILE] [--repeat N]

``--json FILE`` writes a flat JSON object name -> number; ``--quick`` is a smoke run.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import helpdesk_routing as hr
from helpdesk_routing.conditions import profile, ticket

START = datetime(2026, 3, 30, 9, tzinfo=UTC)
TEAMS = 20
RULE_COUNTS = (10, 100, 1_000)
AGENT_COUNTS = (10, 100, 1_000, 10_000)
CHANNELS = ("email", "sms", "webchat", "social")
COUNTRIES = [f"C{i}" for i in range(30)]
PROFILES = 1_000

Spec = tuple[str, int]
"""One rule: ("topic", i) sends tag topic<i> to a team; ("rare", i) rarely matches."""

BareRule = tuple[str, str, bool, Callable[[hr.Ticket, dict[str, Any]], bool]]
"""(id, team or view, is a team rule, predicate over the ticket and profile properties)."""


def specs(count: int) -> list[Spec]:
    """``count`` rules: a fifth are topic -> team rules, the rest rarely match."""
    topics = max(1, count // 5)
    return [("topic", i) for i in range(topics)] + [("rare", i) for i in range(count - topics)]


def ruleset(rules: list[Spec]) -> hr.RuleSet:
    """The rules for the Router."""
    out = []
    for kind, i in rules:
        if kind == "topic":
            when: Any = ticket("tags").contains(f"topic{i}")
            then: Any = hr.AssignToTeam(team=f"team{i % TEAMS}")
        elif i % 2:
            when = (profile("$country") == f"X{i}") & (ticket("channel") == CHANNELS[i % 4])
            then = hr.AssignToTeam(team=f"team{i % TEAMS}")
        else:
            when = (ticket("channel") == "fax") | (profile("churn_risk") == f"level{i}")
            then = hr.SaveAsView(view=f"view{i}")
        out.append(hr.RoutingRule(id=f"{kind}{i}", name=f"{kind} {i}", when=when, then=then))
    return hr.RuleSet(rules=out)


def bare_rules(rules: list[Spec]) -> list[BareRule]:
    """The same rules as lambdas."""
    out: list[BareRule] = []
    for kind, i in rules:
        if kind == "topic":
            tag = f"topic{i}"
            out.append((f"topic{i}", f"team{i % TEAMS}", True, lambda t, p, tag=tag: tag in t.tags))
        elif i % 2:
            country, channel = f"X{i}", CHANNELS[i % 4]
            out.append(
                (
                    f"rare{i}",
                    f"team{i % TEAMS}",
                    True,
                    lambda t, p, c=country, ch=channel: p.get("$country") == c and t.channel == ch,
                )
            )
        else:
            level = f"level{i}"
            out.append(
                (
                    f"rare{i}",
                    f"view{i}",
                    False,
                    lambda t, p, lv=level: t.channel == "fax" or p.get("churn_risk") == lv,
                )
            )
    return out


def make_tickets(count: int, topics: int) -> list[hr.Ticket]:
    """Tickets one second apart; about half carry a topic a team rule routes."""
    rng = random.Random(7)
    return [
        hr.Ticket(
            id=f"t{n}",
            channel=rng.choice(CHANNELS),
            created_at=START + timedelta(seconds=n),
            tags=frozenset({f"topic{rng.randrange(2 * topics)}"}),
            profile_id=f"p{rng.randrange(PROFILES)}",
        )
        for n in range(count)
    ]


def _profiles() -> list[hr.Profile]:
    return [
        hr.Profile(id=f"p{i}", properties={"$country": COUNTRIES[i % 30], "churn_risk": "low"})
        for i in range(PROFILES)
    ]


def _agents(count: int) -> tuple[list[hr.Agent], list[str]]:
    agents = [hr.Agent(id=f"a{i:05d}") for i in range(count)]
    online = sorted(a.id for a in random.Random(count).sample(agents, count // 2))
    return agents, online


def _teams(agents: list[hr.Agent]) -> list[hr.Team]:
    return [
        hr.Team(id=f"team{k}", members=tuple(a.id for a in agents[k::TEAMS]) or (agents[0].id,))
        for k in range(TEAMS)
    ]


def build(agent_count: int, rules: hr.RuleSet) -> tuple[hr.Router, hr.ManualClock]:
    """The default Router over a fresh in-memory store; half of the agents Online."""
    agents, online = _agents(agent_count)
    clock = hr.ManualClock(START)
    router = hr.Router(
        rules=rules,
        teams=_teams(agents),
        store=hr.InMemoryStore(agents=agents),
        customer_data=hr.InMemoryCustomerData(profiles=_profiles(), events=[]),
        clock=clock,
    )
    for agent in online:
        router.set_online(agent, True, actor=agent)
    return router, clock


def _timed(run: Callable[[], None], count: int) -> float:
    # The prepared tickets are the benchmark's: keep the collector from walking them
    # again and again. What routing stores stays collectable.
    gc.collect()
    gc.freeze()
    try:
        began = time.perf_counter()
        run()
        elapsed = time.perf_counter() - began
    finally:
        gc.unfreeze()
    return count / elapsed


def router_rate(agent_count: int, rules: hr.RuleSet, tickets: list[hr.Ticket]) -> float:
    """Tickets per second through the default Router."""
    router, clock = build(agent_count, rules)
    step = timedelta(seconds=1)

    def run() -> None:
        for t in tickets:
            clock.advance(step)
            router.route(t)

    return _timed(run, len(tickets))


def bare_rate(
    agent_count: int, rules: list[BareRule], tickets: list[hr.Ticket]
) -> tuple[float, dict[str, dict[str, Any]]]:
    """Tickets per second through the bare router, and what it stored: a first-match loop
    (every view rule tested, team rules only until one matched), round robin over plain
    lists of Online members, one dict per ticket."""
    agents, online = _agents(agent_count)
    online_set = set(online)
    pools: dict[str | None, list[str]] = {None: list(online)}
    for team in _teams(agents):
        pools[team.id] = [m for m in team.members if m in online_set]
    turn: dict[str | None, int] = dict.fromkeys(pools, 0)
    properties = {p.id: p.properties for p in _profiles()}
    stored: dict[str, dict[str, Any]] = {}
    empty: dict[str, Any] = {}

    def run() -> None:
        for t in tickets:
            props = properties.get(t.profile_id or "", empty)
            team: str | None = None
            rule_id: str | None = None
            views: list[str] = []
            for rid, target, is_team, test in rules:
                if is_team:
                    if team is None and test(t, props):
                        team, rule_id = target, rid
                elif test(t, props):
                    views.append(target)
            members = pools[team]
            assignee = None
            if members:
                i = turn[team]
                assignee = members[i % len(members)]
                turn[team] = i + 1
            stored[t.id] = {
                "id": t.id,
                "team": team,
                "views": views,
                "rule": rule_id,
                "assignee": assignee,
            }

    return _timed(run, len(tickets)), stored


Decided = tuple[str | None, str | None, tuple[str, ...], str | None]
"""(team, deciding rule, views, assignee) of one ticket."""


def router_decisions(
    agent_count: int, rules: hr.RuleSet, tickets: list[hr.Ticket]
) -> list[Decided]:
    """What the default Router decides for each ticket (untimed)."""
    router, clock = build(agent_count, rules)
    step = timedelta(seconds=1)
    out: list[Decided] = []
    for t in tickets:
        clock.advance(step)
        d = router.route(t)
        out.append((d.team, d.rule_id, tuple(d.views), d.assignee))
    return out


def bare_decisions(stored: dict[str, dict[str, Any]], tickets: list[hr.Ticket]) -> list[Decided]:
    """What the bare loop stored for each ticket, in the same shape."""
    out: list[Decided] = []
    for t in tickets:
        row = stored[t.id]
        out.append((row["team"], row["rule"], tuple(row["views"]), row["assignee"]))
    return out


def memory_per_ticket(rules: hr.RuleSet, tickets: list[hr.Ticket]) -> float:
    """Bytes kept per stored ticket (tracemalloc), after a warm-up half: everything the
    store keeps for a ticket, its ``Ticket`` included. Each ticket of the measured half
    is parsed from its JSON inside the traced window, as a service parsing a request
    would, and only the store keeps it."""
    router, clock = build(1_000, rules)
    half = len(tickets) // 2
    step = timedelta(seconds=1)
    for t in tickets[:half]:
        clock.advance(step)
        router.route(t)
    payloads = [t.model_dump_json() for t in tickets[half:]]  # the requests' bodies
    parse = hr.Ticket.model_validate_json
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for payload in payloads:
        clock.advance(step)
        router.route(parse(payload))
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return (after - before) / len(payloads)


def memory_per_decision(rules: hr.RuleSet, tickets: list[hr.Ticket]) -> float:
    """Bytes a decision from ``decide()`` holds (tracemalloc), explained as by default,
    at 1,000 agents' 20 teams: the decisions of ``tickets`` are kept in a list inside the
    traced window, after a warm-up; the tickets are built beforehand and not counted."""
    agents, _online = _agents(1_000)
    teams = tuple(_teams(agents))
    data = hr.InMemoryCustomerData(profiles=_profiles(), events=[])
    for t in tickets[:100]:
        hr.decide(rules, teams, t, data, t.created_at)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    kept = [hr.decide(rules, teams, t, data, t.created_at) for t in tickets]
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del kept
    return (after - before) / len(tickets)


def explain_ms(rules: hr.RuleSet, tickets: list[hr.Ticket], times: int) -> float:
    """Milliseconds to render ``decision.explain()`` of one stored decision."""
    router, clock = build(1_000, rules)
    decisions = []
    for t in tickets[:50]:
        clock.advance(timedelta(seconds=1))
        decisions.append(router.route(t))
    best = float("inf")
    for _ in range(3):
        began = time.perf_counter()
        for n in range(times):
            decisions[n % len(decisions)].explain()
        best = min(best, (time.perf_counter() - began) / times)
    return best * 1000


def main() -> None:
    """Run the benchmark and print the tables (and write JSON when asked)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tiny smoke run")
    parser.add_argument("--json", type=Path, help="write name -> number as JSON here")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (best kept)")
    args = parser.parse_args()
    count = 1_000 if args.quick else 10_000
    repeat = 1 if args.quick else max(1, args.repeat)
    results: dict[str, float] = {}

    print(f"default Router vs a bare loop: {count:,} tickets, 1,000 agents, half Online")
    print(f"{'rules':>6}  {'Router/s':>10}  {'bare/s':>10}  {'ratio':>7}")
    for n in RULE_COUNTS:
        rules = specs(n)
        tickets = make_tickets(count, max(1, n // 5))
        ours = max(router_rate(1_000, ruleset(rules), tickets) for _ in range(repeat))
        bare = 0.0
        for _ in range(repeat):
            rate, stored = bare_rate(1_000, bare_rules(rules), tickets)
            bare = max(bare, rate)
        got = router_decisions(1_000, ruleset(rules), tickets)
        same = sum(a == b for a, b in zip(got, bare_decisions(stored, tickets), strict=True))
        if same != len(tickets):
            raise SystemExit(
                f"{n} rules: the bare loop decided {len(tickets) - same:,} of {len(tickets):,}"
                " tickets differently from the Router (team, rule, views or assignee)"
            )
        results[f"router_tickets_per_s_{n}_rules"] = round(ours, 1)
        results[f"bare_tickets_per_s_{n}_rules"] = round(bare, 1)
        results[f"router_vs_bare_{n}_rules"] = round(ours / bare, 4)
        print(f"{n:>6,}  {ours:>10,.0f}  {bare:>10,.0f}  {ours / bare:>7.1%}")
    print("targets: >= 10% at 100 rules, >= 50% at 1,000 rules")
    print("(the same decisions -- team, rule, views, assignee -- on every ticket, checked)")

    rules100 = ruleset(specs(100))
    tickets100 = make_tickets(count, 20)
    kept = memory_per_ticket(rules100, tickets100[: max(1_000, count // 4)])
    results["bytes_per_stored_ticket_100_rules"] = round(kept)
    print(
        f"memory per stored ticket at 100 rules, its Ticket parsed from JSON in the traced"
        f" window: {kept:,.0f} B (target <= 3,072: {'met' if kept <= 3_072 else 'not met'})"
    )
    held = memory_per_decision(rules100, tickets100[: max(1_000, count // 4)])
    results["bytes_per_decide_decision_100_rules"] = round(held)
    print(f"memory a decision from decide() holds at 100 rules (explained): {held:,.0f} B")
    render = explain_ms(rules100, tickets100, 200 if args.quick else 2_000)
    results["explain_ms_100_rules"] = round(render, 4)
    print(f"decision.explain() at 100 rules: {render:.3f} ms (target <= 1 ms)")

    print(f"\n{'agents':>8}  {'tickets/s':>12}   (100 rules, default Router)")
    per_agents = count // 2
    for n in AGENT_COUNTS:
        rate = max(router_rate(n, rules100, tickets100[:per_agents]) for _ in range(repeat))
        results[f"route_tickets_per_s_{n}_agents"] = round(rate, 1)
        print(f"{n:>8,}  {rate:>12,.0f}")
    slowdown = (
        results["route_tickets_per_s_100_agents"] / results["route_tickets_per_s_10000_agents"]
    )
    results["slowdown_10000_vs_100_agents"] = round(slowdown, 3)
    print(f"10,000 vs 100 agents: {slowdown:.2f}x the time per ticket (target < 1.5x)")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
