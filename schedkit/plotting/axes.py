"""Shared pieces of the Gantt-like charts: the time axis (unit, no hidden offset) and box
labels that are drawn only where they fit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..instances import Instance

__all__ = ["time_axis", "plain_number", "label_boxes"]


def plain_number(x: float) -> str:
    """A tick or annotation number in full (thousands separated), never ``1e6`` notation."""
    if x == 0:
        return "0"
    if abs(x) >= 1e6 or float(x).is_integer():
        return f"{x:,.0f}"
    return f"{x:,.6g}"


def time_axis(ax: Any, instance: Instance, span: float) -> tuple[Callable[[float], str], str]:
    """Label the x axis with the time unit and write its ticks in full.

    Matplotlib's default formatter moves a common factor (``1e6``) or offset to the corner
    below the axis, where a legend or a caption easily hides it; here every tick carries its
    value. Instances whose ``meta`` states a time scale (``time_scale`` units per second, as the
    WfCommons reader records) are drawn in seconds when the schedule lasts a second or more,
    else in their own unit (``meta["time_unit"]``); others in plain time units.

    Returns
    -------
    show : callable
        The formatter of a time value in the axis unit (for annotations such as the makespan).
    unit : str
        That unit (``""`` for plain time units).
    """
    from matplotlib.ticker import FuncFormatter

    per_second = instance.meta.get("time_scale")
    unit = instance.meta.get("time_unit")
    scale = 1.0
    if isinstance(per_second, int | float) and per_second > 0 and span >= per_second:
        scale, unit = float(per_second), "s"

    def show(x: float) -> str:
        return plain_number(x / scale)

    unit = unit if isinstance(unit, str) else ""
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: show(x)))
    ax.set_xlabel(f"time ({unit})" if unit else "time")
    return show, unit


def label_boxes(ax: Any, boxes: list[tuple[float, float, float, str]], *, height: float,
                fontsize: float = 7.0, force: bool = False) -> list[Any]:
    """Write each box's label inside it where it fits: across when the box is wide enough, else
    upright (rotated 90°) when it is at least a line of text wide and tall enough; with
    ``force``, a label that fits neither way is written just above its box.

    The decision uses the figure's current size and the axes' current limits, so the caller
    sets the x and y limits first.

    Parameters
    ----------
    boxes
        ``(left, width, row centre, text)`` in data coordinates.
    height
        Box height in data units.

    Returns
    -------
    list of matplotlib.text.Text
        The labels drawn.
    """
    fig = ax.figure
    bbox = ax.get_position()
    width_pt = bbox.width * fig.get_figwidth() * 72.0
    height_pt = bbox.height * fig.get_figheight() * 72.0
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    per_x = width_pt / max(abs(x1 - x0), 1e-300)
    box_h = height * height_pt / max(abs(y1 - y0), 1e-300)
    char = 0.62 * fontsize  # a digit's advance, roughly, in points
    drawn = []
    for left, width, row, text in boxes:
        w_pt = width * per_x
        need = char * len(text) + 2.0
        if w_pt >= need and box_h >= fontsize + 1.0:
            rotation = 0
        elif w_pt >= fontsize + 1.0 and box_h >= need:
            rotation = 90
        elif force:
            drawn.append(ax.text(left + width / 2, row - height / 2, text, ha="center",
                                 va="bottom", fontsize=fontsize))
            continue
        else:
            continue
        drawn.append(ax.text(left + width / 2, row, text, ha="center", va="center",
                             fontsize=fontsize, rotation=rotation))
    return drawn
