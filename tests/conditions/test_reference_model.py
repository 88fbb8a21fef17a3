"""The library agrees with the JSON reference model (:mod:`tests.conditions.json_reference`)
on random condition JSON, fluent conditions, rule sets, data and moments of decision:
the compiled predicate, its explanation, the JSON round trip, the rule index and
``decide`` / ``Router.route`` against evaluating every rule in order."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic_core import to_jsonable_python

from helpdesk_routing.clock import ManualClock
from helpdesk_routing.conditions import (
    Condition,
    ConditionTrace,
    EvaluationContext,
    all_of,
    any_of,
    compile_condition,
    event,
    not_,
    parse_condition,
    profile,
    segment,
    ticket,
)
from helpdesk_routing.decision import RoutingDecision, RuleOutcome
from helpdesk_routing.model import Agent, Event, Profile, Team, Ticket
from helpdesk_routing.router import Router
from helpdesk_routing.rules import RuleSet, decide
from helpdesk_routing.stores.memory import InMemoryStore
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData
from helpdesk_routing.stores.sqlite.customer_data import SqliteCustomerData
from tests.conditions import json_reference as ref
from tests.conditions import json_strategies as js

# More examples while hunting: HR_REFERENCE_SCALE=50 pytest tests/conditions/test_reference_model.py
_SCALE = int(os.environ.get("HR_REFERENCE_SCALE", "1"))


def _examples(n: int) -> Any:
    return settings(max_examples=n * _SCALE, deadline=None)


Drawn = tuple[datetime, Any, Ticket, Profile, list[Event]]


@st.composite
def scenarios(draw: st.DrawFn, *, empty_groups: bool = True) -> Drawn:
    """A moment of decision, a condition JSON and the data it reads, on one grid."""
    now = draw(js.moment_of_decision())
    grid = js.boundary_grid(now.astimezone(UTC))
    cond = draw(js.condition(grid, empty_groups=empty_groups))
    return now, cond, draw(js.ticket(grid)), draw(js.profile(grid)), draw(js.events(grid))


def _data(p: Profile, evs: Sequence[Event]) -> InMemoryCustomerData:
    return InMemoryCustomerData(profiles=[p], events=evs)


def _customer(t: Ticket, p: Profile) -> Profile | None:
    """The profile a ticket's conditions read (none without one, or for an unknown id)."""
    return p if t.profile_id == p.id else None


def _stored(p: Profile, evs: Sequence[Event]) -> tuple[Profile, list[Event]]:
    """The profile and events as a store keeps them (docs/stores.md: a date or date-time
    property is kept as its ISO text, a tuple or a set as a list)."""
    data = _data(p, evs)
    stored = data.profile(p.id)
    assert stored is not None
    return stored, [e for pid in sorted({e.profile_id for e in evs}) for e in data.events(pid)]


def _stored_ticket(t: Ticket) -> Ticket:
    """The ticket with its custom fields as a store keeps them (docs/conditions.md,
    "Custom values are read in their stored form": a date or date-time as its ISO text,
    a tuple or a set as a list), written with pydantic's own JSON form, not the
    library's: a ``date`` field's text is searched by ``contains``, as a stored one is."""
    if not t.fields:
        return t
    return t.model_copy(update={"fields": to_jsonable_python(t.fields)})


def _expected(cond: Any, t: Ticket, p: Profile, evs: Sequence[Event], now: datetime) -> bool:
    """The reference's verdict on the data as a store keeps it."""
    stored, history = _stored(p, evs)
    return ref.holds(cond, _stored_ticket(t), _customer(t, stored), history, now)


def _node_json(root: Any, path: str) -> Any:
    """The JSON of the node at a trace's ``path`` (``$.conditions[1].condition``)."""
    node = root
    for step in path.removeprefix("$").split(".")[1:]:
        if step.startswith("conditions["):
            node = node["conditions"][int(step[len("conditions[") : -1])]
        else:
            assert step == "condition", path
            node = node["condition"]
    return node


