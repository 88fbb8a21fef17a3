"""The configuration every process sharing a store obeys: rules, teams and settings.

A :class:`Configuration` is one immutable, versioned value (pydantic, JSON). Stores keep
every version (``Transaction.put_configuration`` appends the next one); the newest is in
force. Versions count 1, 2, 3, ... with no gaps; a rollback is a new version equal in
content to an old one.

The Router never routes from a :class:`Configuration` directly: it routes from a
:class:`CompiledConfiguration` (the teams indexed, the members sorted, the allocator
built), made once per version by :class:`ConfigurationCache` and shared by every thread.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from pydantic import (
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    field_validator,
)
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

from helpdesk_routing._input import CheckedCopy
from helpdesk_routing._json import CONFIGURATION_DEPTH, MAX_INT

from ._sets import SortedSet
from ._storable import StoredText
from ._stored import STORED, is_stored
from ._time import UtcDatetime
from .allocation import Allocator, LeastLoaded, RoundRobin
from .calendar import OfficeHours, json_input
from .errors import ErrorDetail, UnknownAgent, ValidationError, _line
from .model import MAX_CAPACITY, UNORDERED, Team, in_given_order, unordered
from .rules import RoutingRule, RuleSet, rule_id_of
from .rules import listed_rules as _listed

if TYPE_CHECKING:
    from .ports import Transaction

__all__ = [
    "CONTENT_FIELDS",
    "EMPTY_CHANNEL",
    "RULES_TAKE",
    "STORED",
    "AllocatorName",
    "CompiledConfiguration",
    "Configuration",
    "ConfigurationCache",
    "RulesGiven",
    "allocator_name",
    "check_against_agents",
    "content",
    "empty_channel",
    "rule_set_data",
    "same",
    "updated",
]

AllocatorName = Literal["round_robin", "least_loaded"]
"""The allocators a stored configuration can name."""

CONTENT_FIELDS: tuple[str, ...] = (
    "rules",
    "teams",
    "round_robin",
    "office_hours",
    "office_hours_channels",
    "capacity",
    "allocator",
)
"""The fields that make up a configuration's content (not its version, time or author)."""

EMPTY_CHANNEL = "a channel is at least one character, got ''"
"""Why an empty channel is refused in ``office_hours_channels``: no ticket has one
(``Ticket.channel`` needs a character), so binding it binds nothing, and is surely a
mistake. Every entry point says it at ``$.office_hours_channels``, code
``string_too_short``."""


def empty_channel() -> ValidationError:
    """The error of an empty channel in ``office_hours_channels`` given to the Router
    (``configure``, ``Router(...)``) or to ``helpdesk-routing check``."""
    return ValidationError(
        f"office_hours_channels: {EMPTY_CHANNEL}",
        [ErrorDetail("$.office_hours_channels", EMPTY_CHANNEL, "string_too_short")],
    )


RulesGiven = RuleSet | Sequence[RoutingRule | Mapping[str, Any]] | Mapping[str, Any]
"""What ``rules`` takes (``Configuration``, ``Router``, ``configure``): see
:func:`rule_set_data`."""

RULES_AN_ARRAY = 'JSON text writes rules as a rule set, {"rules": [...]}, got an array'
"""Said of a configuration's ``rules`` written as an array in JSON text (a stored
``Configuration``, a ``config.json`` of ``check`` and ``demo --data``), code
``model_type``."""

RULES_TAKE = "rules takes a RuleSet, a list or tuple of rules, or a rule set's JSON data"
"""What ``rules`` takes, said when it is given something else."""


def rule_set_data(rules: Any, info: ValidationInfo) -> Any:
    """``rules`` as a rule set's data: a list or tuple (or another sequence) of rules
    given from Python (:class:`RoutingRule` objects or their JSON data) stands for the
    rule set of those rules, in that order (``{"rules": rules}``, checked as
    ``RuleSet(rules=rules)`` is); a set is refused (its order is the hash seed's, code
    ``unordered_set``); a ``RuleSet`` or a mapping is left to the rule set's own
    validation; anything else (text) is refused, saying what ``rules`` takes. JSON text
    is read as written and as the JSON Schema describes it: its ``rules`` is the rule
    set's object, an array refused (and so is decoded JSON read with
    :data:`~helpdesk_routing.calendar.JSON_INPUT`)."""
    if _listed(rules):
        if json_input(info):
            raise PydanticCustomError("model_type", RULES_AN_ARRAY)
        return {"rules": rules if isinstance(rules, list | tuple) else list(rules)}
    said = unordered("rules", rules)
    if said is not None:
        raise PydanticCustomError(UNORDERED, said)
    if isinstance(rules, RuleSet | Mapping):
        return rules
    raise PydanticCustomError(
        "model_type",
        "{takes}, got {kind} (read JSON text with RuleSet.from_json)",
        {"takes": RULES_TAKE, "kind": type(rules).__name__},
    )


