"""The customer-data adapters and the allocators say what they are in a repr, as the
stores, ledgers and clocks do (Python's ``<... object at 0x...>`` before)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import helpdesk_routing as hr

AT = datetime(2026, 3, 2, 9, tzinfo=UTC)


def test_in_memory_customer_data_counts_what_it_holds() -> None:
    data = hr.InMemoryCustomerData()
    assert repr(data) == "<InMemoryCustomerData: 0 profiles, 0 events>"
    data = hr.InMemoryCustomerData(
        profiles=[hr.Profile(id="p1")],
        events=[
            hr.Event(profile_id="p1", metric="Placed Order", timestamp=AT),
            hr.Event(profile_id="p1", metric="Opened Email", timestamp=AT),
        ],
    )
    assert repr(data) == "<InMemoryCustomerData: 1 profile, 2 events>"
    data.close()
    assert repr(data) == "<InMemoryCustomerData: 1 profile, 2 events, closed>"


def test_sqlite_customer_data_names_its_file(tmp_path: Path) -> None:
    data = hr.SqliteCustomerData(tmp_path / "c.db")
    assert repr(data) == f"<SqliteCustomerData {str(tmp_path / 'c.db')!r}>"
    data.close()
    assert repr(data).endswith(" (closed)>")


def test_the_allocators_name_themselves() -> None:
    assert repr(hr.RoundRobin()) == "RoundRobin()"
    assert repr(hr.LeastLoaded()) == "LeastLoaded()"


def test_the_repr_of_customer_data_being_written_never_fails() -> None:
    """The repr counted events over dicts another thread was growing: ``RuntimeError:
    dictionary changed size during iteration`` (review). It reads one counter."""
    import threading

    data = hr.InMemoryCustomerData()
    stop = threading.Event()

    def write() -> None:
        n = 0
        while not stop.is_set():
            data.add_event(hr.Event(profile_id=f"p{n % 50}", metric=f"m{n}", timestamp=AT))
            n += 1

    writer = threading.Thread(target=write)
    writer.start()
    try:
        for _ in range(20_000):
            assert repr(data).startswith("<InMemoryCustomerData: 0 profiles, ")
    finally:
        stop.set()
        writer.join()
    assert repr(data).endswith(" events>")
