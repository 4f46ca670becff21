"""The warm start of the exact job-shop methods: a hint, a horizon and a big-M."""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from ...heuristics.jobshop import dispatch_best, flat_starts, tabu_search
from ...instances import JobShop
from ...instances.evaluate import objective
from ..common import WarmStart, checked_initial
from ..registry import RunContext

__all__ = ["HINT_STALL", "hint_seconds", "warm_start", "hint_and_horizon"]

#: The warm start's tabu search ends after this many iterations without a new best (0.1 s on a
#: 6 × 6 instance, under 1 s on 20 × 20), so that small instances go to the exact model at once.
#: At 30 s it left ta21, ta31, ta41 (seed 0) within 0.2 % of the results without it.
HINT_STALL = 100_000


def hint_seconds(instance: JobShop, ctx: RunContext) -> float:
    """Seconds of tabu search for the warm start (option ``hint_time``; -1: a third of the time
    limit, or 2 s without one; 0 for objectives other than the makespan). The search ends
    sooner after :data:`HINT_STALL` iterations without a new best."""
    if instance.objective != "makespan" or not ctx.options["hint"]:
        return 0.0
    chosen = float(ctx.options["hint_time"])
    if chosen >= 0:
        return chosen
    return 2.0 if ctx.time_limit is None else ctx.time_limit / 3


def warm_start(instance: JobShop, ctx: RunContext) -> WarmStart:
    """The given solution or the best dispatching schedule, improved by tabu search (makespan
    only) for :func:`hint_seconds`; empty when the ``hint`` option is off."""
    if not ctx.options["hint"]:
        return WarmStart()
    stats: dict[str, Any] = {}
    t0 = time.perf_counter()
    seconds = hint_seconds(instance, ctx)
    # With a time limit the warm start takes `seconds` (or, without tabu, a third of the limit)
    # in all: the dispatching rules get at most half of it.
    budget = None if ctx.time_limit is None else (seconds or ctx.time_limit / 3)
    sol = checked_initial(instance, ctx)
    if sol is not None:
        stats["hint_from"] = "initial"
    else:
        sol, info = dispatch_best(instance, seed=ctx.seed,
                                  deadline=None if budget is None else t0 + budget / 2,
                                  interrupt=ctx.interrupted.is_set)
        stats["hint_from"] = info["best_rule"]
    left = seconds - (time.perf_counter() - t0) if budget is not None else seconds
    if left > 0.05 * seconds:  # a search too short to make a difference is not started
        sol, _, ts = tabu_search(instance, sol,
                                 ctx.stop(time_limit=max(0.0, left), stall=HINT_STALL),
                                 seed=ctx.seed)
        stats["hint_from"] += "+tabu"
        stats["hint_tabu_iterations"] = ts["iterations"]
    value = objective(instance, sol)
    stats["hint_objective"] = value
    return WarmStart(sol, value, stats)


def hint_and_horizon(instance: JobShop, warm: WarmStart) -> tuple[np.ndarray | None, int | None]:
    """The warm start as the exact models take it: flat start times to hint, and its makespan
    as the horizon (big-M) when the objective is the makespan (``None`` where there is none)."""
    hint = None if warm.solution is None else flat_starts(warm.solution)
    horizon = int(warm.objective) if warm.objective is not None and \
        instance.objective == "makespan" else None
    return hint, horizon
