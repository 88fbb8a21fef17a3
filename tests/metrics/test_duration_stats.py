"""DurationStats summarises any iterable of numbers the same way, whatever its order."""

from __future__ import annotations

import math
import random

from hypothesis import given
from hypothesis import strategies as st

from helpdesk_routing.metrics import DurationStats, percentile

seconds = st.lists(
    st.one_of(st.integers(0, 10**6), st.floats(0, 1e6, allow_nan=False)), max_size=60
)


@given(seconds, st.randoms(use_true_random=False))
def test_duration_stats_are_the_percentiles_of_the_sorted_values(
    values: list[float], rnd: random.Random
) -> None:
    """For any durations in any order (list or generator, ints or floats), the count is
    their number, the mean their exact mean, and median/p90/p99 the percentiles of the
    sorted floats; every figure is NaN for none."""
    shuffled = list(values)
    rnd.shuffle(shuffled)
    stats = DurationStats.of(v for v in shuffled)
    assert stats == DurationStats.of(values) or not values
    ordered = sorted(float(v) for v in values)
    assert stats.count == len(values)
    if not values:
        assert all(math.isnan(x) for x in (stats.mean, stats.median, stats.p90, stats.p99))
        return
    assert stats.mean == math.fsum(ordered) / len(ordered)
    assert stats.median == percentile(ordered, 50)
    assert stats.p90 == percentile(ordered, 90)
    assert stats.p99 == percentile(ordered, 99)
    assert all(isinstance(x, float) for x in (stats.mean, stats.median, stats.p90, stats.p99))


def test_the_shared_statistics_say_they_are_the_metrics_module_s() -> None:
    """The statistics live in a private module of their own; a repr, ``help()`` and a
    pickle name them where users import them, ``helpdesk_routing.metrics``."""
    import pickle

    from helpdesk_routing import metrics

    for public in (
        metrics.DurationStats,
        metrics.FairnessStats,
        metrics.percentile,
        metrics.spread,
        metrics.jain_index,
        metrics.gini,
    ):
        assert public.__module__ == "helpdesk_routing.metrics", public
        assert getattr(metrics, public.__name__) is public
    made = metrics.DurationStats(count=1, mean=2.0, median=2.0, p90=2.0, p99=2.0)
    kept = pickle.dumps(made)
    assert b"helpdesk_routing.metrics" in kept
    assert b"_statistics" not in kept
    assert pickle.loads(kept) == made
