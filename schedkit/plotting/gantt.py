"""Gantt charts of job-shop and single-machine schedules (matplotlib, imported lazily)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from ..instances import InputError, Instance, JobShop, SingleMachine
from ..instances.evaluate import evaluate
from ..instances.single_machine.evaluate import start_times
from ..solvers import Result
from .axes import label_boxes, plain_number, time_axis

__all__ = ["plot_gantt", "resolve", "OBJECTIVE_LABELS"]


def resolve(result: Result | Mapping[str, Any], instance: Instance | None
            ) -> tuple[Instance, Mapping[str, Any], str]:
    """Instance, solution and a title for a Result (instance loaded by name if not given) or
    for a bare solution (then ``instance`` is required)."""
    if isinstance(result, Result):
        instance = result.instance_for(instance)
        if result.solution is None:
            raise InputError(f"the result has no solution (status {result.status})",
                             field="solution")
        value = "-" if result.objective is None else plain_number(result.objective)
        title = f"{instance.name} — {result.method}: {value} ({result.status})"
        return instance, result.solution, title
    if instance is None:
        raise InputError("a bare solution needs its instance", field="instance")
    return instance, result, instance.name


#: How the objectives read on a chart.
OBJECTIVE_LABELS = {
    "makespan": "Cmax",
    "total_weighted_tardiness": "ΣwjTj",
    "total_tardiness": "ΣTj",
    "max_lateness": "Lmax",
    "total_weighted_completion": "ΣwjCj",
    "weighted_tardy_jobs": "ΣwjUj",
}

#: Objectives measured against due dates: their charts draw the due dates and mark late jobs.
_DUE_OBJECTIVES = ("total_weighted_tardiness", "total_tardiness", "max_lateness",
                   "weighted_tardy_jobs")


def _bars(inst: Instance, solution: Mapping[str, Any]) -> tuple[np.ndarray, ...]:
    """(row, start, duration, job) of every box."""
    if isinstance(inst, JobShop):
        start = np.concatenate([np.asarray(r, dtype=float) for r in solution["start"]])
        job = np.repeat(np.arange(inst.n_jobs), np.diff(inst.job_offsets))
        return inst.op_machine, start, inst.op_duration.astype(float), job
    if isinstance(inst, SingleMachine):
        seq = np.asarray(solution["sequence"], dtype=np.int64)
        start = np.asarray(solution["start"], dtype=float) if solution.get("start") is not None \
            else start_times(inst, seq)
        return (np.zeros(inst.n_jobs, dtype=np.int64), start, inst.processing.astype(float),
                np.arange(inst.n_jobs))
    raise InputError(f"no Gantt chart for {inst.problem} here (job shop and single machine)",
                     field="problem")


def _last_boxes(job: np.ndarray, end: np.ndarray, n_jobs: int) -> np.ndarray:
    """Index of the box that completes each job (its last operation)."""
    last = np.full(n_jobs, -1, dtype=np.int64)
    for k in np.lexsort((end, job)).tolist():  # by job, then by end: the last write wins
        last[job[k]] = k
    return last


def plot_gantt(result: Result | Mapping[str, Any], instance: Instance | None = None, *,
               ax: Any = None, title: str | None = None, labels: bool = True,
               highlight: Iterable[int] | None = None) -> Any:
    """Draw a Gantt chart: one row per machine, one colour per job, the objective stated.

    A makespan objective is marked by a dashed line at Cmax. An objective measured against due
    dates (ΣwjTj, ΣTj, Lmax, ΣwjUj) instead draws each job's due date as a triangle over the
    row of its last operation, hatches the last box of every late job in red and joins its
    due date to its completion; the legend names the objective, its value and the late jobs.
    Colours repeat after 20 jobs, so jobs are labelled in their boxes (across, or upright in
    narrow ones), every box carries the id ``job-J`` (an SVG ``id``, to search for), and
    ``highlight`` greys out every other job.

    Parameters
    ----------
    result
        A :class:`~schedkit.Result` or a bare solution dict.
    instance
        The instance (loaded by the result's name when omitted).
    ax
        A matplotlib Axes to draw on (a new figure when omitted).
    title
        Chart title (default: instance, method, objective, status).
    labels
        Write the job number in boxes big enough for it.
    highlight
        Jobs to find: drawn in colour and always labelled (above a box too small for its
        label), the others in light grey and unlabelled.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    inst, solution, default_title = resolve(result, instance)
    ev = evaluate(inst, solution)
    if not ev.feasible:
        raise InputError(f"cannot draw an infeasible schedule: {ev.violations[0]}",
                         field="solution")
    assert ev.objective is not None
    row, start, dur, job = _bars(inst, solution)
    rows = int(row.max()) + 1
    n_jobs = int(job.max()) + 1
    finish = start + dur
    end = float(finish.max())
    last = _last_boxes(job, finish, n_jobs)
    completion = finish[last]
    due = getattr(inst, "due", None)
    uses_due = inst.objective in _DUE_OBJECTIVES and due is not None
    late = completion > due if uses_due else np.zeros(n_jobs, dtype=bool)
    chosen = None if highlight is None else {int(j) for j in highlight}
    if chosen is not None and not chosen <= set(range(n_jobs)):
        wrong = sorted(chosen - set(range(n_jobs)))
        raise InputError(f"no job {', '.join(map(str, wrong))} in {inst.name} (jobs 0 to "
                         f"{n_jobs - 1})", field="highlight")
    if ax is None:
        per_row = int(np.bincount(row).max())
        width = min(18.0, 6.0 + 0.12 * per_row)
        _, ax = plt.subplots(figsize=(width, (1.6 if uses_due else 1.0) + 0.45 * rows))
    cmap = plt.get_cmap("tab20" if n_jobs > 10 else "tab10")
    late_box = np.zeros(len(start), dtype=bool)
    late_box[last[late]] = True
    for k, (r, s, d, j) in enumerate(zip(row.tolist(), start.tolist(), dur.tolist(),
                                         job.tolist(), strict=True)):
        faded = chosen is not None and j not in chosen
        colour = "#dddddd" if faded else cmap(j % cmap.N)
        bars = ax.barh(r, d, left=s, height=0.7, color=colour, linewidth=0.4,
                       edgecolor="crimson" if late_box[k] else "black",
                       hatch="////" if late_box[k] else None)
        bars.patches[0].set_gid(f"job-{j}")
        if late_box[k]:
            bars.patches[0].set_linewidth(1.0)
    name = OBJECTIVE_LABELS.get(inst.objective, inst.objective)
    value = f"{name} = {ev.objective:g}"
    handles: list[Any] = []
    if inst.objective == "makespan":
        ax.axvline(end, color="crimson", linestyle="--", linewidth=1.2)
        ax.text(end, rows - 0.42, f" {value}", color="crimson", va="bottom", fontsize=8)
    if uses_due:
        assert due is not None
        mark_y = row[last] - 0.45
        tardy = np.flatnonzero(late)
        ax.hlines(mark_y[tardy], due[tardy], completion[tardy], colors="crimson",
                  linewidth=0.8)
        for which, colour in ((~late, "dimgray"), (late, "crimson")):
            ax.plot(due[which], mark_y[which], linestyle="none", marker="v", markersize=4,
                    color=colour)
        handles += [Line2D([], [], linestyle="none", marker="v", color="dimgray",
                           label="due date"),
                    Patch(facecolor="white", edgecolor="crimson", hatch="////",
                          label=f"late job ({int(late.sum())} of {n_jobs})"),
                    Line2D([], [], color="crimson", marker="v", markersize=4,
                           label="due date → completion")]
    ax.set_yticks(range(rows), [f"machine {r}" for r in range(rows)])
    low = min(0.0, float(due.min())) if uses_due and due is not None else 0.0
    high = max(end, float(due.max())) if uses_due and due is not None else end
    ax.set_xlim(low, high * 1.06 if high > 0 else 1.0)
    ax.set_ylim(rows - 0.4, -0.8 if uses_due else -0.5)  # row 0 on top; room for due dates
    time_axis(ax, inst, high)
    ax.set_title(title or default_title)
    ax.grid(axis="x", alpha=0.3)
    if handles:
        ax.legend(handles=handles, title=value, loc="upper left", bbox_to_anchor=(1.01, 1.0),
                  fontsize=7, title_fontsize=8, frameon=False)
    elif inst.objective != "makespan":
        ax.text(1.01, 1.0, value, transform=ax.transAxes, ha="left", va="top", fontsize=8)
    if labels or chosen is not None:
        boxes = [(s, d, r, str(j)) for r, s, d, j in zip(row.tolist(), start.tolist(),
                                                          dur.tolist(), job.tolist(),
                                                          strict=True)
                 if chosen is None or j in chosen]
        label_boxes(ax, boxes, height=0.7, force=chosen is not None)
    return ax
