"""One Router shared by threads: reconfiguring while others route never raises (issue 10 #8)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from helpdesk_routing.conditions import ticket
from helpdesk_routing.model import Team, Ticket
from helpdesk_routing.rules import AssignToTeam, RoutingRule, RuleSet, decide
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData
from tests.router.conftest import TEAMS, MakeDesk

ROUNDS = 60
SMS_RETENTION = RoutingRule(
    id="sms", name="SMS", when=ticket("channel") == "sms", then=AssignToTeam(team="retention")
)
SMS_NIGHT = RoutingRule(
    id="sms", name="SMS", when=ticket("channel") == "sms", then=AssignToTeam(team="night")
)
NIGHT = Team(id="night", members=("a1",))


def _run(workers: list[Callable[[], None]]) -> list[BaseException]:
    errors: list[BaseException] = []

    def guarded(work: Callable[[], None]) -> None:
        try:
            work()
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_set_teams_and_configure_racing_route_in_threads_never_raise(make_desk: MakeDesk) -> None:
    """Two threads swap teams and rules back and forth while two threads route: no error,
    every ticket is stored, and each is decided exactly as the version its log names."""
    desk = make_desk(rules=RuleSet(rules=[SMS_RETENTION]))
    desk.online("a1", "a2", "a3", "a4")
    router = desk.router
    created = desk.clock.now()

    def reconfigure() -> None:
        for n in range(ROUNDS):
            if n % 2:
                router.set_teams([*TEAMS, NIGHT], actor="m1")
                router.set_rules(RuleSet(rules=[SMS_NIGHT]), actor="m1")
            else:
                router.set_rules(RuleSet(rules=[SMS_RETENTION]), actor="o1")
                router.configure(actor="o1", teams=list(TEAMS), capacity=n % 3 or None)

    def route(prefix: str) -> Callable[[], None]:
        def work() -> None:
            for n in range(ROUNDS):
                router.route(Ticket(id=f"{prefix}{n}", channel="sms", created_at=created))

        return work

    errors = _run([reconfigure, route("x"), route("y")])
    assert [repr(e) for e in errors] == []
    history = {c.version: c for c in router.configuration_history()}
    for prefix in ("x", "y"):
        for n in range(ROUNDS):
            tid = f"{prefix}{n}"
            record = router.ticket(tid)
            version = router.history(tid)[0].detail["configuration_version"]
            used = history[version]
            want = decide(used.rules, used.teams, record.ticket, InMemoryCustomerData(), created)
            assert record.team == want.team, (tid, version)
