"""A wrong kind of ``teams`` or ``allocator`` is named at its place in the configuration
document, alike from ``Router(...)`` and ``configure`` (docs/configuration.md): both
were at ``$``; ``configure(allocator=3)`` was a plain ValidationError where the
constructor said ArgumentTypeError; a dict as ``teams`` was walked by its keys."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

import helpdesk_routing as hr

NOW = datetime(2026, 3, 30, 9, tzinfo=UTC)
AGENTS = [hr.Agent(id="m1", role="manager"), hr.Agent(id="a1")]


def _router(**kw: Any) -> hr.Router:
    return hr.Router(
        store=hr.InMemoryStore(agents=AGENTS),
        customer_data=hr.InMemoryCustomerData(),
        clock=hr.ManualClock(NOW),
        **kw,
    )


@pytest.mark.parametrize(
    ("given", "path", "kind"),
    [
        ({"teams": "t"}, "$.teams", hr.ValidationError),
        ({"teams": {"id": "t", "members": ["a1"]}}, "$.teams", hr.ValidationError),
        ({"allocator": 3}, "$.allocator", hr.ArgumentTypeError),
    ],
)
def test_both_doors_name_the_argument_at_its_place(
    given: dict[str, Any], path: str, kind: type[Exception]
) -> None:
    with pytest.raises(kind) as built:
        _router(**given)
    router = _router()
    with pytest.raises(kind) as configured:
        router.configure(actor="m1", **given)
    for info in (built, configured):
        assert isinstance(info.value, hr.ValidationError)
        assert [d.path for d in info.value.details] == [path]
    assert str(built.value) == str(configured.value)
    assert router.configuration.version == 0  # nothing written
