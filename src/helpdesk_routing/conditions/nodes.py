"""The condition nodes: frozen pydantic models that are the condition JSON.

A condition is a tree. Leaves test one thing: a ticket field (``ticket``), a
profile property (``profile``), the profile's events (``event``) or its segment
membership (``segment``); ``all``, ``any`` and ``not`` combine them. Every node
has a ``"type"``; :data:`Condition` is the discriminated union of them all, and
:func:`parse_condition` reads one from a dict or JSON text, naming the JSON path
of each bad part (``$.conditions[1].op``).

What the operators mean (missing data, wrong types, window boundaries) is stated
once, in ``docs/conditions.md``; in short:

- A property that is absent or ``None`` is *not set*. Every positive test fails
  on it, ``is_not_set`` holds, and ``not_equals`` / ``not_contains`` / ``not_in``
  are exactly the negation of ``equals`` / ``contains`` / ``in``, so they **hold**
  on a missing property.
- A value of the wrong type (text compared with a number) fails that one test.
- Event windows are clipped to ``now``: an event counts only if it happened by now.

Nodes combine with ``&`` (``all``), ``|`` (``any``) and ``~`` (``not``); ``==``
is structural equality of the data.
"""

from __future__ import annotations

import contextvars
import numbers
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal, Never, TypeAlias, TypeVar

