"""Fill a store with the ``helpdesk_routing`` on ``PYTHONPATH`` (an old commit's), then
write what that code reads back. Run by ``make.py``, never by the tests.

usage: _populate.py sqlite DIR OUT.json     (DIR gets helpdesk.db and ledger.db)
       _populate.py postgres DSN OUT.json   (store, customer data and ledger in DSN's schema)

What it writes, where the commit's code can: agents of every role, online and offline;
teams with tags and segments; configuration versions (the Router's first version,
capacity, rules with both destination kinds and ticket/profile/event/segment
conditions, office hours with holidays, dated and recurring exceptions, bound
channels, another allocator, a rollback); tickets routed, waiting for office hours,
assigned, unassigned, moved to a team, replied to, pending, closed and reopened;
saved views; rotation state of the global and team pools; profiles, segments and
events; and handoff ledger records in several states with their transitions. Before
the Router stored its configuration (3e54137), the versions are written with the
store's own ``put_configuration``.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import readback  # this directory (sys.path[0])

import helpdesk_routing as hr
from helpdesk_routing.conditions import event, profile, segment, ticket

try:
    from helpdesk_routing import handoff
except ImportError:  # before the handoff ledger
    handoff = None

T0 = datetime(2026, 3, 30, 8, 0, tzinfo=UTC)  # a Monday, 10:00 in Amsterdam
AGENTS = [
    hr.Agent(id="own", name="Owner", role="owner"),
    hr.Agent(id="adm", name="Admin", role="admin"),
    hr.Agent(id="mgr", name="Manager", role="manager"),
    hr.Agent(id="a1", name="Ann", role="support", capacity=3),
    hr.Agent(id="a2", name="Bob", role="support"),
    hr.Agent(id="a3", name="Cy", role="support", capacity=1),
    hr.Agent(id="a4", name="Di", role="support"),
]
TEAMS = [
    hr.Team(id="retention", name="Retention", members=["a1", "a2"], segments={"churn"}),
    hr.Team(id="france", name="France", members=["a3"]),
    hr.Team(id="team-a", name="Team A", members=["a1", "a3", "a4"], tags={"billing"}),
]
META: dict[str, Any] = {
    "teams": ["retention", "france", "team-a"],
    "views": ["Urgent changes", "VIP", "Never"],
    "profiles": ["p1", "p2", "p3"],
    "segments": ["vip", "churn", "newsletter"],
    "pools": ["global", "team:retention", "team:france", "team:team-a"],
}
STORED_CONFIGURATION = hasattr(hr.Router, "configure")


def rules_v1() -> Any:
    return hr.RuleSet(
        rules=[
            hr.RoutingRule(
                id="churn",
                name="Churn defense",
                when=profile("churn_risk") == "High",
                then=hr.AssignToTeam(team="retention"),
            ),
            hr.RoutingRule(
                id="urgent",
                name="Urgent order mod",
                when=event("Placed Order").at_least(1).in_last(hours=2),
                then=hr.SaveAsView(view="Urgent changes"),
            ),
            hr.RoutingRule(
                id="sms-orders",
                when=(ticket("channel") == "sms") & ticket("tags").contains("Order"),
                then=hr.AssignToTeam(team="team-a"),
            ),
        ]
    )


def rules_v3() -> Any:
    return hr.RuleSet(
        rules=[
            *rules_v1().rules,
            hr.RoutingRule(
                id="french",
                name="French speakers",
                when=(profile("$country") == "France") | segment("francophone"),
                then=hr.AssignToTeam(team="france"),
            ),
            hr.RoutingRule(
                id="vip", name="VIP", when=profile("ltv") > 1000, then=hr.SaveAsView(view="VIP")
            ),
            hr.RoutingRule(
                id="off",
                name="Switched off",
                enabled=False,
                when=~(ticket("priority") == "low"),
                then=hr.SaveAsView(view="Never"),
            ),
        ]
    )


def office_hours() -> Any:
    spec: dict[str, Any] = {
        "timezone": "Europe/Amsterdam",
        "weekly": {d: [("09:00", "17:00")] for d in ("mon", "tue", "wed", "thu", "fri")},
        "holidays": ["2026-04-06", "2026-12-25"],
        "exceptions": {"2026-04-04": [("10:00", "14:00")]},
    }
    if "recurring_exceptions" in hr.OfficeHours.model_fields:
        spec["recurring_exceptions"] = [
            {"rule": "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=24", "windows": [("09:00", "13:00")]}
        ]
        spec["recurring_holidays"] = ["FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=1"]
    return hr.OfficeHours(**spec)


def open_all(kind: str, where: str) -> tuple[Any, Any, Any]:
    if kind == "sqlite":
        db = os.path.join(where, "helpdesk.db")
        store = hr.SqliteStore(db, agents=AGENTS)
        data = hr.SqliteCustomerData(db)
        ledger = handoff.SqliteLedger(os.path.join(where, "ledger.db")) if handoff else None
    else:
        store = hr.PostgresStore(where, agents=AGENTS)
        data = hr.PostgresCustomerData(where)
        ledger = handoff.PostgresLedger(where) if handoff else None
    return store, data, ledger


def put_configurations(store: Any, clock: Any) -> None:
    """3e54137: the configuration versions, written by the store itself."""
    from helpdesk_routing.configuration import Configuration

    base: dict[str, Any] = {"rules": rules_v1(), "teams": TEAMS, "capacity": 5}
    versions = [
        dict(base),
        dict(base, capacity=4, actor="mgr", comment="less load"),
        dict(
            base,
            capacity=4,
            actor="adm",
            comment="office hours",
            rules=rules_v3(),
            office_hours=office_hours(),
            office_hours_channels=frozenset({"webchat", "chat"}),
        ),
        dict(base, capacity=4, actor="own", allocator="least_loaded"),
    ]
    with store.transaction() as tx:
        for n, fields in enumerate(versions, start=1):
            tx.put_configuration(Configuration(version=n, at=clock.now(), **fields))


def populate(kind: str, where: str) -> dict[str, Any]:
    store, data, ledger = open_all(kind, where)
    clock = hr.ManualClock(T0)
    data.add_profiles(
        [
            hr.Profile(
                id="p1",
                properties={"$country": "France", "churn_risk": "High", "ltv": 1200.5},
                segments={"vip"},
            ),
            hr.Profile(id="p2", properties={"$country": "Spain", "n": 7}, segments={"newsletter"}),
            hr.Profile(id="p3", properties={"$country": "Germany", "nested": {"a": [1, 2.5]}}),
        ]
    )
    data.add_to_segment("p3", "churn")
    data.add_events(
        [
            hr.Event(
                profile_id="p2",
                metric="Placed Order",
                timestamp=T0 - timedelta(minutes=30),
                properties={"value": 120, "sku": "A-1"},
            ),
            hr.Event(profile_id="p2", metric="Placed Order", timestamp=T0 - timedelta(days=3)),
            hr.Event(profile_id="p3", metric="Viewed Page", timestamp=T0 - timedelta(hours=1)),
        ]
    )
    router = hr.Router(
        rules=rules_v1(),
        teams=TEAMS,
        store=store,
        customer_data=data,
        clock=clock,
        office_hours=office_hours(),
        capacity=5,
    )
    if not STORED_CONFIGURATION:
        put_configurations(store, clock)
    for a in ("a1", "a2", "a4"):
        router.set_online(a, online=True, actor=a)

    def route(i: int, **kw: Any) -> str:
        kw.setdefault("channel", "email")
        t = hr.Ticket(id=f"t{i}", created_at=clock.now(), subject=f"subject {i}", **kw)
        return str(router.route(t).ticket_id)

    ids = [
        route(1, profile_id="p1"),  # retention
        route(2, channel="sms", tags={"Order"}, profile_id="p2"),  # view + team-a
        route(3, channel="webchat"),
        route(4, profile_id="p3", priority="high", email="x@example.com", tags={"billing"}),
    ]
    clock.advance(timedelta(hours=8))  # 18:00 in Amsterdam: webchat waits
    ids.append(route(5, channel="webchat", profile_id="p2"))
    clock.advance(timedelta(hours=15))  # 09:00 the next morning
    router.assign_waiting()
    if STORED_CONFIGURATION:
        v = router.configure(actor="mgr", capacity=4, comment="less load", expected_version=1)
        router.configure(
            actor="adm",
            rules=rules_v3(),
            office_hours_channels={"webchat", "chat"},
            comment="office hours",
            expected_version=v.version,
        )
        router.configure(actor="own", allocator="least_loaded")
        router.rollback(3, actor="mgr", comment="back to round robin")
    ids.append(route(6, channel="chat", tags={"x", "y"}, profile_id="p1"))
    ids.append(route(7, profile_id="p3"))
    ids.append(route(8, channel="sms", tags={"Order"}))
    router.assign(["t6"], to="a4", actor="mgr")
    router.unassign("t8", actor="mgr")
    router.assign_to_team(["t8"], team="france", actor="mgr")
    router.reply("t2", actor="mgr", public=False)
    router.reply("t6", actor="a4")
    router.set_status("t1", "closed", actor="mgr")
    router.set_status("t6", "pending", actor="a4")
    router.set_status("t3", "closed", actor="mgr")
    router.set_status("t3", "open", actor="mgr")  # reopened
    router.set_online("a2", online=False, actor="a2")
    router.set_online("a3", online=True, actor="a3")
    clock.advance(timedelta(minutes=30))
    for i in range(9, 13):
        ids.append(route(i, channel=["email", "sms", "webchat"][i % 3], tags={"Order"}))
    router.set_status("t9", "closed", actor="mgr")

    conversations: list[str] = []
    if ledger is not None:
        hcl = hr.ManualClock(clock.now())
        h = handoff.Handoff(
            settings=handoff.SendToHelpdesk(helpdesk="builtin"),
            router=router,
            ledger=ledger,
            customer_data=data,
            clock=hcl,
            office_hours=office_hours(),
        )

        def conv(cid: str, channel: str, **kw: Any) -> Any:
            text = f"help {cid}\nline 2"
            message = handoff.Message(sender="visitor", text=text, at=hcl.now())
            return handoff.Conversation(id=cid, channel=channel, transcript=[message], **kw)

        h.request(
            conv("c1", "email", email="ann@example.com"), reason="knowledge_gap", tag="refund"
        )
        h.request(conv("c2", "webchat"))  # awaiting confirmation
        h.request(conv("c3", "webchat"))
        h.confirm("c3", yes=False)  # declined
        h.request(conv("c4", "webchat"))
        h.confirm("c4", yes=True)  # awaiting e-mail
        hcl.advance(timedelta(minutes=2))
        h.request(conv("c5", "webchat", profile_id="p2"))
        h.confirm("c5", yes=True)  # handed off
        message_only = handoff.Handoff(
            settings=handoff.SendMessage(text="Mail us at help@example.com"),
            ledger=ledger,
            customer_data=data,
            clock=hcl,
        )
        message_only.request(conv("c6", "sms", profile_id="p3"))  # message shown
        conversations = ["c1", "c2", "c3", "c4", "c5", "c6"]
        for c in conversations:
            record = ledger.for_conversation(c)
            if record is not None and record.ticket_id is not None:
                ids.append(record.ticket_id)

    meta = dict(META, tickets=ids, conversations=conversations, now=clock.now().isoformat())
    out = readback.read(router, store, data, ledger, meta)
    out["_meta"] = meta
    for closable in (ledger, data, store):
        if closable is not None and hasattr(closable, "close"):
            closable.close()
    return out


def main() -> None:
    kind, where, out_path = sys.argv[1:4]
    src = os.environ.get("PYTHONPATH", "")
    if not src or not os.path.abspath(hr.__file__).startswith(os.path.abspath(src)):
        raise SystemExit(f"helpdesk_routing is {hr.__file__}, not the old code in {src!r}")
    out = populate(kind, where)
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
