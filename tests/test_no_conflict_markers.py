"""No file of the repository holds a merge's conflict markers (a merge committed before
its conflicts were resolved: it happened twice, in docs, which no other test reads
whole)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_MARKER = re.compile(r"^(<{7} |>{7} |={7}$)", re.MULTILINE)
_KINDS = {".py", ".md", ".toml", ".cfg", ".txt", ".json", ".yml", ".yaml", ""}


def _texts() -> list[Path]:
    out = []
    for top in ("src", "tests", "docs", "examples", "benchmarks", ".ci"):
        for path in sorted((ROOT / top).rglob("*")):
            if path.is_file() and path.suffix in _KINDS and "__pycache__" not in path.parts:
                out.append(path)
    out += [ROOT / n for n in ("README.md", "CHANGELOG.md", "Makefile", "pyproject.toml")]
    return out


def test_no_file_holds_conflict_markers() -> None:
    found = []
    for path in _texts():
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        for m in _MARKER.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            found.append(f"{path.relative_to(ROOT)}:{line}")
    assert found == []


def test_the_check_finds_markers(tmp_path: Path) -> None:
    text = "a\n<<<<<<< HEAD\nb\n=======\nc\n>>>>>>> branch\n"
    assert len(_MARKER.findall(text)) == 3
    assert _MARKER.findall("a\n====\n'=======' inside\n") == []