import pydantic
from pydantic import (
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    TypeAdapter,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from helpdesk_routing._input import CheckedCopy, integer_argument, whole_number
from helpdesk_routing._json import loads
from helpdesk_routing._storable import StoredText
from helpdesk_routing.errors import (
    NAIVE,
    ArgumentTypeError,
    ErrorDetail,
    NaiveDatetimeError,
    ValidationError,
    json_path,
    pydantic_message,
)
from helpdesk_routing.model import in_given_order

from ._depth import MAX_CONDITION_DEPTH, depth_message, too_deep
from ._operands import (
    MAX_COUNT,
    ConditionValue,
    CountOp,
    Operator,
    Span,
    TimeUnit,
    add_op_value_rules,
    span_from_keywords,
    value_error,
    value_fits_op,
)
from ._operands import (
    max_amount as max_amount,  # documented here (docs/conditions.md, "Bounds")
)
from ._windows import (
    AfterWindow,
    AllTimeWindow,
    BeforeWindow,
    BetweenWindow,
    InLastWindow,
    SinceWindow,
    Window,
    window_data,
)

# Sorted as sorted() sorts (the public-surface test), not as ruff would.
__all__ = [  # noqa: RUF022
    "AfterWindow",
    "AllCondition",
    "AllTimeWindow",
    "AnyCondition",
    "BeforeWindow",
    "BetweenWindow",
    "Condition",
    "CountOp",
    "EventCondition",
    "EventCount",
    "InLastWindow",
    "MAX_CONDITION_DEPTH",
    "NotCondition",
    "Operator",
    "ProfileCondition",
    "PropertyFilter",
    "SegmentCondition",
    "SinceWindow",
    "Span",
    "TicketCondition",
    "TimeUnit",
    "Window",
    "condition_error_details",
    "condition_json_schema",
    "condition_path",
    "parse_condition",
]


class _Node(CheckedCopy):
    """Behaviour shared by every condition node: ``&``, ``|`` and ``~``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    def __and__(self, other: Condition) -> AllCondition:
        """Both must hold: an ``all`` node (nested ``all`` nodes are flattened)."""
        return all_of(self, other)  # type: ignore[arg-type]

    def __or__(self, other: Condition) -> AnyCondition:
        """Either must hold: an ``any`` node (nested ``any`` nodes are flattened)."""
        return any_of(self, other)  # type: ignore[arg-type]

    def __rand__(self, other: Condition) -> AllCondition:
        """Only reached when the left side is no condition (``True & cond``): refused
        as ``cond & True`` is, not Python's bare ``TypeError``."""
        return all_of(other, self)  # type: ignore[arg-type]

    def __ror__(self, other: Condition) -> AnyCondition:
        """Only reached when the left side is no condition (``None | cond``): refused
        as ``cond | None`` is."""
        return any_of(other, self)  # type: ignore[arg-type]

    def __invert__(self) -> NotCondition:
        """The negation: a ``not`` node."""
        return NotCondition(condition=self)

    def __bool__(self) -> bool:
        """Refused: a condition is not true or false until evaluated. Python's ``and``,
        ``or``, ``not`` and chained comparisons (``1 < profile("x") < 5``) would silently
        keep one side only; ``&``, ``|``, ``~`` and ``between`` say what is meant."""
        raise ArgumentTypeError(
            "a condition has no truth value: combine conditions with & | ~ (not with "
            "and / or / not), and write a range as between(low, high), not a < x < b"
        )


_BOOL = object()  # marks a bool in a value's key: True is 1 to Python, not to a test


def _value_key(value: object) -> object:
    """``value`` as a key that tells ``True`` from ``1`` and ``False`` from ``0``,
    inside lists too (``in``, ``between``): the tests do, so equality must."""
    if value is True or value is False:
        return (_BOOL, value)
    if isinstance(value, tuple | list):
        return tuple(_value_key(v) for v in value)
    if isinstance(value, frozenset | set):
        return frozenset(_value_key(v) for v in value)
    return value


class _ValueEquality:
    """``==`` and ``hash`` of a node with a ``value``: the model's, with the value
    compared by :func:`_value_key` (``equals true`` and ``equals 1`` were equal and
    hashed alike, though they hold for different data)."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        same = super().__eq__(other)
        if same is not True:
            return same
        return _value_key(self.value) == _value_key(other.value)  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((super().__hash__(), _value_key(self.value)))  # type: ignore[attr-defined]


class TicketCondition(_ValueEquality, _Node):
    """A test of one ticket field: a built-in one (``channel``, ``tags``, ``subject``,
    ``status``, ``priority``, ``email``, ``id``, ``created_at``, ``profile_id``) or a
    custom field (``Ticket.fields``). JSON: ``{"type": "ticket", "field": "channel",
    "op": "equals", "value": "sms"}``."""

    model_config = ConfigDict(frozen=True, extra="forbid", json_schema_extra=add_op_value_rules)

    type: Literal["ticket"] = "ticket"
    field: StoredText = Field(min_length=1)
    op: Operator
    value: ConditionValue = Field(default=None, validate_default=True)

    _value_fits = field_validator("value", mode="before")(value_fits_op)


class ProfileCondition(_ValueEquality, _Node):
    """A test of one profile property (``$country``, ``churn_risk``, custom ones).
    JSON: ``{"type": "profile", "property": "$country", "op": "equals", "value": "France"}``."""

    model_config = ConfigDict(frozen=True, extra="forbid", json_schema_extra=add_op_value_rules)

    type: Literal["profile"] = "profile"
    property: StoredText = Field(min_length=1)
    op: Operator
    value: ConditionValue = Field(default=None, validate_default=True)

    _value_fits = field_validator("value", mode="before")(value_fits_op)


class PropertyFilter(_ValueEquality, CheckedCopy):
    """A test of one property of an event, inside an event condition's ``where`` list:
    ``{"property": "value", "op": "greater_than", "value": 100}``."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        revalidate_instances="always",
        json_schema_extra=add_op_value_rules,
    )

    property: StoredText = Field(min_length=1)
    op: Operator
    value: ConditionValue = Field(default=None, validate_default=True)

    _value_fits = field_validator("value", mode="before")(value_fits_op)


class EventCount(CheckedCopy):
    """How many matching events the window must hold: ``{"op": "at_least", "value": 1}``;
    ``{"op": "zero"}`` is "has not done" (no value)."""

    model_config = ConfigDict(frozen=True, extra="forbid", revalidate_instances="always")

    op: CountOp
    value: int | None = Field(default=None, validate_default=True)

    @field_validator("value", mode="before")
    @classmethod
    def _value_fits_op(cls, value: object, info: ValidationInfo) -> object:
        op = info.data.get("op")
        if op is None:
            return value
        if op is CountOp.ZERO:
            # 0 written as a whole number, as every count is (0.0 is refused as 1.0 is)
            if value is None or (whole_number(value) and value == 0):
                return None
            raise value_error("zero takes no value")
        # a NumPy integer too, read as the int it is, as every whole number given
        whole = integer_argument(value)
        if whole is None or not 0 <= whole <= MAX_COUNT:
            raise value_error(f"{op.value} needs a whole number from 0 to {MAX_COUNT}")
        return whole

    def describe(self) -> str:
        """``at least 2 times``, ``zero times``..."""
        if self.op is CountOp.ZERO:
            return "zero times"
        return (
            f"{self.op.value.replace('_', ' ')} {self.value} time{'s' if self.value != 1 else ''}"
        )


