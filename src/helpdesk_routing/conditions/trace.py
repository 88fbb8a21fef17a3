"""What ``explain`` returns: for each condition node, whether it held and why."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = ["ConditionTrace"]


class ConditionTrace(BaseModel):
    """The evaluation of one condition node, with the traces of its children.

    ``path`` is the node's JSON path inside the condition (``$``, ``$.conditions[1]``);
    ``description`` restates the node (``ticket.channel equals 'sms'``); ``reason`` says
    why it held or not (the value seen, the count found in the window, a type mismatch).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    path: str
    description: str
    holds: bool
    reason: str
    children: tuple[ConditionTrace, ...] = ()

    def render(self, indent: int = 0) -> str:
        """Readable text, one line per node, children indented under their parent."""
        mark = "✓" if self.holds else "✗"
        lines = [f"{'  ' * indent}{mark} {self.description} — {self.reason}"]
        lines.extend(child.render(indent + 1) for child in self.children)
        return "\n".join(lines)
