"""Lazy imports of the optional extras, failing with a message that names the extra."""

from __future__ import annotations

import importlib
from typing import Any

from helpdesk_routing.errors import MissingExtra

__all__ = ["require"]


def require(module: str, feature: str, extra: str) -> Any:
    """Import ``module`` or raise :class:`~helpdesk_routing.errors.MissingExtra`."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingExtra(feature, extra) from None


def require_pandas(feature: str) -> Any:
    """The ``pandas`` module (extra ``pandas``)."""
    return require("pandas", feature, "pandas")


def require_pyplot(feature: str) -> Any:
    """``matplotlib.pyplot`` on the non-interactive Agg backend (extra ``plot``)."""
    matplotlib = require("matplotlib", feature, "plot")
    matplotlib.use("Agg")
    return require("matplotlib.pyplot", feature, "plot")
