"""A ticket's fields and a profile's or an event's properties own their lists, dicts and
sets: a caller changing its own list after building the model changed the frozen model
too, its value and its hash (a set holding the ticket no longer found it)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

import pytest

import helpdesk_routing as hr
from helpdesk_routing.errors import ModelValidationError

AT = datetime(2026, 3, 2, 9, tzinfo=UTC)


def _models(values: dict[str, Any]) -> list[Any]:
    return [
        hr.Ticket(id="t1", channel="email", created_at=AT, fields=values),
        hr.Profile(id="p1", properties=values),
        hr.Event(profile_id="p1", metric="Placed Order", timestamp=AT, properties=values),
    ]


def _change(values: dict[str, Any]) -> None:
    values["items"].append("b")
    values["address"]["city"] = "Lyon"
    values["address"]["lines"].append("2nd floor")
    values["seen"].add("sms")


@pytest.mark.parametrize("index", [0, 1, 2])
def test_a_caller_changing_its_values_afterwards_changes_no_model(index: int) -> None:
    given: dict[str, Any] = {
        "items": ["a"],
        "address": {"city": "Paris", "lines": ["1 rue"]},
        "seen": {"email"},
        "n": 3,
    }
    model = _models(given)[index]
    before = hash(model)
    held = {model}
    _change(given)
    twin = _models(
        {
            "items": ["a"],
            "address": {"city": "Paris", "lines": ["1 rue"]},
            "seen": {"email"},
            "n": 3,
        }
    )[index]
    assert model == twin
    assert hash(model) == before == hash(twin)
    assert model in held


def test_plain_values_are_kept_as_given() -> None:
    values = {"n": 3, "name": "Ann", "vip": True, "none": None, "x": 1.5}
    ticket = hr.Ticket(id="t1", channel="email", created_at=AT, fields=values)
    assert ticket.fields == values
    assert all(ticket.fields[k] is v for k, v in values.items())


class _FixedOffset(tzinfo):
    """A tzinfo as Python's docs write one: its offset an argument of its class."""

    def __init__(self, hours: int) -> None:
        self._offset = timedelta(hours=hours)

    def utcoffset(self, dt: datetime | None) -> timedelta:
        return self._offset

    def dst(self, dt: datetime | None) -> timedelta:
        return timedelta(0)

    def tzname(self, dt: datetime | None) -> str:
        return "X"


class _Tracked(list[str]):
    """A list subclass holding what no copy can copy (a lock)."""

    def __init__(self, items: list[str]) -> None:
        super().__init__(items)
        self.lock = threading.Lock()


class _Sneaky(dict[str, Any]):
    """A dict whose own deep copy is another value, one the model refuses."""

    def __deepcopy__(self, memo: object) -> dict[str, Any]:
        return {"n": float("nan"), "at": datetime(2026, 1, 1)}


def test_the_copy_is_of_the_containers_only_never_of_the_leaves() -> None:
    """The copy is no ``copy.deepcopy``, which rebuilt a custom tzinfo by calling its
    class without arguments (a raw ``TypeError``), failed on a list subclass holding a
    lock, and kept unchecked whatever a container's ``__deepcopy__`` gave."""
    due = datetime(2026, 4, 1, 9, tzinfo=_FixedOffset(2))
    ticket = hr.Ticket(id="t1", channel="email", created_at=AT, fields={"dues": [due]})
    assert ticket.fields["dues"] == [due]
    profile = hr.Profile(id="p1", properties={"dues": (due,), "d": {"due": due}})
    assert profile.properties["d"] == {"due": due}
    tracked = hr.Ticket(
        id="t2", channel="email", created_at=AT, fields={"tags": _Tracked(["a", "b"])}
    )
    assert tracked.fields["tags"] == ["a", "b"]
    assert type(tracked.fields["tags"]) is list
    sneaky = hr.Ticket(id="t3", channel="email", created_at=AT, fields={"x": _Sneaky(a=1)})
    assert sneaky.fields == {"x": {"a": 1}}


