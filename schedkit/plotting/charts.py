"""One entry point that draws the right chart for any result."""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ..instances import InputError, Instance
from ..solvers import Result
from .gantt import plot_gantt, resolve

__all__ = ["plot_result", "save_plot"]


def plot_result(result: Result | Mapping[str, Any], instance: Instance | None = None, *,
                ax: Any = None, title: str | None = None,
                highlight: Iterable[int] | None = None) -> Any:
    """Draw ``result``: a Gantt chart for job shop and single machine, processors for a DAG,
    GPU loads (a layer × GPU heat map, or one layer's bars) for an expert placement, micro-batches
    × device groups for a sequence-parallel plan. ``highlight``: jobs to find on a Gantt chart
    (the others greyed out); refused for the other charts.

    Returns the matplotlib Axes.
    """
    inst, solution, default_title = resolve(result, instance)
    if highlight is not None and inst.problem not in ("jobshop", "single_machine"):
        raise InputError(f"only Gantt charts (jobshop, single_machine) highlight jobs, not "
                         f"{inst.problem}", field="highlight")
    if inst.problem in ("jobshop", "single_machine"):
        return plot_gantt(solution, inst, ax=ax, title=title or default_title,
                          highlight=highlight)
    if inst.problem == "dag":
        dag = importlib.import_module("schedkit.plotting.dag")
        return dag.plot_dag(inst, solution, ax=ax, title=title or default_title)
    if inst.problem == "expert_placement":
        ep = importlib.import_module("schedkit.plotting.expert_placement")
        return ep.plot_placement(inst, solution, ax=ax, title=title or default_title)
    if inst.problem == "sequence_parallel":
        sp = importlib.import_module("schedkit.plotting.sequence_parallel")
        return sp.plot_sp_plan(inst, solution, ax=ax, title=title or default_title)
    raise InputError(f"no chart for {inst.problem} results yet", field="problem")


def save_plot(result: Result | Mapping[str, Any], path: str | Path,
              instance: Instance | None = None, *, dpi: int = 120,
              highlight: Iterable[int] | None = None) -> Path:
    """Draw ``result`` and write the figure to ``path`` (.png, .svg or .pdf)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    path = Path(path)
    if path.suffix.lower() not in (".png", ".svg", ".pdf"):
        raise InputError(f"unsupported image type {path.suffix!r} (use .png, .svg or .pdf)",
                         field="output")
    if not path.parent.is_dir():
        raise InputError(f"folder {str(path.parent)!r} does not exist", field="output")
    ax = plot_result(result, instance, highlight=highlight)
    try:
        ax.figure.savefig(path, dpi=dpi, bbox_inches="tight")
    except OSError as err:
        raise InputError(f"cannot write {str(path)!r}: {err.strerror or err}",
                         field="output") from None
    finally:
        plt.close(ax.figure)
    return path
