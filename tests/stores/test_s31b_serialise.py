"""A Ctrl-C during the JSON serialisation of a stored record comes out as itself
(``KeyboardInterrupt``), never as pydantic's ``PydanticSerializationError`` (a
``ValueError`` that ``except Exception`` would swallow): wherever it lands, in a
serializer wrapper before its ``try``, in a serializer function of the library that is
not wrapped, or in the Python code pydantic-core calls itself (an Enum's value)."""

from __future__ import annotations

import enum
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import BaseModel, field_serializer
from pydantic_core import PydanticSerializationError

import helpdesk_routing as hr
from helpdesk_routing import _sets
from helpdesk_routing.records import AuditRecord
from helpdesk_routing.stores._sql import audit_to_json
from helpdesk_routing.stores.sqlite import SqliteStore
from tests.stores.interrupting import interrupt_on_call

NOW = datetime(2026, 3, 30, 10, tzinfo=UTC)
SRC = Path(__file__).resolve().parents[2] / "src" / "helpdesk_routing"


def test_an_interrupt_before_the_wrappers_try_comes_out_as_itself() -> None:
    ticket = hr.Ticket(id="t1", channel="email", tags={"b", "a"}, created_at=NOW)
    with interrupt_on_call(_sets._sorted.__code__), pytest.raises(KeyboardInterrupt):
        _sets.dump_json(ticket)
    assert '"tags":["a","b"]' in _sets.dump_json(ticket)  # nothing left behind


class _Unwrapped(BaseModel):
    value: int

    @field_serializer("value")
    def _plain(self, value: int) -> int:
        raise KeyboardInterrupt


class _Lookalike(BaseModel):
    value: int

    @field_serializer("value")
    def _plain(self, value: int) -> int:
        raise ValueError("KeyboardInterrupt: ")


def test_an_interrupt_in_a_serializer_not_wrapped_comes_out_as_itself() -> None:
    with pytest.raises(KeyboardInterrupt):
        _sets.dump_json(_Unwrapped(value=1))


def test_an_error_that_only_says_keyboardinterrupt_stays_what_it_is() -> None:
    with pytest.raises(PydanticSerializationError, match="ValueError: KeyboardInterrupt"):
        _sets.dump_json(_Lookalike(value=1))


def _audit_record() -> AuditRecord:
    with SqliteStore(":memory:", agents=[hr.Agent(id="a1")]) as store:
        router = hr.Router(
            rules=hr.RuleSet(),
            teams=[],
            store=store,
            customer_data=hr.InMemoryCustomerData(),
            clock=hr.ManualClock(NOW),
        )
        router.set_online("a1", online=True, actor="a1")
        router.route(hr.Ticket(id="t1", channel="email", created_at=NOW))
        with store.read() as tx:
            return tx.audit()[-1]


def test_an_interrupt_while_pydantic_reads_an_enum_of_the_audit_record() -> None:
    """pydantic-core reads an Enum's ``.value`` through Python code: a signal lands
    there, and pydantic's error said only 'Error serializing to JSON: KeyboardInterrupt'."""
    record = _audit_record()
    with (
        interrupt_on_call(enum.property.__get__.__code__) as state,
        pytest.raises(KeyboardInterrupt),
    ):
        audit_to_json(record)
    assert state["seen"] == 1
    assert '"seq"' not in audit_to_json(record)


def test_the_stores_serialise_records_only_through_dump_json() -> None:
    """Every pydantic JSON dump of the SQL stores goes through ``_sets.dump_json``."""
    direct = [
        f"{path.relative_to(SRC)}:{n}"
        for path in sorted((SRC / "stores").rglob("*.py"))
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"\.model_dump_json\(", line)
    ]
    direct += [
        f"handoff/sql_ledger.py:{n}"
        for n, line in enumerate((SRC / "handoff" / "sql_ledger.py").read_text().splitlines(), 1)
        if ".model_dump_json(" in line
    ]
    assert direct == []