def _limit(count: Any) -> int:
    """docs/conditions.md, "Cost": how many events decide a count test."""
    if count["op"] == "zero":
        return 1
    return count["value"] if count["op"] == "at_least" else count["value"] + 1


def _event_reason(
    cond: Any, reason: str, t: Ticket, p: Profile, evs: Sequence[Event], now: datetime
) -> None:
    """An event leaf's reason names the number the reference counts (up to the limit)."""
    stored, history = _stored(p, evs)
    customer = _customer(t, stored)
    limit = _limit(cond["count"])
    if limit == 0:
        assert reason == "any number of events passes: not counted"
        return
    found = ref.matching_events(cond, customer, history, now, t.profile_id or t.email)
    if reason.startswith("found 0 (the window counts no instant"):
        # A window that starts after now: nothing to count, no interval to show.
        assert found == 0, (reason, found)
        return
    if customer is None and not found:
        assert reason == "no profile: 0 events"
        return
    n = min(found, limit)
    said = f"found at least {n} in " if n == limit else f"found {n} in "
    assert reason.startswith(said), (reason, n)


def _check_trace(
    trace: ConditionTrace, root: Any, t: Ticket, p: Profile, evs: Sequence[Event], now: datetime
) -> None:
    """Every node the evaluation reached shows the reference's verdict on that node (an
    event leaf the number it counts too)."""
    stack = [trace]
    while stack:
        node = stack.pop()
        if node.holds is not None:
            cond = _node_json(root, node.path)
            expected = _expected(cond, t, p, evs, now)
            assert node.holds is expected, (node.path, node.description, node.reason)
            if cond["type"] == "event":
                _event_reason(cond, node.reason, t, p, evs, now)
        stack.extend(node.children)


@pytest.mark.untraced  # repeats code smaller tests cover (conftest)
@_examples(200)
@given(scenarios())
def test_compiled_json_conditions_give_the_reference_verdict(drawn: Drawn) -> None:
    """A condition read from JSON (a dict, or text) holds exactly when the reference says,
    and its explanation shows that verdict at the root and the reference's at every node
    it reached."""
    now, cond, t, p, evs = drawn
    expected = _expected(cond, t, p, evs, now)
    ctx = EvaluationContext.load(t, _data(p, evs), now)
    node = parse_condition(cond)
    assert parse_condition(json.dumps(cond)) == node
    compiled = compile_condition(node)
    assert compiled(ctx) is expected
    trace = compiled.explain(ctx)
    assert trace.holds is expected
    _check_trace(trace, cond, t, p, evs, now)


def test_a_date_field_is_searched_as_its_stored_text() -> None:
    """A ``date`` in a ticket's custom fields is read as its ISO text, as a store gives
    it back, so ``contains`` searches that text; the reference reads the ticket as
    stored too (it read the ``date`` object, and hypothesis drew this now and then)."""
    now = datetime(2026, 3, 30, 9, tzinfo=UTC)
    t = Ticket(id="t1", channel="email", created_at=now, fields={"plan": date(1, 1, 1)})
    p = Profile(id="c1")
    for value, holds in (("", True), ("0001-01", True), ("1-1-1", False)):
        cond = {"type": "ticket", "field": "plan", "op": "contains", "value": value}
        ctx = EvaluationContext.load(t, _data(p, []), now)
        assert compile_condition(parse_condition(cond))(ctx) is holds
        assert _expected(cond, t, p, [], now) is holds


@_examples(100)
@given(scenarios())
def test_the_json_round_trip_keeps_the_condition_and_its_verdict(drawn: Drawn) -> None:
    """``parse_condition(node.model_dump_json()) == node``, and the condition read back
    holds exactly when the reference says the original does."""
    now, cond, t, p, evs = drawn
    node = parse_condition(cond)
    back = parse_condition(node.model_dump_json())
    assert back == node
    assert parse_condition(node.model_dump(mode="json")) == node
    ctx = EvaluationContext.load(t, _data(p, evs), now)
    assert compile_condition(back)(ctx) is _expected(cond, t, p, evs, now)


