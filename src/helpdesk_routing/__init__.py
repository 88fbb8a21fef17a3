"""helpdesk_routing: exact, explainable routing and assignment of helpdesk tickets.

The names most users need are re-exported here::

    import helpdesk_routing as hr
    from helpdesk_routing.conditions import ticket, profile, event, segment

``PostgresStore`` needs the ``postgres`` extra; psycopg is imported only when a
PostgreSQL store is created, so ``import helpdesk_routing`` never needs it.
"""

import logging

from .allocation import Allocation, Allocator, LeastLoaded, Pool, RoundRobin
from .audit import ReplayedState, TicketState, replay
from .calendar import OfficeHours
from .clock import ManualClock, SystemClock
from .conditions import ConditionTrace, condition_json_schema, parse_condition
from .configuration import AllocatorName, Configuration
from .decision import AllocationTrace, DecidedBy, RoutingDecision, RuleOutcome, RuleTrace
from .errors import (
    ArgumentTypeError,
    ConflictError,
    ErrorDetail,
    MissingExtra,
    ModelValidationError,
    NaiveDatetimeError,
    PermissionDenied,
    RoutingError,
    SchemaVersionError,
    StaleConfiguration,
    StoreError,
    UnknownAgent,
    UnknownTeam,
    UnknownTicket,
    ValidationError,
)
from .model import Agent, Channel, Event, Profile, Role, Team, Ticket, TicketStatus
from .ports import Clock, CustomerData, RoundRobinInStore, Store, Transaction
from .records import AuditRecord, RotationState, TicketQuery, TicketRecord
from .router import Router
from .rules import AssignToTeam, RoutingRule, RuleIssue, RuleSet, SaveAsView, decide
from .stores.memory import InMemoryStore
from .stores.memory_customer_data import InMemoryCustomerData
from .stores.postgres import PostgresCustomerData, PostgresStore
from .stores.sqlite import SqliteCustomerData, SqliteStore
from .views import Page, Views

__version__ = "0.1.0.dev0"

# Silent by default: the host decides where the library's log records go.
logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = [
    "Agent",
    "Allocation",
    "AllocationTrace",
    "Allocator",
    "AllocatorName",
    "ArgumentTypeError",
    "AssignToTeam",
    "AuditRecord",
    "Channel",
    "Clock",
    "ConditionTrace",
    "Configuration",
    "ConflictError",
    "CustomerData",
    "DecidedBy",
    "ErrorDetail",
    "Event",
    "InMemoryCustomerData",
    "InMemoryStore",
    "LeastLoaded",
    "ManualClock",
    "MissingExtra",
    "ModelValidationError",
    "NaiveDatetimeError",
    "OfficeHours",
    "Page",
    "PermissionDenied",
    "Pool",
    "PostgresCustomerData",
    "PostgresStore",
    "Profile",
    "ReplayedState",
    "Role",
    "RotationState",
    "RoundRobin",
    "RoundRobinInStore",
    "Router",
    "RoutingDecision",
    "RoutingError",
    "RoutingRule",
    "RuleIssue",
    "RuleOutcome",
    "RuleSet",
    "RuleTrace",
    "SaveAsView",
    "SchemaVersionError",
    "SqliteCustomerData",
    "SqliteStore",
    "StaleConfiguration",
    "Store",
    "StoreError",
    "SystemClock",
    "Team",
    "Ticket",
    "TicketQuery",
    "TicketRecord",
    "TicketState",
    "TicketStatus",
    "Transaction",
    "UnknownAgent",
    "UnknownTeam",
    "UnknownTicket",
    "ValidationError",
    "Views",
    "condition_json_schema",
    "decide",
    "parse_condition",
    "replay",
]
