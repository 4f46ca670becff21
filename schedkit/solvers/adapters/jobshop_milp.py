"""Adapter: job shop → Manne's disjunctive MILP (PuLP) → solution."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...formulations.jobshop import build_milp
from ...heuristics.jobshop import start_lists
from ...instances import JobShop
from ..registry import Outcome, RunContext
from ._pulp import solve_pulp
from .jobshop_warm import Warm


def run(instance: JobShop, ctx: RunContext) -> Outcome:
    """Big-M from the warm start's makespan; honest status from the backend."""
    warm = Warm.of(instance, ctx)
    stats: dict[str, Any] = warm.stats
    built = build_milp(instance, horizon=warm.horizon, hint=warm.hint)
    stats["big_m"] = built.big_m
    out = solve_pulp(built.problem, backend=ctx.options["backend"], time_limit=ctx.time_left(),
                     workers=ctx.workers, seed=ctx.seed, warm_start=warm.hint is not None)
    stats.update(out.stats)
    solved = out.status in ("optimal", "feasible")
    fallback = warm.instead_of(solved, out.objective, out.bound, out.stats["pulp_status"])
    if fallback is not None:
        return fallback
    if not solved:
        return Outcome(None, out.status, bound=out.bound, stop_reason=out.stats["pulp_status"],
                       stats=stats)
    start = np.array([round(v.value()) for v in built.start], dtype=np.int64)
    return Outcome({"start": start_lists(instance, start)}, out.status, bound=out.bound,
                   objective=out.objective,
                   stop_reason=out.stats["pulp_solution_status"], stats=stats)
