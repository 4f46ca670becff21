"""Adapter of ``cpsat`` on one machine: warm start, the model of
:mod:`schedkit.formulations.single_machine.cpsat`, CP-SAT.

The time limit covers everything: a short warm start (best rule + local search, by default
10 % of the limit, at most 2 s), building the model and CP-SAT itself. Statuses: ``optimal``
only when CP-SAT proves it (or its bound meets the objective); the best schedule found — the
solver's or, if the solver found none better, the warm start — is returned as ``feasible``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...formulations.single_machine import cpsat as model_cpsat
from ...heuristics import single_machine as H
from ...heuristics.search import StopReason
from ...instances import SingleMachine
from ...instances.evaluate import lower_bound
from ..backends.cpsat import solve_cpsat
from ..common import proved_by_bound
from ..registry import MethodResult, RunContext
from ..result import Status
from .warm import warm_start

__all__ = ["run"]


def run(instance: SingleMachine, ctx: RunContext) -> MethodResult:
    """Solve with CP-SAT; see the module docstring for what the statuses mean."""
    warm = warm_start(instance, ctx)
    stats: dict[str, Any] = dict(warm.stats)
    hint = None if warm.solution is None else np.asarray(warm.solution["sequence"])
    upper = warm.objective
    if ctx.interrupted.is_set():
        return warm.interrupted()
    lb = lower_bound(instance)
    built = model_cpsat.build(instance, hint=hint, upper=upper, lower=lb,
                              dominance=ctx.options["dominance"])
    stats.update(horizon=built.horizon, precedences=built.precedences)
    # The hint may break a dominance precedence: CP-SAT repairs it.
    params = {"repair_hint": True} if hint is not None else {}
    out = solve_cpsat(built.model, time_limit=ctx.time_left(), workers=ctx.workers,
                      seed=ctx.seed, interrupt=ctx.interrupted, run=ctx, parameters=params)
    stats.update(out.stats)
    bound = lb if out.bound is None or abs(out.bound) >= 1e300 else max(out.bound, lb)
    detail = f"CP-SAT {out.stats['cpsat_status']}"
    if out.solved:
        seq = built.sequence(out.solver)
        value = H.sequence_value(instance, seq)
        if hint is not None and upper is not None and upper < value:
            seq, value = hint, upper  # the warm start stays the incumbent
        if out.status == Status.OPTIMAL or proved_by_bound(value, bound):
            return MethodResult(H.solution(instance, seq), Status.OPTIMAL, bound=value,
                                objective=value, stop_detail=detail, stats=stats)
        return MethodResult(H.solution(instance, seq), Status.FEASIBLE, bound=bound,
                            objective=value, stop_reason=StopReason.TIME_LIMIT,
                            stop_detail=detail, stats=stats)
    if out.status == Status.INFEASIBLE:
        # The model is feasible by construction (any sequence is a schedule within the horizon
        # and the upper bound is a schedule's value): infeasible means a modelling bug.
        return MethodResult(None, Status.ERROR, stop_reason=StopReason.ERROR,
                            stop_detail="CP-SAT says infeasible: model bug", stats=stats)
    if warm.solution is not None:
        return MethodResult(warm.solution, Status.FEASIBLE, bound=bound, objective=upper,
                            stop_reason=StopReason.TIME_LIMIT,
                            stop_detail=f"{detail}: no schedule; the warm start is returned",
                            stats=stats)
    return MethodResult(None, Status.UNKNOWN, bound=bound, stop_reason=StopReason.TIME_LIMIT,
                        stop_detail=f"{detail}: no schedule", stats=stats)