class Configuration(CheckedCopy):
    """One version of the routing configuration, as stored and audited.

    ``version`` is given by the writer as the stored version + 1; ``at`` and ``actor``
    say when and by whom it was written (``actor`` is ``None`` for the first version
    taken from a Router's constructor arguments). ``model_copy(update=...)`` validates
    the copy as ``Configuration(...)`` would (``$.capacity``).

    ``rules`` takes a :class:`RuleSet`, a list or tuple of rules (the rule set of those
    rules) or a rule set's JSON data (:func:`rule_set_data`). A plain string given as
    ``office_hours_channels`` from Python is one channel, as for ``Router(...)``.

    An empty channel in ``office_hours_channels`` is refused
    (:data:`EMPTY_CHANNEL`, at ``$.office_hours_channels``), from Python and from JSON
    alike, except where a store reads back one of its own versions (context
    :data:`STORED`): there it is dropped, so that a version stored before the check
    still reads, with the same effect (an empty channel bound nothing).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    # Its rule set lies one level down: a condition of the greatest depth reads back.
    _json_depth: ClassVar[int] = CONFIGURATION_DEPTH
    _json_rules_key: ClassVar[tuple[str, ...]] = ("rules", "rules")

    # A version lies in signed 64 bits, as every stored integer (the schema says so too).
    version: int = Field(ge=1, le=MAX_INT, strict=True)
    at: UtcDatetime
    actor: StoredText | None = None
    comment: StoredText | None = None
    rules: Annotated[RuleSet, BeforeValidator(rule_set_data)] = Field(
        default_factory=lambda: RuleSet(rules=[])
    )
    teams: Annotated[tuple[Team, ...], in_given_order("teams")] = ()
    round_robin: bool = Field(default=True, strict=True)
    office_hours: OfficeHours | None = None
    office_hours_channels: SortedSet[StoredText] = Field(
        default=frozenset({"webchat"}),
        # The JSON Schema says what _no_empty_channel checks (with its own message).
        json_schema_extra={"items": {"type": "string", "minLength": 1}},
    )
    capacity: int | None = Field(default=None, ge=0, le=MAX_CAPACITY, strict=True)
    allocator: AllocatorName = "round_robin"

    @field_validator("office_hours_channels", mode="before")
    @classmethod
    def _one_channel(cls, channels: Any, info: ValidationInfo) -> Any:
        # A plain string given from Python is one channel, as Router(...), configure and
        # the views' channels= take it (not a set of its characters, not refused); JSON
        # writes the channels as an array, and JSON text (or decoded JSON read with
        # JSON_INPUT: Scenario.from_json, simulate) is read as written.
        if isinstance(channels, str) and not json_input(info):
            return (channels,)
        return channels

    @field_validator("teams", mode="after")
    @classmethod
    def _each_team_once(cls, teams: tuple[Team, ...], info: ValidationInfo) -> tuple[Team, ...]:
        # A team id given twice is refused where the configuration is built, at each
        # repeat (the store's check says the same of one built without validation); a
        # stored configuration reads back as written.
        repeats = () if is_stored(info) else _repeats(teams)
        if repeats:
            problems: list[InitErrorDetails] = [
                {
                    "type": PydanticCustomError(DUPLICATE_TEAM, _listed_twice(teams[i].id)),
                    "loc": (i, "id"),
                    "input": teams[i].id,
                }
                for i in repeats
            ]
            raise PydanticValidationError.from_exception_data(cls.__name__, problems)
        return teams

    @field_validator("teams", mode="wrap")
    @classmethod
    def _repeats_with_other_problems(
        cls, teams: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo
    ) -> tuple[Team, ...]:
        # A team's own problem stops the check above (it runs on the whole tuple): the
        # ids the input gives twice are told with it, read from the input, so that
        # every problem is named at once (as a rule set names a repeated rule id).
        try:
            checked: tuple[Team, ...] = handler(teams)
        except PydanticValidationError as exc:
            found = exc.errors(include_url=False)
            if is_stored(info) or any(e["type"] == DUPLICATE_TEAM for e in found):
                raise
            ids = _given_ids(teams)
            repeats = _repeats_of(ids)
            if not repeats:
                raise
            lines: list[InitErrorDetails] = [_line(e) for e in found]
            lines.extend(
                {
                    "type": PydanticCustomError(DUPLICATE_TEAM, _listed_twice(str(ids[i]))),
                    "loc": (i, "id"),
                    "input": ids[i],
                }
                for i in repeats
            )
            lines.sort(key=lambda line: _team_index(line["loc"]))
            raise PydanticValidationError.from_exception_data(cls.__name__, lines) from None
        return checked

    @field_validator("office_hours_channels", mode="after")
    @classmethod
    def _no_empty_channel(cls, channels: frozenset[str], info: ValidationInfo) -> frozenset[str]:
        if "" not in channels:
            return channels
        if is_stored(info):
            return channels - {""}
        raise PydanticCustomError("string_too_short", EMPTY_CHANNEL)

    @classmethod
    def _input_details(cls, error: PydanticValidationError, data: Any) -> list[ErrorDetail] | None:
        # A problem inside a rule names its rule, as the rule set's loader, Router(...)
        # and configure name it (rule_id, and "rule 'id': " before the message): in JSON
        # form at $.rules.rules[i], from Python at $.rules[i] (a list of rules).
        given = data.get("rules") if isinstance(data, Mapping) else None
        if _listed(given) and not isinstance(given, list | tuple):
            # another sequence (a deque) located as the list it is read as: its items
            # are walked to tell a union's tag from a field (.when.ticket.op)
            data = {**data, "rules": list(given)}
        details = super()._input_details(error, data)
        if details is not None:
            # a capacity out of range in the library's words, as configure says it (in
            # a mapping, or an object read with from_attributes=True)
            capacity = (
                data.get("capacity")
                if isinstance(data, Mapping)
                else getattr(data, "capacity", None)
            )
            details = [_capacity_said(d, capacity) for d in details]
        rules = data.get("rules") if isinstance(data, Mapping) else None
        at = "$.rules["
        if isinstance(rules, Mapping):
            rules, at = rules.get("rules"), "$.rules.rules["
        if details is None or not _listed(rules):
            return details
        errors = error.errors(include_url=False)
        # a rule set's own check names the rule in its message already (ctx "own")
        own = [(e.get("ctx") or {}).get("own") is True for e in errors]
        if len(own) != len(details):  # pragma: no cover - one detail per error
            own = [True] * len(details)
        named = []
        for d, said in zip(details, own, strict=True):
            index = d.path[len(at) :].split("]", 1)[0] if d.path.startswith(at) else ""
            rule = rules[int(index)] if index.isdigit() and int(index) < len(rules) else None
            rule_id = rule_id_of(rule)
            if d.rule_id is None and rule_id is not None:
                message = d.message if said else f"rule {rule_id!r}: {d.message}"
                d = replace(d, rule_id=rule_id, message=message)
            named.append(d)
        return named


def content(configuration: Configuration) -> dict[str, Any]:
    """The configuration's content, field by field: what two versions must share to be
    equal (compare with ``==``; sets compare as sets, whatever their order; see
    :func:`same` for the comparison the Router makes)."""
    return {name: getattr(configuration, name) for name in CONTENT_FIELDS}


def same(name: str, before: Any, after: Any) -> bool:
    """Whether field ``name`` of two contents is the same. Rules are compared as their
    JSON, which is what is stored: to Python ``True == 1``, but a rule on ``true`` is not
    a rule on ``1``; and a rule, condition or destination of a subclass (which no plain
    object read back equals) is the same as the plain one its JSON makes."""
    if name == "rules":
        return bool(before.model_dump_json() == after.model_dump_json())
    return bool(before == after)


def allocator_name(allocator: object) -> AllocatorName | None:
    """The stored name of a built-in allocator object, ``None`` for a custom one."""
    if type(allocator) is RoundRobin:
        return "round_robin"
    if type(allocator) is LeastLoaded:
        return "least_loaded"
    return None


def check_against_agents(
    tx: Transaction,
    configuration: Configuration,
    *,
    rules_given: Any = None,
    version: int | None = None,
) -> None:
    """Raise unless the configuration fits the store: team ids are unique
    (``ValidationError`` at ``$.teams[i].id``, the repeated one), every member is a known
    agent (``UnknownAgent`` naming its team and path, and ``version``, the stored version
    a rollback restores, when given) and every team a rule names exists (``ValidationError`` at
    ``$.rules.rules[i].then.team``). Paths are within the configuration document, as
    ``helpdesk-routing check`` gives them; ``rules_given`` is what the caller gave as
    ``rules``: a list or tuple of rules is that document's ``rules`` itself, so a rule
    of it is at ``$.rules[i]``."""
    teams = configuration.teams
    twice = [
        ErrorDetail(f"$.teams[{i}].id", _listed_twice(teams[i].id), DUPLICATE_TEAM)
        for i in _repeats(teams)
    ]
    if twice:
        raise ValidationError(_twice_message(twice), twice)
    for i, team in enumerate(configuration.teams):
        for j, member in enumerate(team.members):
            if tx.get_agent(member) is None:
                where = f"team {team.id!r}, $.teams[{i}].members[{j}]"
                if version is not None:
                    where += f" of version {version}"
                raise UnknownAgent(member, where=where)
    try:
        configuration.rules.validate_against(configuration.teams)
    except ValidationError as error:
        raise error if _listed(rules_given) else error.under("$.rules") from None


DUPLICATE_TEAM = "duplicate"
"""The ``code`` of a team id given twice (``$.teams[i].id``)."""


def _repeats(teams: Sequence[Team]) -> list[int]:
    """The positions of the teams whose id an earlier team has."""
    return _repeats_of([team.id for team in teams])


def _repeats_of(ids: Sequence[object]) -> list[int]:
    """The positions of the text ids an earlier position has (``None``: no id there)."""
    seen: set[str] = set()
    found: list[int] = []
    for i, team_id in enumerate(ids):
        if not isinstance(team_id, str):
            continue
        if team_id in seen:
            found.append(i)
        seen.add(team_id)
    return found


def _given_ids(teams: Any) -> list[object]:
    """The id each team of the input gives (a mapping's ``"id"``, an object's ``id``), by
    position; ``None`` where there is none (a team without one, teams not in a list)."""
    if not isinstance(teams, list | tuple):
        return []
    return [
        team.get("id") if isinstance(team, Mapping) else getattr(team, "id", None) for team in teams
    ]


def _team_index(loc: Any) -> tuple[int, int]:
    """A line's order: by its team's position, the team's own problems first."""
    first = loc[0] if loc else 0
    return (first if isinstance(first, int) else -1, 1 if tuple(loc[1:]) == ("id",) else 0)


