"""A rolling deploy on PostgreSQL: a process of a release before schema 12 still running
after a newer one migrated the database. Its hand-outs call the replaced hand-out
function with the record's assignee null (its body set it through jsonb), where schema
12's expects a marker: the ticket's column and audit named the agent while its record
said unassigned (``router.ticket(...).assignee`` None, in the agent's inbox, in no
Unassigned view). The function takes both callers."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

import helpdesk_routing as hr
from helpdesk_routing.stores.postgres import _transaction

AT = datetime(2026, 3, 2, 9, tzinfo=UTC)


def _old_callers_text(dump: object) -> object:
    """``dump_json`` as a release before schema 12 sent the hand-out's record: without
    the marker, its assignee null."""

    def dumped(value: object) -> str:
        return str(dump(value)).replace('"\\u0000"', "null")  # type: ignore[operator]

    return dumped


@pytest.mark.parametrize("caller", ["schema 11", "schema 12"])
def test_a_hand_out_by_either_release_s_caller_records_the_agent(
    pg_dsn: str, monkeypatch: pytest.MonkeyPatch, caller: str
) -> None:
    if caller == "schema 11":
        monkeypatch.setattr(_transaction, "dump_json", _old_callers_text(_transaction.dump_json))
    agents = [hr.Agent(id="a1", name="Ann", role="admin")]
    with hr.PostgresStore(pg_dsn, agents=agents) as store:
        router = hr.Router(
            store=store, customer_data=hr.InMemoryCustomerData(), clock=hr.ManualClock(AT)
        )
        router.route(hr.Ticket(id="t1", channel="email", created_at=AT, fields={"x": 1e300}))
        assert router.ticket("t1").assignee is None  # nobody Online: it waits
        router.set_online("a1", True, actor="a1")  # the hand-out
        ticket = router.ticket("t1")
        assert ticket.assignee == "a1"
        assert ticket.ticket.fields == {"x": 1e300}
        assert [t.id for t in router.views.my_inbox("a1").items] == ["t1"]
        assert router.views.unassigned().items == []


def test_a_row_whose_float_jsonb_wrote_as_an_integer_reads_back_as_the_float() -> None:
    """A ticket the hand-out function before schema 12 rewrote (1e300 as 301 digits)
    stayed unreadable after the migration, and so did every view listing it: read back
    (the STORED context), an integer beyond 64 bits is the float it was. As input it
    is still refused, and one beyond any float too."""
    from helpdesk_routing._stored import STORED
    from helpdesk_routing.errors import ModelValidationError
    from helpdesk_routing.records import TicketRecord

    record = TicketRecord(
        ticket=hr.Ticket(
            id="t1",
            channel="email",
            created_at=AT,
            fields={"x": 1e300, "deep": [{"y": -1e20}], "n": 7},
        ),
        assignee="a1",
    )
    text = record.model_dump_json()
    rewritten = text.replace("1e+300", str(10**300)).replace("-1e+20", str(-(10**20)))
    assert str(10**300) in rewritten
    again = TicketRecord.model_validate_json(rewritten, context=STORED)
    assert again.ticket.fields == {"x": 1e300, "deep": [{"y": -1e20}], "n": 7}
    assert again == record
    with pytest.raises(ModelValidationError, match="integer beyond signed 64 bits"):
        TicketRecord.model_validate_json(rewritten)
    beyond = rewritten.replace(str(10**300), str(10**400))
    with pytest.raises(ModelValidationError, match="integer beyond signed 64 bits"):
        TicketRecord.model_validate_json(beyond, context=STORED)


def test_only_a_float_s_own_digits_read_back_as_the_float() -> None:
    """An integer beyond 64 bits that is no float's shortest decimal (``2**64 + 1``, as an
    older adapter stored one) stays refused, never read as a float near it; and a key no
    store keeps is refused whatever its value (review: a big integer let it through)."""
    from helpdesk_routing._stored import STORED
    from helpdesk_routing.errors import ModelValidationError
    from helpdesk_routing.records import TicketRecord

    record = TicketRecord(
        ticket=hr.Ticket(id="t1", channel="email", created_at=AT, fields={"n": 7}),
        assignee=None,
    )
    text = record.model_dump_json()
    for digits in (str(2**64 + 1), str(10**25 + 12345)):
        with pytest.raises(ModelValidationError, match="integer beyond signed 64 bits"):
            TicketRecord.model_validate_json(text.replace('"n":7', f'"n":{digits}'), context=STORED)
    nul_key = text.replace('"n":7', f'"a\\u0000b":{10**300}')
    with pytest.raises(ModelValidationError, match="NUL"):
        TicketRecord.model_validate_json(nul_key, context=STORED)


def test_a_stored_row_s_error_names_what_is_wrong_once_the_floats_are_read() -> None:
    """A row holding a float jsonb rewrote (1e300 as digits) and an integer beyond 64 bits
    that is no float's was refused at the float's place (review)."""
    import json
    from decimal import Decimal

    from helpdesk_routing._stored import STORED
    from helpdesk_routing.errors import ModelValidationError

    big = int(Decimal(repr(1e300)))
    row = {"id": "t", "channel": "c", "created_at": "2026-01-01T00:00:00Z"}
    for fields, where in (
        ({"a": {"x": big, "y": 2**70}}, "at a.y:"),
        ({"b": [big, 2**63]}, "at b[1]:"),
    ):
        with pytest.raises(ModelValidationError, match=re.escape(where)):
            hr.Ticket.model_validate_json(json.dumps({**row, "fields": fields}), context=STORED)
