"""Adapters of the job-shop dispatching methods ``dispatch`` and ``dispatch-best``."""

from __future__ import annotations

from ...heuristics.jobshop import dispatch, dispatch_best
from ...instances import JobShop
from ..registry import Outcome, RunContext


def run(instance: JobShop, ctx: RunContext) -> Outcome:
    """One rule, one schedule-generation mode."""
    o = ctx.options
    sol = dispatch(instance, o["rule"], o["mode"], seed=ctx.seed, atc_k=o["atc_k"])
    return Outcome(sol, "feasible", stop_reason="heuristic finished",
                   stats={"rule": o["rule"], "mode": o["mode"]})


def run_best(instance: JobShop, ctx: RunContext) -> Outcome:
    """Every rule in both modes; the best schedule."""
    sol, stats = dispatch_best(instance, seed=ctx.seed, random_runs=ctx.options["random_runs"],
                               atc_k=ctx.options["atc_k"])
    return Outcome(sol, "feasible", stop_reason="heuristic finished", stats=stats)
