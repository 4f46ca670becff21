"""Adapter of ``cpsat`` for the job shop: warm start, the model of
:mod:`schedkit.formulations.jobshop.cpsat`, CP-SAT, the solution."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...formulations.deadline import Deadline, OutOfTime
from ...formulations.jobshop import build_cpsat
from ...heuristics.jobshop import start_lists
from ...heuristics.search import StopReason
from ...instances import JobShop
from ..backends.cpsat import solve_cpsat
from ..common import WarmStart
from ..registry import MethodResult, RunContext
from ..result import Status
from .warm import hint_and_horizon, warm_start

__all__ = ["run"]


def run(instance: JobShop, ctx: RunContext) -> MethodResult:
    """Solve with the strong model (warm start, heuristic horizon, hints) or the textbook one."""
    strong = ctx.options["model"] == "strong"
    warm = warm_start(instance, ctx) if strong else WarmStart()
    stats: dict[str, Any] = warm.stats
    stats["model"] = ctx.options["model"]
    hint, horizon = hint_and_horizon(instance, warm)
    if ctx.interrupted.is_set():
        return warm.interrupted()
    try:
        built = build_cpsat(instance, horizon=horizon, strong=strong, hint=hint,
                            deadline=Deadline(ctx.deadline))
    except OutOfTime:
        return warm.out_of_time()
    out = solve_cpsat(built.model, time_limit=ctx.time_left(), workers=ctx.workers,
                      seed=ctx.seed, interrupt=ctx.interrupted, run=ctx)
    stats.update(out.stats)
    stats["horizon"] = built.horizon
    detail = f"CP-SAT {out.stats['cpsat_status']}"
    reason = StopReason.FINISHED if out.status in (Status.OPTIMAL, Status.INFEASIBLE) else \
        StopReason.TIME_LIMIT
    fallback = warm.instead_of(out.solved, out.objective, out.bound, reason, detail)
    if fallback is not None:
        return fallback
    if not out.solved:
        return MethodResult(None, out.status, bound=out.bound, stop_reason=reason,
                            stop_detail=detail, stats=stats)
    start = np.array([out.solver.value(v) for v in built.start], dtype=np.int64)
    return MethodResult({"start": start_lists(instance, start)}, out.status, bound=out.bound,
                        objective=out.objective, stop_reason=reason, stop_detail=detail,
                        stats=stats)
