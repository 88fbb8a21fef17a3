"""The ``helpdesk-routing`` command: a demo day, configuration checks, JSON Schemas,
metrics reports (``report``, :mod:`helpdesk_routing.metrics_cli`) and policy simulations
(``simulate``, :mod:`helpdesk_routing.simulation.cli`).

``helpdesk-routing demo [--data DIR] [--json]`` replays a day of tickets on the bundled
example configuration (``helpdesk_routing/demo_data``) and prints every decision with its
explanation, then a summary. ``helpdesk-routing check FILE [--teams TEAMS.json] [--json]``
validates and lints a rule set, or a whole configuration file (the demo's
``config.json``, or a stored :class:`~helpdesk_routing.configuration.Configuration`).
``helpdesk-routing schema [NAME]`` prints a JSON Schema (``condition`` by default).

Exit status: ``0`` success (warnings included); ``1`` invalid input (the file was read
but its content is not valid); ``2`` usage (bad arguments, a file that cannot be read, a
missing optional extra). Errors are one message on stderr (with ``--json``, a JSON object
on stdout), never a traceback.

Subcommands are a registry (:data:`SUBCOMMANDS`): each is a :class:`Subcommand` found by
its ``"module:attribute"`` path and imported only when the command line is parsed, so
another module adds one with one line there (or with :func:`register` at run time).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import json
import os
import re
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from pydantic import TypeAdapter

from . import __version__
from ._console import console
from ._files import read_input
from ._input import listed_twice
from ._json import CONFIGURATION_DEPTH, decode_utf8, loads
from ._parts import EveryPart, rule_set, validated
from ._shown import shown
from ._storable import StoredText
from .calendar import OfficeHours
from .demo import (
    DemoDay,
    check_config,
    check_parts,
    demo_outcome,
    load_demo,
    run_demo,
)
from .errors import (
    ArgumentTypeError,
    ErrorDetail,
    MissingExtra,
    PermissionDenied,
    RoutingError,
    ValidationError,
    json_path,
)
from .model import Agent, Team
from .rules import RuleSet

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

__all__ = [
    "EXIT_INVALID",
    "EXIT_OK",
    "EXIT_USAGE",
    "SUBCOMMANDS",
    "DemoDay",
    "Subcommand",
    "fail",
    "in_file",
    "load_demo",
    "main",
    "register",
    "run_demo",
    "to_devnull",
]

EXIT_OK = 0
"""The command did its work (a check with warnings included)."""
EXIT_INVALID = 1
"""The input was read but is not valid (a rule set, configuration or team list)."""
EXIT_USAGE = 2
"""Bad arguments, a file that cannot be read, or a missing optional extra."""
EXIT_BROKEN_PIPE = 141
"""The reader of the output went away (``helpdesk-routing ... | head``): 128 + SIGPIPE,
what a shell reports of a program that a broken pipe ended. Nothing is printed."""
EXIT_INTERRUPTED = 130
"""Ctrl-C (SIGINT) stopped the command: 128 + 2, as a shell reports it."""
EXIT_TERMINATED = 143
"""SIGTERM (``kill``, ``timeout``, a cancelled CI job) stopped the command: 128 + 15."""


def to_devnull(out: TextIO) -> None:
    """Point ``out``'s file descriptor at ``os.devnull``: what is left in its buffer is
    written there when Python flushes it at exit, instead of raising ``BrokenPipeError``
    again (``Exception ignored ... BrokenPipeError``). Nothing for a stream without one."""
    try:
        fd = out.fileno()
    except (AttributeError, OSError, ValueError):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)


def to_stderr(text: str, stream: TextIO | None = None) -> None:
    """Print ``text`` on stderr (``stream``, a subcommand's own, when given); a stderr
    that cannot be written (its reader gone, a full device) leaves nobody to tell, and
    the exit status says it all: it is pointed at ``os.devnull`` (an ``OSError`` here got
    out of ``main`` and Python exited 1, "invalid input", for a usage error; ``simulate``
    exited 2 for an invalid scenario)."""
    err = sys.stderr if stream is None else stream
    try:
        print(text, file=err)
        err.flush()
    except OSError:
        to_devnull(err)


class UsageError(RoutingError):
    """A subcommand was used wrongly (exit status 2)."""


@dataclass(frozen=True)
class Subcommand:
    """One ``helpdesk-routing`` subcommand.

    ``configure`` adds its arguments to the subparser; ``run`` does the work with the
    parsed arguments and the output stream and returns the exit status. ``run`` may raise
    :class:`~helpdesk_routing.errors.ValidationError` (exit 1), ``OSError`` or
    :class:`~helpdesk_routing.errors.MissingExtra` (exit 2), or any other
    :class:`~helpdesk_routing.errors.RoutingError` (exit 1): :func:`main` prints them.
    """

    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace, TextIO], int]


SUBCOMMANDS: list[str] = [
    "helpdesk_routing.cli:DEMO",
    "helpdesk_routing.cli:CHECK",
    "helpdesk_routing.cli:SCHEMA",
    "helpdesk_routing.metrics_cli:REPORT",
    "helpdesk_routing.simulation.cli:SIMULATE",
]
"""Where the subcommands live, ``"module:attribute"``, in the order ``--help`` lists them.
Wiring in another module's subcommand is one line here, e.g.
``"helpdesk_routing.metrics_cli:REPORT"``."""

_REGISTERED: list[Subcommand] = []


def register(command: Subcommand) -> None:
    """Add a subcommand at run time (after those of :data:`SUBCOMMANDS`).

    A name the command has already (``report``, or the same subcommand registered
    twice) is a :class:`~helpdesk_routing.errors.ValidationError` naming it, and nothing
    is registered: argparse would take it and then refuse every command line, even
    ``--version``, with a traceback."""
    if not isinstance(command, Subcommand):
        raise ArgumentTypeError(f"register takes a Subcommand, got {command!r}")
    taken = [c.name for c in _subcommands()]
    if command.name in taken:
        raise ValidationError(
            f"a subcommand named {command.name!r} exists already; "
            f"give yours another name (taken: {', '.join(taken)})"
        )
    _REGISTERED.append(command)


def _subcommands() -> list[Subcommand]:
    found: list[Subcommand] = []
    for where in SUBCOMMANDS:
        module, _, attribute = where.partition(":")
        command = getattr(importlib.import_module(module), attribute)
        if not isinstance(command, Subcommand):
            raise TypeError(f"{where} is not a Subcommand")
        found.append(command)
    return found + _REGISTERED


def _run_demo(args: argparse.Namespace, out: TextIO) -> int:
    day = load_demo(args.data)
    if args.json:
        router = run_demo(day, io.StringIO())
        print(json.dumps(demo_outcome(router, day), indent=2), file=out)
    else:
        run_demo(day, out)
    return EXIT_OK


def _configure_demo(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", type=Path, help="a directory with config/customers/tickets JSON")
    parser.add_argument("--json", action="store_true", help="print the outcome as JSON")


DEMO = Subcommand(
    "demo", "replay a day of tickets on the example configuration", _configure_demo, _run_demo
)
"""``helpdesk-routing demo``."""


def _read_json(path: Path, what: str) -> Any:
    # A configuration is the deepest document read here (its rule set one level down).
    return loads(read_input(path), what, depth=CONFIGURATION_DEPTH)


def _read_checked(path: Path) -> Any:
    """The file ``check`` reads, as :func:`_read_json` reads it. Its JSON problems are told
    as the document's loader tells them: a bare rule set's as ``RuleSet.from_json`` does
    (its heading, its depth limit, one level less than a configuration's, each problem
    in a rule naming it), a configuration's naming the rules of ``$.rules.rules``."""
    raw = read_input(path)
    try:
        return loads(raw, "document", depth=CONFIGURATION_DEPTH)
    except ValidationError as error:
        data = _leniently(raw)
        if data is None:
            raise
        if not _is_configuration(data):
            RuleSet.from_json(raw)  # raises: the rule set's own error
            raise  # pragma: no cover - the same checks, with the rule set's limit
        rules = data.get("rules")
        # titled as every other problem of a configuration file is ("invalid document"
        # was the reader's word for a file it could not tell)
        retitled = ValidationError("invalid configuration", error.details)
        raise retitled.with_rule_ids(
            rules.get("rules") if isinstance(rules, dict) else None,
            say=True,
            at="$.rules.rules[",
        ) from None


def _leniently(raw: bytes) -> dict[str, Any] | None:
    """The object a file refused by the strict reader holds, read leniently, to tell what
    it is (a configuration or a bare rule set); one nested too deep for Python's parser
    by its top-level members alone (:func:`_top_members`). ``None`` when it is no object."""
    try:
        text = decode_utf8(raw)
    except ValidationError:
        return None
    try:
        data = json.loads(text)
    except RecursionError:
        return _top_members(text)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[{}\[\],:]')
"""A JSON text's strings and structural characters (what :func:`_top_members` reads). A
string left open runs to the text's end, one token: read as unclosed, it was tried again
from each of its quotes, a time quadratic in its length (minutes for 100,000 characters)."""


def _top_members(text: str) -> dict[str, Any] | None:
    """The members of the object JSON text holds, read without recursion (at any depth):
    each value ``{}`` when it is an object, ``[]`` when an array, else ``None`` (what
    :func:`_is_configuration` reads). ``None`` when the text is no object."""
    members: dict[str, Any] = {}
    depth = 0
    key: str | None = None
    awaiting: str | None = None  # "key" or "value" at the top level
    for token in _TOKENS.finditer(text):
        t = token.group()
        if depth == 1 and awaiting == "key" and t.startswith('"'):
            try:
                key = json.loads(t)
            except ValueError:
                return None
            awaiting = None
        elif depth == 1 and t == ":":
            awaiting = "value"
        elif depth == 1 and awaiting == "value" and key is not None:
            members[key] = {} if t == "{" else [] if t == "[" else None
            awaiting = None
        if t in "{[":
            if depth == 0 and t != "{":
                return None
            depth += 1
            if depth == 1:
                awaiting = "key"
        elif t in "}]":
            depth -= 1
            if depth == 0:
                return members
        elif t == "," and depth == 1:
            awaiting = "key"
    return None


_DEMO_MEMBERS = ("agents", "teams", "rules", "office_hours", "office_hours_channels")
"""The members of the demo's ``config.json``."""

_STORED_MEMBERS = ("version", "at")
"""The members only a stored Configuration has: a file with either is read as one."""


_ROUTER_MEMBERS = frozenset({"round_robin", "capacity", "allocator"})
"""The members of a configuration only ``Router(...)`` and ``configure`` take (the demo's
``config.json`` does not): a file with one and no ``agents`` is the Router's document."""

_UNSTORED = {"version": 1, "at": "1970-01-01T00:00:00Z"}
"""What a stored version adds to the Router's document (checked as that version)."""


def _is_configuration(data: Any) -> bool:
    """Whether a file is a configuration, not a bare rule set (``{"rules": [...]}``): a
    stored one, or one with any member of a configuration besides its rules (or with
    its rules as a rule set object)."""
    if not isinstance(data, dict):
        return False
    from .configuration import CONTENT_FIELDS, Configuration

    members = {*_DEMO_MEMBERS, *CONTENT_FIELDS, *Configuration.model_fields} - {"rules"}
    return not members.isdisjoint(data) or isinstance(data.get("rules"), dict)


def _check_configuration(data: dict[str, Any]) -> tuple[RuleSet, list[Team] | None]:
    """A configuration file: the demo's (rules, teams, agents, office hours), a stored
    Configuration (with version or at; see :func:`_is_configuration`), or the Router's
    configuration document (a stored one's content: with ``round_robin``, ``capacity``
    or ``allocator``, without ``agents``)."""
    from .configuration import Configuration, empty_channel

    stored = not set(_STORED_MEMBERS).isdisjoint(data)
    if stored or (not _ROUTER_MEMBERS.isdisjoint(data) and "agents" not in data):
        from .calendar import JSON_INPUT

        # Read as JSON text is read (model_validate_json): an array of rules, or a
        # string of channels, is refused there and was passed here. The Router's
        # document (no version, no at) is read as the version it would store.
        text = json.dumps(data if stored else {**data, **_UNSTORED})
        config = validated(
            "configuration",
            "$",
            lambda: Configuration.model_validate_json(text, context=JSON_INPUT),
        )
        check_config(None, config.teams, config.rules, what="configuration")
        return config.rules, list(config.teams)
    # Every part checked, and all their problems told at once (the first bad part's alone
    # was told, a run at a time, and not the same part as the demo's): its unknown
    # members, its parts' own problems, then how its parts fit together.
    parts = EveryPart()
    each = parts.read
    unknown = sorted(set(data) - set(_DEMO_MEMBERS))
    if unknown:
        found = [ErrorDetail(json_path([k]), "unknown member", "extra_forbidden") for k in unknown]
        parts.errors.append(ValidationError("invalid configuration", found))
    if "rules" not in data:  # the demo's own message for it
        missing = [ErrorDetail("$.rules", "Field required", "missing")]
        parts.errors.append(ValidationError("invalid configuration", missing))

    rules = (
        each(lambda: validated("rule set", "$.rules", lambda: rule_set(data["rules"])))
        if "rules" in data
        else None
    )
    teams = each(
        lambda: validated(
            "teams",
            "$.teams",
            lambda: TypeAdapter(list[Team]).validate_python(data.get("teams", [])),
        )
    )
    agents = each(
        lambda: validated(
            "agents",
            "$.agents",
            lambda: TypeAdapter(list[Agent]).validate_python(data.get("agents", [])),
        )
    )
    if data.get("office_hours") is not None:
        each(
            lambda: validated(
                "office hours",
                "$.office_hours",
                lambda: OfficeHours.from_dict(data["office_hours"]),
            )
        )
    channels = data.get("office_hours_channels", [])
    each(
        lambda: validated(
            "channels",
            "$.office_hours_channels",
            lambda: TypeAdapter(list[StoredText]).validate_python(channels, strict=True),
        )
    )
    if isinstance(channels, list) and "" in channels:  # what the Router says of it
        parts.errors.append(ValidationError("invalid configuration", empty_channel().details))
    # The demo's own rule for how agents, teams and rules fit together, so that a file
    # check passes is a file the demo runs (members are checked when it lists agents).
    listed = agents if "agents" in data else None
    check_parts(parts, data, listed, teams, rules, what="configuration")
    parts.told("invalid configuration")
    assert rules is not None  # told otherwise
    return rules, teams


def _teams_repeated(teams: object) -> list[ErrorDetail]:
    """A detail for each team of a ``--teams`` file whose id an earlier one gives, at its
    path, as ``Router(...)`` and a configuration file's check say it; read from the
    file's data, so that another team's problem does not hide it (a repeat was taken,
    and the rules checked against either)."""
    if not isinstance(teams, list):
        return []
    ids = [(i, team.get("id") if isinstance(team, dict) else None) for i, team in enumerate(teams)]
    return listed_twice(ids, "$", "team")


def _detail_order(detail: ErrorDetail) -> int:
    """A ``--teams`` detail's place: its team's index in the file (the sort is stable:
    each team's details keep their order, ``members[2]`` before ``members[10]``)."""
    index = detail.path[2:].split("]", 1)[0] if detail.path.startswith("$[") else ""
    return int(index) if index.isdigit() else -1


def _run_check(args: argparse.Namespace, out: TextIO) -> int:
    try:
        data = _read_checked(args.file)
        teams: list[Team] | None = None
        rules_at = "$"  # where the rule set lies in the file
        if _is_configuration(data):
            rules, teams = _check_configuration(data)
            rules_at = "$.rules"
        else:
            rules = RuleSet.from_dict(data)
    except ValidationError as error:
        raise in_file(error, args.file) from None
    if args.teams is not None:
        try:
            teams_data = _read_json(args.teams, "teams")
            repeated = _teams_repeated(teams_data)
            try:
                teams = validated(
                    "teams", "$", lambda: TypeAdapter(list[Team]).validate_python(teams_data)
                )
            except ValidationError as error:  # told with the repeats, in the file's order
                details = sorted([*error.details, *repeated], key=_detail_order)
                raise ValidationError(error.message, details) from None
            if repeated:
                raise ValidationError("invalid teams", repeated)
        except ValidationError as error:
            raise in_file(error, args.teams) from None
        try:
            validated("rule set", rules_at, lambda: rules.validate_against(teams))
        except ValidationError as error:
            raise in_file(error, args.file) from None
    # each warning at its place in the file, as the errors are (a configuration's rule
    # set lies at "$.rules": "$.rules.rules[1].when")
    issues = [replace(issue, path=rules_at + issue.path[1:]) for issue in rules.lint(teams=teams)]
    if args.json:
        report = {
            "ok": True,
            "rules": len(rules.rules),
            "warnings": [
                {"rule_id": i.rule_id, "path": i.path, "message": i.message} for i in issues
            ],
            "errors": [],
        }
        print(json.dumps(report, indent=2), file=out)
        return EXIT_OK
    for issue in issues:
        print(f"warning: {issue}", file=out)
    print(f"{len(rules.rules)} rule(s), {len(issues)} warning(s)", file=out)
    return EXIT_OK


def _configure_check(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "file", type=Path, help="a rule set, or a configuration file with rules and teams"
    )
    parser.add_argument("--teams", type=Path, help="a JSON list of teams the rules may name")
    parser.add_argument("--json", action="store_true", help="print the outcome as JSON")


CHECK = Subcommand(
    "check", "validate and lint a rule set or configuration", _configure_check, _run_check
)
"""``helpdesk-routing check``."""


def _run_schema(args: argparse.Namespace, out: TextIO) -> int:
    from .schemas import json_schema

    print(json.dumps(json_schema(args.name), indent=2), file=out)
    return EXIT_OK


def _configure_schema(parser: argparse.ArgumentParser) -> None:
    from .schemas import SCHEMA_NAMES

    parser.add_argument("name", nargs="?", default="condition", choices=SCHEMA_NAMES)


SCHEMA = Subcommand("schema", "print a JSON Schema (Draft 2020-12)", _configure_schema, _run_schema)
"""``helpdesk-routing schema``."""


class _Exit(Exception):
    """argparse is done: ``code`` is the exit status. For an argument error, ``parser``
    is the parser that found it and ``message`` what it said, not printed yet (with the
    subcommand's ``--json`` flag it is told as JSON: :func:`_dispatch`)."""

    def __init__(self, code: int, parser: _Parser | None = None, message: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.parser = parser
        self.message = message


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser that reports usage errors to its caller instead of exiting."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # the subcommands' parsers by name, filled by _parser (for json_flag_given)
        self.subcommands: dict[str, argparse.ArgumentParser] = {}

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message:
            print(message, file=sys.stderr, end="")
        raise _Exit(status)

    def _print_message(self, message: str, file: SupportsWrite[str] | None = None) -> None:
        # argparse swallows an OSError here: --help to a closed pipe or a full device
        # exited 0, its text lost. Raised, it is told as every output's (141, or 2).
        if message:
            (file or sys.stderr).write(message)

    def error(self, message: str) -> NoReturn:
        raise _Exit(EXIT_USAGE, self, message)

    def print_error(self, message: str) -> None:
        """What argparse prints of an argument error: the usage, then the message."""
        to_stderr(f"{self.format_usage()}{self.prog}: error: {message}")

    def json_flag_given(self, argv: Sequence[str]) -> bool:
        """Whether the command line ``argv`` (that failed to parse) names a subcommand
        that has the ``--json`` flag (an option taking no value: ``simulate --json
        OUT.json`` names a file) and gives it. The subcommand is the first argument that
        is no option (the command's own options take no value); the flag is looked for
        in the arguments after it as the subcommand reads them (``--`` ends the options,
        an option's value is not one, an unambiguous prefix such as ``--js`` is)."""
        at = next((i for i, token in enumerate(argv) if not token.startswith("-")), None)
        command = None if at is None else self.subcommands.get(argv[at])
        if command is None or at is None:
            return False
        flag = command._option_string_actions.get("--json")
        if flag is None or flag.nargs != 0:
            return False
        # Only its options, none requiring anything: the flag is found wherever the
        # subcommand's own parser would find it, whatever is wrong with the rest.
        probe = _Parser(
            add_help=False, allow_abbrev=command.allow_abbrev, prefix_chars=command.prefix_chars
        )
        for i, option in enumerate(command._option_string_actions):
            if option != "--json":
                probe.add_argument(option, dest=f"_{i}", nargs="?", default=argparse.SUPPRESS)
        probe.add_argument("--json", action="store_true")
        try:
            found, _ = probe.parse_known_args(argv[at + 1 :])
        except _Exit:  # the flag given a value (--json=yes): not the flag
            return False
        return found.json is True


_DESCRIPTION = (
    "Route helpdesk tickets: a demo day (demo), configuration checks (check), JSON "
    "Schemas (schema), metrics reports (report) and policy simulations (simulate)."
)
"""What ``--help`` says of the command: plain text (the module doc is reST)."""


def _parser(commands: list[Subcommand], out: TextIO) -> _Parser:
    parser = _Parser(prog="helpdesk-routing", description=_DESCRIPTION)

    class _Version(argparse.Action):
        def __call__(self, *args: Any, **kwargs: Any) -> None:
            print(f"helpdesk-routing {__version__}", file=out)
            raise _Exit(EXIT_OK)

    parser.add_argument("--version", action=_Version, nargs=0, help="print the version and exit")
    sub = parser.add_subparsers(dest="command", required=True)
    for command in commands:
        parser.subcommands[command.name] = sub.add_parser(command.name, help=command.help)
        command.configure(parser.subcommands[command.name])
    return parser


_KINDS = {EXIT_USAGE: "usage", EXIT_INTERRUPTED: "interrupted", EXIT_TERMINATED: "terminated"}
"""The JSON error code of an exit status other than 1 (``"invalid"``)."""


class _Terminated(BaseException):
    """SIGTERM arrived: raised in the main thread by :func:`_on_sigterm`, so that what
    a command cleans up as it stops (a ``simulate`` output file it made, a store it
    opened) is cleaned up as for Ctrl-C; the default action ended the process at once."""


def _on_sigterm(signum: int, frame: object) -> None:
    # Once: a second SIGTERM during the clean-up the first began would break it off
    # (Python's traceback of this class at exit, status 1).
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise _Terminated


def fail(
    args: argparse.Namespace | None,
    out: TextIO,
    code: int,
    error: Exception,
    message: str | None = None,
) -> int:
    """Tell ``error`` as every subcommand does and return ``code``: with ``--json``
    (``args.json`` true), ``{"ok": false, "errors": [...]}`` on ``out``; else one
    ``error: ...`` on stderr. ``message`` replaces the error's own text (one line of a
    driver's message, say); a ``ValidationError`` keeps its details. An entry's
    ``code`` agrees with the exit status: ``"usage"`` for each entry of an error that
    exits 2 (bad arguments, a file that cannot be read), whatever the error's own;
    invalid input (exit 1) keeps the codes of its details (``"invalid"`` without)."""
    text = str(error) if message is None else message
    if args is not None and getattr(args, "json", False) is True:
        kind = _KINDS.get(code, "invalid")
        entries = (
            error.errors()
            if isinstance(error, ValidationError)
            else [{"path": "$", "code": kind, "message": text, "rule_id": None}]
        )
        if code == EXIT_USAGE:
            entries = [{**entry, "code": kind} for entry in entries]
        try:
            print(json.dumps({"ok": False, "errors": entries}, indent=2), file=out)
            out.flush()
        except BrokenPipeError:  # the reader went away: nobody to tell
            to_devnull(out)
            return EXIT_BROKEN_PIPE
        except OSError as exc:
            # the output cannot be written (a full device): the one place left to say
            # what went wrong is stderr, once, and never a traceback at exit's flush
            to_devnull(out)
            if isinstance(error, OSError) and error.errno == exc.errno:  # one failure
                said = shown(f"the JSON answer could not be written: {text}")
            elif isinstance(error, ValidationError) and message is None:
                # its title, then its details a line each, as without --json
                title, *details = text.split("\n")
                unwritten = shown(f"(and the JSON answer could not be written: {exc})")
                said = "\n".join([f"{title} {unwritten}", *details])
            else:
                said = shown(f"{text} (and the JSON answer could not be written: {exc})")
            to_stderr(f"error: {said}")
            return EXIT_USAGE
    else:
        # A ValidationError's text shows its data already, one detail a line; any other
        # error is one line, whatever its text holds.
        shown_text = text if isinstance(error, ValidationError) and message is None else shown(text)
        to_stderr(f"error: {shown_text}")
    return code


def _flushed(out: TextIO, code: int) -> int:
    """``code`` once what ``--help`` or ``--version`` wrote is out of the buffers: a
    closed pipe is :data:`EXIT_BROKEN_PIPE`, any other failure to write one ``error:``
    line on stderr and :data:`EXIT_USAGE`, as for every other output (``--help`` left
    its text to the flush at exit, and exited 0 whatever became of it)."""
    try:
        for stream in (out, sys.stdout):
            stream.flush()
    except BrokenPipeError:
        to_devnull(out)
        to_devnull(sys.stdout)
        return EXIT_BROKEN_PIPE
    except OSError as exc:
        to_devnull(out)
        to_devnull(sys.stdout)
        to_stderr(f"error: {shown(str(exc))}")
        return EXIT_USAGE
    return code


def in_file(error: ValidationError, path: object) -> ValidationError:
    """``error`` naming the file it is about: ``invalid rule set in rules.json``, its
    details as they are (``check`` and ``simulate``; ``demo --data`` names its files in
    its messages already). A path holding a line break (or another character that is
    not printable) is shown quoted, with its escapes: a file name could add a line."""
    return ValidationError(f"{error.message} in {shown(str(path))}", error.details)


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Entry point of ``helpdesk-routing``; returns the exit status (see the module doc).

    Whatever the command writes, to ``out`` (``sys.stdout`` by default) or to stderr,
    goes through :func:`~helpdesk_routing._console.console`: a stream that is not UTF-8
    gets ASCII stand-ins for the symbols it cannot encode and backslash escapes for any
    other such character, never a ``UnicodeEncodeError``."""
    if out is None and sys.stdout is None:
        # started with its standard output closed (``>&-``): Python has no stream for
        # it, and nothing a command writes could go anywhere
        if sys.stderr is not None:
            print("error: standard output is closed: nothing can be written", file=sys.stderr)
        return EXIT_USAGE
    # SIGTERM stops the command as Ctrl-C does, when its action is the default one: a
    # SIGTERM the process was started ignoring (`trap '' TERM`, a supervisor shielding
    # it) stays ignored, and a handler an embedding program set stays its own.
    previous = None
    main_thread = threading.current_thread() is threading.main_thread()
    if main_thread and signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        with (
            contextlib.redirect_stdout(console(sys.stdout)),
            contextlib.redirect_stderr(console(sys.stderr)),
        ):
            return _dispatch(argv, sys.stdout if out is None else console(out))
    except KeyboardInterrupt:
        # a second Ctrl-C while the first was being told or cleaned up after: told once
        return EXIT_INTERRUPTED
    except _Terminated:
        return EXIT_TERMINATED
    finally:
        # Given back, a SIGTERM come or not: a program calling main keeps its signals
        # (one more SIGTERM after this, as the process ends, ends it as by default).
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _dispatch(argv: Sequence[str] | None, out: TextIO) -> int:
    commands = _subcommands()
    args: argparse.Namespace | None = None
    parser: _Parser | None = None
    try:
        parser = _parser(commands, out)
        args, extras = parser.parse_known_args(argv)
        if extras:
            # said by the subcommand that was given them, as its other argument errors
            # are (``helpdesk-routing simulate: error: ...``); one given before the
            # subcommand's name is the command's own
            given = list(sys.argv[1:] if argv is None else argv)
            at = given.index(args.command) if args.command in given else len(given)
            command = parser.subcommands.get(args.command, parser)
            if any(token in given[:at] for token in extras):
                command = parser
            command.error(f"unrecognized arguments: {' '.join(extras)}")
        run = next(c.run for c in commands if c.name == args.command)
        code = run(args, out)
        out.flush()  # a closed pipe is found here, not at exit
        return code
    except _Exit as done:
        if done.parser is None or parser is None:  # --help, --version: said already
            return _flushed(out, done.code)
        # An argument error argparse found (a bad value, an unknown option, a missing
        # argument): with the subcommand's --json flag, the JSON object every error is.
        given = sys.argv[1:] if argv is None else list(argv)
        if parser.json_flag_given(given):
            return fail(argparse.Namespace(json=True), out, done.code, UsageError(done.message))
        done.parser.print_error(done.message)
        return done.code
    except BrokenPipeError:
        # ``... | head`` read what it wanted: nothing is wrong, nothing to say (an error
        # printed to the same closed pipe would fail again).
        to_devnull(out)
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:  # Ctrl-C: said as any other error, never a traceback
        return fail(args, out, EXIT_INTERRUPTED, UsageError("interrupted (Ctrl-C)"))
    except _Terminated:
        return fail(args, out, EXIT_TERMINATED, UsageError("terminated (SIGTERM)"))
    except ValidationError as exc:
        return fail(args, out, EXIT_INVALID, exc)
    except PermissionDenied as exc:  # a PermissionError too, but the library's refusal
        return fail(args, out, EXIT_INVALID, exc)
    except (OSError, MissingExtra, UsageError) as exc:
        return fail(args, out, EXIT_USAGE, exc)
    except RoutingError as exc:
        # Any other error the library raises on purpose (UnknownAgent, ConflictError, ...)
        # comes of the input a subcommand was given: one line, not a traceback.
        return fail(args, out, EXIT_INVALID, exc)


if __name__ == "__main__":  # pragma: no cover - run in a subprocess (tests/test_make_demo.py)
    # ``python -m helpdesk_routing.cli`` runs this file as ``__main__``, a second copy of
    # the module with its own ``Subcommand`` class; the registry's subcommands are objects
    # of the imported ``helpdesk_routing.cli``, so run that module's ``main``.
    from helpdesk_routing.cli import main as _main

    raise SystemExit(_main())
