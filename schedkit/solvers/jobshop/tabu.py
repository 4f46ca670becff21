"""Adapter of ``tabu`` for the job shop: tabu search (N5) from a warm start."""

from __future__ import annotations

from ...heuristics.jobshop import dispatch_best, tabu_search
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
    source = "initial"
    if initial is None:
        # The start: the best dispatching rule, as many rules as a quarter of the time allows.
        quarter = None if ctx.time_limit is None else ctx.started + 0.25 * ctx.time_limit
        initial, _ = dispatch_best(instance, seed=ctx.seed, deadline=quarter,
                                   interrupt=ctx.interrupted.is_set)
        source = "dispatch-best"
    iterations = o["iterations"] or None
    if ctx.time_limit is None and iterations is None:
        iterations = DEFAULT_ITERATIONS
    stop = ctx.stop(iterations=iterations, stall=o["stall"], reserve=SAFETY_S)
    sol, makespan, stats = tabu_search(instance, initial, stop, seed=ctx.seed,
                                       restart=o["restart"], strength=o["strength"])
    stats["start"] = source
    return heuristic_result(sol, objective=makespan, stats=stats,
                            stop_reason=stats.pop("stopped"))
