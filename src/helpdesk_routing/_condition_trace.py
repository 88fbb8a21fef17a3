"""The readable form of one evaluated condition: :class:`ConditionTrace`.

Kept apart from the condition package so that the decision (and the stored records
that hold decisions) can name it without importing the condition compiler. It is
built only when someone asks for an explanation, from the facts a traced evaluation
recorded (:mod:`helpdesk_routing.conditions.trace`).
"""

from __future__ import annotations

from pydantic import ConfigDict

from helpdesk_routing._input import InputModel

__all__ = ["ConditionTrace"]


class ConditionTrace(InputModel):
    """The evaluation of one condition node, with the traces of its children.

    ``path`` is the node's JSON path inside the condition (``$``, ``$.conditions[1]``);
    ``description`` restates the node (``ticket.channel equals 'sms'``); ``holds`` is
    the verdict, ``None`` when the node was not evaluated (its group was decided by an
    earlier child); ``reason`` says why (the value seen, the count found in the window,
    a type mismatch).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    path: str
    description: str
    holds: bool | None
    reason: str
    children: tuple[ConditionTrace, ...] = ()

    def render(self, indent: int = 0) -> str:
        """Readable text, one line per node, children indented under their parent:
        ``✓`` held, ``✗`` did not hold, ``·`` not evaluated."""
        lines: list[str] = []
        self._lines(indent, lines)
        return "\n".join(lines)

    def _lines(self, indent: int, out: list[str]) -> None:
        mark = "·" if self.holds is None else ("✓" if self.holds else "✗")
        out.append(f"{'  ' * indent}{mark} {self.description} — {self.reason}")
        for child in self.children:
            child._lines(indent + 1, out)
