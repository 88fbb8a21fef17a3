"""Short reprs for what a notebook or REPL shows: one line, bounded, saying what the
object is (how many rules, tickets, messages; where a store lives; a clock's time),
while ``str()``, the JSON and equality stay the models' own."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import helpdesk_routing as hr
from helpdesk_routing.clock import ManualClock, SystemClock
from helpdesk_routing.handoff import Conversation, InMemoryLedger, Message, SqliteLedger
from helpdesk_routing.rules import RuleSet
from helpdesk_routing.stores.memory import InMemoryStore
from helpdesk_routing.stores.sqlite import SqliteStore
from helpdesk_routing.views import Page

T0 = datetime(2026, 3, 30, 9, tzinfo=UTC)
BOUND = 200


def _short(text: str) -> str:
    assert "\n" not in text
    assert len(text) <= BOUND, len(text)
    return text


def _rules(n: int) -> RuleSet:
    return RuleSet.from_dict(
        {
            "rules": [
                {
                    "id": f"rule-{i}",
                    "when": {
                        "type": "ticket",
                        "field": "channel",
                        "op": "equals",
                        "value": f"c{i}",
                    },
                    "then": {"type": "assign_to_team", "team": "t1"},
                }
                for i in range(n)
            ]
        }
    )


def test_a_rule_set_repr_counts_its_rules_and_names_the_first_ids() -> None:
    assert repr(RuleSet()) == "<RuleSet: no rules>"
    assert repr(_rules(1)) == "<RuleSet: 1 rule ('rule-0')>"
    assert repr(_rules(3)) == "<RuleSet: 3 rules ('rule-0', 'rule-1', 'rule-2')>"
    big = _rules(1000)
    assert _short(repr(big)) == "<RuleSet: 1,000 rules ('rule-0', 'rule-1', 'rule-2', ...)>"


def test_a_rule_set_keeps_its_str_json_and_equality() -> None:
    rules = _rules(2)
    assert str(rules).startswith("rules=(RoutingRule(id='rule-0'")
    assert RuleSet.model_validate_json(rules.model_dump_json()) == rules
    assert _rules(2) == rules
    assert hash(_rules(2)) == hash(rules)


def test_a_long_rule_id_is_shortened() -> None:
    rules = RuleSet.from_dict(
        {
            "rules": [
                {
                    "id": "r" * 500,
                    "when": {"type": "ticket", "field": "channel", "op": "equals", "value": "sms"},
                    "then": {"type": "save_as_view", "view": "v"},
                }
            ]
        }
    )
    _short(repr(rules))


def _record(i: int) -> hr.TicketRecord:
    store = InMemoryStore()
    router = hr.Router(
        rules=RuleSet(),
        teams=[],
        customer_data=hr.InMemoryCustomerData(),
        store=store,
        clock=ManualClock(T0),
    )
    return router.route(hr.Ticket(id=f"t{i}", channel="sms", created_at=T0))


def test_a_page_repr_counts_its_records_and_says_whether_more_follow() -> None:
    records = [_record(i) for i in range(3)]
    assert repr(Page(items=records)) == "<Page: 3 tickets, last page>"
    assert repr(Page(items=records[:1], total=1)) == "<Page: 1 of 1 ticket, last page>"
    assert repr(Page(items=[], total=0)) == "<Page: 0 of 0 tickets, last page>"
    page = Page(items=records, next_cursor="c" * 500, total=12_000)
    shown = _short(repr(page))
    assert shown.startswith("<Page: 3 of 12,000 tickets, next_cursor='ccc")
    assert shown.endswith("ccc'>")


def test_a_page_of_a_view_is_short() -> None:
    store = InMemoryStore()
    clock = ManualClock(T0)
    router = hr.Router(
        rules=RuleSet(),
        teams=[],
        store=store,
        customer_data=hr.InMemoryCustomerData(),
        clock=clock,
    )
    for i in range(50):
        clock.advance(seconds=1)
        router.route(hr.Ticket(id=f"t{i}", channel="sms", created_at=clock.now()))
    page = router.views.all_tickets(limit=20, count=True)
    assert _short(repr(page)).startswith("<Page: 20 of 50 tickets, next_cursor='")
    assert repr(router.views.all_tickets()) == "<Page: 50 tickets, last page>"
    assert repr(router.views) == "<Views over InMemoryStore>"
    assert repr(store) == "<InMemoryStore: 50 tickets, 0 agents>"


def test_store_reprs(tmp_path: Path) -> None:
    store = InMemoryStore(agents=[hr.Agent(id="a1")])
    assert repr(store) == "<InMemoryStore: 0 tickets, 1 agent>"
    store.close()
    assert repr(store) == "<InMemoryStore: 0 tickets, 1 agent, closed>"
    path = tmp_path / "desk.db"
    with SqliteStore(path) as sqlite:
        assert repr(sqlite) == f"<SqliteStore {str(path)!r}>"
    assert repr(sqlite) == f"<SqliteStore {str(path)!r} (closed)>"
    deep = tmp_path / ("d" * 200)
    deep.mkdir()
    with SqliteStore(deep / "desk.db") as sqlite:
        _short(repr(sqlite))
    with SqliteStore(":memory:") as sqlite:
        assert repr(sqlite) == "<SqliteStore ':memory:'>"


def test_clock_reprs() -> None:
    clock = ManualClock(T0)
    assert repr(clock) == "<ManualClock 2026-03-30T09:00:00+00:00>"
    clock.advance(timedelta(minutes=5))
    assert repr(clock) == "<ManualClock 2026-03-30T09:05:00+00:00>"
    assert repr(SystemClock()) == "<SystemClock: the real time, UTC>"


def _conversation(n: int, cid: str = "c1") -> Conversation:
    return Conversation(
        id=cid,
        channel="sms",
        transcript=[
            Message(sender="visitor", text="x" * 300, at=T0 + timedelta(seconds=i))
            for i in range(n)
        ],
    )


def test_a_conversation_repr_names_it_and_counts_its_messages() -> None:
    assert repr(_conversation(0)) == "<Conversation 'c1' · channel 'sms' · 0 messages>"
    assert repr(_conversation(1)) == "<Conversation 'c1' · channel 'sms' · 1 message>"
    long = _conversation(300, cid="c" * 200)
    assert _short(repr(long)).endswith(" · channel 'sms' · 300 messages>")
    # str(), the JSON and equality are the model's own
    assert str(_conversation(1)).startswith("id='c1' channel='sms' transcript=(Message(")
    assert Conversation.model_validate_json(long.model_dump_json()) == long
    assert json.loads(long.model_dump_json())["id"] == "c" * 200
    assert _conversation(2) == _conversation(2)
    assert _conversation(2) != _conversation(3)


def test_ledger_reprs(tmp_path: Path) -> None:
    ledger = InMemoryLedger()
    assert repr(ledger) == "<InMemoryLedger: 0 handoffs>"
    path = tmp_path / "ledger.db"
    with SqliteLedger(path) as sqlite:
        assert repr(sqlite) == f"<SqliteLedger {str(path)!r}>"
