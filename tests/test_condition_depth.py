"""One limit on condition nesting (MAX_CONDITION_DEPTH JSON levels), enforced at every entry
point with a ValidationError, never a RecursionError."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import helpdesk_routing as hr
from helpdesk_routing._json import MAX_DEPTH
from helpdesk_routing.conditions import (
    MAX_CONDITION_DEPTH,
    AllCondition,
    AnyCondition,
    NotCondition,
    all_of,
    any_of,
    compile_condition,
    event,
    nodes,
    not_,
    parse_condition,
    segment,
    ticket,
)
from helpdesk_routing.conditions._depth import node_too_deep, too_deep
from helpdesk_routing.errors import ValidationError

NOW = datetime(2026, 3, 30, 12, tzinfo=UTC)
LEAF: dict[str, Any] = {"type": "segment", "segment": "vip"}
EVENT_LEAF: dict[str, Any] = {"type": "event", "metric": "Placed Order"}


def _nots(count: int, leaf: dict[str, Any] = LEAF) -> dict[str, Any]:
    node = leaf
    for _ in range(count):
        node = {"type": "not", "condition": node}
    return node


def _alls(count: int, leaf: dict[str, Any] = LEAF) -> dict[str, Any]:
    node = leaf
    for _ in range(count):
        node = {"type": "all", "conditions": [LEAF, node]}
    return node


def _rule_set(when: Any) -> dict[str, Any]:
    then = {"type": "assign_to_team", "team": "t"}
    return {"rules": [{"id": "r1", "when": when, "then": then}]}


def _deep_built(count: int) -> NotCondition:
    """``count`` not nodes around a leaf, built as model_construct builds them (unchecked)."""
    node: Any = ticket("subject").contains("x")
    for _ in range(count):
        node = NotCondition.model_construct(condition=node)
    assert isinstance(node, NotCondition)
    return node


def _accepted(call: Any) -> bool:
    try:
        call()
    except ValidationError:
        return False
    return True


def test_the_limit_is_the_rule_set_documents_less_three_levels() -> None:
    """MAX_CONDITION_DEPTH is MAX_DEPTH less the document, its rules array and the rule."""
    assert MAX_CONDITION_DEPTH == MAX_DEPTH - 3 == 97
    assert hr.conditions.MAX_CONDITION_DEPTH is MAX_CONDITION_DEPTH


def test_builder_refuses_one_not_past_the_limit() -> None:
    """not_, ~ and NotCondition build 96 nots around a leaf (97 levels) and refuse the 97th,
    with the library's ValidationError at $ and a short message."""
    cond: Any = ticket("subject").contains("x")
    for _ in range(MAX_CONDITION_DEPTH - 1):
        cond = not_(cond)
    for build in (not_, lambda c: ~c, lambda c: NotCondition(condition=c)):
        with pytest.raises(ValidationError) as info:
            build(cond)
        (detail,) = info.value.details
        assert detail.path == "$"
        assert detail.code == "condition_depth"
        assert detail.message.startswith("nested deeper than 97 levels (level 98 at .condition")
        assert "steps left out)…" in detail.message
        assert len(detail.message) < 250


def _groups(count: int, last: str) -> Any:
    """``count`` alternating any/all groups around a leaf, the outermost one ``last``."""
    cond: Any = segment("vip")
    kinds = [all_of, any_of] if last == "all" else [any_of, all_of]
    for i in range(count):
        cond = kinds[(count - 1 - i) % 2](segment("a"), cond)
    return cond


def test_builder_refuses_groups_past_the_limit() -> None:
    """all_of, any_of, & and | refuse a group that would nest past the limit (two levels
    each: the object and its conditions array; a group of the same kind is flattened)."""
    count = (MAX_CONDITION_DEPTH - 1) // 2  # 48 groups and a leaf: 97 levels
    under_all, under_any = _groups(count, "all"), _groups(count, "any")
    assert isinstance(under_all, AllCondition)
    assert under_all.model_dump_json()  # accepted and writable
    assert (under_all & segment("b")).conditions[-1] == segment("b")  # flattened: no deeper
    for build, cond in (
        (lambda c: any_of(segment("b"), c), under_all),
        (lambda c: segment("b") | c, under_all),
        (lambda c: all_of(segment("b"), c), under_any),
        (lambda c: segment("b") & c, under_any),
    ):
        with pytest.raises(ValidationError, match="nested deeper than 97 levels"):
            build(cond)


