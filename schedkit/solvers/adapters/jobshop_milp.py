"""Adapter: job shop → Manne's disjunctive MILP (PuLP) → solution."""

from __future__ import annotations

import numpy as np

from ...formulations.jobshop import build_milp
from ...heuristics.jobshop import dispatch_best, start_lists
from ...instances import JobShop
from ...instances.evaluate import objective
from ..registry import Outcome, RunContext
from ._pulp import solve_pulp


def run(instance: JobShop, ctx: RunContext) -> Outcome:
    """Big-M from the best dispatching schedule's makespan; honest status from the backend."""
    sol, info = dispatch_best(instance, seed=ctx.seed)
    stats: dict = {"warm_start": info["best_rule"]}
    horizon = int(objective(instance, sol)) if instance.objective == "makespan" else None
    hint = np.concatenate([np.asarray(r, dtype=np.int64) for r in sol["start"]])
    built = build_milp(instance, horizon=horizon, hint=hint)
    stats["big_m"] = built.big_m
    out = solve_pulp(built.problem, backend=ctx.options["backend"], time_limit=ctx.time_limit,
                     workers=ctx.workers, seed=ctx.seed, warm_start=True)
    stats.update(out.stats)
    if out.status not in ("optimal", "feasible"):
        return Outcome(None, out.status, stop_reason=out.stats["pulp_status"], stats=stats)
    start = np.array([round(v.value()) for v in built.start], dtype=np.int64)
    return Outcome({"start": start_lists(instance, start)}, out.status, objective=out.objective,
                   stop_reason=out.stats["pulp_solution_status"], stats=stats)
