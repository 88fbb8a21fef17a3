"""The pools a hand-out for one agent walks: the global pool and the agent's own teams,
found from the agent (``CompiledConfiguration.teams_of``), not by testing every team's
members (an agent coming Online in a team of A agents cost O(A): 40,000 agents brought
Online one by one took 24 s)."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from helpdesk_routing.configuration import CompiledConfiguration, Configuration
from helpdesk_routing.handout import _pools
from helpdesk_routing.model import Team

T0 = datetime(2026, 3, 30, 9, tzinfo=UTC)
AGENTS = ["a1", "a2", "a3", "a4", "b1"]


@given(
    teams=st.lists(
        st.tuples(
            st.sampled_from(["x", "y", "z", "w"]), st.sets(st.sampled_from(AGENTS), min_size=1)
        ),
        max_size=4,
        unique_by=lambda t: t[0],
    ),
    agent=st.none() | st.sampled_from([*AGENTS, "nobody"]),
)
def test_the_pools_of_an_agent_are_the_teams_it_is_a_member_of_in_team_order(
    teams: list[tuple[str, set[str]]], agent: str | None
) -> None:
    configuration = Configuration(
        version=1,
        at=T0,
        teams=tuple(Team(id=t, members=tuple(sorted(m))) for t, m in teams),
    )
    compiled = CompiledConfiguration.of(configuration)
    expected: list[str | None] = [None]
    expected += [t for t, members in compiled.members.items() if agent is None or agent in members]
    assert _pools(compiled, agent) == expected


class _NoScan(tuple[str, ...]):
    """A team's members that refuse to be searched: the walk must not test them."""

    def __contains__(self, item: object) -> bool:
        raise AssertionError("a team's members were searched for one agent")


def test_the_pools_of_an_agent_are_found_without_searching_every_team() -> None:
    configuration = Configuration(version=1, at=T0)
    members = {f"t{i}": _NoScan((f"a{i}", f"a{i + 1}")) for i in range(1000)}
    compiled = CompiledConfiguration(
        configuration=configuration,
        team_by_id={},
        members=members,
        allocator=CompiledConfiguration.of(configuration).allocator,
    )
    assert _pools(compiled, "a5") == [None, "t4", "t5"]
    assert _pools(compiled, None) == [None, *members]
