"""Compiling the task-graph kernels before a time limit starts (:func:`warm_up`)."""

from __future__ import annotations

from functools import cache

from ...instances import DAG
from .baseline import baseline_solution
from .list_scheduling import (
    LIST_PRIORITIES,
    best_heuristic,
    dag_arrays,
    list_scheduling,
    schedule_metrics,
)

__all__ = ["PARTS", "warm_up"]


def _tiny() -> DAG:
    return DAG(processors=2, cost=[[2.0, 3.0], [4.0, 1.0], [1.0, 1.0], [2.0, 2.0]],
               edges=[[0, 1], [0, 2], [1, 3], [2, 3]], edge_data=[6.0, 1.0, 2.0, 0.0],
               bandwidth=2.0, latency=0.5, name="warm-up")


@cache
def _part(name: str) -> None:
    if name == "baseline":
        baseline_solution(_tiny())
    elif name == "list":
        arrays = dag_arrays(_tiny())
        best_heuristic(arrays)  # HEFT, PEFT, CPOP and the deterministic list schedules
        schedule_metrics(arrays, 1.0)
        for priority in LIST_PRIORITIES:
            list_scheduling(arrays, priority)
    else:
        raise ValueError(f"no task-graph warm-up part {name!r} (parts: {', '.join(PARTS)})")


#: The parts :func:`warm_up` can compile.
PARTS = ("baseline", "list")


def warm_up(*parts: str) -> None:
    """Compile (or load from Numba's cache) the kernels of ``parts`` by running them once on a
    tiny instance; each part at most once per process."""
    for name in parts:
        _part(name)
