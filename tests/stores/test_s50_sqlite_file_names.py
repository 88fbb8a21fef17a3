"""A SQLite file whose name is no UTF-8 (Linux names are bytes; `os.listdir` gives such a
name with surrogate escapes): `SqliteStore` and `SqliteCustomerData` made the file, then
refused it (`Could not decode to UTF-8 column 'file'`), leaving it behind."""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from helpdesk_routing.clock import ManualClock
from helpdesk_routing.model import Agent, Event, Ticket
from helpdesk_routing.router import Router
from helpdesk_routing.stores.sqlite import SqliteCustomerData, SqliteStore

NOW = datetime(2026, 3, 30, 10, tzinfo=UTC)


@pytest.mark.skipif(sys.platform != "linux", reason="file names are bytes on Linux")
def test_a_file_named_in_latin_1_serves_as_any_other(tmp_path: Path) -> None:
    path = tmp_path / os.fsdecode(b"caf\xe9.db")
    data = SqliteCustomerData(path)
    with SqliteStore(path, agents=[Agent(id="a1")]) as store:
        data.add_event(Event(profile_id="p1", metric="ordered", timestamp=NOW))
        router = Router(store=store, customer_data=data, clock=ManualClock(NOW))
        router.set_online("a1", True, actor="a1")
        assert router.route(Ticket(id="t1", channel="email", created_at=NOW)).assignee == "a1"
        assert "caf" in repr(store)
    data.close()
    with SqliteStore(path) as store, store.read() as tx:
        assert tx.get_ticket("t1") is not None
    assert os.listdir(os.fsencode(tmp_path)) == [b"caf\xe9.db"]