def _listed_twice(team: str) -> str:
    return f"team {team!r} is listed twice"


def _twice_message(details: Sequence[ErrorDetail]) -> str:
    """The message of an error made of repeated team ids only."""
    return details[0].message if len(details) == 1 else "teams are listed twice"


def _only_repeated_teams(details: Sequence[ErrorDetail]) -> bool:
    return bool(details) and all(
        d.code == DUPLICATE_TEAM and _TEAM_ID_PATH.fullmatch(d.path) for d in details
    )


_TEAM_ID_PATH = re.compile(r"\$\.teams\[\d+\]\.id")


_READ_AGAIN: OrderedDict[int, tuple[RuleSet, RuleSet]] = OrderedDict()
"""Rule sets given as objects and read again before a version was written, by the given
object's id (kept with it, so the id names it while it is here): the same object given
again (a simulator's every run, a Router's first start on each new store) is not read and
compiled again. The newest :data:`_READ_AGAIN_SIZE` are kept."""
_READ_AGAIN_SIZE = 16
_READ_AGAIN_LOCK = threading.Lock()


def _read_before(given: object) -> RuleSet | None:
    """The rule set ``given`` was read again as, when this very object was (a frozen
    model: the same object holds the same rules)."""
    if not isinstance(given, RuleSet):
        return None
    with _READ_AGAIN_LOCK:
        kept = _READ_AGAIN.get(id(given))
    return kept[1] if kept is not None and kept[0] is given else None


