"""Adapter: job shop → CP-SAT model → solution."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...formulations.jobshop import build_cpsat
from ...heuristics.jobshop import start_lists
from ...instances import JobShop
from ..registry import Outcome, RunContext
from ._cpsat import solve_cpsat
from .jobshop_warm import Warm


def run(instance: JobShop, ctx: RunContext) -> Outcome:
    """Solve with the strong model (warm start, heuristic horizon, hints) or the textbook one."""
    strong = ctx.options["model"] == "strong"
    warm = Warm.of(instance, ctx) if strong else Warm()
    stats: dict[str, Any] = warm.stats
    stats["model"] = ctx.options["model"]
    built = build_cpsat(instance, horizon=warm.horizon, strong=strong, hint=warm.hint)
    out = solve_cpsat(built.model, time_limit=ctx.time_left(), workers=ctx.workers, seed=ctx.seed)
    stats.update(out.stats)
    stats["horizon"] = built.horizon
    reason = out.stats["cpsat_status"]
    solved = out.status in ("optimal", "feasible")
    fallback = warm.instead_of(solved, out.objective, out.bound, reason)
    if fallback is not None:
        return fallback
    if not solved:
        return Outcome(None, out.status, bound=out.bound, stop_reason=reason, stats=stats)
    start = np.array([out.solver.Value(v) for v in built.start], dtype=np.int64)
    return Outcome({"start": start_lists(instance, start)}, out.status, bound=out.bound,
                   objective=out.objective, stop_reason=reason, stats=stats)
