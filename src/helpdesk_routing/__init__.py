"""helpdesk_routing: exact, explainable routing and assignment of helpdesk tickets."""

from __future__ import annotations

__version__ = "0.1.0.dev0"
