"""Tickets parsed from requests share equal channels and tag sets (bounded tables): the
memory a stored ticket costs (benchmarks/bench_router.py) does not carry a copy of each."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import helpdesk_routing as hr
from helpdesk_routing import model

AT = datetime(2026, 3, 30, 9, tzinfo=UTC)


def _parsed(n: int, channel: str = "email", tags: list[str] | None = None) -> hr.Ticket:
    body = hr.Ticket(id=f"t{n}", channel=channel, created_at=AT, tags=tags or []).model_dump_json()
    return hr.Ticket.model_validate_json(body)


@pytest.fixture(autouse=True)
def _fresh_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts from empty tables and leaves the process's own as they were."""
    monkeypatch.setattr(model, "_CHANNELS", {})
    monkeypatch.setattr(model, "_TAG_SETS", {})


def test_equal_channels_and_tag_sets_are_one_object() -> None:
    a, b = _parsed(1, tags=["Order", "VIP"]), _parsed(2, tags=["VIP", "Order"])
    assert a.channel is b.channel
    assert a.tags is b.tags
    assert a.tags == frozenset({"Order", "VIP"})
    c = _parsed(3, tags=["Order"])
    assert c.tags == frozenset({"Order"})
    assert c.tags is not a.tags
    # what a reader sees is unchanged: values, JSON, the fields given
    assert b.model_dump(mode="json")["tags"] == ["Order", "VIP"]
    assert b.model_fields_set == set(hr.Ticket.model_fields)  # all ten, as dumped
    assert _parsed(4).tags == frozenset()


def test_the_tables_are_bounded() -> None:
    for n in range(model._MAX_SHARED + 50):
        t = _parsed(n, channel=f"ch-{n}", tags=[f"tag-{n}"])
        assert t.channel == f"ch-{n}"
        assert t.tags == frozenset({f"tag-{n}"})
    assert len(model._CHANNELS) == model._MAX_SHARED
    assert len(model._TAG_SETS) <= model._MAX_SHARED
    # past the bound, values are kept as given, still equal
    late = _parsed(10**6, channel="never-seen", tags=["never-seen"])
    assert late.channel == "never-seen"
    assert late.tags == frozenset({"never-seen"})


def test_routing_is_unchanged_by_sharing() -> None:
    store = hr.InMemoryStore(agents=[hr.Agent(id="a1")])
    rule = hr.RoutingRule(
        id="orders",
        when=hr.conditions.ticket("tags").contains("Order"),
        then=hr.SaveAsView(view="orders"),
    )
    router = hr.Router(
        rules=hr.RuleSet(rules=[rule]),
        store=store,
        customer_data=hr.InMemoryCustomerData(),
        clock=hr.ManualClock(AT),
    )
    first = router.route(_parsed(1, tags=["Order"]))
    second = router.route(_parsed(2, tags=["Order"]))
    assert first.views == second.views == ("orders",)
    stored = router.ticket("t2")
    assert stored is not None
    assert stored.ticket.tags is router.ticket("t1").ticket.tags  # type: ignore[union-attr]
