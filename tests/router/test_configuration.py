"""The configuration is data in the store: versioned, audited, obeyed by every Router on it."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpdesk_routing.allocation import LeastLoaded, RoundRobin
from helpdesk_routing.clock import ManualClock
from helpdesk_routing.conditions import ticket
from helpdesk_routing.configuration import Configuration, content
from helpdesk_routing.errors import (
    ConflictError,
    PermissionDenied,
    StaleConfiguration,
    UnknownAgent,
    ValidationError,
)
from helpdesk_routing.model import Agent, Team, Ticket
from helpdesk_routing.router import Router
from helpdesk_routing.rules import AssignToTeam, RoutingRule, RuleSet, SaveAsView, decide
from helpdesk_routing.stores.memory import InMemoryStore
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData
from tests.router.conftest import AGENTS, MONDAY_10, OFFICE_HOURS, TEAMS, Desk, MakeDesk

SMS_TO_RETENTION = RoutingRule(
    id="sms", name="SMS", when=ticket("channel") == "sms", then=AssignToTeam(team="retention")
)
SMS_TO_FRANCE = RoutingRule(
    id="sms-fr", name="SMS FR", when=ticket("channel") == "sms", then=AssignToTeam(team="france")
)
URGENT = RoutingRule(
    id="urgent", name="Urgent", when=ticket("subject") == "help", then=SaveAsView(view="urgent")
)


def _router(desk: Desk, **kw: Any) -> Router:
    """A second Router on the desk's store and clock (another process, in effect)."""
    return Router(
        store=desk.store,
        customer_data=InMemoryCustomerData(profiles=[], events=[]),
        clock=desk.clock,
        **kw,
    )


def test_constructor_arguments_become_version_1_of_an_empty_store(desk: Desk) -> None:
    """A Router on an empty store writes its arguments as version 1, by nobody, audited."""
    (first,) = desk.router.configuration_history()
    assert first.version == 1
    assert first.actor is None
    assert first.teams == TEAMS
    assert first.office_hours == OFFICE_HOURS
    assert desk.router.configuration == first
    with desk.store.transaction() as tx:
        (record,) = tx.audit()
    assert record.action == "configured"
    assert record.detail == {"version": 1, "changed": ["rules", "teams", "office_hours"]}


def test_a_router_without_arguments_on_an_empty_store_writes_nothing() -> None:
    """No stored configuration and no arguments: the empty configuration, version 0, unstored."""
    store = InMemoryStore(agents=AGENTS)
    router = Router(store=store, customer_data=InMemoryCustomerData(), clock=_clock())
    assert router.configuration.version == 0
    assert router.configuration.rules == RuleSet()
    assert router.configuration.round_robin is True
    assert router.configuration_history() == []
    router.set_online("a1", True, actor="a1")
    decision = router.route(Ticket(id="t1", channel="email", created_at=_clock().now()))
    assert decision.assignee == "a1"
    assert router.configure(actor="m1", teams=TEAMS).version == 1


def test_a_router_without_arguments_obeys_the_stored_configuration(desk: Desk) -> None:
    """``Router(store=..., customer_data=..., clock=...)`` routes with the stored rules."""
    desk.router.set_rules(RuleSet(rules=[SMS_TO_RETENTION]), actor="m1")
    other = _router(desk)
    assert other.configuration.version == 2
    assert other.route(desk.ticket("t1", channel="sms")).team == "retention"


def test_constructor_arguments_equal_to_the_stored_ones_are_accepted(desk: Desk) -> None:
    """Restarting with the arguments the store already holds writes nothing."""
    before = desk.snapshot()
    again = _router(desk, rules=RuleSet(), teams=list(TEAMS), office_hours=OFFICE_HOURS)
    assert again.configuration.version == 1
    assert desk.snapshot() == before


class _LabelledRule(RoutingRule):
    """A rule of a user's subclass (it only adds a helper)."""

    def label(self) -> str:
        return f"rule {self.id}"


class _MyRuleSet(RuleSet):
    """A rule set of a user's subclass."""


class _MyView(SaveAsView):
    """A destination of a user's subclass."""


