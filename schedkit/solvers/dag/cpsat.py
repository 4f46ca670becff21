"""Adapter of ``cpsat`` for DAGs: the model of :mod:`schedkit.formulations.dag.cpsat`, OR-Tools
CP-SAT, hinted with the best cheap schedule (HEFT's unless PEFT, CPOP or list scheduling is
shorter, or a shorter ``initial`` solution is given)."""

from __future__ import annotations

from typing import Any

from ...formulations.dag.cpsat import build
from ...formulations.deadline import Deadline, OutOfTime
from ...heuristics.dag import schedule_metrics
from ...heuristics.search import StopReason
from ...instances import DAG
from ..backends.cpsat import solve_cpsat
from ..registry import MethodResult, RunContext
from ..result import Status
from .common import replayed_schedule, warm_start

__all__ = ["run"]


def run(instance: DAG, ctx: RunContext) -> MethodResult:
    """Solve with CP-SAT; ``optimal`` only when CP-SAT proves it on exact integer data.

    Options: ``hint`` (bool, default true), ``symmetry_breaking`` (bool, default true),
    ``scale`` (float, 0 = automatic; see :func:`~schedkit.formulations.dag.cpsat.integer_data`).
    """
    opts = ctx.options
    warm, best = warm_start(instance, ctx)
    scale = float(opts["scale"]) or None
    if ctx.interrupted.is_set():
        return warm.interrupted()
    try:
        built = build(instance, scale=scale, hint=best.solution() if opts["hint"] else None,
                      symmetry_breaking=bool(opts["symmetry_breaking"]),
                      deadline=Deadline(ctx.deadline))
    except OutOfTime:
        return warm.out_of_time()
    # The capacity-P cumulative carries the lower-bound reasoning of P|prec|Cmax: with the
    # overload checker and timetable edge finding CP-SAT closes STG graphs whose optimum lies
    # above the critical-path and work bounds (stg50-0001 on 4 processors: 94 proved in
    # 0.2 s instead of bound 89 after 10 s).
    params: dict[str, Any] = {"use_overload_checker_in_cumulative": True,
                              "use_timetable_edge_finding_in_cumulative": True}
    if built.fixed_search:
        from ortools.sat.python import cp_model

        params["search_branching"] = cp_model.FIXED_SEARCH  # the model's strategy, see build()
    out = solve_cpsat(built.model, time_limit=ctx.time_left(), workers=ctx.workers,
                      seed=ctx.seed, interrupt=ctx.interrupted, run=ctx, parameters=params)
    data = built.data
    stats: dict[str, Any] = {**out.stats, **warm.stats, **built.stats}
    name = out.stats["cpsat_status"]
    if out.status == Status.INFEASIBLE:
        # The horizon comes from a feasible schedule, so this is a modelling error.
        return MethodResult(None, Status.ERROR, stop_reason=StopReason.ERROR,
                            stop_detail="CP-SAT: model infeasible", stats=stats)
    bound = data.bound(out.bound if out.bound is not None else 0.0)
    schedule = best
    if out.solved:
        proc, start = built.read(out.solver)
        found = replayed_schedule(instance, proc, start, "cpsat")
        # Exact data: the replay is the model's schedule. Rounded data: keep the better one.
        if data.exact or found.makespan <= best.makespan:
            schedule = found
    proved = out.status == Status.OPTIMAL and data.exact
    stats.update(schedule_metrics(instance, schedule.makespan))
    stats["source"] = "cpsat" if schedule is not best else best.method
    if proved:
        assert out.objective is not None
        return MethodResult(schedule.solution(), Status.OPTIMAL,
                            bound=out.objective / data.scale, objective=out.objective / data.scale,
                            stop_detail="CP-SAT proved optimality", stats=stats)
    if out.status == Status.OPTIMAL:
        reason = StopReason.FINISHED
        why = (f"CP-SAT optimal on data rounded down at scale {data.scale:g}; "
               "not a proof for the real times")
    elif out.solved:
        reason = StopReason.TIME_LIMIT
        why = f"CP-SAT {name} (time limit)"
    else:
        reason = StopReason.TIME_LIMIT
        why = f"CP-SAT {name}: no model solution, returning the {best.method} incumbent"
    return MethodResult(schedule.solution(), Status.FEASIBLE, bound=bound, stop_reason=reason,
                        stop_detail=why, stats=stats)
