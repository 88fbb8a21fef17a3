"""The base of a scenario's models: a changed copy is checked.

``model_copy(update=...)`` gives a model validated like any other. pydantic's own copy
takes the update unchecked, so ``scenario.model_copy(update={"days": nan})`` made a
scenario no document could be read as, whose run never ended (``OfficeHours`` and
``RuleSet`` check their copies the same way).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, Self

from helpdesk_routing._input import InputModel

__all__ = ["Part"]


class Part(InputModel):
    """A model of a scenario (or the scenario): see the module docstring."""

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