@pytest.mark.parametrize(
    "form",
    ["list", "rule set", "rule set of a subclass", "condition of a subclass", "destination"],
)
def test_a_restart_with_rules_of_a_subclass_is_accepted(desk: Desk, form: str) -> None:
    """Rules of a ``RoutingRule`` subclass, or holding a condition or a destination of a
    subclass, are stored as plain rules; restarting with the same objects compares their
    content and writes nothing (it was refused: no subclass object equals the plain one
    read back)."""
    when = ticket("channel") == "sms"
    rules = [_LabelledRule(id="sms", when=when, then=SaveAsView(view="s"))]
    odd_when = type("_Mine", (type(when),), {})(**dict(when))
    given: Any = {
        "list": rules,
        "rule set": RuleSet(rules=rules),
        "rule set of a subclass": _MyRuleSet(rules=rules),
        "condition of a subclass": [
            RoutingRule(id="sms", when=odd_when, then=SaveAsView(view="s"))
        ],
        "destination": [RoutingRule(id="sms", when=when, then=_MyView(view="s"))],
    }[form]
    desk.router.configure(actor="m1", rules=given)
    before = desk.snapshot()
    again = _router(desk, rules=given, teams=list(TEAMS), office_hours=OFFICE_HOURS)
    assert again.configuration.version == 2
    assert type(again.configuration.rules.rules[0]) is RoutingRule
    assert desk.snapshot() == before
    changed = [_LabelledRule(id="sms", when=ticket("channel") == "mail", then=SaveAsView(view="s"))]
    with pytest.raises(ConflictError, match="differs from the constructor arguments in: rules"):
        _router(desk, rules=changed)


def test_constructor_arguments_that_differ_from_the_stored_ones_raise(desk: Desk) -> None:
    """A differing argument is a ConflictError naming the version and fields; nothing written."""
    before = desk.snapshot()
    with pytest.raises(ConflictError) as info:
        _router(desk, rules=RuleSet(rules=[SMS_TO_RETENTION]), round_robin=False, capacity=None)
    assert str(info.value) == (
        "the store holds configuration version 1, which differs from the constructor "
        "arguments in: rules, round_robin; change it with router.configure(...)"
    )
    assert desk.snapshot() == before


def test_configure_carries_over_what_it_does_not_name(desk: Desk) -> None:
    """configure changes only the fields given; the rest come from the version in force."""
    new = desk.router.configure(
        actor="m1", round_robin=False, capacity=3, comment="night shift", expected_version=1
    )
    assert (new.version, new.actor, new.comment) == (2, "m1", "night shift")
    assert new.round_robin is False
    assert new.capacity == 3
    assert new.teams == TEAMS
    assert new.office_hours == OFFICE_HOURS
    with desk.store.transaction() as tx:
        record = tx.audit()[-1]
    assert (record.action, record.actor) == ("configured", "m1")
    assert record.detail == {
        "version": 2,
        "changed": ["round_robin", "capacity"],
        "comment": "night shift",
    }