def _remember_read(given: RuleSet, read: RuleSet) -> None:
    with _READ_AGAIN_LOCK:
        _READ_AGAIN[id(given)] = (given, read)
        _READ_AGAIN.move_to_end(id(given))
        while len(_READ_AGAIN) > _READ_AGAIN_SIZE:
            _READ_AGAIN.popitem(last=False)


def _as_data(item: Any, *, always: bool = False) -> Any:
    """A rule set, rule, team or office hours given as an object, as the data it was
    built from (validated again, as input); anything else as it is, and so is an object
    too deep to be written out (made by ``model_construct``: its own check names it).
    Rules are written out only when one was read back from a store (``_read_back``) or
    ``always`` (a version about to be stored): the others passed the input rules when
    they were made, and checking a hundred again cost a Router's every start five
    milliseconds."""
    if not isinstance(item, RuleSet | RoutingRule | Team | OfficeHours):
        return item
    checked_rules = (
        isinstance(item, RuleSet) and not any(_read_back(rule) for rule in item.rules)
    ) or (isinstance(item, RoutingRule) and not _read_back(item))
    if checked_rules and not always:
        return item
    try:
        return item.model_dump(warnings=False)  # a constructed part: its check names it
    except ValueError:  # "Maximum serialization depth exceeded"
        return item


