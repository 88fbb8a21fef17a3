"""Date-time text in the condition JSON is read one way: an operator's value, a window's
bounds and the JSON Schema's pattern take the same forms, and the models refuse only what
does not exist (a 30th of February, T24:00) beyond the pattern."""

from __future__ import annotations

import json
import re
from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpdesk_routing._time import DATE_TIME_PATTERN
from helpdesk_routing.conditions import parse_condition
from helpdesk_routing.errors import NAIVE, ValidationError
from helpdesk_routing.schemas import json_schema

_two = st.integers(0, 99).map(lambda n: f"{n:02d}")
_offsets = st.sampled_from(
    [
        *("Z", "z", "+02", "+0200", "+02:00", "-05:30", "+02:00:30", "+2", "", "UTC", "+02:0"),
        *("+00:99", "+00:60", "+02:00:75", "+24:00", "-23:59", "+0099", "+02:0030", "+020030"),
    ]
)
_fractions = st.sampled_from(["", ".5", ",25", ".123456789", "."])


@st.composite
def date_time_texts(draw: st.DrawFn) -> str:
    """Text near the forms people write: extended or basic ISO 8601, any separator, any
    offset, hours and days just past their ranges."""
    year = draw(st.sampled_from(["2026", "0001", "9999", "26"]))
    month = draw(st.sampled_from(["03", "02", "13", "3"]))
    day = draw(st.sampled_from(["30", "28", "31", "00"]))
    hour = draw(st.sampled_from(["12", "00", "23", "24"]))
    minute = draw(st.sampled_from(["00", "59", "60"]))
    seconds = draw(st.sampled_from(["", ":00", ":59", ":60"]))
    fraction = draw(_fractions) if seconds else ""
    separator = draw(st.sampled_from(["T", "t", " ", "_"]))
    offset = draw(_offsets)
    if draw(st.booleans()):  # basic form: no dashes nor colons in the date and time
        return f"{year}{month}{day}{separator}{hour}{minute}{seconds[1:]}{fraction}{offset}"
    return f"{year}-{month}-{day}{separator}{hour}:{minute}{seconds}{fraction}{offset}"


def _value_verdict(text: str) -> str:
    try:
        parse_condition({"type": "ticket", "field": "created_at", "op": "before", "value": text})
    except ValidationError as exc:
        return "naive" if exc.details[0].message == NAIVE else "refused"
    return "accepted"


def _window_verdict(text: str) -> str:
    try:
        parse_condition({"type": "event", "metric": "m", "window": {"type": "before", "end": text}})
    except ValidationError as exc:
        return "naive" if exc.details[0].message == NAIVE else "refused"
    return "accepted"


def _exists(text: str) -> bool:
    try:
        datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        return False
    return True


@given(date_time_texts())
def test_an_operator_value_and_a_window_bound_read_date_time_text_alike(text: str) -> None:
    assert _value_verdict(text) == _window_verdict(text)


