"""The handoff ledgers agree where they disagreed (every adapter): a record of the wrong
kind, a replace moving a handoff to another conversation, the messages of a refused
replace, an id stored for another conversation, a limit past 64 bits, a record changed
after it was written or read (the in-memory ledger shared it), and the values a record
may hold."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from helpdesk_routing.errors import ArgumentTypeError, ConflictError, ValidationError
from helpdesk_routing.handoff import Conversation, HandoffRecord, State, handoff_id
from tests.handoff.conftest import LedgerFactory

T0 = datetime(2026, 3, 30, 10, tzinfo=UTC)


def _record(cid: str = "c1", **changes: object) -> HandoffRecord:
    values: dict[str, object] = {
        "id": handoff_id(cid),
        "conversation": Conversation(id=cid, channel="sms", profile_id="p1"),
        "destination": "builtin",
        "reason": "knowledge_gap",
        "state": State.REQUESTED,
        "created_at": T0,
        "updated_at": T0,
        **changes,
    }
    return HandoffRecord(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize("given", [None, {"id": "h-1"}, "h-1"])
def test_a_record_of_the_wrong_kind_is_an_argument_type_error(
    ledgers: LedgerFactory, given: object
) -> None:
    """``create(None)`` was an ``AttributeError``."""
    ledger = ledgers()
    for call in (ledger.create, ledger.replace):
        with pytest.raises(ArgumentTypeError, match=r"^record must be a HandoffRecord, got "):
            call(given)  # type: ignore[arg-type]


def test_a_replace_cannot_move_a_handoff_to_another_conversation(ledgers: LedgerFactory) -> None:
    ledger = ledgers()
    one, _ = ledger.create(_record("c1"))
    two, _ = ledger.create(_record("c2"))
    moved = one.model_copy(update={"conversation": two.conversation, "version": 2})
    with pytest.raises(ValidationError, match="a replace cannot move it to conversation 'c2'"):
        ledger.replace(moved)
    assert ledger.get(one.id) == one
    assert ledger.for_conversation("c1") == one
    assert ledger.for_conversation("c2") == two


def test_a_refused_replace_says_what_is_stored(ledgers: LedgerFactory) -> None:
    """It named a version 'no longer stored' that never was."""
    ledger = ledgers()
    with pytest.raises(ConflictError, match=r"^handoff 'h-\w+' is not stored: create it first$"):
        ledger.replace(_record(version=2))
    stored, _ = ledger.create(_record())
    with pytest.raises(ConflictError, match=r"is at version 1: its next is 2, not 3$"):
        ledger.replace(stored.model_copy(update={"version": 3}))
    # the stored version sent again: no version 0 was ever "no longer stored"
    with pytest.raises(ConflictError, match=r"is at version 1: its next is 2, not 1$"):
        ledger.replace(stored)
    assert ledger.get(stored.id) == stored


def test_an_id_stored_for_another_conversation_is_a_conflict_everywhere(
    ledgers: LedgerFactory,
) -> None:
    """The in-memory ledger said ConflictError, the SQL ledgers StoreError."""
    ledger = ledgers()
    ledger.create(_record("c1"))
    other = _record("c2", id=handoff_id("c1"))
    with pytest.raises(
        ConflictError, match=r"^handoff id 'h-\w+' is already stored for another conversation$"
    ):
        ledger.create(other)
    assert ledger.for_conversation("c2") is None


def test_a_limit_past_64_bits_lists_every_stalled_handoff(ledgers: LedgerFactory) -> None:
    """SQLite raised OverflowError, PostgreSQL StoreError (bigint out of range)."""
    ledger = ledgers()
    stored, _ = ledger.create(_record())
    later = T0 + timedelta(hours=1)
    assert ledger.stalled(later, limit=2**63) == [stored]
    assert ledger.stalled(later, limit=2**200) == [stored]


def test_a_record_changed_by_its_caller_changes_nothing_stored(ledgers: LedgerFactory) -> None:
    """The in-memory ledger kept the caller's record: changing its ``detail`` after
    ``create``, or that of one read back, changed the stored handoff."""
    ledger = ledgers()
    written = _record(detail={"error": "first"})
    ledger.create(written)
    written.detail["error"] = "changed after create"
    read = ledger.get(written.id)
    assert read is not None
    read.detail["error"] = "changed after get"
    again = ledger.get(written.id)
    assert again is not None
    assert again.detail == {"error": "first"}
    assert again.version == 1


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"id": "h\x00"}, "$.id"),
        ({"ticket_id": "7\x00"}, "$.ticket_id"),
        ({"detail": {"score": float("nan")}}, "$.detail"),
        ({"detail": {"score": float("inf")}}, "$.detail"),
        ({"detail": {"at": T0}}, "$.detail"),
        ({"detail": {"pair": (1, 2)}}, "$.detail"),
        ({"version": 2**31}, "$.version"),
        ({"detail": {"error": ["x\udcff"]}}, "$.detail"),
        ({"detail": {"\udcff": 1}}, "$.detail"),
        ({"tag": "t\ud800"}, "$.tag"),
    ],
)
def test_a_record_no_ledger_could_keep_is_refused_when_built(
    changes: dict[str, object], path: str
) -> None:
    """PostgreSQL refused a NUL in the id and a version past 32 bits (StoreError) that
    the other ledgers kept, and the SQL ledgers a lone surrogate anywhere in the record
    (pydantic's serialization error) that the in-memory one kept, and read a ``NaN`` in
    ``detail`` back as ``null``, a datetime as text, a tuple as a list, which the
    in-memory one kept as they were; now the model refuses them for every ledger."""
    with pytest.raises(ValidationError) as info:
        _record(**changes)
    assert [d.path for d in info.value.details] == [path]