class EventCondition(_Node):
    """What the customer has (or has not) done: a count test over the events of one
    metric in a window, optionally filtered on the events' own properties.

    JSON: ``{"type": "event", "metric": "Placed Order", "count": {"op": "at_least",
    "value": 1}, "window": {"type": "in_last", "amount": 2, "unit": "hours"}, "where":
    [{"property": "value", "op": "greater_than", "value": 100}]}``. ``count`` defaults
    to at least once, ``window`` to all time, ``where`` to no filter. The fluent methods
    return modified copies: ``event("Placed Order").at_least(2).in_last(days=7)``.
    """

    # JSON (and any mapping validated) names the filters ``where``, as the schema does:
    # ``filters`` there is refused (:meth:`_where_not_filters`). Python may also say
    # ``filters=``, the attribute's name (:meth:`__init__`).
    model_config = ConfigDict(frozen=True, extra="forbid", serialize_by_alias=True)

    type: Literal["event"] = "event"
    metric: StoredText = Field(min_length=1)
    count: EventCount = EventCount(op=CountOp.AT_LEAST, value=1)
    window: Window = AllTimeWindow()
    filters: tuple[PropertyFilter, ...] = Field(default=(), alias="where")

    if TYPE_CHECKING:
        # The keywords a type checker sees: a misspelt one is refused there too.
        def __init__(
            self,
            /,
            *,
            type: Literal["event"] = "event",
            metric: str,
            count: EventCount | Mapping[str, Any] = ...,
            window: Window | Mapping[str, Any] = ...,
            where: Sequence[PropertyFilter | Mapping[str, Any]] = (),
            filters: Sequence[PropertyFilter | Mapping[str, Any]] = (),
        ) -> None: ...

    else:

        def __init__(self, /, **data: Any) -> None:
            """Build from keywords: ``where=`` as in JSON, or ``filters=``, the attribute."""
            if "filters" in data and "where" not in data:
                data["where"] = data.pop("filters")
            super().__init__(**data)

        # Validation (JSON, a mapping, a nested field) must not pass through this __init__.
        __init__.__pydantic_base_init__ = True

    @model_validator(mode="before")
    @classmethod
    def _where_not_filters(cls, data: Any) -> Any:
        # pydantic takes a field's own name as well as its alias: in the JSON form only
        # the documented key is a member (the schema's, and what every dump writes).
        if isinstance(data, Mapping) and "filters" in data:
            raise PydanticCustomError(
                "unknown_member",
                "unknown member 'filters': an event condition's property filters are 'where'",
            )
        return data

    def _with(self, **changes: Any) -> EventCondition:
        # The changed condition's JSON form (its unchanged parts as the nodes they are),
        # read as parse_condition reads it: the same error, at the same path.
        data: dict[str, Any] = {
            "type": "event",
            "metric": self.metric,
            "count": self.count,
            "window": self.window,
            "where": self.filters,
        }
        data.update(changes)
        return build_node(EventCondition, data)

    def at_least(self, n: int) -> EventCondition:
        """Has done it at least ``n`` times in the window."""
        return self._with(count={"op": "at_least", "value": n})

    def at_most(self, n: int) -> EventCondition:
        """Has done it at most ``n`` times in the window (zero times included)."""
        return self._with(count={"op": "at_most", "value": n})

    def exactly(self, n: int) -> EventCondition:
        """Has done it exactly ``n`` times in the window."""
        return self._with(count={"op": "exactly", "value": n})

    def zero(self) -> EventCondition:
        """Has not done it in the window."""
        return self._with(count={"op": "zero"})

    def all_time(self) -> EventCondition:
        """Count every event up to now."""
        return self._with(window={"type": "all_time"})

    def in_last(
        self,
        *amount: Never,  # refused: an amount needs its unit (in_last(7))
        minutes: int | None = None,
        hours: int | None = None,
        days: int | None = None,
        weeks: int | None = None,
        months: int | None = None,
        **unknown: Never,  # refused, naming the units (mypy flags them too)
    ) -> EventCondition:
        """Count the events of the last span (exactly one keyword): ``now - span <= t <= now``
        (``months=``: calendar months, see :class:`TimeUnit`)."""
        span = span_from_keywords(
            "in_last",
            {"minutes": minutes, "hours": hours, "days": days, "weeks": weeks, "months": months},
            unknown,
            amount,
        )
        return self._with(window={"type": "in_last", **span})

    def since(self, start: datetime | str) -> EventCondition:
        """Count the events from ``start`` (included) up to now. A bound may be a
        ``datetime`` with a time zone or its ISO 8601 text (the condition JSON's form)."""
        return self._with(window=window_data("since", start=start))

    def after(self, start: datetime | str) -> EventCondition:
        """Count the events strictly after ``start``, up to now."""
        return self._with(window=window_data("after", start=start))

    def before(self, end: datetime | str) -> EventCondition:
        """Count the events strictly before ``end`` (and not after now)."""
        return self._with(window=window_data("before", end=end))

    def between(self, start: datetime | str, end: datetime | str) -> EventCondition:
        """Count the events with ``start <= t <= end`` (and not after now)."""
        return self._with(window=window_data("between", start=start, end=end))

    def where(self, *args: Any, **lookups: Any) -> EventCondition:
        """Add filters on the events' own properties (all must hold).

        Two readable forms, which may be mixed and repeated::

            .where(value__gt=100, currency="EUR")      # Django-style lookups
            .where("$source", "equals", "web")          # property, operator, value
            .where("value", ">", 100)                   # operator symbols: == != > >= < <=

        Lookup suffixes: ``__eq __ne __gt __gte __lt __lte __contains __not_contains
        __startswith __endswith __in __not_in __between __before __after``, and
        ``__is_set=True/False``; no suffix means ``equals``.
        """
        from .build import filters_from_lookups

        added = filters_from_lookups(args, lookups, first=len(self.filters))
        return self._with(where=(*self.filters, *added))


