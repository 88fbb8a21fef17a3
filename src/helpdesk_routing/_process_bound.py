"""Objects that belong to the process that made them.

A store, a customer-data adapter, a Router, a ledger or a connector holds this process's
locks, connections, threads or HTTP clients. Pickle would fail on the first lock it met
(``cannot pickle '_thread.lock' object``), and a copy would share half of the object with
its original. Both are refused by a ``TypeError`` that names the class and says what to do
instead: make one in each process, over the same file, database or service.
"""

from __future__ import annotations

from typing import Any, ClassVar, NoReturn


class ProcessBound:
    """Refuses pickling and copying with a message naming the class (see the module)."""

    __slots__ = ()

    #: How a user gets the same object in another process; completes the refusal.
    _elsewhere: ClassVar[str] = "make one in each process"

    def _refused(self, what: str) -> NoReturn:
        raise TypeError(
            f"{type(self).__name__} cannot be {what}: it holds this process's locks,"
            f" connections or clients; {self._elsewhere}"
        )

    def __reduce_ex__(self, protocol: Any) -> NoReturn:
        self._refused("pickled (sent to another process)")

    def __copy__(self) -> NoReturn:
        self._refused("copied")

    def __deepcopy__(self, memo: Any) -> NoReturn:
        self._refused("copied")
