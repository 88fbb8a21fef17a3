"""Every public function of ``metrics`` names an argument of the wrong kind, and the
index of an item of the wrong kind, with an ``ArgumentTypeError`` (a ``TypeError`` and
a library ``ValidationError``), never a builtin error from deep inside the figures."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpdesk_routing import metrics
from helpdesk_routing._audit_scan import AuditFact
from helpdesk_routing.errors import (
    ArgumentTypeError,
    NaiveDatetimeError,
    RoutingError,
    ValidationError,
)
from helpdesk_routing.handoff import InMemoryLedger
from helpdesk_routing.model import Agent, Event
from helpdesk_routing.records import AuditRecord
from helpdesk_routing.stores.memory import InMemoryStore

START = datetime(2026, 3, 30, tzinfo=UTC)
END = START + timedelta(days=1)
BEFORE = START - timedelta(hours=1)
ROW = (BEFORE, "presence", None, "a1", 1, None, None, None, False, None)
RECORD = AuditRecord(at=BEFORE, actor="a1", action="presence", agent_id="a1", online=True)


def _refused(message: str) -> Any:
    """pytest.raises for an ArgumentTypeError whose whole message is ``message``."""
    return pytest.raises(ArgumentTypeError, match=f"^{re.escape(message)}$")


@pytest.mark.parametrize(
    ("records", "message"),
    [
        (None, "records must be audit records or fact rows (an iterable), got NoneType"),
        ("abc", "records must be audit records or fact rows (an iterable), got str"),
        ({"a": 1}, "records must be audit records or fact rows (an iterable), got dict"),
        (
            [{"a": 1}],
            "records[0] must be an AuditRecord or a fact row (a tuple of 10 fields), got dict",
        ),
        (
            [None],
            "records[0] must be an AuditRecord or a fact row (a tuple of 10 fields), got NoneType",
        ),
        ([(1, 2)], "records[0] must be a fact row of 10 fields, got a tuple of 2"),
        ([ROW, ROW[:9]], "records[1] must be a fact row of 10 fields, got a tuple of 9"),
        ([RECORD, {"a": 1}], "records[1] must be an AuditRecord, as records[0] is, got dict"),
        (
            [ROW, RECORD],
            "records[1] must be a fact row (a tuple of 10 fields), as records[0] is, "
            "got AuditRecord",
        ),
    ],
)
def test_summarize_names_records_of_the_wrong_kind(records: object, message: str) -> None:
    """Records that are not an iterable, or an item that is neither an AuditRecord nor a
    fact row of the right length (or not of the first item's kind), are named by index
    (an AttributeError, a TypeError or an unpacking ValueError before; a None first made
    an empty report)."""
    with _refused(message):
        metrics.summarize(records, [], START, END)  # type: ignore[arg-type]


def test_summarize_reads_records_and_rows_of_every_accepted_kind() -> None:
    """AuditRecords, plain tuples, AuditFact rows and a one-shot iterator are all read
    (the checks refuse nothing that was read before)."""
    expected = metrics.summarize([RECORD], [], START, END)
    for records in ([ROW], [AuditFact(*ROW)], iter([ROW]), (r for r in [RECORD])):
        assert metrics.summarize(records, [], START, END) == expected
    assert expected.always_online == ("a1",)


@given(
    good=st.integers(min_value=0, max_value=3 * 4096),
    bad=st.sampled_from([{"a": 1}, None, 5, "row", (1, 2), RECORD]),
    rows=st.booleans(),
)
def test_summarize_names_the_first_record_of_the_wrong_kind_wherever_it_is(
    good: int, bad: object, rows: bool
) -> None:
    """For any number of good records before it (the checks read records a chunk at a
    time), the first item of the wrong kind is the one named, by its index."""
    first: object = ROW if rows else RECORD
    if bad is RECORD and (not rows or good == 0):
        bad = (1, 2)  # an AuditRecord is of the wrong kind only among fact rows
    records = [first] * good + [bad, {"after": 1}]
    with pytest.raises(ArgumentTypeError, match=rf"^records\[{good}\] must be "):
        metrics.summarize(records, [], START, END)


@pytest.mark.parametrize(
    ("handoffs", "message"),
    [
        ([1], "handoffs[0] must be a handoff (with a state), got int"),
        ([{"state": "handed_off"}], "handoffs[0] must be a handoff (with a state), got dict"),
        (None, "handoffs must be handoffs (an iterable), got NoneType"),
        ("handed_off", "handoffs must be handoffs (an iterable), got str"),
    ],
)
def test_summarize_names_handoffs_of_the_wrong_kind(handoffs: object, message: str) -> None:
    """Handoffs without a state (or not an iterable) are named by index (an
    AttributeError before, or a TypeError)."""
    with _refused(message):
        metrics.summarize([], [], START, END, handoffs=handoffs)  # type: ignore[arg-type]


class _Listing:
    """Customer data whose events_between returns what it was given."""

    def __init__(self, found: object) -> None:
        self.found = found

    def events_between(self, start: datetime, end: datetime) -> Any:
        return self.found


class _Ledger:
    """A handoff ledger whose created_between returns what it was given."""

    def __init__(self, found: object) -> None:
        self.found = found

    def created_between(self, start: datetime, end: datetime) -> Any:
        return self.found


def test_report_names_what_customer_data_and_the_ledger_return_of_the_wrong_kind() -> None:
    """Items from customer_data.events_between and ledger.created_between are checked as
    events= and handoffs= are, named by where they came from and their index (an
    AttributeError before)."""
    store = InMemoryStore(agents=[Agent(id="a1")])
    event = Event(profile_id="p1", metric="m", timestamp=START)
    source = "customer_data.events_between(start, end)"
    with _refused(f"{source}[1] must be an Event, got int"):
        metrics.report(store, _Listing([event, 2]), START, END)
    with _refused(f"{source} must be Events (an iterable), got int"):
        metrics.report(store, _Listing(5), START, END)
    ledger = "ledger.created_between(start, end)"
    with _refused(f"{ledger}[0] must be a handoff (with a state), got int"):
        metrics.report(store, None, START, END, ledger=_Ledger([1]))  # type: ignore[arg-type]
    with _refused(f"{ledger} must be handoffs (an iterable), got NoneType"):
        metrics.report(store, None, START, END, ledger=_Ledger(None))  # type: ignore[arg-type]
    fine = metrics.report(store, _Listing([event]), START, END, ledger=InMemoryLedger())
    assert (fine.ai.started, fine.handoffs) == (0, {})


def test_customer_data_whose_events_between_cannot_be_called_is_named() -> None:
    """An events_between that is not a method is no EventSource, and an object without
    profile no CustomerData: customer_data is named (a bare TypeError before, then
    read as no events at all)."""

    class NotCallable:
        events_between = 5

    with _refused(
        "customer_data must be a CustomerData or an EventSource (with events_between), "
        "or None, got NotCallable"
    ):
        metrics.report(InMemoryStore(), NotCallable(), START, END)  # type: ignore[arg-type]


@pytest.mark.parametrize(("per_agent", "kind"), [([1, 2], "list"), (None, "NoneType"), (5, "int")])
def test_fairness_of_a_non_mapping_is_named(per_agent: object, kind: str) -> None:
    """FairnessStats.of takes a mapping of agent id to tickets (an AttributeError before)."""
    with _refused(f"per_agent must be a mapping of agent id to tickets, got {kind}"):
        metrics.FairnessStats.of(per_agent)  # type: ignore[arg-type]


def test_fairness_names_a_count_of_the_wrong_kind_by_agent() -> None:
    """A count that is not a whole number is named by its agent id."""
    with _refused("per_agent['a2'] must be a whole number, got str"):
        metrics.FairnessStats.of({"a1": 1, "a2": "3"})  # type: ignore[dict-item]
    with _refused("per_agent['a1'] must be a whole number, got bool"):
        metrics.FairnessStats.of({"a1": True})
    assert metrics.FairnessStats.of({"a1": 2, "a2": 1}).spread == 1


NUMBER_FUNCTIONS: list[tuple[str, Callable[[Any], object], str]] = [
    ("seconds", metrics.DurationStats.of, "a number"),
    ("counts", metrics.jain_index, "a number"),
    ("counts", metrics.gini, "a number"),
    ("counts", metrics.spread, "a whole number"),
]


@pytest.mark.parametrize(("name", "function", "kind"), NUMBER_FUNCTIONS)
def test_statistics_name_an_argument_that_is_not_an_iterable(
    name: str, function: Callable[[Any], object], kind: str
) -> None:
    """None, text, a mapping or a number where an iterable of numbers belongs is named
    (a TypeError from iter(), or text read as its characters, before)."""
    plural = "whole numbers" if kind == "a whole number" else "numbers"
    for value, type_name in [(None, "NoneType"), ("12", "str"), ({"a": 1}, "dict"), (5, "int")]:
        with _refused(f"{name} must be {plural} (an iterable), got {type_name}"):
            function(value)


@pytest.mark.parametrize(("name", "function", "kind"), NUMBER_FUNCTIONS)
def test_statistics_name_an_item_that_is_not_a_number(
    name: str, function: Callable[[Any], object], kind: str
) -> None:
    """Text, None or a bool among the numbers is named by index (a ValueError from
    float(), a TypeError from max() or a bool read as 1, before)."""
    for item, type_name in [("a", "str"), (None, "NoneType"), (True, "bool"), ([1], "list")]:
        with _refused(f"{name}[1] must be {kind}, got {type_name}"):
            function(iter([1, item, 2]))


def test_spread_names_a_count_that_is_not_whole() -> None:
    """spread counts tickets: a float is named (its result was a float, not an int)."""
    with _refused("counts[0] must be a whole number, got float"):
        metrics.spread([1.5, 2])


numbers = st.lists(st.one_of(st.integers(0, 10**6), st.floats(0, 1e6)), max_size=30)
whole = st.lists(st.integers(0, 10**6), max_size=30)
wrong_item = st.sampled_from(["1", None, True, b"1", [1], {"a": 1}, object()])


@given(values=numbers, at=st.integers(min_value=0), bad=wrong_item)
def test_the_first_non_number_is_named_by_its_index(
    values: list[float], at: int, bad: object
) -> None:
    """For any numbers with an item of the wrong kind put anywhere among them, each
    statistic names that item's index; without it, none refuses anything."""
    index = at % (len(values) + 1)
    spoiled = [*values[:index], bad, *values[index:]]
    for name, function, kind in NUMBER_FUNCTIONS[:3]:
        with pytest.raises(ArgumentTypeError, match=rf"^{name}\[{index}\] must be {kind}, got"):
            function(spoiled)
        function(values)


@given(values=whole, at=st.integers(min_value=0), bad=st.one_of(wrong_item, st.just(1.0)))
def test_the_first_count_that_is_not_whole_is_named(
    values: list[int], at: int, bad: object
) -> None:
    """For any counts with a non-count put anywhere among them, spread and
    FairnessStats.of name it; without it, they refuse nothing."""
    index = at % (len(values) + 1)
    spoiled = [*values[:index], bad, *values[index:]]
    with pytest.raises(ArgumentTypeError, match=rf"^counts\[{index}\] must be a whole number"):
        metrics.spread(spoiled)
    per_agent = {f"a{i}": n for i, n in enumerate(spoiled)}
    with pytest.raises(ArgumentTypeError, match=rf"^per_agent\['a{index}'\] must be a whole"):
        metrics.FairnessStats.of(per_agent)
    assert metrics.spread(values) == (max(values) - min(values) if values else 0)


@pytest.mark.parametrize(
    ("values", "q", "message"),
    [
        (None, 50, "sorted_values must be a sequence of numbers, got NoneType"),
        ("ab", 50, "sorted_values must be a sequence of numbers, got str"),
        (iter([1, 2]), 50, "sorted_values must be a sequence of numbers, got list_iterator"),
        (["a", "b"], 50, "sorted_values[0] must be a number, got str"),
        ([1, None], 100, "sorted_values[1] must be a number, got NoneType"),
        ([1, 2], "50", "q must be a number, got str"),
        ([1, 2], None, "q must be a number, got NoneType"),
        ([1, 2], True, "q must be a number, got bool"),
    ],
)
def test_percentile_names_an_argument_of_the_wrong_kind(
    values: Sequence[float], q: object, message: str
) -> None:
    """A percentile of something that is not a sequence of numbers, or at a q that is
    not a number, is named (a TypeError from len() or a comparison before); the items it
    reads are checked, the others are not read."""
    with _refused(message):
        metrics.percentile(values, q)  # type: ignore[arg-type]


def test_each_refusal_is_a_library_error_and_a_type_error() -> None:
    """except RoutingError and except TypeError both catch a wrong argument."""
    calls: list[Callable[[], object]] = [
        lambda: metrics.summarize([{"a": 1}], [], START, END),
        lambda: metrics.FairnessStats.of([1, 2]),  # type: ignore[arg-type]
        lambda: metrics.DurationStats.of(None),  # type: ignore[arg-type]
        lambda: metrics.percentile([1], "50"),  # type: ignore[arg-type]
    ]
    for call in calls:
        with pytest.raises(RoutingError):
            call()
        with pytest.raises(TypeError):
            call()


_WRONG_PERIODS: list[tuple[str, object, str]] = [
    ("start", "2026-03-30T00:00:00+00:00", "start must be an aware datetime, got str"),
    ("start", date(2026, 3, 30), "start must be an aware datetime, got date"),
    ("start", None, "start must be an aware datetime, got NoneType"),
    ("end", None, "end must be an aware datetime, got NoneType"),
    ("end", 1774915200, "end must be an aware datetime, got int"),
    ("target", 60, "target must be a timedelta, got int"),
    ("target", 60.0, "target must be a timedelta, got float"),
    ("target", None, "target must be a timedelta, got NoneType"),
]


def _call(function: str, arguments: dict[str, Any]) -> object:
    """metrics.report (of an empty store) or metrics.summarize (of no records) with
    ``arguments``: start, end and options."""
    if function == "report":
        return metrics.report(InMemoryStore(), None, **arguments)
    return metrics.summarize([], [], **arguments)


@pytest.mark.parametrize(("name", "value", "message"), _WRONG_PERIODS)
@pytest.mark.parametrize("function", ["report", "summarize"])
def test_a_period_or_target_of_the_wrong_kind_is_named(
    function: str, name: str, value: object, message: str
) -> None:
    """A start or end that is no datetime (text, a date, None, a number) and a target
    that is no timedelta are ArgumentTypeErrors (TypeErrors) naming the argument, as
    every other wrong kind is: they were plain ValidationErrors, missed by `except
    TypeError`. Kinds are checked before values: a naive start does not hide a wrong
    end or target."""
    arguments: dict[str, Any] = {"start": START, "end": END, name: value}
    with pytest.raises(ArgumentTypeError, match=f"^{re.escape(message)}"):
        _call(function, arguments)
    with pytest.raises(TypeError):
        _call(function, arguments)
    if name != "start":
        with pytest.raises(ArgumentTypeError, match=f"^{re.escape(message)}"):
            _call(function, {**arguments, "start": START.replace(tzinfo=None)})


@pytest.mark.parametrize(
    ("start", "end", "target", "error", "message"),
    [
        (START.replace(tzinfo=None), END, timedelta(0), NaiveDatetimeError, "start must be"),
        (START, END.replace(tzinfo=None), timedelta(0), NaiveDatetimeError, "end must be"),
        (END, START, timedelta(0), ValidationError, "end must be after start"),
        (START, START, timedelta(0), ValidationError, "end must be after start"),
        (START, END, timedelta(minutes=-5), ValidationError, "target must be a timedelta of at"),
    ],
)
@pytest.mark.parametrize("function", ["report", "summarize"])
def test_a_period_or_target_of_the_right_kind_but_wrong_is_a_validation_error(
    function: str,
    start: datetime,
    end: datetime,
    target: timedelta,
    error: type[Exception],
    message: str,
) -> None:
    """A naive instant, an empty or reversed period and a negative target are of the
    right kind: ValidationErrors (ValueErrors), not TypeErrors."""
    arguments = {"start": start, "end": end, "target": target}
    with pytest.raises(error, match=f"^{message}") as raised:
        _call(function, arguments)
    assert not isinstance(raised.value, TypeError)
    assert isinstance(raised.value, ValueError)
