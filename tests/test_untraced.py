"""The ``untraced`` marker (tests/conftest.py): a test marked so runs with no trace
function, in its thread and in the threads it starts. Under ``make test`` coverage's
tracer is installed in every other test, so this fails if the marker stops working; the
tracer given back after it is checked by the autouse ``_trace_function_given_back``."""

from __future__ import annotations

import sys
import threading
from typing import Any

import pytest


@pytest.mark.untraced
def test_an_untraced_test_and_its_threads_run_with_no_trace_function() -> None:
    seen: list[Any] = []
    thread = threading.Thread(target=lambda: seen.append(sys.gettrace()))
    thread.start()
    thread.join()
    assert (sys.gettrace(), threading.gettrace(), seen) == (None, None, [None])
