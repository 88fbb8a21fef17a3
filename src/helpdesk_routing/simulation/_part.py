"""The base of a scenario's models: a changed copy is checked, and each problem is said once.

- ``model_copy(update=...)`` gives a model validated like any other. pydantic's own copy
  takes the update unchecked, so ``scenario.model_copy(update={"days": nan})`` made a
  scenario no document could be read as, whose run never ended (``OfficeHours`` and
  ``RuleSet`` check their copies the same way).
- A tuple with a least length whose items fail is not also reported as too short:
  pydantic counts the items that validated, so ``"agents": [{"id": 5}]`` gave
  ``$.agents[0].id`` and a misleading ``$.agents: Tuple should have at least 1 item
  after validation, not 0``. The follow-on is dropped when the tuple given was long
  enough; an empty one is still refused as too short.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, Self

from pydantic import ModelWrapValidatorHandler, model_validator
from pydantic import ValidationError as PydanticValidationError

from helpdesk_routing._input import InputModel, without_follow_ons

__all__ = ["Part"]


class Part(InputModel):
    """A model of a scenario (or the scenario): see the module docstring."""

    @model_validator(mode="wrap")
    @classmethod
    def _said_once(cls, value: Any, handler: ModelWrapValidatorHandler[Self]) -> Self:
        try:
            return handler(value)
        except PydanticValidationError as error:
            kept = without_follow_ons(error)
            if kept is None:
                raise
            raise kept from None

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy; with ``update``, a new model validated as one built with those values
        is (``ModelValidationError`` naming each bad field by its path, ``$.days``):
        pydantic's own ``model_copy`` would take the update unchecked. The fields set
        are those of the original and the update, as pydantic's copy has them."""
        if not update:
            return super().model_copy(deep=deep)
        values = {name: getattr(self, name) for name in self.model_fields_set}
        if deep:
            values = copy.deepcopy(values)
        return self.model_validate({**values, **update})