def test_a_3000_deep_condition_is_a_validation_error_everywhere() -> None:
    """A condition 3000 levels deep (built unchecked) is refused by RoutingRule, RuleSet,
    compile_condition and Router with a ValidationError, never a RecursionError."""
    deep = _deep_built(3000)
    then = hr.AssignToTeam(team="t")
    with pytest.raises(ValidationError) as info:
        hr.RoutingRule(id="r1", when=deep, then=then)
    assert info.value.details[0].path == "$.when"
    assert info.value.details[0].code == "condition_depth"

    rule = hr.RoutingRule.model_construct(id="r1", name="", enabled=True, when=deep, then=then)
    with pytest.raises(ValidationError, match=r"rule 'r1': condition nested deeper") as built:
        hr.RuleSet(rules=[rule])
    assert built.value.paths == ("$.rules[0].when",)

    with pytest.raises(ValidationError) as info:
        compile_condition(deep)
    assert info.value.errors()[0]["code"] == "condition_depth"

    rules = hr.RuleSet.model_construct(rules=(rule,))
    team = hr.Team(id="t", name="T", members=["a1"])
    with pytest.raises(ValidationError, match="nested deeper than 97 levels"):
        hr.Router(
            rules=rules,
            teams=[team],
            store=hr.InMemoryStore(agents=[hr.Agent(id="a1", name="A", role="support")]),
            customer_data=hr.InMemoryCustomerData(),
            clock=hr.ManualClock(NOW),
        )


def test_the_check_does_not_recurse() -> None:
    """The depth check holds even when the caller's stack is nearly full."""

    def at_depth(frames: int) -> Any:
        if frames:
            return at_depth(frames - 1)
        return compile_condition(_deep_built(5000))

    # Counted from where the test runs: a pytest-xdist worker starts it deeper.
    depth, frame = 0, sys._getframe()
    while frame is not None:
        depth, frame = depth + 1, frame.f_back
    with pytest.raises(ValidationError):
        at_depth(sys.getrecursionlimit() - depth - 60)


def test_a_rule_set_at_the_limit_is_routed_and_round_trips() -> None:
    """A rule whose condition is 97 levels deep is built, stored, read back and evaluated."""
    cond = parse_condition(_nots(MAX_CONDITION_DEPTH - 1))
    rules = hr.RuleSet(rules=[hr.RoutingRule(id="r1", when=cond, then=hr.SaveAsView(view="v"))])
    assert hr.RuleSet.from_json(rules.model_dump_json()) == rules
    assert hr.RuleSet.model_validate_json(rules.model_dump_json()) == rules
    store = hr.SqliteStore(":memory:", agents=[hr.Agent(id="a1", name="A", role="support")])
    data = hr.InMemoryCustomerData(profiles=[hr.Profile(id="p1", segments={"vip"})])
    router = hr.Router(
        rules=rules, teams=[], store=store, customer_data=data, clock=hr.ManualClock(NOW)
    )
    again = hr.Router(store=store, customer_data=data, clock=hr.ManualClock(NOW))
    assert again.rules == rules
    decision = router.route(hr.Ticket(id="t1", channel="sms", profile_id="p1", created_at=NOW))
    # 96 nots: an even number, so the rule holds as "in segment vip" does.
    assert decision.views == ("v",)
    assert decision.explain()


