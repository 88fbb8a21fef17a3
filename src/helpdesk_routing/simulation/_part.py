"""The base of a scenario's models: a changed copy is checked, and each problem is said once.

- ``model_copy(update=...)`` gives a model validated like any other
  (``helpdesk_routing._input.CheckedCopy``, as the stored models and ``Configuration``
  have it). pydantic's own copy takes the update unchecked, so
  ``scenario.model_copy(update={"days": nan})`` made a scenario no document could be
  read as, whose run never ended (``OfficeHours`` and ``RuleSet`` check their copies the
  same way).
- A tuple with a least length whose items fail is not also reported as too short:
  pydantic counts the items that validated, so ``"agents": [{"id": 5}]`` gave
  ``$.agents[0].id`` and a misleading ``$.agents: Tuple should have at least 1 item
  after validation, not 0``. The follow-on is dropped when the tuple given was long
  enough; an empty one is still refused as too short.
"""

from __future__ import annotations

from typing import Any, Self

from pydantic import ModelWrapValidatorHandler, model_validator
from pydantic import ValidationError as PydanticValidationError

from helpdesk_routing._collector import collector_paused
from helpdesk_routing._input import CheckedCopy, without_follow_ons

__all__ = ["Part"]


class Part(CheckedCopy):
    """A model of a scenario (or the scenario): see the module docstring."""

    @model_validator(mode="wrap")
    @classmethod
    def _said_once(cls, value: Any, handler: ModelWrapValidatorHandler[Self]) -> Self:
        # Validated with the collector paused (nested parts pause nothing more): a
        # scenario holding a replay of 100,000 tickets is as many models, each a few
        # dicts, and the collector's passes over the caller's heap were a fifth of a valid
        # one's time and half a bad one's.
        with collector_paused():
            try:
                return handler(value)
            except PydanticValidationError as error:
                kept = without_follow_ons(error)
                if kept is None:
                    raise
                raise kept from None
