"""A user's typed code, checked by mypy --strict against the package (py.typed).

The public functions' annotations are part of the surface: a user who swaps two
arguments hears it from the type checker before anything runs.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from mypy import api as mypy_api

pytestmark = pytest.mark.slow

_USER = textwrap.dedent(
    """
    from datetime import UTC, datetime, timedelta

    import helpdesk_routing as hr
    from helpdesk_routing import metrics

    now = datetime(2026, 3, 30, tzinfo=UTC)
    store = hr.InMemoryStore()
    customers = hr.InMemoryCustomerData()
    fine = metrics.report(store, customers, now, now + timedelta(days=1))
    also_fine = metrics.report(store, None, now, now + timedelta(days=1))
    swapped = metrics.report(customers, store, now, now + timedelta(days=1))  # wrong
    text = metrics.report("sqlite:///x.db", None, now, now + timedelta(days=1))  # wrong
    """
)


def test_report_arguments_are_typed(tmp_path: Path) -> None:
    user = tmp_path / "user.py"
    user.write_text(_USER, encoding="utf-8")
    out, err, status = mypy_api.run(
        [
            "--strict",
            "--no-incremental",
            "--cache-dir",
            str(tmp_path / "cache"),
            "--python-version",
            "3.11",
            str(user),
        ]
    )
    assert status == 1, out + err
    wrong = {n for n, line in enumerate(_USER.splitlines(), 1) if line.endswith("# wrong")}
    lines = {int(line.split(":")[1]) for line in out.splitlines() if ": error:" in line}
    assert lines == wrong, out
    assert len(wrong) == 2