def test_documents_holding_a_rule_set_read_back_a_condition_at_the_limit(
    tmp_path: Any,
) -> None:
    """A configuration (its rule set one level down) and a scenario (two levels) written
    as JSON read back with a condition of the greatest depth: the configuration the
    Router stored was refused as "nested deeper than 100 levels" by
    ``Configuration.model_validate_json``, ``Scenario.from_json`` and the CLI."""
    from helpdesk_routing import simulation as sim
    from helpdesk_routing._json import CONFIGURATION_DEPTH, SCENARIO_DEPTH
    from helpdesk_routing.cli import main

    cond = parse_condition(_nots(MAX_CONDITION_DEPTH - 1))
    rules = hr.RuleSet(rules=[hr.RoutingRule(id="r1", when=cond, then=hr.SaveAsView(view="v"))])
    store = hr.InMemoryStore(agents=[hr.Agent(id="a1")])
    router = hr.Router(
        rules=rules,
        teams=[],
        store=store,
        customer_data=hr.InMemoryCustomerData(),
        clock=hr.ManualClock(NOW),
    )
    conf = router.configuration
    text = conf.model_dump_json()
    assert hr.Configuration.model_validate_json(text) == conf
    path = tmp_path / "conf.json"
    path.write_text(text)
    assert main(["check", str(path)]) == 0
    scenario = sim.Scenario(
        arrivals=sim.PoissonArrivals(per_hour=1),
        agents=[sim.AgentSpec(id="a")],
        handling=sim.Exponential(mean_minutes=5),
        configuration=conf,
    )
    assert sim.Scenario.from_json(scenario.model_dump_json()) == scenario
    assert sim.Scenario.model_validate_json(scenario.model_dump_json()) == scenario
    # one level more is still refused, at the document's own limit
    assert (CONFIGURATION_DEPTH, SCENARIO_DEPTH) == (MAX_DEPTH + 1, MAX_DEPTH + 2)
    deeper = {**json.loads(text), "rules": _rule_set(_nots(MAX_CONDITION_DEPTH))}
    with pytest.raises(ValidationError, match=r"nested deeper than 101 levels"):
        hr.Configuration.model_validate_json(json.dumps(deeper))


@pytest.mark.parametrize("count", [150, 300, 900, 100_000])
def test_parse_condition_refuses_deep_dicts_and_text_shortly(count: int) -> None:
    """parse_condition refuses a dict or JSON text far past the limit with one short error at
    $ (not pydantic's thousand-character path, not a RecursionError)."""
    deep = _nots(count)
    with pytest.raises(ValidationError) as info:
        parse_condition(deep)
    (detail,) = info.value.details
    assert (detail.path, detail.code) == ("$", "condition_depth")
    assert detail.message.startswith("nested deeper than 97 levels (level 98 at .condition.")
    assert len(detail.message) < 250
    if count <= 900:  # json.dumps itself recurses
        with pytest.raises(ValidationError) as info:
            parse_condition(json.dumps(deep))
        (detail,) = info.value.details
        assert (detail.path, detail.code) == ("$", "condition_depth")
        assert detail.message.startswith("nested deeper than 97 levels")


def test_model_validate_refuses_deep_input_at_the_rule() -> None:
    """RuleSet.model_validate and model_validate_json refuse a deep condition at its rule's
    when, before pydantic recurses into it."""
    doc = _rule_set(_nots(400))
    with pytest.raises(ValidationError) as info:
        hr.RuleSet.model_validate(doc)
    assert info.value.details[0].path == "$.rules[0].when"
    assert info.value.details[0].code == "condition_depth"
    with pytest.raises(ValidationError):
        hr.RuleSet.model_validate_json(json.dumps(_rule_set(_nots(150))))


def _agree(when: dict[str, Any]) -> bool:
    """Whether parse_condition and RuleSet.from_dict/from_json agree on ``when``; returns
    what they decided."""
    alone = _accepted(lambda: parse_condition(when))
    assert _accepted(lambda: parse_condition(json.dumps(when))) == alone
    assert _accepted(lambda: hr.RuleSet.from_dict(_rule_set(when))) == alone
    assert _accepted(lambda: hr.RuleSet.from_json(json.dumps(_rule_set(when)))) == alone
    assert _accepted(lambda: hr.RuleSet.model_validate(_rule_set(when))) == alone
    return alone