class SegmentCondition(_Node):
    """Segment (list) membership: ``{"type": "segment", "segment": "vip", "member": true}``;
    ``member: false`` is "is not in segment" (which holds for a ticket with no profile)."""

    type: Literal["segment"] = "segment"
    segment: StoredText = Field(min_length=1)
    member: bool = Field(default=True, strict=True)


_MEASURED: contextvars.ContextVar[bool] = contextvars.ContextVar("_MEASURED", default=False)
"""Whether a combinator being validated in this context has measured its whole input."""


class _Combinator(_Node):
    """A node holding conditions (``all``, ``any``, ``not``): it refuses to nest deeper than
    :data:`MAX_CONDITION_DEPTH` levels, whether built from JSON, from nodes (the builders,
    ``&``, ``|``, ``~``) or validated again as a field of a rule, before anything below it
    is validated (so pydantic never recurses into a deeper input)."""

    @model_validator(mode="wrap")
    @classmethod
    def _not_too_deep(cls, data: Any, handler: pydantic.ValidatorFunctionWrapHandler) -> Any:
        # The outermost combinator measures its whole input once; the combinators below
        # it are within that measure (their depth counted from higher up), so they are
        # not measured again: one walk per condition, not one per level (which made a
        # parse quadratic in the nesting).
        if _MEASURED.get():
            return handler(data)
        where = too_deep(data)
        if where is not None:
            raise PydanticCustomError("condition_depth", depth_message(where))
        token = _MEASURED.set(True)
        try:
            return handler(data)
        finally:
            _MEASURED.reset(token)


class AllCondition(_Combinator):
    """Every child must hold (an empty ``all`` holds): ``{"type": "all", "conditions": [...]}``."""

    type: Literal["all"] = "all"
    conditions: Annotated[tuple[Condition, ...], in_given_order("conditions")]


