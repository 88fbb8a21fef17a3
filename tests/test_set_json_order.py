"""Sets are written to JSON sorted, so equal models give the same JSON in every process
(a frozenset's own order follows the process's hash seed)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel

from helpdesk_routing.configuration import Configuration
from helpdesk_routing.handoff.settings import SendToHelpdesk
from helpdesk_routing.model import Profile, Team, Ticket, TicketStatus
from helpdesk_routing.records import TicketQuery, TicketRecord
from helpdesk_routing.simulation.scenario import ReplayTicket

AT = datetime(2026, 3, 1, 9, tzinfo=UTC)
words = st.frozensets(st.text("abcdefghij", min_size=1, max_size=6), min_size=2, max_size=12)


def _check(model: BaseModel, field: str, values: frozenset[Any]) -> None:
    assert getattr(model, field) == values  # still a set to Python
    expected = sorted(v.value if isinstance(v, TicketStatus) else v for v in values)
    assert json.loads(model.model_dump_json())[field] == expected
    assert model.model_dump(mode="json")[field] == expected
    assert isinstance(model.model_dump()[field], frozenset)
    assert type(model).model_validate_json(model.model_dump_json()) == model


@given(words)
def test_ticket_tags(tags: frozenset[str]) -> None:
    _check(Ticket(id="t1", channel="email", created_at=AT, tags=tags), "tags", tags)


@given(words)
def test_profile_segments(segments: frozenset[str]) -> None:
    _check(Profile(id="p1", segments=segments), "segments", segments)


@given(words, words)
def test_team_tags_and_segments(tags: frozenset[str], segments: frozenset[str]) -> None:
    team = Team(id="billing", members=("a1",), tags=tags, segments=segments)
    _check(team, "tags", tags)
    _check(team, "segments", segments)


@given(words)
def test_record_views(views: frozenset[str]) -> None:
    record = TicketRecord(ticket=Ticket(id="t1", channel="email", created_at=AT), views=views)
    _check(record, "views", views)


@given(st.frozensets(st.sampled_from(list(TicketStatus)), min_size=2), words)
def test_query_statuses_and_channels(
    statuses: frozenset[TicketStatus], channels: frozenset[str]
) -> None:
    query = TicketQuery(statuses=statuses, channels=channels)
    _check(query, "statuses", statuses)
    _check(query, "channels", channels)


@given(words)
def test_configuration_channels(channels: frozenset[str]) -> None:
    configuration = Configuration(version=1, at=AT, office_hours_channels=channels)
    _check(configuration, "office_hours_channels", channels)


@given(words)
def test_handoff_and_replay_tags(tags: frozenset[str]) -> None:
    _check(SendToHelpdesk(tags=tags), "tags", tags)
    _check(ReplayTicket(created_at=AT, channel="email", tags=tags), "tags", tags)


_DUMP = """
from datetime import UTC, datetime
from helpdesk_routing.configuration import Configuration
from helpdesk_routing.model import Team, Ticket
at = datetime(2026, 3, 1, tzinfo=UTC)
names = frozenset("tag-" + str(i) for i in range(40))
print(Configuration(version=1, at=at, office_hours_channels=names,
      teams=(Team(id="t", members=("a",), tags=names, segments=names),)).model_dump_json())
print(Ticket(id="x", channel="email", created_at=at, tags=names).model_dump_json())
"""


def test_the_same_bytes_under_any_hash_seed() -> None:
    outputs = set()
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", _DUMP], env=env, capture_output=True, text=True, check=True
        )
        outputs.add(done.stdout)
    assert len(outputs) == 1
