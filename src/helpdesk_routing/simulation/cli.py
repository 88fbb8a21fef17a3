"""The ``helpdesk-routing simulate`` command (wired into the main CLI by :func:`add_parser`).

``helpdesk-routing simulate SCENARIO.json [--days N] [--seed S] [--replications R]
[--plot out.png] [--json out.json] [--policy P]`` prints each replication's report and,
with several replications, the mean time to first response with its 95% interval. A
progress bar goes to stderr, only when stderr is a terminal. ``--json`` names a file
(other subcommands' ``--json`` is a flag); the output files are opened before the runs
and removed if they were not there and a run fails.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import stat
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO, get_args

import pydantic

from helpdesk_routing._files import read_input
from helpdesk_routing._json import SCENARIO_DEPTH, loads
from helpdesk_routing._shown import shown
from helpdesk_routing._storable import MAX_INT, MIN_INT
from helpdesk_routing.calendar import JSON_INPUT
from helpdesk_routing.cli import EXIT_BROKEN_PIPE, Subcommand, in_file, to_devnull, to_stderr
from helpdesk_routing.errors import MissingExtra, ValidationError

from ._extras import require_pyplot
from .compare import estimate
from .engine import run as simulate
from .plot import plot_path
from .results import SimulationResult
from .scenario import PolicyName, Scenario

__all__ = ["SIMULATE", "Progress", "add_parser", "configure", "run"]


class Progress:
    """A one-line progress bar on a terminal stream; silent when the stream is not a TTY."""

    def __init__(self, stream: TextIO, label: str, *, min_seconds: float = 1.0) -> None:
        self._stream = stream
        self._label = label
        self._on = stream.isatty()
        self._t0 = time.monotonic()
        self._min = min_seconds
        self._shown = False

    def __call__(self, share: float) -> None:
        """Show ``share`` (0..1) done, once the run has lasted ``min_seconds``."""
        if not self._on or time.monotonic() - self._t0 < self._min:
            return
        filled = int(30 * share)
        self._stream.write(f"\r{self._label} [{'#' * filled}{'.' * (30 - filled)}] {share:4.0%}")
        self._stream.flush()
        self._shown = True

    def close(self) -> None:
        """End the bar's line, if one was drawn."""
        if self._shown:
            self._stream.write("\n")
            self._stream.flush()


_HELP = "simulate a helpdesk scenario (JSON) and print the report"


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``simulate`` subcommand to an ``argparse`` subparsers object."""
    p: argparse.ArgumentParser = subparsers.add_parser("simulate", help=_HELP)
    configure(p)
    return p


def configure(p: argparse.ArgumentParser) -> None:
    """Add the ``simulate`` arguments to ``p``."""
    p.add_argument("scenario", help="a Scenario as JSON")
    p.add_argument(
        "--days",
        type=float,
        help="simulate this many days of arrivals (in place of the scenario's days)",
    )
    p.add_argument("--seed", type=int, help="the first seed (default: the scenario's)")
    p.add_argument("--replications", type=int, default=1, help="independent runs (default 1)")
    p.add_argument("--policy", choices=get_args(PolicyName), help="override the policy")
    p.add_argument("--plot", help="save the first run's plots as PNG (a .png path)")
    p.add_argument(
        "--json",
        metavar="FILE",
        help="write each run's summary figures to FILE as JSON (a file, unlike the other "
        "commands' --json flag)",
    )


def run(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run the ``simulate`` command; returns the exit status: 1 for a scenario file whose
    content is invalid (bytes that are not UTF-8 too), 2 for one that cannot be read, a
    bad argument, an output that cannot be written or a missing extra; 1 too when a run
    stops with ``ValidationError`` (arrivals that drew a span longer than a run may
    have). The outputs are opened before the runs (see :func:`_open_for_writing`), and
    one that was not there is removed when a run fails or is interrupted."""
    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    try:
        raw = read_input(args.scenario)
    except OSError as error:
        to_stderr(f"error: cannot read scenario {_path(args.scenario)}: {error}", err)
        return 2
    try:
        scenario = _scenario(raw, args)
    except _BadOption as error:
        to_stderr(f"error: {error}", err)
        return 2
    except ValidationError as error:
        to_stderr(f"error: {in_file(error, args.scenario)}", err)
        return 1
    if args.replications < 1:
        to_stderr("error: --replications must be at least 1", err)
        return 2
    # Whatever would stop the outputs is found before the runs, which may be long.
    given = [(o, p) for o, p in (("--plot", args.plot), ("--json", args.json)) if p is not None]
    problem = next(
        (
            # Path("o.json/") and Path("o.json/.") are Path("o.json"): the file was
            # written where a folder was named (and Path("") is ".")
            f"cannot write {option} {_path(path) if path else repr('')}: it names "
            f"{'a folder, not a file' if path else 'no file'}"
            for option, path in given
            if os.path.basename(os.fspath(path)) in ("", ".", "..")
        ),
        None,
    )
    outputs = [(option, Path(path)) for option, path in given]
    problem = problem or _outputs_problem(Path(args.scenario), outputs)
    if problem is not None:
        to_stderr(f"error: {problem}", err)
        return 2
    if args.plot is not None:
        try:
            plot_path(args.plot)
        except ValidationError as error:
            to_stderr(f"error: cannot write --plot {_path(args.plot)}: {error.message}", err)
            return 2
    if args.plot is not None:
        try:
            require_pyplot("simulate --plot")
        except MissingExtra as error:
            to_stderr(f"error: {error}", err)
            return 2
    base = scenario.seed if args.seed is None else args.seed
    if not MIN_INT <= base <= base + args.replications - 1 <= MAX_INT:
        to_stderr("error: --seed and the replications' seeds must lie in signed 64 bits", err)
        return 2
    created: list[Path] = []  # the output files opened here that were not there before
    try:
        for option, path in outputs:
            problem = _open_for_writing(option, path, created)
            if problem is not None:
                to_stderr(f"error: {problem}", err)
                return 2
        code = _simulate(scenario, base, args, out, err)
        if code in (0, EXIT_BROKEN_PIPE):
            created.clear()  # written (its reports' reader gone, perhaps): kept
        return code
    finally:
        # A run that failed or was interrupted leaves no file it made for its outputs.
        for path in created:
            path.unlink(missing_ok=True)


