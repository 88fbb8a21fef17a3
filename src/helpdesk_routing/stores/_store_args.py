"""The ``agents`` a store opens with, checked once for the three stores (memory, SQLite,
PostgreSQL) before anything is written, so each refuses the same input alike: anything
but an iterable of :class:`~helpdesk_routing.model.Agent` is an
:class:`~helpdesk_routing.errors.ArgumentTypeError` naming the argument (and the index
of a bad item: a ``dict`` is not an Agent, as a ``dict`` is not an Event for customer
data), and an id listed twice is a :class:`~helpdesk_routing.errors.ValidationError`
naming both places (one of the two would silently replace the other).

The arguments of a unit of work's writes are checked by kind too (:func:`wrong_kind`),
alike in the three stores: a ``dict`` where a record belongs, text where ``online`` is a
bool. Each adapter tests ``value.__class__ is Kind`` before ``isinstance``, so the
Router's own calls, which always pass the exact class, cost no call more (the speed
tests count calls)."""

from __future__ import annotations

from helpdesk_routing.errors import ArgumentTypeError, ErrorDetail, ValidationError
from helpdesk_routing.model import Agent
from helpdesk_routing.stores._customer_args import iterable_arg

__all__ = ["agents_arg", "wrong_kind"]


def agents_arg(values: object, name: str = "agents") -> list[Agent]:
    """``values`` as a list of sound Agents (each validated again from its values) with
    distinct ids, or the error naming what is wrong (``invalid agents``, each problem at
    its path: ``$[0].id``)."""
    agents = iterable_arg(values, name, "Agents")
    seen: dict[str, int] = {}
    details: list[ErrorDetail] = []
    for i, given in enumerate(agents):
        if not isinstance(given, Agent):
            raise ArgumentTypeError(f"{name}[{i}] must be an Agent, got {type(given).__name__}")
        # validated again from its values, as Router.add_agent does: one made by
        # model_construct checked nothing (an id with a NUL was kept by the memory store,
        # written by SQLite's, which could then not read its agents back, and refused by
        # PostgreSQL's naming nothing); a subclass's object is stored as an Agent
        try:
            agent = agents[i] = Agent.model_validate(dict(given))
        except ValidationError as error:
            details += error.under(f"$[{i}]").details
            continue
        first = seen.setdefault(agent.id, i)
        if first != i:
            details.append(
                ErrorDetail(
                    f"$[{i}].id",
                    f"agent {agent.id!r} is listed twice ({name}[{first}] and {name}[{i}])",
                    "duplicate",
                )
            )
    if details:
        raise ValidationError(f"invalid {name}", details)
    return agents


def wrong_kind(name: str, expected: str, value: object) -> ArgumentTypeError:
    """The error for a unit-of-work argument of the wrong kind, naming it:
    ``record must be a TicketRecord, got dict``."""
    return ArgumentTypeError(f"{name} must be {expected}, got {type(value).__name__}")
