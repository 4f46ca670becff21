"""Adapter: job shop → Manne's disjunctive MILP (PuLP) → solution."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...formulations.jobshop import build_milp
from ...heuristics.jobshop import start_lists
from ...instances import JobShop
from ..registry import Outcome, RunContext
from ._pulp import solve_pulp
from .jobshop_warm import flat_starts, warm_start


def run(instance: JobShop, ctx: RunContext) -> Outcome:
    """Big-M from the warm start's makespan; honest status from the backend."""
    stats: dict[str, Any] = {}
    horizon, hint, warm = None, None, None
    if ctx.options["hint"]:
        warm, more = warm_start(instance, ctx)
        stats.update(more)
        hint = flat_starts(warm)
        if instance.objective == "makespan":
            horizon = int(stats["hint_objective"])
    built = build_milp(instance, horizon=horizon, hint=hint)
    stats["big_m"] = built.big_m
    out = solve_pulp(built.problem, backend=ctx.options["backend"], time_limit=ctx.time_left(),
                     workers=ctx.workers, seed=ctx.seed, warm_start=hint is not None)
    stats.update(out.stats)
    solved = out.status in ("optimal", "feasible")
    if warm is not None and (not solved or out.objective > stats["hint_objective"]):
        # The solver returned nothing as good as its warm start: the warm start is the answer.
        return Outcome(warm, "feasible", bound=out.bound, objective=stats["hint_objective"],
                       stop_reason=f"{out.stats['pulp_status']}; the warm start is the best "
                       "schedule found", stats=stats)
    if not solved:
        return Outcome(None, out.status, bound=out.bound, stop_reason=out.stats["pulp_status"],
                       stats=stats)
    start = np.array([round(v.value()) for v in built.start], dtype=np.int64)
    return Outcome({"start": start_lists(instance, start)}, out.status, bound=out.bound,
                   objective=out.objective,
                   stop_reason=out.stats["pulp_solution_status"], stats=stats)
