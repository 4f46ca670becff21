"""Charts of an ALNS run's statistics (``Result.stats`` of an ``alns`` method, or
:attr:`~schedkit.heuristics.alns.engine.AlnsRun.stats`): the objective trace, and the outcomes
of each operator."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["plot_alns_trace", "plot_alns_operators"]

_OUTCOMES = ("best", "better", "accepted", "rejected")


def _axes(ax: Any) -> Any:
    if ax is not None:
        return ax
    from matplotlib.figure import Figure

    return Figure(figsize=(8, 4)).subplots()


def plot_alns_trace(stats: Mapping[str, Any], ax: Any = None) -> Any:
    """The current and the best objective by iteration (``stats["trace"]``).

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on (a new figure's without ``ax``); matplotlib is imported here and no
        GUI backend is needed.
    """
    trace = stats["trace"]
    ax = _axes(ax)
    ax.plot(trace["iteration"], trace["current"], lw=0.8, color="0.6", label="current")
    ax.plot(trace["iteration"], trace["best"], lw=1.6, color="C0", label="best")
    ax.set_xlabel("iteration")
    ax.set_ylabel("objective")
    ax.legend(loc="upper right")
    return ax


def plot_alns_operators(stats: Mapping[str, Any], ax: Any = None) -> Any:
    """Per operator, how often each outcome followed its choice (``stats["operators"]``), as
    stacked horizontal bars."""
    ops = stats["operators"]
    names = list(ops)
    ax = _axes(ax)
    left = [0] * len(names)
    for i, outcome in enumerate(_OUTCOMES):
        counts = [ops[n][outcome] for n in names]
        ax.barh(names, counts, left=left, color=f"C{i}", label=outcome)
        left = [a + b for a, b in zip(left, counts, strict=True)]
    ax.set_xlabel("iterations")
    ax.legend(loc="lower right")
    ax.invert_yaxis()
    return ax