def _simulate(
    scenario: Scenario, base: int, args: argparse.Namespace, out: TextIO, err: TextIO
) -> int:
    """Run the replications, print their reports and write the outputs.

    A reader of the reports that goes away (``simulate ... --json out.json | head -2``)
    stops nothing when there are outputs: the runs go on and the files are written, and
    the exit status is still :data:`~helpdesk_routing.cli.EXIT_BROKEN_PIPE` (the files
    were lost, after the runs, though the command had been asked for them)."""
    results = []
    outputs = args.json is not None or args.plot is not None
    gone = False

    def say(text: str) -> None:
        nonlocal gone
        if gone:
            return
        try:
            out.write(text)
            out.flush()
        except BrokenPipeError:
            if not outputs:
                raise  # nothing else asked for: stop, as any command does
            gone = True
            to_devnull(out)

    for k in range(args.replications):
        bar = Progress(err, f"run {k + 1}/{args.replications}")
        try:
            results.append(simulate(scenario, base + k, progress=bar))
        except ValidationError as error:
            to_stderr(f"error: cannot simulate {_path(args.scenario)}: {error}", err)
            return 1
        finally:
            bar.close()
        say(results[-1].report() + "\n")
    if len(results) > 1:
        say(f"mean time to first response (min): {_mean_ttfr(results)}\n")
    if args.plot is not None:
        try:
            _replaced(Path(args.plot), results[0].plot)
        except OSError as error:
            to_stderr(f"error: cannot write --plot {_path(args.plot)}: {error}", err)
            return 2
    if args.json is not None:
        figures = [_strict({"seed": r.seed, **r.summary.as_dict()}) for r in results]
        try:
            text = json.dumps(figures, indent=1, allow_nan=False) + "\n"
            stream = _own_stream(Path(args.json), (out, err))
            if stream is out and gone:
                pass  # the reader of stdout went away: nobody to give the JSON to
            elif stream is not None:  # after what was written there, as a shell's >> would
                try:
                    stream.write(text)
                    stream.flush()
                except BrokenPipeError:  # its reader left after the reports: nobody to tell
                    to_devnull(stream)
                    return EXIT_BROKEN_PIPE
            else:
                _replaced(Path(args.json), lambda path: path.write_text(text, "utf-8"))
        except OSError as error:
            to_stderr(f"error: cannot write --json {_path(args.json)}: {error}", err)
            return 2
    return EXIT_BROKEN_PIPE if gone else 0


