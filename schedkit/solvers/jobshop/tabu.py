"""Adapter of ``tabu`` for the job shop: tabu search (N5) from a warm start."""

from __future__ import annotations

from ...heuristics.jobshop import tabu_search
from ...heuristics.search import Stop
from ...instances import JobShop
from ..common import SAFETY_S, checked_initial, heuristic_result
from ..registry import MethodResult, RunContext

__all__ = ["run", "DEFAULT_ITERATIONS"]

#: Iterations when the run has neither a time limit nor an ``iterations`` option (about 1 s on
#: a 20 × 20 instance, 5 s on 100 × 20).
DEFAULT_ITERATIONS = 200_000


def run(instance: JobShop, ctx: RunContext) -> MethodResult:
    """Tabu search from ``initial`` or the best dispatching schedule."""
    o = ctx.options
    initial = checked_initial(instance, ctx)
    iterations = o["iterations"] or None
    if ctx.time_limit is None and iterations is None:
        iterations = DEFAULT_ITERATIONS
    stop = Stop(time_limit=ctx.time_left(SAFETY_S), iterations=iterations, stall=o["stall"])
    sol, makespan, stats = tabu_search(instance, initial, stop, seed=ctx.seed,
                                       restart=o["restart"], strength=o["strength"])
    stats["start"] = "initial" if initial is not None else "dispatch-best"
    return heuristic_result(sol, objective=makespan, stats=stats,
                            stop_reason=stats.pop("stopped"))
