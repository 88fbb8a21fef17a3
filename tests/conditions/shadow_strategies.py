"""What the tests of ``first_implied`` (``RuleSet.lint``'s "can never fire") share:
condition trees over a leaf strategy, lists in which later conditions repeat or narrow
earlier ones, and the all-pairs answer the index must give."""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import strategies as st

from helpdesk_routing.conditions import Condition, all_of, any_of, not_
from helpdesk_routing.conditions.analysis import implies
from helpdesk_routing.rules import AssignToTeam, RoutingRule, RuleSet


def trees(leaf: st.SearchStrategy[Condition], max_leaves: int) -> st.SearchStrategy[Condition]:
    """``all``, ``any`` (one to three children) and ``not`` over ``leaf``."""
    return st.recursive(
        leaf,
        lambda inner: st.one_of(
            st.lists(inner, min_size=1, max_size=3).map(lambda cs: all_of(*cs)),
            st.lists(inner, min_size=1, max_size=3).map(lambda cs: any_of(*cs)),
            inner.map(not_),
        ),
        max_leaves=max_leaves,
    )


@st.composite
def narrowed_lists(
    draw: st.DrawFn,
    condition: st.SearchStrategy[Condition],
    *,
    most: int,
    last: Callable[[Condition], Condition] = not_,
    one_in: int = 2,
) -> list[Condition]:
    """One to ``most`` conditions; about one in ``one_in`` after the first repeats an
    earlier one as it is, inside an ``all`` or an ``any`` with another, or as ``last``
    of it (its negation unless told)."""
    out: list[Condition] = []
    for _ in range(draw(st.integers(min_value=1, max_value=most))):
        if out and draw(st.integers(0, one_in - 1)) == 0:
            earlier = draw(st.sampled_from(out))
            other = draw(condition)
            out.append(
                draw(
                    st.sampled_from(
                        [earlier, all_of(earlier, other), any_of(earlier, other), last(earlier)]
                    )
                )
            )
        else:
            out.append(draw(condition))
    return out


def all_pairs(conditions: list[Condition]) -> list[int | None]:
    """For each condition, the first earlier one it implies, by trying every pair."""
    return [
        next((i for i in range(j) if implies(conditions[j], conditions[i])), None)
        for j in range(len(conditions))
    ]


def lint_all_pairs(rules: RuleSet) -> list[tuple[str, str]]:
    """``RuleSet.lint``'s "can never fire" as it was: every enabled team rule against
    every earlier one, ``(rule id, the earlier rule's id)``."""
    found: list[tuple[str, str]] = []
    earlier: list[RoutingRule] = []
    for rule in rules.rules:
        if isinstance(rule.then, AssignToTeam) and rule.enabled:
            for other in earlier:
                if implies(rule.when, other.when):
                    found.append((rule.id, other.id))
                    break
            earlier.append(rule)
    return found