class AnyCondition(_Combinator):
    """At least one child must hold (an empty ``any`` does not): ``{"type": "any", ...}``."""

    type: Literal["any"] = "any"
    conditions: Annotated[tuple[Condition, ...], in_given_order("conditions")]


class NotCondition(_Combinator):
    """The child must not hold: ``{"type": "not", "condition": {...}}``."""

    type: Literal["not"] = "not"
    condition: Condition


CONDITION_TAGS = ("all", "any", "not", "ticket", "profile", "event", "segment")
_WINDOW_TAGS = frozenset({"all_time", "in_last", "since", "after", "before", "between"})


_TAG_SET = frozenset(CONDITION_TAGS)


def _condition_tag(value: Any) -> str | None:
    kind = value.get("type") if value.__class__ is dict else getattr(value, "type", None)
    # only text can name a tag (a list or an object as the type is no tag, and unhashable)
    return kind if isinstance(kind, str) and kind in _TAG_SET else None


Condition: TypeAlias = Annotated[
    Annotated[TicketCondition, Tag("ticket")]
    | Annotated[ProfileCondition, Tag("profile")]
    | Annotated[EventCondition, Tag("event")]
    | Annotated[SegmentCondition, Tag("segment")]
    | Annotated[AllCondition, Tag("all")]
    | Annotated[AnyCondition, Tag("any")]
    | Annotated[NotCondition, Tag("not")],
    Discriminator(
        _condition_tag,
        custom_error_type="condition_type",
        custom_error_message=(
            "a condition needs a 'type': one of " + ", ".join(repr(t) for t in CONDITION_TAGS)
        ),
    ),
]
"""Any condition node, discriminated by its ``"type"``: use it as a pydantic field type."""

AllCondition.model_rebuild()
AnyCondition.model_rebuild()
NotCondition.model_rebuild()

_ADAPTER: TypeAdapter[Condition] = TypeAdapter(Condition)

_TAG_FIELDS: dict[str, frozenset[str]] = {
    tag: frozenset(
        name for field, info in model.model_fields.items() for name in (field, info.alias) if name
    )
    - {"type"}
    for tag, model in (
        ("ticket", TicketCondition),
        ("profile", ProfileCondition),
        ("event", EventCondition),
        ("segment", SegmentCondition),
        ("all", AllCondition),
        ("any", AnyCondition),
        ("not", NotCondition),
    )
}
"""The fields an error can be located in under each union tag (``type`` never: the tag
was read from it)."""

_PATH_OPENERS = frozenset({"condition", "when"})

_KEY_AT_END = frozenset({"missing", "extra_forbidden", "condition_type"})
"""The pydantic error types whose location ends with a key of the input (a field
missing or not allowed, or the field holding a node without a known type), never a tag."""


def _strip_tags(loc: Sequence[str | int], kind: str | None = None) -> list[str | int]:
    # pydantic puts the union tag ("all", "ticket", ...) into an error's location;
    # a JSON path must not show it. A tag is followed by one of its node's fields (a
    # field named like a tag, in a model of the caller's or as a dict key, is followed
    # by the tag or by a key of its own); at the end of the location, a tag stands for
    # the node itself, unless the error's kind says the end is a key. Without the kind,
    # a tag at the end is one that follows the start, a list index, or a field that
    # holds one condition ("condition", or "when" in a routing rule).
    out: list[str | int] = []
    prev: str | int | None = None
    last = len(loc) - 1
    for i, part in enumerate(loc):
        if prev == "<tag>":  # a tag's node's field, whatever its name
            is_tag = False
        elif isinstance(part, str) and part in _TAG_FIELDS:
            if i < last:
                after = loc[i + 1]
                is_tag = (isinstance(after, str) and after in _TAG_FIELDS[part]) or (
                    i == last - 1 and kind == "extra_forbidden"  # followed by a key not allowed
                )
            elif kind is not None:
                is_tag = kind not in _KEY_AT_END
            else:
                is_tag = prev is None or isinstance(prev, int) or prev in _PATH_OPENERS
        else:
            is_tag = isinstance(part, str) and part in _WINDOW_TAGS and prev == "window"
        if not is_tag:
            out.append(part)
        prev = "<tag>" if is_tag else part
    return out


