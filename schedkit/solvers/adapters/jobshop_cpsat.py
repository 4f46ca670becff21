"""Adapter: job shop → CP-SAT model → solution."""

from __future__ import annotations

import numpy as np

from ...formulations.jobshop import build_cpsat
from ...heuristics.jobshop import dispatch_best, start_lists
from ...instances import InputError, JobShop
from ...instances.evaluate import check, objective
from ..registry import Outcome, RunContext
from ._cpsat import solve_cpsat


def _flat_starts(instance: JobShop, solution: dict) -> np.ndarray:
    return np.concatenate([np.asarray(r, dtype=np.int64) for r in solution["start"]])


def run(instance: JobShop, ctx: RunContext) -> Outcome:
    """Solve with the strong model (heuristic horizon and hints) or the textbook one."""
    strong = ctx.options["model"] == "strong"
    horizon, hint, stats = None, None, {"model": ctx.options["model"]}
    if strong:
        if ctx.initial is not None:
            bad = check(instance, ctx.initial)
            if bad:
                raise InputError(f"initial solution is infeasible: {bad[0]}", field="initial")
            start_sol = ctx.initial
            stats["hint"] = "initial"
        else:
            start_sol, info = dispatch_best(instance, seed=ctx.seed)
            stats["hint"] = info["best_rule"]
        hint = _flat_starts(instance, start_sol)
        ub = objective(instance, start_sol)
        stats["hint_objective"] = ub
        if instance.objective == "makespan":
            horizon = int(ub)
    built = build_cpsat(instance, horizon=horizon, strong=strong, hint=hint)
    out = solve_cpsat(built.model, time_limit=ctx.time_limit, workers=ctx.workers,
                      seed=ctx.seed)
    stats.update(out.stats)
    stats["horizon"] = built.horizon
    if out.status not in ("optimal", "feasible"):
        return Outcome(None, out.status, bound=out.bound, stop_reason=out.stats["cpsat_status"],
                       stats=stats)
    start = np.array([out.solver.Value(v) for v in built.start], dtype=np.int64)
    return Outcome({"start": start_lists(instance, start)}, out.status, bound=out.bound,
                   objective=out.objective, stop_reason=out.stats["cpsat_status"], stats=stats)
