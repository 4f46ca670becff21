"""Adapters of the job-shop dispatching methods ``dispatch`` and ``dispatch-best``."""

from __future__ import annotations

from ...heuristics.jobshop import dispatch, dispatch_best
from ...heuristics.search import StopReason
from ...instances import JobShop
from ..common import heuristic_result
from ..registry import MethodResult, RunContext

__all__ = ["run", "run_best"]


def run(instance: JobShop, ctx: RunContext) -> MethodResult:
    """One rule, one schedule-generation mode."""
    o = ctx.options
    sol = dispatch(instance, o["rule"], o["mode"], seed=ctx.seed, atc_k=o["atc_k"])
    return heuristic_result(sol, stats={"rule": o["rule"], "mode": o["mode"]})


def run_best(instance: JobShop, ctx: RunContext) -> MethodResult:
    """Every rule in both modes, as many as the time limit allows; the best schedule."""
    sol, stats = dispatch_best(instance, seed=ctx.seed, random_runs=ctx.options["random_runs"],
                               atc_k=ctx.options["atc_k"], deadline=ctx.deadline,
                               interrupt=ctx.interrupted.is_set)
    reason = {"time limit": StopReason.TIME_LIMIT,
              "interrupted": StopReason.INTERRUPTED}.get(stats.get("stopped", ""),
                                                         StopReason.FINISHED)
    return heuristic_result(sol, stats=stats, stop_reason=reason,
                            stop_detail=f"{stats['rules_tried']} rules tried"
                            if "rules_tried" in stats else "")
