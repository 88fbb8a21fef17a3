"""A field catalogue's names are read once, as given: a pandas Series of names is its
values (``in`` on a Series asks its index, so lint called a known name unknown and
suggested itself), and a 0-d NumPy array, a collection by its type that iterates
nothing, is refused as no collection of names (it raised a bare ``TypeError``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpdesk_routing.conditions import FieldCatalogue, event, profile, segment, ticket
from helpdesk_routing.errors import ArgumentTypeError

CONDITIONS = [
    profile("churn_risk") == "High",
    event("Placed Order").at_least(1).in_last(hours=2),
    segment("vip"),
    ticket("order_id").is_set(),
]


@pytest.mark.parametrize("kind", [pd.Series, pd.Index, np.array, list, frozenset, tuple])
def test_known_names_are_known_whatever_holds_them(kind: type) -> None:
    catalogue = FieldCatalogue(
        ticket_fields=kind(["order_id", "x"]),
        profile_properties=kind(["churn_risk", "plan"]),
        metrics=kind(["Placed Order"]),
        segments=kind(["vip", "new"]),
    )
    assert [catalogue.lint(c) for c in CONDITIONS] == [[], [], [], []]


def test_an_unknown_name_in_a_series_is_suggested_from_its_values() -> None:
    catalogue = FieldCatalogue(profile_properties=pd.Series(["churn_risk"], index=["a"]))
    [issue] = catalogue.lint(profile("churn_rsik") == "High")
    assert issue.message == "unknown profile property 'churn_rsik'; did you mean 'churn_risk'?"
    assert catalogue.lint(profile("a") == 1)[0].message.startswith("unknown profile property 'a'")


def test_a_0d_array_is_no_collection_of_names() -> None:
    with pytest.raises(ArgumentTypeError, match=r"^segments must be a collection of names"):
        FieldCatalogue(segments=np.array("vip"))


def test_the_catalogue_keeps_what_it_was_given() -> None:
    names = ["vip"]
    catalogue = FieldCatalogue(segments=names)
    assert catalogue.segments is names
    assert catalogue == FieldCatalogue(segments=["vip"])
    assert repr(catalogue).endswith("segments=['vip'])")