def condition_path(loc: Sequence[str | int], kind: str | None = None) -> str:
    """The JSON path of a pydantic error location inside (or above) a condition, without
    the union tags pydantic inserts: ``("rules", 0, "when", "all", "conditions", 1,
    "ticket", "op")`` -> ``$.rules[0].when.conditions[1].op``. ``kind``, the error's
    type, tells a tag at the end of the location from a field named like one (``event``
    ``missing`` is the field). A ``loc`` that is no sequence of keys (text) and indexes
    (whole numbers) is an :class:`~helpdesk_routing.errors.ArgumentTypeError` naming it."""
    if isinstance(loc, str | bytes) or not isinstance(loc, Sequence):
        raise ArgumentTypeError(
            f"loc must be a sequence of keys and indexes, got {type(loc).__name__}"
        )
    steps: list[str | int] = []
    for i, step in enumerate(loc):
        if isinstance(step, str):
            steps.append(step)
        elif isinstance(step, numbers.Integral) and not isinstance(step, bool):
            steps.append(int(step))  # a NumPy integer too, as its value
        else:
            raise ArgumentTypeError(
                f"loc[{i}] must be a key (text) or an index (a whole number), "
                f"got {type(step).__name__}"
            )
    if kind == "invalid_key" and steps:
        # the key that is no text ends the location: the path is its mapping's, as
        # errors.input_path names it (a node's, whose tag then ends the rest whatever
        # field holds it: the kind says no key of the input ends it)
        return json_path(_strip_tags(steps[:-1], kind))
    return json_path(_strip_tags(steps, kind))


def condition_error_details(
    error: pydantic.ValidationError, root: Sequence[str | int] = ()
) -> list[ErrorDetail]:
    """The details of a pydantic error about a condition, as clean JSON paths.

    pydantic puts the union tags into error locations (``("all", "conditions", 1,
    "ticket", "op")``); this removes them (``$.conditions[1].op``). ``root`` is
    prefixed (``("rules", 0, "when")``). Use it where a model holding a
    :data:`Condition` field is validated, to report the same paths as
    :func:`parse_condition`. Anything but a pydantic ``ValidationError`` is an
    :class:`~helpdesk_routing.errors.ArgumentTypeError` naming ``error``.
    """
    if not isinstance(error, pydantic.ValidationError):
        raise ArgumentTypeError(
            f"error must be a pydantic ValidationError, got {type(error).__name__}"
        )
    details = []
    for e in error.errors(include_url=False):
        details.append(
            ErrorDetail(
                condition_path([*root, *e["loc"]], e["type"]), pydantic_message(e), e["type"]
            )
        )
    return details


def parse_condition(obj: Mapping[str, Any] | str | bytes) -> Condition:
    """Read a condition from its JSON form (a dict, or JSON text).

    Raises :class:`~helpdesk_routing.errors.ValidationError` whose ``details`` name
    each bad part by JSON path, e.g. ``$.conditions[1].op``: a
    :class:`~helpdesk_routing.errors.NaiveDatetimeError` when every problem is a naive
    date-time, an :class:`~helpdesk_routing.errors.ArgumentTypeError` when every problem
    is a window bound given as a ``date`` (no datetime).

    A condition nests at most :data:`MAX_CONDITION_DEPTH` (97) levels of JSON objects
    and arrays, counted as ``RuleSet.from_dict`` counts them (the limit of a rule-set
    document, less the three levels above a rule's ``when``): a condition is too deep
    here exactly when it is too deep in a rule. Deeper is one error at ``$``, code
    ``condition_depth``: ``nested deeper than 97 levels (level 98 at .condition…)``. (A
    rule set refuses an empty ``all``/``any`` group too, which this takes: code
    ``rule_empty_group``.)
    """
    if isinstance(obj, str | bytes | bytearray):
        obj = _strict_json(obj)
    try:
        scan = _scan(obj)
        # an event written without its count and window nests one level more
        where = too_deep(obj) if scan is None or scan[0] + 1 > MAX_CONDITION_DEPTH else None
        if where is not None:
            raise ValidationError(
                "invalid condition", [ErrorDetail("$", depth_message(where), "condition_depth")]
            )
        found = bytes_details(obj) if scan is None or scan[1] else None
        if found:
            raise ValidationError("invalid condition", found)
        token = _MEASURED.set(True)  # measured above: the combinators need not again
        try:
            return _ADAPTER.validate_python(obj)
        finally:
            _MEASURED.reset(token)
    except pydantic.ValidationError as e:
        if any(_parser_too_deep(error) for error in e.errors(include_url=False)):
            # pydantic's JSON parser stops at about 200 levels: deeper than the limit.
            too_deep_detail = ErrorDetail(
                "$", f"nested deeper than {MAX_CONDITION_DEPTH} levels", "condition_depth"
            )
            raise ValidationError("invalid condition", [too_deep_detail]) from None
        raise _condition_error(e) from None


