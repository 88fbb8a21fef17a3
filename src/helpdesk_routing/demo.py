"""The demo day: the bundled example configuration, replayed through a Router.

``helpdesk-routing demo`` runs it; :func:`load_demo` reads the bundled data
(``helpdesk_routing/demo_data``: teams, agents, the four recipe rules, office hours,
customers, tickets, presence) or the same three files from a directory, and
:func:`run_demo` replays the day in time order and prints every decision.
:func:`check_config` is the demo's rule for how ``config.json``'s agents, teams and rules
fit together (``helpdesk-routing check`` applies it too).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any, TextIO, TypeVar

import pydantic

from ._files import read_input
from ._input import listed_twice
from ._json import loads
from ._parts import EveryPart, part
from ._shown import shown
from ._storable import StoredText
from ._time import UtcDatetime
from .calendar import OfficeHours
from .clock import ManualClock
from .configuration import empty_channel
from .errors import ErrorDetail, UnknownAgent, ValidationError, json_path
from .model import Agent, Event, Profile, Team, Ticket, TicketStatus
from .records import TicketRecord
from .router import Router
from .rules import RuleSet, check_team_ids
from .stores.memory import InMemoryStore
from .stores.memory_customer_data import InMemoryCustomerData

__all__ = ["DemoDay", "check_config", "demo_outcome", "load_demo", "run_demo"]


@dataclass(frozen=True)
class DemoDay:
    """The example configuration and the day of tickets the demo replays."""

    agents: list[Agent]
    teams: list[Team]
    rules: RuleSet
    office_hours: OfficeHours | None
    office_hours_channels: frozenset[str]
    profiles: list[Profile]
    events: list[Event]
    tickets: list[Ticket]
    presence: list[tuple[datetime, str, bool]]


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
"""The clock's start on a day without tickets or presence changes (nothing happens then)."""


_MEMBERS = {
    "config.json": ("agents", "teams", "rules", "office_hours", "office_hours_channels"),
    "customers.json": ("profiles", "events"),
    "tickets.json": ("day", "presence", "tickets"),
}
"""The members each demo file may hold (``day`` names the day, for its reader)."""


M = TypeVar("M", bound=pydantic.BaseModel)


def _read(directory: Path | None, name: str) -> tuple[Any, ValidationError | None]:
    """The file's JSON, and the error of its unknown members (told with the problems of
    its parts, which are read all the same)."""
    if directory is None:
        raw = resources.files("helpdesk_routing").joinpath("demo_data", name).read_bytes()
    else:
        raw = read_input(directory / name)
    document = loads(raw, name)
    # A misspelled member ("presense", "office_hours_chanels") would be ignored and the
    # day replayed without it; ``check`` refuses the same file the same way.
    if isinstance(document, dict):
        unknown = sorted(set(document) - set(_MEMBERS[name]))
        if unknown:
            return document, ValidationError(
                f"invalid {name}",
                [ErrorDetail(json_path([k]), "unknown member", "extra_forbidden") for k in unknown],
            )
    return document, None


def parsed_items(document: Any, key: str, kind: type[M]) -> list[tuple[int, M]]:
    """The items of the list ``document[key]`` that are valid ``kind``, each with its
    index: what parts that fit together can be checked on when another item is bad."""
    items = document.get(key) if isinstance(document, dict) else None
    if not isinstance(items, list):
        return []
    found: list[tuple[int, M]] = []
    for i, item in enumerate(items):
        try:
            found.append((i, kind.model_validate(item)))
        except pydantic.ValidationError:
            continue
    return found


class _Presence(pydantic.BaseModel):
    """One presence change of the demo day: ``{"at", "agent", "online"}``."""

    model_config = pydantic.ConfigDict(extra="forbid")

    at: UtcDatetime
    agent: StoredText = pydantic.Field(min_length=1)
    online: bool = pydantic.Field(strict=True)


def check_config(
    agents: Sequence[Agent] | None,
    teams: Sequence[Team],
    rules: RuleSet | None,
    *,
    what: str = "config.json",
    at: Sequence[int] | None = None,
    ids: Sequence[object] | None = None,
) -> None:
    """Raise :class:`~helpdesk_routing.errors.ValidationError` (``invalid <what>``) unless
    the parts of a demo ``config.json`` fit together: agent ids and team ids are unique,
    every team member is one of the ``agents`` (not checked when ``agents`` is ``None``:
    a file without agents), every team a rule names exists (not checked when ``rules``
    is ``None``). Each problem is named by its path in the file
    (``$.teams[0].members[2]: unknown agent 'ghost'``). ``at``: the teams' indexes in
    the file, when they are only its valid ones (another one is bad); ``ids``, then, the
    id each team of the file gives, by index (``None`` where it gives none that is text):
    a repeat is told among them all, and the rules are checked against them when every
    team gives one (the valid teams alone would call a bad one's id unknown)."""
    details = listed_twice([(i, a.id) for i, a in enumerate(agents or ())], "$.agents", "agent")
    known = {agent.id for agent in agents or ()}
    positions = range(len(teams)) if at is None else at
    given = (
        list(enumerate(ids))
        if ids is not None
        else [(i, t.id) for i, t in zip(positions, teams, strict=True)]
    )
    details += listed_twice(given, "$.teams", "team")
    team_ids = {team_id for _, team_id in given if isinstance(team_id, str)}
    for i, team in zip(positions, teams, strict=True):
        details += [
            ErrorDetail(f"$.teams[{i}].members[{j}]", str(UnknownAgent(m)), "unknown_agent")
            for j, m in enumerate(team.members)
            if agents is not None and m not in known
        ]
    if rules is not None and (at is None or all(isinstance(i, str) for _, i in given)):
        try:
            check_team_ids(rules, team_ids)
        except ValidationError as exc:
            details += exc.under("$.rules").details
    if details:
        raise ValidationError(f"invalid {what}", details)