def test_a_stale_expected_version_is_refused_and_changes_nothing(desk: Desk) -> None:
    """An editor who started from version 1 after version 2 was stored gets StaleConfiguration."""
    desk.router.configure(actor="m1", capacity=2)
    before = desk.snapshot()
    history = desk.router.configuration_history()
    with pytest.raises(StaleConfiguration) as info:
        desk.router.configure(actor="o1", capacity=5, expected_version=1)
    assert str(info.value) == "configuration version 1 is stale: version 2 is stored"
    assert isinstance(info.value, ConflictError)
    assert (info.value.expected, info.value.stored) == (1, 2)
    assert desk.snapshot() == before
    assert desk.router.configuration_history() == history


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda r: r.configure(actor="m1", capacity=5, expected_version="2"),
            "expected_version must be a whole number (or None), got '2'",
        ),
        (
            lambda r: r.configure(actor="m1", capacity=5, expected_version=True),
            "expected_version must be a whole number (or None), got True",
        ),
        (
            lambda r: r.configure(actor="m1", capacity=5, expected_version=-1),
            "expected_version must be 0 or more (0 is the empty configuration), got -1",
        ),
        (lambda r: r.rollback("1", actor="m1"), "version must be a whole number, got '1'"),
        (lambda r: r.rollback(None, actor="m1"), "version must be a whole number, got None"),
    ],
)
def test_a_version_that_is_no_number_is_named(desk: Desk, call: Any, message: str) -> None:
    """A version given as text is refused by name (the text "2" was reported stale against
    the stored version 2); nothing is stored."""
    desk.router.configure(actor="m1", capacity=2)
    before = desk.snapshot()
    history = desk.router.configuration_history()
    with pytest.raises(ValidationError) as info:
        call(desk.router)
    assert str(info.value) == message
    assert desk.snapshot() == before
    assert desk.router.configuration_history() == history


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda r: r.set_rules(RuleSet(), actor="a1"), "agent 'a1' (support) may not edit rules"),
        (lambda r: r.set_teams([], actor="a1"), "agent 'a1' (support) may not edit teams"),
        (
            lambda r: r.set_round_robin(False, actor="a1"),
            "agent 'a1' (support) may not change round robin",
        ),
        (
            lambda r: r.configure(actor="a1", capacity=1),
            "agent 'a1' (support) may not change the configuration",
        ),
        (
            lambda r: r.rollback(1, actor="a1"),
            "agent 'a1' (support) may not edit rules",
        ),
    ],
)
def test_only_owner_admin_and_manager_configure(desk: Desk, call: Any, message: str) -> None:
    """A support agent may not change any part of the configuration; nothing is written."""
    before = desk.snapshot()
    with pytest.raises(PermissionDenied) as info:
        call(desk.router)
    assert str(info.value) == message
    assert desk.snapshot() == before


def test_a_configuration_that_does_not_fit_the_store_is_refused(desk: Desk) -> None:
    """Rules naming a missing team, or a team with an unknown member, change nothing."""
    before = desk.snapshot()
    with pytest.raises(ValidationError, match=r"^rule set names unknown teams"):
        desk.router.configure(actor="m1", teams=[TEAMS[1]], rules=RuleSet(rules=[SMS_TO_RETENTION]))
    with pytest.raises(UnknownAgent) as unknown:
        desk.router.set_teams([Team(id="x", members=("zz",))], actor="m1")
    assert str(unknown.value) == "unknown agent 'zz' (team 'x', $.teams[0].members[0])"
    with pytest.raises(ValidationError, match=r"^team 'x' is listed twice\n") as info:
        desk.router.set_teams([Team(id="x", members=("a1",))] * 2, actor="m1")
    assert info.value.paths == ("$.teams[1].id",)
    with pytest.raises(ValidationError, match=r"^capacity must be at least 0, got -1\n") as info:
        desk.router.configure(actor="m1", capacity=-1)
    assert info.value.paths == ("$.capacity",)
    assert desk.snapshot() == before


def test_configure_names_every_problem_at_once_as_the_model_does(desk: Desk) -> None:
    """A repeated team with a capacity below 0, or repeated rules with a capacity that is
    no number: ``configure`` names both, as ``Configuration`` does (it named the capacity
    alone, or the rules alone); nothing is written."""
    before = desk.snapshot()
    team = {"id": "x", "name": "X", "members": ["a1"]}
    rule = {
        "id": "r",
        "name": "R",
        "when": {"type": "ticket", "field": "channel", "op": "is_set"},
        "then": {"type": "save_as_view", "view": "v"},
    }
    with pytest.raises(ValidationError) as info:
        desk.router.configure(actor="m1", teams=[team, team], capacity=-1)
    assert [(e["path"], e["code"]) for e in info.value.errors()] == [
        ("$.teams[1].id", "duplicate"),
        ("$.capacity", "greater_than_equal"),
    ]
    assert info.value.details[1].message == "capacity must be at least 0, got -1"
    with pytest.raises(ValidationError) as info:
        desk.router.configure(actor="m1", rules={"rules": [rule, rule]}, capacity="x")
    found = [(e["path"], e["code"]) for e in info.value.errors()]
    assert found == [("$.rules.rules[1].id", "rule_duplicate_id"), ("$.capacity", "int_type")]
    model = {"version": 1, "at": "2026-03-30T10:00:00Z", "rules": {"rules": [rule, rule]}}
    with pytest.raises(ValidationError) as info:
        Configuration.model_validate({**model, "capacity": "x"})
    assert [(e["path"], e["code"]) for e in info.value.errors()] == found
    assert desk.snapshot() == before


