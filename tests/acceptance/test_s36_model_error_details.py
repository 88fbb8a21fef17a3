"""``hr.ValidationError``'s details are ``ErrorDetail``s: a lone text is refused, not
read as one detail per character."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

import helpdesk_routing as hr
from helpdesk_routing.errors import ErrorDetail


@pytest.mark.parametrize("details", ["bad", b"bad", 5, ["bad"], [("$.a", "m")], {"$.a": "m"}])
def test_details_that_are_no_error_details_are_refused(details: object) -> None:
    with pytest.raises(hr.ArgumentTypeError) as caught:
        hr.ValidationError("x", details)  # type: ignore[arg-type]
    assert isinstance(caught.value, TypeError)
    assert str(caught.value).startswith("details must be a sequence of ErrorDetail, got ")


@given(st.lists(st.tuples(st.text(min_size=1), st.text()), max_size=4))
def test_error_details_are_kept_in_order(pairs: list[tuple[str, str]]) -> None:
    """Any sequence (or iterator) of details is kept as given, and survives pickling."""
    details = [ErrorDetail("$." + path, message) for path, message in pairs]
    for given_as in (details, tuple(details), iter(details)):
        error = hr.ValidationError("bad", given_as)
        assert error.details == tuple(details)
        assert pickle.loads(pickle.dumps(error)).details == tuple(details)
    assert hr.ValidationError("bad").errors() == [
        {"path": "$", "code": "invalid", "message": "bad", "rule_id": None}
    ]
