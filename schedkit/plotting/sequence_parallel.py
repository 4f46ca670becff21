"""Chart of a sequence-parallel plan: micro-batches one after another along time, device groups
as boxes spanning their devices."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..instances import InputError, Instance, SequenceParallel
from ..instances.evaluate import check
from ..instances.sequence_parallel.evaluate import group_time

__all__ = ["plot_sp_plan", "plan_boxes"]

# Box labels are written only where the box is at least this fraction of the step time wide.
_LABEL_MIN_WIDTH = 0.04


def _runs(devices: list[int]) -> list[tuple[int, int]]:
    """Contiguous runs ``(first, count)`` of sorted device ids: a group on devices 0, 1, 4
    is drawn as two boxes, 0-1 and 4."""
    out: list[tuple[int, int]] = []
    for x in sorted(devices):
        if out and x == out[-1][0] + out[-1][1]:
            out[-1] = (out[-1][0], out[-1][1] + 1)
        else:
            out.append((x, 1))
    return out


def plan_boxes(instance: SequenceParallel, solution: Mapping[str, Any]
               ) -> tuple[list[dict[str, Any]], list[tuple[float, float]]]:
    """The geometry of :func:`plot_sp_plan`.

    Returns
    -------
    boxes, microbatches
        One dict per group: micro-batch ``mb``, ``start`` (the micro-batch's start),
        ``time`` (the group's modelled time, b1 included), ``degree``, ``sequences`` (count),
        ``devices`` (sorted ids). And per micro-batch ``(start, duration)``; the step time is
        the end of the last one.
    """
    boxes: list[dict[str, Any]] = []
    spans: list[tuple[float, float]] = []
    t0 = 0.0
    for b, mb in enumerate(solution["microbatches"]):
        longest = 0.0
        for group in mb:
            dev = sorted(int(x) for x in group["devices"])
            seqs = [int(k) for k in group["sequences"]]
            t = group_time(instance, len(dev), seqs)
            longest = max(longest, t)
            boxes.append({"mb": b, "start": t0, "time": t, "degree": len(dev),
                          "sequences": len(seqs), "devices": dev})
        spans.append((t0, longest))
        t0 += longest
    return boxes, spans


def plot_sp_plan(instance: Instance, solution: Mapping[str, Any], ax: Any = None,
                 title: str | None = None) -> Any:
    """Draw a sequence-parallel plan: devices on the y axis, time on the x axis.

    Micro-batches run one after another; each lasts as long as its slowest group (FlexSP's
    step time, Wang et al., ASPLOS 2025). A group is a box from its micro-batch's start for
    its modelled time (b1 included), spanning its devices, labelled ``d=<degree>`` and its
    sequence count where it has room; the colour shows the degree. The white space between a
    box's end and the dashed line closing its micro-batch is time those devices idle.
    matplotlib is imported here and no GUI backend is needed.

    Parameters
    ----------
    instance
        The :class:`~schedkit.SequenceParallel` instance.
    solution
        A feasible solution ``{"microbatches": [[{"devices": [...], "sequences": [...]}, …],
        …]}``.
    ax
        A matplotlib Axes to draw on (a new figure when omitted).
    title
        Chart title (default: the instance name and the step time).

    Returns
    -------
    matplotlib.axes.Axes
    """
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch, Rectangle

    if not isinstance(instance, SequenceParallel):
        raise InputError(f"plot_sp_plan draws sequence-parallel plans, got {instance.problem}",
                         field="problem")
    bad = check(instance, solution)
    if bad:
        raise InputError(f"cannot draw an infeasible plan: {bad[0]}", field="solution")
    N = instance.devices
    boxes, spans = plan_boxes(instance, solution)
    step = spans[-1][0] + spans[-1][1] if spans else 0.0
    width = max(step, 1e-12)
    if ax is None:
        fig = Figure(figsize=(min(18.0, 6.0 + 0.4 * len(spans)), min(12.0, 1.5 + 0.18 * N)))
        ax = fig.add_subplot()
    degrees = instance.degrees.tolist()
    colour = {d: f"C{i % 10}" for i, d in enumerate(degrees)}
    for box in boxes:
        for first, count in _runs(box["devices"]):
            ax.add_patch(Rectangle((box["start"], first - 0.45), box["time"], count - 0.1,
                                   facecolor=colour[box["degree"]], edgecolor="black",
                                   linewidth=0.5, alpha=0.85))
            if box["time"] >= _LABEL_MIN_WIDTH * width:
                text = f"d={box['degree']}\n{box['sequences']} seq" if count >= 2 else \
                    f"d={box['degree']}, {box['sequences']} seq"
                ax.text(box["start"] + box["time"] / 2, first + (count - 1) / 2, text,
                        ha="center", va="center", fontsize=7)
    for start, duration in spans:
        ax.axvline(start + duration, color="dimgray", linestyle="--", linewidth=0.8)
    ax.set_xlim(0, width * 1.02)
    ax.set_ylim(N - 0.5, -0.5)
    ticks = range(N) if N <= 32 else range(0, N, max(1, N // 16))
    ax.set_yticks(list(ticks), [f"device {x}" for x in ticks], fontsize=7)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("devices")
    ax.set_title(title or f"{instance.name} — step time {step:.4g} s, {len(spans)} "
                 "micro-batches")
    ax.grid(axis="x", alpha=0.3)
    used = sorted({box["degree"] for box in boxes})
    ax.legend(handles=[Patch(facecolor=colour[d], edgecolor="black", label=f"degree {d}")
                       for d in used], loc="upper left", bbox_to_anchor=(1.0, 1.0),
              fontsize=7, framealpha=0.8)
    return ax
