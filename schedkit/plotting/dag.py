"""Gantt chart of a DAG schedule: one row per processor, communication waits visible."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..instances import DAG, InputError, Instance
from ..instances.evaluate import check
from .axes import label_boxes, time_axis

__all__ = ["plot_dag", "communication_waits"]

# Above these sizes arrows for messages would hide the boxes; waits stay hatched.
_ARROW_MAX_TASKS = 40
_ARROW_MAX_EDGES = 120


def communication_waits(instance: DAG, solution: Mapping[str, Any]
                        ) -> list[tuple[int, int, float, float]]:
    """Idle time a processor spends waiting for data from other processors.

    For each task v whose processor is idle just before it starts, the part of that idle time
    after its last remote predecessor finished and before that predecessor's data arrived
    (``end_u + latency + data / bandwidth``), if any.

    Returns
    -------
    list of (task, processor, from, to)
    """
    proc = np.asarray(solution["processor"], dtype=np.int64)
    start = np.asarray(solution["start"], dtype=np.float64)
    n = instance.n_tasks
    end = start + instance.cost[np.arange(n), proc]
    bw = instance.bandwidth_matrix()
    lat = instance.latency_vector()
    prev_end = np.zeros(n)
    for p in range(instance.processors):
        on = np.flatnonzero((proc == p) & (end > start))
        on = on[np.argsort(start[on], kind="stable")]
        prev_end[on[1:]] = end[on[:-1]]
    local = np.zeros(n)
    arrive = np.full(n, -np.inf)
    sent = np.zeros(n)
    for (u, v), d in zip(instance.edges.tolist(), instance.edge_data.tolist(), strict=True):
        if proc[u] == proc[v]:
            local[v] = max(local[v], end[u])
            continue
        a = end[u] + (lat[proc[u]] + d / bw[proc[u], proc[v]])
        if a > arrive[v]:
            arrive[v], sent[v] = a, end[u]
    out = []
    for v in range(n):
        lo = max(prev_end[v], local[v], sent[v])
        hi = min(start[v], arrive[v])
        if hi > lo:
            out.append((v, int(proc[v]), float(lo), float(hi)))
    return out


def plot_dag(instance: Instance, solution: Mapping[str, Any], ax: Any = None,
             title: str | None = None, *, labels: bool = True,
             arrows: bool | None = None) -> Any:
    """Draw a DAG schedule as a Gantt chart by processor.

    One row per processor and one box per task, labelled with its id; hatched boxes mark a
    processor idling while data travel from another processor
    (:func:`communication_waits`); for small graphs, thin arrows show every message from the
    sender's finish to its arrival on the receiver's row; a dashed line marks the makespan.
    The time axis names its unit (seconds for WfCommons workflows, from the instance's
    ``time_scale``) and writes every tick in full, with no offset hidden in a corner.
    matplotlib is imported here and no GUI backend is needed (a new figure is a plain
    :class:`matplotlib.figure.Figure`).

    Parameters
    ----------
    instance
        The :class:`~schedkit.DAG`.
    solution
        A feasible solution ``{"processor": [...], "start": [...]}``.
    ax
        A matplotlib Axes to draw on (a new figure when omitted).
    title
        Chart title (default: the instance name and the makespan).
    labels
        Write task ids in boxes big enough for them (across, or upright in narrow boxes);
        every box also carries the id ``task-T`` (an SVG ``id``).
    arrows
        Draw message arrows (default: for at most 40 tasks and 120 edges).

    Returns
    -------
    matplotlib.axes.Axes
    """
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    if not isinstance(instance, DAG):
        raise InputError(f"plot_dag draws dag schedules, got {instance.problem}",
                         field="problem")
    bad = check(instance, solution)
    if bad:
        raise InputError(f"cannot draw an infeasible schedule: {bad[0]}", field="solution")
    n, P = instance.n_tasks, instance.processors
    proc = np.asarray(solution["processor"], dtype=np.int64)
    start = np.asarray(solution["start"], dtype=np.float64)
    dur = instance.cost[np.arange(n), proc]
    end = start + dur
    makespan = float(end.max()) if n else 0.0
    if ax is None:
        fig = Figure(figsize=(min(18.0, 6.0 + 0.03 * n), 1.2 + 0.5 * P))
        ax = fig.add_subplot()
    palette = [f"C{i}" for i in range(10)]
    for t in range(n):
        bars = ax.barh(proc[t], dur[t], left=start[t], height=0.6, color=palette[t % 10],
                       alpha=0.85, edgecolor="black", linewidth=0.5)
        bars.patches[0].set_gid(f"task-{t}")
    waits = communication_waits(instance, solution)
    for _, p, lo, hi in waits:
        ax.barh(p, hi - lo, left=lo, height=0.6, facecolor="none", edgecolor="dimgray",
                hatch="///", linewidth=0.0)
    if arrows is None:
        arrows = n <= _ARROW_MAX_TASKS and instance.edges.shape[0] <= _ARROW_MAX_EDGES
    if arrows:
        bw, lat = instance.bandwidth_matrix(), instance.latency_vector()
        for (u, v), d in zip(instance.edges.tolist(), instance.edge_data.tolist(), strict=True):
            if proc[u] != proc[v]:
                arrival = end[u] + (lat[proc[u]] + d / bw[proc[u], proc[v]])
                ax.annotate("", xy=(arrival, proc[v]), xytext=(end[u], proc[u]),
                            arrowprops={"arrowstyle": "->", "color": "gray", "lw": 0.6,
                                        "alpha": 0.7})
    ax.set_yticks(range(P), [f"processor {p}" for p in range(P)])
    ax.set_ylim(P - 0.4, -0.7)
    ax.set_xlim(0, max(makespan, 1e-12) * 1.08)
    show, unit = time_axis(ax, instance, makespan)
    length = f"{show(makespan)} {unit}".rstrip()
    ax.axvline(makespan, color="crimson", linestyle="--", linewidth=1.2)
    ax.text(makespan, -0.45, f" makespan = {length}", color="crimson", va="bottom",
            fontsize=8)
    ax.set_title(title or f"{instance.name} — makespan {length}")
    ax.grid(axis="x", alpha=0.3)
    if labels:
        label_boxes(ax, [(float(start[t]), float(dur[t]), float(proc[t]), str(t))
                         for t in range(n)], height=0.6)
    if waits:  # beside the chart, below the makespan label, clear of the axis and its labels
        ax.legend(handles=[Patch(facecolor="none", edgecolor="dimgray", hatch="///",
                                 label="idle, waiting for data")],
                  loc="lower left", bbox_to_anchor=(1.01, 0.0), fontsize=7, frameon=False)
    return ax
