"""Worker processes of the configuration tests: each opens its own store and Router.

Run by ``multiprocessing`` (spawn). A worker's Router is built without configuration
arguments, so it obeys whatever the store holds.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from typing import Any

from helpdesk_routing.clock import SystemClock
from helpdesk_routing.conditions import ticket
from helpdesk_routing.errors import ConflictError
from helpdesk_routing.model import Agent, Role, Team, Ticket
from helpdesk_routing.router import Router
from helpdesk_routing.rules import AssignToTeam, RoutingRule, RuleSet, SaveAsView
from helpdesk_routing.stores.sqlite import SqliteCustomerData
from tests.stores._workers import open_store

MANAGER = Agent(id="m1", role=Role.MANAGER)
TEAMS = (Team(id="sup", members=("a1", "a2")), Team(id="ops", members=("a3",)))
RULE_SETS = (
    RuleSet(),
    RuleSet(
        rules=[
            RoutingRule(
                id="sms", name="SMS", when=ticket("channel") == "sms", then=AssignToTeam(team="sup")
            )
        ]
    ),
    RuleSet(
        rules=[
            RoutingRule(
                id="v", name="View", when=ticket("subject") == "x", then=SaveAsView(view="x")
            ),
            RoutingRule(
                id="sms", name="SMS", when=ticket("channel") == "sms", then=AssignToTeam(team="ops")
            ),
        ]
    ),
)


def router_on(kind: str, target: str) -> tuple[Router, Any, SqliteCustomerData]:
    """A Router over a new connection to the store, from the stored configuration."""
    store = open_store(kind, target)
    data = SqliteCustomerData(":memory:")
    return Router(store=store, customer_data=data, clock=SystemClock()), store, data


def serve(kind: str, target: str, commands: Queue[Any], out: Queue[Any]) -> None:
    """Route the tickets named on ``commands`` (until ``None``); answer with
    (team, assignee, configuration version) for each."""
    router, store, data = router_on(kind, target)
    try:
        out.put("ready")
        while (tid := commands.get()) is not None:
            decision = router.route(Ticket(id=tid, channel="sms", created_at=datetime.now(UTC)))
            version = router.history(tid)[0].detail["configuration_version"]
            out.put((decision.team, decision.assignee, version))
    finally:
        store.close()
        data.close()


def churn(
    kind: str, target: str, name: str, seconds: float, barrier: Barrier, out: Queue[Any]
) -> None:
    """For ``seconds``, reconfigure (one step in five) or route a ticket; report the ids."""
    router, store, data = router_on(kind, target)
    rng = random.Random(name)
    routed: list[str] = []
    try:
        barrier.wait()
        end = time.monotonic() + seconds
        n = 0
        while time.monotonic() < end:
            n += 1
            try:
                if rng.random() < 0.2:
                    router.configure(
                        actor="m1",
                        rules=rng.choice(RULE_SETS),
                        round_robin=rng.random() < 0.8,
                        comment=f"{name}-{n}",
                    )
                else:
                    tid = f"{name}-{n}"
                    channel = rng.choice(["sms", "email"])
                    router.route(
                        Ticket(id=tid, channel=channel, subject="x", created_at=datetime.now(UTC))
                    )
                    routed.append(tid)
            except ConflictError:
                continue  # a lost race (a store lock or two editors): safe to go on
        out.put((name, routed))
    finally:
        store.close()
        data.close()
