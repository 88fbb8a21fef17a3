"""``policy="random"`` draws each pool's agents independently: the draw was a hash of
the seed and the pool's hand-out count only, so the k-th ticket of every team went to
the same place in its members (two teams of the same agents: 961 of 961 pairs to the
same agent, where independent draws agree about half the time)."""

from __future__ import annotations

from datetime import UTC, datetime

from helpdesk_routing.allocation import Pool
from helpdesk_routing.model import Ticket
from helpdesk_routing.records import RotationState
from helpdesk_routing.simulation.policies import RandomSplit

T = Ticket(id="t1", channel="email", created_at=datetime(2026, 1, 1, tzinfo=UTC))


def _draws(allocator: RandomSplit, name: str, n: int) -> list[str]:
    state, agents = RotationState(), []
    for _ in range(n):
        answer = allocator.allocate(T, Pool.of(["ann", "bob"], name=name), state)
        assert answer.agent is not None
        agents.append(answer.agent)
        state = answer.state
    return agents


def test_two_pools_of_the_same_agents_draw_independently() -> None:
    allocator = RandomSplit(seed=3)
    a, b = _draws(allocator, "team:a", 4000), _draws(allocator, "team:b", 4000)
    same = sum(x == y for x, y in zip(a, b, strict=True))
    assert 0.45 < same / 4000 < 0.55  # about half, as for independent draws
    assert 0.45 < a.count("ann") / 4000 < 0.55


def test_the_same_arguments_give_the_same_agent() -> None:
    assert _draws(RandomSplit(seed=3), "team:a", 50) == _draws(RandomSplit(seed=3), "team:a", 50)
    assert _draws(RandomSplit(seed=3), "team:a", 50) != _draws(RandomSplit(seed=4), "team:a", 50)
