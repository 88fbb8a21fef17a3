"""A store's own rows read back as they were written, though today's input rules are
stricter (``helpdesk_routing._stored``, the validation context ``STORED``).

Ids were capped at 255 characters, the e-mail rule and a rotation state's ``extra``
were tightened, an empty bound channel is refused: all input rules. Before, a row an
older version wrote under the looser rules was refused when read back, and the refusal
broke far more than the row: a configuration naming a 300-character view made the store
unopenable (no Router, so no ``configure`` to mend it), one long ticket id hid every
ticket of "All tickets" and its assignee's inbox, a ledger record with an address the
old rule took could not be read, and a version-1 ledger could not migrate. Input keeps
the rules; the same documents read back by a store pass.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import helpdesk_routing as hr
from helpdesk_routing import handoff
from helpdesk_routing._stored import STORED
from helpdesk_routing.handoff.records import HandoffRecord
from helpdesk_routing.records import RotationState, TicketRecord

T0 = datetime(2026, 3, 30, 10, tzinfo=UTC)
LONG = "x" * 300
AGENTS = [hr.Agent(id="m1", role="manager"), hr.Agent(id="a1")]


def _ticket_record(ticket_id: str) -> dict[str, Any]:
    record = TicketRecord(ticket=hr.Ticket(id="t", channel="email", created_at=T0), assignee="a1")
    data: dict[str, Any] = json.loads(record.model_dump_json())
    data["ticket"]["id"] = ticket_id
    return data


def _configuration(view: str) -> dict[str, Any]:
    rule = hr.RoutingRule(
        id="r",
        name="R",
        when=hr.conditions.ticket("channel") == "sms",
        then=hr.SaveAsView(view="v"),
    )
    cfg = hr.Configuration(version=1, at=T0, rules=hr.RuleSet(rules=[rule]))
    data: dict[str, Any] = json.loads(cfg.model_dump_json())
    data["rules"]["rules"][0]["then"]["view"] = view
    return data


def _handoff_record(email: str) -> dict[str, Any]:
    ledger = handoff.InMemoryLedger()
    h = handoff.Handoff(
        settings=handoff.SendMessage(text="Mail us"), ledger=ledger, clock=hr.ManualClock(T0)
    )
    h.request(handoff.Conversation(id="c1", channel="email", email="ann@example.com"))
    stored = ledger.for_conversation("c1")
    assert stored is not None
    data: dict[str, Any] = json.loads(stored.model_dump_json())
    data["conversation"]["email"] = email
    return data


OLD_ROWS: dict[str, tuple[type[Any], Callable[[], dict[str, Any]], str]] = {
    "ticket id of 300": (TicketRecord, lambda: _ticket_record(LONG), "$.ticket.id"),
    "view name of 300": (
        hr.Configuration,
        lambda: _configuration(LONG),
        "$.rules.rules[0].then.view",
    ),
    "e-mail with two dots": (
        HandoffRecord,
        lambda: _handoff_record("ann..b@example.com"),
        "$.conversation.email",
    ),
    "e-mail ending in a newline": (
        HandoffRecord,
        lambda: _handoff_record("bob@example.com\n"),
        "$.conversation.email",
    ),
    "rotation extra beyond 64 bits": (
        RotationState,
        lambda: {"last": "a1", "given": 1, "extra": {"n": 2**70}},
        "$.extra",
    ),
    "agent id of 300": (
        hr.Agent,
        lambda: {"id": LONG, "name": "", "role": "support", "capacity": None},
        "$.id",
    ),
    "profile segment of 300": (
        hr.Profile,
        lambda: {"id": "p1", "properties": {}, "segments": [LONG]},
        "$.segments[0]",
    ),
    "recurring holiday with a Z": (
        hr.OfficeHours,
        lambda: _hours("FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25;UNTIL=20301225T000000Z"),
        "$.recurring_holidays[0]",
    ),
    "EXRULE alone": (
        hr.OfficeHours,
        lambda: _hours("EXRULE:FREQ=WEEKLY;BYDAY=FR"),
        "$.recurring_holidays[0]",
    ),
    "COUNT and UNTIL": (
        hr.OfficeHours,
        lambda: _hours("FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25;COUNT=3;UNTIL=20301231"),
        "$.recurring_holidays[0]",
    ),
}


def _hours(rule: str) -> dict[str, Any]:
    return {
        "timezone": "Europe/Paris",
        "weekly": {"fri": [["09:00", "17:00"]]},
        "holidays": [],
        "exceptions": {},
        "recurring_holidays": [rule],
        "recurring_exceptions": [],
    }


def test_old_recurring_holidays_act_as_they_did() -> None:
    """Read back, a rule an older version stored acts as it did then: a zone in its dates
    dropped (dateutil's ``ignoretz``), an EXRULE alone naming no date."""
    friday = datetime(2026, 1, 9, 10, tzinfo=UTC)  # 11:00 in Paris
    every_friday = hr.OfficeHours.model_validate(
        _hours("DTSTART:20260102T000000Z\nRRULE:FREQ=WEEKLY;BYDAY=FR"), context=STORED
    )
    assert not every_friday.is_open(friday)
    nothing = hr.OfficeHours.model_validate(_hours("EXRULE:FREQ=WEEKLY;BYDAY=FR"), context=STORED)
    assert nothing.is_open(friday)
    christmas = hr.OfficeHours.model_validate(
        _hours("FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25;UNTIL=20301225T000000Z"), context=STORED
    )
    assert christmas.is_open(friday)
    assert not christmas.is_open(datetime(2026, 12, 25, 10, tzinfo=UTC))
    # COUNT with UNTIL (refused as input now): whichever ends it first, as dateutil read
    # it, and no DeprecationWarning (an error in this suite) on any read. Christmas 2026
    # is a Friday: the 25th of each month from December 2025, UNTIL 2026-12-31 and
    # COUNT 13 reach it; COUNT 12 ends the month before, UNTIL 2026-12-24 the day before.
    christmas_2026 = datetime(2026, 12, 25, 10, tzinfo=UTC)
    for count, until, open_then in (
        (13, "20261231", False),
        (12, "20261231", True),
        (13, "20261224", True),
    ):
        both = hr.OfficeHours.model_validate(
            _hours(
                f"DTSTART:20251225\nRRULE:FREQ=MONTHLY;BYMONTHDAY=25;COUNT={count};UNTIL={until}"
            ),
            context=STORED,
        )
        assert both.is_open(christmas_2026) is open_then, (count, until)


@pytest.mark.parametrize("case", list(OLD_ROWS))
def test_input_refuses_what_a_store_reads_back(case: str) -> None:
    model, document, path = OLD_ROWS[case]
    text = json.dumps(document())
    with pytest.raises(hr.ValidationError) as refused:
        model.model_validate_json(text)
    assert path in str(refused.value)
    with pytest.raises(hr.ValidationError):
        model.model_validate(json.loads(text))
    kept = model.model_validate_json(text, context=STORED)
    assert json.loads(kept.model_dump_json()) == json.loads(text)


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    if request.param == "sqlite":
        with hr.SqliteStore(tmp_path / "desk.db", agents=AGENTS) as sqlite_store:
            yield sqlite_store
        return
    from helpdesk_routing.stores.postgres import PostgresStore
    from tests.pg_server import fresh_schema_dsn

    with PostgresStore(fresh_schema_dsn(request), agents=AGENTS) as pg_store:
        yield pg_store


def _router(store: Any) -> hr.Router:
    return hr.Router(store=store, customer_data=hr.InMemoryCustomerData(), clock=hr.ManualClock(T0))


def test_an_old_long_ticket_id_keeps_every_view_readable(store: Any) -> None:
    router = _router(store)
    router.set_online("a1", True, actor="a1")
    router.route(hr.Ticket(id="t1", channel="email", created_at=T0))
    old = TicketRecord.model_validate(_ticket_record(LONG), context=STORED)
    with store.transaction() as tx:  # as an older version wrote it
        assert tx.add_ticket(old) is None
    assert {r.id for r in router.views.all_tickets()} == {"t1", LONG}
    assert {r.id for r in router.views.my_inbox("a1")} == {"t1", LONG}
    assert router.ticket(LONG).assignee == "a1"
    assert router.set_status(LONG, "closed", actor="a1").status is hr.TicketStatus.CLOSED


def test_an_old_configuration_naming_a_long_view_opens_and_routes(store: Any) -> None:
    old = hr.Configuration.model_validate(_configuration(LONG), context=STORED)
    with store.transaction() as tx:  # as an older version wrote it
        tx.put_configuration(old)
    router = _router(store)
    assert router.configuration.version == 1
    decision = router.route(hr.Ticket(id="t1", channel="sms", created_at=T0))
    assert list(decision.views) == [LONG]
    assert [r.id for r in router.views.saved(LONG)] == ["t1"]
    # Mended through the Router, as a user would: the input rule holds for the new version.
    with pytest.raises(hr.ValidationError, match="at most 255 characters"):
        router.configure(actor="m1", rules=hr.RuleSet.model_validate(_configuration(LONG)["rules"]))
    mended = router.configure(
        actor="m1", rules=hr.RuleSet.model_validate(_configuration("v")["rules"])
    )
    assert mended.version == 2


def test_stored_objects_given_back_are_checked_as_input(store: Any) -> None:
    """The rules and teams a store read back are input when given to ``configure``: the
    objects are refused as their data is (they were kept, a 300-character view name and
    team id among them, and written again). A rollback is no input: it writes the old
    version as it was stored."""
    data = _configuration(LONG)
    data["teams"] = [{"id": LONG, "name": "Long", "members": ["a1"]}]
    data["rules"]["rules"].append(
        {**data["rules"]["rules"][0], "id": "t", "then": {"type": "assign_to_team", "team": LONG}}
    )
    with store.transaction() as tx:  # as an older version wrote it
        tx.put_configuration(hr.Configuration.model_validate(data, context=STORED))
    router = _router(store)
    rules, teams = router.configuration.rules, router.configuration.teams
    for given, path in [
        ({"rules": rules}, "$.rules.rules[0].then.view"),
        ({"rules": list(rules.rules)}, "$.rules[0].then.view"),
        ({"rules": rules.model_dump(mode="json")}, "$.rules.rules[0].then.view"),
        ({"teams": teams}, "$.teams[0].id"),
        ({"teams": [t.model_dump() for t in teams]}, "$.teams[0].id"),
    ]:
        with pytest.raises(hr.ValidationError) as info:
            router.configure(actor="m1", **given)
        assert info.value.details[0].path == path
        assert info.value.details[0].code == "string_too_long"
    assert router.configuration.version == 1
    assert router.configure(actor="m1", capacity=2).rules == rules  # carried over, as stored
    again = router.rollback(1, actor="m1")
    assert (again.version, again.rules, again.teams) == (3, rules, teams)


def test_rules_made_here_are_read_again_only_where_a_version_is_written(store: Any) -> None:
    """Rules given as objects are read again from their data where a version is written
    (one made by ``model_construct`` checked nothing: see
    ``tests/router/test_s44_argument_kinds.py``), and the version holds the rule set read
    again, equal to the one given; a Router restarted with the same rules compares them
    as given (checking a hundred again cost every start 5 ms). A rule read back compares
    equal to the same rule made here: where it came from is no part of its value."""
    router = _router(store)
    rules = hr.RuleSet.model_validate(_configuration("v")["rules"])
    written = router.configure(actor="m1", rules=rules)
    assert written.rules == rules
    assert written.rules is not rules
    # the same object given again is not read (and compiled) again: a simulator's every
    # run, a first start on each new store (1.0 ms with 100 rules, 5.0 ms read each time)
    again_written = _router(hr.InMemoryStore(agents=AGENTS))
    assert again_written.configure(actor="m1", rules=rules).rules is written.rules
    read = hr.Router(store=store, customer_data=hr.InMemoryCustomerData(), clock=hr.ManualClock(T0))
    assert read.configuration.rules == rules
    assert hash(read.configuration.rules) == hash(rules)


def test_an_old_configuration_with_an_old_recurring_holiday_opens(store: Any) -> None:
    data = hr.Configuration(version=1, at=T0).model_dump(mode="json")
    data["office_hours"] = _hours("DTSTART:20260102T000000Z\nRRULE:FREQ=WEEKLY;BYDAY=FR")
    with store.transaction() as tx:  # as an older version wrote it
        tx.put_configuration(hr.Configuration.model_validate(data, context=STORED))
    router = _router(store)
    hours = router.configuration.office_hours
    assert hours is not None
    assert not hours.is_open(datetime(2026, 1, 9, 10, tzinfo=UTC))


def test_an_old_ledger_record_keeps_its_address_readable(tmp_path: Path) -> None:
    ledger = handoff.SqliteLedger(tmp_path / "ledger.db")
    old = HandoffRecord.model_validate(_handoff_record("ann..b@example.com"), context=STORED)
    ledger.create(old)
    again = handoff.SqliteLedger(tmp_path / "ledger.db")
    found = again.for_conversation("c1")
    assert found is not None
    assert found.conversation.email == "ann..b@example.com"
    assert [r.conversation.id for r in again.created_between(T0, T0.replace(hour=11))] == ["c1"]