def _mean_ttfr(results: list[SimulationResult]) -> str:
    """The replications' mean TTFR in minutes with its 95% interval; or, when a
    replication started no ticket (no mean wait, NaN), why there is none: as ``estimate``
    and ``compare`` refuse NaN, the others' mean would be no mean of the replications
    (it printed ``0 ± 0 (95%, n=2)`` over 3, saying nothing of the third)."""
    missing = [r.seed for r in results if math.isnan(r.summary.ttfr.mean)]
    if not missing:
        return str(estimate([r.summary.ttfr.mean / 60 for r in results]))
    seeds = ("seeds " if len(missing) > 1 else "seed ") + ", ".join(map(str, missing))
    return (
        f"none: {len(missing)} of {len(results)} replications ({seeds}) had no first "
        "response (no measured ticket started), so the replications have no mean"
    )


def _outputs_problem(scenario: Path, outputs: list[tuple[str, Path]]) -> str | None:
    """Why the ``--plot`` and ``--json`` files cannot be written (checked before the
    runs), or ``None``: a directory, a missing or read-only folder, ``-`` (these options
    take files, not standard output), the scenario file itself (which the results would
    replace), or one file named by both."""
    for option, path in outputs:
        if str(path) == "-":
            return (
                f"cannot write {option} -: {option} takes a file to write, not standard "
                "output (./- for a file named -)"
            )
        problem = _unwritable(path)
        if problem is None and _same(path, scenario):
            problem = "it is the scenario file, which the results would replace"
        if problem is None and option == "--plot" and _own_stream(path, _std()) is not None:
            problem = "it is this command's output, where its report goes: give a file"
        if problem is not None:
            return f"cannot write {option} {_path(path)}: {problem}"
    if len(outputs) == 2 and _same(outputs[0][1], outputs[1][1]):
        return f"--plot and --json name the same file, {_path(outputs[0][1])}"
    return None


def _std() -> tuple[TextIO, ...]:
    """This process's stdout and stderr, those it has."""
    return tuple(s for s in (sys.stdout, sys.stderr) if s is not None)


def _own_stream(path: Path, streams: tuple[TextIO, ...]) -> TextIO | None:
    """The stream of ``streams`` (this command's stdout, stderr) that ``path`` is the
    file or pipe of (``--json /dev/stdout``), or ``None``. Opened by its name, the file
    ``>> log`` gave stdout was replaced by one holding only the JSON (the log's earlier
    lines and the report lost), a pipe got the JSON before the report still buffered,
    and a socket (journald's, under systemd) could not be opened ("No such device or
    address"); through the stream it follows the report. A device (``/dev/null``, a
    terminal) is written by name as before."""
    try:
        found = os.stat(path)
    except OSError:
        return None
    mode = found.st_mode
    # a socket too (systemd gives a service journald's): one cannot be opened by name
    if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)):
        return None
    for stream in streams:
        try:
            if os.path.samestat(found, os.fstat(stream.fileno())):
                return stream
        except (AttributeError, OSError, ValueError):  # no file behind it (a StringIO)
            continue
    return None


def _same(a: Path, b: Path) -> bool:
    """Whether ``a`` and ``b`` are one file (a link to it too), or would be."""
    try:
        return os.path.samefile(a, b)
    except OSError:  # one is not there (yet): compare where they lead
        return a.resolve() == b.resolve()


def _path(path: object) -> str:
    """A path as a message shows it: as it is, or quoted with its escapes when it holds a
    line break or another character that is not printable (a name could add a line)."""
    return shown(str(path))