def check_parts(
    parts: EveryPart,
    document: Any,
    agents: Sequence[Agent] | None,
    teams: Sequence[Team] | None,
    rules: RuleSet | None,
    *,
    what: str = "config.json",
) -> None:
    """:func:`check_config` on the parts that were read, its error kept in ``parts``:
    how the teams fit the agents and the rules is told with the parts' own problems (the
    teams that are valid, each at its index, when another one is not)."""
    if teams is not None:
        parts.read(lambda: check_config(agents, teams, rules, what=what))
        return
    valid = parsed_items(document, "teams", Team)
    given = document.get("teams") if isinstance(document, dict) else None
    if isinstance(given, list):
        at = [i for i, _ in valid]
        listed = [team for _, team in valid]
        ids = [t.get("id") if isinstance(t, dict) else None for t in given]
        parts.read(lambda: check_config(agents, listed, rules, what=what, at=at, ids=ids))


def _check_day(day: Any, agents: Sequence[Agent] | None) -> None:
    """Raise unless the day fits the configuration: ticket ids are unique (a ticket arrives
    once) and every presence change is of a known agent (not checked when the agents are
    unknown: their part is bad). Read from the valid items, so that a bad one hides
    nothing of the others."""
    details: list[ErrorDetail] = []
    seen: set[str] = set()
    for i, ticket in parsed_items(day, "tickets", Ticket):
        if ticket.id in seen:
            details.append(
                ErrorDetail(
                    f"$.tickets[{i}].id", f"ticket {ticket.id!r} is listed twice", "duplicate"
                )
            )
        seen.add(ticket.id)
    known = None if agents is None else {a.id for a in agents}
    details += [
        ErrorDetail(f"$.presence[{i}].agent", str(UnknownAgent(p.agent)), "unknown_agent")
        for i, p in parsed_items(day, "presence", _Presence)
        if known is not None and p.agent not in known
    ]
    if details:
        raise ValidationError("invalid tickets.json", details)


def _check_customers(customers: Any) -> None:
    """Raise unless each profile id is listed once (a second profile would replace the
    first, and change the routing, without a word). Read from the valid items."""
    items = parsed_items(customers, "profiles", Profile)
    details = listed_twice([(i, p.id) for i, p in items], "$.profiles", "profile", name="profiles")
    if details:
        raise ValidationError("invalid customers.json", details)


def load_demo(directory: Path | None = None) -> DemoDay:
    """Load the demo configuration: the bundled one, or ``config.json``, ``customers.json``
    and ``tickets.json`` from ``directory``. Bad content raises
    :class:`~helpdesk_routing.errors.ValidationError` naming the file and the JSON path:
    malformed parts, and parts that do not fit together (see :func:`check_config`; a
    profile or ticket id listed twice; a presence change of an unknown agent)."""
    config, config_members = _read(directory, "config.json")
    customers, customers_members = _read(directory, "customers.json")
    day, day_members = _read(directory, "tickets.json")
    # Every part read, and the problems of the first file that has any told at once (the
    # first bad part's alone was told, a run at a time): its unknown members, its parts'
    # own problems, then how its parts fit together.
    parts = EveryPart()
    each = parts.read
    parts.errors += [config_members] if config_members is not None else []

    channels = each(
        lambda: part(config, "config.json", "office_hours_channels", list[StoredText], ["webchat"])
    )
    given = config.get("office_hours_channels") if isinstance(config, dict) else None
    if isinstance(given, list) and "" in given:  # named in its file, as check does, also
        # beside another bad channel (the list refused, it was not named)
        parts.errors.append(ValidationError("invalid config.json", empty_channel().details))
    # What the file leaves out (or, office hours, gives as null) is the Router's default,
    # as check reads the same file: no teams, no office hours (always open). The agents
    # are needed (the demo's store has no others; check has them checked when listed).
    agents: list[Agent] = each(lambda: part(config, "config.json", "agents", list[Agent]))
    teams: list[Team] = each(lambda: part(config, "config.json", "teams", list[Team], []))
    rules: RuleSet = each(lambda: part(config, "config.json", "rules", RuleSet))
    office_hours: OfficeHours | None = each(
        lambda: (
            None
            if isinstance(config, dict) and config.get("office_hours") is None
            else part(config, "config.json", "office_hours", OfficeHours)
        )
    )
    check_parts(parts, config, agents, teams, rules)
    parts.errors += [customers_members] if customers_members is not None else []
    profiles = each(lambda: part(customers, "customers.json", "profiles", list[Profile]))
    events = each(lambda: part(customers, "customers.json", "events", list[Event]))
    each(lambda: _check_customers(customers))
    parts.errors += [day_members] if day_members is not None else []
    presence: list[_Presence] = each(lambda: part(day, "tickets.json", "presence", list[_Presence]))
    tickets: list[Ticket] = each(lambda: part(day, "tickets.json", "tickets", list[Ticket]))
    each(lambda: _check_day(day, agents))
    parts.told()
    return DemoDay(
        agents=agents,
        teams=teams,
        rules=rules,
        office_hours=office_hours,
        office_hours_channels=frozenset(channels),
        profiles=profiles,
        events=events,
        tickets=tickets,
        presence=[(p.at, p.agent, p.online) for p in presence],
    )