# -- the fluent builders ----------------------------------------------------------------

_SUFFIXES = {
    "equals": "eq",
    "not_equals": "ne",
    "greater_than": "gt",
    "greater_or_equal": "gte",
    "less_than": "lt",
    "less_or_equal": "lte",
    "contains": "contains",
    "not_contains": "not_contains",
    "starts_with": "startswith",
    "ends_with": "endswith",
    "in": "in",
    "not_in": "not_in",
    "between": "between",
    "before": "before",
    "after": "after",
}


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _test_value(op: str, x: Any) -> Any:
    """The Python value a builder takes for a JSON value (date-times as datetimes)."""
    if op in ("before", "after"):
        return _instant(x)
    if op == "between" and isinstance(x[0], str):
        return (_instant(x[0]), _instant(x[1]))
    return x


def _fluent_test(ref_: Any, op: str, x: Any, draw: st.DrawFn) -> Condition:
    x = _test_value(op, x)
    symbol = draw(st.booleans())
    if op == "equals":
        return ref_ == x if symbol else ref_.equals(x)  # type: ignore[no-any-return]
    if op == "not_equals":
        return ref_ != x if symbol else ref_.not_equals(x)  # type: ignore[no-any-return]
    ordering = {"greater_than": ">", "greater_or_equal": ">=", "less_than": "<"}
    if op in ordering or op == "less_or_equal":
        if op == "greater_than":
            return ref_ > x  # type: ignore[no-any-return]
        if op == "greater_or_equal":
            return ref_ >= x  # type: ignore[no-any-return]
        if op == "less_than":
            return ref_ < x  # type: ignore[no-any-return]
        return ref_ <= x  # type: ignore[no-any-return]
    if op == "in":
        return ref_.is_in(x)  # type: ignore[no-any-return]
    if op == "between":
        return ref_.between(*x)  # type: ignore[no-any-return]
    if op in ("in_last", "in_next"):
        return getattr(ref_, op)(**{x["unit"]: x["amount"]})  # type: ignore[no-any-return]
    if op in ("is_set", "is_not_set"):
        return getattr(ref_, op)()  # type: ignore[no-any-return]
    return getattr(ref_, op)(x)  # type: ignore[no-any-return]


def _fluent(cond: Any, draw: st.DrawFn) -> Condition:
    """The condition JSON written with the builders (groups with ``&``, ``|``, ``~`` or
    ``all_of``, ``any_of``, ``not_``, which flatten nested groups of one kind)."""
    kind = cond["type"]
    if kind in ("all", "any"):
        children = [_fluent(c, draw) for c in cond["conditions"]]
        if len(children) >= 2 and draw(st.booleans()):
            out = children[0]
            for c in children[1:]:
                out = (out & c) if kind == "all" else (out | c)
            return out
        return all_of(*children) if kind == "all" else any_of(*children)
    if kind == "not":
        inner = _fluent(cond["condition"], draw)
        return ~inner if draw(st.booleans()) else not_(inner)
    if kind == "ticket":
        return _fluent_test(ticket(cond["field"]), cond["op"], cond.get("value"), draw)
    if kind == "profile":
        return _fluent_test(profile(cond["property"]), cond["op"], cond.get("value"), draw)
    if kind == "segment":
        return segment(cond["segment"], member=cond["member"])
    e = event(cond["metric"])
    count = cond["count"]
    e = e.zero() if count["op"] == "zero" else getattr(e, count["op"])(count["value"])
    w = cond["window"]
    if w["type"] == "in_last":
        e = e.in_last(**{w["unit"]: w["amount"]})
    elif w["type"] in ("since", "after"):
        e = getattr(e, w["type"])(_instant(w["start"]))
    elif w["type"] == "before":
        e = e.before(_instant(w["end"]))
    elif w["type"] == "between":
        e = e.between(_instant(w["start"]), _instant(w["end"]))
    for f in cond["where"]:
        op, prop, x = f["op"], f["property"], f.get("value")
        if op in ("is_set", "is_not_set"):
            e = e.where(**{f"{prop}__is_set": op == "is_set"})
        elif op in _SUFFIXES and draw(st.booleans()):
            e = e.where(**{f"{prop}__{_SUFFIXES[op]}": _test_value(op, x)})
        else:
            e = e.where(prop, op, x)
    return e


