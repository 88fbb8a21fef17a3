"""Stores, customer data, the Router and its views, ledgers, connectors and the handoff
hold this process's locks, connections and clients. Pickling one (a Router handed to a
process pool) failed with Python's ``cannot pickle '_thread.lock' object``, naming
neither the object nor what to do; a ``copy.copy`` gave an object sharing half of its
original's state. Both are refused by a ``TypeError`` naming the class and the way to
get one in another process."""

from __future__ import annotations

import copy
import pickle
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest

import helpdesk_routing as hr
from helpdesk_routing.handoff import (
    BuiltinHelpdesk,
    Handoff,
    InMemoryLedger,
    PostgresLedger,
    SendToHelpdesk,
    SqliteLedger,
)
from helpdesk_routing.handoff.connectors.gorgias import GorgiasConnector
from helpdesk_routing.handoff.connectors.zendesk import ZendeskConnector
from helpdesk_routing.handoff.sql_ledger import SqliteLedgerReader

AT = datetime(2026, 3, 2, 9, tzinfo=UTC)


def _router() -> hr.Router:
    return hr.Router(
        store=hr.InMemoryStore(),
        customer_data=hr.InMemoryCustomerData(),
        clock=hr.ManualClock(AT),
    )


def _makers(tmp: Path, dsn: Callable[[], str]) -> Iterator[tuple[object, str]]:
    """Each object with the words its refusal must say."""
    yield hr.InMemoryStore(), "SqliteStore or PostgresStore"
    yield hr.SqliteStore(tmp / "s.db"), "open a SqliteStore on the same file"
    yield hr.PostgresStore(dsn()), "open a PostgresStore on the same database"
    yield hr.InMemoryCustomerData(), "from the same seed"
    yield hr.SqliteCustomerData(tmp / "c.db"), "SqliteCustomerData on the same file"
    yield hr.PostgresCustomerData(dsn()), "PostgresCustomerData on the same database"
    router = _router()
    yield router, "make a Router in each process"
    yield router.views, "router.views of a Router made in each process"
    yield InMemoryLedger(), "SqliteLedger or PostgresLedger"
    SqliteLedger(tmp / "l.db").close()
    yield SqliteLedger(tmp / "l.db"), "open a ledger on the same file or database"
    yield SqliteLedgerReader(tmp / "l.db"), "open a ledger on the same file or database"
    yield PostgresLedger(dsn()), "open a ledger on the same file or database"
    yield BuiltinHelpdesk(router), "over that process's Router"
    yield (
        ZendeskConnector(base_url="https://acme.zendesk.com", email="a@b.co", api_token="t"),
        "make a connector in each process",
    )
    yield GorgiasConnector(domain="acme", email="a@b.co", api_key="k"), "make a connector"
    yield (
        Handoff(
            settings=SendToHelpdesk(helpdesk="builtin"),
            ledger=InMemoryLedger(),
            clock=hr.ManualClock(AT),
            destination=BuiltinHelpdesk(router),
        ),
        "make a Handoff in each process",
    )


def test_each_is_refused_by_name_with_the_way_to_another_process(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    from tests.pg_server import fresh_schema_dsn

    seen = []
    for obj, hint in _makers(tmp_path, lambda: fresh_schema_dsn(request)):
        name = type(obj).__name__
        for action, said in (
            (pickle.dumps, "pickled (sent to another process)"),
            (copy.copy, "copied"),
            (copy.deepcopy, "copied"),
        ):
            with pytest.raises(TypeError) as caught:
                action(obj)
            text = str(caught.value)
            assert text.startswith(f"{name} cannot be {said}: it holds"), text
            assert hint in text, text
        seen.append(name)
        close = getattr(obj, "close", None)
        if close is not None:
            close()
    assert len(seen) == 16


def test_a_process_pool_given_a_router_says_what_to_do(tmp_path: Path) -> None:
    router = _router()
    with ProcessPoolExecutor(1) as pool:
        future = pool.submit(repr, router)
        with pytest.raises(TypeError, match=r"Router cannot be pickled.*make a Router in each"):
            future.result(timeout=60)


def test_the_objects_still_work_after_a_refusal(tmp_path: Path) -> None:
    store = hr.SqliteStore(tmp_path / "s.db", agents=[hr.Agent(id="a1", name="A", role="admin")])
    router = hr.Router(
        store=store, customer_data=hr.InMemoryCustomerData(), clock=hr.ManualClock(AT)
    )
    for obj in (store, router):
        with pytest.raises(TypeError):
            pickle.dumps(obj)
    router.add_agent(hr.Agent(id="b1", name="B", role="support"), actor="a1")
    with store.transaction() as tx:
        assert sorted(a.id for a in tx.agents()) == ["a1", "b1"]
    store.close()