def _replaced(path: Path, write: Callable[[Path], object]) -> None:
    """Give ``path`` its new content whole: ``write`` writes it into a new file beside
    the file (a link's target), which then takes its place, with its permissions and
    owner; so a write that fails part way (a full disk or quota) leaves the file that was
    there as it was (it was left half written: neither the old figures nor the new
    ones). In place where the file is no regular one (a device such as ``/dev/null``, a
    pipe such as ``/dev/stdout``: replaced, ``/dev/null`` became a file), has other names
    (hard links, which would keep the old content), is another user's (for a process
    that is not root: it would become this user's), or where no file can be made beside
    it or take its place (a directory this process may not write in, a sticky one)."""
    try:
        was = os.stat(path)
    except OSError:
        was = None
    if was is not None and (
        not stat.S_ISREG(was.st_mode)
        or was.st_nlink > 1
        or (was.st_uid != os.geteuid() and os.geteuid() != 0)
    ):
        write(path)  # a device, other names, or another user's file (it stays theirs)
        return
    target = Path(os.path.realpath(path))
    try:
        handle, name = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=target.suffix
        )
    except OSError:
        write(target)
        return
    os.close(handle)
    temporary = Path(name)
    try:
        write(temporary)
        os.chmod(temporary, 0o644 if was is None else stat.S_IMODE(was.st_mode))
        if was is not None and (was.st_uid, was.st_gid) != (os.geteuid(), os.getegid()):
            os.chown(temporary, was.st_uid, was.st_gid)  # (root: another user's file)
        os.replace(temporary, target)
    except PermissionError:
        # the folder's rules (a sticky folder, a group's file) keep the file from being
        # replaced or given its owner: written in place, as before
        temporary.unlink(missing_ok=True)
        write(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _open_for_writing(option: str, path: Path, created: list[Path]) -> str | None:
    """Open ``path`` to append, writing nothing, to find before the runs what only the
    system knows (``/proc/x.json``, a full quota, a file without write permission);
    ``path`` goes in ``created`` when it was not there before. Why it cannot be
    written, or ``None``."""
    if _own_stream(path, _std()) is not None:
        return None  # written through this command's own stream (a socket opens by no name)
    there = os.path.lexists(path)
    try:
        with path.open("ab"):
            pass
    except OSError as error:
        return f"cannot write {option} {_path(path)}: {error.strerror or error}"
    if not there:
        created.append(path)
    return None


class _BadOption(Exception):
    """An option that makes the scenario invalid (``--days``): a usage error, exit 2."""


def _scenario(raw: bytes, args: argparse.Namespace) -> Scenario:
    """The scenario of the file's bytes with ``--days`` and ``--policy`` in place of its
    own, validated once with them: a file without ``days`` or ``tickets`` runs with
    ``--days``. ``ValidationError`` for the file's content (exit 1, as other
    subcommands' files: bytes that are not UTF-8 too); :class:`_BadOption` naming
    ``--days`` when that is what is wrong (exit 2): a bad ``$.days``, or problems
    elsewhere that the file does not have with its own ``days`` (a replay whose
    tickets all fall outside ``--days``)."""
    data = loads(raw, "scenario", depth=SCENARIO_DEPTH)
    options = {}
    if args.days is not None:
        options["days"] = args.days
    if args.policy is not None:
        options["policy"] = args.policy
    # The document is read once: validated as Scenario.from_json validates it.
    merged = {**data, **options} if isinstance(data, dict) else data
    try:
        return Scenario.model_validate(merged, context=JSON_INPUT)
    except pydantic.ValidationError as exc:
        error = ValidationError.from_pydantic("scenario", exc, data=merged)
        if "days" in options:
            bad = [d for d in error.details if d.path == "$.days"]
            if bad:
                reasons = "; ".join(d.message for d in bad)
                raise _BadOption(f"bad --days {args.days:g}: {reasons}") from None
            if _days_alone_to_blame(data, options, error):
                # elsewhere, what --days did there (a replay left without tickets)
                reasons = "; ".join(f"{d.path}: {d.message}" for d in error.details)
                raise _BadOption(f"bad --days {args.days:g}: {reasons}") from None
        raise error from None


def _days_alone_to_blame(data: object, options: dict[str, Any], error: ValidationError) -> bool:
    """Whether ``--days`` alone made every one of ``error``'s problems: none of them is
    the file's without it (validated with its own ``days``; a file that needs ``--days``
    has no ``days`` or ``tickets``, and that problem is not among them)."""
    if not isinstance(data, dict):
        return False
    without = {**data, **{k: v for k, v in options.items() if k != "days"}}
    try:
        Scenario.model_validate(without, context=JSON_INPUT)
    except pydantic.ValidationError as exc:
        own = ValidationError.from_pydantic("scenario", exc, data=without).details
        theirs = {(d.path, d.message) for d in own}
        return not any((d.path, d.message) in theirs for d in error.details)
    return True


def _unwritable(path: Path) -> str | None:
    """Why a file cannot be written at ``path`` (checked before the runs), or ``None``."""
    if path.is_dir():
        return "it is a directory"
    folder = path.parent
    if not folder.is_dir():
        return f"folder {str(folder)!r} does not exist"
    if not os.access(folder, os.W_OK):
        return f"folder {str(folder)!r} is not writable"
    return None


def _strict(value: Any) -> Any:
    """``value`` with every NaN or infinite float as ``None``: standard JSON has neither
    (a run where no ticket was started has no mean wait)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _strict(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_strict(v) for v in value]
    return value


def _run_registered(args: argparse.Namespace, out: TextIO) -> int:
    return run(args, out)


SIMULATE = Subcommand("simulate", _HELP, configure, _run_registered)
"""``helpdesk-routing simulate`` (listed in :data:`helpdesk_routing.cli.SUBCOMMANDS`)."""
