"""Task-graph heuristics: HEFT, CPOP, PEFT and list scheduling (Numba), and the trivial
baseline. Kernels by concern (:mod:`.rank_kernels`: priorities; :mod:`.list_kernels`: the list
scheduling engine), wrapped by :mod:`.list_scheduling`."""

from .baseline import baseline_solution
from .list_scheduling import (
    LIST_PRIORITIES,
    DagArrays,
    DagSchedule,
    best_heuristic,
    cpop,
    dag_arrays,
    heft,
    list_scheduling,
    peft,
    schedule_metrics,
)

__all__ = [
    "LIST_PRIORITIES",
    "DagArrays",
    "DagSchedule",
    "baseline_solution",
    "best_heuristic",
    "cpop",
    "dag_arrays",
    "heft",
    "list_scheduling",
    "peft",
    "schedule_metrics",
]
