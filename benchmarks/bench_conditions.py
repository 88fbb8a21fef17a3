"""How fast compiled conditions evaluate, against a hand-written lambda and two engines.

On the same 100,000 generated tickets (each with its customer profile, 5% without
one), it evaluates the condition

    channel == 'sms' and 'Order' in tags and $country == 'France' and churn_risk == 'High'

in three variants -- AND (most tickets fail at the first test), OR (most pass at
the first), and "every predicate runs" (an OR of four tests that never hold) -- as

- a hand-written Python lambda over the evaluation context,
- our compiled condition (``compile_condition``),
- ``rule-engine`` and ``panzi-json-logic`` (the ``bench`` extra) on plain dicts
  prepared beforehand (their preparation is not timed).

It prints evaluations per second and the ratios (targets: ours >= 50% of the
lambda, >= 10x the faster engine), the CPU time to validate (``parse_condition``
of the JSON dict) and compile a 20-predicate rule (target <= 50 µs, met or not met), and the time
``rules.decide(...)`` takes to route one ticket through 10, 100 and
1,000 rules, explained as the Router's default and with ``explain=False`` (target:
well under a millisecond at 1,000). Last, 100 keyword rules (``subject contains
'keyword-i'``) decide a ticket whose subject holds none of the keywords, and one that
holds one: through the rule index, which files each text under one of its grams, and
against the same rules written so that no index can key them (``not_(not_(...))``,
which holds exactly when the condition does), in the same run. Each evaluation rate is
the best of three passes; the all-predicates-run variant is the worst case for us
(every leaf is a function call, where the lambda inlines them).

    python benchmarks/bench_conditions.py [--quick] [--json FILE]

``--json FILE`` writes a flat JSON object name -> number; ``--quick`` is a smoke run.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

try:
    import rule_engine  # type: ignore[import-untyped]
    from json_logic import jsonLogic  # type: ignore[import-untyped]
except ImportError as missing:  # pragma: no cover - depends on the environment
    raise SystemExit(
        f"bench_conditions needs the 'bench' extra ({missing.name} is missing): "
        "pip install 'helpdesk-routing[bench]'"
    ) from None

from helpdesk_routing.conditions import (
    Condition,
    EvaluationContext,
    all_of,
    any_of,
    compile_condition,
    parse_condition,
    profile,
    ticket,
)
from helpdesk_routing.model import Event, Profile, Team, Ticket
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData

NOW = datetime(2026, 3, 30, 12, tzinfo=UTC)
CHANNELS = ("email", "sms", "webchat", "social")
TAGS = ("Order", "Return", "Billing", "Shipping")
COUNTRIES = ("France", "Spain", "Germany", "Italy")
RISKS = ("High", "Medium", "Low")


def make_data(count: int) -> tuple[list[EvaluationContext], list[dict[str, Any]]]:
    """``count`` tickets as evaluation contexts, and the same data as engine dicts."""
    rng = random.Random(2026)
    profiles: list[Profile] = []
    contexts: list[EvaluationContext] = []
    dicts: list[dict[str, Any]] = []
    data = InMemoryCustomerData()
    for n in range(count):
        tags = frozenset(t for t in TAGS if rng.random() < 0.3)
        has_profile = rng.random() >= 0.05
        props = (
            {"$country": rng.choice(COUNTRIES), "churn_risk": rng.choice(RISKS)}
            if has_profile
            else {}
        )
        t = Ticket(
            id=f"t{n}",
            channel=rng.choice(CHANNELS),
            created_at=NOW,
            tags=tags,
            profile_id=f"p{n}" if has_profile else None,
        )
        p = Profile(id=f"p{n}", properties=props) if has_profile else None
        if p is not None:
            profiles.append(p)
        contexts.append(EvaluationContext(ticket=t, profile=p, customer_data=data, now=NOW))
        dicts.append(
            {
                "channel": t.channel,
                "tags": sorted(tags),
                "country": props.get("$country"),
                "churn_risk": props.get("churn_risk"),
            }
        )
    return contexts, dicts


def _leaves(values: tuple[str, str, str, str]) -> list[Condition]:
    channel, tag, country, risk = values
    return [
        ticket("channel") == channel,
        ticket("tags").contains(tag),
        profile("$country") == country,
        profile("churn_risk") == risk,
    ]


MATCHING = ("sms", "Order", "France", "High")
NEVER = ("fax", "Nope", "Atlantis", "Unknown")


def variants() -> dict[str, dict[str, Any]]:
    """The three variants in every form: ours, the lambda, rule-engine, json-logic."""
    out: dict[str, dict[str, Any]] = {}
    for name, values, every in (
        ("and", MATCHING, True),
        ("or", MATCHING, False),
        ("all_run", NEVER, False),
    ):
        channel, tag, country, risk = values
        leaves = _leaves(values)
        cond: Condition = all_of(*leaves) if every else any_of(*leaves)
        joiner = " and " if every else " or "
        text = joiner.join(
            [
                f"channel == '{channel}'",
                f"'{tag}' in tags",
                f"country == '{country}'",
                f"churn_risk == '{risk}'",
            ]
        )
        logic = {
            ("and" if every else "or"): [
                {"==": [{"var": "channel"}, channel]},
                {"in": [tag, {"var": "tags"}]},
                {"==": [{"var": "country"}, country]},
                {"==": [{"var": "churn_risk"}, risk]},
            ]
        }
        hand: Callable[[EvaluationContext], bool]
        if every:

            def hand(c: EvaluationContext, v: tuple[str, ...] = values) -> bool:
                return (
                    c.ticket.channel == v[0]
                    and v[1] in c.ticket.tags
                    and c.properties.get("$country") == v[2]
                    and c.properties.get("churn_risk") == v[3]
                )

        else:

            def hand(c: EvaluationContext, v: tuple[str, ...] = values) -> bool:
                return (
                    c.ticket.channel == v[0]
                    or v[1] in c.ticket.tags
                    or c.properties.get("$country") == v[2]
                    or c.properties.get("churn_risk") == v[3]
                )

        engine = rule_engine.Rule(text, context=rule_engine.Context(default_value=None))
        out[name] = {
            "ours": compile_condition(cond),
            "hand": hand,
            "rule_engine": engine.matches,
            "json_logic": lambda d, logic=logic: bool(jsonLogic(logic, d)),
        }
    return out


def rate(function: Callable[[Any], Any], items: Sequence[Any], repeat: int = 3) -> float:
    """Evaluations per second: the best of ``repeat`` passes over ``items``."""
    best = float("inf")
    for _ in range(repeat):
        began = time.perf_counter()
        for item in items:
            function(item)
        best = min(best, time.perf_counter() - began)
    return len(items) / best


def twenty_predicate_rule() -> dict[str, Any]:
    """The JSON of a 20-predicate rule, with every kind of node."""
    leaves: list[dict[str, Any]] = []
    for i in range(5):
        leaves.append({"type": "ticket", "field": "channel", "op": "in", "value": ["sms", f"c{i}"]})
        leaves.append({"type": "ticket", "field": "tags", "op": "contains", "value": f"tag{i}"})
        leaves.append({"type": "profile", "property": f"prop{i}", "op": "greater_than", "value": i})
    for i in range(3):
        leaves.append({"type": "segment", "segment": f"seg{i}", "member": True})
    for i in range(2):
        leaves.append(
            {
                "type": "event",
                "metric": f"Metric {i}",
                "count": {"op": "at_least", "value": 2},
                "window": {"type": "in_last", "amount": 7, "unit": "days"},
                "where": [{"property": "value", "op": "greater_than", "value": 100}],
            }
        )
    return {
        "type": "all",
        "conditions": [
            {"type": "any", "conditions": leaves[:10]},
            {"type": "not", "condition": {"type": "any", "conditions": leaves[10:15]}},
            *leaves[15:],
        ],
    }


def per_call_us(function: Callable[[], Any], count: int) -> float:
    """Mean CPU microseconds per call, best of seven batches (CPU time, so that other
    processes on a busy machine do not count)."""
    best = float("inf")
    for _ in range(7):
        began = time.process_time()
        for _ in range(count):
            function()
        best = min(best, time.process_time() - began)
    return best / count * 1e6


def decision_times(
    rule_counts: Sequence[int], tickets: int, *, explain: bool = True
) -> dict[int, float]:
    """Mean µs for ``rules.decide`` (by default with explanation, as the Router decides)
    to route one ticket through N rules."""
    from helpdesk_routing.conditions import event
    from helpdesk_routing.rules import AssignToTeam, RoutingRule, RuleSet, SaveAsView, decide

    rng = random.Random(11)
    teams = [Team(id=f"team{k}", members=("a1",)) for k in range(10)]
    profiles = [
        Profile(
            id=f"p{i}",
            properties={"$country": rng.choice(COUNTRIES), "churn_risk": rng.choice(RISKS)},
        )
        for i in range(500)
    ]
    events = [
        Event(
            profile_id=f"p{rng.randrange(500)}",
            metric="Placed Order",
            timestamp=NOW - timedelta(minutes=rng.randrange(10_000)),
            properties={"value": rng.randrange(300)},
        )
        for _ in range(5_000)
    ]
    data = InMemoryCustomerData(profiles=profiles, events=events)
    sample = [
        Ticket(
            id=f"t{n}",
            channel=rng.choice(CHANNELS),
            created_at=NOW,
            tags=frozenset({f"topic{rng.randrange(50)}"}),
            profile_id=f"p{rng.randrange(500)}",
        )
        for n in range(tickets)
    ]
    out: dict[int, float] = {}
    for count in rule_counts:
        rules = []
        for i in range(count):
            kind = i % 4
            when: Condition
            if kind == 0:
                when = ticket("tags").contains(f"topic{i}")
            elif kind == 1:
                when = (ticket("channel") == CHANNELS[i % 4]) & (profile("$country") == f"X{i}")
            elif kind == 2:
                # Profile-only: no index can skip it, every ticket evaluates it.
                when = (profile("churn_risk") == f"level{i}") | (profile("ltv") > 10_000)
            else:
                when = (ticket("channel") == "fax") & event("Placed Order").in_last(hours=2)
            then: AssignToTeam | SaveAsView = (
                SaveAsView(view=f"view{i}") if i % 2 else AssignToTeam(team=f"team{i % 10}")
            )
            rules.append(RoutingRule(id=f"r{i}", name=f"Rule {i}", when=when, then=then))
        ruleset = RuleSet(rules=rules)
        for t in sample[:10]:  # compile and index outside the timing
            decide(ruleset, teams, t, data, NOW, explain=explain)
        best = float("inf")
        for _ in range(3):
            began = time.perf_counter()
            for t in sample:
                decide(ruleset, teams, t, data, NOW, explain=explain)
            best = min(best, time.perf_counter() - began)
        out[count] = best / len(sample) * 1e6
    return out


def keyword_decision_times(count: int) -> dict[str, float]:
    """Mean µs for ``rules.decide`` through 100 keyword rules: keyed by the rule index
    (``indexed``) and written so that no index can key them (``unindexed``), on a subject
    without keywords and one holding one, explained and not; best of five passes."""
    from helpdesk_routing.conditions import not_
    from helpdesk_routing.rules import RoutingRule, RuleSet, SaveAsView, decide

    data = InMemoryCustomerData()
    forms = {
        "indexed": RuleSet(
            rules=[
                RoutingRule(
                    id=f"k{i}",
                    when=ticket("subject").contains(f"keyword-{i}"),
                    then=SaveAsView(view="keyword"),
                )
                for i in range(100)
            ]
        ),
        "unindexed": RuleSet(
            rules=[
                RoutingRule(
                    id=f"k{i}",
                    when=not_(not_(ticket("subject").contains(f"keyword-{i}"))),
                    then=SaveAsView(view="keyword"),
                )
                for i in range(100)
            ]
        ),
    }
    subjects = {
        "without": "Where is my order #1234? It was due on Monday",
        "with_one": "Where is my order #1234? keyword-57",
    }
    out: dict[str, float] = {}
    for case, subject in subjects.items():
        t = Ticket(id="t", channel="email", created_at=NOW, subject=subject)
        for form, rules in forms.items():
            for explain in (True, False):
                views = decide(rules, [], t, data, NOW, explain=explain).views
                assert views == (("keyword",) if case == "with_one" else ())
                best = float("inf")
                for _ in range(5):
                    began = time.process_time()
                    for _ in range(count):
                        decide(rules, [], t, data, NOW, explain=explain)
                    best = min(best, time.process_time() - began)
                name = f"{case}_{form}" + ("" if explain else "_no_explain")
                out[name] = best / count * 1e6
    return out


def main() -> None:
    """Run the benchmark and print the table (and write JSON when asked)."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tiny smoke run")
    parser.add_argument("--json", type=Path, help="write name -> number as JSON here")
    args = parser.parse_args()

    count = 2_000 if args.quick else 100_000
    engine_count = count
    contexts, dicts = make_data(count)
    results: dict[str, float] = {}
    print(f"evaluating on {count:,} tickets ({engine_count:,} for the engines), best of 3")
    print(
        f"{'variant':<9}{'lambda/s':>13}{'ours/s':>13}{'rule-eng/s':>13}{'json-logic/s':>14}"
        f"{'ours/lambda':>13}{'ours/best eng':>15}"
    )
    for name, forms in variants().items():
        hand = rate(forms["hand"], contexts)
        ours = rate(forms["ours"], contexts)
        engine = rate(forms["rule_engine"], dicts[:engine_count])
        logic = rate(forms["json_logic"], dicts[:engine_count])
        # Same answers on the same data, or the comparison means nothing.
        for c, d in zip(contexts[:engine_count], dicts[:engine_count], strict=True):
            expected = forms["hand"](c)
            assert forms["ours"](c) == expected
            assert forms["rule_engine"](d) == expected
            assert forms["json_logic"](d) == expected
        vs_hand = ours / hand
        vs_engine = ours / max(engine, logic)
        results |= {
            f"{name}_lambda_per_s": round(hand),
            f"{name}_ours_per_s": round(ours),
            f"{name}_rule_engine_per_s": round(engine),
            f"{name}_json_logic_per_s": round(logic),
            f"{name}_ours_vs_lambda": round(vs_hand, 3),
            f"{name}_ours_vs_best_engine": round(vs_engine, 1),
        }
        print(
            f"{name:<9}{hand:>13,.0f}{ours:>13,.0f}{engine:>13,.0f}{logic:>14,.0f}"
            f"{vs_hand:>12.0%}{vs_engine:>14.1f}x"
        )

    rule = twenty_predicate_rule()
    parsed = parse_condition(rule)
    calls = 100 if args.quick else 500
    validate_us = per_call_us(lambda: parse_condition(rule), calls)
    compile_us = per_call_us(lambda: compile_condition(parsed), calls)
    both_us = per_call_us(lambda: compile_condition(parse_condition(rule)), calls)
    results |= {
        "rule20_validate_us": round(validate_us, 2),
        "rule20_compile_us": round(compile_us, 2),
        "rule20_validate_and_compile_us": round(both_us, 2),
    }
    print(
        f"20-predicate rule: validate {validate_us:.1f} µs + compile {compile_us:.1f} µs"
        f" = {both_us:.1f} µs CPU (target <= 50 µs: {'met' if both_us <= 50 else 'not met'})"
    )

    try:
        import helpdesk_routing.rules  # noqa: F401
    except ImportError:
        print("decision time: helpdesk_routing.rules is not available, skipped")
    else:
        sample = 200 if args.quick else 5_000
        full = decision_times((10, 100, 1_000), sample)
        slim = decision_times((10, 100, 1_000), sample, explain=False)
        for n, us in full.items():
            results[f"decide_{n}_rules_us"] = round(us, 2)
            results[f"decide_{n}_rules_no_explain_us"] = round(slim[n], 2)
            print(
                f"decide one ticket through {n:>5,} rules: {us:8.1f} µs explained "
                f"(the default), {slim[n]:8.1f} µs with explain=False"
            )

        for name, us in keyword_decision_times(20 if args.quick else 2_000).items():
            results[f"keywords_{name}_us"] = round(us, 2)
        print("decide one ticket through 100 keyword rules (subject contains 'keyword-i'):")
        for case in ("without", "with_one"):
            print(
                f"  subject {'holding one keyword' if case == 'with_one' else 'without keywords'}:"
                f" explained {results[f'keywords_{case}_indexed_us']:6.1f} µs through the"
                f" index, {results[f'keywords_{case}_unindexed_us']:6.1f} µs evaluating every"
                f" rule; explain=False {results[f'keywords_{case}_indexed_no_explain_us']:6.1f}"
                f" µs and {results[f'keywords_{case}_unindexed_no_explain_us']:6.1f} µs"
            )

    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