def _condition_error(error: pydantic.ValidationError) -> ValidationError:
    """:func:`parse_condition`'s error for pydantic's ``error``, of the kind errors.md
    gives: a :class:`~helpdesk_routing.errors.NaiveDatetimeError` when every problem is a
    naive date-time (a datetime or text without an offset), as a model built directly
    raises a ``ModelNaiveDatetimeError``; an
    :class:`~helpdesk_routing.errors.ArgumentTypeError` (a ``TypeError`` too) when every
    problem is a window bound given as a Python object that is no datetime (a ``date``);
    else a :class:`~helpdesk_routing.errors.ValidationError`. All are ``ValidationError``
    with the same details."""
    details = condition_error_details(error)
    causes = [(e.get("ctx") or {}).get("error") for e in error.errors(include_url=False)]
    if causes and all(
        isinstance(c, NaiveDatetimeError) or (type(c) is ValueError and str(c) == NAIVE)
        for c in causes
    ):
        naive = NaiveDatetimeError.__new__(NaiveDatetimeError)
        ValidationError.__init__(naive, "invalid condition", details)  # its paths, no name
        return naive
    if causes and all(type(c) is TypeError for c in causes):
        return ArgumentTypeError("invalid condition", details)
    return ValidationError("invalid condition", details)


_Built = TypeVar("_Built", bound="_Node")


def build_node(kind: type[_Built], data: Mapping[str, Any]) -> _Built:
    """The node of ``kind`` whose JSON form, as Python data, is ``data``: what the builders
    make, read by :func:`parse_condition`, so a bad part raises the very error parsing the
    condition's JSON raises (its path, code and message)."""
    node = parse_condition(data)
    assert isinstance(node, kind)
    return node


def _strict_json(text: str | bytes | bytearray) -> Any:
    """Condition text read by the strict reader ``RuleSet.from_json`` uses (a duplicate
    key, a lone surrogate, ``NaN`` are refused there, a byte-order mark ignored), so a
    condition is accepted or refused alike through either door. Nesting too deep for the
    reader is the condition's own depth error."""
    try:
        return loads(text, "condition")
    except ValidationError as e:
        if any(d.code == "json_depth" for d in e.details):
            detail = ErrorDetail(
                "$", f"nested deeper than {MAX_CONDITION_DEPTH} levels", "condition_depth"
            )
            raise ValidationError("invalid condition", [detail]) from None
        raise


def bytes_details(data: Any) -> list[ErrorDetail]:
    """One ``string_type`` detail per ``bytes`` or ``bytearray`` value in parsed data, in
    document order. JSON has no bytes, and pydantic would decode them as text: data
    read "with the same rules as JSON" refuses them, as it refuses a number where text
    belongs. The walk keeps its own stack and stops at the depth a document may nest
    (deeper is refused by the depth checks)."""
    found: list[ErrorDetail] = []
    stack: list[tuple[Any, list[str | int]]] = [(data, [])]
    while stack:
        value, loc = stack.pop()
        if isinstance(value, bytes | bytearray):
            found.append(ErrorDetail(json_path(loc), _BYTES, "string_type"))
        elif len(loc) <= MAX_CONDITION_DEPTH + 3:
            if isinstance(value, Mapping):
                items: list[tuple[str | int, Any]] = [(str(k), v) for k, v in value.items()]
            elif isinstance(value, list | tuple):
                items = list(enumerate(value))
            else:
                continue
            stack.extend((item, [*loc, key]) for key, item in reversed(items))
    return found


