"""Helpers of the DAG adapters: outcome of a heuristic schedule, incumbents, replayed solutions."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...heuristics.dag import DagArrays, DagSchedule, best_heuristic, dag_arrays, schedule_metrics
from ...instances import DAG
from ...instances.evaluate import evaluate
from ...instances.robustness import replay
from ..registry import Outcome, RunContext

__all__ = ["heuristic_outcome", "incumbent", "replayed_schedule"]


def heuristic_outcome(instance: DAG | DagArrays, schedule: DagSchedule) -> Outcome:
    """A heuristic proves nothing: status ``feasible``; the cheap bound comes from solve().

    ``stats`` carry the DAG metrics (makespan, SLR, speedup, efficiency).
    """
    return Outcome(schedule.solution(), "feasible", objective=schedule.makespan,
                   stop_reason="heuristic finished",
                   stats=schedule_metrics(instance, schedule.makespan))


def incumbent(instance: DAG, ctx: RunContext) -> DagSchedule:
    """The best cheap schedule (HEFT, PEFT, CPOP, list), or ``ctx.initial`` if it is feasible
    and shorter: the hint and upper bound of the exact methods."""
    best = best_heuristic(dag_arrays(instance))
    if ctx.initial is not None:
        ev = evaluate(instance, ctx.initial)
        if ev.feasible and ev.objective < best.makespan:
            sol = ctx.initial
            best = DagSchedule(np.asarray(sol["processor"], dtype=np.int64),
                               np.asarray(sol["start"], dtype=np.float64), ev.objective,
                               "initial")
    return best


def replayed_schedule(instance: DAG, proc: np.ndarray, start: np.ndarray,
                      method: str) -> DagSchedule:
    """The real-time schedule of a model's decisions: its processors and per-processor orders
    (from ``start``, in model units or any monotone rescaling) replayed with the instance's
    own times, so that rounding and solver tolerances never reach the evaluator."""
    sol: dict[str, Any] = {"processor": proc.tolist(), "start": np.asarray(start, float).tolist()}
    real = replay(instance, sol, verify=False)
    end = real + instance.cost[np.arange(instance.n_tasks), proc]
    return DagSchedule(proc, real, float(end.max()) if instance.n_tasks else 0.0, method)
