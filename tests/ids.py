"""Test ids that are the same in every process: ``pytest-xdist`` workers must collect the
same ids, and the ``repr`` of a set follows the hash seed (strings hash differently in
every process) and an object's default ``repr`` its address."""

from __future__ import annotations


def stable_id(value: object) -> str:
    """``repr`` with the members of sets and frozensets in sorted order (of their ids)."""
    if isinstance(value, (set, frozenset)):
        members = ", ".join(sorted(stable_id(member) for member in value))
        if isinstance(value, frozenset):
            return f"frozenset({{{members}}})"
        return f"{{{members}}}" if value else "set()"
    if isinstance(value, (list, tuple)):
        inner = ", ".join(stable_id(member) for member in value)
        if isinstance(value, tuple) and len(value) == 1:
            inner += ","
        return f"[{inner}]" if isinstance(value, list) else f"({inner})"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{stable_id(k)}: {stable_id(v)}" for k, v in value.items()) + "}"
    return repr(value)