@_examples(120)
@given(scenarios(), st.data())
def test_fluent_conditions_give_the_reference_verdict(drawn: Drawn, data: st.DataObject) -> None:
    """The same condition written with the builders holds exactly when the reference says;
    a leaf built fluently is the very node the JSON parses to."""
    now, cond, t, p, evs = drawn
    built = _fluent(cond, data.draw)
    if cond["type"] not in ("all", "any", "not"):
        assert built == parse_condition(cond)
    ctx = EvaluationContext.load(t, _data(p, evs), now)
    assert compile_condition(built)(ctx) is _expected(cond, t, p, evs, now)


# -- rule sets: decide and the rule index ---------------------------------------------

TEAMS = [
    Team(id="A", members=("a1",), tags=frozenset({"vip"})),
    Team(id="B", members=("b1",), segments=frozenset({"at-risk"})),
    Team(id="C", members=("c1",)),
]


@st.composite
def rule_sets(draw: st.DrawFn) -> tuple[datetime, list[Any], Ticket, Profile, list[Event]]:
    """A moment, a rule set's JSON (1 to 6 rules), and the data, on one grid."""
    now = draw(js.moment_of_decision())
    grid = js.boundary_grid(now.astimezone(UTC))
    rules = []
    for i in range(draw(st.integers(1, 6))):
        team = draw(st.booleans())
        then = (
            {"type": "assign_to_team", "team": draw(st.sampled_from(["A", "B", "C"]))}
            if team
            else {"type": "save_as_view", "view": draw(st.sampled_from(["v1", "v2"]))}
        )
        rules.append(
            {
                "id": f"r{i}",
                "enabled": draw(st.booleans()) or draw(st.booleans()),
                "when": draw(js.condition(grid, empty_groups=False)),
                "then": then,
            }
        )
    return now, rules, draw(js.ticket(grid)), draw(js.profile(grid)), draw(js.events(grid))


def _brute_force(
    rules: list[Any], t: Ticket, p: Profile, evs: Sequence[Event], now: datetime
) -> tuple[str | None, str | None, tuple[str, ...], dict[str, bool]]:
    """semantics.md, "Decision (evaluation order)", by evaluating every rule in order:
    (team, rule id, views, whether each enabled rule matched)."""
    team = rule_id = None
    views: list[str] = []
    matched = {}
    for rule in rules:
        if not rule["enabled"]:
            continue
        matched[rule["id"]] = holds = _expected(rule["when"], t, p, evs, now)
        if not holds:
            continue
        if rule["then"]["type"] == "save_as_view":
            if rule["then"]["view"] not in views:
                views.append(rule["then"]["view"])
        elif team is None:
            team, rule_id = rule["then"]["team"], rule["id"]
    if team is None:
        customer = _customer(t, p)
        segments = customer.segments if customer is not None else frozenset()
        for candidate in TEAMS:
            if candidate.tags & t.tags or candidate.segments & segments:
                team = candidate.id
                break
    return team, rule_id, tuple(views), matched


