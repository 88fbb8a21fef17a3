"""A fixture counting how many periods dateutil's rule iteration visits (the calendar's
cost tests: a rule's walk must stay bounded)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from dateutil import rrule as dateutil_rrule

__all__ = ["periods_walked"]


@pytest.fixture
def periods_walked(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A counter of the periods (years, months, weeks, days) dateutil's iteration visits."""
    walked = [0]
    info = dateutil_rrule._iterinfo  # type: ignore[attr-defined]
    for name in ("ydayset", "mdayset", "wdayset", "ddayset"):
        method: Callable[..., Any] = getattr(info, name)

        def counted(*args: Any, _method: Callable[..., Any] = method) -> Any:
            walked[0] += 1
            return _method(*args)

        monkeypatch.setattr(info, name, counted)
    return walked
