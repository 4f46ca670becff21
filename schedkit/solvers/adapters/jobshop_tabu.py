"""Adapter of ``tabu`` for the job shop: tabu search (N5) from a warm start."""

from __future__ import annotations

from ...heuristics.jobshop import tabu_search
from ...instances import JobShop
from ..registry import Outcome, RunContext
from .jobshop_warm import checked_initial

__all__ = ["run", "DEFAULT_ITERATIONS"]

#: Iterations when the run has neither a time limit nor an ``iterations`` option (about 1 s on
#: a 20 × 20 instance, 5 s on 100 × 20).
DEFAULT_ITERATIONS = 200_000

_SAFETY_S = 0.01  # left for building the result after the search


def run(instance: JobShop, ctx: RunContext) -> Outcome:
    """Tabu search from ``initial`` or the best dispatching schedule."""
    o = ctx.options
    initial = checked_initial(instance, ctx)
    iterations = o["iterations"] or None
    if ctx.time_limit is None and iterations is None:
        iterations = DEFAULT_ITERATIONS
    budget = ctx.time_left(_SAFETY_S)
    sol, makespan, stats = tabu_search(
        instance, initial, time_limit=budget,
        iterations=iterations, seed=ctx.seed, restart=o["restart"], strength=o["strength"],
        stall=o["stall"])
    stats["start"] = "initial" if initial is not None else "dispatch-best"
    return Outcome(sol, "feasible", objective=makespan, stop_reason=stats.pop("stopped"),
                   stats=stats)
