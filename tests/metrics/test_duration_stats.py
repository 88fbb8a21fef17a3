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


def test_the_shared_statistics_are_the_metrics_module_s_and_readable() -> None:
    """The statistics live in a private module of their own: ``metrics`` gives the same
    objects, ``inspect`` reads their source (IPython's ``??``), and a result pickled when
    they were defined in ``metrics`` (the pickle names ``helpdesk_routing.metrics``)
    still loads."""
    import inspect
    import pickle

    from helpdesk_routing import _statistics, metrics

    for name in ("DurationStats", "FairnessStats", "percentile", "spread", "jain_index", "gini"):
        public = getattr(metrics, name)
        assert public is getattr(_statistics, name)
        assert f"def {name}(" in inspect.getsource(public) or f"class {name}:" in inspect.getsource(
            public
        )
    made = metrics.DurationStats(count=1, mean=2.0, median=2.0, p90=2.0, p99=2.0)
    # protocol 0 names a class as text, "c<module>\n<name>\n", with no length to mend
    old = pickle.dumps(made, protocol=0).replace(
        b"helpdesk_routing._statistics", b"helpdesk_routing.metrics"
    )
    assert b"helpdesk_routing._statistics" not in old
    assert pickle.loads(old) == made