def test_rules_sent_as_a_document_fail_with_clean_paths_and_the_rule_id(desk: Desk) -> None:
    """``configure(rules=<JSON object>)`` reads the rules with the rule set's loader: the
    error names the path as sent (no union tags), under ``$.rules``, with the rule id."""
    before = desk.snapshot()
    document = {
        "rules": [
            {
                "id": "big",
                "name": "Big spenders",
                "when": {"type": "profile", "property": "ltv", "op": "greater_than"},
                "then": {"type": "save_as_view", "view": "VIP"},
            }
        ]
    }
    with pytest.raises(ValidationError, match=r"^invalid configuration") as info:
        desk.router.configure(actor="m1", rules=document)
    assert info.value.errors() == [
        {
            "path": "$.rules.rules[0].when.value",
            "code": "condition_value",
            "message": "rule 'big': greater_than needs a number, got nothing",
            "rule_id": "big",
        }
    ]
    assert desk.snapshot() == before
    document["rules"][0]["when"]["value"] = 1000  # type: ignore[index]
    desk.router.configure(actor="m1", rules=document)
    assert desk.router.rules.rules[0].id == "big"


def test_rollback_stores_a_new_version_equal_to_an_old_one(desk: Desk) -> None:
    """rollback(1) writes version 3 with version 1's content, audited with rollback_to."""
    desk.router.set_rules(RuleSet(rules=[SMS_TO_RETENTION]), actor="m1")
    back = desk.router.rollback(1, actor="o1", comment="undo")
    history = desk.router.configuration_history()
    assert [c.version for c in history] == [1, 2, 3]
    assert content(back) == content(history[0])
    assert desk.router.route(desk.ticket("t1", channel="sms")).team is None
    with desk.store.transaction() as tx:
        record = tx.audit()[-2]
    assert record.detail == {
        "version": 3,
        "changed": ["rules"],
        "comment": "undo",
        "rollback_to": 1,
    }
    with pytest.raises(ValidationError, match=r"^no configuration version 9 is stored$"):
        desk.router.rollback(9, actor="o1")


def test_a_rollback_to_teams_naming_a_removed_agent_names_the_version(desk: Desk) -> None:
    """Rolling back to a version whose team lists an agent removed since raises
    ``UnknownAgent`` naming the team, the member's path and the version restored; nothing
    is written."""
    desk.router.add_agent(Agent(id="a9", name="Nine"), actor="o1")
    desk.router.set_teams([*TEAMS, Team(id="x", members=("a1", "a9"))], actor="o1")
    version = desk.router.configuration.version
    desk.router.set_teams(TEAMS, actor="o1")
    desk.router.remove_agent("a9", actor="o1")
    before = desk.snapshot()
    with pytest.raises(UnknownAgent) as info:
        desk.router.rollback(version, actor="o1")
    where = f"team 'x', $.teams[{len(TEAMS)}].members[1] of version {version}"
    assert (info.value.agent_id, info.value.where) == ("a9", where)
    assert str(info.value) == f"unknown agent 'a9' ({where})"
    assert desk.snapshot() == before


def test_the_allocator_is_stored_by_name(desk: Desk) -> None:
    """allocator='least_loaded' (or LeastLoaded()) is stored; a custom allocator cannot be."""

    class Custom:
        def allocate(self, *args: object) -> object:
            raise AssertionError("never called")

    assert desk.router.configure(actor="m1", allocator=LeastLoaded()).allocator == "least_loaded"
    assert desk.router.configure(actor="m1", allocator="round_robin").allocator == "round_robin"
    with pytest.raises(ValidationError) as info:
        desk.router.configure(actor="m1", allocator=Custom())  # type: ignore[arg-type]
    assert str(info.value) == (
        "a custom allocator cannot be stored; pass it as Router(allocator=...)"
    )
    assert _router(desk, allocator=RoundRobin()).configuration.allocator == "round_robin"


