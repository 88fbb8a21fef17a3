"""Faults next to this stop's own fixes, found by reviewing them.

- A destination's ``resumes_at`` that is aware but beyond year 9999 in UTC passed the
  answer's check, and writing it in UTC for the visitor failed after the ticket was
  made: the handoff stayed in ``handing_off``. The answer is malformed (outcome unknown).
- ``render`` checked a ``VisitorMessage`` subclass's message as the base class, refusing
  the subclass's own fields.
- A set of condition values was sorted before its items were made plain values
  (``{Plan.PRO, 3}`` was ``(5, 3)``, ``{5, 3}`` is ``(3, 5)``); NumPy's ``float32`` was
  still refused, and so was a NumPy integer as a span's amount.
- ``catalogue.lint`` named metrics, segments and properties with ``repr``.
- ``simulate --json ""`` said the empty path names a folder."""

from __future__ import annotations

import enum
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

import helpdesk_routing as hr
from helpdesk_routing import handoff
from helpdesk_routing.conditions import FieldCatalogue, event, profile, segment
from helpdesk_routing.handoff import Delivery
from helpdesk_routing.handoff.destination import checked_delivery
from helpdesk_routing.handoff.messages import MessageKey, VisitorMessage, render

np = pytest.importorskip("numpy")
NOW = datetime(2026, 3, 30, 10, tzinfo=UTC)
LATEST = datetime.max.replace(tzinfo=timezone(timedelta(hours=-5)))


def test_a_resumes_at_beyond_the_utc_years_is_a_malformed_answer() -> None:
    answer = Delivery(ticket_id="T-1", continue_on="webchat", resumes_at=LATEST)
    with pytest.raises(hr.ValidationError, match="beyond years 1 to 9999 in UTC"):
        checked_delivery(answer, "mydesk")

    class Desk:
        name = "mydesk"

        def deliver(self, request: object) -> Delivery:
            return answer

        def find(self, handoff_id: str) -> None:
            return None

    ledger = handoff.InMemoryLedger()
    service = handoff.Handoff(
        settings=handoff.SendToHelpdesk(helpdesk="zendesk"),
        ledger=ledger,
        customer_data=hr.InMemoryCustomerData(),
        clock=hr.ManualClock(NOW),
        destination=Desk(),
    )
    conversation = handoff.Conversation(id="c1", channel="email", email="ann@example.com")
    with pytest.raises(hr.ValidationError, match="beyond years 1 to 9999 in UTC"):
        service.request(conversation, reason="knowledge_gap")
    record = ledger.get(handoff.handoff_id("c1"))
    assert record is not None
    assert record.state == "outcome_unknown"


class Localised(VisitorMessage):
    lang: str = "en"


def test_a_subclass_message_renders_with_its_own_fields() -> None:
    message = Localised(key=MessageKey.AGENTS_BUSY, lang="fr")
    assert render(message) == render(VisitorMessage(key=MessageKey.AGENTS_BUSY))


class Plan(enum.IntEnum):
    PRO = 5


@pytest.mark.parametrize(
    ("given", "plain"),
    [
        ({Plan.PRO, 3}, {5, 3}),
        ({np.int64(1), 3}, {1, 3}),
        ({np.float64(0.1), 0.5}, {0.1, 0.5}),
    ],
)
def test_a_set_is_ordered_as_its_plain_values(given: set[object], plain: set[object]) -> None:
    built, expected = profile("n").is_in(given), profile("n").is_in(plain)
    assert built == expected
    assert built.model_dump_json() == expected.model_dump_json()


def test_other_numpy_floats_and_span_amounts_are_plain_numbers() -> None:
    assert (profile("ltv") > np.float32(1.5)) == (profile("ltv") > 1.5)
    assert event("M").where(value__gt=np.float16(2)) == event("M").where(value__gt=2.0)
    assert event("M").in_last(days=np.int64(7)) == event("M").in_last(days=7)
    assert profile("seen").in_last(days=np.int64(7)) == profile("seen").in_last(days=7)
    with pytest.raises(hr.ValidationError, match="finite"):
        profile("ltv") > np.float32("nan")  # noqa: B015


def test_lint_quotes_names_as_conditions_show_them() -> None:
    catalogue = FieldCatalogue(metrics=["café"], segments=["café"], profile_properties=["café"])
    issues = catalogue.lint(
        event("cafe\u0301") & segment("cafe\u0301") & (profile("cafe\u0301") == 1)
    )
    said = [i.message for i in issues]
    assert said == [
        "unknown metric 'cafe\\u0301'; did you mean 'café'?",
        "unknown segment 'cafe\\u0301'; did you mean 'café'?",
        "unknown profile property 'cafe\\u0301'; did you mean 'café'?",
    ]


def test_simulate_names_an_empty_output_path_as_no_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from helpdesk_routing import cli

    from .simulation.conftest import mmc

    scenario = tmp_path / "s.json"
    scenario.write_text(mmc(2, 0.7, 20).model_dump_json())
    assert cli.main(["simulate", str(scenario), "--json", ""]) == 2
    assert capsys.readouterr().err == "error: cannot write --json '': it names no file\n"
