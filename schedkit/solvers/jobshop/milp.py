"""Adapter of ``milp`` for the job shop: warm start, Manne's disjunctive MILP
(:mod:`schedkit.formulations.jobshop.milp`) through PuLP, the solution."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...formulations.deadline import Deadline, OutOfTime
from ...formulations.jobshop import build_milp
from ...heuristics.jobshop import start_lists
from ...heuristics.search import StopReason
from ...instances import JobShop
from ..backends.pulp import solve_pulp
from ..registry import MethodResult, RunContext
from ..result import Status
from .warm import hint_and_horizon, warm_start

__all__ = ["run"]


def run(instance: JobShop, ctx: RunContext) -> MethodResult:
    """Big-M from the warm start's makespan; honest status from the backend."""
    warm = warm_start(instance, ctx)
    stats: dict[str, Any] = warm.stats
    hint, horizon = hint_and_horizon(instance, warm)
    if ctx.interrupted.is_set():
        return warm.interrupted()
    try:
        built = build_milp(instance, horizon=horizon, hint=hint, deadline=Deadline(ctx.deadline))
    except OutOfTime:
        return warm.out_of_time()
    stats["big_m"] = built.big_m
    out = solve_pulp(built.problem, backend=ctx.options["backend"], time_limit=ctx.time_left(),
                     workers=ctx.workers, seed=ctx.seed, warm_start=hint is not None,
                     interrupt=ctx.interrupted, run=ctx)
    stats.update(out.stats)
    reason = StopReason.FINISHED if out.status in (Status.OPTIMAL, Status.INFEASIBLE) else \
        StopReason.TIME_LIMIT
    fallback = warm.instead_of(out.solved, out.objective, out.bound, reason,
                               out.stats["pulp_status"])
    if fallback is not None:
        return fallback
    if not out.solved:
        return MethodResult(None, out.status, bound=out.bound, stop_reason=reason,
                            stop_detail=out.stats["pulp_status"], stats=stats)
    start = np.array([round(v.value()) for v in built.start], dtype=np.int64)
    return MethodResult({"start": start_lists(instance, start)}, out.status, bound=out.bound,
                        objective=out.objective, stop_reason=reason,
                        stop_detail=out.stats["pulp_solution_status"], stats=stats)
