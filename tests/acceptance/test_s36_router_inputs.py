"""The Router refuses collaborators of the wrong kind when it is made, naming them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import helpdesk_routing as hr

T0 = datetime(2026, 3, 30, 9, tzinfo=UTC)


@pytest.mark.parametrize("clock", [T0, datetime(2026, 3, 30, 9), datetime], ids=repr)
def test_an_instant_is_no_clock(clock: object) -> None:
    """A datetime (whose now() is the host's local time, naive) is refused as the clock."""
    with pytest.raises(hr.ArgumentTypeError) as caught:
        hr.Router(
            store=hr.InMemoryStore(),
            customer_data=hr.InMemoryCustomerData(),
            clock=clock,  # type: ignore[arg-type]
        )
    assert str(caught.value).startswith("clock must be a Clock (SystemClock, ManualClock), got ")
    assert str(caught.value).endswith("; a fixed instant is ManualClock(instant)")


def test_a_manual_clock_of_that_instant_is_accepted() -> None:
    """The remedy the error names works: ManualClock(instant)."""
    router = hr.Router(
        store=hr.InMemoryStore(agents=[hr.Agent(id="a1")]),
        customer_data=hr.InMemoryCustomerData(),
        clock=hr.ManualClock(T0),
    )
    assert router.route(hr.Ticket(id="t1", channel="email", created_at=T0)).at == T0
