"""Adapter of ``hetsp``, the fast sequence-parallel planner
(:mod:`schedkit.heuristics.sequence_parallel.planner`): its plan becomes a ``feasible`` result
(``optimal`` only where it meets the lower bound), never worse than the run's ``initial``
plan."""

from __future__ import annotations

from ...heuristics.sequence_parallel.planner import hetsp_plan
from ...instances import SequenceParallel
from ...instances.evaluate import objective
from ..common import SAFETY_S, checked_initial, heuristic_result
from ..registry import MethodResult, RunContext

__all__ = ["run"]


def run(instance: SequenceParallel, ctx: RunContext) -> MethodResult:
    """Multi-start planner under the run's time and iteration limits."""
    o = ctx.options
    iterations = o.get("iterations") or None
    stop = ctx.stop(iterations=iterations, reserve=SAFETY_S) \
        if ctx.time_limit is not None or iterations is not None else None
    solution, stats = hetsp_plan(instance, seed=ctx.seed, starts=o["starts"],
                                 extra=o["extra"], swaps=o["swaps"], stop=stop)
    initial = checked_initial(instance, ctx)
    if initial is not None:
        mine, theirs = objective(instance, solution), objective(instance, initial)
        stats["initial_objective"] = theirs
        if theirs < mine:
            stats["returned"] = "initial (better than every start)"
            solution = initial
    return heuristic_result(solution, stats=stats)
