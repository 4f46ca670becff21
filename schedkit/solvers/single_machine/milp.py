"""Adapter of ``milp`` on one machine: PuLP with CBC (bundled) or HiGHS (optional highspy).

The solver runs through :func:`~schedkit.solvers.backends.pulp.solve_pulp` for what is left of
the time limit (CBC watchdog, honest proof, dual bound); the warm start stays the incumbent when
the solver returns nothing better, and a solver bound meeting the incumbent proves it
(objectives are integral).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from ...formulations.deadline import Deadline, OutOfTime
from ...formulations.single_machine import milp as model_milp
from ...heuristics import single_machine as H
from ...heuristics.search import StopReason
from ...instances import SingleMachine
from ...instances.evaluate import lower_bound
from ..backends.pulp import MIN_TIME_S, solve_pulp
from ..common import proved_by_bound
from ..registry import MethodResult, RunContext
from ..result import Status
from .warm import warm_start

__all__ = ["run"]


def run(instance: SingleMachine, ctx: RunContext) -> MethodResult:
    """Build the chosen model, solve it with the chosen backend, map the status honestly."""
    t0 = time.perf_counter()
    opts = ctx.options
    warm = warm_start(instance, ctx)
    stats: dict[str, Any] = {"model": opts["model"], **warm.stats}
    hint = None if warm.solution is None else np.asarray(warm.solution["sequence"])
    upper = warm.objective
    if ctx.interrupted.is_set():
        return warm.interrupted()
    try:
        built = model_milp.build(instance, opts["model"], dominance=opts["dominance"], hint=hint,
                                 deadline=Deadline(ctx.deadline))
    except OutOfTime:
        return warm.out_of_time()
    stats.update(horizon=built.horizon, precedences=built.precedences,
                 variables=built.problem.numVariables(),
                 constraints=built.problem.numConstraints(),
                 build_s=round(time.perf_counter() - t0, 3))
    seconds = None
    if ctx.time_limit is not None:
        seconds = ctx.time_left()
        if seconds is not None and seconds < MIN_TIME_S and warm.solution is not None:
            return MethodResult(warm.solution, Status.FEASIBLE, bound=lower_bound(instance),
                                objective=upper, stats=stats, stop_reason=StopReason.TIME_LIMIT,
                                stop_detail="time limit reached while building; warm start "
                                            "returned")
    out = solve_pulp(built.problem, backend=opts["backend"], time_limit=seconds,
                     workers=ctx.workers, seed=ctx.seed, warm_start=hint is not None,
                     interrupt=ctx.interrupted, run=ctx)
    stats.update(out.stats)
    lb = lower_bound(instance)
    bound = lb if out.bound is None else max(out.bound, lb)
    killed = stats.get("cbc_killed_past_limit", False)
    proved = out.status == Status.OPTIMAL
    seq = built.sequence() if out.solved else None
    value = None if seq is None else H.sequence_value(instance, seq)
    if proved and seq is not None and value is not None and out.objective is not None:
        claimed = out.objective
        if value < claimed - 1e-6 or (upper is not None and upper < value - 1e-6):
            return MethodResult(H.solution(instance, seq), Status.ERROR,
                                stop_reason=StopReason.ERROR, stats=stats,
                                stop_detail=f"solver optimum {claimed:g} is above a schedule's "
                                            f"value {min(value, upper or value):g}: model bug")
    if hint is not None and upper is not None and (value is None or upper < value):
        seq, value = hint, upper  # the warm start stays the incumbent
    if seq is None or value is None:
        return MethodResult(None, Status.UNKNOWN, bound=bound, stats=stats,
                            stop_reason=StopReason.FINISHED if seconds is None and not killed
                            else StopReason.TIME_LIMIT,
                            stop_detail="CBC killed past the time limit" if killed
                            else "no integer solution")
    if proved or proved_by_bound(value, bound):
        return MethodResult(H.solution(instance, seq), Status.OPTIMAL, bound=value,
                            objective=value, stop_detail="solver proved optimality",
                            stats=stats)
    return MethodResult(H.solution(instance, seq), Status.FEASIBLE, bound=bound, objective=value,
                        stop_reason=StopReason.TIME_LIMIT,
                        stop_detail="CBC killed past the time limit; warm start returned"
                        if killed else "time limit", stats=stats)
