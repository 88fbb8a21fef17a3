"""The ``helpdesk-routing`` command: a demo day, rule-set checks, the condition schema.

``helpdesk-routing demo`` replays a day of tickets on the bundled example configuration
(``helpdesk_routing/demo_data``: teams, agents, the four recipe rules, office hours,
customers, tickets) and prints every decision with its explanation, then a summary.
``helpdesk-routing check RULES.json [--teams TEAMS.json]`` validates and lints a rule set.
``helpdesk-routing schema`` prints the JSON Schema of conditions.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any, TextIO

from pydantic import TypeAdapter

from .calendar import OfficeHours
from .clock import ManualClock
from .conditions import condition_json_schema
from .errors import RoutingError, ValidationError
from .model import Agent, Event, Profile, Team, Ticket
from .router import Router
from .rules import RuleSet
from .stores.memory import InMemoryStore
from .stores.memory_customer_data import InMemoryCustomerData

__all__ = ["DemoDay", "load_demo", "main", "run_demo"]


@dataclass(frozen=True)
class DemoDay:
    """The example configuration and the day of tickets the demo replays."""

    agents: list[Agent]
    teams: list[Team]
    rules: RuleSet
    office_hours: OfficeHours
    office_hours_channels: frozenset[str]
    profiles: list[Profile]
    events: list[Event]
    tickets: list[Ticket]
    presence: list[tuple[datetime, str, bool]]


def _read(directory: Path | None, name: str) -> Any:
    if directory is None:
        text = resources.files("helpdesk_routing").joinpath("demo_data", name).read_text("utf-8")
    else:
        text = (directory / name).read_text("utf-8")
    return json.loads(text)


def load_demo(directory: Path | None = None) -> DemoDay:
    """Load the demo configuration: the bundled one, or ``config.json``, ``customers.json``
    and ``tickets.json`` from ``directory``."""
    config = _read(directory, "config.json")
    customers = _read(directory, "customers.json")
    day = _read(directory, "tickets.json")
    when = TypeAdapter(datetime)
    return DemoDay(
        agents=TypeAdapter(list[Agent]).validate_python(config["agents"]),
        teams=TypeAdapter(list[Team]).validate_python(config["teams"]),
        rules=RuleSet.from_dict(config["rules"]),
        office_hours=OfficeHours.model_validate(config["office_hours"]),
        office_hours_channels=frozenset(config.get("office_hours_channels", ["webchat"])),
        profiles=TypeAdapter(list[Profile]).validate_python(customers["profiles"]),
        events=TypeAdapter(list[Event]).validate_python(customers["events"]),
        tickets=TypeAdapter(list[Ticket]).validate_python(day["tickets"]),
        presence=[
            (when.validate_python(p["at"]), p["agent"], bool(p["online"])) for p in day["presence"]
        ],
    )


def run_demo(day: DemoDay, out: TextIO) -> Router:
    """Replay the day in time order through a Router and print what happened."""
    start = min([t.created_at for t in day.tickets] + [p[0] for p in day.presence])
    clock = ManualClock(start)
    router = Router(
        rules=day.rules,
        teams=day.teams,
        store=InMemoryStore(agents=day.agents),
        customer_data=InMemoryCustomerData(profiles=day.profiles, events=day.events),
        clock=clock,
        office_hours=day.office_hours,
        office_hours_channels=day.office_hours_channels,
        round_robin=True,
    )
    moments: list[tuple[datetime, int, object]] = [(p[0], 0, p) for p in day.presence]
    moments += [(t.created_at, 2, t) for t in day.tickets]
    opening = day.office_hours.next_open(start)
    end = max(m[0] for m in moments)
    while opening is not None and opening <= end:
        moments.append((opening, 1, "open"))
        close = day.office_hours.next_close(opening)
        opening = None if close is None else day.office_hours.next_open(close)
    moments.sort(key=lambda m: (m[0], m[1]))

    for at, _, what in moments:
        clock.set(at)
        stamp = at.strftime("%H:%M UTC")
        if isinstance(what, Ticket):
            decision = router.route(what)
            print(f"\n[{stamp}] {what.id} via {what.channel}: {what.subject}", file=out)
            print(decision.explain(), file=out)
        elif isinstance(what, tuple):
            _, agent, online = what
            handed = router.set_online(agent, online=online, actor=agent)
            print(f"\n[{stamp}] {agent} is now {'Online' if online else 'Offline'}", file=out)
            for record in handed:
                print(f"  waiting ticket {record.id} handed to {record.assignee}", file=out)
        else:
            handed = router.assign_waiting()
            print(
                f"\n[{stamp}] office hours open: {len(handed)} waiting ticket(s) handed out",
                file=out,
            )

    _summary(router, day, out)
    return router


def _summary(router: Router, day: DemoDay, out: TextIO) -> None:
    tickets = router.views.all_tickets().items
    per_agent = Counter(r.assignee for r in tickets if r.assignee is not None)
    print("\n== Summary", file=out)
    print(f"{'agent':<10} {'tickets':>7}", file=out)
    for agent in day.agents:
        print(f"{agent.id:<10} {per_agent.get(agent.id, 0):>7}", file=out)
    print(f"{'Unassigned':<22} {len(router.views.unassigned().items):>3}", file=out)
    for team in day.teams:
        print(f"{'team ' + team.id:<22} {len(router.views.team(team.id).items):>3}", file=out)
    views = sorted({v for r in tickets for v in r.views})
    for view in views:
        print(f"{'view ' + repr(view):<22} {len(router.views.saved(view).items):>3}", file=out)


def _check(rules_path: Path, teams_path: Path | None, out: TextIO) -> int:
    rules = RuleSet.from_json(rules_path.read_text("utf-8"))
    teams = None
    if teams_path is not None:
        teams = TypeAdapter(list[Team]).validate_json(teams_path.read_text("utf-8"))
        rules.validate_against(teams)
    issues = rules.lint(teams=teams)
    for issue in issues:
        print(f"warning: {issue}", file=out)
    print(f"{len(rules.rules)} rule(s), {len(issues)} warning(s)", file=out)
    return 0


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Entry point of ``helpdesk-routing``; returns the exit status."""
    out = out or sys.stdout
    parser = argparse.ArgumentParser(prog="helpdesk-routing", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="replay a day of tickets on the example configuration")
    demo.add_argument("--data", type=Path, help="a directory with config/customers/tickets JSON")
    check = sub.add_parser("check", help="validate and lint a rule set")
    check.add_argument("rules", type=Path)
    check.add_argument("--teams", type=Path)
    sub.add_parser("schema", help="print the JSON Schema of conditions")
    args = parser.parse_args(argv)
    try:
        if args.command == "demo":
            run_demo(load_demo(args.data), out)
            return 0
        if args.command == "check":
            return _check(args.rules, args.teams, out)
        print(json.dumps(condition_json_schema(), indent=2), file=out)
        return 0
    except ValidationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except (RoutingError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
