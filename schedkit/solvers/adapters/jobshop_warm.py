"""The warm start of the exact job-shop methods: a hint, a horizon and a big-M."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...heuristics.jobshop import dispatch_best, flat_starts, tabu_search
from ...instances import InputError, JobShop
from ...instances.evaluate import check, objective
from ..registry import Outcome, RunContext

__all__ = ["Warm", "checked_initial", "hint_seconds", "warm_start", "HINT_STALL"]

#: The warm start's tabu search ends after this many iterations without a new best (0.1 s on a
#: 6 × 6 instance, under 1 s on 20 × 20), so that small instances go to the exact model at once.
#: At 30 s it left ta21, ta31, ta41 (seed 0) within 0.2 % of the results without it.
HINT_STALL = 100_000


def checked_initial(instance: JobShop, ctx: RunContext) -> dict[str, Any] | None:
    """The run's ``initial`` solution (a copy), or InputError naming its first violation."""
    if ctx.initial is None:
        return None
    bad = check(instance, ctx.initial)
    if bad:
        raise InputError(f"initial solution is infeasible: {bad[0]}", field="initial")
    return dict(ctx.initial)


def hint_seconds(instance: JobShop, ctx: RunContext) -> float:
    """Seconds of tabu search for the warm start (option ``hint_time``; -1: a third of the time
    limit, or 2 s without one; 0 for objectives other than the makespan). The search ends
    sooner after :data:`HINT_STALL` iterations without a new best."""
    if instance.objective != "makespan" or not ctx.options["hint"]:
        return 0.0
    chosen = ctx.options["hint_time"]
    if chosen >= 0:
        return chosen
    return 2.0 if ctx.time_limit is None else ctx.time_limit / 3


def warm_start(instance: JobShop, ctx: RunContext) -> tuple[dict[str, Any], dict[str, Any]]:
    """The hint: the given solution or the best dispatching schedule, improved by tabu search
    (makespan only) for :func:`hint_seconds`."""
    stats: dict[str, Any] = {}
    sol = checked_initial(instance, ctx)
    if sol is not None:
        stats["hint_from"] = "initial"
    else:
        sol, info = dispatch_best(instance, seed=ctx.seed)
        stats["hint_from"] = info["best_rule"]
    seconds = hint_seconds(instance, ctx)
    if seconds > 0:
        sol, _, ts = tabu_search(instance, sol, time_limit=seconds, seed=ctx.seed,
                                 stall=HINT_STALL)
        stats["hint_from"] += "+tabu"
        stats["hint_tabu_iterations"] = ts["iterations"]
    stats["hint_objective"] = objective(instance, sol)
    return sol, stats


@dataclass
class Warm:
    """What an exact job-shop adapter takes from the warm start (all ``None`` when ``hint`` is
    off): the schedule, its flat start times for hints, the horizon (big-M) for makespan."""

    solution: dict[str, Any] | None = None
    hint: np.ndarray | None = None
    horizon: int | None = None
    stats: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, instance: JobShop, ctx: RunContext) -> Warm:
        """The warm start of the run, or an empty one when the ``hint`` option is off."""
        if not ctx.options["hint"]:
            return cls()
        sol, stats = warm_start(instance, ctx)
        horizon = int(stats["hint_objective"]) if instance.objective == "makespan" else None
        return cls(sol, flat_starts(sol), horizon, stats)

    def instead_of(self, solved: bool, value: float | None, bound: float | None,
                   reason: str) -> Outcome | None:
        """The warm start as the answer when the solver returned nothing as good (else None)."""
        if self.solution is None or (solved and value is not None
                                     and value <= self.stats["hint_objective"]):
            return None
        return Outcome(self.solution, "feasible", bound=bound,
                       objective=self.stats["hint_objective"],
                       stop_reason=f"{reason}; the warm start is the best schedule found",
                       stats=self.stats)
