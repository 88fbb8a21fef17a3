"""Interrupts injected at a chosen point, as a Ctrl-C arriving at that moment would
raise them: the helpers the interrupt tests of the stores (and of the ledger) share.

Python runs a signal handler between bytecodes, so a ``KeyboardInterrupt`` may be
raised wherever the thread happens to be. These helpers raise one once, from a trace or
profile function: at a line of a function (:func:`interrupt_at`), as a function returns
(:func:`interrupt_on_return`), as the built-in ``next`` returns in a function
(:func:`interrupt_as_next_returns`) or as a function's ``nth`` call starts
(:func:`interrupt_on_call`). Each restores the trace or profile function it found."""

from __future__ import annotations

import inspect
import linecache
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from types import CodeType, FrameType
from typing import Any

import pytest

__all__ = [
    "Interrupt",
    "in_finally",
    "interrupt_as_next_returns",
    "interrupt_at",
    "interrupt_on_call",
    "interrupt_on_return",
    "kept_interrupt",
    "lines",
    "source",
]


class Interrupt(KeyboardInterrupt):
    """The injected interrupt (a KeyboardInterrupt, told apart from a real one)."""


def source(func: Callable[..., Any], line: int) -> str:
    """The text of ``line`` (a line number of the file) of ``func``, stripped."""
    code: CodeType = getattr(func, "__wrapped__", func).__code__
    return linecache.getline(code.co_filename, line).strip()


def lines(func: Callable[..., Any]) -> list[int]:
    """The lines of ``func`` a signal can arrive before. Not a ``try:`` line: its NOP
    never runs a signal handler (CPython checks for them at calls and backward jumps),
    and an exception a trace function raises there lands outside the enclosing block,
    which no real interrupt can do."""
    code: CodeType = getattr(func, "__wrapped__", func).__code__
    first = code.co_firstlineno
    found = {line for _, _, line in code.co_lines() if line is not None and line > first}
    return sorted(line for line in found if source(func, line) != "try:")


def in_finally(func: Callable[..., Any], line: int) -> bool:
    """Whether ``line`` of ``func`` comes after its (first) ``finally:``."""
    start = next(n for n in _lines_all(func) if source(func, n) == "finally:")
    return line > start


def _lines_all(func: Callable[..., Any]) -> list[int]:
    code: CodeType = getattr(func, "__wrapped__", func).__code__
    text, first = inspect.getsourcelines(code)
    return list(range(first, first + len(text)))


@contextmanager
def interrupt_at(func: Callable[..., Any], line: int) -> Iterator[dict[str, bool]]:
    """Raise :class:`Interrupt` once, when ``line`` of ``func`` is about to run (in
    this thread): what a Ctrl-C arriving at that moment does."""
    code = getattr(func, "__wrapped__", func).__code__
    state = {"fired": False}

    def local(frame: FrameType, event: str, arg: object) -> Any:
        if event == "line" and frame.f_lineno == line and not state["fired"]:
            state["fired"] = True
            sys.settrace(None)
            frame.f_trace = None
            raise Interrupt(f"at {code.co_name}:{line}")
        return local

    def glob(frame: FrameType, event: str, arg: object) -> Any:
        if event == "call" and frame.f_code is code and not state["fired"]:
            return local
        return None

    previous = sys.gettrace()
    sys.settrace(glob)
    try:
        yield state
    finally:
        sys.settrace(previous)


@contextmanager
def interrupt_on_return(func: Callable[..., Any]) -> Iterator[dict[str, bool]]:
    """Raise :class:`Interrupt` once, as ``func`` returns: where a signal that arrived
    during its last bytecodes is raised (CPython checks after a call, before the
    caller stores the value)."""
    code: CodeType = getattr(func, "__wrapped__", func).__code__
    state = {"fired": False}

    def local(frame: FrameType, event: str, arg: object) -> Any:
        if event == "return" and not state["fired"]:
            state["fired"] = True
            sys.settrace(None)
            frame.f_trace = None
            raise Interrupt(f"as {code.co_name} returns")
        return local

    def glob(frame: FrameType, event: str, arg: object) -> Any:
        if event == "call" and frame.f_code is code and not state["fired"]:
            return local
        return None

    previous = sys.gettrace()
    sys.settrace(glob)
    try:
        yield state
    finally:
        sys.settrace(previous)


@contextmanager
def interrupt_as_next_returns(func: Callable[..., Any]) -> Iterator[dict[str, bool]]:
    """Raise :class:`Interrupt` once, as the built-in ``next`` called in ``func``
    returns: where CPython checks for a signal after that call (before the value is
    returned), so inside the ``try`` around it."""
    code: CodeType = getattr(func, "__wrapped__", func).__code__
    state = {"fired": False}

    def profile(frame: FrameType, event: str, arg: object) -> Any:
        if event == "c_return" and frame.f_code is code and arg is next and not state["fired"]:
            state["fired"] = True
            sys.setprofile(None)
            raise Interrupt(f"as next returns in {code.co_name}")

    previous = sys.getprofile()
    sys.setprofile(profile)
    try:
        yield state
    finally:
        sys.setprofile(previous)


@contextmanager
def interrupt_on_call(code: CodeType, nth: int = 1) -> Iterator[dict[str, int]]:
    """Raise ``KeyboardInterrupt()`` (as a real Ctrl-C: no text) as the ``nth`` call of
    the function with this code starts: CPython checks for signals at a function's
    first instruction, before its first ``try``."""
    state = {"seen": 0}

    def glob(frame: FrameType, event: str, arg: object) -> Any:
        if event == "call" and frame.f_code is code and state["seen"] < nth:
            state["seen"] += 1
            if state["seen"] == nth:
                sys.settrace(None)
                raise KeyboardInterrupt
        return None

    previous = sys.gettrace()
    sys.settrace(glob)
    try:
        yield state
    finally:
        sys.settrace(previous)


def kept_interrupt(
    action: Callable[[], object], injection: AbstractContextManager[dict[str, bool]]
) -> Any:
    """Run ``action`` under ``injection``; the :class:`Interrupt` it raised, kept alive
    (as the interactive interpreter keeps the last traceback)."""
    with injection as state:
        try:
            action()
        except Interrupt as exc:
            assert state["fired"]
            return exc
    pytest.fail("the interrupt did not fire")
