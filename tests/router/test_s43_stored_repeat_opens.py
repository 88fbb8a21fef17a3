"""A store whose newest configuration repeats a team id (read back as written: an older
release wrote it) opens in a Router given no configuration arguments, which routes and
can mend it; given arguments, they are input and checked as such. No Router could
open it: ``team 't' is listed twice``, so nothing could mend it either."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import helpdesk_routing as hr
from helpdesk_routing.configuration import STORED
from tests.adapters import StoreFactory

NOW = datetime(2026, 3, 30, 9, tzinfo=UTC)


def test_a_stored_repeated_team_opens_and_is_mended(
    store_factory: StoreFactory, request: pytest.FixtureRequest
) -> None:
    store = store_factory(request, [hr.Agent(id="m1", role="manager"), hr.Agent(id="a1")])
    doc = {
        "version": 1,
        "at": "2026-03-30T09:00:00Z",
        "teams": [{"id": "t", "members": ["a1"]}] * 2,
    }
    with store.transaction() as tx:
        tx.put_configuration(hr.Configuration.model_validate(doc, context=STORED))
    router = hr.Router(
        store=store, customer_data=hr.InMemoryCustomerData(), clock=hr.ManualClock(NOW)
    )
    assert router.configuration.version == 1
    router.route(hr.Ticket(id="t1", channel="email", created_at=NOW))
    with pytest.raises(hr.ValidationError, match="listed twice"):
        router.configure(capacity=2, actor="m1")  # a new version is input: still refused
    mended = router.configure(teams=[hr.Team(id="t", members=["a1"])], actor="m1")
    assert [t.id for t in mended.teams] == ["t"]
    with pytest.raises(hr.ValidationError, match="listed twice"):
        hr.Router(
            store=store,
            customer_data=hr.InMemoryCustomerData(),
            clock=hr.ManualClock(NOW),
            teams=[hr.Team(id="t", members=["a1"])] * 2,
        )