def test_least_loaded_by_name_changes_who_gets_the_next_ticket(make_desk: MakeDesk) -> None:
    """After configure(allocator='least_loaded') the next ticket goes to the least loaded."""
    desk = make_desk()
    desk.online("a1", "a2")
    desk.route(), desk.route(), desk.route()  # a1, a2, a1
    desk.router.set_status("t2", "closed", actor="a2")
    desk.router.configure(actor="m1", allocator="least_loaded")
    assert desk.route() == "a2"  # round robin would give a2 too; load decides the next
    assert desk.route() == "a2"


def test_a_second_router_obeys_a_change_from_its_next_operation_on(desk: Desk) -> None:
    """Router B routes with the rules Router A stored, at its very next route."""
    other = _router(desk)
    assert other.route(desk.ticket("t1", channel="sms")).team is None
    desk.router.set_rules(RuleSet(rules=[SMS_TO_RETENTION]), actor="m1")
    decision = other.route(desk.ticket("t2", channel="sms"))
    assert decision.team == "retention"
    assert [r.detail["configuration_version"] for r in other.history("t1")] == [1]
    assert [r.detail["configuration_version"] for r in other.history("t2")] == [2]
    desk.router.set_round_robin(False, actor="m1")
    desk.online("a2")
    assert other.route(desk.ticket("t3", channel="sms")).assignee is None


def test_views_follow_the_stored_teams(desk: Desk) -> None:
    """A team added by another Router has an inbox at once; a removed one is unknown."""
    other = _router(desk)
    desk.router.set_teams([*TEAMS, Team(id="night", members=("a1",))], actor="m1")
    assert other.views.team("night").items == []


def test_route_decides_again_when_the_configuration_changes_meanwhile(
    desk: Desk, caplog: pytest.LogCaptureFixture
) -> None:
    """A version stored between deciding and writing makes route decide again, with it."""
    editor = desk.router

    class Racing(InMemoryCustomerData):
        fired = False

        def profile(self, profile_id: str) -> Any:
            if not Racing.fired:
                Racing.fired = True
                editor.set_rules(RuleSet(rules=[SMS_TO_FRANCE]), actor="m1")
            return super().profile(profile_id)

    router = Router(store=desk.store, customer_data=Racing(), clock=desk.clock)
    caplog.set_level(logging.WARNING, logger="helpdesk_routing")
    decision = router.route(desk.ticket("t1", channel="sms", profile_id="p1"))
    assert decision.team == "france"
    assert router.history("t1")[0].detail["configuration_version"] == 2
    (warning,) = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert warning.getMessage() == "configuration changed while routing t1; deciding again"
    assert warning.__dict__["configuration_version"] == 2


_FIELD_CHANGES = st.fixed_dictionaries(
    {},
    optional={
        "rules": st.sampled_from(
            [
                RuleSet(),
                RuleSet(rules=[SMS_TO_RETENTION]),
                RuleSet(rules=[URGENT, SMS_TO_FRANCE]),
            ]
        ),
        "round_robin": st.booleans(),
        "capacity": st.sampled_from([None, 0, 1, 2]),
        "office_hours": st.sampled_from([None, OFFICE_HOURS]),
        "office_hours_channels": st.sampled_from([["webchat"], [], ["webchat", "sms"]]),
        "allocator": st.sampled_from(["round_robin", "least_loaded"]),
    },
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits=st.lists(_FIELD_CHANGES, max_size=6), channel=st.sampled_from(["sms", "email"]))
def test_every_version_is_the_previous_one_with_the_edit_applied(
    edits: list[dict[str, Any]], channel: str
) -> None:
    """Versions count up without gaps, each equal to the last plus its edit, and a ticket
    routed after each edit is decided by exactly that version's rules."""
    store = InMemoryStore(agents=AGENTS)
    clock = _clock()
    router = Router(
        rules=RuleSet(), teams=TEAMS, store=store, customer_data=InMemoryCustomerData(), clock=clock
    )
    expected = content(router.configuration)
    for n, edit in enumerate(edits, start=2):
        new = router.configure(actor="m1", **edit)
        expected.update(edit)
        if "office_hours_channels" in edit:
            expected["office_hours_channels"] = frozenset(edit["office_hours_channels"])
        assert new.version == n
        assert content(new) == expected
        t = Ticket(id=f"t{n}", channel=channel, subject="help", created_at=clock.now())
        got = router.route(t)
        want = decide(new.rules, new.teams, t, InMemoryCustomerData(), clock.now())
        assert (got.team, got.views, got.rule_id) == (want.team, want.views, want.rule_id)
        assert router.history(t.id)[0].detail["configuration_version"] == n
    assert [c.version for c in router.configuration_history()] == list(range(1, len(edits) + 2))


