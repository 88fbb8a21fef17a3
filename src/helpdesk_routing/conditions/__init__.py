"""The condition DSL: what a routing rule tests, as data.

A condition is a tree of frozen pydantic nodes that *is* its JSON form
(``docs/conditions.md`` is the full reference):

- ``ticket``: a ticket field (``channel``, ``tags``, ``subject``, ``status``,
  ``priority``, custom fields) -- ``ticket("channel") == "sms"``;
- ``profile``: a profile property (``$country``, ``churn_risk``...) --
  ``profile("lifetime_value") > 500``;
- ``event``: what the customer has (not) done, counted in a window --
  ``event("Placed Order").at_least(1).in_last(hours=2).where(value__gt=100)``;
- ``segment``: segment membership -- ``segment("vip")``;
- ``all`` / ``any`` / ``not`` -- ``&``, ``|``, ``~``, ``all_of``, ``any_of``, ``not_``.

Missing data is *not set*: every positive test fails on it, ``is_not_set`` holds,
and the negative operators ``not_equals``, ``not_contains`` and ``not_in`` are the
exact negation of their positive twins, so **they hold on a missing property**.
A value of the wrong type fails that one test. Evaluation never raises on data.

:func:`parse_condition` reads the JSON (errors name JSON paths),
:func:`compile_condition` makes a fast predicate that can also record and explain, :func:`implies`
and :class:`FieldCatalogue` lint rule sets.
"""

from __future__ import annotations

from .analysis import FieldCatalogue, LintIssue, implies
from .build import ProfileField, TicketField, event, profile, segment, ticket
from .compile import CompiledCondition, compile_condition
from .context import EvaluationContext
from .nodes import (
    MAX_CONDITION_DEPTH,
    AfterWindow,
    AllCondition,
    AllTimeWindow,
    AnyCondition,
    BeforeWindow,
    BetweenWindow,
    Condition,
    CountOp,
    EventCondition,
    EventCount,
    InLastWindow,
    NotCondition,
    Operator,
    ProfileCondition,
    PropertyFilter,
    SegmentCondition,
    SinceWindow,
    Span,
    TicketCondition,
    TimeUnit,
    Window,
    all_of,
    any_of,
    condition_error_details,
    condition_json_schema,
    condition_path,
    not_,
    parse_condition,
)
from .trace import ConditionTrace

# Sorted as sorted() sorts (the public-surface test), not as ruff would.
__all__ = [  # noqa: RUF022
    "AfterWindow",
    "AllCondition",
    "AllTimeWindow",
    "AnyCondition",
    "BeforeWindow",
    "BetweenWindow",
    "CompiledCondition",
    "Condition",
    "ConditionTrace",
    "CountOp",
    "EvaluationContext",
    "EventCondition",
    "EventCount",
    "FieldCatalogue",
    "InLastWindow",
    "LintIssue",
    "MAX_CONDITION_DEPTH",
    "NotCondition",
    "Operator",
    "ProfileCondition",
    "ProfileField",
    "PropertyFilter",
    "SegmentCondition",
    "SinceWindow",
    "Span",
    "TicketCondition",
    "TicketField",
    "TimeUnit",
    "Window",
    "all_of",
    "any_of",
    "compile_condition",
    "condition_error_details",
    "condition_json_schema",
    "condition_path",
    "event",
    "implies",
    "not_",
    "parse_condition",
    "profile",
    "segment",
    "ticket",
]