def _read_back(rule: RoutingRule) -> bool:
    """Whether ``rule`` was read back from a store (its mark, in its private slot)."""
    private = rule.__pydantic_private__
    return bool(private and private.get("_read_back"))


@dataclass(frozen=True, slots=True)
class CompiledConfiguration:
    """A configuration ready to route with; immutable, so threads share it safely.

    ``members`` maps a team id to its members in ascending order (a team pool's order);
    ``allocator`` is the stored allocator, or the Router's own custom one.
    """

    configuration: Configuration
    team_by_id: Mapping[str, Team]
    members: Mapping[str, tuple[str, ...]]
    allocator: Allocator
    version: int = field(init=False)
    """The configuration version (``0`` for the empty configuration of an empty store);
    a field, not a property: a route reads it half a dozen times."""
    teams_of: Mapping[str, tuple[str, ...]] = field(init=False)
    """Agent id -> the teams it is a member of, in the order of ``members``: an agent
    coming Online walks its own teams' pools without testing every team's members."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "version", self.configuration.version)
        teams_of: dict[str, list[str]] = {}
        for team, members in self.members.items():
            for member in members:
                teams_of.setdefault(member, []).append(team)
        object.__setattr__(self, "teams_of", {a: tuple(t) for a, t in teams_of.items()})

    @classmethod
    def of(
        cls, configuration: Configuration, *, allocator: Allocator | None = None
    ) -> CompiledConfiguration:
        """Index a configuration; ``allocator`` (a custom one) replaces the stored name."""
        if allocator is None:
            allocator = RoundRobin() if configuration.allocator == "round_robin" else LeastLoaded()
        return cls(
            configuration=configuration,
            team_by_id={t.id: t for t in configuration.teams},
            members={t.id: tuple(sorted(t.members)) for t in configuration.teams},
            allocator=allocator,
        )


class ConfigurationCache:
    """Compiled configurations by version, the newest few kept; safe to share between threads.

    A version's content never changes once stored, so a compiled version is valid for
    as long as the store lives. ``custom`` is a Router's custom allocator, used by every
    version compiled here.
    """

    def __init__(self, *, size: int = 8, custom: Allocator | None = None) -> None:
        self._size = size
        self._custom = custom
        self._lock = threading.Lock()
        self._by_version: OrderedDict[int, CompiledConfiguration] = OrderedDict()

    def get(self, version: int) -> CompiledConfiguration | None:
        """The compiled version, if cached."""
        with self._lock:
            found = self._by_version.get(version)
            if found is not None:
                self._by_version.move_to_end(version)
            return found

    def put(self, configuration: Configuration) -> CompiledConfiguration:
        """Compile and keep a configuration (the one already kept for its version wins)."""
        compiled = CompiledConfiguration.of(configuration, allocator=self._custom)
        with self._lock:
            kept = self._by_version.setdefault(configuration.version, compiled)
            self._by_version.move_to_end(configuration.version)
            while len(self._by_version) > self._size:
                dropped = self._by_version.popitem(last=False)[1].configuration.rules
                # Its compiled rules go with it: they live on the rule set, which the
                # in-memory store keeps for ever (every version's, 70 KB for 10 rules).
                if all(c.configuration.rules is not dropped for c in self._by_version.values()):
                    dropped._forget_prepared()
            return kept

    def load(self, tx: Transaction, version: int) -> CompiledConfiguration | None:
        """The compiled version, read from ``tx`` when not cached (``None``: not stored)."""
        found = self.get(version)
        if found is not None:
            return found
        stored = tx.configuration(version)
        return None if stored is None else self.put(stored)


def updated(
    base: Configuration,
    changes: Mapping[str, Any],
    *,
    version: int,
    as_input: bool = True,
    written: bool = False,
    **meta: Any,
) -> Configuration:
    """A new version: ``base``'s content with ``changes`` applied, validated as a whole.

    ``changes`` are input (``as_input``): checked as input even when they are objects
    read back from a store, where the rules only for input pass (a 300-character view
    name), so that one check holds whether the rules, teams or office hours come as
    objects or as their data. A rollback's changes are a stored version's content, kept
    as it was stored (``as_input=False``). ``written``: the version is about to be
    stored, so rules given as objects are read again from their data too (one made by
    ``model_construct`` skipped every check, and a store could not read the version
    back); a version only compared with the stored one skips that."""
    data: dict[str, Any] = {name: getattr(base, name) for name in CONTENT_FIELDS}
    data.update(changes)
    rules: Any = changes.get("rules")
    read_before = _read_before(rules) if written and as_input else None
    if read_before is not None:
        data["rules"] = rules = read_before  # this very object was read again already
    elif as_input:
        if isinstance(rules, RuleSet):
            rules = _as_data(rules, always=written)
        elif _listed(rules):
            rules = [_as_data(rule, always=written) for rule in rules]
        if "teams" in changes and _listed(changes["teams"]):
            data["teams"] = [_as_data(team) for team in changes["teams"]]
        if isinstance(changes.get("office_hours"), OfficeHours):
            data["office_hours"] = _as_data(changes["office_hours"])
    problems: list[ErrorDetail] = []
    if isinstance(rules, Mapping) or _listed(rules):
        # Rules sent as a document are read by the rule set's own loader: its errors
        # carry clean JSON paths (no union tags) and the rule ids, under "$.rules"; a
        # list of rules is the rule set of them (rule_set_data), and the path of a rule
        # in it, "$.rules[1]", is the loader's own.
        try:
            data["rules"] = RuleSet.from_dict({"rules": rules} if _listed(rules) else rules)
            if written and isinstance(changes.get("rules"), RuleSet):
                _remember_read(changes["rules"], data["rules"])
        except ValidationError as error:
            found = error if _listed(rules) else error.under("$.rules")
            problems.extend(found.details)
            # the rest is checked all the same, every problem told at once (without
            # rules, which would name teams the bad ones do not)
            data["rules"] = RuleSet()
    given = {**data, **meta, "version": version}
    try:
        checked = Configuration.model_validate(given)
    except PydanticValidationError as exc:
        refused = ValidationError.from_pydantic("configuration", exc, data=given)
        details = [_capacity_said(d, given.get("capacity")) for d in refused.details]
        if problems:
            raise ValidationError("invalid configuration", [*problems, *details]) from None
        if _only_repeated_teams(details):
            # said as the store's check says it: "team 'x' is listed twice"
            raise ValidationError(_twice_message(details), details) from None
        if details == list(refused.details):
            raise refused from None
        message = details[0].message if len(details) == 1 else refused.message
        raise ValidationError(message, details) from None
    if problems:
        raise ValidationError("invalid configuration", problems)
    return checked


def _capacity_said(detail: ErrorDetail, capacity: object) -> ErrorDetail:
    """``detail``, or the library's own words for a capacity below 0 (every door says it
    alike: ``configure``, ``Router(...)``, ``Configuration`` and its JSON, so ``check``);
    above :data:`~helpdesk_routing.model.MAX_CAPACITY` in pydantic's, as an agent's."""
    if detail.path == "$.capacity" and detail.code == "greater_than_equal":
        return replace(detail, message=f"capacity must be at least 0, got {capacity}")
    return detail
