"""The fluent builders, given what a Python user gives them.

- A set of bad items that do not order among themselves (``{("a", 1), (1, "a")}``,
  complex numbers, a NaN ``Decimal``, naive and aware datetimes) raised the sort's raw
  ``TypeError`` (or ``decimal.InvalidOperation``), not the ``ValidationError`` the same
  items in a list give.
- An ``IntEnum`` member or a NumPy ``float64`` was kept as the node's value (explained
  as ``equals <Plan.PRO: 2>``, ``equals 2`` once read back from its JSON); NumPy's
  integers and booleans were refused ("needs text, a number or true/false, got bool").
- A segment's or an event metric's name was shown with ``repr``: a decomposed
  ``'cafe\\u0301'`` looked like the composed ``'café'``.
- ``where(__gt=5)`` filtered on a property named ``__gt``."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from helpdesk_routing import ValidationError
from helpdesk_routing.conditions import event, parse_condition, profile, segment, ticket
from helpdesk_routing.conditions.trace import describe

np = pytest.importorskip("numpy")


class Plan(enum.IntEnum):
    PRO = 2


@pytest.mark.parametrize(
    "items",
    [
        {("a", 1), (1, "a")},
        {Decimal("NaN"), Decimal(1)},
        {datetime(2026, 1, 1), datetime(2026, 1, 1, tzinfo=UTC)},
        {1j, 2j},
    ],
)
def test_a_set_of_bad_items_that_do_not_order_is_a_validation_error(items: set[object]) -> None:
    with pytest.raises(ValidationError) as caught:
        profile("x").is_in(items)
    assert len(caught.value.details) == 2
    assert all(d.path == "$.value" for d in caught.value.details)
    with pytest.raises(ValidationError):
        event("m").where(v__in=items)


@pytest.mark.parametrize(
    ("built", "plain"),
    [
        (profile("plan") == Plan.PRO, profile("plan") == 2),
        (profile("score") > np.float64(2.5), profile("score") > 2.5),
        (ticket("n") == np.int64(5), ticket("n") == 5),
        (profile("vip") == np.bool_(True), profile("vip") == True),  # noqa: E712
        (profile("n").is_in(np.array([1, 2])), profile("n").is_in([1, 2])),
        (profile("n").between(np.int64(1), Plan.PRO), profile("n").between(1, 2)),
        (event("m").at_least(np.int64(2)), event("m").at_least(2)),
        (event("m").where(gift=np.True_), event("m").where(gift=True)),
    ],
)
def test_numpy_and_enum_values_are_the_plain_values(built: object, plain: object) -> None:
    assert built == plain
    assert describe(built) == describe(plain)  # type: ignore[arg-type]
    read_back = parse_condition(built.model_dump_json())  # type: ignore[attr-defined]
    assert describe(read_back) == describe(built)  # type: ignore[arg-type]


def test_segment_and_metric_names_are_quoted_as_texts_are() -> None:
    assert describe(~segment("cafe\u0301")) == "not"
    assert describe(segment("cafe\u0301")) == "in segment 'cafe\\u0301'"
    assert describe(segment("café")) == "in segment 'café'"
    assert describe(event("Commande\u0301")).startswith("event 'Commande\\u0301' ")


JAN = datetime(2026, 1, 1, tzinfo=UTC)
FEB = datetime(2026, 2, 1, tzinfo=UTC)


def test_each_refinement_replaces_the_one_it_sets_as_documented() -> None:
    """docs/conditions.md: a call replaces the count test or window it sets (a base
    gives variants); filters add up."""
    order = event("M").at_least(1)
    assert order.at_least(2).at_most(5) == event("M").at_most(5)
    assert order.since(JAN).before(FEB) == event("M").before(FEB)
    assert order.in_last(days=7).all_time() == event("M")
    assert len(order.where(v__gt=1).where(w=2).filters) == 2


@pytest.mark.parametrize("key", ["__gt", "__is_set", "__in"])
def test_a_lookup_without_its_property_is_refused(key: str) -> None:
    with pytest.raises(ValidationError, match="names no property"):
        event("m").where(**{key: True if key == "__is_set" else [1]})
    assert event("m").where(key, "equals", 5).filters[0].property == key
