"""Adapter of ``milp`` on one machine: PuLP with CBC (bundled) or HiGHS (optional highspy).

The solver runs through :func:`._pulp.solve_pulp` for what is left of the time limit (CBC
watchdog, honest proof, dual bound); the warm start stays the incumbent when the solver returns
nothing better, and a solver bound meeting the incumbent proves it (objectives are integral).
"""

from __future__ import annotations

import time
from typing import Any

from ...formulations.single_machine import milp as model_milp
from ...heuristics import single_machine as H
from ...instances import Instance, SingleMachine
from ...instances.evaluate import lower_bound
from ..registry import Outcome, RunContext
from ._pulp import solve_pulp
from .single_machine_ls import hint_seconds, warm_start
from .single_machine_rules import proved_by_bound

__all__ = ["run"]


def run(instance: Instance, ctx: RunContext) -> Outcome:
    """Build the chosen model, solve it with the chosen backend, map the status honestly."""
    assert isinstance(instance, SingleMachine)
    t0 = time.perf_counter()
    opts = ctx.options
    stats: dict[str, Any] = {"model": opts["model"]}
    hint = upper = None
    if opts["hint"]:
        hint, upper, hint_stats = warm_start(instance, ctx, hint_seconds(ctx))
        stats.update(hint_stats)
    built = model_milp.build(instance, opts["model"], dominance=opts["dominance"], hint=hint)
    stats.update(horizon=built.horizon, precedences=built.precedences,
                 variables=built.problem.numVariables(),
                 constraints=built.problem.numConstraints(),
                 build_s=round(time.perf_counter() - t0, 3))
    seconds = None
    if ctx.time_limit is not None:
        seconds = ctx.time_left()
        if seconds < 0.05 and hint is not None:  # no time left for the solver
            return Outcome(H.sm_solution(instance, hint), "feasible", bound=lower_bound(instance),
                           objective=upper, stats=stats,
                           stop_reason="time limit reached while building; warm start returned")
        seconds = max(seconds, 0.05)
    out = solve_pulp(built.problem, backend=opts["backend"], time_limit=seconds,
                     workers=ctx.workers, seed=ctx.seed, warm_start=hint is not None)
    stats.update(out.stats)
    lb = lower_bound(instance)
    bound = lb if out.bound is None else max(out.bound, lb)
    killed = stats.get("cbc_killed_past_limit", False)
    proved = out.status == "optimal"
    seq = built.sequence() if out.status in ("optimal", "feasible") else None
    value = None if seq is None else H.sequence_value(instance, seq)
    if proved and value is not None and out.objective is not None:
        claimed = out.objective
        if value < claimed - 1e-6 or (upper is not None and upper < value - 1e-6):
            return Outcome(H.sm_solution(instance, seq), "error", stats=stats,
                           stop_reason=f"solver optimum {claimed:g} is above a schedule's "
                                       f"value {min(value, upper or value):g}: model bug")
    if hint is not None and upper is not None and (value is None or upper < value):
        seq, value = hint, upper  # the warm start stays the incumbent
    if seq is None or value is None:
        return Outcome(None, "unknown", bound=bound, stats=stats,
                       stop_reason="CBC killed past the time limit" if killed
                       else "no integer solution")
    if proved or proved_by_bound(value, bound):
        return Outcome(H.sm_solution(instance, seq), "optimal", bound=value, objective=value,
                       stop_reason="solver proved optimality", stats=stats)
    return Outcome(H.sm_solution(instance, seq), "feasible", bound=bound, objective=value,
                   stop_reason="CBC killed past the time limit; warm start returned" if killed
                   else "time limit", stats=stats)
