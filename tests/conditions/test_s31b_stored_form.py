"""A custom datetime whose UTC offset has seconds (a local mean time) is written, kept and
decided as the instant it is; decide() reads each custom value it tests once, in its
stored form, and the rule index (RuleSet._candidates()) reads that same form."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pydantic_core
import pytest

import helpdesk_routing as hr
from helpdesk_routing import _storable
from helpdesk_routing.conditions import EvaluationContext, compile_condition, profile, ticket
from helpdesk_routing.model import Profile, Ticket
from helpdesk_routing.stores._customer_args import stored_values
from helpdesk_routing.stores.memory_customer_data import InMemoryCustomerData
from tests.adapters import CustomerDataFactory, StoreFactory
from tests.ids import stable_id

NOW = datetime(2026, 3, 30, 12, tzinfo=UTC)
DUE = datetime(2026, 3, 30, 12, tzinfo=timezone(timedelta(seconds=30)))  # 11:59:30Z
BORN = datetime(1900, 1, 1, 12, tzinfo=ZoneInfo("Europe/Amsterdam"))  # LMT +00:19:32
TINY = datetime(2026, 3, 30, 12, tzinfo=timezone(timedelta(microseconds=1)))


def _rules() -> hr.RuleSet:
    return hr.RuleSet(
        rules=[
            hr.RoutingRule(
                id="early",
                when=ticket("due").before(datetime(2026, 3, 30, 11, 59, 45, tzinfo=UTC)),
                then=hr.SaveAsView(view="early"),
            ),
            hr.RoutingRule(
                id="ams",
                when=ticket("born").before(datetime(1900, 1, 1, 11, 40, 45, tzinfo=UTC)),
                then=hr.SaveAsView(view="ams"),
            ),
            hr.RoutingRule(
                id="p-ams",
                when=profile("born").before(datetime(1900, 1, 1, 11, 40, 45, tzinfo=UTC)),
                then=hr.SaveAsView(view="p-ams"),
            ),
        ]
    )


def _read(text: Any) -> datetime:
    assert isinstance(text, str)
    return datetime.fromisoformat(text)


def test_an_offset_with_seconds_is_written_with_them() -> None:
    t = Ticket(id="t1", channel="email", created_at=NOW, fields={"due": DUE, "born": [BORN]})
    written = json.loads(t.model_dump_json())["fields"]
    assert written == {
        "due": "2026-03-30T12:00:00+00:00:30",
        "born": ["1900-01-01T12:00:00+00:19:32"],
    }
    assert _read(written["due"]) == DUE
    assert _read(written["born"][0]) == BORN
    # A fraction of a second, which no offset text a date test reads can say: in UTC.
    tiny = json.loads(pydantic_core.to_json(_storable.json_form({"t": TINY})))["t"]
    assert _read(tiny) == TINY
    # Whole minutes are written as pydantic writes them, unchanged.
    plain = datetime(2026, 3, 30, 12, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    assert _storable.json_form({"p": plain}) == {"p": plain}


def test_the_model_refuses_a_fraction_of_a_second_offset_it_cannot_write() -> None:
    edge = datetime(1, 1, 1, tzinfo=timezone(timedelta(microseconds=1)))
    with pytest.raises(hr.errors.ValidationError, match="years 1 to 9999"):
        Ticket(id="t1", channel="email", created_at=NOW, fields={"x": edge})


def test_decide_and_route_read_the_instant_given(
    store_factory: StoreFactory, customer_data_factory: CustomerDataFactory, request: Any
) -> None:
    rules = _rules()
    t = Ticket(
        id="t1",
        channel="email",
        created_at=NOW,
        profile_id="p1",
        fields={"due": DUE, "born": BORN},
    )
    p = Profile(id="p1", properties={"born": BORN})
    data = customer_data_factory(request, [p], [])
    stored = data.profile("p1")
    assert stored is not None
    assert _read(stored.properties["born"]) == BORN
    decided = hr.decide(rules, [], t, data, NOW)
    assert decided.views == ("early", "ams", "p-ams")
    store = store_factory(request, [])
    router = hr.Router(
        rules=rules, teams=[], store=store, customer_data=data, clock=hr.ManualClock(NOW)
    )
    routed = router.route(t)
    assert routed.views == decided.views
    kept = router.ticket("t1")
    assert kept is not None
    assert _read(kept.ticket.fields["due"]) == DUE
    assert _read(kept.ticket.fields["born"]) == BORN
    assert hr.decide(rules, [], kept.ticket, data, NOW).views == decided.views


_ODD: list[Any] = [
    date(2026, 3, 30),
    DUE,
    BORN,
    TINY,
    (1, "a", date(2026, 1, 2)),
    {"b", "a"},
    frozenset({1, 2.5}),
    [1, [2, (3,)], {"k": {4, 5}}],
    {"a": [1, 2, {"b": "c"}], "d": ["x", "y"]},
    hr.Channel.EMAIL,
    -0.0,
    True,
    None,
]


@pytest.mark.parametrize("value", _ODD, ids=stable_id)
def test_the_stored_form_is_what_a_store_gives_back(value: Any) -> None:
    values = {"v": value, "plain": "x"}
    assert dict(_storable.stored_form(values)) == stored_values(values)
    assert json.dumps(_storable.stored_form(values)) == json.dumps(stored_values(values))


def test_values_in_stored_form_are_not_copied() -> None:
    values = {"a": [1, {"b": ["c"]}], "d": "x"}
    assert _storable.stored_form(values) is values
    names = frozenset({"d"})
    mixed = {"d": "x", "e": date(2026, 3, 30)}
    assert _storable.stored_form(mixed, names) is mixed  # "e" is not read


def test_decide_walks_each_mapping_once_and_only_the_names_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    looked: list[Any] = []
    real = _storable._stored_value

    def counting(value: Any) -> Any:
        looked.append(value)
        return real(value)

    monkeypatch.setattr(_storable, "_stored_value", counting)
    rules = hr.RuleSet(
        rules=[
            hr.RoutingRule(id="a", when=ticket("f") == "2026-03-30", then=hr.SaveAsView(view="a")),
            hr.RoutingRule(id="b", when=profile("p") == "2026-03-30", then=hr.SaveAsView(view="b")),
        ]
    )
    fields = {"f": date(2026, 3, 30), "other": date(2026, 1, 1), "n": [1, {"x": 2}]}
    t = Ticket(id="t1", channel="email", created_at=NOW, profile_id="p1", fields=fields)
    p = Profile(id="p1", properties={"p": date(2026, 3, 30), "q": (1, 2)})

    class Live(InMemoryCustomerData):
        def profile(self, profile_id: str) -> Profile | None:
            return p

    decided = hr.decide(rules, [], t, Live(), NOW)
    assert decided.views == ("a", "b")
    assert looked == [date(2026, 3, 30), date(2026, 3, 30)]  # "f" once, "p" once


def test_a_context_built_by_hand_reads_the_stored_form() -> None:
    t = Ticket(id="t1", channel="email", created_at=NOW, fields={"due": DUE})
    ctx = EvaluationContext(ticket=t, profile=None, customer_data=InMemoryCustomerData(), now=NOW)
    assert ctx.fields == {"due": "2026-03-30T12:00:00+00:00:30"}
    assert compile_condition(ticket("due").before(datetime(2026, 3, 30, 11, 59, 45, tzinfo=UTC)))(
        ctx
    )


def test_candidates_read_the_stored_form_as_decide_does() -> None:
    rules = hr.RuleSet(
        rules=[
            hr.RoutingRule(
                id="march", when=ticket("due").starts_with("2026-03"), then=hr.SaveAsView(view="m")
            ),
            hr.RoutingRule(
                id="day", when=profile("last").is_in(["2026-03-30"]), then=hr.SaveAsView(view="d")
            ),
        ]
    )
    t = Ticket(
        id="t1", channel="email", created_at=NOW, profile_id="p1", fields={"due": date(2026, 3, 30)}
    )
    p = Profile(id="p1", properties={"last": date(2026, 3, 30)})
    assert [rule.id for rule, _ in rules._candidates(t, p)] == ["march", "day"]
    assert hr.decide(rules, [], t, InMemoryCustomerData(profiles=[p]), NOW).views == ("m", "d")