def run_demo(day: DemoDay, out: TextIO) -> Router:
    """Replay the day in time order through a Router and print what happened (an empty
    day, without tickets or presence changes, prints only the summary, all zeros)."""
    start = min([t.created_at for t in day.tickets] + [p[0] for p in day.presence], default=_EPOCH)
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
    hours = day.office_hours  # None: always open, nothing waits for an opening
    opening = hours.next_open(start) if moments and hours is not None else None
    end = max((m[0] for m in moments), default=start)
    while hours is not None and opening is not None and opening <= end:
        moments.append((opening, 1, "open"))
        close = hours.next_close(opening)
        opening = None if close is None else hours.next_open(close)
    moments.sort(key=lambda m: (m[0], m[1]))

    for at, _, what in moments:
        clock.set(at)
        stamp = at.strftime("%H:%M UTC")
        if isinstance(what, Ticket):
            decision = router.route(what)
            subject = shown(what.subject)
            print(f"\n[{stamp}] {shown(what.id)} via {shown(what.channel)}: {subject}", file=out)
            print(decision.explain(), file=out)
        elif isinstance(what, tuple):
            _, agent, online = what
            handed = router.set_online(agent, online=online, actor=agent)
            state = "Online" if online else "Offline"
            print(f"\n[{stamp}] {shown(agent)} is now {state}", file=out)
            for record in handed:
                given = f"{shown(record.id)} handed to {shown(record.assignee or '')}"
                print(f"  waiting ticket {given}", file=out)
        else:
            handed = router.assign_waiting()
            print(
                f"\n[{stamp}] office hours open: {len(handed)} waiting ticket(s) handed out",
                file=out,
            )

    _summary(router, day, out)
    return router


def _every_ticket(router: Router) -> list[TicketRecord]:
    # Views show open tickets by default; the demo accounts for every ticket of the day.
    return list(router.views.all_tickets(statuses=None).items)


def _summary(router: Router, day: DemoDay, out: TextIO) -> None:
    """Per agent, team and view, the tickets of the day whatever their status; Unassigned
    counts the open tickets still waiting; a line per other status when there are any."""
    tickets = _every_ticket(router)
    per_agent = Counter(r.assignee for r in tickets if r.assignee is not None)
    per_team = Counter(r.team for r in tickets)
    per_view = Counter(v for r in tickets for v in r.views)
    per_status = Counter(r.status for r in tickets)
    print("\n== Summary", file=out)
    print(f"{'agent':<10} {'tickets':>7}", file=out)
    for agent in day.agents:
        print(f"{shown(agent.id):<10} {per_agent.get(agent.id, 0):>7}", file=out)
    print(f"{'Unassigned':<22} {len(router.views.unassigned().items):>3}", file=out)
    for status in (TicketStatus.PENDING, TicketStatus.CLOSED):
        if per_status[status]:
            print(f"{status.value.capitalize():<22} {per_status[status]:>3}", file=out)
    for team in day.teams:
        print(f"{'team ' + shown(team.id):<22} {per_team[team.id]:>3}", file=out)
    for view in sorted(per_view):
        print(f"{'view ' + repr(view):<22} {per_view[view]:>3}", file=out)


def demo_outcome(router: Router, day: DemoDay) -> dict[str, Any]:
    """Where every ticket of the day ended, whatever its status (closed ones included),
    per-agent counts and the count of open tickets still unassigned (what
    ``helpdesk-routing demo --json`` prints)."""
    tickets = _every_ticket(router)
    per_agent = Counter(r.assignee for r in tickets if r.assignee is not None)
    return {
        "tickets": [
            {
                "id": r.id,
                "status": r.status.value,
                "team": r.team,
                "assignee": r.assignee,
                "views": sorted(r.views),
            }
            for r in sorted(tickets, key=lambda r: r.id)
        ],
        "per_agent": {a.id: per_agent.get(a.id, 0) for a in day.agents},
        "unassigned": len(router.views.unassigned().items),
    }