def _clock() -> ManualClock:
    return ManualClock(MONDAY_10)


def test_a_stored_decision_is_bound_to_the_rules_of_its_version(desk: Desk) -> None:
    """router.ticket(id) and a repeated route return the decision bound to the rules of
    the version that decided it, not to the rules in force now."""
    desk.router.set_rules(RuleSet(rules=[SMS_TO_RETENTION]), actor="m1")
    t1 = desk.ticket("t1", channel="sms")
    first = desk.router.route(t1)
    assert getattr(first, "configuration_version", None) == 2
    desk.router.set_rules(RuleSet(rules=[SMS_TO_FRANCE]), actor="m1")
    stored = desk.router.ticket("t1").decision
    assert stored is not None
    assert getattr(stored, "configuration_version", None) == 2
    assert getattr(stored, "bound", True)
    assert "'sms'" in stored.explain()
    assert "'sms-fr'" not in stored.explain()
    assert desk.router.route(t1).team == "retention"


def test_an_expected_version_nobody_wrote_says_it_does_not_exist(desk: Desk) -> None:
    """A version from the future is not "stale": the message says it does not exist."""
    desk.router.configure(actor="m1", capacity=2)
    before = desk.snapshot()
    with pytest.raises(StaleConfiguration) as info:
        desk.router.configure(actor="o1", capacity=5, expected_version=99)
    assert (
        str(info.value) == "configuration version 99 does not exist: version 2 is the newest stored"
    )
    assert (info.value.expected, info.value.stored) == (99, 2)
    assert desk.snapshot() == before


@pytest.mark.parametrize("channels", [[""], ["webchat", ""], ""])
def test_an_empty_channel_is_not_bound_to_office_hours(
    desk: Desk, make_desk: MakeDesk, channels: Any
) -> None:
    """No ticket has an empty channel: binding one is refused at its path, by the Router
    and by configure, and nothing is written."""
    before = desk.snapshot()
    with pytest.raises(ValidationError) as info:
        desk.router.configure(actor="m1", office_hours_channels=channels)
    assert info.value.paths == ("$.office_hours_channels",)
    assert desk.snapshot() == before
    with pytest.raises(ValidationError, match="a channel is at least one character"):
        make_desk(office_hours_channels=channels)


@pytest.mark.parametrize("comment", [b"back to normal", 5, ["night"]])
def test_a_comment_that_is_no_text_is_refused(desk: Desk, comment: Any) -> None:
    """bytes were accepted: the configuration read them as text, the memory store's audit
    record kept them raw (and SQLite's as text): one comment, two values."""
    from helpdesk_routing.errors import ArgumentTypeError

    before = desk.snapshot()
    with pytest.raises(ArgumentTypeError, match=r"^comment must be text \(or None\), got "):
        desk.router.configure(actor="m1", capacity=2, comment=comment)
    assert desk.snapshot() == before


def test_a_ticket_only_view_rules_matched_is_in_the_general_pool(make_desk: MakeDesk) -> None:
    """A *Save as view* rule assigns nothing (docs/concepts.md): its ticket has no team,
    so round robin, when on, hands it out as any ticket without a team, and it is in the
    saved view all the same; with round robin off it waits in Unassigned."""
    rules = RuleSet(rules=[URGENT])
    for on in (True, False):
        desk = make_desk(rules=rules, round_robin=on)
        desk.online("a1")
        decision = desk.router.route(desk.ticket("t1", subject="help"))
        assert (decision.team, decision.views) == (None, ("urgent",))
        assert decision.assignee == ("a1" if on else None)
        assert desk.router.views.saved("urgent").ids == ["t1"]
        assert desk.router.views.unassigned().ids == ([] if on else ["t1"])
