"""Equal sets are written alike: a whole number is one number whether given as ``1`` or
``1.0``, in a set of numbers alone or mixed with text (docs/concepts.md: "numbers by
value"), so an equal ticket sent again is the same ticket, and an equal event in a seed
is the same event."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

import helpdesk_routing as hr
from helpdesk_routing.stores.sqlite import SqliteCustomerData

NOW = datetime(2026, 3, 30, 10, tzinfo=UTC)

# text every store keeps (a NUL or a lone surrogate is refused: not what is tested here)
storable_text = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=3
)
whole = st.integers(min_value=-(2**53), max_value=2**53)
members = st.lists(
    st.one_of(whole, storable_text, st.floats(allow_nan=False, allow_infinity=False)),
    max_size=8,
)


def _other_form(member: object) -> object:
    """``member`` written the other way when it is a whole number: ``1`` as ``1.0`` and
    ``1.0`` as ``1``; anything else as it is."""
    if isinstance(member, int):
        return float(member)
    if isinstance(member, float) and member.is_integer() and abs(member) < 2**63:
        return int(member)
    return member


@given(members=members, flip=st.lists(st.booleans(), min_size=8, max_size=8))
def test_equal_sets_are_written_alike_whatever_form_their_numbers_take(
    members: list[object], flip: list[bool]
) -> None:
    """The same set with some whole numbers written as floats (or floats as ints) is
    written as the same JSON values, in the same order: numbers by value, then text."""
    other = [_other_form(m) if f else m for m, f in zip(members, flip, strict=False)]
    a = hr.Ticket(id="t", channel="sms", created_at=NOW, fields={"s": set(members)})
    b = hr.Ticket(id="t", channel="sms", created_at=NOW, fields={"s": set(other)})
    assert a == b
    written_a = json.loads(a.model_dump_json())["fields"]["s"]
    written_b = json.loads(b.model_dump_json())["fields"]["s"]
    assert written_a == written_b  # 1 == 1.0 member by member, in one order
    numbers = [m for m in written_a if not isinstance(m, str)]
    assert numbers == sorted(numbers)
    texts = [m for m in written_a if isinstance(m, str)]
    assert written_a == [*numbers, *texts]


def test_equal_sets_of_tuples_are_written_alike() -> None:
    """Tuples sort by their members' keys, numbers by value: ``{(1.5,), (1,)}`` and the
    equal ``{(1.0,), (1.5,)}`` were written in two orders (by JSON text, "[1]" after
    "[1.5]" and "[1.0]" before it)."""
    a = hr.Ticket(id="t", channel="sms", created_at=NOW, fields={"s": {(1.5,), (1,), ("a", 2)}})
    b = hr.Ticket(id="t", channel="sms", created_at=NOW, fields={"s": {(1.0,), (1.5,), ("a", 2.0)}})
    assert a == b
    written_a = json.loads(a.model_dump_json())["fields"]["s"]
    assert written_a == json.loads(b.model_dump_json())["fields"]["s"]
    assert written_a == [[1], [1.5], ["a", 2]]


def test_an_equal_ticket_sent_again_returns_the_stored_decision() -> None:
    """``{1.0, 2, "a"}`` and ``{1, 2.0, "a"}`` were listed in two orders, and the second
    route of the equal ticket was a ConflictError."""
    a = hr.Ticket(id="t1", channel="sms", created_at=NOW, fields={"s": {1.0, 2, "a"}})
    b = hr.Ticket(id="t1", channel="sms", created_at=NOW, fields={"s": {1, 2.0, "a"}})
    router = hr.Router(
        store=hr.InMemoryStore(), customer_data=hr.InMemoryCustomerData(), clock=hr.ManualClock(NOW)
    )
    first = router.route(a)
    assert router.route(b) == first


def test_an_equal_event_in_a_seed_is_not_added_again(tmp_path: Path) -> None:
    """A restart whose seed holds an event equal to a stored one (its numbers written
    ``1`` where they were ``1.0``) adds nothing; ``true`` stays apart from ``1``."""
    path = tmp_path / "cd.db"
    first = hr.Event(
        profile_id="p1", metric="M", timestamp=NOW, properties={"s": {1.0, 2, "a"}, "n": 3.0}
    )
    again = hr.Event(
        profile_id="p1", metric="M", timestamp=NOW, properties={"s": {1, 2.0, "a"}, "n": 3}
    )
    other = hr.Event(profile_id="p1", metric="M", timestamp=NOW, properties={"n": True})
    with SqliteCustomerData(path, events=[first]):
        pass
    with SqliteCustomerData(path, events=[again]) as data:
        assert data.count_events("p1", "M", start=None, end=None) == 1
    with SqliteCustomerData(path, events=[again, other]) as data:
        assert data.count_events("p1", "M", start=None, end=None) == 2