@pytest.mark.parametrize(
    ("shape", "deepest"),
    [
        (lambda n: _nots(n), MAX_CONDITION_DEPTH - 1),
        (lambda n: _nots(n, EVENT_LEAF), MAX_CONDITION_DEPTH - 2),
        (lambda n: _alls(n), (MAX_CONDITION_DEPTH - 1) // 2),
        (
            lambda n: _nots(n, {"type": "ticket", "field": "f", "op": "in", "value": ["a"]}),
            MAX_CONDITION_DEPTH - 2,
        ),
    ],
)
def test_parse_condition_and_rule_sets_agree_at_the_limit(shape: Any, deepest: int) -> None:
    """At the limit every entry point accepts; one level past it every one refuses (an event
    leaf counts its count and window objects even when left out, as they are written)."""
    assert _agree(shape(deepest))
    assert not _agree(shape(deepest + 1))


@st.composite
def _conditions(draw: st.DrawFn) -> dict[str, Any]:
    leaf = draw(
        st.sampled_from(
            [
                LEAF,
                EVENT_LEAF,
                {"type": "ticket", "field": "f", "op": "in", "value": [1, 2]},
                {
                    "type": "event",
                    "metric": "m",
                    "where": [{"property": "p", "op": "between", "value": [1, 2]}],
                },
            ]
        )
    )
    node = leaf
    for kind in draw(st.lists(st.sampled_from(["not", "all", "any"]), min_size=40, max_size=60)):
        if kind == "not":
            node = {"type": "not", "condition": node}
        else:
            node = {"type": kind, "conditions": [node, LEAF]}
    return node


@settings(max_examples=60, deadline=None)
@given(_conditions())
def test_every_entry_point_agrees_near_the_limit(when: dict[str, Any]) -> None:
    """Around the limit, parse_condition, RuleSet.from_dict, from_json and model_validate
    accept the same conditions; an accepted one is built and compiled by the builders too,
    and its rule set's JSON reads back."""
    if _agree(when):
        cond = parse_condition(when)
        compile_condition(cond)
        rules = hr.RuleSet(rules=[hr.RoutingRule(id="r", when=cond, then=hr.SaveAsView(view="v"))])
        assert hr.RuleSet.from_json(rules.model_dump_json()) == rules
        if isinstance(cond, AllCondition):
            all_of(*cond.conditions)
    else:
        with pytest.raises(ValidationError, match="nested deeper than"):
            parse_condition(when)


def test_event_condition_left_without_count_counts_its_written_form() -> None:
    """An event leaf given without count and window is measured as it is written (with
    both), so a rule set accepted from a dict reads back from its own JSON."""
    at_limit = _nots(MAX_CONDITION_DEPTH - 1, EVENT_LEAF)
    with pytest.raises(ValidationError) as info:
        parse_condition(at_limit)
    assert info.value.details[0].message.endswith(".condition.count)")
    _ = event("Placed Order")  # the builder's event has the same written form


def _built(node: dict[str, Any]) -> Any:
    """The condition ``node`` describes, built as ``model_construct`` builds (unchecked),
    its leaves validated."""
    kind = node["type"]
    if kind == "not":
        return NotCondition.model_construct(condition=_built(node["condition"]))
    if kind in ("all", "any"):
        cls = AllCondition if kind == "all" else AnyCondition
        return cls.model_construct(conditions=tuple(_built(c) for c in node["conditions"]))
    return parse_condition(node)


@settings(max_examples=60, deadline=None)
@given(_conditions())
def test_the_quick_node_bound_agrees_with_the_exact_measure(when: dict[str, Any]) -> None:
    """compile_condition asks node_too_deep, which bounds a node's depth from its
    combinators and measures exactly only near the limit: it answers as too_deep does,
    for nodes built unchecked past the limit too."""
    built = _built(when)
    assert node_too_deep(built) == too_deep(built)


def test_one_walk_measures_a_nested_condition(monkeypatch: pytest.MonkeyPatch) -> None:
    """Validating nested combinators measures the input once, not once per level (which
    made validation quadratic in the nesting); parse_condition's own scan of plain JSON
    needs no exact walk at all below the limit."""
    walks: list[int] = []

    def counted(condition: Any, limit: int = MAX_CONDITION_DEPTH) -> Any:
        walks.append(1)
        return too_deep(condition, limit)

    monkeypatch.setattr(nodes, "too_deep", counted)
    deep = _nots(40, _alls(20))
    AllCondition.model_validate({"type": "all", "conditions": [deep, deep]})
    assert len(walks) == 1
    walks.clear()
    parse_condition(deep)
    assert walks == []
    with pytest.raises(ValidationError, match="nested deeper than"):
        parse_condition(_nots(MAX_CONDITION_DEPTH))
    assert len(walks) == 1