@given(date_time_texts())
def test_the_models_take_the_schemas_date_time_forms_that_exist(text: str) -> None:
    """Accepted exactly when the schema's pattern matches and the moment exists (the
    rule beyond JSON Schema); the pattern's forms without an offset are naive."""
    verdict = _value_verdict(text)
    if re.fullmatch(DATE_TIME_PATTERN, text):
        assert verdict == ("accepted" if _exists(text) else "refused"), verdict
    else:
        assert verdict != "accepted"


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        ("2026-03-30T12:00:00Z", "accepted"),
        ("2026-03-30T14:00:00+02", "accepted"),
        ("2026-03-30 14:00:00,5+02:00", "accepted"),
        ("2026-03-30t12:00z", "accepted"),
        ("20260330T120000Z", "refused"),  # the basic form: not the schema's
        ("2026-W14-1T12:00Z", "refused"),  # a week date
        ("2026-03-30T12Z", "refused"),  # a lone hour
        ("2026-02-30T12:00Z", "refused"),  # no such day
        ("2026-03-30T24:00:00Z", "refused"),  # no such hour
        ("2026-03-30T12:00:00", "naive"),
        ("2026-03-30T12:00:00+020030", "accepted"),  # +HHMMSS, as Python reads it
        ("2026-03-30T12:00:00-23:59", "accepted"),
        # Python's fromisoformat reads +00:99 as 1:39 and +02:00:75 as 2:01:15: an
        # offset's minutes and seconds stop at 59, its hours at 23
        ("2026-03-30T12:00:00+00:99", "refused"),
        ("2026-03-30T12:00:00+00:60", "refused"),
        ("2026-03-30T12:00:00+02:00:75", "refused"),
        ("2026-03-30T12:00:00+0099", "refused"),
        ("2026-03-30T12:00:00+24:00", "refused"),
        ("2026-03-30T12:00:00+02:0030", "refused"),  # colons in one place, not the other
    ],
)
def test_date_time_text_examples(text: str, verdict: str) -> None:
    assert _value_verdict(text) == verdict
    assert _window_verdict(text) == verdict


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "2026-03-30T10:00:00+00:99",
            "'2026-03-30T10:00:00+00:99' has no UTC offset that exists: '+00:99' is not "
            "+HH[:MM[:SS]] with hours 00 to 23, minutes and seconds 00 to 59",
        ),
        (
            "2026-03-30T10:00:00+24:00",
            "'2026-03-30T10:00:00+24:00' has no UTC offset that exists: '+24:00' is not "
            "+HH[:MM[:SS]] with hours 00 to 23, minutes and seconds 00 to 59",
        ),
        (
            "2026-03-30T23:59:60Z",
            "'2026-03-30T23:59:60Z' is not a date-time that exists: second must be in 0..59",
        ),
    ],
)
def test_a_models_instant_reads_offsets_as_the_conditions_do(text: str, message: str) -> None:
    """A ticket's ``created_at`` and a configuration's ``at`` take what a condition takes,
    and say why they refuse the rest as it does (pydantic read ``+00:99`` as an offset of
    1:39, and named hour 24 or second 60 "unexpected extra characters")."""
    from helpdesk_routing.configuration import Configuration
    from helpdesk_routing.model import Ticket

    for read in (
        lambda: Ticket.model_validate({"id": "t", "channel": "sms", "created_at": text}),
        lambda: Configuration.model_validate_json(json.dumps({"version": 1, "at": text})),
    ):
        with pytest.raises(ValidationError) as raised:
            read()
        assert raised.value.details[0].message == message
    with pytest.raises(ValidationError) as raised:
        parse_condition({"type": "ticket", "field": "created_at", "op": "after", "value": text})
    assert raised.value.details[0].message.endswith(message)


def test_the_schema_states_the_same_pattern_for_values_and_windows() -> None:
    schema = json_schema("condition")
    patterns = set(re.findall(r"'pattern': '([^']*)'", str(schema)))
    # the models' pattern, with the end guard every schema pattern ends with ($ is the
    # end of the text, not a place before a final newline)
    assert DATE_TIME_PATTERN + "(?!\\n)" in {p.replace("\\\\", "\\") for p in patterns}


def test_a_refused_bound_names_the_text_and_the_forms_taken() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_condition(
            {"type": "event", "metric": "m", "window": {"type": "since", "start": "20260330T1200Z"}}
        )
    assert [(d.path, d.message) for d in caught.value.details] == [
        (
            "$.window.start",
            "'20260330T1200Z' is not a date-time with a UTC offset, like "
            "'2026-03-30T12:00:00Z' or '2026-03-30T14:00:00+02:00'",
        )
    ]


def test_a_fractions_comma_reads_as_its_period() -> None:
    """docs/conditions.md: the fraction's mark is a period or a comma (ISO 8601's two):
    the same instant in a condition's value, a window's bound and a ticket's created_at."""
    from helpdesk_routing.model import Ticket

    def value(text: str) -> object:
        node = parse_condition(
            {"type": "ticket", "field": "created_at", "op": "before", "value": text}
        )
        return node.model_dump(mode="json")["value"]

    def bound(text: str) -> object:
        node = parse_condition(
            {"type": "event", "metric": "m", "window": {"type": "before", "end": text}}
        )
        return node.model_dump(mode="json")["window"]["end"]

    for read in (value, bound):
        assert read("2026-03-30T12:00:00,5Z") == read("2026-03-30T12:00:00.5Z")
        assert read("2026-03-30T12:00:00,5Z") == "2026-03-30T12:00:00.500000Z"
    made = Ticket(id="t", channel="email", created_at="2026-03-30T12:00:00,25+02:00")
    assert made.created_at == datetime.fromisoformat("2026-03-30T12:00:00.25+02:00")
