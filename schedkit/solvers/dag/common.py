"""What the DAG adapters share: the result of a heuristic schedule, the warm start (incumbent)
of the exact methods, and schedules replayed from a model's decisions."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...heuristics.dag import DagArrays, DagSchedule, best_heuristic, dag_arrays, schedule_metrics
from ...instances import DAG
from ...instances.dag.robustness import replay
from ...instances.evaluate import objective
from ..common import WarmStart, checked_initial, heuristic_result
from ..registry import MethodResult, RunContext

__all__ = ["schedule_result", "warm_start", "schedule_of", "replayed_schedule"]


def schedule_result(instance: DAG | DagArrays, schedule: DagSchedule) -> MethodResult:
    """A heuristic proves nothing: status ``feasible``; the cheap bound comes from solve().

    ``stats`` carry the DAG metrics (makespan, SLR, speedup, efficiency).
    """
    return heuristic_result(schedule.solution(), objective=schedule.makespan,
                            stats=schedule_metrics(instance, schedule.makespan))


def schedule_of(solution: dict[str, Any], makespan: float, method: str) -> DagSchedule:
    """A solution document as a :class:`~schedkit.heuristics.dag.DagSchedule`."""
    return DagSchedule(np.asarray(solution["processor"], dtype=np.int64),
                       np.asarray(solution["start"], dtype=np.float64), makespan, method)


def warm_start(instance: DAG, ctx: RunContext) -> tuple[WarmStart, DagSchedule]:
    """The best cheap schedule (HEFT, PEFT, CPOP, list), or ``ctx.initial`` if it is shorter:
    the hint, big-M and upper bound of the exact methods (always computed: it also bounds the
    model when the ``hint`` option is off)."""
    best = best_heuristic(dag_arrays(instance))
    initial = checked_initial(instance, ctx)
    if initial is not None:
        value = objective(instance, initial)
        if value < best.makespan:
            best = schedule_of(initial, value, "initial")
    warm = WarmStart(best.solution(), best.makespan,
                     {"incumbent": best.method, "incumbent_makespan": best.makespan})
    return warm, best


def replayed_schedule(instance: DAG, proc: np.ndarray, start: np.ndarray,
                      method: str) -> DagSchedule:
    """The real-time schedule of a model's decisions: its processors and per-processor orders
    (from ``start``, in model units or any monotone rescaling) replayed with the instance's
    own times, so that rounding and solver tolerances never reach the evaluator."""
    sol: dict[str, Any] = {"processor": proc.tolist(), "start": np.asarray(start, float).tolist()}
    real = replay(instance, sol, verify=False)
    end = real + instance.cost[np.arange(instance.n_tasks), proc]
    return DagSchedule(proc, real, float(end.max()) if instance.n_tasks else 0.0, method)
