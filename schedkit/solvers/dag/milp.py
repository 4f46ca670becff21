"""Adapter of ``milp`` for DAGs: the model of :mod:`schedkit.formulations.dag.milp` through
PuLP, CBC by default (bundled with PuLP) or HiGHS (``backend=highs``, needs ``highspy``).

Big-M is the makespan of the best cheap schedule (HEFT's unless PEFT, CPOP or list scheduling
is shorter), which is also returned if the solver finds nothing better in time.
"""

from __future__ import annotations

from typing import Any

from ...formulations.dag.milp import build
from ...formulations.deadline import Deadline, OutOfTime
from ...heuristics.dag import schedule_metrics
from ...heuristics.search import StopReason
from ...instances import DAG
from ..backends.pulp import solve_pulp
from ..registry import MethodResult, RunContext
from ..result import Status, close
from .common import replayed_schedule, warm_start

__all__ = ["run"]


def run(instance: DAG, ctx: RunContext) -> MethodResult:
    """Solve the MILP; ``optimal`` only when the backend proves it (zero gap) and the replayed
    schedule reproduces the MILP's objective (:func:`~schedkit.solvers.result.close`); else
    ``feasible`` with the backend's dual bound (CBC's log, HiGHS's mip_dual_bound) where it
    reports one."""
    backend = str(ctx.options["backend"])
    warm, best = warm_start(instance, ctx)
    if ctx.interrupted.is_set():
        return warm.interrupted()
    try:
        model = build(instance, big_m=best.makespan, name=f"dag_{instance.name}"[:60],
                      deadline=Deadline(ctx.deadline))
    except OutOfTime:
        return warm.out_of_time()
    out = solve_pulp(model.problem, backend=backend, time_limit=ctx.time_left(),
                     workers=ctx.workers, seed=ctx.seed, interrupt=ctx.interrupted, run=ctx)
    stats: dict[str, Any] = {**out.stats, "big_m": model.big_m, "order_pairs": model.pairs,
                             **warm.stats, "symmetry_breaking": model.symmetry_breaking}
    schedule = best
    proved = False
    if out.solved and out.objective is not None:
        found = replayed_schedule(instance, *model.read(), "milp")
        proved = out.status == Status.OPTIMAL and close(found.makespan, out.objective)
        if proved or found.makespan <= best.makespan:
            schedule = found
    stats.update(schedule_metrics(instance, schedule.makespan))
    stats["source"] = "milp" if schedule is not best else best.method
    said = f"{backend}: {out.stats.get('pulp_solution_status', out.status)}"
    if proved:
        return MethodResult(schedule.solution(), Status.OPTIMAL, bound=out.objective,
                            stop_detail=said, stats=stats)
    reason = StopReason.FINISHED if ctx.time_limit is None else StopReason.TIME_LIMIT
    return MethodResult(schedule.solution(), Status.FEASIBLE, bound=out.bound,
                        stop_reason=reason, stop_detail=said, stats=stats)
