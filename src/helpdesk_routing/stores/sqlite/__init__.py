"""SQLite stores: a persistent :class:`~helpdesk_routing.ports.Store` and
:class:`~helpdesk_routing.ports.CustomerData` in one file, for one host.

Standard library only (``sqlite3``). The file is in WAL mode, so readers never wait
for the writer. A unit of work is one ``BEGIN IMMEDIATE`` transaction: it takes the
database's write lock when it begins, so units of work are serialised (between
threads and between processes) and a unit never fails half-way because another
writer got in first. A writer that finds the lock taken waits up to ``timeout``
seconds (SQLite's busy timeout) and then raises :class:`~helpdesk_routing.errors.ConflictError`.

Several processes may open the same file (each its own ``SqliteStore``; never share
one across ``fork``). ``":memory:"`` gives a private database for tests and
notebooks: one connection, so its units of work take turns within the process.

The schema is created, or migrated, when the file is first opened; a file whose
schema is newer than this library is refused with
:class:`~helpdesk_routing.errors.SchemaVersionError`, untouched.

One module per concern: ``_schema`` (migrations), ``_database`` (connections, units of
work, errors), ``_transaction`` (:class:`SqliteTransaction`, ticket queries), ``store``
(:class:`SqliteStore`) and ``customer_data`` (:class:`SqliteCustomerData`).
"""

from __future__ import annotations

from ._schema import SCHEMA_VERSION
from ._transaction import SqliteTransaction
from .customer_data import SqliteCustomerData
from .store import SqliteStore

__all__ = ["SCHEMA_VERSION", "SqliteCustomerData", "SqliteStore", "SqliteTransaction"]