def test_values_read_from_json_are_kept_as_read() -> None:
    ticket = hr.Ticket(id="t1", channel="email", created_at=AT, fields={"items": ["a"]})
    again = hr.Ticket.model_validate_json(ticket.model_dump_json())
    assert again == ticket


def test_what_the_model_keeps_is_what_was_checked() -> None:
    """A container whose second walk gives other values than its first (a subclass's
    iteration; a list another thread changes): checked on one walk and copied on the
    next, a NaN got into a frozen ticket (review). The copy is what is checked."""
    walks = []

    class Flip(list[object]):
        def __iter__(self) -> Iterator[object]:
            walks.append(1)
            bad: list[object] = [float("nan")]
            return iter([1] if len(walks) == 1 else bad)

    ticket = hr.Ticket(id="t1", channel="email", created_at=AT, fields={"x": Flip([1])})
    assert ticket.fields == {"x": [1]}  # its one walk, checked (it kept the NaN)
    assert hr.Ticket.model_validate_json(ticket.model_dump_json()) == ticket
    walks.clear()
    walks.append(1)  # its first walk done: every other gives the NaN
    with pytest.raises(ModelValidationError, match="not a finite number"):
        hr.Ticket(id="t2", channel="email", created_at=AT, fields={"x": Flip([1])})


def test_a_list_holding_itself_is_refused_as_too_deep() -> None:
    loop: list[object] = []
    loop.append(loop)
    with pytest.raises(ModelValidationError, match="nested deeper than"):
        hr.Ticket(id="t1", channel="email", created_at=AT, fields={"loop": loop})


def test_a_list_holding_itself_twice_is_refused_at_once() -> None:
    """Copying each path of ``[a, a]`` with ``a`` in it walked 2**100 of them (review: a
    hang); a part held twice is copied once, a container holding itself left to the
    check, which refuses it as too deep."""
    loop: list[object] = []
    loop.extend([loop, loop])
    with pytest.raises(ModelValidationError, match="nested deeper than"):
        hr.Ticket(id="t1", channel="email", created_at=AT, fields={"x": loop})


def test_a_part_held_twice_stays_one_part() -> None:
    shared = ["a"]
    ticket = hr.Ticket(id="t1", channel="email", created_at=AT, fields={"x": [shared, shared]})
    first, second = ticket.fields["x"]
    assert first == second == ["a"]
    assert first is second
    assert first is not shared


def test_a_subclass_handing_out_temporaries_gets_each_its_own_copy() -> None:
    """The copy's memo was keyed by ``id`` without holding the originals: a list subclass
    whose iteration builds each item anew freed them once copied, their ids came again,
    and later items got an earlier one's copy (review: [[0], [1], [0], [1], ...])."""

    class Row(list[int]):
        pass

    class Lazy(list[int]):
        def __iter__(self) -> Iterator[Any]:
            for n in range(len(self)):
                yield Row([n])

    ticket = hr.Ticket(id="t1", channel="email", created_at=AT, fields={"x": Lazy(range(6))})
    assert ticket.fields["x"] == [[0], [1], [2], [3], [4], [5]]


def test_a_part_held_in_many_places_is_checked_once_a_level(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The check walked every path of a value sharing its parts: nested ``[a, a]`` lists
    of 24 levels were 2**24 walks (24 s; review); a part is walked once a level."""
    from helpdesk_routing import _storable

    value: list[object] = ["leaf"]
    for _ in range(12):
        value = [value, value]
    walks = []
    original = _storable._members

    def counted(where: str, item: Any) -> Any:
        walks.append(where)
        return original(where, item)

    monkeypatch.setattr(_storable, "_members", counted)
    ticket = hr.Ticket(id="t1", channel="email", created_at=AT, fields={"x": value})
    assert ticket.fields["x"] == value
    assert len(walks) <= 13  # one container a level (2**13 - 1 before)
