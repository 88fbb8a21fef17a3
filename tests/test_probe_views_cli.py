"""The command line as a demanding user drives it: misspelled members of the demo files,
``python -m helpdesk_routing``, and report arguments naming no file."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest

from helpdesk_routing.cli import main
from helpdesk_routing.stores.sqlite import SqliteStore

SRC = Path(__file__).resolve().parents[1] / "src"


def _run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue()


def _demo_dir(tmp_path: Path, name: str, member: str, value: object) -> Path:
    """The bundled demo data in ``tmp_path`` with ``member`` added to the file ``name``."""
    source = resources.files("helpdesk_routing").joinpath("demo_data")
    for file in ("config.json", "customers.json", "tickets.json"):
        shutil.copyfile(str(source.joinpath(file)), tmp_path / file)
    document = json.loads((tmp_path / name).read_text("utf-8"))
    document[member] = value
    (tmp_path / name).write_text(json.dumps(document), "utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("name", "member", "value"),
    [
        ("config.json", "office_hours_chanels", ["webchat", "email"]),
        ("tickets.json", "presense", []),
        ("customers.json", "profile", []),
    ],
)
def test_demo_refuses_a_misspelled_member_of_its_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, member: str, value: object
) -> None:
    """A member the demo does not read (a typo) is invalid input naming file and path, as
    ``check`` says of a config.json, never silently ignored."""
    directory = _demo_dir(tmp_path, name, member, value)
    code, out = _run("demo", "--data", str(directory))
    assert (code, out) == (1, "")
    assert capsys.readouterr().err == f"error: invalid {name}\n  $.{member}: unknown member\n"
    code, out = _run("demo", "--data", str(directory), "--json")
    assert code == 1
    assert json.loads(out)["errors"][0]["path"] == f"$.{member}"


def test_check_and_demo_agree_on_a_config_json(tmp_path: Path) -> None:
    """A config.json that ``check`` refuses for an unknown member, ``demo`` refuses too."""
    directory = _demo_dir(tmp_path, "config.json", "capacity", 1)
    assert _run("check", str(directory / "config.json"))[0] == 1
    assert _run("demo", "--data", str(directory))[0] == 1


def test_the_bundled_day_still_runs() -> None:
    """The bundled files hold only members the demo reads (``day`` included)."""
    code, out = _run("demo", "--json")
    assert code == 0
    assert json.loads(out)["tickets"]


def test_python_dash_m_runs_the_command() -> None:
    """``python -m helpdesk_routing`` is the ``helpdesk-routing`` command (for hosts where
    the console script is not on PATH)."""
    done = subprocess.run(
        [sys.executable, "-m", "helpdesk_routing", "--version"],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(SRC)},
        check=False,
        timeout=120,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.startswith("helpdesk-routing ")
    done = subprocess.run(
        [sys.executable, "-m", "helpdesk_routing", "schema", "nope"],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(SRC)},
        check=False,
        timeout=120,
    )
    assert done.returncode == 2
    assert "invalid choice: 'nope'" in done.stderr


@pytest.mark.parametrize("flag", ["--store", "--ledger"])
def test_report_names_a_url_without_a_file_or_with_a_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flag: str
) -> None:
    """``sqlite:///`` (no path) and a directory are refused by name, exit 2, not as
    SQLite's "disk I/O error"."""
    store = tmp_path / "helpdesk.db"
    SqliteStore(store).close()
    period = ["--from", "2026-03-30T00:00:00+00:00", "--to", "2026-03-31T00:00:00+00:00"]
    base = ["report", *period] + ([] if flag == "--store" else ["--store", f"sqlite:///{store}"])
    what = "store" if flag == "--store" else "handoff ledger"
    assert _run(*base, flag, "sqlite:///")[0] == 2
    err = capsys.readouterr().err
    assert err == f"error: no SQLite {what}: the URL names no file (sqlite:///path)\n"
    assert _run(*base, flag, f"sqlite:///{tmp_path}")[0] == 2
    err = capsys.readouterr().err
    assert err == f"error: no SQLite {what} at {str(tmp_path)!r}: it is a directory\n"