def _check_decision(
    decision: RoutingDecision, rules: RuleSet, expected: Any, explained: bool
) -> None:
    team, rule_id, views, matched = expected
    assert (decision.team, decision.rule_id, decision.views) == (team, rule_id, views)
    first_team = True
    for part in decision.rules:
        if part.outcome is RuleOutcome.DISABLED:
            assert part.rule_id not in matched
            continue
        if part.outcome is RuleOutcome.SKIPPED:
            # the index skipped it: it must be a rule that does not match
            assert matched[part.rule_id] is False, part.reason
            continue
        assert (part.outcome is not RuleOutcome.NOT_MATCHED) is matched[part.rule_id]
        if part.outcome is RuleOutcome.SHADOWED:
            assert not first_team
        if part.destination.startswith("team:") and part.outcome is RuleOutcome.APPLIED:
            first_team = False
        if explained:
            assert part.condition is not None
            assert part.condition.holds is matched[part.rule_id]
    if not explained:
        listed = {part.rule_id for part in decision.rules}
        assert listed <= {r for r, m in matched.items() if m}


@pytest.mark.untraced  # repeats code smaller tests cover (conftest)
@_examples(100)
@given(rule_sets(), st.booleans())
def test_decide_matches_evaluating_every_rule_in_order(
    drawn: tuple[datetime, list[Any], Ticket, Profile, list[Event]], explain: bool
) -> None:
    """``decide`` (which evaluates only the rules the index keeps) chooses the team, the
    rule and the views that evaluating every enabled rule in order with the reference
    chooses; every rule it skipped does not match; every explained verdict is the
    reference's; and the decision read back from JSON explains the same."""
    now, rules_json, t, p, evs = drawn
    rules = RuleSet.from_dict({"rules": rules_json})
    assert RuleSet.model_validate_json(rules.model_dump_json()) == rules
    assert RuleSet.from_json(rules.model_dump_json()) == rules
    expected = _brute_force(rules_json, t, p, evs, now)
    data = _data(p, evs)
    decision = decide(rules, TEAMS, t, data, now, explain=explain)
    _check_decision(decision, rules, expected, explain)
    # the same rules read back from JSON decide the same
    again = RuleSet.from_json(rules.model_dump_json())
    assert decide(again, TEAMS, t, data, now, explain=explain) == decision
    # a decision read back explains the same
    back = RoutingDecision.model_validate_json(decision.model_dump_json())
    assert back == decision
    assert back.with_rules(rules).rules == decision.rules
    assert back.with_rules(rules).explain() == decision.explain()


@pytest.mark.untraced  # repeats code smaller tests cover (conftest)
@_examples(60)
@given(rule_sets())
def test_router_route_matches_evaluating_every_rule_in_order(
    drawn: tuple[datetime, list[Any], Ticket, Profile, list[Event]],
) -> None:
    """``Router.route``, with the clock at the moment drawn, sends the ticket where
    evaluating every enabled rule in order with the reference does, and the stored
    decision explains it so."""
    now, rules_json, t, p, evs = drawn
    rules = RuleSet.from_dict({"rules": rules_json})
    agents = [Agent(id=a) for a in ("a1", "b1", "c1")]
    router = Router(
        store=InMemoryStore(agents=agents),
        customer_data=_data(p, evs),
        clock=ManualClock(now),
        rules=rules,
        teams=TEAMS,
    )
    decision = router.route(t)
    _check_decision(decision, rules, _brute_force(rules_json, t, p, evs, now), True)
    assert router.route(t) == decision


@_examples(60)
@given(scenarios())
def test_sqlite_customer_data_gives_the_reference_verdict(drawn: Drawn) -> None:
    """With the profile and events in SQLite (whose count pushes the filters it can into
    SQL), a condition holds exactly when the reference says."""
    now, cond, t, p, evs = drawn
    with SqliteCustomerData(":memory:", profiles=[p], events=evs) as data:
        ctx = EvaluationContext.load(t, data, now)
        assert compile_condition(parse_condition(cond))(ctx) is _expected(cond, t, p, evs, now)
