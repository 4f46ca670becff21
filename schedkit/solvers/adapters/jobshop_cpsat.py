"""Adapter: job shop → CP-SAT model → solution."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...formulations.jobshop import build_cpsat
from ...heuristics.jobshop import start_lists
from ...instances import JobShop
from ..registry import Outcome, RunContext
from ._cpsat import solve_cpsat
from .jobshop_warm import flat_starts, warm_start


def run(instance: JobShop, ctx: RunContext) -> Outcome:
    """Solve with the strong model (warm start, heuristic horizon, hints) or the textbook one."""
    strong = ctx.options["model"] == "strong"
    horizon, hint, warm = None, None, None
    stats: dict[str, Any] = {"model": ctx.options["model"]}
    if strong and ctx.options["hint"]:
        warm, more = warm_start(instance, ctx)
        stats.update(more)
        hint = flat_starts(warm)
        if instance.objective == "makespan":
            horizon = int(stats["hint_objective"])
    built = build_cpsat(instance, horizon=horizon, strong=strong, hint=hint)
    out = solve_cpsat(built.model, time_limit=ctx.time_left(), workers=ctx.workers, seed=ctx.seed)
    stats.update(out.stats)
    stats["horizon"] = built.horizon
    reason = out.stats["cpsat_status"]
    solved = out.status in ("optimal", "feasible")
    if warm is not None and (not solved or out.objective > stats["hint_objective"]):
        # CP-SAT found nothing as good as its hint in the time left: the hint is the answer.
        return Outcome(warm, "feasible", bound=out.bound, objective=stats["hint_objective"],
                       stop_reason=f"{reason}; the warm start is the best schedule found",
                       stats=stats)
    if not solved:
        return Outcome(None, out.status, bound=out.bound, stop_reason=reason, stats=stats)
    start = np.array([out.solver.Value(v) for v in built.start], dtype=np.int64)
    return Outcome({"start": start_lists(instance, start)}, out.status, bound=out.bound,
                   objective=out.objective, stop_reason=reason, stats=stats)
