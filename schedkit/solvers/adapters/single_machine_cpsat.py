"""Adapter of ``cpsat`` on one machine: build (formulations.single_machine.cpsat), hint, solve.

The time limit covers everything: a short warm start (best rule + local search, by default
10 % of the limit, at most 2 s), building the model and CP-SAT itself. Statuses: ``optimal``
only when CP-SAT proves it (or its bound meets the objective); the best schedule found — the
solver's or, if the solver found none better, the warm start — is returned as ``feasible``.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from ...formulations.single_machine import cpsat as model_cpsat
from ...heuristics import single_machine as H
from ...instances import Instance, SingleMachine
from ...instances.evaluate import lower_bound
from ..registry import Outcome, RunContext
from .single_machine_ls import hint_seconds, warm_start
from .single_machine_rules import proved_by_bound

__all__ = ["run"]


def run(instance: Instance, ctx: RunContext) -> Outcome:
    """Solve with CP-SAT; see the module docstring for what the statuses mean."""
    assert isinstance(instance, SingleMachine)
    stats: dict = {}
    hint = None
    upper = None
    if ctx.options["hint"]:
        hint, upper, stats = warm_start(instance, ctx, hint_seconds(ctx))
    lb = lower_bound(instance)
    built = model_cpsat.build(instance, hint=hint, upper=upper, lower=lb,
                              dominance=ctx.options["dominance"])
    stats.update(horizon=built.horizon, precedences=built.precedences)
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.num_workers = ctx.workers
    params.random_seed = ctx.seed % 2**31
    params.log_search_progress = False
    if hint is not None:
        params.repair_hint = True  # the hint may break a dominance precedence
    if ctx.time_limit is not None:
        params.max_time_in_seconds = max(0.01, ctx.time_left())
    code = solver.Solve(built.model)
    stats.update(cp_status=solver.StatusName(code), branches=solver.NumBranches(),
                 conflicts=solver.NumConflicts(), solver_wall_s=solver.WallTime())
    bound = solver.BestObjectiveBound()
    bound = max(bound, lb) if abs(bound) < 1e300 else lb
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        seq = built.sequence(solver)
        value = H.sequence_value(instance, seq)
        if hint is not None and upper is not None and upper < value:
            seq, value = hint, upper  # the warm start stays the incumbent
        if code == cp_model.OPTIMAL or proved_by_bound(value, bound):
            return Outcome(H.sm_solution(instance, seq), "optimal", bound=value, objective=value,
                           stop_reason="CP-SAT proved optimality", stats=stats)
        return Outcome(H.sm_solution(instance, seq), "feasible", bound=bound, objective=value,
                       stop_reason="time limit", stats=stats)
    if code == cp_model.INFEASIBLE:
        # The model is feasible by construction (any sequence is a schedule within the horizon
        # and the upper bound is a schedule's value): infeasible means a modelling bug.
        return Outcome(None, "error", stop_reason="CP-SAT says infeasible: model bug",
                       stats=stats)
    if hint is not None:
        return Outcome(H.sm_solution(instance, hint), "feasible", bound=bound, objective=upper,
                       stop_reason="time limit; CP-SAT found no schedule, warm start returned",
                       stats=stats)
    return Outcome(None, "unknown", bound=bound, stop_reason="time limit, no schedule",
                   stats=stats)
