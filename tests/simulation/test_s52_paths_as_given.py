"""A replay file and a plot file are the paths given, not ``Path``'s reading of them.

- ``ReplayArrivals.from_file("")`` said ``IsADirectoryError: '.'`` (``Path("")`` is the
  current folder), where ``open("")`` says ``FileNotFoundError: ''``; ``"t.csv/"`` read
  the file ``t.csv``, where ``open`` says it is no folder.
- A file named ``.csv`` was read as JSON (``Path(".csv").suffix`` is none), and refused
  for not being named .csv; docs/simulation.md reads a file as CSV when its name ends in
  ``.csv``.
- ``plot("x.png/")`` wrote the file ``x.png``."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpdesk_routing import ValidationError
from helpdesk_routing import simulation as sim
from helpdesk_routing.simulation.plot import plot_path

CSV = "created_at,channel,tags\n2026-03-30T12:00:00Z,email,vip\n"


def test_an_empty_path_is_no_file_as_for_open() -> None:
    with pytest.raises(FileNotFoundError) as caught:
        sim.ReplayArrivals.from_file("")
    assert caught.value.filename == ""


def test_a_file_named_as_a_folder_is_refused_as_open_refuses_it(tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_text(CSV)
    with pytest.raises(NotADirectoryError):
        sim.ReplayArrivals.from_file(f"{tmp_path / 't.csv'}/")
    assert len(sim.ReplayArrivals.from_file(tmp_path / "t.csv").tickets) == 1


@pytest.mark.parametrize("name", [".csv", ".CSV", "t.csv"])
def test_a_name_ending_in_csv_is_read_as_csv(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_text(CSV)
    (ticket,) = sim.ReplayArrivals.from_file(tmp_path / name).tickets
    assert (ticket.channel, ticket.tags) == ("email", frozenset({"vip"}))


@pytest.mark.parametrize("path", ["x.png/", "out/x.png/"])
def test_a_plot_path_naming_a_folder_is_refused(path: str) -> None:
    with pytest.raises(ValidationError, match=r"a path ending in \.png"):
        plot_path(path)
    assert plot_path("out/x.PNG") == Path("out/x.PNG")


@pytest.mark.parametrize("end", ["/", "/.", "/.."])
@pytest.mark.parametrize("option", ["--json", "--plot"])
def test_simulate_refuses_an_output_naming_a_folder_before_the_runs(
    option: str, end: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``simulate --json o.json/`` (or ``o.json/.``) wrote the file ``o.json``
    (argparse's ``Path`` of it)."""
    from helpdesk_routing import cli

    from .conftest import mmc

    scenario = tmp_path / "s.json"
    scenario.write_text(mmc(2, 0.7, 20).model_dump_json())
    name = f"{tmp_path / 'o'}.{'json' if option == '--json' else 'png'}{end}"
    assert cli.main(["simulate", str(scenario), option, name]) == 2
    assert capsys.readouterr().err == (
        f"error: cannot write {option} {name}: it names a folder, not a file\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.json"]


def test_simulate_reads_the_scenario_path_as_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from helpdesk_routing import cli

    from .conftest import mmc

    scenario = tmp_path / "s.json"
    scenario.write_text(mmc(2, 0.7, 20).model_dump_json())
    assert cli.main(["simulate", f"{scenario}/"]) == 2
    assert "Not a directory" in capsys.readouterr().err
