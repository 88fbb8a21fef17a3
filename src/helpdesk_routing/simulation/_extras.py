"""Lazy imports of the optional extras, failing with a message that names the extra."""

from __future__ import annotations

import importlib
from typing import Any

from helpdesk_routing.errors import MissingExtra

__all__ = ["require", "require_figure", "require_pandas", "require_pyplot"]


def require(module: str, feature: str, extra: str) -> Any:
    """Import ``module`` or raise :class:`~helpdesk_routing.errors.MissingExtra`."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingExtra(feature, extra) from None


def require_pandas(feature: str) -> Any:
    """The ``pandas`` module (extra ``pandas``)."""
    return require("pandas", feature, "pandas")


def require_figure(feature: str) -> tuple[Any, Any]:
    """matplotlib's ``Figure`` class and the Agg canvas that renders one to PNG (extra
    ``plot``).

    pyplot is never imported here: a figure made from these is drawn and saved without
    touching the process's backend (a notebook's inline one keeps working) or pyplot's
    list of figures (nothing is left open for ``plt.show()`` or the "more than 20
    figures" warning).
    """
    require("matplotlib", feature, "plot")  # the package itself first: it may be absent
    figure = require("matplotlib.figure", feature, "plot")
    agg = require("matplotlib.backends.backend_agg", feature, "plot")
    return figure.Figure, agg.FigureCanvasAgg


def require_pyplot(feature: str) -> None:
    """Check for the ``plot`` extra (``MissingExtra`` without it), as the CLI does before
    a run; the backend is left alone (see :func:`require_figure`)."""
    require_figure(feature)
