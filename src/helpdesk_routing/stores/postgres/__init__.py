"""PostgreSQL stores: a :class:`~helpdesk_routing.ports.Store` and a
:class:`~helpdesk_routing.ports.CustomerData` that several service processes share.

Needs the ``postgres`` extra (psycopg 3 and psycopg-pool); importing this module does
not import psycopg, constructing a store without it raises
:class:`~helpdesk_routing.errors.MissingExtra`.

A unit of work is one ``READ COMMITTED`` transaction made safe by explicit row locks,
so it never needs a serialisation retry:

- ``rotation(pool)`` locks the pool's row (``SELECT ... FOR UPDATE``, the row created
  on first use), so two processes never give out the same rotation step;
- ``get_ticket`` and ``find_tickets`` lock the ticket rows they return, so a ticket
  read and then written in one unit cannot be changed (or handed out) in between;
- ``add_ticket`` inserts with ``ON CONFLICT (id) DO NOTHING``: a concurrent insert of
  the same id waits for the first to end and then returns the stored record, so
  routing is idempotent by ticket id across processes.

Every unit queues other processes on the rows it locks until it ends, the global
rotation row above all, so a unit makes as few round trips as it can: BEGIN goes
with its first statement, writes nobody waits for go with the next statement or with
COMMIT, and COMMIT releases the locks before the WAL flush it then waits for (see
``release_locks_before_flush``).

Waiting for a lock longer than ``timeout`` seconds, or a deadlock between two units,
raises :class:`~helpdesk_routing.errors.ConflictError`; a lost connection raises
:class:`~helpdesk_routing.errors.StoreError`. Either way nothing of the unit is kept.
A connection found dead when a unit starts is replaced, up to ``attempts`` times.
Tables live in the connection's current schema (the first of its ``search_path``).

One module per concern: ``_database`` (the pool, units of work, errors), ``_schema``
(migrations; the route function's SQL is the package resource
``route_round_robin.sql``), ``_transaction`` (:class:`PostgresTransaction`),
``_queries`` (ticket queries), ``_route`` and ``_rows`` (the route function's call,
its facts, and rows read back), ``store`` (:class:`PostgresStore`) and
``customer_data`` (:class:`PostgresCustomerData`).
"""

from __future__ import annotations

from ._schema import SCHEMA_VERSION
from ._transaction import PostgresTransaction
from .customer_data import PostgresCustomerData
from .store import PostgresStore

__all__ = ["SCHEMA_VERSION", "PostgresCustomerData", "PostgresStore", "PostgresTransaction"]
