"""Gantt charts of job-shop and single-machine schedules (matplotlib, imported lazily)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..instances import InputError, Instance, JobShop, SingleMachine
from ..instances.evaluate import check
from ..instances.single_machine.evaluate import start_times
from ..solvers import Result

__all__ = ["plot_gantt", "resolve"]


def resolve(result: Result | Mapping[str, Any], instance: Instance | None
            ) -> tuple[Instance, Mapping[str, Any], str]:
    """Instance, solution and a title for a Result (instance loaded by name if not given) or
    for a bare solution (then ``instance`` is required)."""
    if isinstance(result, Result):
        instance = result.instance_for(instance)
        if result.solution is None:
            raise InputError(f"the result has no solution (status {result.status})",
                             field="solution")
        title = f"{instance.name} — {result.method}: {result.objective:g} ({result.status})"
        return instance, result.solution, title
    if instance is None:
        raise InputError("a bare solution needs its instance", field="instance")
    return instance, result, instance.name


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


def plot_gantt(result: Result | Mapping[str, Any], instance: Instance | None = None, *,
               ax: Any = None, title: str | None = None, labels: bool = True) -> Any:
    """Draw a Gantt chart: one row per machine, one colour per job, the makespan marked.

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
        Write the job number in boxes wide enough for it.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    inst, solution, default_title = resolve(result, instance)
    bad = check(inst, solution)
    if bad:
        raise InputError(f"cannot draw an infeasible schedule: {bad[0]}", field="solution")
    row, start, dur, job = _bars(inst, solution)
    rows = int(row.max()) + 1
    n_jobs = int(job.max()) + 1
    if ax is None:
        width = min(18.0, 6.0 + 0.02 * len(start))
        _, ax = plt.subplots(figsize=(width, 1.0 + 0.45 * rows))
    cmap = plt.get_cmap("tab20" if n_jobs > 10 else "tab10")
    end = float((start + dur).max())
    for r, s, d, j in zip(row.tolist(), start.tolist(), dur.tolist(), job.tolist(), strict=True):
        ax.barh(r, d, left=s, height=0.7, color=cmap(j % cmap.N), edgecolor="black",
                linewidth=0.4)
        if labels and d >= 0.025 * end:
            ax.text(s + d / 2, r, str(j), ha="center", va="center", fontsize=7)
    ax.axvline(end, color="crimson", linestyle="--", linewidth=1.2)
    ax.text(end, rows - 0.4, f" Cmax = {end:g}", color="crimson", va="bottom", fontsize=8)
    ax.set_yticks(range(rows), [f"machine {r}" for r in range(rows)])
    ax.invert_yaxis()
    ax.set_xlabel("time")
    ax.set_xlim(0, end * 1.06)
    ax.set_title(title or default_title)
    ax.grid(axis="x", alpha=0.3)
    return ax
