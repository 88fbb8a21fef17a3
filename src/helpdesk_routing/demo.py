"""The demo day: the bundled example configuration, replayed through a Router.

``helpdesk-routing demo`` runs it; :func:`load_demo` reads the bundled data
(``helpdesk_routing/demo_data``: teams, agents, the four recipe rules, office hours,
customers, tickets, presence) or the same three files from a directory, and
:func:`run_demo` replays the day in time order and prints every decision.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any, TextIO

import pydantic

from ._json import loads
from ._parts import part
from ._storable import StoredText
from ._time import UtcDatetime
from .calendar import OfficeHours
from .clock import ManualClock
from .model import Agent, Event, Profile, Team, Ticket
from .router import Router
from .rules import RuleSet
from .stores.memory import InMemoryStore
from .stores.memory_customer_data import InMemoryCustomerData

__all__ = ["DemoDay", "demo_outcome", "load_demo", "run_demo"]


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
        raw = resources.files("helpdesk_routing").joinpath("demo_data", name).read_bytes()
    else:
        raw = (directory / name).read_bytes()
    return loads(raw, name)


class _Presence(pydantic.BaseModel):
    """One presence change of the demo day: ``{"at", "agent", "online"}``."""

    model_config = pydantic.ConfigDict(extra="forbid")

    at: UtcDatetime
    agent: StoredText = pydantic.Field(min_length=1)
    online: bool = pydantic.Field(strict=True)


def load_demo(directory: Path | None = None) -> DemoDay:
    """Load the demo configuration: the bundled one, or ``config.json``, ``customers.json``
    and ``tickets.json`` from ``directory``. Bad content raises
    :class:`~helpdesk_routing.errors.ValidationError` naming the file and the JSON path."""
    config = _read(directory, "config.json")
    customers = _read(directory, "customers.json")
    day = _read(directory, "tickets.json")
    presence: list[_Presence] = part(day, "tickets.json", "presence", list[_Presence])
    channels = part(config, "config.json", "office_hours_channels", list[StoredText], ["webchat"])
    return DemoDay(
        agents=part(config, "config.json", "agents", list[Agent]),
        teams=part(config, "config.json", "teams", list[Team]),
        rules=part(config, "config.json", "rules", RuleSet),
        office_hours=part(config, "config.json", "office_hours", OfficeHours),
        office_hours_channels=frozenset(channels),
        profiles=part(customers, "customers.json", "profiles", list[Profile]),
        events=part(customers, "customers.json", "events", list[Event]),
        tickets=part(day, "tickets.json", "tickets", list[Ticket]),
        presence=[(p.at, p.agent, p.online) for p in presence],
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


def demo_outcome(router: Router, day: DemoDay) -> dict[str, Any]:
    """Where every ticket of the day ended, per-agent counts and the unassigned count
    (what ``helpdesk-routing demo --json`` prints)."""
    tickets = router.views.all_tickets().items
    per_agent = Counter(r.assignee for r in tickets if r.assignee is not None)
    return {
        "tickets": [
            {
                "id": r.id,
                "team": r.team,
                "assignee": r.assignee,
                "views": sorted(r.views),
            }
            for r in sorted(tickets, key=lambda r: r.id)
        ],
        "per_agent": {a.id: per_agent.get(a.id, 0) for a in day.agents},
        "unassigned": len(router.views.unassigned().items),
    }