def _scan(data: Any) -> tuple[int, bool] | None:
    """How deep parsed JSON ``data`` nests (its own object or array is level 1) and
    whether it holds ``bytes``, in one walk that builds no locations; ``None`` for data
    that is not plain JSON (a model, a mapping of another type: the exact walks decide).
    Past a depth no condition may have it stops descending: that is deep enough."""
    deepest = 0
    holds_bytes = False
    stack: list[tuple[Any, int]] = [(data, 1)]
    stop = MAX_CONDITION_DEPTH + 4
    while stack:
        value, level = stack.pop()
        kind = type(value)
        if kind is dict:
            members: Any = value.values()
        elif kind is list or kind is tuple:
            members = value
        elif kind is str or kind is int or kind is float or kind is bool or value is None:
            continue
        elif kind is bytes or kind is bytearray:
            holds_bytes = True
            continue
        else:
            return None
        if level > deepest:
            deepest = level
        if level < stop:
            stack.extend((member, level + 1) for member in members)
    return deepest, holds_bytes


_BYTES = "Input should be a valid string, not bytes"


def _parser_too_deep(error: Any) -> bool:
    return bool(error["type"] == "json_invalid" and "recursion limit" in error["msg"])


def condition_json_schema() -> dict[str, Any]:
    """The JSON Schema (Draft 2020-12) of the condition JSON, for editors and rule-building
    UIs: ``helpdesk_routing.schemas.json_schema("condition")``, which agrees with
    :func:`parse_condition` (see that module for the few rules beyond JSON Schema). One
    of those: a condition nests at most :data:`MAX_CONDITION_DEPTH` levels, which a
    recursive schema cannot state; :func:`parse_condition` enforces it."""
    from helpdesk_routing.schemas import json_schema

    return json_schema("condition")


def raw_condition_schema() -> dict[str, Any]:
    """The condition schema exactly as pydantic generates it (before
    :mod:`helpdesk_routing.schemas` completes it)."""
    return _ADAPTER.json_schema(by_alias=True)


def require_combinable(value: object) -> None:
    """:func:`require_condition` for what ``&``, ``|``, ``not_``, ``all_of`` and
    ``any_of`` combine: a field reference left untested is said to be one, as on the
    left of ``&`` (``ticket('channel') is a field, not a condition: test it first``)."""
    if not isinstance(value, _Node):
        refuse = getattr(value, "_no_condition", None)
        if callable(refuse):
            refuse()
    require_condition(value)


def require_condition(value: object, said: str = "expected a condition") -> None:
    """:class:`~helpdesk_routing.errors.ArgumentTypeError` (``said``, then the type given)
    when ``value`` is no condition node: a builder or ``compile_condition`` given a
    ``dict``, ``None`` or a bare field reference fails here, not deep inside."""
    if not isinstance(value, _Node):
        raise ArgumentTypeError(f"{said}, got {type(value).__name__}")


def _flatten(kind: type[AllCondition] | type[AnyCondition], items: Sequence[Any]) -> list[Any]:
    out: list[Any] = []
    for item in items:
        require_combinable(item)
        if isinstance(item, kind):
            out.extend(item.conditions)
        else:
            out.append(item)
    return out


def all_of(*conditions: Condition) -> AllCondition:
    """Every condition must hold: ``all_of(a, b, c)`` (nested ``all`` nodes are flattened)."""
    return AllCondition(conditions=tuple(_flatten(AllCondition, conditions)))


def any_of(*conditions: Condition) -> AnyCondition:
    """At least one condition must hold (nested ``any`` nodes are flattened)."""
    return AnyCondition(conditions=tuple(_flatten(AnyCondition, conditions)))


def not_(condition: Condition) -> NotCondition:
    """The condition must not hold (anything but a condition node is refused, as
    :func:`all_of` refuses it)."""
    require_combinable(condition)
    return NotCondition(condition=condition)
