"""Adapter of ``ls`` on one machine: iterated local search from the best rule (or a given
start)."""

from __future__ import annotations

from ...heuristics import single_machine as H
from ...instances import SingleMachine
from ...instances.evaluate import lower_bound
from ..common import SAFETY_S
from ..registry import MethodResult, RunContext
from .rules import sequence_result
from .warm import checked_neighbourhood, default_iterations, default_stall, start_sequence

__all__ = ["run"]


def run(instance: SingleMachine, ctx: RunContext) -> MethodResult:
    """Iterated local search (Numba) with the run's time limit and the ``iterations`` option."""
    opts = ctx.options
    iterations = opts["iterations"] or None
    if ctx.time_limit is None and iterations is None:
        iterations = default_iterations(instance.n_jobs)
    neighbourhood = checked_neighbourhood(instance, ctx)
    source, start = start_sequence(instance, ctx, opts["init"])
    stall = default_stall(instance.n_jobs) if opts["stall"] < 0 else opts["stall"]
    stop = ctx.stop(iterations=iterations, stall=stall, reserve=SAFETY_S)
    seq, _, stats = H.local_search(instance, start, stop, strength=opts["strength"],
                                   restart=opts["restart"], seed=ctx.seed,
                                   lower=lower_bound(instance),
                                   neighbourhood=neighbourhood)
    stats["start"] = source
    return sequence_result(instance, seq, "ls", stats=stats, stop_reason=stats.pop("stopped"))
